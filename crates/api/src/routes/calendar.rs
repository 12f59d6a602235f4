//! Calendar feeds: `GET`/`POST`/`DELETE /api/me/calendar-feed` (the caller's own),
//! `GET /api/calendar/{token}.ics` (the feed itself: no bearer token, calendar apps cannot
//! send one — the token in the path is the credential) and `GET /api/cases/{id}/deadline.ics`
//! (one case's deadline, for a reader who may view it).

use chrono::{DateTime, Utc};
use escalations_app::App;
use escalations_core::access::Principal;
use escalations_core::ids::CaseId;
use escalations_wire::{CalendarFeedLink, CalendarFeedState};
use http::StatusCode;

use crate::problem::ApiError;
use crate::reply::Reply;

/// The path of a feed, for a token. Never logged.
pub(crate) fn feed_path(token: &str) -> String {
    format!("/api/calendar/{token}.ics")
}

/// What a log line says instead of a feed's path.
pub(crate) const FEED_PATH_REDACTED: &str = "/api/calendar/{token}.ics";

pub(crate) async fn state(app: &App, who: &Principal) -> Result<Reply, ApiError> {
    let feed = app.calendar_feed_of(who).await?;
    Reply::ok(&CalendarFeedState {
        active: feed.is_some(),
        created_at: feed.map(|f| f.created_at),
    })
}

pub(crate) async fn create(
    app: &App,
    who: &Principal,
    site: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Reply, ApiError> {
    let token = app.create_calendar_feed(who, now).await?;
    let path = feed_path(&token.expose());
    let url = match site {
        Some(site) => format!("{}{path}", site.trim_end_matches('/')),
        None => path,
    };
    Reply::json(
        StatusCode::CREATED,
        &CalendarFeedLink {
            url,
            created_at: now,
        },
    )
}

pub(crate) async fn revoke(app: &App, who: &Principal) -> Result<Reply, ApiError> {
    app.revoke_calendar_feed(who).await?;
    Ok(Reply::NoContent)
}

/// The feed behind `file` (`{token}.ics`), for whoever holds its URL.
pub(crate) async fn feed(
    app: &App,
    file: &str,
    site: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Reply, ApiError> {
    let token = file
        .strip_suffix(".ics")
        .ok_or(ApiError::NotFound("calendar feed"))?;
    let ics = app.calendar_feed(token, now, site).await?;
    Ok(Reply::Calendar {
        ics,
        filename: None,
    })
}

pub(crate) async fn case_deadline(
    app: &App,
    who: &Principal,
    id: &str,
    site: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Reply, ApiError> {
    let id = CaseId::parse(id).map_err(|_| ApiError::NotFound("case"))?;
    let ics = app.case_deadline(who, &id, now, site).await?;
    Ok(Reply::Calendar {
        ics,
        filename: Some(format!("case-{id}-deadline.ics")),
    })
}
