//! `/api/admin`: the partnership's set-up, for its administrators — read it with its version
//! and latest changes, preview what a closure day would move, make one change.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use escalations_app::{Administration, App, MovedDeadline};
use escalations_core::access::Principal;
use escalations_core::calendar::Division;
use escalations_core::config_edit::ConfigEdit;
use escalations_core::ids::{AgencyId, MailboxId, PersonId};
use escalations_core::notices::NoticeSettings;
use escalations_core::partnership::{Agency, EmailAddress, Person, Retention};
use escalations_store::{ConfigChange, ConfigVersion};
use escalations_wire::{
    AdminView, AgencyBody, ClosureDayPreview, ConfigChangeBody, ConfigChangeView, ConfigChanged,
    MovedDeadlineView, NoticesBody, PersonBody,
};
use http::HeaderMap;
use serde::de::DeserializeOwned;

use crate::parse::{self, Fields};
use crate::problem::ApiError;
use crate::reply::Reply;

/// `GET /api/admin`.
pub(crate) async fn read(app: &App, who: &Principal) -> Result<Reply, ApiError> {
    Reply::ok(&view(app.administration(who).await?))
}

/// `GET /api/admin/closure-days/preview?date=2026-12-29[&remove=true]`.
pub(crate) async fn preview(
    app: &App,
    who: &Principal,
    query: &std::collections::HashMap<String, String>,
) -> Result<Reply, ApiError> {
    who.may_administer()?;
    let mut f = Fields::default();
    let date = f.required_date("date", query.get("date").map(String::as_str));
    let remove = match query.get("remove").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            f.problem("remove", format!("`{other}` is not true or false"));
            false
        }
    };
    let date = f.finish(date)?;
    let edit = if remove {
        ConfigEdit::RemoveClosureDay(date)
    } else {
        ConfigEdit::AddClosureDay(date)
    };
    let moves = app.preview_edit(who, &edit).await?;
    Reply::ok(&ClosureDayPreview {
        date,
        remove,
        moves: moves.into_iter().map(moved).collect(),
    })
}

/// `POST /api/admin/changes`.
pub(crate) async fn change(
    app: &App,
    who: &Principal,
    headers: &HeaderMap,
    body: &Bytes,
    now: DateTime<Utc>,
) -> Result<Reply, ApiError> {
    // Who may administer is answered before what they sent is checked.
    who.may_administer()?;
    let raw: ConfigChangeBody = parse::body(headers, body)?;
    let mut f = Fields::default();
    let version = raw.version.unwrap_or_else(|| {
        f.problem(
            "version",
            "is required: send the version of the set-up you read",
        );
        0
    });
    let edit = edit(&mut f, &raw);
    let edit = f.finish(edit)?;
    let changed = app
        .change_configuration(who, ConfigVersion(version), &edit, now)
        .await?;
    Reply::ok(&ConfigChanged {
        admin: view(changed.administration),
        change: change_view(changed.change),
        moved: changed.moved.into_iter().map(moved).collect(),
    })
}

const CHANGES: &str = "add-closure-day, remove-closure-day, add-agency, edit-agency, \
    remove-agency, add-person, edit-person, remove-person, set-mailbox, set-division, \
    set-notices, set-retention or clear-retention";

/// The typed edit a body names, every bad field recorded in `f`. Every part sent is checked,
/// whether or not the change uses it, so the API is as strict as its document.
fn edit(f: &mut Fields, raw: &ConfigChangeBody) -> Option<ConfigEdit> {
    let date = raw.date.as_deref().and_then(|d| f.date("date", d));
    let id = raw.id.as_deref();
    let agency = raw.agency.as_ref().and_then(|a| agency(f, a));
    let person = raw.person.as_ref().and_then(|p| person(f, p));
    let mailbox = raw
        .mailbox
        .as_deref()
        .and_then(|m| f.id("mailbox", m, MailboxId::parse));
    let address = raw.address.as_deref().and_then(|a| email(f, "address", a));
    let division = raw.division.as_deref().and_then(|d| {
        choice::<Division>(
            f,
            "division",
            Some(d),
            "england-and-wales, scotland or northern-ireland",
        )
    });
    let notices = raw.notices.as_ref().and_then(|n| notices(f, n));
    let retention = raw.closed_cases_kept_for_years.and_then(|years| {
        let years = u32::try_from(years).unwrap_or(u32::MAX);
        Retention::years(years)
            .map_err(|e| f.problem("closed_cases_kept_for_years", e.to_string()))
            .ok()
    });
    // A part sent but refused above fails the whole change.
    let refused = (raw.date.is_some() && date.is_none())
        || (raw.agency.is_some() && agency.is_none())
        || (raw.person.is_some() && person.is_none())
        || (raw.mailbox.is_some() && mailbox.is_none())
        || (raw.address.is_some() && address.is_none())
        || (raw.division.is_some() && division.is_none())
        || (raw.notices.is_some() && notices.is_none())
        || (raw.closed_cases_kept_for_years.is_some() && retention.is_none())
        || (!matches!(
            raw.change.as_deref(),
            Some("remove-agency" | "remove-person")
        ) && id.is_some_and(|i| f.id("id", i, AgencyId::parse).is_none()));
    let Some(change) = raw.change.as_deref() else {
        f.problem("change", format!("is required: one of {CHANGES}"));
        return None;
    };
    let edit = match change {
        "add-closure-day" | "remove-closure-day" => {
            required(f, change, "date", raw.date.is_some());
            let date = date?;
            if change == "add-closure-day" {
                ConfigEdit::AddClosureDay(date)
            } else {
                ConfigEdit::RemoveClosureDay(date)
            }
        }
        "add-agency" | "edit-agency" => {
            required(f, change, "agency", raw.agency.is_some());
            let agency = agency?;
            if change == "add-agency" {
                ConfigEdit::AddAgency(agency)
            } else {
                ConfigEdit::EditAgency(agency)
            }
        }
        "add-person" | "edit-person" => {
            required(f, change, "person", raw.person.is_some());
            let person = person?;
            if change == "add-person" {
                ConfigEdit::AddPerson(person)
            } else {
                ConfigEdit::EditPerson(person)
            }
        }
        "remove-agency" => ConfigEdit::RemoveAgency(f.required_id("id", id, AgencyId::parse)?),
        "remove-person" => ConfigEdit::RemovePerson(f.required_id("id", id, PersonId::parse)?),
        "set-mailbox" => {
            required(f, change, "mailbox", raw.mailbox.is_some());
            if raw.address.is_some() && address.is_none() {
                return None;
            }
            ConfigEdit::SetMailbox {
                mailbox: mailbox?,
                address,
            }
        }
        "set-division" => {
            required(f, change, "division", raw.division.is_some());
            ConfigEdit::SetDivision(division?)
        }
        "set-notices" => {
            required(f, change, "notices", raw.notices.is_some());
            ConfigEdit::SetNotices(notices?)
        }
        "set-retention" => {
            required(
                f,
                change,
                "closed_cases_kept_for_years",
                raw.closed_cases_kept_for_years.is_some(),
            );
            ConfigEdit::SetRetention(Some(retention?))
        }
        "clear-retention" => ConfigEdit::SetRetention(None),
        other => {
            f.problem(
                "change",
                format!("`{other}` is not a change: use one of {CHANGES}"),
            );
            return None;
        }
    };
    (!refused).then_some(edit)
}

fn required(f: &mut Fields, change: &str, field: &str, present: bool) {
    if !present {
        f.problem(field, format!("is required to {change}"));
    }
}

/// Notice settings, every absent part its default, checked by the core's own rules (the path
/// a configuration file takes).
fn notices(f: &mut Fields, raw: &NoticesBody) -> Option<NoticeSettings> {
    let d = NoticeSettings::default();
    let json = serde_json::json!({
        "working_hours": raw.working_hours.clone().unwrap_or_else(|| d.working_hours.to_string()),
        "reminder_percent": raw.reminder_percent.unwrap_or(u32::from(d.reminder_percent)),
        "unanswered_after_working_days": raw
            .unanswered_after_working_days
            .unwrap_or(d.unanswered_after_working_days),
    });
    match serde_json::from_value::<NoticeSettings>(json) {
        Ok(settings) => Some(settings),
        Err(e) => {
            f.problem("notices", e.to_string());
            None
        }
    }
}

fn email(f: &mut Fields, field: &str, value: &str) -> Option<EmailAddress> {
    match EmailAddress::parse(value.trim()) {
        Ok(email) => Some(email),
        Err(e) => {
            f.problem(field, e.to_string());
            None
        }
    }
}

/// One of an enumeration, spelt as files spell it.
fn choice<T: DeserializeOwned>(
    f: &mut Fields,
    field: &str,
    value: Option<&str>,
    options: &str,
) -> Option<T> {
    let Some(value) = value else {
        f.problem(field, format!("is required: {options}"));
        return None;
    };
    match serde_json::from_value(serde_json::Value::String(value.to_owned())) {
        Ok(v) => Some(v),
        Err(_) => {
            f.problem(field, format!("`{value}` is not one of {options}"));
            None
        }
    }
}

fn agency(f: &mut Fields, raw: &AgencyBody) -> Option<Agency> {
    let id = f.required_id("agency.id", raw.id.as_deref(), AgencyId::parse);
    let name = f.text("agency.name", raw.name.as_deref());
    let kind = choice(
        f,
        "agency.kind",
        raw.kind.as_deref(),
        "social-work, health, education, police, early-years, youth-justice, partnership or other",
    );
    let mailbox = match raw.mailbox.as_deref() {
        None => Some(None),
        Some(m) => email(f, "agency.mailbox", m).map(Some),
    };
    Some(Agency {
        id: id?,
        name: name?.to_string(),
        kind: kind?,
        mailbox: mailbox?,
    })
}

fn person(f: &mut Fields, raw: &PersonBody) -> Option<Person> {
    let id = f.required_id("person.id", raw.id.as_deref(), PersonId::parse);
    let name = f.text("person.name", raw.name.as_deref());
    let address = match raw.email.as_deref() {
        None => {
            f.problem("person.email", "is required");
            None
        }
        Some(e) => email(f, "person.email", e),
    };
    let agency = f.required_id("person.agency", raw.agency.as_deref(), AgencyId::parse);
    let role = choice(
        f,
        "person.role",
        raw.role.as_deref(),
        "practitioner, manager, chair or administrator",
    );
    let level = match raw.level.as_deref() {
        None => Some(None),
        Some(level) => choice(
            f,
            "person.level",
            Some(level),
            "first-line, second-line, head-of-service, director or chief-social-work-officer",
        )
        .map(Some),
    };
    Some(Person {
        id: id?,
        name: name?.to_string(),
        email: address?,
        agency: agency?,
        role: role?,
        level: level?,
    })
}

fn view(admin: Administration) -> AdminView {
    AdminView {
        version: admin.version.0,
        partnership: admin.config,
        changes: admin.changes.into_iter().map(change_view).collect(),
    }
}

fn change_view(change: ConfigChange) -> ConfigChangeView {
    ConfigChangeView {
        version: change.version.0,
        at: change.at,
        by: change.by,
        what: change.what,
    }
}

fn moved(m: MovedDeadline) -> MovedDeadlineView {
    MovedDeadlineView {
        case: m.case,
        procedure: m.procedure,
        stage: m.stage,
        clock: m.clock,
        was: m.was,
        due: m.due,
    }
}
