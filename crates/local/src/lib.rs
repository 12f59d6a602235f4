//! The local stack on one port: the web page from its built folder (`site`), `/api/*` the
//! same handler code the Lambda functions run, over the embedded store; `/dev/people` lists
//! the demo users and `/dev/token` issues locally signed tokens for them; `/dev/clock` moves
//! the stack's clock forward for demos and tests; notices go to an outbox folder
//! (`.local/outbox/`) — a person's action's own notices just after it is answered, since this
//! process keeps running — a sweep runs every 30 seconds, `POST /dev/sweep` runs one now and
//! `/dev/outbox` lists what was sent (both wait for the sends in flight). None of this is in
//! the Lambda builds.

pub mod site;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get, post};
use chrono::{Datelike, Utc};
use escalations_api::identity::Claims;
use escalations_api::{Api, ApiError, LocalTokens, MAX_BODY_BYTES};
pub use escalations_app::Sending;
use escalations_app::{MailSettings, SweepSummary};
use escalations_core::Catalogue;
use escalations_mail::EmailAddress;
use escalations_mail_outbox::Outbox;
use escalations_store::{PartnershipConfig, Store};
use escalations_store_sqlite::{SqliteStore, Writes};
use escalations_wire::{DemoToken, DevClock, DevMessage, DevOutbox};

/// Where the local stack keeps its data and how it starts.
pub struct Options {
    pub data_file: PathBuf,
    pub addr: SocketAddr,
    /// Where notices are written, one `.eml` file each.
    pub outbox: PathBuf,
    /// How often the sweep runs by itself (`None`: only through `POST /dev/sweep`).
    pub sweep_every: Option<std::time::Duration>,
    /// The built web page (`frontend/dist`).
    pub site: PathBuf,
}

/// The sender of the local stack's notices.
const FROM: &str = "notices@escalations.example.org";

/// How long a stopping local stack waits for the notices of the last actions.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// The most one sweep of the local stack takes before it leaves the rest for the next.
const SWEEP_BUDGET: std::time::Duration = std::time::Duration::from_secs(20);

#[derive(Clone)]
struct Local {
    api: Api,
    tokens: LocalTokens,
    offset_seconds: Arc<AtomicI64>,
    partnerships: Arc<Vec<PartnershipConfig>>,
    outbox: Arc<Outbox>,
}

/// Builds the stack over a store at `data_file`, seeding the demo partnerships; notices go to
/// `outbox` beside the data file; the page is the repository's built one, if any.
pub async fn stack(data_file: PathBuf) -> Result<Router, Box<dyn std::error::Error + Send + Sync>> {
    stack_writing(data_file, Writes::Grouped, Sending::AfterAnswering).await
}

/// The same stack, its store writing as `writes` says and the notices of a person's action
/// sent as `sending` says (the write-path benchmark compares the ways side by side).
pub async fn stack_writing(
    data_file: PathBuf,
    writes: Writes,
    sending: Sending,
) -> Result<Router, Box<dyn std::error::Error + Send + Sync>> {
    let outbox = data_file
        .parent()
        .map_or_else(|| PathBuf::from("outbox"), |dir| dir.join("outbox"));
    Ok(stack_with(
        data_file,
        outbox,
        "http://127.0.0.1:8080".to_owned(),
        site::default_dir(),
        writes,
        sending,
    )
    .await?
    .0)
}

/// The stack, and the app its sweeps run on: notices written to `outbox`, linking to pages
/// under `base_url`; the web page served from the folder `site`; changes written as `writes`
/// says and their notices sent as `sending` says (after answering: this process keeps
/// running).
pub async fn stack_with(
    data_file: PathBuf,
    outbox_dir: PathBuf,
    base_url: String,
    site: PathBuf,
    writes: Writes,
    sending: Sending,
) -> Result<(Router, Sweeper), Box<dyn std::error::Error + Send + Sync>> {
    if let Some(dir) = data_file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let store = Arc::new(SqliteStore::open_with(data_file, writes).await?);
    stack_over(store, outbox_dir, base_url, site, sending).await
}

/// The same stack over any store (the soak runs it over the DynamoDB adapter on moto too):
/// seeds the demo partnerships into `store` and builds the rest as `stack_with` does.
pub async fn stack_over(
    store: Arc<dyn Store>,
    outbox_dir: PathBuf,
    base_url: String,
    site: PathBuf,
    sending: Sending,
) -> Result<(Router, Sweeper), Box<dyn std::error::Error + Send + Sync>> {
    std::fs::create_dir_all(&outbox_dir)?;
    let partnerships = escalations_demo::partnerships();
    for config in &partnerships {
        store.put_partnership(config).await?;
    }
    let offset_seconds = Arc::new(AtomicI64::new(0));
    let offset = offset_seconds.clone();
    let clock =
        Arc::new(move || Utc::now() + chrono::Duration::seconds(offset.load(Ordering::SeqCst)));
    let outbox = Arc::new(Outbox::new(outbox_dir));
    let api_handler = Api::new(store, Catalogue::builtin()?, clock)
        .with_site(base_url.clone())
        .with_mail(MailSettings {
            mailer: outbox.clone(),
            from: EmailAddress::parse(FROM)?,
            base_url,
        })
        .sending(sending);
    let local = Local {
        api: api_handler,
        // A fresh key per start: tokens never outlive the process that signed them.
        tokens: LocalTokens::new(uuid::Uuid::new_v4().as_bytes().to_vec()),
        offset_seconds,
        partnerships: Arc::new(partnerships),
        outbox,
    };
    let sweeper = Sweeper {
        local: local.clone(),
    };
    let router = Router::new()
        .route("/config.json", get(site::config))
        .route("/dev/people", get(people))
        .route("/dev/token", get(token))
        .route("/dev/clock", get(clock_now).post(advance_clock))
        .route("/dev/sweep", post(sweep_now))
        .route("/dev/outbox", get(outbox_page))
        .route("/api/{*rest}", any(api))
        .with_state(local)
        .fallback_service(any(site::fallback).with_state(site::Site::new(site)))
        .layer(axum::middleware::map_response(site::security_headers));
    Ok((router, sweeper))
}

/// Runs the same sweep as the Lambda function, at the stack's (movable) clock.
#[derive(Clone)]
pub struct Sweeper {
    local: Local,
}

impl Sweeper {
    pub async fn sweep(&self) -> Result<SweepSummary, escalations_app::SweepError> {
        let now = self.local.api.now();
        self.local.api.app().sweep(now, SWEEP_BUDGET).await
    }

    /// Sweeps every `every` until the process ends; a failed sweep is logged and the next
    /// one tries again.
    pub async fn run_every(self, every: std::time::Duration) {
        let mut timer = tokio::time::interval(every);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            if let Err(error) = self.sweep().await {
                tracing::error!(error = %error, "sweep failed");
            }
        }
    }
}

/// Serves until interrupted.
pub async fn serve(options: Options) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let listener = tokio::net::TcpListener::bind(options.addr).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let (router, sweeper) = stack_with(
        options.data_file.clone(),
        options.outbox.clone(),
        url.clone(),
        options.site.clone(),
        Writes::default(),
        Sending::AfterAnswering,
    )
    .await?;
    let app = sweeper.local.api.app().clone();
    if let Some(every) = options.sweep_every {
        tokio::spawn(sweeper.run_every(every));
    }
    println!("Escalations local stack: {url}");
    println!("  page:    {url}  (built from {})", options.site.display());
    println!("  data:    {}", options.data_file.display());
    println!(
        "  sign in: {url}/signin  (or: curl '{url}/dev/token?partnership=sefton&person=school-practitioner')"
    );
    println!("  API:     {url}/api/me with header 'Authorization: Bearer TOKEN'");
    println!(
        "  mail:    {} (listed at {url}/dev/outbox; a sweep runs every {} s, or POST {url}/dev/sweep)",
        options.outbox.display(),
        options.sweep_every.map_or(0, |d| d.as_secs())
    );
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    // Notices being sent for the last actions finish; any still running after this are left
    // pending, and the next start's sweep sends them.
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, app.notices_settled()).await;
    Ok(())
}

async fn api(State(local): State<Local>, request: http::Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return reply(escalations_api::problem(&ApiError::TooLarge {
                limit: MAX_BODY_BYTES,
            }));
        }
    };
    let authorization = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok());
    // Tokens expire by the wall clock, whatever the demo clock says.
    let principal = local.tokens.principal(authorization, Utc::now());
    reply(
        local
            .api
            .handle(http::Request::from_parts(parts, bytes), principal)
            .await,
    )
}

fn reply(response: escalations_api::Response) -> Response {
    response.map(Body::from)
}

/// `GET /dev/people`: the demo users, by partnership, for the page's sign-in.
async fn people(State(local): State<Local>) -> Response {
    axum::Json(site::people(&stored_partnerships(&local).await)).into_response()
}

/// The demo partnerships as stored now: people an administrator added sign in at once, as a
/// Cognito user created with them would.
async fn stored_partnerships(local: &Local) -> Vec<PartnershipConfig> {
    let mut stored = Vec::new();
    for seeded in local.partnerships.iter() {
        match local.api.app().store().partnership(&seeded.id).await {
            Ok(Some(config)) => stored.push(config),
            _ => stored.push(seeded.clone()),
        }
    }
    stored
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

async fn token(
    State(local): State<Local>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let partnerships = stored_partnerships(&local).await;
    let found = q
        .get("partnership")
        .and_then(|p| partnerships.iter().find(|c| c.id.as_str() == p))
        .and_then(|p| {
            q.get("person")
                .and_then(|u| p.people.iter().find(|x| x.id.as_str() == u))
                .map(|u| (p, u))
        });
    let Some((partnership, person)) = found else {
        return reply(escalations_api::problem(&ApiError::field(
            "person",
            "no such demo user: see /dev/people",
        )));
    };
    let role = serde_json::to_value(person.role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let claims = Claims {
        sub: format!("{}/{}", partnership.id, person.id),
        email: Some(person.email.to_string()),
        person: person.id.to_string(),
        partnership: partnership.id.to_string(),
        agency: person.agency.to_string(),
        role,
        exp: 0,
    };
    match local.tokens.issue(claims, Utc::now()) {
        Ok(token) => axum::Json(DemoToken {
            token,
            partnership: partnership.id.clone(),
            person: person.id.clone(),
            role: person.role,
            agency: person.agency.clone(),
        })
        .into_response(),
        Err(e) => reply(escalations_api::problem(&e)),
    }
}

async fn clock_now(State(local): State<Local>) -> Response {
    axum::Json(DevClock {
        now: local.api.now(),
        offset_seconds: local.offset_seconds.load(Ordering::SeqCst),
    })
    .into_response()
}

/// `POST /dev/clock?hours=N` (or `days=N`, or `to=<RFC 3339 instant>`) moves the clock
/// forward; it never goes back.
async fn advance_clock(
    State(local): State<Local>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let step = match q.get("to") {
        Some(to) => to
            .parse::<chrono::DateTime<Utc>>()
            .ok()
            .filter(|to| to.year() < 2100)
            // Whole seconds, rounded up: the clock reads `to` or just after it, never before.
            .map(|to| {
                let step = to - local.api.now();
                step.num_seconds() + i64::from(step.subsec_nanos() > 0)
            })
            .filter(|s| *s > 0),
        None => forward_seconds(&q),
    };
    match step {
        Some(s) => {
            local.offset_seconds.fetch_add(s, Ordering::SeqCst);
            clock_now(State(local)).await
        }
        None => reply(escalations_api::problem(&ApiError::field(
            "hours",
            "give hours=N or days=N (at most a year), or to=an RFC 3339 instant before 2100: forward only",
        ))),
    }
}

/// `POST /dev/sweep`: one sweep now, at the stack's clock; answers its summary.
async fn sweep_now(State(local): State<Local>) -> Response {
    // The sends already started for people's actions finish first, so a sweep asked for on
    // purpose sees them done rather than held elsewhere. (The sweep on a timer does not wait:
    // under steady use the sends in flight may never all be done at once.)
    local.api.app().notices_settled().await;
    let sweeper = Sweeper { local };
    match sweeper.sweep().await {
        Ok(summary) => axum::Json(summary).into_response(),
        Err(error) => {
            tracing::error!(error = %error, "sweep failed");
            (
                http::StatusCode::SERVICE_UNAVAILABLE,
                "the sweep failed: see the log",
            )
                .into_response()
        }
    }
}

/// `GET /dev/outbox`: the sent messages with their text, oldest first — as a page, or as JSON
/// (`DevOutbox`) when asked with `Accept: application/json`.
async fn outbox_page(State(local): State<Local>, headers: http::HeaderMap) -> Response {
    // What people's actions so far are sending is shown, not half of it.
    local.api.app().notices_settled().await;
    let files = match local.outbox.messages() {
        Ok(files) => files,
        Err(error) => {
            tracing::error!(error = %error, "outbox unreadable");
            return (
                http::StatusCode::SERVICE_UNAVAILABLE,
                "the outbox cannot be read",
            )
                .into_response();
        }
    };
    let messages: Vec<DevMessage> = files
        .into_iter()
        .filter_map(|(file, bytes)| read_message(file, &bytes))
        .collect();
    let wants_json = headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        return axum::Json(DevOutbox { messages }).into_response();
    }
    let mut html = String::from(
        "<!doctype html><meta charset=utf-8><title>Outbox (local)</title><h1>Outbox</h1>\
         <p>What the local stack sent, oldest first. Move the clock with <code>POST /dev/clock</code> \
         and run a sweep with <code>POST /dev/sweep</code>.</p>",
    );
    if messages.is_empty() {
        html.push_str("<p>Nothing has been sent yet.</p>");
    }
    for m in &messages {
        html.push_str(&format!(
            "<article><h2>{}</h2><p>To: {}{}</p><p><small>{}</small></p><pre>{}</pre></article>",
            escape(&m.subject),
            escape(&m.to.join(", ")),
            if m.cc.is_empty() {
                String::new()
            } else {
                format!(" · Cc: {}", escape(&m.cc.join(", ")))
            },
            escape(&m.file),
            escape(&m.text)
        ));
    }
    Html(html).into_response()
}

fn read_message(file: String, bytes: &[u8]) -> Option<DevMessage> {
    let parsed = mail_parser::MessageParser::default().parse(bytes)?;
    let addresses = |list: Option<&mail_parser::Address<'_>>| -> Vec<String> {
        list.map(|a| {
            a.iter()
                .filter_map(|addr| addr.address().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
    };
    Some(DevMessage {
        file,
        from: addresses(parsed.from()).join(", "),
        to: addresses(parsed.to()),
        cc: addresses(parsed.cc()),
        subject: parsed.subject().unwrap_or_default().to_owned(),
        text: parsed.body_text(0).unwrap_or_default().into_owned(),
        html: parsed.body_html(0).unwrap_or_default().into_owned(),
    })
}

/// The most the demo clock moves in one step.
const MAX_STEP_SECONDS: i64 = 366 * 86_400;

/// `hours=N` or `days=N` as seconds: forward only, at most a year. Anything else (including a
/// number too large to multiply out) is `None`, and the clock is left alone.
fn forward_seconds(q: &std::collections::HashMap<String, String>) -> Option<i64> {
    let (value, unit) = match (q.get("hours"), q.get("days")) {
        (Some(h), _) => (h, 3600),
        (None, Some(d)) => (d, 86_400),
        (None, None) => return None,
    };
    let seconds = value.parse::<i64>().ok()?.checked_mul(unit)?;
    (1..=MAX_STEP_SECONDS).contains(&seconds).then_some(seconds)
}

#[cfg(test)]
mod tests {
    use super::forward_seconds;

    fn q(key: &str, value: &str) -> std::collections::HashMap<String, String> {
        [(key.to_owned(), value.to_owned())].into()
    }

    #[test]
    fn the_demo_clock_moves_forward_by_at_most_a_year_and_never_overflows() {
        assert_eq!(forward_seconds(&q("days", "3")), Some(3 * 86_400));
        assert_eq!(forward_seconds(&q("hours", "2")), Some(7200));
        assert_eq!(forward_seconds(&q("days", "366")), Some(366 * 86_400));
        for bad in [
            "0",
            "-1",
            "367",
            "106751991167300",
            "9223372036854775807",
            "x",
        ] {
            assert_eq!(forward_seconds(&q("days", bad)), None, "days={bad}");
        }
        assert_eq!(forward_seconds(&Default::default()), None);
    }
}
