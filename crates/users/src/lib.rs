//! The user directory port: where people sign in. Adding a person to a partnership's
//! configuration also creates their sign-in, carrying the claims the API reads
//! (`custom:person`, `custom:partnership`, `custom:agency`, `custom:role`, `email`).
//!
//! Adapters: `escalations-users-cognito` (AdminCreateUser on the deployment's user pool) and
//! [`NoDirectory`] (the local stack, whose people sign in with demo tokens).

use async_trait::async_trait;
use escalations_core::case::Role;
use escalations_core::ids::{AgencyId, PartnershipId, PersonId};
use escalations_core::partnership::EmailAddress;

/// A person to give a sign-in: ids and the address the invitation goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    pub partnership: PartnershipId,
    pub person: PersonId,
    pub name: String,
    pub email: EmailAddress,
    pub agency: AgencyId,
    pub role: Role,
}

/// What creating a sign-in did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserCreated {
    /// Created now; the directory sends the person an invitation.
    Created,
    /// A sign-in with this address already existed (a retried change): nothing was changed.
    AlreadyExisted,
    /// This directory has no sign-ins to create (the local stack).
    NotNeeded,
}

#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    /// The directory refused this user for good (an address it does not accept).
    #[error("the sign-in cannot be created: {0}")]
    Refused(String),
    /// The directory could not be reached or failed: nothing was created; try again.
    #[error("the user directory is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Creates people's sign-ins.
#[async_trait]
pub trait UserDirectory: Send + Sync {
    /// Creates the person's sign-in, or finds it already there (creating twice is harmless).
    async fn create_user(&self, user: &NewUser) -> Result<UserCreated, UsersError>;
}

/// No directory: the local stack's people sign in with its own demo tokens.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoDirectory;

#[async_trait]
impl UserDirectory for NoDirectory {
    async fn create_user(&self, _user: &NewUser) -> Result<UserCreated, UsersError> {
        Ok(UserCreated::NotNeeded)
    }
}
