//! `GET /api/reports?from=&to=[&procedure=][&format=csv]`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use escalations_app::App;
use escalations_core::access::Principal;
use escalations_core::ids::ProcedureId;

use crate::parse::Fields;
use crate::problem::ApiError;
use crate::reply::Reply;

pub(crate) async fn report(
    app: &App,
    who: &Principal,
    query: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Result<Reply, ApiError> {
    // Who may run it is answered before what was asked is checked.
    who.may_run_report()?;
    let mut f = Fields::default();
    let from = f.required_date("from", query.get("from").map(String::as_str));
    let to = f.required_date("to", query.get("to").map(String::as_str));
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        f.problem("to", "comes before `from`");
    }
    let csv = match query.get("format").map(String::as_str) {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            f.problem("format", "use json or csv");
            false
        }
    };
    let procedure = query
        .get("procedure")
        .and_then(|p| f.id("procedure", p, ProcedureId::parse));
    let (from, to) = f.finish(from.zip(to))?;
    let report = app.report(who, from, to, procedure.as_ref(), now).await?;
    if csv {
        Ok(Reply::Csv(report.to_csv()))
    } else {
        Reply::ok(&report)
    }
}
