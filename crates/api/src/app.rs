//! Routes and handlers. Every Lambda function and the local stack hand requests here.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use escalations_core::access::{ListScope, Principal};
use escalations_core::case::{
    AgreedAction, Case, Child, Concern, EscalateRequest, NextMove, Outcome, RaiseRequest,
    ResolveRequest, Transition,
};
use escalations_core::ids::{AgencyId, CaseId, LevelId, ProcedureId, ReasonId, StageId, Text};
use escalations_core::{Calendar, Catalogue, Procedure};
use escalations_store::{
    CaseFilter, Created, Cursor, Idempotency, IdempotencyKey, PageRequest, PartnershipConfig,
    Scope, StatusKind, Store,
};
use http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Digest;

use crate::problem::{ApiError, FieldError};

/// Every route, as `openapi.yaml` names it. A test checks the document, this list and the
/// router agree, and that template.yaml sends each route to a function.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/me"),
    ("GET", "/api/procedures"),
    ("GET", "/api/procedures/{id}"),
    ("GET", "/api/queue"),
    ("GET", "/api/cases"),
    ("POST", "/api/cases"),
    ("GET", "/api/cases/{id}"),
    ("POST", "/api/cases/{id}/responses"),
    ("POST", "/api/cases/{id}/submissions"),
    ("POST", "/api/cases/{id}/escalations"),
    ("POST", "/api/cases/{id}/resolution"),
    ("POST", "/api/cases/{id}/withdrawal"),
    ("GET", "/api/reports"),
];

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The shared application: storage, the procedures, and the clock.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    catalogue: Arc<Catalogue>,
    clock: Clock,
}

/// A JSON response.
pub type Response = http::Response<Bytes>;

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = http::Response::new(Bytes::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    forbid_caching(&mut response);
    response
}

/// Case data must not linger in browser or proxy caches: every API answer says so.
fn forbid_caching(response: &mut Response) {
    response.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
}

/// What a route answers with, before it becomes HTTP.
enum Reply {
    Json(StatusCode, Value),
    /// The report as a spreadsheet download.
    Csv(String),
}

impl Reply {
    fn into_response(self) -> Response {
        match self {
            Reply::Json(status, body) => json_response(status, &body),
            Reply::Csv(csv) => {
                let mut response = http::Response::new(Bytes::from(csv));
                response.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("text/csv; charset=utf-8"),
                );
                response.headers_mut().insert(
                    http::header::CONTENT_DISPOSITION,
                    http::HeaderValue::from_static(
                        "attachment; filename=\"escalations-report.csv\"",
                    ),
                );
                forbid_caching(&mut response);
                response
            }
        }
    }
}

/// Maps an error to its problem-details response, logging the cause of a 500.
pub fn problem(error: &ApiError) -> Response {
    if let ApiError::Internal(cause) = error {
        let mut chain = vec![cause.to_string()];
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push(s.to_string());
            source = s.source();
        }
        tracing::error!(cause = %chain.join(": "), "internal error");
    }
    let mut response = json_response(error.status(), &error.body());
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/problem+json"),
    );
    response
}

fn parse_body<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, ApiError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::TooLarge {
            limit: MAX_BODY_BYTES,
        });
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let field = if inner.is_syntax() || inner.is_eof() || path == "." {
            "body".to_owned()
        } else {
            path
        };
        ApiError::field(&field, inner.to_string())
    })
}

/// Collects every field problem of a request before answering.
#[derive(Default)]
struct Fields(Vec<FieldError>);

impl Fields {
    fn text(&mut self, field: &str, value: Option<&str>) -> Option<Text> {
        match value {
            None => {
                self.0.push(FieldError {
                    field: field.into(),
                    message: "is required".into(),
                });
                None
            }
            Some(v) => self.optional_text(field, Some(v)),
        }
    }

    fn optional_text(&mut self, field: &str, value: Option<&str>) -> Option<Text> {
        let v = value?;
        match Text::parse(v) {
            Ok(t) => Some(t),
            Err(e) => {
                self.0.push(FieldError {
                    field: field.into(),
                    message: e.to_string(),
                });
                None
            }
        }
    }

    fn id<T>(
        &mut self,
        field: &str,
        value: &str,
        parse: impl Fn(&str) -> Result<T, escalations_core::ids::InvalidId>,
    ) -> Option<T> {
        match parse(value) {
            Ok(id) => Some(id),
            Err(e) => {
                self.0.push(FieldError {
                    field: field.into(),
                    message: e.to_string(),
                });
                None
            }
        }
    }

    fn date(&mut self, field: &str, value: &str) -> Option<NaiveDate> {
        match value.parse() {
            Ok(d) => Some(d),
            Err(_) => {
                self.0.push(FieldError {
                    field: field.into(),
                    message: format!("`{value}` is not a date: write it like 2026-12-29"),
                });
                None
            }
        }
    }

    fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::BadRequest(self.0))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RaiseBody {
    procedure: Option<String>,
    receiving_agency: Option<String>,
    child: Option<ChildBody>,
    concern: Option<ConcernBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChildBody {
    name: Option<String>,
    date_of_birth: Option<String>,
    address: Option<String>,
    #[serde(default)]
    child_protection_plan: bool,
    #[serde(default)]
    in_care: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConcernBody {
    summary: Option<String>,
    #[serde(default)]
    reasons: Vec<String>,
    level_of_need: Option<String>,
    desired_outcome: Option<String>,
    tried: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseBody {
    version: Option<u64>,
    outcome: Option<String>,
    summary: Option<String>,
    reasons: Option<String>,
    #[serde(default)]
    agreed_actions: Vec<ActionBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionBody {
    what: Option<String>,
    by_whom: Option<String>,
    by_when: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionBody {
    version: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EscalateBody {
    version: Option<u64>,
    to: Option<String>,
    reasons: Option<String>,
    tried: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResolveBody {
    version: Option<u64>,
    outcome: Option<String>,
    lessons_learned: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WithdrawBody {
    version: Option<u64>,
    reason: Option<String>,
}

fn required_version(fields: &mut Fields, version: Option<u64>) -> u64 {
    match version {
        Some(v) => v,
        None => {
            fields.0.push(FieldError {
                field: "version".into(),
                message: "is required: send the version of the case you read".into(),
            });
            0
        }
    }
}

fn query_map(query: Option<&str>) -> HashMap<String, String> {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((decode_component(k)?, decode_component(v)?))
        })
        .collect()
}

fn decode_component(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

impl App {
    pub fn new(store: Arc<dyn Store>, catalogue: Catalogue, clock: Clock) -> Self {
        App {
            store,
            catalogue: Arc::new(catalogue),
            clock,
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Handles one request for an authenticated (or not) caller.
    pub async fn handle(
        &self,
        request: http::Request<Bytes>,
        principal: Result<Principal, ApiError>,
    ) -> Response {
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let result = match principal {
            Err(e) => Err(e),
            Ok(principal) => self.route(&principal, &request).await.inspect(|_| {
                tracing::info!(person = %principal.actor.person, partnership = %principal.partnership, %method, %path, "request");
            }),
        };
        match result {
            Ok(reply) => reply.into_response(),
            Err(error) => {
                tracing::info!(%method, %path, status = error.status().as_u16(), "refused");
                problem(&error)
            }
        }
    }

    async fn route(
        &self,
        who: &Principal,
        request: &http::Request<Bytes>,
    ) -> Result<Reply, ApiError> {
        let path = request.uri().path().trim_end_matches('/');
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let query = query_map(request.uri().query());
        let body = request.body();
        let ok = |v: Value| Ok(Reply::Json(StatusCode::OK, v));
        match (request.method(), segments.as_slice()) {
            (&Method::GET, ["api", "procedures"]) => ok(self.procedures(who).await?),
            (&Method::GET, ["api", "procedures", id]) => ok(self.procedure_json(id)?),
            (&Method::GET, ["api", "me"]) => ok(self.me(who).await?),
            (&Method::GET, ["api", "queue"]) => ok(self.queue(who).await?),
            (&Method::GET, ["api", "reports"]) => {
                return self.report(who, &query).await;
            }
            (&Method::GET, ["api", "cases"]) => ok(self.list(who, &query).await?),
            (&Method::POST, ["api", "cases"]) => {
                let key = request
                    .headers()
                    .get("idempotency-key")
                    .map(|v| v.to_str().unwrap_or_default().to_owned());
                let (status, created) = self.raise(who, body, key).await?;
                Ok(Reply::Json(status, created))
            }
            (&Method::GET, ["api", "cases", id]) => ok(self.case_view(who, id).await?),
            (&Method::POST, ["api", "cases", id, action]) => {
                ok(self.act(who, id, action, body).await?)
            }
            _ => Err(ApiError::NoRoute {
                method: request.method().to_string(),
                path: path.to_owned(),
            }),
        }
    }

    fn procedure(&self, id: &str) -> Result<&Procedure, ApiError> {
        self.catalogue
            .get(id)
            .ok_or(ApiError::NotFound("procedure"))
    }

    fn procedure_json(&self, id: &str) -> Result<Value, ApiError> {
        serde_json::to_value(self.procedure(id)?).map_err(|e| ApiError::Internal(Box::new(e)))
    }

    async fn config(&self, who: &Principal) -> Result<PartnershipConfig, ApiError> {
        self.store
            .partnership(&who.partnership)
            .await?
            .ok_or_else(|| {
                ApiError::Forbidden(
                    "your partnership is not set up yet: ask its administrator".into(),
                )
            })
    }

    fn calendar(config: &PartnershipConfig) -> Calendar {
        Calendar::new(config.division).with_closure_days(config.closure_days.iter().copied())
    }

    async fn procedures(&self, who: &Principal) -> Result<Value, ApiError> {
        let config = self.config(who).await?;
        let items: Vec<Value> = config
            .procedures
            .iter()
            .filter_map(|id| self.catalogue.get(id.as_str()))
            .map(|p| json!({ "id": p.id, "name": p.name, "subject": p.subject }))
            .collect();
        Ok(json!({ "items": items }))
    }

    async fn me(&self, who: &Principal) -> Result<Value, ApiError> {
        let config = self.config(who).await?;
        let person = config.people.iter().find(|p| p.id == who.actor.person);
        Ok(json!({
            "person": who.actor.person,
            "name": person.map(|p| p.name.clone()),
            "agency": who.actor.agency,
            "role": who.actor.role,
            "partnership": { "id": config.id, "name": config.name },
        }))
    }

    async fn raise(
        &self,
        who: &Principal,
        body: &Bytes,
        key: Option<String>,
    ) -> Result<(StatusCode, Value), ApiError> {
        who.may_raise(&who.partnership)?;
        let raw: RaiseBody = parse_body(body)?;
        let mut f = Fields::default();
        let idempotency = match key {
            None => None,
            Some(k) => match IdempotencyKey::parse(&k) {
                Ok(key) => Some(Idempotency {
                    key,
                    fingerprint: hex(&sha2::Sha256::digest(body)),
                }),
                Err(e) => {
                    f.0.push(FieldError {
                        field: "Idempotency-Key".into(),
                        message: e.to_string(),
                    });
                    None
                }
            },
        };
        let procedure_id = raw
            .procedure
            .as_deref()
            .map(|p| f.id("procedure", p, ProcedureId::parse))
            .unwrap_or_else(|| {
                f.0.push(FieldError {
                    field: "procedure".into(),
                    message: "is required".into(),
                });
                None
            });
        let receiving = raw
            .receiving_agency
            .as_deref()
            .and_then(|a| f.id("receiving_agency", a, AgencyId::parse));
        let child = raw.child.as_ref().map(|c| {
            let name = f.text("child.name", c.name.as_deref());
            let dob = c
                .date_of_birth
                .as_deref()
                .and_then(|d| f.date("child.date_of_birth", d));
            let address = f.optional_text("child.address", c.address.as_deref());
            (name, dob, address, c.child_protection_plan, c.in_care)
        });
        let concern = match &raw.concern {
            None => {
                f.0.push(FieldError {
                    field: "concern".into(),
                    message: "is required".into(),
                });
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
                let level = c
                    .level_of_need
                    .as_deref()
                    .and_then(|l| f.id("concern.level_of_need", l, LevelId::parse));
                let desired =
                    f.optional_text("concern.desired_outcome", c.desired_outcome.as_deref());
                let tried = f.optional_text("concern.tried", c.tried.as_deref());
                summary.map(|summary| Concern {
                    summary,
                    reasons,
                    level_of_need: level,
                    desired_outcome: desired,
                    tried,
                })
            }
        };
        let config = self.config(who).await?;
        if let Some(id) = &procedure_id
            && !config.procedures.contains(id)
        {
            f.0.push(FieldError {
                field: "procedure".into(),
                message: format!(
                    "`{id}` is not a procedure your partnership uses: choose from {}",
                    config
                        .procedures
                        .iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        if let Some(agency) = &receiving
            && !config.agencies.iter().any(|a| &a.id == agency)
        {
            f.0.push(FieldError {
                field: "receiving_agency".into(),
                message: format!("`{agency}` is not an agency of your partnership"),
            });
        }
        f.finish()?;
        let (Some(procedure_id), Some(concern)) = (procedure_id, concern) else {
            return Err(ApiError::field("body", "incomplete"));
        };
        let child = match child {
            None => None,
            Some((Some(name), date_of_birth, address, child_protection_plan, in_care)) => {
                Some(Child {
                    name,
                    date_of_birth,
                    address,
                    child_protection_plan,
                    in_care,
                })
            }
            Some((None, ..)) => return Err(ApiError::field("child.name", "is required")),
        };
        let procedure = self.procedure(procedure_id.as_str())?;
        let id = CaseId::parse(&uuid::Uuid::new_v4().to_string())
            .map_err(|e| ApiError::Internal(Box::new(e)))?;
        let raised = Case::raise(
            id,
            procedure,
            &Self::calendar(&config),
            &who.actor,
            RaiseRequest {
                receiving_agency: receiving,
                child,
                concern,
            },
            self.now(),
        )?;
        let created = self
            .store
            .create_case(&who.partnership, &raised, idempotency.as_ref())
            .await?;
        let status = match created {
            Created::New(_) => StatusCode::CREATED,
            Created::Replayed(_) => StatusCode::OK,
        };
        tracing::info!(case = %created.case().id, person = %who.actor.person, "case raised");
        Ok((status, self.view(who, created.case()).await?))
    }

    async fn load(&self, who: &Principal, id: &str) -> Result<Case, ApiError> {
        let id = CaseId::parse(id).map_err(|_| ApiError::NotFound("case"))?;
        let case = self
            .store
            .load_case(&who.partnership, &id)
            .await?
            .ok_or(ApiError::NotFound("case"))?;
        who.may_view_case(&who.partnership, &case)?;
        Ok(case)
    }

    async fn case_view(&self, who: &Principal, id: &str) -> Result<Value, ApiError> {
        let case = self.load(who, id).await?;
        // Every read of a case is attributable.
        tracing::info!(case = %case.id, person = %who.actor.person, "case read");
        self.view(who, &case).await
    }

    async fn view(&self, who: &Principal, case: &Case) -> Result<Value, ApiError> {
        let procedure = self.procedure(case.procedure.as_str())?;
        let chronology = self.store.chronology(&who.partnership, &case.id).await?;
        let now = self.now();
        let clocks: Vec<Value> = case
            .clocks
            .iter()
            .map(|c| json!({ "run": c, "state": c.state(now) }))
            .collect();
        let stage = procedure.stage(case.stage.as_str());
        Ok(json!({
            "case": case,
            "next_move": case.next_move(procedure),
            "your_sides": case.parties_of(&who.actor),
            "clocks": clocks,
            "inform": stage.map(|s| case.to_inform(s)).unwrap_or_default(),
            "chronology": chronology,
            "now": now,
        }))
    }

    async fn act(
        &self,
        who: &Principal,
        id: &str,
        action: &str,
        body: &Bytes,
    ) -> Result<Value, ApiError> {
        if !matches!(
            action,
            "responses" | "submissions" | "escalations" | "resolution" | "withdrawal"
        ) {
            return Err(ApiError::NoRoute {
                method: "POST".into(),
                path: format!("/api/cases/{id}/{action}"),
            });
        }
        if body.len() > MAX_BODY_BYTES {
            return Err(ApiError::TooLarge {
                limit: MAX_BODY_BYTES,
            });
        }
        let case = self.load(who, id).await?;
        let procedure = self.procedure(case.procedure.as_str())?;
        let config = self.config(who).await?;
        let calendar = Self::calendar(&config);
        let now = self.now();
        let mut f = Fields::default();
        let (version, transition): (u64, Option<Result<Transition, ApiError>>) = match action {
            "responses" => {
                let raw: ResponseBody = parse_body(body)?;
                let version = required_version(&mut f, raw.version);
                let outcome = match raw.outcome.as_deref() {
                    Some("resolved") => f
                        .text("summary", raw.summary.as_deref())
                        .map(|summary| Outcome::Resolved { summary }),
                    Some("not-resolved") => {
                        let reasons = f.text("reasons", raw.reasons.as_deref());
                        let actions: Vec<AgreedAction> = raw
                            .agreed_actions
                            .iter()
                            .enumerate()
                            .filter_map(|(i, a)| {
                                let what =
                                    f.text(&format!("agreed_actions[{i}].what"), a.what.as_deref());
                                let by_whom = f.text(
                                    &format!("agreed_actions[{i}].by_whom"),
                                    a.by_whom.as_deref(),
                                );
                                let by_when = match a.by_when.as_deref() {
                                    Some(d) => f.date(&format!("agreed_actions[{i}].by_when"), d),
                                    None => {
                                        f.0.push(FieldError {
                                            field: format!("agreed_actions[{i}].by_when"),
                                            message: "is required".into(),
                                        });
                                        None
                                    }
                                };
                                Some(AgreedAction {
                                    what: what?,
                                    by_whom: by_whom?,
                                    by_when: by_when?,
                                })
                            })
                            .collect();
                        reasons.map(|reasons| Outcome::NotResolved {
                            reasons,
                            agreed_actions: actions,
                        })
                    }
                    _ => {
                        f.0.push(FieldError {
                            field: "outcome".into(),
                            message: "is required: `resolved` or `not-resolved`".into(),
                        });
                        None
                    }
                };
                (
                    version,
                    outcome.map(|o| {
                        case.respond(procedure, &calendar, &who.actor, o, now)
                            .map_err(Into::into)
                    }),
                )
            }
            "submissions" => {
                let raw: VersionBody = parse_body(body)?;
                let version = required_version(&mut f, raw.version);
                (
                    version,
                    Some(
                        case.submit(procedure, &calendar, &who.actor, now)
                            .map_err(Into::into),
                    ),
                )
            }
            "escalations" => {
                let raw: EscalateBody = parse_body(body)?;
                let version = required_version(&mut f, raw.version);
                let to = raw
                    .to
                    .as_deref()
                    .and_then(|t| f.id("to", t, StageId::parse));
                let reasons = f.text("reasons", raw.reasons.as_deref());
                let tried = f.optional_text("tried", raw.tried.as_deref());
                (
                    version,
                    reasons.map(|reasons| {
                        case.escalate(
                            procedure,
                            &calendar,
                            &who.actor,
                            EscalateRequest { to, reasons, tried },
                            now,
                        )
                        .map_err(Into::into)
                    }),
                )
            }
            "resolution" => {
                let raw: ResolveBody = parse_body(body)?;
                let version = required_version(&mut f, raw.version);
                let outcome = f.text("outcome", raw.outcome.as_deref());
                let lessons = f.text("lessons_learned", raw.lessons_learned.as_deref());
                (
                    version,
                    outcome.zip(lessons).map(|(outcome, lessons_learned)| {
                        case.resolve(
                            procedure,
                            &who.actor,
                            ResolveRequest {
                                outcome,
                                lessons_learned,
                            },
                            now,
                        )
                        .map_err(Into::into)
                    }),
                )
            }
            _ => {
                let raw: WithdrawBody = parse_body(body)?;
                let version = required_version(&mut f, raw.version);
                let reason = f.text("reason", raw.reason.as_deref());
                (
                    version,
                    reason.map(|r| {
                        case.withdraw(procedure, &who.actor, r, now)
                            .map_err(Into::into)
                    }),
                )
            }
        };
        f.finish()?;
        if version != case.version {
            return Err(ApiError::Conflict(format!(
                "you read version {version}, but the case is now at version {}: reload it and try again",
                case.version
            )));
        }
        let transition = transition.ok_or_else(|| ApiError::field("body", "incomplete"))??;
        self.store.apply(&who.partnership, &transition).await?;
        tracing::info!(case = %case.id, person = %who.actor.person, action, version = transition.case.version, "case changed");
        self.view(who, &transition.case).await
    }

    fn scope(who: &Principal, query: &HashMap<String, String>) -> Result<Scope, ApiError> {
        let scope = match query.get("scope").map(String::as_str) {
            None | Some("mine") => ListScope::Person(who.actor.person.clone()),
            Some("agency") => ListScope::Agency(who.actor.agency.clone()),
            Some("partnership") => ListScope::Partnership,
            Some(other) => {
                return Err(ApiError::field(
                    "scope",
                    format!("`{other}` is not a scope: use mine, agency or partnership"),
                ));
            }
        };
        who.may_list(&who.partnership, &scope)?;
        Ok(match scope {
            ListScope::Partnership => Scope::Partnership,
            ListScope::Agency(a) => Scope::Agency(a),
            ListScope::Person(p) => Scope::Person(p),
        })
    }

    async fn list(
        &self,
        who: &Principal,
        query: &HashMap<String, String>,
    ) -> Result<Value, ApiError> {
        let scope = Self::scope(who, query)?;
        let mut f = Fields::default();
        let status = match query.get("status").map(String::as_str) {
            None => None,
            Some("open") => Some(StatusKind::Open),
            Some("resolved") => Some(StatusKind::Resolved),
            Some("withdrawn") => Some(StatusKind::Withdrawn),
            Some(other) => {
                f.0.push(FieldError {
                    field: "status".into(),
                    message: format!("`{other}` is not a status: use open, resolved or withdrawn"),
                });
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
            None | Some("false") => None,
            Some("true") => Some(self.now()),
            Some(_) => {
                f.0.push(FieldError {
                    field: "overdue".into(),
                    message: "use true or false".into(),
                });
                None
            }
        };
        let limit = match query.get("limit") {
            None => 50,
            Some(l) => l.parse().unwrap_or_else(|_| {
                f.0.push(FieldError {
                    field: "limit".into(),
                    message: "a whole number from 1 to 200".into(),
                });
                50
            }),
        };
        f.finish()?;
        let filter = CaseFilter {
            status,
            stage,
            procedure,
            overdue_at: overdue,
        };
        let page = PageRequest::new(
            limit,
            query.get("cursor").map(|c| Cursor::from_string(c.clone())),
        );
        let found = self
            .store
            .list_cases(&who.partnership, &scope, &filter, &page)
            .await?;
        Ok(json!({ "items": found.items, "next": found.next }))
    }

    /// What the caller must act on, and by when: open cases in their view whose next move
    /// is on their side, earliest due first.
    async fn queue(&self, who: &Principal) -> Result<Value, ApiError> {
        let scope = match who.actor.role {
            escalations_core::case::Role::Chair => Scope::Partnership,
            _ => Scope::Agency(who.actor.agency.clone()),
        };
        let filter = CaseFilter {
            status: Some(StatusKind::Open),
            ..CaseFilter::default()
        };
        let mut page = PageRequest::first(200);
        let mut items = Vec::new();
        let now = self.now();
        loop {
            let found = self
                .store
                .list_cases(&who.partnership, &scope, &filter, &page)
                .await?;
            for summary in found.items {
                let Ok(procedure) = self.procedure(summary.procedure.as_str()) else {
                    continue;
                };
                let parties = who
                    .actor
                    .parties_in(&summary.raising_agency, summary.receiving_agency.as_ref());
                // A running clock on the list entry says whose move it is; only a case with
                // no clock running, where the caller may be the side to move, is read whole.
                let next = match &summary.running {
                    Some(run) => NextMove::while_clock_runs(
                        procedure, &run.stage, &run.clock, run.owner, run.due,
                    ),
                    None if NextMove::parties_without_clock(procedure, &summary.stage)
                        .iter()
                        .any(|p| parties.contains(p)) =>
                    {
                        self.store
                            .load_case(&who.partnership, &summary.id)
                            .await?
                            .and_then(|case| case.next_move(procedure))
                    }
                    None => None,
                };
                if let Some(next) = next
                    && parties.contains(&next.party)
                {
                    items.push(json!({
                        "case": summary.id,
                        "procedure": summary.procedure,
                        "stage": next.stage,
                        "actions": next.actions,
                        "who": next.who,
                        "task": next.task,
                        "due": next.due,
                        "overdue": next.due.is_some_and(|d| now >= d),
                        "version": summary.version,
                    }));
                }
            }
            match found.next {
                Some(next) => page = PageRequest::new(200, Some(next)),
                None => break,
            }
        }
        items.sort_by_key(|i| {
            i["due"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| "~".into())
        });
        Ok(json!({ "items": items, "now": now }))
    }
}

impl App {
    /// The quality-assurance report as JSON, or with `format=csv` as a CSV download.
    async fn report(
        &self,
        who: &Principal,
        query: &HashMap<String, String>,
    ) -> Result<Reply, ApiError> {
        who.may_run_report(&who.partnership)?;
        let mut f = Fields::default();
        let from = match query.get("from") {
            Some(d) => f.date("from", d),
            None => {
                f.0.push(FieldError {
                    field: "from".into(),
                    message: "is required (YYYY-MM-DD)".into(),
                });
                None
            }
        };
        let to = match query.get("to") {
            Some(d) => f.date("to", d),
            None => {
                f.0.push(FieldError {
                    field: "to".into(),
                    message: "is required (YYYY-MM-DD)".into(),
                });
                None
            }
        };
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            f.0.push(FieldError {
                field: "to".into(),
                message: "comes before `from`".into(),
            });
        }
        let format = query.get("format").map(String::as_str).unwrap_or("json");
        if !matches!(format, "json" | "csv") {
            f.0.push(FieldError {
                field: "format".into(),
                message: "use json or csv".into(),
            });
        }
        f.finish()?;
        let (Some(from), Some(to)) = (from, to) else {
            return Err(ApiError::field("from", "is required"));
        };
        let mut cases = Vec::new();
        let mut page = PageRequest::first(200);
        loop {
            let found = self
                .store
                .list_cases(
                    &who.partnership,
                    &Scope::Partnership,
                    &CaseFilter::default(),
                    &page,
                )
                .await?;
            for summary in found.items {
                if let Some(case) = self.store.load_case(&who.partnership, &summary.id).await? {
                    cases.push(case);
                }
            }
            match found.next {
                Some(next) => page = PageRequest::new(200, Some(next)),
                None => break,
            }
        }
        let report =
            escalations_core::report::report(&cases, &self.catalogue, from, to, self.now());
        tracing::info!(person = %who.actor.person, cases = report.cases, "report run");
        if format == "csv" {
            Ok(Reply::Csv(report.to_csv()))
        } else {
            let body =
                serde_json::to_value(&report).map_err(|e| ApiError::Internal(Box::new(e)))?;
            Ok(Reply::Json(StatusCode::OK, body))
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
