//! `/api/admin`: the partnership's set-up, for its administrators — read it with its version
//! and latest changes, preview what a closure day would move, make one change.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use escalations_app::{Administration, App, MovedDeadline};
use escalations_core::access::Principal;
use escalations_core::config_edit::ConfigEdit;
use escalations_core::ids::{AgencyId, MailboxId, PersonId};
use escalations_core::notices::NoticeSettings;
use escalations_core::partnership::{Agency, EmailAddress, Person};
use escalations_store::{ConfigChange, ConfigVersion};
use escalations_wire::{
    AdminView, AgencyBody, ClosureDayPreview, ConfigChangeBody, ConfigChangeView, ConfigChanged,
    MovedDeadlineView, PersonBody,
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
    remove-agency, add-person, edit-person, remove-person, set-mailbox, set-division or \
    set-notices";

/// The typed edit a body names, every bad field recorded in `f`.
fn edit(f: &mut Fields, raw: &ConfigChangeBody) -> Option<ConfigEdit> {
    let Some(change) = raw.change.as_deref() else {
        f.problem("change", format!("is required: one of {CHANGES}"));
        return None;
    };
    Some(match change {
        "add-closure-day" => {
            ConfigEdit::AddClosureDay(f.required_date("date", raw.date.as_deref())?)
        }
        "remove-closure-day" => {
            ConfigEdit::RemoveClosureDay(f.required_date("date", raw.date.as_deref())?)
        }
        "add-agency" => ConfigEdit::AddAgency(agency(f, raw.agency.as_ref())?),
        "edit-agency" => ConfigEdit::EditAgency(agency(f, raw.agency.as_ref())?),
        "remove-agency" => {
            ConfigEdit::RemoveAgency(f.required_id("id", raw.id.as_deref(), AgencyId::parse)?)
        }
        "add-person" => ConfigEdit::AddPerson(person(f, raw.person.as_ref())?),
        "edit-person" => ConfigEdit::EditPerson(person(f, raw.person.as_ref())?),
        "remove-person" => {
            ConfigEdit::RemovePerson(f.required_id("id", raw.id.as_deref(), PersonId::parse)?)
        }
        "set-mailbox" => {
            let mailbox = f.required_id("mailbox", raw.mailbox.as_deref(), MailboxId::parse);
            let address = match raw.address.as_deref() {
                None => Some(None),
                Some(a) => email(f, "address", a).map(Some),
            };
            ConfigEdit::SetMailbox {
                mailbox: mailbox?,
                address: address?,
            }
        }
        "set-division" => ConfigEdit::SetDivision(choice(
            f,
            "division",
            raw.division.as_deref(),
            "england-and-wales, scotland or northern-ireland",
        )?),
        "set-notices" => {
            let Some(notices) = &raw.notices else {
                f.problem("notices", "is required");
                return None;
            };
            let d = NoticeSettings::default();
            // The core's own checks of the settings, by the same path a file takes.
            let json = serde_json::json!({
                "working_hours": notices.working_hours.clone().unwrap_or_else(|| d.working_hours.to_string()),
                "reminder_percent": notices.reminder_percent.unwrap_or(u32::from(d.reminder_percent)),
                "unanswered_after_working_days": notices.unanswered_after_working_days.unwrap_or(d.unanswered_after_working_days),
            });
            match serde_json::from_value::<NoticeSettings>(json) {
                Ok(settings) => ConfigEdit::SetNotices(settings),
                Err(e) => {
                    f.problem("notices", e.to_string());
                    return None;
                }
            }
        }
        other => {
            f.problem(
                "change",
                format!("`{other}` is not a change: use one of {CHANGES}"),
            );
            return None;
        }
    })
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

fn agency(f: &mut Fields, raw: Option<&AgencyBody>) -> Option<Agency> {
    let Some(raw) = raw else {
        f.problem("agency", "is required");
        return None;
    };
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

fn person(f: &mut Fields, raw: Option<&PersonBody>) -> Option<Person> {
    let Some(raw) = raw else {
        f.problem("person", "is required");
        return None;
    };
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
