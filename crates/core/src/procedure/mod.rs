//! Procedures as data: the model, loaded from a procedure file (`load`) and shipped as a
//! catalogue of built-in procedures (`Catalogue`).
//!
//! Architecture invariant: a `Procedure` value is always valid (ids unique, references
//! resolved, timescales non-zero and bounded); only `load` makes one.

mod catalogue;
mod load;

pub use catalogue::{BUILTIN, Catalogue};
pub use load::{ProcedureError, load};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use chrono::{DateTime, Utc};

use crate::calendar::{Calendar, Division, YearOutOfRange};
use crate::case::Level;
use crate::ids::{ClockId, FieldId, FormId, LevelId, MailboxId, ProcedureId, ReasonId, StageId};
use crate::timescale::Timescale;

/// What a procedure is about: one child, multi-agency practice in general (a Partnership
/// Practice Alert), or one agency's part in the partnership (MSET partners' regular
/// non-attendance). Only a procedure about a child carries a child's details.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subject {
    Child,
    Practice,
    /// An alert about an agency (the agency asked), not about a child.
    Agency,
}

impl Subject {
    /// Whether a case under it names the agency asked (the one challenged).
    pub fn names_an_agency(self) -> bool {
        matches!(self, Subject::Child | Subject::Agency)
    }
}

/// The sides of a case. Every clock belongs to one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Party {
    /// The agency that raised the escalation (its practitioner and managers).
    Raising,
    /// The agency whose decision, action or inaction is challenged.
    Receiving,
    /// The partnership itself: its chair, business unit or decision-making group.
    Partnership,
}

impl Party {
    pub fn describe(self) -> &'static str {
        match self {
            Party::Raising => "the agency that raised the escalation",
            Party::Receiving => "the agency the escalation is about",
            Party::Partnership => "the partnership (chair or business unit)",
        }
    }
}

/// The lifecycle action that meets a clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Send the escalation or pro-forma on to the person asked.
    Submit,
    /// Record a response: resolved, or not resolved with reasons and agreed actions.
    Respond,
    /// Move the case to the next stage.
    Escalate,
    /// Record the final outcome of the case.
    Resolve,
}

impl Action {
    pub fn verb(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Respond => "respond",
            Action::Escalate => "escalate",
            Action::Resolve => "resolve",
        }
    }
}

/// Kinds of agency, used for who is asked in each agency and for Moray's line-management
/// table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgencyKind {
    SocialWork,
    Health,
    Education,
    Police,
    EarlyYears,
    YouthJustice,
    Partnership,
    Other,
}

impl AgencyKind {
    pub fn label(self) -> &'static str {
        match self {
            AgencyKind::SocialWork => "Social work",
            AgencyKind::Health => "Health",
            AgencyKind::Education => "Education",
            AgencyKind::Police => "Police",
            AgencyKind::EarlyYears => "Early years",
            AgencyKind::YouthJustice => "Youth justice",
            AgencyKind::Partnership => "Partnership",
            AgencyKind::Other => "Other",
        }
    }
}

/// When someone beyond the parties must be told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InformWhen {
    Always,
    /// The child has a child protection plan.
    ChildProtectionPlan,
    /// The child is in care (looked after).
    InCare,
}

/// What a form field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldKind {
    Text,
    LongText,
    Date,
    YesNo,
    /// One of the field's `options`.
    Choice,
    /// Any number of the field's `options` (a tick-list: "Reason for escalation (please
    /// tick)" — Moray).
    Choices,
    /// Repeating rows of typed `columns` (a table: "Action(s) / By whom / Date completed" —
    /// Sefton).
    Rows,
    Email,
}

impl FieldKind {
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::LongText => "long-text",
            FieldKind::Date => "date",
            FieldKind::YesNo => "yes-no",
            FieldKind::Choice => "choice",
            FieldKind::Choices => "choices",
            FieldKind::Rows => "rows",
            FieldKind::Email => "email",
        }
    }

    /// Whether the kind takes `options`.
    pub fn has_options(self) -> bool {
        matches!(self, FieldKind::Choice | FieldKind::Choices)
    }
}

/// A fact of the case a field is pre-filled from: a closed vocabulary, so a procedure file
/// names facts the product knows and the loader refuses any other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prefill {
    /// The date the case was raised.
    RaisedAt,
    /// The raising agency's name.
    RaisingAgency,
    /// The receiving agency's name.
    ReceivingAgency,
    /// The name of the person who raised the case.
    RaisedBy,
    ChildName,
    ChildDateOfBirth,
    /// The date the case entered the stage.
    StageEntered(StageId),
    /// The date of the first response at the stage.
    ResponseAt(StageId),
    /// The name of who responded at the stage.
    Responder(StageId),
    /// The current stage's name.
    CurrentStage,
    /// The date the form is opened.
    Today,
}

impl Prefill {
    /// The vocabulary, as procedure files spell it (`<stage>` is a stage id).
    pub const NAMES: [&'static str; 11] = [
        "raised-at",
        "raising-agency",
        "receiving-agency",
        "raised-by",
        "child-name",
        "child-date-of-birth",
        "stage-entered:<stage>",
        "response-at:<stage>",
        "responder:<stage>",
        "current-stage",
        "today",
    ];

    /// Parses a name of the vocabulary; the stage named is checked by the loader.
    pub fn parse(s: &str) -> Option<Prefill> {
        let staged = |prefix: &str| {
            s.strip_prefix(prefix)
                .and_then(|stage| StageId::parse(stage).ok())
        };
        Some(match s {
            "raised-at" => Prefill::RaisedAt,
            "raising-agency" => Prefill::RaisingAgency,
            "receiving-agency" => Prefill::ReceivingAgency,
            "raised-by" => Prefill::RaisedBy,
            "child-name" => Prefill::ChildName,
            "child-date-of-birth" => Prefill::ChildDateOfBirth,
            "current-stage" => Prefill::CurrentStage,
            "today" => Prefill::Today,
            _ => {
                if let Some(stage) = staged("stage-entered:") {
                    Prefill::StageEntered(stage)
                } else if let Some(stage) = staged("response-at:") {
                    Prefill::ResponseAt(stage)
                } else if let Some(stage) = staged("responder:") {
                    Prefill::Responder(stage)
                } else {
                    return None;
                }
            }
        })
    }

    /// The stage it names, if any.
    pub fn stage(&self) -> Option<&StageId> {
        match self {
            Prefill::StageEntered(s) | Prefill::ResponseAt(s) | Prefill::Responder(s) => Some(s),
            _ => None,
        }
    }

    /// The kinds of field it can fill.
    pub fn fills(&self, kind: FieldKind) -> bool {
        let date = matches!(
            self,
            Prefill::RaisedAt
                | Prefill::ChildDateOfBirth
                | Prefill::StageEntered(_)
                | Prefill::ResponseAt(_)
                | Prefill::Today
        );
        if date {
            kind == FieldKind::Date
        } else {
            matches!(kind, FieldKind::Text | FieldKind::LongText)
        }
    }
}

impl std::fmt::Display for Prefill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Prefill::RaisedAt => f.write_str("raised-at"),
            Prefill::RaisingAgency => f.write_str("raising-agency"),
            Prefill::ReceivingAgency => f.write_str("receiving-agency"),
            Prefill::RaisedBy => f.write_str("raised-by"),
            Prefill::ChildName => f.write_str("child-name"),
            Prefill::ChildDateOfBirth => f.write_str("child-date-of-birth"),
            Prefill::StageEntered(s) => write!(f, "stage-entered:{s}"),
            Prefill::ResponseAt(s) => write!(f, "response-at:{s}"),
            Prefill::Responder(s) => write!(f, "responder:{s}"),
            Prefill::CurrentStage => f.write_str("current-stage"),
            Prefill::Today => f.write_str("today"),
        }
    }
}

impl<'de> Deserialize<'de> for Prefill {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Prefill::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown prefill `{name}`")))
    }
}

impl Serialize for Prefill {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procedure {
    pub id: ProcedureId,
    pub name: String,
    pub partnership: String,
    pub division: Division,
    pub subject: Subject,
    pub raised_by: Vec<RaiserRole>,
    /// The side that decides to escalate or close a case: the raising agency (the default),
    /// or the partnership where it runs the process (MSET's Chair) or closes it (a Practice
    /// Alert is closed by the partnership, not its informer).
    pub deciding_party: Party,
    pub summary: String,
    /// What must be tried before the formal process starts, if the procedure says.
    pub before: Option<String>,
    /// What a person should know where they raise a case (who the procedure is for, where to
    /// go instead, whom to ask for advice), in the procedure's words.
    pub guidance: Option<String>,
    pub source: String,
    pub mailboxes: BTreeMap<MailboxId, Mailbox>,
    pub reasons: Vec<Reason>,
    pub levels_of_need: Vec<LevelOfNeed>,
    /// Where the procedure asks the level of need; `None` when it has no levels of need.
    pub level_of_need_asked: Option<LevelOfNeedAsked>,
    /// The question asked before raising a case about a child, and the procedure's own
    /// instruction when the answer is yes; `None` for a procedure not about one child.
    pub immediate_risk: Option<ImmediateRisk>,
    pub forms: Vec<Form>,
    pub line_management: Vec<ManagementLine>,
    pub stages: Vec<Stage>,
}

/// Roles that may raise a case under a procedure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RaiserRole {
    Practitioner,
    Manager,
    Chair,
}

impl RaiserRole {
    /// The role's name as procedure files spell it.
    pub fn name(self) -> &'static str {
        match self {
            RaiserRole::Practitioner => "practitioner",
            RaiserRole::Manager => "manager",
            RaiserRole::Chair => "chair",
        }
    }
}

/// A mailbox the procedure sends notices to, named in the document's words. Its address is the
/// partnership's to give (`[mailboxes]` in its configuration), never the procedure's: a
/// document's address belongs to that partnership alone, and a demo or another partnership
/// using the same procedure must never mail it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mailbox {
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub id: ReasonId,
    pub label: String,
}

/// The reason every procedure accepts besides its listed ones, given with the reason in words:
/// the documents' lists are examples ("include", "not limited to"). A procedure file may not
/// declare a reason with this id.
pub const OTHER_REASON: &str = "other";

/// Where a procedure asks the child's level of need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "kebab-case")]
pub enum LevelOfNeedAsked {
    /// Required when the case is raised.
    Raise,
    /// Asked by a field of one of the procedure's forms (Sefton's Report to SSCP at steps 3
    /// and 4): optional when the case is raised, accepted if given.
    Form { form: FormId, field: FieldId },
}

/// "Is the child at immediate risk of significant harm?": asked before a case about a child
/// is raised. A yes refuses the raise with `instruction`, the procedure's own words for using
/// child protection procedures now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImmediateRisk {
    pub question: String,
    pub instruction: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelOfNeed {
    pub id: LevelId,
    pub label: String,
}

/// A pro-forma of the procedure. Deserialize is for the page reading an answer; a procedure's
/// forms come only from `load`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Form {
    pub id: FormId,
    pub title: String,
    /// The protective marking the document prints on the pro-forma ("RESTRICTED" — MSET), to
    /// be printed at the top and bottom of every page of it; `None` where it marks none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marking: Option<String>,
    pub fields: Vec<Field>,
}

impl Form {
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// Whether that side fills part of it once the case has closed (Sefton's Monitoring box,
    /// "For completion by Sefton SCP"), so may record it then.
    pub fn filled_after_closure_by(&self, party: Party) -> bool {
        self.fields
            .iter()
            .any(|f| f.after_closure && f.filled_by == Some(party))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub id: FieldId,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    /// Identifies the child (name, date of birth, address): never in an email or a log.
    pub personal: bool,
    /// The choices of a `choice` or `choices` field.
    pub options: Vec<String>,
    /// The columns of a `rows` field: each a field of a single-value kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<Field>,
    /// The fact of the case it is pre-filled from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<Prefill>,
    /// The only side that fills it, when the document says ("For completion by Sefton SCP").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filled_by: Option<Party>,
    /// Filled (by `filled_by`) also once the case has closed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub after_closure: bool,
}

/// One line of a line-management table (Moray's appendix 3): the role that holds this line
/// in each kind of agency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagementLine {
    pub id: String,
    pub label: String,
    pub roles: BTreeMap<AgencyKind, String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    pub id: StageId,
    pub name: String,
    pub description: String,
    pub asked: Asked,
    /// The level of management on the raising side that must escalate into this stage, where
    /// the document says so (Medway stage 3: "the Service Manager/ Designated Safeguarding
    /// Leads must escalate"); the chair is not bound by it.
    pub escalated_by: Option<Level>,
    /// Stages that must have been used before this one may be entered.
    pub requires: Vec<StageId>,
    /// Mailboxes that get a copy of the escalation and any response at this stage.
    pub copy: Vec<MailboxId>,
    pub inform: Vec<Inform>,
    pub form: Option<FormId>,
    /// A case resolved at this stage must have its `form` recorded here first (Sefton: "Multi-
    /// agency conflicts resolved at Steps 3 and 4 must be reported to Sefton SCP Team").
    pub closes_with_form: bool,
    /// Run one after another: the next starts when the one before it is met.
    pub clocks: Vec<Clock>,
    /// The partnership's overall target for this stage, counted from the raise (Sefton's
    /// running totals: 2, 4, 6, 11 working days).
    pub running_total: Option<Timescale>,
}

/// Who is asked at a stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asked {
    /// The side that answers at this stage when it has no clock to say so.
    pub party: Party,
    pub role: String,
    /// A line of the procedure's line-management table.
    pub line: Option<String>,
    pub by_agency: BTreeMap<AgencyKind, String>,
    /// One response from each agency the case asks (`Case::agencies_asked`), each given by
    /// someone of that agency: the Practice Alert's Learning Lessons members "respond on behalf
    /// of their agency". Only at a stage without clocks.
    pub each_agency: bool,
    /// The level of management asked, where the document names one: the response (or the
    /// decision) comes from a person of this level or above, or is recorded on their behalf.
    pub level: Option<Level>,
}

/// Someone beyond the parties who is told when the case enters the stage (and of each
/// response there), in the document's words, and how the product reaches them: a mailbox
/// of the procedure, the managers of a level in the agencies asked, or everyone involved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inform {
    pub who: String,
    pub when: InformWhen,
    /// One of the procedure's `mailboxes`, whose address the partnership gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailbox: Option<MailboxId>,
    /// The managers of this level in the agency asked (MSET: "cc the second tier Line
    /// Manager for the relevant agency").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Everyone who has acted on the case and the managers asked so far (Sefton step 4:
    /// "communicate this to all"; Moray: "the team around the child, any relevant
    /// supervisors and the approached line manager(s)").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub everyone_involved: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub id: ClockId,
    /// The side that must act.
    pub owner: Party,
    /// Who on that side, in the procedure's words.
    pub who: String,
    /// What is due, in the procedure's words.
    pub task: String,
    /// The action that meets this clock.
    pub action: Action,
    pub timescale: Timescale,
    /// When it starts.
    pub starts: ClockStart,
    /// The role that may set a shorter timescale for one case (MSET's Chair), if any.
    pub shorter_by: Option<RaiserRole>,
    /// When a breach left unanswered is raised with the next line of management, where the
    /// document says (MSET: "Should the pro-forma not be returned within 5 working days, the
    /// Chair will raise this with the second tier Manager" — 0, at the breach); otherwise the
    /// partnership's setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unanswered_after_working_days: Option<u32>,
}

/// When a clock starts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ClockStart {
    /// When the case enters the stage (the first clock) or the clock before it is met.
    #[default]
    Previous,
    /// At the instant the person states the meeting or discussion took place ("within 72
    /// hours of the meeting"): never in the future, and not before the raise unless
    /// `before_raise`.
    Stated { from: String, before_raise: bool },
    /// Only when the clock before it is met with "not resolved" (the time allowed to
    /// escalate), running from that outcome; with `or_missed`, also when the clock before
    /// it breaches unmet, running from its due instant.
    NotResolved { or_missed: bool },
}

impl Procedure {
    pub fn stage(&self, id: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }

    pub fn stage_index(&self, id: &StageId) -> Option<usize> {
        self.stages.iter().position(|s| &s.id == id)
    }

    /// Whether a case names the agencies it asks (a stage takes one response from each).
    pub fn asks_agencies(&self) -> bool {
        self.stages.iter().any(|s| s.asked.each_agency)
    }

    pub fn first_stage(&self) -> &Stage {
        // A loaded procedure has at least one stage.
        &self.stages[0]
    }

    pub fn form(&self, id: &FormId) -> Option<&Form> {
        self.forms.iter().find(|f| &f.id == id)
    }

    /// Whether a case cannot be raised without a level of need.
    pub fn level_of_need_required_at_raise(&self) -> bool {
        matches!(self.level_of_need_asked, Some(LevelOfNeedAsked::Raise))
    }
}

impl Stage {
    pub fn clock(&self, id: &str) -> Option<&Clock> {
        self.clocks.iter().find(|c| c.id == id)
    }
}

impl Clock {
    /// When this clock falls due if an action starts it at `now`: from `stated` where it runs
    /// from a stated meeting or discussion (`None` until one is given), from `now` otherwise.
    /// The raise form shows it before submitting; the server starts the clock the same way.
    pub fn due_if_started(
        &self,
        now: DateTime<Utc>,
        stated: Option<DateTime<Utc>>,
        calendar: &Calendar,
    ) -> Option<Result<DateTime<Utc>, YearOutOfRange>> {
        let start = match self.starts {
            ClockStart::Stated { .. } => stated?,
            _ => now,
        };
        Some(self.timescale.due(start, calendar))
    }
}
