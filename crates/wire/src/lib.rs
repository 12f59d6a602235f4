//! The HTTP API's JSON contract: every request body and every answer, as typed values the API
//! serialises and the web page deserialises from this same crate. `openapi.yaml` describes
//! these types field by field (tested).
//!
//! Request bodies keep every field optional so the API can name *every* missing or bad field
//! in one answer; the API parses them into the core's domain types, which are valid by
//! construction. Answers reuse the core's types where the core already defines the shape (a
//! case, its events, its next move, a procedure, the report), so the page and the server can
//! never disagree about them.
//!
//! Serde only, no I/O: builds for `wasm32-unknown-unknown`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use escalations_core::access::CasePart;
use escalations_core::calendar::Division;
use escalations_core::case::{
    Case, ClockRun, ClockState, Event, Level, NextMove, Role, RunningTotal,
};
use escalations_core::forms::Plain;
use escalations_core::ids::{
    AgencyId, CaseId, FieldId, PartnershipId, PersonId, ProcedureId, StageId,
};
use escalations_core::procedure::{Action, AgencyKind, Form, Inform, Party, Subject};
use serde::{Deserialize, Deserializer, Serialize};

/// A whole number as JSON may write it: `3`, or `3.0` (JSON Schema's `integer` admits both, and
/// some clients send every number as a float). Anything else is refused as before.
fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    struct Whole;
    impl serde::de::Visitor<'_> for Whole {
        type Value = Option<u64>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a whole number, 0 or more")
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            u64::try_from(v)
                .map(Some)
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
            // Exactly representable whole numbers only (up to 2^53).
            if v.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(&v) {
                Ok(Some(v as u64))
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Float(v), &self))
            }
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(Whole)
}

pub use escalations_core::case::{CaseSummary, RunningClock, StatusKind};
pub use escalations_core::report::Report;

// ---------------------------------------------------------------------------------------
// Request bodies

/// `POST /api/cases`: raise an escalation (or a Partnership Practice Alert).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaiseBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure: Option<String>,
    /// The agency whose decision, action or inaction is challenged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiving_agency: Option<String>,
    /// Absent for a Practice Alert, which is not about one child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child: Option<ChildBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concern: Option<ConcernBody>,
    /// "Is the child at immediate risk of significant harm?": required for a procedure about a
    /// child, absent for a Practice Alert. `true` is refused (422, `immediate-risk`) with the
    /// procedure's instruction to use child protection procedures now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub immediate_risk: Option<bool>,
    /// When the meeting, discussion or notification the clock this action starts runs from
    /// took place (RFC 3339), where the procedure times it so ("within 72 hours of the
    /// meeting"): never in the future.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_at: Option<String>,
    /// A shorter timescale for the clock this action starts, where the procedure lets the
    /// caller's role set one (MSET: "The timescale for completion (if specific immediate
    /// safeguarding concerns are identified)", set by the Chair): one unit and a count, like
    /// `{ "hours": 24 }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shorter_timescale: Option<TimescaleBody>,
    /// Raise even though an open escalation about this child with this agency exists: the
    /// person has seen the warning (409, `possible-duplicate`) and has a reason to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_acknowledged: Option<bool>,
    /// The agencies a Practice Alert asks to respond, one response each (required by a
    /// procedure whose stage takes one response from each agency; refused by others).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agencies_asked: Vec<String>,
}

/// A timescale as a request states it: exactly one unit with its count.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimescaleBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weeks: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
}

impl TimescaleBody {
    /// The units given, as `(unit, count)`, in the order procedure files suggest them.
    pub fn units(&self) -> Vec<(&'static str, u32)> {
        [
            ("hours", self.hours),
            ("working_days", self.working_days),
            ("calendar_days", self.calendar_days),
            ("weeks", self.weeks),
            ("months", self.months),
        ]
        .into_iter()
        .filter_map(|(unit, count)| Some((unit, count?)))
        .collect()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default)]
    pub child_protection_plan: bool,
    #[serde(default)]
    pub in_care: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConcernBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// A reason not in the procedure's list, in words (the reason `other`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_of_need: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_outcome: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tried: Option<String>,
}

/// `POST /api/cases/{id}/responses`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseBody {
    /// The case version you read; a stale one is refused with 409.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub version: Option<u64>,
    /// `resolved` or `not-resolved`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Required when resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Required when not resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasons: Option<String>,
    /// The agreed plan, with either outcome.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agreed_actions: Vec<AgreedActionBody>,
    /// When the meeting or discussion the next clock runs from took place (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_at: Option<String>,
    /// How and when the discussion behind it happened, and with whom ("All escalations
    /// should be recorded ... for SSCP auditing purposes").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactBody>,
    /// The person (an id of the partnership's configuration) whose decision a manager records
    /// on their behalf: of the level the stage asks, or above, in the asked agency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
}

/// How and when a discussion happened, and with whom by role and agency.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    /// `telephone`, `face-to-face`, `online-meeting` or `email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// When it happened (RFC 3339): never in the future.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Whom it was with, by role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_role: Option<String>,
    /// Their agency: an agency id of the partnership.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_agency: Option<String>,
}

/// One action of an agreed plan, in a response (resolved or not) or a resolution.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreedActionBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
    /// The agency of the partnership that owns it (replaces the free-text `by_whom`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_agency: Option<String>,
    /// The person in that agency, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_person: Option<String>,
    /// The due date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_when: Option<String>,
}

/// `POST /api/cases/{id}/action-completions`: an agreed action was done.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionCompletionBody {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub version: Option<u64>,
    /// The action's id in the case, such as `a1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// `POST /api/cases/{id}/forms/{form}`: record a procedure's form at the case's current
/// stage.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormBody {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub version: Option<u64>,
    /// Field id → value: text for text, long-text, email and choice fields, `YYYY-MM-DD` for
    /// dates, `true`/`false` for yes/no, a list of options for choices, a list of objects
    /// (column id → value) for rows. A blank or absent field is not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<BTreeMap<String, Plain>>,
}

/// `POST /api/cases/{id}/submissions`: the pro-forma was sent on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmissionBody {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub version: Option<u64>,
    /// When the meeting, discussion or notification the clock this action starts runs from
    /// took place (RFC 3339), where the procedure times it so ("within 72 hours of the
    /// meeting"): never in the future.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_at: Option<String>,
    /// A shorter timescale for the clock this action starts, where the procedure lets the
    /// caller's role set one (MSET: "The timescale for completion (if specific immediate
    /// safeguarding concerns are identified)", set by the Chair): one unit and a count, like
    /// `{ "hours": 24 }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shorter_timescale: Option<TimescaleBody>,
}

/// `POST /api/cases/{id}/escalations`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationBody {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub version: Option<u64>,
    /// The stage to move to; the next stage when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasons: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tried: Option<String>,
    /// When the meeting, discussion or notification the clock this action starts runs from
    /// took place (RFC 3339), where the procedure times it so ("within 72 hours of the
    /// meeting"): never in the future.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_at: Option<String>,
    /// How and when the discussion behind it happened, and with whom ("All escalations
    /// should be recorded ... for SSCP auditing purposes").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactBody>,
}

/// `POST /api/cases/{id}/resolution`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolutionBody {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub version: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lessons_learned: Option<String>,
    /// The plan agreed with the decision.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agreed_actions: Vec<AgreedActionBody>,
    /// The person whose decision it is, where the stage asks a level (Moray's Chief Social
    /// Work Officer), recorded on their behalf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
}

/// `POST /api/cases/{id}/withdrawal`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalBody {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub version: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Answers

/// `GET /api/me`: who the caller is, and what the page needs to work in their partnership
/// (its agencies for the raise form, and its calendar to compute due dates in the browser).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub person: PersonId,
    /// `None` when the person is not (or no longer) in the partnership's configuration.
    pub name: Option<String>,
    pub agency: AgencyId,
    pub role: Role,
    /// A manager's level of management, as the partnership's configuration records it;
    /// absent when it records none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    pub partnership: PartnershipSummary,
    /// The server's clock: the page counts time left from it (the local stack's clock can be
    /// moved forward for demos).
    pub now: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnershipSummary {
    pub id: PartnershipId,
    pub name: String,
    /// Whose bank holidays count: with `closure_days`, the partnership's working-day calendar.
    pub division: Division,
    /// The partnership's own closure days, which no working-day clock counts.
    pub closure_days: Vec<NaiveDate>,
    pub agencies: Vec<AgencySummary>,
    /// The partnership's people, for choosing whose decision a manager records on their
    /// behalf (no email addresses).
    pub people: Vec<PersonSummary>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonSummary {
    pub id: PersonId,
    pub name: String,
    pub agency: AgencyId,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencySummary {
    pub id: AgencyId,
    pub name: String,
    pub kind: AgencyKind,
}

/// `GET /api/procedures`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureList {
    pub items: Vec<ProcedureSummary>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureSummary {
    pub id: ProcedureId,
    pub name: String,
    pub subject: Subject,
}

/// A case as the caller sees it: `POST /api/cases`, `GET /api/cases/{id}` and every action
/// answer with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub case: Case,
    /// Whose move it is, what would move the case and by when; `None` once it is closed.
    pub next_move: Option<NextMove>,
    /// The sides of this case the caller stands on.
    pub your_sides: Vec<Party>,
    /// Every clock run so far, with where it stands at `now`.
    pub clocks: Vec<ClockView>,
    /// Each stage's overall target counted from the raise, where the procedure sets one
    /// (Sefton's running totals: "(4 days total)"): when it falls due and whether it was met
    /// (the stage's last clock met before it), missed, is still running, or was not needed.
    pub running_totals: Vec<RunningTotal>,
    /// Who beyond the parties must be told at the current stage.
    pub inform: Vec<Inform>,
    pub chronology: Vec<Event>,
    /// The instant the view was computed at (the same instant as any change it reports).
    pub now: DateTime<Utc>,
}

/// One read of a case, as its access history shows it: who (their name when the partnership
/// still knows them), their agency and role then, when, and which part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    pub at: DateTime<Utc>,
    pub by: PersonId,
    pub name: Option<String>,
    pub agency: AgencyId,
    pub role: Role,
    /// `case`, `form:<form id>`, `deadline` or `export`.
    pub part: CasePart,
}

/// `GET /api/cases/{id}/access`: who has read the case, oldest first (the chair's and business
/// unit's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessHistory {
    pub case: CaseId,
    pub entries: Vec<AccessEntry>,
}

/// A notice sent about a case: which (its key) and when it was recorded as sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeSent {
    pub key: String,
    pub recorded_at: DateTime<Utc>,
}

/// `GET /api/cases/{id}/export`: everything the partnership holds about one case, for a subject
/// access request — the case with its forms and chronology, the notices sent about it and who
/// has read it (this export included).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecordView {
    pub partnership: PartnershipId,
    pub exported_at: DateTime<Utc>,
    pub exported_by: PersonId,
    pub record: CaseView,
    pub notices_sent: Vec<NoticeSent>,
    pub access: Vec<AccessEntry>,
}

/// `GET /api/cases/{id}/forms/{form}`: a form of the case at its current stage, with the
/// values last recorded and, where still blank, what the case already knows
/// (`?record=latest`: its latest record whatever the stage, to print).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormView {
    /// The form's fields, as the procedure declares them.
    pub form: Form,
    /// The stage a record would be kept at: the case's current stage (`record=latest`: the
    /// stage of its latest record, or the stage that uses it).
    pub stage: StageId,
    /// The case version read: send it back with the record.
    pub version: u64,
    /// Who recorded it at this stage and when, if anyone has.
    pub recorded: Option<FormRecorded>,
    /// Each field with a value, in the form's order.
    pub values: Vec<FormValueView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormRecorded {
    pub by: PersonId,
    pub at: DateTime<Utc>,
    pub version: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormValueView {
    pub field: FieldId,
    /// As a record would send it.
    pub value: Plain,
    /// Filled from what the case already knows, not recorded by anyone yet.
    pub prefilled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockView {
    pub run: ClockRun,
    pub state: ClockState,
}

/// `GET /api/cases`: a page of case summaries, newest raised first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CasePage {
    pub items: Vec<CaseSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// `GET /api/overview`: the counts at the top of the chair's All cases.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub open: usize,
    /// Open, with the running timescale breached now.
    pub overdue: usize,
    /// Resolved on or after `quarter_from`.
    pub resolved_this_quarter: usize,
    /// The first day of the current calendar (and financial) quarter.
    pub quarter_from: NaiveDate,
}

/// `GET /api/queue`: what the caller must act on, earliest due first (no due date last).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    pub items: Vec<QueueItem>,
    /// Cases in which the caller's agency owns open agreed actions, earliest due first.
    pub agreed_actions: Vec<QueueActions>,
    pub now: DateTime<Utc>,
}

/// A case in which the caller's agency owns open agreed actions (the case says which).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueActions {
    pub case: CaseId,
    pub procedure: ProcedureId,
    /// `open` or `resolved`: a resolved case's plan is still followed up.
    pub status: StatusKind,
    /// The earliest due date among them.
    pub due: NaiveDate,
    /// That date has passed.
    pub overdue: bool,
    /// The case version to send with a completion.
    pub version: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub case: CaseId,
    pub procedure: ProcedureId,
    pub stage: StageId,
    pub actions: Vec<Action>,
    /// Who on the caller's side, in the procedure's words.
    pub who: String,
    /// What is expected, in the procedure's words.
    pub task: String,
    pub due: Option<DateTime<Utc>>,
    pub overdue: bool,
    /// The case version to send with the action.
    pub version: u64,
}

/// An RFC 9457 problem details document (`application/problem+json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Every bad field of the request, when the request was invalid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// With `possible-duplicate`: the open escalations about the same child with the same
    /// agency (no child details).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_cases: Vec<OpenCaseRef>,
}

/// An open case a raise may duplicate: enough to find it or ask about it, nothing more.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCaseRef {
    pub id: CaseId,
    pub procedure: ProcedureId,
    pub stage: StageId,
    pub raised_at: DateTime<Utc>,
}

/// One bad field of a request body, query or header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// A path like `concern.summary` or `agreed_actions[0].by_when`.
    pub field: String,
    pub message: String,
}

// ---------------------------------------------------------------------------------------
// The local stack's demo sign-in (absent from AWS deployments)

/// `GET /dev/token`: a locally signed token for a demo person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoToken {
    pub token: String,
    pub partnership: PartnershipId,
    pub person: PersonId,
    pub role: Role,
    pub agency: AgencyId,
}

/// `GET /dev/clock`, `POST /dev/clock`: the local stack's (demo-adjustable) clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevClock {
    pub now: DateTime<Utc>,
    pub offset_seconds: i64,
}

/// `GET /dev/outbox` (as JSON): the local stack's sent mail, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevOutbox {
    pub messages: Vec<DevMessage>,
}

/// One message of the local stack's outbox, as a mail client would show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevMessage {
    /// The `.eml` file's name: `<UTC instant>-<case>_<notice key>.eml`.
    pub file: String,
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// `GET /dev/people`: the demo people a local stack signs in as, by partnership.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoPeople {
    pub partnerships: Vec<DemoPartnership>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoPartnership {
    pub id: PartnershipId,
    pub name: String,
    pub people: Vec<DemoPerson>,
}

/// A demo person as the sign-in page lists them: who, in which agency, in what role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoPerson {
    pub id: PersonId,
    pub name: String,
    pub role: Role,
    pub agency: AgencyId,
    pub agency_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
}

// ---------------------------------------------------------------------------------------
// The web page's own configuration

/// `GET /config.json`: how the page signs people in. The local stack serves `demo`; a deploy
/// writes `cognito` from the stack's outputs, so one build of the page serves every
/// partnership.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "signin", rename_all = "kebab-case")]
pub enum SiteConfig {
    /// The local stack's demo sign-in (`/dev/people`, `/dev/token`).
    Demo,
    /// Cognito's hosted UI, authorization-code flow with PKCE.
    Cognito {
        region: String,
        user_pool: String,
        client_id: String,
        /// The hosted UI's host, like `escalations-sefton.auth.eu-west-2.amazoncognito.com`.
        domain: String,
    },
}

// ---------------------------------------------------------------------------------------
// Calendar feeds

/// `POST /api/me/calendar-feed`: the caller's new calendar feed. `url` is shown this once
/// (the server keeps only a hash of its secret); any feed before it has stopped working.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarFeedLink {
    /// The feed's address: absolute where the server knows the site's address, otherwise a
    /// path on the page's own origin (`/api/calendar/….ics`).
    pub url: String,
    pub created_at: DateTime<Utc>,
}

/// `GET /api/me/calendar-feed`: whether the caller has a calendar feed, and since when —
/// never its address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarFeedState {
    pub active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
}

// ---------------------------------------------------------------------------------------
// Administration (the partnership's set-up, for its administrators)

/// `GET /api/admin`: the partnership's configuration as its administrators change it, the
/// version a change must name, and the latest changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminView {
    /// Send it back with a change: a change to an older version is refused (409).
    pub version: u64,
    pub partnership: escalations_core::partnership::PartnershipConfig,
    /// The latest changes, newest first.
    pub changes: Vec<ConfigChangeView>,
}

/// One recorded change: who made it, when, and what it was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigChangeView {
    /// The version it produced.
    pub version: u64,
    pub at: DateTime<Utc>,
    pub by: PersonId,
    pub what: String,
}

/// A running deadline a change to the calendar moves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedDeadlineView {
    pub case: CaseId,
    pub procedure: ProcedureId,
    pub stage: StageId,
    pub clock: escalations_core::ids::ClockId,
    pub was: DateTime<Utc>,
    pub due: DateTime<Utc>,
}

/// `GET /api/admin/closure-days/preview?date=…[&remove=true]`: the deadlines adding (or
/// removing) a closure day would move, before anything is saved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosureDayPreview {
    pub date: NaiveDate,
    pub remove: bool,
    pub moves: Vec<MovedDeadlineView>,
}

/// `POST /api/admin/changes`: what a saved change did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigChanged {
    pub admin: AdminView,
    pub change: ConfigChangeView,
    /// The deadlines it moved (a change to closure days or the division).
    pub moved: Vec<MovedDeadlineView>,
}

/// `POST /api/admin/changes`: one change to the set-up, made to the version read. `change`
/// says which, and which other fields it takes:
/// `add-closure-day` / `remove-closure-day` (`date`), `add-agency` / `edit-agency`
/// (`agency`), `remove-agency` / `remove-person` (`id`), `add-person` / `edit-person`
/// (`person`), `set-mailbox` (`mailbox`, `address`; no address removes it), `set-division`
/// (`division`), `set-notices` (`notices`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigChangeBody {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub version: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<AgencyBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailbox: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notices: Option<NoticesBody>,
    /// `set-retention`: how many years after a closed case's last change it is erased (1 to
    /// 100).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number"
    )]
    pub closed_cases_kept_for_years: Option<u64>,
}

/// An agency as an administrator adds or changes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The agency's own inbox, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailbox: Option<String>,
}

/// A person as an administrator adds or changes them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// A manager's (or the chair's) level of management.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

/// When notices go: working hours (`"08:00-18:00"`), the reminder percentage for hour
/// clocks, and working days before an unanswered breach goes up a line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticesBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_hours: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_percent: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unanswered_after_working_days: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::ResponseBody;

    fn version(json: &str) -> Result<Option<u64>, String> {
        serde_json::from_str::<ResponseBody>(json)
            .map(|b| b.version)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_version_is_a_whole_number_however_json_writes_it() {
        assert_eq!(version(r#"{"version": 3}"#), Ok(Some(3)));
        assert_eq!(version(r#"{"version": 3.0}"#), Ok(Some(3)));
        assert_eq!(version(r#"{"version": null}"#), Ok(None));
        assert_eq!(version("{}"), Ok(None));
        for bad in [r#""3""#, "3.5", "-1", "1e300", "true"] {
            let refused = version(&format!(r#"{{"version": {bad}}}"#));
            assert!(refused.is_err(), "{bad}: {refused:?}");
        }
    }
}
