//! An administrator's change to a partnership's configuration, as one typed edit: applied to
//! a configuration (refused where it names something absent or already there), described in
//! words for the record of changes (ids, names, addresses and dates from the configuration
//! only — never anything about a case or a child), and telling whether it changes the
//! calendar the partnership's clocks count in.
//!
//! Whether the result can be stored is `PartnershipConfig::problems`, the same checks as
//! `escalations-admin check`.

use chrono::NaiveDate;

use crate::calendar::Division;
use crate::case::role_label;
use crate::ids::{AgencyId, MailboxId, PersonId};
use crate::notices::NoticeSettings;
use crate::partnership::{Agency, EmailAddress, PartnershipConfig, Person, Retention};

/// One change to a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigEdit {
    AddAgency(Agency),
    /// Changes the agency with this id (name, kind, mailbox).
    EditAgency(Agency),
    RemoveAgency(AgencyId),
    AddPerson(Person),
    /// Changes the person with this id (name, email, agency, role, level).
    EditPerson(Person),
    RemovePerson(PersonId),
    /// Gives a procedure's mailbox an address, or takes it away (`None`).
    SetMailbox {
        mailbox: MailboxId,
        address: Option<EmailAddress>,
    },
    SetDivision(Division),
    /// Working hours, the reminder percentage and the grace before an unanswered breach goes up
    /// a line.
    SetNotices(NoticeSettings),
    AddClosureDay(NaiveDate),
    RemoveClosureDay(NaiveDate),
    /// How long closed cases are kept before they are erased; `None` keeps them.
    SetRetention(Option<Retention>),
}

/// Why an edit cannot be applied: the field of the edit at fault, and why, in words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct EditRefused {
    pub field: &'static str,
    pub message: String,
}

fn refused(field: &'static str, message: String) -> EditRefused {
    EditRefused { field, message }
}

/// A date as the page and notices write it: "Tuesday 29 December 2026".
pub fn date_words(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

fn person_words(person: &Person) -> String {
    let level = person
        .level
        .map(|l| format!(" ({})", l.label()))
        .unwrap_or_default();
    format!(
        "{} ({}), {}{level} at {}, {}",
        person.name,
        person.id,
        role_label(person.role),
        person.agency,
        person.email
    )
}

impl ConfigEdit {
    /// The configuration with this edit made, and the edit in words for the record.
    pub fn apply(
        &self,
        config: &PartnershipConfig,
    ) -> Result<(PartnershipConfig, String), EditRefused> {
        let mut next = config.clone();
        let what = match self {
            ConfigEdit::AddAgency(agency) => {
                if config.agency(&agency.id).is_some() {
                    return Err(refused(
                        "agency.id",
                        format!("there is already an agency `{}`", agency.id),
                    ));
                }
                next.agencies.push(agency.clone());
                format!("added agency {} ({})", agency.name, agency.id)
            }
            ConfigEdit::EditAgency(agency) => {
                let Some(found) = next.agencies.iter_mut().find(|a| a.id == agency.id) else {
                    return Err(refused(
                        "agency.id",
                        format!("there is no agency `{}`", agency.id),
                    ));
                };
                *found = agency.clone();
                format!("changed agency {} ({})", agency.name, agency.id)
            }
            ConfigEdit::RemoveAgency(id) => {
                let Some(found) = config.agency(id) else {
                    return Err(refused("id", format!("there is no agency `{id}`")));
                };
                let what = format!("removed agency {} ({id})", found.name);
                next.agencies.retain(|a| &a.id != id);
                what
            }
            ConfigEdit::AddPerson(person) => {
                if config.person(&person.id).is_some() {
                    return Err(refused(
                        "person.id",
                        format!("there is already a person `{}`", person.id),
                    ));
                }
                if config.people.iter().any(|p| p.email == person.email) {
                    return Err(refused(
                        "person.email",
                        format!("{} is already someone's email address", person.email),
                    ));
                }
                next.people.push(person.clone());
                format!("added person {}", person_words(person))
            }
            ConfigEdit::EditPerson(person) => {
                if config
                    .people
                    .iter()
                    .any(|p| p.email == person.email && p.id != person.id)
                {
                    return Err(refused(
                        "person.email",
                        format!("{} is already someone else's email address", person.email),
                    ));
                }
                let Some(found) = next.people.iter_mut().find(|p| p.id == person.id) else {
                    return Err(refused(
                        "person.id",
                        format!("there is no person `{}`", person.id),
                    ));
                };
                *found = person.clone();
                format!("changed person {}", person_words(person))
            }
            ConfigEdit::RemovePerson(id) => {
                let Some(found) = config.person(id) else {
                    return Err(refused("id", format!("there is no person `{id}`")));
                };
                let what = format!("removed person {} ({id})", found.name);
                next.people.retain(|p| &p.id != id);
                what
            }
            ConfigEdit::SetMailbox { mailbox, address } => match address {
                Some(address) => {
                    next.mailboxes.insert(mailbox.clone(), address.clone());
                    format!("set mailbox {mailbox} to {address}")
                }
                None => {
                    let had = next.mailboxes.remove(mailbox).is_some()
                        || (mailbox.as_str() == "recording"
                            && next.recording_mailbox.take().is_some());
                    if !had {
                        return Err(refused(
                            "mailbox",
                            format!("mailbox `{mailbox}` has no address to remove"),
                        ));
                    }
                    format!("removed the address of mailbox {mailbox}")
                }
            },
            ConfigEdit::SetDivision(division) => {
                next.division = *division;
                format!("set the division to {}", division.name())
            }
            ConfigEdit::SetNotices(notices) => {
                next.notices = notices.clone();
                format!(
                    "set working hours to {}, hour-clock reminders at {}%, unanswered breaches raised after {} working day(s)",
                    notices.working_hours,
                    notices.reminder_percent,
                    notices.unanswered_after_working_days
                )
            }
            ConfigEdit::SetRetention(retention) => {
                next.retention = *retention;
                match retention {
                    Some(r) => format!(
                        "set closed cases to be kept {} years after their last change, then erased",
                        r.closed_cases_kept_for_years()
                    ),
                    None => "stopped erasing closed cases: they are kept".to_owned(),
                }
            }
            ConfigEdit::AddClosureDay(date) => {
                if config.closure_days.contains(date) {
                    return Err(refused(
                        "date",
                        format!("{} is already a closure day", date_words(*date)),
                    ));
                }
                next.closure_days.push(*date);
                next.closure_days.sort();
                format!("added closure day {}", date_words(*date))
            }
            ConfigEdit::RemoveClosureDay(date) => {
                if !config.closure_days.contains(date) {
                    return Err(refused(
                        "date",
                        format!("{} is not a closure day", date_words(*date)),
                    ));
                }
                next.closure_days.retain(|d| d != date);
                format!("removed closure day {}", date_words(*date))
            }
        };
        Ok((next, what))
    }

    /// Whether the edit changes the working-day calendar, so running clocks may move; and if
    /// so, the first day it changes (clocks due before it cannot move), `None` for all.
    pub fn calendar_change(&self) -> Option<Option<NaiveDate>> {
        match self {
            ConfigEdit::AddClosureDay(date) | ConfigEdit::RemoveClosureDay(date) => {
                Some(Some(*date))
            }
            ConfigEdit::SetDivision(_) => Some(None),
            _ => None,
        }
    }

    /// The person a change adds, who needs a sign-in.
    pub fn added_person(&self) -> Option<&Person> {
        match self {
            ConfigEdit::AddPerson(person) => Some(person),
            _ => None,
        }
    }
}
