//! Who the caller is in their partnership, and which procedures it uses.

use escalations_core::Procedure;
use escalations_core::access::Principal;
use escalations_store::{PartnershipConfig, Person, StoreError};

use crate::{App, NotSetUp};

/// The caller as their partnership's configuration knows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeDetail {
    /// `None` when the person is not (or no longer) in the configuration.
    pub person: Option<Person>,
    pub partnership: PartnershipConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error(transparent)]
    NotSetUp(#[from] NotSetUp),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl App {
    /// The caller and their partnership.
    pub async fn me(&self, who: &Principal) -> Result<MeDetail, DirectoryError> {
        let partnership = self.config::<DirectoryError>(who).await?;
        let person = partnership
            .people
            .iter()
            .find(|p| p.id == who.actor.person)
            .cloned();
        Ok(MeDetail {
            person,
            partnership,
        })
    }

    /// The procedures the caller's partnership uses, in its order.
    pub async fn procedures(&self, who: &Principal) -> Result<Vec<&Procedure>, DirectoryError> {
        let config = self.config::<DirectoryError>(who).await?;
        Ok(config
            .procedures
            .iter()
            .filter_map(|id| self.catalogue.get(id.as_str()))
            .collect())
    }
}
