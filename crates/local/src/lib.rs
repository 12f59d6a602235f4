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
use chrono::Utc;
use escalations_api::identity::Claims;
use escalations_api::{Api, ApiError, LocalTokens, MAX_BODY_BYTES};
use escalations_core::Catalogue;
use escalations_store::{PartnershipConfig, Store};
use escalations_store_sqlite::SqliteStore;
use escalations_wire::{DemoToken, DevClock};

/// Where the local stack keeps its data and how it starts.
pub struct Options {
    pub data_file: PathBuf,
    pub addr: SocketAddr,
}

#[derive(Clone)]
struct Local {
    api: Api,
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
    let partnerships = escalations_demo::partnerships();
    for config in &partnerships {
        store.put_partnership(config).await?;
    }
    let offset_seconds = Arc::new(AtomicI64::new(0));
    let offset = offset_seconds.clone();
    let clock =
        Arc::new(move || Utc::now() + chrono::Duration::seconds(offset.load(Ordering::SeqCst)));
    let store: Arc<dyn Store> = store;
    let local = Local {
        api: Api::new(store, Catalogue::builtin()?, clock),
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
        return reply(escalations_api::problem(&ApiError::field(
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

/// `POST /dev/clock?hours=N` (or `days=N`) moves the clock forward; it never goes back.
async fn advance_clock(
    State(local): State<Local>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    match forward_seconds(&q) {
        Some(s) => {
            local.offset_seconds.fetch_add(s, Ordering::SeqCst);
            clock_now(State(local)).await
        }
        None => reply(escalations_api::problem(&ApiError::field(
            "hours",
            "give hours=N or days=N, forward only, at most a year",
        ))),
    }
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
