//! Who acts on a case: a person's role and level of management, the sides (parties) they
//! stand on in a case, and whose decision a response records.

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

/// A manager's level of management in their agency, lowest first: procedures ask a level
/// at a stage ("Service Manager", "Head of Service", "Director"), and a person of that level
/// or above answers. Spelt in kebab case in files and JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// First line management: team leader, senior practitioner, immediate line manager.
    FirstLine,
    /// Second line management: service manager, team or area manager, second-tier manager.
    SecondLine,
    /// Head of service, designated safeguarding lead, designated professional.
    HeadOfService,
    /// Assistant or deputy director, director, headteacher or governor, or equivalent.
    Director,
    /// Scotland's Chief Social Work Officer.
    ChiefSocialWorkOfficer,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Practitioner,
        Role::Manager,
        Role::Chair,
        Role::Administrator,
    ];

    /// The role as files, JSON and sign-in claims spell it.
    pub fn name(self) -> &'static str {
        match self {
            Role::Practitioner => "practitioner",
            Role::Manager => "manager",
            Role::Chair => "chair",
            Role::Administrator => "administrator",
        }
    }

    /// The role a [`Role::name`] spells, if it spells one.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.name() == name)
    }
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::FirstLine,
        Level::SecondLine,
        Level::HeadOfService,
        Level::Director,
        Level::ChiefSocialWorkOfficer,
    ];

    /// The level as files spell it.
    pub fn name(self) -> &'static str {
        match self {
            Level::FirstLine => "first-line",
            Level::SecondLine => "second-line",
            Level::HeadOfService => "head-of-service",
            Level::Director => "director",
            Level::ChiefSocialWorkOfficer => "chief-social-work-officer",
        }
    }

    /// The level in words: "head of service".
    pub fn label(self) -> &'static str {
        match self {
            Level::FirstLine => "first line manager",
            Level::SecondLine => "second line / service manager",
            Level::HeadOfService => "head of service",
            Level::Director => "director",
            Level::ChiefSocialWorkOfficer => "Chief Social Work Officer",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Whose decision a response or a decision records: the person, their agency and their level
/// as the partnership's configuration knows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decider {
    pub person: PersonId,
    pub agency: AgencyId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
}

/// The person acting, as identity established them; their level and, when they record a
/// decision on someone's behalf, whose decision it is, as the application resolved them from
/// the partnership's configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub person: PersonId,
    pub agency: AgencyId,
    pub role: Role,
    /// The actor's level of management; `None` for a practitioner, or a person the
    /// configuration gives no level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// The person whose decision the actor records (a response or a decision recorded by a
    /// manager on their behalf).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<Decider>,
}

impl Actor {
    /// An actor with no level, acting for themselves.
    pub fn new(person: PersonId, agency: AgencyId, role: Role) -> Self {
        Actor {
            person,
            agency,
            role,
            level: None,
            on_behalf_of: None,
        }
    }

    /// This actor at a level of management.
    pub fn at_level(self, level: Level) -> Self {
        Actor {
            level: Some(level),
            ..self
        }
    }

    /// This actor recording the decision of `decider`.
    pub fn for_decider(self, decider: Decider) -> Self {
        Actor {
            on_behalf_of: Some(decider),
            ..self
        }
    }

    /// Whose decision this actor's action records: the person named, or the actor.
    pub fn decider(&self) -> Decider {
        self.on_behalf_of.clone().unwrap_or_else(|| Decider {
            person: self.person.clone(),
            agency: self.agency.clone(),
            level: self.level,
        })
    }

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
pub(crate) fn role_label(role: Role) -> &'static str {
    match role {
        Role::Practitioner => "a practitioner",
        Role::Manager => "a manager",
        Role::Chair => "the chair",
        Role::Administrator => "an administrator",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sign-in claims, the people forms and stored files all spell a role by its name: the
    /// names must be the JSON spelling, and read back to the same role.
    #[test]
    fn a_role_s_name_is_its_json_spelling_and_reads_back() {
        for role in Role::ALL {
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.name()));
            assert_eq!(Role::from_name(role.name()), Some(role));
        }
        assert_eq!(Role::from_name("Chair"), None, "names are exact");
        assert_eq!(Role::from_name("owner"), None);
    }
}
