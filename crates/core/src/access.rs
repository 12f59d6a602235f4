//! Who may see what. Who may *act* on a case is decided by the lifecycle itself (the side
//! that owns the running clock, the deciding side, the chair); these rules cover reading,
//! listing, reports and administration.
//!
//! The partnership boundary is not a rule here: every storage call is keyed by the
//! principal's own partnership (the conformance suite proves another partnership's case is
//! never loaded, listed or changed), so these checks only ever see the principal's own
//! partnership's data. A case the principal may not view is answered exactly like a case that
//! does not exist, so its existence is not revealed.

use crate::case::{Actor, Case, Role};
use crate::ids::{AgencyId, PartnershipId, PersonId};

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
