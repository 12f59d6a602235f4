//! A keyed hash of a child's identity, so that raising can warn of an open escalation about
//! the same child with the same agency ("Concerns should not be escalated multiple times" —
//! Moray) without the child's name or date of birth ever being in a list entry or an index.
//!
//! The key is HMAC-SHA-256 under a per-deployment secret of the child's normalised name and
//! date of birth: without the secret, a list entry's key cannot be tested against guessed
//! names. Normalising makes "Zoë O'Brien-Smith" and "  zoe obrien smith " the same child and
//! ignores the order of the names; a child without a date of birth gets no key (a name alone
//! would warn about other children).

use std::fmt;

use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::{Child, Transition};

/// The deployment's secret for child keys: at least 32 bytes, never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct MatchSecret(Vec<u8>);

/// Why bytes cannot be a match secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a match secret needs at least {MIN_SECRET_BYTES} bytes, not {0}")]
pub struct SecretTooShort(pub usize);

pub const MIN_SECRET_BYTES: usize = 32;

impl MatchSecret {
    pub fn new(bytes: Vec<u8>) -> Result<Self, SecretTooShort> {
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(SecretTooShort(bytes.len()));
        }
        Ok(MatchSecret(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for MatchSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MatchSecret(…)")
    }
}

/// A child's keyed hash: 32 lower-case hex digits (128 bits of HMAC-SHA-256).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChildKey(String);

impl ChildKey {
    /// The key of this child's name and date of birth; `None` without a date of birth.
    pub fn of(secret: &MatchSecret, child: &Child) -> Option<ChildKey> {
        let born = child.date_of_birth?;
        Some(Self::of_name(secret, child.name.as_str(), born))
    }

    fn of_name(secret: &MatchSecret, name: &str, born: NaiveDate) -> ChildKey {
        let mut mac = <Hmac<Sha256>>::new_from_slice(secret.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(normalised_name(name).as_bytes());
        mac.update(b"\n");
        mac.update(born.format("%Y-%m-%d").to_string().as_bytes());
        let digest = mac.finalize().into_bytes();
        ChildKey(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Transition {
    /// The newly raised case keyed by its child under the deployment's secret (a case with no
    /// child, or no date of birth, has no key).
    pub fn with_child_key(mut self, secret: &MatchSecret) -> Self {
        self.case.child_key = self
            .case
            .child
            .as_ref()
            .and_then(|child| ChildKey::of(secret, child));
        self
    }
}

/// Lower case, accents and apostrophes dropped, other punctuation a space, names sorted:
/// "Zoë O'Brien-Smith" → "obrien smith zoe".
fn normalised_name(name: &str) -> String {
    let folded: String = name
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(|c| !matches!(c, '\'' | '’' | '`' | '.'))
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut words: Vec<&str> = folded.split_whitespace().collect();
    words.sort_unstable();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Text;

    fn secret(byte: u8) -> MatchSecret {
        MatchSecret::new(vec![byte; 32]).unwrap()
    }

    fn child(name: &str, born: Option<&str>) -> Child {
        Child {
            name: Text::parse(name).unwrap(),
            date_of_birth: born.map(|d| d.parse().unwrap()),
            address: None,
            child_protection_plan: false,
            in_care: false,
        }
    }

    fn key(name: &str, born: &str) -> ChildKey {
        ChildKey::of(&secret(7), &child(name, Some(born))).unwrap()
    }

    #[test]
    fn spelling_case_accents_punctuation_and_name_order_do_not_matter() {
        let k = key("Zoë O'Brien-Smith", "2016-03-04");
        assert_eq!(key("  zoe   obrien smith ", "2016-03-04"), k);
        assert_eq!(key("ZOE O’BRIEN SMITH", "2016-03-04"), k);
        assert_eq!(key("O'Brien-Smith, Zoë", "2016-03-04"), k);
    }

    #[test]
    fn another_name_or_birthday_is_another_child() {
        let k = key("Zoë O'Brien-Smith", "2016-03-04");
        assert_ne!(key("Zoë O'Brien-Smith", "2016-03-05"), k);
        assert_ne!(key("Zoë O'Brien", "2016-03-04"), k);
        assert_ne!(key("Chloe O'Brien-Smith", "2016-03-04"), k);
    }

    #[test]
    fn the_key_depends_on_the_deployment_secret_and_never_shows_the_name() {
        let c = child("Zebedee Quillfeather", Some("2015-11-30"));
        let ours = ChildKey::of(&secret(1), &c).unwrap();
        let theirs = ChildKey::of(&secret(2), &c).unwrap();
        assert_ne!(ours, theirs);
        assert_eq!(ours.as_str().len(), 32);
        assert!(ours.as_str().chars().all(|c| c.is_ascii_hexdigit()));
        let json = serde_json::to_string(&ours).unwrap();
        assert!(!json.to_lowercase().contains("zebedee"));
        assert!(!json.contains("2015"));
    }

    #[test]
    fn a_child_without_a_date_of_birth_has_no_key() {
        assert_eq!(ChildKey::of(&secret(1), &child("Zoë Smith", None)), None);
    }

    #[test]
    fn a_short_secret_is_refused_and_never_printed() {
        assert_eq!(MatchSecret::new(vec![0; 31]), Err(SecretTooShort(31)));
        assert_eq!(format!("{:?}", secret(9)), "MatchSecret(…)");
    }
}
