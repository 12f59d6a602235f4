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

use crate::calendar::Division;
use crate::case::Level;
use crate::ids::{ClockId, FieldId, FormId, LevelId, MailboxId, ProcedureId, ReasonId, StageId};
use crate::timescale::Timescale;

/// What a procedure is about: one child, or multi-agency practice in general (a Partnership
/// Practice Alert, which must not carry a child's details).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subject {
    Child,
    Practice,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldKind {
    Text,
    LongText,
    Date,
    YesNo,
    Choice,
    Email,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Procedure {
    pub id: ProcedureId,
    pub name: String,
    pub partnership: String,
    pub division: Division,
    pub subject: Subject,
    pub raised_by: Vec<RaiserRole>,
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mailbox {
    pub name: String,
    pub address: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub id: ReasonId,
    pub label: String,
}

/// The reason every procedure accepts besides its listed ones, given with the reason in words:
/// the documents' lists are examples ("include", "not limited to"). A procedure file may not
/// declare a reason with this id.
pub const OTHER_REASON: &str = "other";

/// Where a procedure asks the child's level of need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImmediateRisk {
    pub question: String,
    pub instruction: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LevelOfNeed {
    pub id: LevelId,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Form {
    pub id: FormId,
    pub title: String,
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Field {
    pub id: FieldId,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    /// Identifies the child (name, date of birth, address): never in an email or a log.
    pub personal: bool,
    pub options: Vec<String>,
}

/// One line of a line-management table (Moray's appendix 3): the role that holds this line
/// in each kind of agency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ManagementLine {
    pub id: String,
    pub label: String,
    pub roles: BTreeMap<AgencyKind, String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
    /// Run one after another: the next starts when the one before it is met.
    pub clocks: Vec<Clock>,
    /// The partnership's overall target for this stage, counted from the raise (Sefton's
    /// running totals: 2, 4, 6, 11 working days).
    pub running_total: Option<Timescale>,
}

/// Who is asked at a stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Asked {
    /// The side that answers at this stage when it has no clock to say so.
    pub party: Party,
    pub role: String,
    /// A line of the procedure's line-management table.
    pub line: Option<String>,
    pub by_agency: BTreeMap<AgencyKind, String>,
    /// The level of management asked, where the document names one: the response (or the
    /// decision) comes from a person of this level or above, or is recorded on their behalf.
    pub level: Option<Level>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inform {
    pub who: String,
    pub when: InformWhen,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
}

/// When a clock starts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
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
