//! The UK working-day calendar: bank holidays of the three GOV.UK divisions, from rules plus a
//! table of one-off changes, plus imported GOV.UK lists and a partnership's own closure days.
//!
//! Architecture invariant: a date is a working day exactly when it is Monday to Friday, not a
//! bank holiday of the division and not a closure day. Nothing else (no time zone, no clock)
//! is involved here: timescales map instants to local dates before asking.

mod govuk;
mod one_offs;
mod rules;

pub use govuk::{GovUkBankHolidays, GovUkImportError};
pub use rules::{FIRST_YEAR, LAST_YEAR, YearOutOfRange, bank_holidays, easter_sunday};

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// One of the three bank-holiday divisions GOV.UK publishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Division {
    EnglandAndWales,
    Scotland,
    NorthernIreland,
}

impl Division {
    pub const ALL: [Division; 3] = [
        Division::EnglandAndWales,
        Division::Scotland,
        Division::NorthernIreland,
    ];

    /// The identifier GOV.UK and this product use: `england-and-wales`, `scotland`,
    /// `northern-ireland`.
    pub fn id(self) -> &'static str {
        match self {
            Division::EnglandAndWales => "england-and-wales",
            Division::Scotland => "scotland",
            Division::NorthernIreland => "northern-ireland",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Division::EnglandAndWales => "England and Wales",
            Division::Scotland => "Scotland",
            Division::NorthernIreland => "Northern Ireland",
        }
    }
}

impl fmt::Display for Division {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown division `{0}`: use one of england-and-wales, scotland, northern-ireland")]
pub struct UnknownDivision(pub String);

impl FromStr for Division {
    type Err = UnknownDivision;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Division::ALL
            .into_iter()
            .find(|d| d.id() == s)
            .ok_or_else(|| UnknownDivision(s.to_owned()))
    }
}

/// One bank holiday as GOV.UK lists it: the date, its title and its notes
/// (`"Substitute day"` when the holiday moved off a weekend, otherwise empty).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BankHoliday {
    pub date: NaiveDate,
    pub title: String,
    #[serde(default)]
    pub notes: String,
}

impl BankHoliday {
    fn new(date: NaiveDate, title: &str) -> Self {
        BankHoliday {
            date,
            title: title.to_owned(),
            notes: String::new(),
        }
    }

    fn substitute(date: NaiveDate, title: &str) -> Self {
        BankHoliday {
            date,
            title: title.to_owned(),
            notes: SUBSTITUTE.to_owned(),
        }
    }

    pub fn is_substitute(&self) -> bool {
        self.notes == SUBSTITUTE
    }
}

const SUBSTITUTE: &str = "Substitute day";

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// A partnership's working-day calendar: its division's bank holidays (rules, one-offs and
/// any imported GOV.UK list) and its own closure days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    division: Division,
    imported: GovUkBankHolidays,
    closure_days: BTreeSet<NaiveDate>,
}

impl Calendar {
    pub fn new(division: Division) -> Self {
        Calendar {
            division,
            imported: GovUkBankHolidays::default(),
            closure_days: BTreeSet::new(),
        }
    }

    pub fn with_closure_days(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.closure_days.extend(days);
        self
    }

    pub fn with_imported(mut self, imported: GovUkBankHolidays) -> Self {
        self.imported = imported;
        self
    }

    pub fn division(&self) -> Division {
        self.division
    }

    pub fn closure_days(&self) -> &BTreeSet<NaiveDate> {
        &self.closure_days
    }

    /// The division's bank holidays in a year: the imported list where there is one,
    /// otherwise the rules.
    pub fn bank_holidays(&self, year: i32) -> Result<Vec<BankHoliday>, YearOutOfRange> {
        match self.imported.year(self.division, year) {
            Some(days) => Ok(days.to_vec()),
            None => bank_holidays(self.division, year),
        }
    }

    /// Counts working days forward from `after` (which itself never counts) and returns the
    /// date of the `n`-th. `n == 0` returns `after`.
    pub fn nth_working_day_after(
        &self,
        after: NaiveDate,
        n: u32,
    ) -> Result<NaiveDate, YearOutOfRange> {
        let mut holidays_by_year: BTreeMap<i32, BTreeSet<NaiveDate>> = BTreeMap::new();
        let mut day = after;
        let mut counted = 0;
        while counted < n {
            day = day.succ_opt().ok_or(YearOutOfRange { year: day.year() })?;
            if is_weekend(day) || self.closure_days.contains(&day) {
                continue;
            }
            let holidays = match holidays_by_year.entry(day.year()) {
                std::collections::btree_map::Entry::Occupied(known) => known.into_mut(),
                std::collections::btree_map::Entry::Vacant(slot) => slot.insert(
                    self.bank_holidays(day.year())?
                        .into_iter()
                        .map(|h| h.date)
                        .collect(),
                ),
            };
            if holidays.contains(&day) {
                continue;
            }
            counted += 1;
        }
        Ok(day)
    }

    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, YearOutOfRange> {
        if is_weekend(date) || self.closure_days.contains(&date) {
            return Ok(false);
        }
        Ok(!self
            .bank_holidays(date.year())?
            .iter()
            .any(|holiday| holiday.date == date))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn imported_year_replaces_rules_and_closure_days_are_not_working_days() {
        let json = r#"{"england-and-wales":{"division":"england-and-wales","events":[
            {"title":"Proclaimed day","date":"2030-07-01","notes":"","bunting":true}]}}"#;
        let cal = Calendar::new(Division::EnglandAndWales)
            .with_imported(GovUkBankHolidays::parse(json).unwrap())
            .with_closure_days([d("2030-07-02")]);
        assert!(!cal.is_working_day(d("2030-07-01")).unwrap());
        assert!(!cal.is_working_day(d("2030-07-02")).unwrap());
        // The imported year is authoritative: the rules' Christmas is gone for 2030 …
        assert!(cal.is_working_day(d("2030-12-25")).unwrap());
        // … but other years still follow the rules.
        assert!(!cal.is_working_day(d("2031-12-25")).unwrap());
    }
}
