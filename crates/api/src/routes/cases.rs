//! `/api/cases`: raise, list, view, the actions on one case, and its forms.

use std::collections::HashMap;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use escalations_app::{Action, App, FormAt, ListQuery, RaiseInput, ScopeChoice, Stated};
use escalations_core::access::Principal;
use escalations_core::case::{
    AgreedAction, Child, ClockInput, Concern, EscalateRequest, Outcome, RaiseRequest,
    ResolveRequest,
};
use escalations_core::ids::{
    ActionId, AgencyId, CaseId, FormId, LevelId, PersonId, ProcedureId, ReasonId, StageId,
};
use escalations_store::{Cursor, IdempotencyKey, MAX_PAGE, StatusKind};
use escalations_wire::{
    ActionCompletionBody, AgreedActionBody, CasePage, EscalationBody, FormBody, Overview,
    RaiseBody, ResolutionBody, ResponseBody, SubmissionBody, WithdrawalBody,
};
use http::{HeaderMap, StatusCode};
use sha2::Digest;

use crate::parse::{self, Fields};
use crate::problem::ApiError;
use crate::reply::Reply;

/// The action a `POST /api/cases/{id}/…` path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ActionRoute {
    Responses,
    Submissions,
    Escalations,
    Resolution,
    Withdrawal,
    ActionCompletions,
}

impl ActionRoute {
    pub(crate) fn parse(segment: &str) -> Option<ActionRoute> {
        Some(match segment {
            "responses" => ActionRoute::Responses,
            "submissions" => ActionRoute::Submissions,
            "escalations" => ActionRoute::Escalations,
            "resolution" => ActionRoute::Resolution,
            "withdrawal" => ActionRoute::Withdrawal,
            "action-completions" => ActionRoute::ActionCompletions,
            _ => return None,
        })
    }
}

/// A case id from a path: one that cannot be an id names no case.
fn case_id(id: &str) -> Result<CaseId, ApiError> {
    CaseId::parse(id).map_err(|_| ApiError::NotFound("case"))
}

pub(crate) async fn raise(
    app: &App,
    who: &Principal,
    headers: &HeaderMap,
    body: &Bytes,
    now: DateTime<Utc>,
) -> Result<Reply, ApiError> {
    // Who may raise is answered before what they sent is checked.
    who.may_raise()?;
    let raw: RaiseBody = parse::body(headers, body)?;
    let mut f = Fields::default();
    let idempotency = headers.get("idempotency-key").and_then(|key| {
        let key = key.to_str().unwrap_or_default();
        match IdempotencyKey::parse(key) {
            Ok(key) => Some((key, hex(&sha2::Sha256::digest(body)))),
            Err(e) => {
                f.problem("Idempotency-Key", e.to_string());
                None
            }
        }
    });
    let procedure = f.required_id("procedure", raw.procedure.as_deref(), ProcedureId::parse);
    let receiving_agency = raw
        .receiving_agency
        .as_deref()
        .and_then(|a| f.id("receiving_agency", a, AgencyId::parse));
    let child = raw.child.as_ref().map(|c| {
        let name = f.text("child.name", c.name.as_deref());
        let date_of_birth = c
            .date_of_birth
            .as_deref()
            .and_then(|d| f.date("child.date_of_birth", d));
        let address = f.optional_text("child.address", c.address.as_deref());
        name.map(|name| Child {
            name,
            date_of_birth,
            address,
            child_protection_plan: c.child_protection_plan,
            in_care: c.in_care,
        })
    });
    let concern = match &raw.concern {
        None => {
            f.problem("concern", "is required");
            None
        }
        Some(c) => {
            let summary = f.text("concern.summary", c.summary.as_deref());
            let reasons: Vec<ReasonId> = c
                .reasons
                .iter()
                .enumerate()
                .filter_map(|(i, r)| f.id(&format!("concern.reasons[{i}]"), r, ReasonId::parse))
                .collect();
            let level_of_need = c
                .level_of_need
                .as_deref()
                .and_then(|l| f.id("concern.level_of_need", l, LevelId::parse));
            let other_reason = f.optional_text("concern.other_reason", c.other_reason.as_deref());
            let desired_outcome =
                f.optional_text("concern.desired_outcome", c.desired_outcome.as_deref());
            let tried = f.optional_text("concern.tried", c.tried.as_deref());
            summary.map(|summary| Concern {
                summary,
                reasons,
                other_reason,
                level_of_need,
                desired_outcome,
                tried,
            })
        }
    };
    let clock = ClockInput {
        meeting_at: f.instant("meeting_at", raw.meeting_at.as_deref()),
        shorter: f.timescale("shorter_timescale", raw.shorter_timescale.as_ref()),
    };
    let agencies_asked: Vec<AgencyId> = raw
        .agencies_asked
        .iter()
        .enumerate()
        .filter_map(|(i, a)| f.id(&format!("agencies_asked[{i}]"), a, AgencyId::parse))
        .collect();
    let input = procedure.zip(concern).and_then(|(procedure, concern)| {
        // A child given without a usable name was reported above.
        let child = match child {
            None => None,
            Some(child) => Some(child?),
        };
        Some(RaiseInput {
            procedure,
            request: RaiseRequest {
                receiving_agency,
                child,
                concern,
                immediate_risk: raw.immediate_risk,
                agencies_asked,
            },
            clock,
            idempotency,
            duplicate_acknowledged: raw.duplicate_acknowledged.unwrap_or(false),
        })
    });
    let input = f.finish(input)?;
    let raised = app.raise(who, input, now).await?;
    let status = if raised.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Reply::json(status, &crate::wire::case_view(raised.detail))
}

pub(crate) async fn view(
    app: &App,
    who: &Principal,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Reply, ApiError> {
    let detail = app.view_case(who, &case_id(id)?, now).await?;
    Reply::ok(&crate::wire::case_view(detail))
}

/// Who has read the case (the chair's and business unit's).
pub(crate) async fn access(app: &App, who: &Principal, id: &str) -> Result<Reply, ApiError> {
    let id = case_id(id)?;
    let reads = app.access_history(who, &id).await?;
    Reply::ok(&escalations_wire::AccessHistory {
        case: id,
        entries: crate::wire::access_entries(reads),
    })
}

/// The case's full record for a subject access request, as a file to keep.
pub(crate) async fn export(
    app: &App,
    who: &Principal,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Reply, ApiError> {
    let id = case_id(id)?;
    let record = app.export_case(who, &id, now).await?;
    let body = serde_json::to_vec_pretty(&crate::wire::case_record(who, record))
        .map_err(|e| ApiError::Internal(Box::new(e)))?;
    Ok(Reply::JsonFile {
        body: body.into(),
        filename: format!("case-{id}-record.json"),
    })
}

pub(crate) async fn act(
    app: &App,
    who: &Principal,
    id: &str,
    route: ActionRoute,
    headers: &HeaderMap,
    body: &Bytes,
    now: DateTime<Utc>,
) -> Result<Reply, ApiError> {
    let (version, action, stated) = action(route, headers, body)?;
    let detail = app
        .act_with(who, &case_id(id)?, version, action, &stated, now)
        .await?;
    Reply::ok(&crate::wire::case_view(detail))
}

/// A form id from a path: one that cannot be an id names no form.
fn form_id(form: &str) -> Result<FormId, ApiError> {
    FormId::parse(form).map_err(|_| ApiError::NotFound("form"))
}

/// `GET /api/cases/{id}/forms/{form}`: the form at the case's current stage, with its values;
/// `?record=latest`, its latest record whatever the stage (to print it).
pub(crate) async fn form(
    app: &App,
    who: &Principal,
    id: &str,
    form: &str,
    query: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Result<Reply, ApiError> {
    let mut f = Fields::default();
    let at = match query.get("record").map(String::as_str) {
        None | Some("current") => FormAt::Current,
        Some("latest") => FormAt::Latest,
        Some(other) => {
            f.problem(
                "record",
                format!("`{other}` is not a record: use current or latest"),
            );
            FormAt::Current
        }
    };
    let at = f.finish(Some(at))?;
    let detail = app
        .case_form(who, &case_id(id)?, &form_id(form)?, at, now)
        .await?;
    Reply::ok(&crate::wire::form_view(detail))
}

/// `POST /api/cases/{id}/forms/{form}`: record the form at the case's current stage; every
/// bad value is named as `values.<field>` or `values.<field>[row].<column>` (422).
pub(crate) async fn record_form(
    app: &App,
    who: &Principal,
    id: &str,
    form: &str,
    headers: &HeaderMap,
    body: &Bytes,
    now: DateTime<Utc>,
) -> Result<Reply, ApiError> {
    let case = case_id(id)?;
    let form = form_id(form)?;
    let raw: FormBody = parse::body(headers, body)?;
    let mut f = Fields::default();
    let version = f.version(raw.version);
    if raw.values.is_none() {
        f.problem("values", "is required: the form's values by field id");
    }
    let values = f.finish(raw.values)?;
    let action = Action::RecordForm { form, values };
    let detail = app
        .act_with(who, &case, version, action, &Stated::default(), now)
        .await?;
    Reply::ok(&crate::wire::case_view(detail))
}

/// The action a request asks for, with the case version the caller read, when the meeting
/// the clock it starts runs from took place, and the contact behind it.
fn action(
    route: ActionRoute,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(u64, Action, Stated), ApiError> {
    let mut f = Fields::default();
    let mut meeting_at = None;
    let mut shorter = None;
    let mut contact = None;
    let mut on_behalf_of = None;
    let (version, action) = match route {
        ActionRoute::Responses => {
            let raw: ResponseBody = parse::body(headers, body)?;
            let version = f.version(raw.version);
            meeting_at = f.instant("meeting_at", raw.meeting_at.as_deref());
            contact = f.contact("contact", raw.contact.as_ref());
            on_behalf_of = raw
                .on_behalf_of
                .as_deref()
                .and_then(|p| f.id("on_behalf_of", p, PersonId::parse));
            let agreed_actions = plan(&mut f, &raw.agreed_actions);
            let outcome = match raw.outcome.as_deref() {
                Some("resolved") => {
                    f.text("summary", raw.summary.as_deref())
                        .map(|summary| Outcome::Resolved {
                            summary,
                            agreed_actions,
                        })
                }
                Some("not-resolved") => {
                    f.text("reasons", raw.reasons.as_deref())
                        .map(|reasons| Outcome::NotResolved {
                            reasons,
                            agreed_actions,
                        })
                }
                _ => {
                    f.problem("outcome", "is required: `resolved` or `not-resolved`");
                    None
                }
            };
            (version, outcome.map(Action::Respond))
        }
        ActionRoute::Submissions => {
            let raw: SubmissionBody = parse::body(headers, body)?;
            meeting_at = f.instant("meeting_at", raw.meeting_at.as_deref());
            shorter = f.timescale("shorter_timescale", raw.shorter_timescale.as_ref());
            (f.version(raw.version), Some(Action::Submit))
        }
        ActionRoute::Escalations => {
            let raw: EscalationBody = parse::body(headers, body)?;
            let version = f.version(raw.version);
            meeting_at = f.instant("meeting_at", raw.meeting_at.as_deref());
            contact = f.contact("contact", raw.contact.as_ref());
            let to = raw
                .to
                .as_deref()
                .and_then(|t| f.id("to", t, StageId::parse));
            let reasons = f.text("reasons", raw.reasons.as_deref());
            let tried = f.optional_text("tried", raw.tried.as_deref());
            let request = reasons.map(|reasons| EscalateRequest { to, reasons, tried });
            (version, request.map(Action::Escalate))
        }
        ActionRoute::Resolution => {
            let raw: ResolutionBody = parse::body(headers, body)?;
            let version = f.version(raw.version);
            let outcome = f.text("outcome", raw.outcome.as_deref());
            let lessons = f.text("lessons_learned", raw.lessons_learned.as_deref());
            on_behalf_of = raw
                .on_behalf_of
                .as_deref()
                .and_then(|p| f.id("on_behalf_of", p, PersonId::parse));
            let agreed_actions = plan(&mut f, &raw.agreed_actions);
            let request = outcome
                .zip(lessons)
                .map(|(outcome, lessons_learned)| ResolveRequest {
                    outcome,
                    lessons_learned,
                    agreed_actions,
                });
            (version, request.map(Action::Resolve))
        }
        ActionRoute::Withdrawal => {
            let raw: WithdrawalBody = parse::body(headers, body)?;
            let version = f.version(raw.version);
            let reason = f.text("reason", raw.reason.as_deref());
            (version, reason.map(|reason| Action::Withdraw { reason }))
        }
        ActionRoute::ActionCompletions => {
            let raw: ActionCompletionBody = parse::body(headers, body)?;
            let version = f.version(raw.version);
            let id = match raw.action.as_deref() {
                Some(a) => f.id("action", a, ActionId::parse),
                None => {
                    f.problem("action", "is required: the action's id, such as `a1`");
                    None
                }
            };
            (version, id.map(|id| Action::CompleteAction { id }))
        }
    };
    let stated = Stated {
        clock: ClockInput {
            meeting_at,
            shorter,
        },
        contact,
        on_behalf_of,
    };
    Ok((version, f.finish(action)?, stated))
}

/// An agreed plan from a body: every bad field named, by its place in the list.
fn plan(f: &mut Fields, raw: &[AgreedActionBody]) -> Vec<AgreedAction> {
    raw.iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let field = |name: &str| format!("agreed_actions[{i}].{name}");
            let what = f.text(&field("what"), a.what.as_deref());
            let owner_agency = match a.owner_agency.as_deref() {
                Some(agency) => f.id(&field("owner_agency"), agency, AgencyId::parse),
                None => {
                    f.problem(
                        &field("owner_agency"),
                        "is required: the agency that owns it",
                    );
                    None
                }
            };
            let owner_person = f.optional_text(&field("owner_person"), a.owner_person.as_deref());
            let by_when = f.required_date(&field("by_when"), a.by_when.as_deref());
            Some(AgreedAction {
                what: what?,
                owner_agency: Some(owner_agency?),
                owner_person,
                by_when: by_when?,
                done: None,
            })
        })
        .collect()
}

pub(crate) async fn list(
    app: &App,
    who: &Principal,
    query: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Result<Reply, ApiError> {
    let mut f = Fields::default();
    let scope = match query.get("scope").map(String::as_str) {
        None | Some("mine") => ScopeChoice::Mine,
        Some("agency") => ScopeChoice::Agency,
        Some("partnership") => ScopeChoice::Partnership,
        Some(other) => {
            f.problem(
                "scope",
                format!("`{other}` is not a scope: use mine, agency or partnership"),
            );
            ScopeChoice::Mine
        }
    };
    let status = match query.get("status").map(String::as_str) {
        None => None,
        Some("open") => Some(StatusKind::Open),
        Some("resolved") => Some(StatusKind::Resolved),
        Some("withdrawn") => Some(StatusKind::Withdrawn),
        Some(other) => {
            f.problem(
                "status",
                format!("`{other}` is not a status: use open, resolved or withdrawn"),
            );
            None
        }
    };
    let stage = query
        .get("stage")
        .and_then(|s| f.id("stage", s, StageId::parse));
    let procedure = query
        .get("procedure")
        .and_then(|s| f.id("procedure", s, ProcedureId::parse));
    let overdue = match query.get("overdue").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            f.problem("overdue", "use true or false");
            false
        }
    };
    let limit = match query.get("limit") {
        None => 50,
        Some(l) => match l.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
            _ => {
                f.problem("limit", format!("a whole number from 1 to {MAX_PAGE}"));
                50
            }
        },
    };
    let agency = query
        .get("agency")
        .and_then(|a| f.id("agency", a, AgencyId::parse));
    let raised_from = query.get("from").and_then(|d| f.date("from", d));
    let raised_to = query.get("to").and_then(|d| f.date("to", d));
    if let (Some(from), Some(to)) = (raised_from, raised_to)
        && to < from
    {
        f.problem("to", "comes before `from`");
    }
    let oldest_first = match query.get("order").map(String::as_str) {
        None | Some("newest") => false,
        Some("oldest") => true,
        Some(other) => {
            f.problem(
                "order",
                format!("`{other}` is not an order: use newest or oldest"),
            );
            false
        }
    };
    let query = f.finish(Some(ListQuery {
        scope,
        status,
        stage,
        procedure,
        overdue,
        agency,
        raised_from,
        raised_to,
        oldest_first,
        limit,
        cursor: query.get("cursor").map(|c| Cursor::from_string(c.clone())),
    }))?;
    let found = app.list(who, query, now).await?;
    Reply::ok(&CasePage {
        items: found.items,
        next: found.next.map(|c| c.as_str().to_owned()),
    })
}

/// `GET /api/overview`: the counts at the top of the chair's All cases.
pub(crate) async fn overview(
    app: &App,
    who: &Principal,
    now: DateTime<Utc>,
) -> Result<Reply, ApiError> {
    let o = app.overview(who, now).await?;
    Reply::ok(&Overview {
        open: o.open,
        overdue: o.overdue,
        resolved_this_quarter: o.resolved_this_quarter,
        quarter_from: o.quarter_from,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
