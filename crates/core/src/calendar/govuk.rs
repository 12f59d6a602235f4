//! Importing GOV.UK's published bank-holiday lists, which replace the rules year by year.

use std::collections::BTreeMap;

use chrono::Datelike;
use serde::Deserialize;

use super::{BankHoliday, Division};

/// A GOV.UK `bank-holidays.json` file (<https://www.gov.uk/bank-holidays.json>): for every
/// division and every year it lists, its list replaces the rules' list for that year. That is
/// how a one-off day proclaimed after a release reaches the product.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GovUkBankHolidays {
    years: BTreeMap<(Division, i32), Vec<BankHoliday>>,
}

#[derive(Debug, thiserror::Error)]
pub enum GovUkImportError {
    #[error("not a GOV.UK bank-holidays.json file: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the division key `{key}` does not match its `division` field `{field}`")]
    DivisionMismatch { key: String, field: String },
    #[error("the file lists no bank holidays")]
    Empty,
}

#[derive(Deserialize)]
struct GovUkDivision {
    division: String,
    events: Vec<BankHoliday>,
}

impl GovUkBankHolidays {
    /// Parses GOV.UK's JSON. Divisions other than the three known ones are an error, since a
    /// misspelt division would otherwise be silently ignored.
    pub fn parse(json: &str) -> Result<Self, GovUkImportError> {
        let raw: BTreeMap<Division, GovUkDivision> = serde_json::from_str(json)?;
        let mut years: BTreeMap<(Division, i32), Vec<BankHoliday>> = BTreeMap::new();
        for (division, listed) in raw {
            if listed.division != division.id() {
                return Err(GovUkImportError::DivisionMismatch {
                    key: division.id().to_owned(),
                    field: listed.division,
                });
            }
            for day in listed.events {
                years
                    .entry((division, day.date.year()))
                    .or_default()
                    .push(day);
            }
        }
        if years.is_empty() {
            return Err(GovUkImportError::Empty);
        }
        for days in years.values_mut() {
            days.sort();
        }
        Ok(GovUkBankHolidays { years })
    }

    /// The imported list for a division and year, if the file covered that year.
    pub fn year(&self, division: Division, year: i32) -> Option<&[BankHoliday]> {
        self.years.get(&(division, year)).map(Vec::as_slice)
    }

    /// Every (division, year) the file covers.
    pub fn covered(&self) -> impl Iterator<Item = (Division, i32)> + '_ {
        self.years.keys().copied()
    }

    /// Every bank holiday the file lists, by division then date.
    pub fn all(&self, division: Division) -> Vec<BankHoliday> {
        self.years
            .iter()
            .filter(|((d, _), _)| *d == division)
            .flat_map(|(_, days)| days.iter().cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_with_an_unknown_division_is_refused() {
        let json = r#"{"wales":{"division":"wales","events":[]}}"#;
        let err = GovUkBankHolidays::parse(json).unwrap_err().to_string();
        assert!(err.contains("unknown variant `wales`"), "{err}");
    }
}
