//! How and when the discussion behind a response or an escalation happened, with whom by role
//! and agency: "All escalations should be recorded to ensure that the procedure is effective,
//! transparent and for SSCP auditing purposes" (Sefton); "Conversations between
//! professionals, telephone calls and emails should be recorded on the child's file"
//! (Medway).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{EventKind, Transition, local_time};
use crate::ids::{AgencyId, Text};

/// How the discussion happened: "Escalation can be via telephone, face-to-face or internet
/// meeting" (Sefton), or by email (Medway's "telephone calls and emails").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContactMethod {
    Telephone,
    FaceToFace,
    OnlineMeeting,
    Email,
}

impl ContactMethod {
    pub const ALL: [ContactMethod; 4] = [
        ContactMethod::Telephone,
        ContactMethod::FaceToFace,
        ContactMethod::OnlineMeeting,
        ContactMethod::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactMethod::Telephone => "telephone",
            ContactMethod::FaceToFace => "face-to-face",
            ContactMethod::OnlineMeeting => "online-meeting",
            ContactMethod::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<ContactMethod> {
        ContactMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// One recorded contact. `with_role` is free text: it stays on the case, never in events,
/// logs, notices or reports (which may carry only the method and the instant).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub method: ContactMethod,
    /// When the discussion happened: never in the future.
    pub at: DateTime<Utc>,
    /// Whom it was with, by role ("Team Manager, Children's Social Care").
    pub with_role: Text,
    /// Their agency, one of the partnership's.
    pub with_agency: AgencyId,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactRefused {
    #[error("the discussion cannot be in the future: {given} is later than now")]
    InFuture { given: String },
    #[error("this action records no response or escalation to note a discussion on")]
    NothingToRecordOn,
}

impl Transition {
    /// Notes on the response or escalation this transition recorded how and when the
    /// discussion behind it happened.
    pub fn with_contact(mut self, contact: Contact) -> Result<Transition, ContactRefused> {
        if contact.at > self.case.updated_at {
            return Err(ContactRefused::InFuture {
                given: local_time(contact.at),
            });
        }
        let recorded = self.events.iter().find_map(|e| match e.kind {
            EventKind::Responded { .. } => Some(true),
            EventKind::Escalated { .. } => Some(false),
            _ => None,
        });
        let slot = match recorded {
            Some(true) => self.case.responses.last_mut().map(|r| &mut r.contact),
            Some(false) => self.case.escalations.last_mut().map(|e| &mut e.contact),
            None => None,
        };
        *slot.ok_or(ContactRefused::NothingToRecordOn)? = Some(contact);
        Ok(self)
    }
}
