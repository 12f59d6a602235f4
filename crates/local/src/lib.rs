//! The local stack on one port: `/api/*` is the same handler code the Lambda functions run,
//! over the embedded store; `/signin` lists the demo users and issues locally signed tokens;
//! `/dev/clock` moves the stack's clock forward for demos and tests. None of this is in the
//! Lambda builds.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get};
use chrono::{DateTime, Utc};
use escalations_api::identity::Claims;
use escalations_api::{ApiError, App, LocalTokens, MAX_BODY_BYTES};
use escalations_core::Catalogue;
use escalations_store::{PartnershipConfig, Store};
use escalations_store_sqlite::SqliteStore;

/// Where the local stack keeps its data and how it starts.
pub struct Options {
    pub data_file: PathBuf,
    pub addr: SocketAddr,
}

#[derive(Clone)]
struct Local {
    app: App,
    tokens: LocalTokens,
    offset_seconds: Arc<AtomicI64>,
    partnerships: Arc<Vec<PartnershipConfig>>,
}

/// Builds the stack over a store at `data_file`, seeding the demo partnerships.
pub async fn stack(data_file: PathBuf) -> Result<Router, Box<dyn std::error::Error + Send + Sync>> {
    if let Some(dir) = data_file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let store = Arc::new(SqliteStore::open(data_file).await?);
    let partnerships = escalations_api::demo::partnerships();
    for config in &partnerships {
        store.put_partnership(config).await?;
    }
    let offset_seconds = Arc::new(AtomicI64::new(0));
    let offset = offset_seconds.clone();
    let clock =
        Arc::new(move || Utc::now() + chrono::Duration::seconds(offset.load(Ordering::SeqCst)));
    let store: Arc<dyn Store> = store;
    let local = Local {
        app: App::new(store, Catalogue::builtin()?, clock),
        // A fresh key per start: tokens never outlive the process that signed them.
        tokens: LocalTokens::new(uuid::Uuid::new_v4().as_bytes().to_vec()),
        offset_seconds,
        partnerships: Arc::new(partnerships),
    };
    Ok(Router::new()
        .route("/", get(home))
        .route("/signin", get(signin_page))
        .route("/dev/token", get(token))
        .route("/dev/clock", get(clock_now).post(advance_clock))
        .route("/api/{*rest}", any(api))
        .with_state(local))
}

/// Serves until interrupted.
pub async fn serve(options: Options) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let router = stack(options.data_file.clone()).await?;
    let listener = tokio::net::TcpListener::bind(options.addr).await?;
    let url = format!("http://{}", listener.local_addr()?);
    println!("Escalations local stack: {url}");
    println!("  data:    {}", options.data_file.display());
    println!(
        "  sign in: {url}/signin  (or: curl '{url}/dev/token?partnership=sefton&person=school-practitioner')"
    );
    println!("  API:     {url}/api/me with header 'Authorization: Bearer TOKEN'");
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn api(State(local): State<Local>, request: http::Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return reply(escalations_api::app::problem(&ApiError::TooLarge {
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
            .app
            .handle(http::Request::from_parts(parts, bytes), principal)
            .await,
    )
}

fn reply(response: escalations_api::app::Response) -> Response {
    response.map(Body::from)
}

async fn home() -> Html<&'static str> {
    Html(
        "<!doctype html><title>Escalations (local)</title><h1>Escalations — local stack</h1>\
         <p><a href=\"/signin\">Sign in as a demo user</a>. The web page arrives with the \
         frontend; meanwhile the API is at <code>/api</code>.</p>",
    )
}

async fn signin_page(State(local): State<Local>) -> Html<String> {
    let mut html = String::from(
        "<!doctype html><meta charset=utf-8><title>Sign in (demo)</title><h1>Demo users</h1>\
         <p>For demos and tests only: each link issues a token signed by this local stack.</p>",
    );
    for p in local.partnerships.iter() {
        html.push_str(&format!("<h2>{}</h2><ul>", escape(&p.name)));
        for person in &p.people {
            html.push_str(&format!(
                "<li><a href=\"/dev/token?partnership={}&amp;person={}\">{}</a> — {:?}, {}</li>",
                p.id,
                person.id,
                escape(&person.name),
                person.role,
                person.agency
            ));
        }
        html.push_str("</ul>");
    }
    Html(html)
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
    let found = q
        .get("partnership")
        .and_then(|p| local.partnerships.iter().find(|c| c.id.as_str() == p))
        .and_then(|p| {
            q.get("person")
                .and_then(|u| p.people.iter().find(|x| x.id.as_str() == u))
                .map(|u| (p, u))
        });
    let Some((partnership, person)) = found else {
        return reply(escalations_api::app::problem(&ApiError::field(
            "person",
            "no such demo user: see /signin",
        )));
    };
    let role = serde_json::to_value(person.role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let claims = Claims {
        sub: format!("{}/{}", partnership.id, person.id),
        email: Some(person.email.clone()),
        person: person.id.to_string(),
        partnership: partnership.id.to_string(),
        agency: person.agency.to_string(),
        role,
        exp: 0,
    };
    match local.tokens.issue(claims, Utc::now()) {
        Ok(token) => axum::Json(serde_json::json!({
            "token": token,
            "partnership": partnership.id,
            "person": person.id,
            "role": person.role,
            "agency": person.agency,
        }))
        .into_response(),
        Err(e) => reply(escalations_api::app::problem(&e)),
    }
}

fn now(local: &Local) -> DateTime<Utc> {
    local.app.now()
}

async fn clock_now(State(local): State<Local>) -> Response {
    axum::Json(serde_json::json!({ "now": now(&local), "offset_seconds": local.offset_seconds.load(Ordering::SeqCst) }))
        .into_response()
}

/// `POST /dev/clock?hours=N` (or `days=N`) moves the clock forward; it never goes back.
async fn advance_clock(
    State(local): State<Local>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let hours: Option<i64> = q.get("hours").and_then(|h| h.parse().ok());
    let days: Option<i64> = q.get("days").and_then(|d| d.parse().ok());
    let seconds = hours.map(|h| h * 3600).or(days.map(|d| d * 86_400));
    match seconds {
        Some(s) if (1..=366 * 86_400).contains(&s) => {
            local.offset_seconds.fetch_add(s, Ordering::SeqCst);
            clock_now(State(local)).await
        }
        _ => reply(escalations_api::app::problem(&ApiError::field(
            "hours",
            "give hours=N or days=N, forward only, at most a year",
        ))),
    }
}
