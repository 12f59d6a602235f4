//! `GET /api/me`, `GET /api/procedures`, `GET /api/procedures/{id}`.

use escalations_app::App;
use escalations_core::access::Principal;
use escalations_wire::{ProcedureList, ProcedureSummary};

use crate::problem::ApiError;
use crate::reply::Reply;

pub(crate) async fn me(
    app: &App,
    who: &Principal,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Reply, ApiError> {
    let me = app.me(who).await?;
    Reply::ok(&crate::wire::me(who, me, now))
}

pub(crate) async fn procedures(app: &App, who: &Principal) -> Result<Reply, ApiError> {
    let items = app
        .procedures(who)
        .await?
        .into_iter()
        .map(|p| ProcedureSummary {
            id: p.id.clone(),
            name: p.name.clone(),
            subject: p.subject,
        })
        .collect();
    Reply::ok(&ProcedureList { items })
}

/// A shipped procedure, whole: the same data the page's built-in catalogue holds.
pub(crate) fn procedure(app: &App, id: &str) -> Result<Reply, ApiError> {
    Reply::ok(app.procedure(id).ok_or(ApiError::NotFound("procedure"))?)
}
