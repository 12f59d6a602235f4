//! Who may see what. Who may *act* on a case is decided by the lifecycle itself (the side
//! that owns the running clock, the deciding side, the chair); these rules cover reading,
//! listing, reports and administration, and put the partnership boundary in front of all of
//! it.
//!
//! Architecture invariant: a person never reaches another partnership's case, and the
//! answer for "another partnership's case" is the same as for "no such case", so its
//! existence is not revealed.

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
pub enum ListScope {
    Partnership,
    Agency(AgencyId),
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
    fn same_partnership(&self, partnership: &PartnershipId) -> bool {
        &self.partnership == partnership
    }

    /// Chairs see every case of their partnership; practitioners and managers see the cases
    /// their agency is party to and the cases they acted on; administrators see no case
    /// (least data: they manage set-up, not casework).
    pub fn may_view_case(&self, partnership: &PartnershipId, case: &Case) -> Result<(), Denied> {
        if !self.same_partnership(partnership) {
            return Err(Denied::NoSuchCase);
        }
        let allowed = match self.actor.role {
            Role::Chair => true,
            Role::Practitioner | Role::Manager => {
                case.agencies().contains(&self.actor.agency)
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

    /// Whether a list may be run for this scope in this partnership.
    pub fn may_list(&self, partnership: &PartnershipId, scope: &ListScope) -> Result<(), Denied> {
        if !self.same_partnership(partnership) {
            return Err(Denied::NotYourList("another partnership's"));
        }
        let role = self.actor.role;
        match scope {
            _ if role == Role::Chair => Ok(()),
            _ if role == Role::Administrator => Err(Denied::ChairOnly("list cases")),
            ListScope::Partnership => Err(Denied::ChairOnly("list every case of the partnership")),
            ListScope::Agency(agency) if *agency == self.actor.agency => Ok(()),
            ListScope::Agency(_) => Err(Denied::NotYourList("another agency's")),
            ListScope::Person(person) if *person == self.actor.person => Ok(()),
            ListScope::Person(_) => Err(Denied::NotYourList("another person's")),
        }
    }

    /// Raising happens in one's own partnership, by a role the procedure names (checked by
    /// `Case::raise`); administrators never raise.
    pub fn may_raise(&self, partnership: &PartnershipId) -> Result<(), Denied> {
        if !self.same_partnership(partnership) {
            return Err(Denied::NotYourList("another partnership's"));
        }
        if self.actor.role == Role::Administrator {
            return Err(Denied::AdministratorsOnly(
                "manage set-up; they do not raise cases",
            ));
        }
        Ok(())
    }

    /// The quality-assurance report covers every case: the chair and business unit's.
    pub fn may_run_report(&self, partnership: &PartnershipId) -> Result<(), Denied> {
        if self.same_partnership(partnership) && self.actor.role == Role::Chair {
            Ok(())
        } else {
            Err(Denied::ChairOnly("run the quality-assurance report"))
        }
    }

    /// Agencies, people, procedures and the calendar.
    pub fn may_administer(&self, partnership: &PartnershipId) -> Result<(), Denied> {
        if self.same_partnership(partnership) && self.actor.role == Role::Administrator {
            Ok(())
        } else {
            Err(Denied::AdministratorsOnly(
                "change the partnership's set-up",
            ))
        }
    }
}
