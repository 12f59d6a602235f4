//! `GET /api/queue`.

use chrono::{DateTime, Utc};
use escalations_app::App;
use escalations_core::access::Principal;
use escalations_wire::{Queue, QueueActions, QueueItem};

use crate::problem::ApiError;
use crate::reply::Reply;

pub(crate) async fn queue(
    app: &App,
    who: &Principal,
    now: DateTime<Utc>,
) -> Result<Reply, ApiError> {
    let work = app.queue(who, now).await?;
    let items = work
        .moves
        .into_iter()
        .map(|i| QueueItem {
            case: i.case,
            procedure: i.procedure,
            stage: i.stage,
            actions: i.actions,
            who: i.who,
            task: i.task,
            due: i.due,
            overdue: i.overdue,
            version: i.version,
        })
        .collect();
    let agreed_actions = work
        .actions
        .into_iter()
        .map(|a| QueueActions {
            case: a.case,
            procedure: a.procedure,
            status: a.status,
            due: a.due,
            overdue: a.overdue,
            version: a.version,
        })
        .collect();
    Reply::ok(&Queue {
        items,
        agreed_actions,
        now,
    })
}
