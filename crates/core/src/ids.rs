//! Identifiers and text that are valid by construction.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a valid id: use lower-case letters, digits and single hyphens \
     (for example `stage-1`)"
)]
pub struct InvalidId(pub String);

/// Lower-case kebab case: `[a-z0-9]+(-[a-z0-9]+)*`, at most 64 characters.
pub fn is_kebab_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

macro_rules! kebab_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, InvalidId> {
                if is_kebab_id(s) {
                    Ok($name(s.to_owned()))
                } else {
                    Err(InvalidId(s.to_owned()))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                // The string read is kept as is: no second copy.
                let s = String::deserialize(d)?;
                if is_kebab_id(&s) {
                    Ok($name(s))
                } else {
                    Err(serde::de::Error::custom(InvalidId(s)))
                }
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

kebab_id!(
    /// An agreed action's id within its case: `a1`, `a2`, … in the order the actions were
    /// agreed.
    ActionId
);

impl ActionId {
    /// The id of the `index`th (from zero) action agreed in a case.
    pub fn nth(index: usize) -> Self {
        ActionId(format!("a{}", index + 1))
    }
}

kebab_id!(
    /// A procedure's fixed id, such as `medway` or `sscp-mset-non-attendance`.
    ProcedureId
);
kebab_id!(
    /// A stage's id within its procedure, such as `step-2`.
    StageId
);
kebab_id!(
    /// A clock's id within its stage, such as `response` or `chair-reply`.
    ClockId
);
kebab_id!(
    /// A reason for escalation within a procedure.
    ReasonId
);
kebab_id!(
    /// A level of need within a procedure (Sefton: `early-help`, `s17`, `s47`).
    LevelId
);
kebab_id!(
    /// A form (pro-forma) within a procedure.
    FormId
);
kebab_id!(
    /// A field within a form.
    FieldId
);
kebab_id!(
    /// A mailbox a procedure copies to, such as `recording`.
    MailboxId
);
kebab_id!(
    /// A safeguarding children partnership: the tenant every stored key and query carries.
    PartnershipId
);
kebab_id!(
    /// An agency within a partnership, such as `kent-police`.
    AgencyId
);
kebab_id!(
    /// A person within a partnership.
    PersonId
);
kebab_id!(
    /// A case within a partnership. Assigned by the caller, so the core stays free of
    /// randomness and clocks.
    CaseId
);

/// Trimmed, non-empty free text of bounded length: what a practitioner writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Text(String);

/// The longest free text accepted in one field, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidText {
    #[error("is empty: write something here")]
    Empty,
    #[error("is {0} characters long: the limit is {MAX_TEXT_CHARS}")]
    TooLong(usize),
}

impl Text {
    pub fn parse(s: &str) -> Result<Self, InvalidText> {
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Err(InvalidText::Empty);
        }
        let chars = trimmed.chars().count();
        if chars > MAX_TEXT_CHARS {
            return Err(InvalidText::TooLong(chars));
        }
        Ok(Text(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Text::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_ids() {
        for ok in ["medway", "stage-1", "sscp-mset-non-attendance", "s47"] {
            assert!(is_kebab_id(ok), "{ok}");
        }
        for bad in ["", "Stage-1", "stage_1", "-a", "a-", "a--b", "stage 1"] {
            assert!(!is_kebab_id(bad), "{bad}");
        }
    }

    #[test]
    fn text_is_trimmed_and_never_empty() {
        assert_eq!(Text::parse("  hi ").unwrap().as_str(), "hi");
        assert_eq!(Text::parse(" \n "), Err(InvalidText::Empty));
    }
}
