//! Who may see what. Who may *act* on a case is decided by the lifecycle itself (the side
//! that owns the running clock, the deciding side, the chair); these rules cover reading,
//! listing, reports and administration.
//!
//! The partnership boundary is not a rule here: every storage call is keyed by the
//! principal's own partnership (the conformance suite proves another partnership's case is
//! never loaded, listed or changed), so these checks only ever see the principal's own
//! partnership's data. A case the principal may not view is answered exactly like a case that
//! does not exist, so its existence is not revealed.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::case::{Actor, Case, Role};
use crate::ids::{AgencyId, FormId, PartnershipId, PersonId};

/// An authenticated person: which partnership they belong to, and who they are in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub partnership: PartnershipId,
    pub actor: Actor,
}

/// Whose cases a list covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every case of the partnership (chair, business unit).
    Partnership,
    /// Cases the agency raised or received.
    Agency(AgencyId),
    /// Cases the person raised or acted on.
    Person(PersonId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// Unknown, or another partnership's, or not one this person may see: all look alike.
    #[error("no such case")]
    NoSuchCase,
    #[error("only the partnership's chair or business unit can {0}")]
    ChairOnly(&'static str),
    #[error("only the partnership's administrators can {0}")]
    AdministratorsOnly(&'static str),
    #[error("you can list your own cases and your agency's, not {0}")]
    NotYourList(&'static str),
}

impl Principal {
    /// Chairs see every case of their partnership; practitioners and managers see the cases
    /// their agency is party to or owns an agreed action in, and the cases they acted on; administrators see no case
    /// (least data: they manage set-up, not casework).
    pub fn may_view_case(&self, case: &Case) -> Result<(), Denied> {
        let allowed = match self.actor.role {
            Role::Chair => true,
            Role::Practitioner | Role::Manager => {
                case.agencies_concerned().contains(&self.actor.agency)
                    || case.people_involved().contains(&self.actor.person)
            }
            Role::Administrator => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(Denied::NoSuchCase)
        }
    }

    /// Whether this list may be run: the chair's any, others their own and their agency's.
    pub fn may_list(&self, scope: &Scope) -> Result<(), Denied> {
        let role = self.actor.role;
        match scope {
            _ if role == Role::Chair => Ok(()),
            _ if role == Role::Administrator => Err(Denied::ChairOnly("list cases")),
            Scope::Partnership => Err(Denied::ChairOnly("list every case of the partnership")),
            Scope::Agency(agency) if *agency == self.actor.agency => Ok(()),
            Scope::Agency(_) => Err(Denied::NotYourList("another agency's")),
            Scope::Person(person) if *person == self.actor.person => Ok(()),
            Scope::Person(_) => Err(Denied::NotYourList("another person's")),
        }
    }

    /// Administrators never raise; which other roles may raise is the procedure's to say
    /// (checked by `Case::raise`).
    pub fn may_raise(&self) -> Result<(), Denied> {
        if self.actor.role == Role::Administrator {
            return Err(Denied::AdministratorsOnly(
                "manage set-up; they do not raise cases",
            ));
        }
        Ok(())
    }

    /// The quality-assurance report covers every case: the chair and business unit's.
    pub fn may_run_report(&self) -> Result<(), Denied> {
        if self.actor.role == Role::Chair {
            Ok(())
        } else {
            Err(Denied::ChairOnly("run the quality-assurance report"))
        }
    }

    /// Who has read a case, and a case's full record for a subject access request: the
    /// partnership, as controller, answers for both — its chair and business unit.
    pub fn may_audit(&self, what: &'static str) -> Result<(), Denied> {
        if self.actor.role == Role::Chair {
            Ok(())
        } else {
            Err(Denied::ChairOnly(what))
        }
    }

    /// Agencies, people, procedures and the calendar.
    pub fn may_administer(&self) -> Result<(), Denied> {
        if self.actor.role == Role::Administrator {
            Ok(())
        } else {
            Err(Denied::AdministratorsOnly(
                "change the partnership's set-up",
            ))
        }
    }
}

/// Which part of a case a person read: what a case's access history records.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CasePart {
    /// The case page: the child, the concern, every response and the chronology.
    Case,
    /// One of the procedure's forms, on screen or to print.
    Form(FormId),
    /// The running deadline, as a calendar file.
    Deadline,
    /// The full record, exported for a subject access request.
    Export,
}

impl fmt::Display for CasePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CasePart::Case => f.write_str("case"),
            CasePart::Form(form) => write!(f, "form:{form}"),
            CasePart::Deadline => f.write_str("deadline"),
            CasePart::Export => f.write_str("export"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a part of a case: case, form:<form id>, deadline or export")]
pub struct UnknownCasePart(pub String);

impl FromStr for CasePart {
    type Err = UnknownCasePart;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "case" => Ok(CasePart::Case),
            "deadline" => Ok(CasePart::Deadline),
            "export" => Ok(CasePart::Export),
            _ => s
                .strip_prefix("form:")
                .and_then(|form| FormId::parse(form).ok())
                .map(CasePart::Form)
                .ok_or_else(|| UnknownCasePart(s.to_owned())),
        }
    }
}

impl Serialize for CasePart {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CasePart {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// One read of a case, as its access history keeps it: who (their person, agency and role at
/// the time), when, and which part. Ids only: never what they read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseAccess {
    pub at: DateTime<Utc>,
    pub by: PersonId,
    pub agency: AgencyId,
    pub role: Role,
    pub part: CasePart,
}

impl CaseAccess {
    /// `who` reading `part` at `at`.
    pub fn by(who: &Principal, part: CasePart, at: DateTime<Utc>) -> Self {
        CaseAccess {
            at,
            by: who.actor.person.clone(),
            agency: who.actor.agency.clone(),
            role: who.actor.role,
            part,
        }
    }
}
