//! A partnership's configuration: its procedures, division and closure days, its agencies
//! and its people. Loaded from TOML with every problem named at once (`load`), stored as
//! JSON by the storage adapters (the serde shape is a stored format: change it only with a
//! migration).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::calendar::{Calendar, Division};
use crate::case::{Level, Role};
use crate::ids::{AgencyId, MailboxId, PartnershipId, PersonId, ProcedureId};
pub use crate::notices::NoticeSettings;
use crate::procedure::{AgencyKind, Catalogue};
use crate::source::line_column;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnershipConfig {
    pub id: PartnershipId,
    pub name: String,
    /// The procedures in use, by id.
    pub procedures: Vec<ProcedureId>,
    pub division: Division,
    /// The partnership's own closure days (e.g. council closure between Christmas and New
    /// Year), which no working-day clock counts.
    pub closure_days: Vec<NaiveDate>,
    /// Where copies of escalations and responses go for recording: the `recording` mailbox of
    /// configurations stored before `mailboxes` (an address in `mailboxes` wins).
    pub recording_mailbox: Option<String>,
    /// The address of each mailbox the partnership's procedures send notices to, by the
    /// procedures' mailbox ids (`recording`, `quality-assurance`, `conference-chair`, …).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub mailboxes: BTreeMap<MailboxId, EmailAddress>,
    /// When notices go: working hours, reminders, the grace before an unanswered breach is
    /// raised with the next line of management.
    #[serde(default, skip_serializing_if = "NoticeSettings::is_default")]
    pub notices: NoticeSettings,
    pub agencies: Vec<Agency>,
    pub people: Vec<Person>,
    /// How long a closed case is kept before the child's details and every word written
    /// about it are erased; `None` keeps closed cases until the partnership decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<Retention>,
}

/// How long the partnership keeps a closed case whole: `closed_cases_kept_for_years` after
/// its last change (its closing, or the last agreed action marked done), the sweeper erases
/// the child's details and the case's free text (`Case::erase`). 1 to 100 years.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawRetention", deny_unknown_fields)]
pub struct Retention {
    closed_cases_kept_for_years: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRetention {
    closed_cases_kept_for_years: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("closed_cases_kept_for_years is {0}: a closed case is kept for 1 to 100 years")]
pub struct RetentionOutOfRange(pub u32);

impl TryFrom<RawRetention> for Retention {
    type Error = RetentionOutOfRange;

    fn try_from(raw: RawRetention) -> Result<Self, Self::Error> {
        Retention::years(raw.closed_cases_kept_for_years)
    }
}

impl Retention {
    pub fn years(years: u32) -> Result<Retention, RetentionOutOfRange> {
        if (1..=100).contains(&years) {
            Ok(Retention {
                closed_cases_kept_for_years: years,
            })
        } else {
            Err(RetentionOutOfRange(years))
        }
    }

    pub fn closed_cases_kept_for_years(&self) -> u32 {
        self.closed_cases_kept_for_years
    }

    /// The latest last change a closed case may have had for its period to have ended at
    /// `now`: the same instant, `years` calendar years before (29 February counts back to
    /// 28 February).
    pub fn closed_on_or_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now.checked_sub_months(Months::new(12 * self.closed_cases_kept_for_years))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    pub id: AgencyId,
    pub name: String,
    pub kind: AgencyKind,
    /// The agency's safeguarding or escalations inbox, if it has one: it is told when the
    /// agency is asked at a stage that names no level of management.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailbox: Option<EmailAddress>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    pub email: EmailAddress,
    pub agency: AgencyId,
    pub role: Role,
    /// A manager's level of management in their agency; configurations stored before levels
    /// existed have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
}

impl PartnershipConfig {
    /// The person with this id, if the configuration names them.
    pub fn person(&self, id: &PersonId) -> Option<&Person> {
        self.people.iter().find(|p| &p.id == id)
    }

    /// What is wrong with this configuration, in words an administrator can act on; empty
    /// when it can be stored. Field-level checks (ids, roles, dates, emails) are already
    /// done by parsing; these are the ones that span fields.
    pub fn problems(&self, catalogue: &Catalogue) -> Vec<String> {
        let mut problems = Vec::new();
        let shape = Shape {
            name: &self.name,
            procedures: self.procedures.iter().collect(),
            division: self.division,
            agencies: self.agencies.iter().map(|a| (&a.id, a.kind)).collect(),
            people: self
                .people
                .iter()
                .map(|p| (&p.id, &p.agency, p.role, p.level))
                .collect(),
            mailboxes: self
                .mailboxes
                .keys()
                .map(MailboxId::as_str)
                .chain(self.recording_mailbox.is_some().then_some("recording"))
                .collect(),
        };
        shape.check(catalogue, |_, problem| problems.push(problem));
        problems
    }

    /// The address of one of the procedures' mailboxes, if the partnership gives one.
    pub fn mailbox(&self, id: &MailboxId) -> Option<EmailAddress> {
        self.mailboxes.get(id).cloned().or_else(|| {
            (id.as_str() == "recording")
                .then_some(self.recording_mailbox.as_deref())
                .flatten()
                .and_then(|a| EmailAddress::parse(a).ok())
        })
    }

    pub fn agency(&self, id: &AgencyId) -> Option<&Agency> {
        self.agencies.iter().find(|a| &a.id == id)
    }

    /// The working-day calendar the partnership's clocks count in: its division's bank
    /// holidays and its own closure days.
    pub fn calendar(&self) -> Calendar {
        Calendar::new(self.division).with_closure_days(self.closure_days.iter().copied())
    }
}

// ---------------------------------------------------------------------------------------
// Email addresses

/// An email address as far as configuration can tell: a non-empty local part, an `@`, a
/// domain with a dot, no whitespace. Whether mail arrives is for the mail service to say.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

/// Why a string is not an email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an email address")]
pub struct InvalidEmail(pub String);

impl EmailAddress {
    pub fn parse(s: &str) -> Result<Self, InvalidEmail> {
        let well_formed = s
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
        if well_formed && !s.contains(char::is_whitespace) {
            Ok(EmailAddress(s.to_owned()))
        } else {
            Err(InvalidEmail(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = InvalidEmail;

    fn try_from(s: String) -> Result<Self, InvalidEmail> {
        EmailAddress::parse(&s)
    }
}

impl From<EmailAddress> for String {
    fn from(email: EmailAddress) -> String {
        email.0
    }
}

impl PartialEq<str> for EmailAddress {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for EmailAddress {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

// ---------------------------------------------------------------------------------------
// The checks that span fields, written once for a stored configuration and a file

/// Where a problem lies, so that a file's loader can point at it.
#[derive(Clone, Copy)]
enum Place {
    Whole,
    Name,
    Procedures,
    Procedure(usize),
    Agency(usize),
    Person(usize),
    PersonAgency(usize),
    PersonLevel(usize),
    Mailboxes,
}

/// What the checks read, borrowed from a configuration or from a file being loaded.
struct Shape<'a> {
    name: &'a str,
    procedures: Vec<&'a ProcedureId>,
    division: Division,
    agencies: Vec<(&'a AgencyId, AgencyKind)>,
    people: Vec<(&'a PersonId, &'a AgencyId, Role, Option<Level>)>,
    /// The mailboxes given an address (`recording_mailbox` counts as `recording`).
    mailboxes: BTreeSet<&'a str>,
}

impl Shape<'_> {
    fn check(&self, catalogue: &Catalogue, mut report: impl FnMut(Place, String)) {
        if self.name.trim().is_empty() {
            report(Place::Name, "name: give the partnership's name".to_owned());
        }
        if self.procedures.is_empty() {
            report(
                Place::Procedures,
                "procedures: list at least one procedure id".to_owned(),
            );
        }
        for (i, id) in self.procedures.iter().enumerate() {
            match catalogue.get(id.as_str()) {
                None => report(
                    Place::Procedure(i),
                    format!(
                        "procedures: `{id}` is not a shipped procedure (known: {})",
                        catalogue.ids().join(", ")
                    ),
                ),
                Some(p) if p.division != self.division => report(
                    Place::Procedure(i),
                    format!(
                        "procedures: `{id}` counts working days in {:?}, but the \
                         partnership's division is {:?}",
                        p.division, self.division
                    ),
                ),
                Some(_) => {}
            }
        }
        // Every mailbox a procedure in use sends notices to needs an address.
        let mut missing: BTreeMap<&str, (&str, Vec<String>)> = BTreeMap::new();
        for id in &self.procedures {
            let Some(procedure) = catalogue.get(id.as_str()) else {
                continue;
            };
            for stage in &procedure.stages {
                let used = stage
                    .copy
                    .iter()
                    .chain(stage.inform.iter().filter_map(|i| i.mailbox.as_ref()));
                for mailbox in used {
                    if self.mailboxes.contains(mailbox.as_str()) {
                        continue;
                    }
                    let name = procedure
                        .mailboxes
                        .get(mailbox)
                        .map_or("", |m| m.name.as_str());
                    let entry = missing
                        .entry(mailbox.as_str())
                        .or_insert((name, Vec::new()));
                    let place = format!("{id} {}", stage.id);
                    if !entry.1.contains(&place) {
                        entry.1.push(place);
                    }
                }
            }
        }
        for (mailbox, (name, places)) in missing {
            report(
                Place::Mailboxes,
                format!(
                    "mailboxes: give `{mailbox}` ({name}) an address, e.g. `{mailbox} = \"name@example.org\"` under [mailboxes]: notices go to it at {}",
                    places.join(", ")
                ),
            );
        }
        let mut agencies = BTreeSet::new();
        for (i, (id, _)) in self.agencies.iter().enumerate() {
            if !agencies.insert(*id) {
                report(
                    Place::Agency(i),
                    format!("agencies: `{id}` is listed twice"),
                );
            }
        }
        if !self
            .agencies
            .iter()
            .any(|(_, kind)| *kind == AgencyKind::Partnership)
        {
            report(
                Place::Whole,
                "agencies: add the partnership's own unit (kind = \"partnership\"), where \
                 the chair and administrators belong"
                    .to_owned(),
            );
        }
        let mut people = BTreeSet::new();
        for (i, (id, agency, role, level)) in self.people.iter().enumerate() {
            if !people.insert(*id) {
                report(Place::Person(i), format!("people: `{id}` is listed twice"));
            }
            if !agencies.contains(agency) {
                report(
                    Place::PersonAgency(i),
                    format!(
                        "people: `{id}` belongs to agency `{agency}`, which is not in agencies"
                    ),
                );
            }
            match (role, level) {
                (Role::Practitioner | Role::Administrator, Some(level)) => report(
                    Place::PersonLevel(i),
                    format!(
                        "people: `{id}` is {} and has level `{level}`: only a manager (or the \
                         chair) has a level of management",
                        crate::case::role_label(*role)
                    ),
                ),
                (_, Some(Level::ChiefSocialWorkOfficer)) if self.division != Division::Scotland => {
                    report(
                        Place::PersonLevel(i),
                        format!(
                            "people: `{id}` has level `chief-social-work-officer`, a role in \
                             Scotland only, but the partnership's division is {:?}",
                            self.division
                        ),
                    )
                }
                _ => {}
            }
        }
        if !self
            .people
            .iter()
            .any(|(_, _, role, _)| *role == Role::Chair)
        {
            report(
                Place::Whole,
                "people: name the chair (role = \"chair\")".to_owned(),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Loading from TOML

#[derive(Deserialize)]
struct RawConfig {
    id: PartnershipId,
    name: Spanned<String>,
    procedures: Spanned<Vec<Spanned<ProcedureId>>>,
    division: Division,
    closure_days: Vec<NaiveDate>,
    recording_mailbox: Option<String>,
    #[serde(default)]
    mailboxes: BTreeMap<MailboxId, Spanned<String>>,
    #[serde(default)]
    notices: NoticeSettings,
    agencies: Vec<RawAgency>,
    people: Vec<RawPerson>,
    #[serde(default)]
    retention: Option<Retention>,
}

#[derive(Deserialize)]
struct RawAgency {
    id: Spanned<AgencyId>,
    name: String,
    kind: AgencyKind,
    mailbox: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct RawPerson {
    id: Spanned<PersonId>,
    name: String,
    /// Parsed after the file, so a bad address is reported with the person and alongside
    /// every other problem.
    email: Spanned<String>,
    agency: Spanned<AgencyId>,
    role: Role,
    level: Option<Spanned<Level>>,
}

/// Parses and checks a partnership's configuration file (TOML, in the shape of
/// `infra/partnership.example.toml`) against the procedures it may use. On failure, every
/// problem found, each on its own line, prefixed by `source` and, where the problem has a
/// place, `:line:column`. Keys that are not settings are problems too: a misspelt optional
/// key would otherwise be ignored without a word.
pub fn load(
    source: &str,
    text: &str,
    catalogue: &Catalogue,
) -> Result<PartnershipConfig, Vec<String>> {
    let toml_error = |e: toml::de::Error| {
        // toml's own rendering names the line and column and shows the line.
        let message = e.to_string();
        let hint = if message.contains("date string") {
            "\n(write dates in quotes: closure_days = [\"2026-12-29\"])"
        } else {
            ""
        };
        vec![format!("{source}: {}{hint}", message.trim_end())]
    };
    let mut problems = Vec::new();
    let deserializer = toml::Deserializer::parse(text).map_err(toml_error)?;
    let raw: RawConfig = serde_ignored::deserialize(deserializer, |path| {
        problems.push(format!(
            "{source}: `{path}` is not a setting: check its spelling"
        ))
    })
    .map_err(toml_error)?;

    let at = |span: Range<usize>, message: String| {
        let (line, column) = line_column(text, span.start);
        format!("{source}:{line}:{column}: {message}")
    };
    let mut people = Vec::new();
    for person in &raw.people {
        match EmailAddress::parse(person.email.get_ref()) {
            Ok(email) => people.push(Person {
                id: person.id.get_ref().clone(),
                name: person.name.clone(),
                email,
                agency: person.agency.get_ref().clone(),
                role: person.role,
                level: person.level.as_ref().map(|l| *l.get_ref()),
            }),
            Err(InvalidEmail(email)) => problems.push(at(
                person.email.span(),
                format!(
                    "people: `{}` has email `{email}`, which is not an address",
                    person.id.get_ref()
                ),
            )),
        }
    }
    let mut mailboxes = BTreeMap::new();
    for (id, address) in &raw.mailboxes {
        match EmailAddress::parse(address.get_ref()) {
            Ok(email) => {
                mailboxes.insert(id.clone(), email);
            }
            Err(InvalidEmail(email)) => problems.push(at(
                address.span(),
                format!("mailboxes: `{id}` has address `{email}`, which is not an address"),
            )),
        }
    }
    let mut agencies = Vec::new();
    for agency in &raw.agencies {
        let mailbox = match &agency.mailbox {
            None => None,
            Some(address) => match EmailAddress::parse(address.get_ref()) {
                Ok(email) => Some(email),
                Err(InvalidEmail(email)) => {
                    problems.push(at(
                        address.span(),
                        format!(
                            "agencies: `{}` has mailbox `{email}`, which is not an address",
                            agency.id.get_ref()
                        ),
                    ));
                    None
                }
            },
        };
        agencies.push(Agency {
            id: agency.id.get_ref().clone(),
            name: agency.name.clone(),
            kind: agency.kind,
            mailbox,
        });
    }
    let shape = Shape {
        name: raw.name.get_ref(),
        procedures: raw
            .procedures
            .get_ref()
            .iter()
            .map(Spanned::get_ref)
            .collect(),
        division: raw.division,
        agencies: raw
            .agencies
            .iter()
            .map(|a| (a.id.get_ref(), a.kind))
            .collect(),
        people: raw
            .people
            .iter()
            .map(|p| {
                let level = p.level.as_ref().map(|l| *l.get_ref());
                (p.id.get_ref(), p.agency.get_ref(), p.role, level)
            })
            .collect(),
        mailboxes: raw
            .mailboxes
            .keys()
            .map(MailboxId::as_str)
            .chain(raw.recording_mailbox.is_some().then_some("recording"))
            .collect(),
    };
    shape.check(catalogue, |place, problem| {
        let span = match place {
            Place::Whole => None,
            Place::Name => Some(raw.name.span()),
            Place::Procedures => Some(raw.procedures.span()),
            Place::Procedure(i) => Some(raw.procedures.get_ref()[i].span()),
            Place::Agency(i) => Some(raw.agencies[i].id.span()),
            Place::Person(i) => Some(raw.people[i].id.span()),
            Place::PersonAgency(i) => Some(raw.people[i].agency.span()),
            Place::PersonLevel(i) => raw.people[i].level.as_ref().map(|l| l.span()),
            Place::Mailboxes => None,
        };
        problems.push(match span {
            Some(span) => at(span, problem),
            None => format!("{source}: {problem}"),
        });
    });
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(PartnershipConfig {
        id: raw.id,
        name: raw.name.into_inner(),
        procedures: raw
            .procedures
            .into_inner()
            .into_iter()
            .map(Spanned::into_inner)
            .collect(),
        division: raw.division,
        closure_days: raw.closure_days,
        recording_mailbox: raw.recording_mailbox,
        mailboxes,
        notices: raw.notices,
        agencies,
        people,
        retention: raw.retention,
    })
}
