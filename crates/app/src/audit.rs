//! The audit of a case: who has read it (its access history) and its full record, exported
//! for a subject access request (UK GDPR article 15). Both are the partnership's to answer
//! for, so both are its chair's and business unit's.

use chrono::{DateTime, Utc};
use escalations_core::access::{CaseAccess, CasePart, Denied, Principal};
use escalations_core::ids::{CaseId, PersonId};
use escalations_store::Notice;

use crate::App;
use crate::view::{CaseDetail, ViewError};

/// Everything the partnership holds about one case, as exported: the case with its forms and
/// chronology (`detail`), the notices sent about it, and who has read it — this export
/// included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRecord {
    pub exported_at: DateTime<Utc>,
    pub exported_by: PersonId,
    pub detail: CaseDetail,
    pub notices: Vec<Notice>,
    pub access: Vec<Read>,
}

/// One read of the access history, with the reader's name where the partnership still knows
/// them (people leave; their reads stay).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Read {
    pub access: CaseAccess,
    pub name: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// Not the chair or business unit: refused before any case is looked at, so the refusal
    /// says nothing of whether the case exists.
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    View(#[from] ViewError),
}

impl App {
    /// Who has read the case, oldest first.
    pub async fn access_history(
        &self,
        who: &Principal,
        id: &CaseId,
    ) -> Result<Vec<Read>, AuditError> {
        who.may_audit("see who has read a case")?;
        let case = self.load_viewable(who, id).await?;
        self.reads(who, &case.id).await
    }

    async fn reads(&self, who: &Principal, id: &CaseId) -> Result<Vec<Read>, AuditError> {
        let config = self.config::<ViewError>(who).await?;
        let history = self
            .store
            .access_history(&who.partnership, id)
            .await
            .map_err(ViewError::from)?;
        Ok(history
            .into_iter()
            .map(|access| Read {
                name: config
                    .people
                    .iter()
                    .find(|p| p.id == access.by)
                    .map(|p| p.name.clone()),
                access,
            })
            .collect())
    }

    /// The case's full record. The export is itself a read, kept in the access history
    /// before anything is read for it.
    pub async fn export_case(
        &self,
        who: &Principal,
        id: &CaseId,
        now: DateTime<Utc>,
    ) -> Result<CaseRecord, AuditError> {
        who.may_audit("export a case's full record")?;
        let case = self.read_case(who, id, CasePart::Export, now).await?;
        let calendar = self.config::<ViewError>(who).await?.calendar();
        let detail = self.detail(who, case, &calendar, now).await?;
        let notices = self
            .store
            .notices(&who.partnership, &detail.case.id)
            .await
            .map_err(ViewError::from)?;
        let access = self.reads(who, &detail.case.id).await?;
        Ok(CaseRecord {
            exported_at: now,
            exported_by: who.actor.person.clone(),
            detail,
            notices,
            access,
        })
    }
}
