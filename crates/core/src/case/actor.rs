//! Who acts on a case: a person's role, and the sides (parties) they stand on in a case.

use serde::{Deserialize, Serialize};

use super::Case;
use crate::ids::{AgencyId, PersonId};
use crate::procedure::Party;

/// What a person does in the partnership.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Practitioner,
    /// A manager at any line of management in an agency.
    Manager,
    /// The partnership's chair or business unit.
    Chair,
    /// Looks after agencies, people and the partnership's procedure; acts on no case.
    Administrator,
}

/// The person acting, as identity established them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub person: PersonId,
    pub agency: AgencyId,
    pub role: Role,
}

impl Actor {
    /// The sides this actor stands on in a case between these agencies. A case's list entry
    /// carries both agencies, so a work queue needs no whole case to know.
    pub fn parties_in(&self, raising: &AgencyId, receiving: Option<&AgencyId>) -> Vec<Party> {
        if self.role == Role::Administrator {
            return Vec::new();
        }
        let mut parties = Vec::new();
        if &self.agency == raising {
            parties.push(Party::Raising);
        }
        if receiving == Some(&self.agency) {
            parties.push(Party::Receiving);
        }
        if self.role == Role::Chair {
            parties.push(Party::Partnership);
        }
        parties
    }
}

impl Case {
    /// The sides the actor stands on in this case.
    pub fn parties_of(&self, actor: &Actor) -> Vec<Party> {
        actor.parties_in(&self.raising_agency, self.receiving_agency.as_ref())
    }
}

/// A role as a sentence names it: "a manager cannot raise …".
pub(super) fn role_label(role: Role) -> &'static str {
    match role {
        Role::Practitioner => "a practitioner",
        Role::Manager => "a manager",
        Role::Chair => "the chair",
        Role::Administrator => "an administrator",
    }
}
