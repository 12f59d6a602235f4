//! The UK working-day calendar: bank holidays of the three GOV.UK divisions, from rules plus a
//! table of one-off changes, plus imported GOV.UK lists and a partnership's own closure days.
//!
//! Architecture invariant: a date is a working day exactly when it is Monday to Friday, not a
//! bank holiday of the division and not a closure day. Nothing else (no time zone, no clock)
//! is involved here: timescales map instants to local dates before asking.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The years the holiday rules are known to describe. Early May became a bank holiday in
/// 1978; beyond 2199 the Easter tables and the law are guesses.
pub const FIRST_YEAR: i32 = 1978;
pub const LAST_YEAR: i32 = 2199;

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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{year} is outside the years the bank-holiday rules cover ({FIRST_YEAR}–{LAST_YEAR}); \
     import a GOV.UK list that covers it"
)]
pub struct YearOutOfRange {
    pub year: i32,
}

/// The regular holidays, by the rule that makes them. A one-off change names the rule it
/// moves, so the rule's date is replaced rather than doubled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    NewYear,
    SecondJanuary,
    StPatrick,
    GoodFriday,
    EasterMonday,
    EarlyMay,
    Spring,
    BattleOfTheBoyne,
    Summer,
    StAndrew,
    Christmas,
    Boxing,
}

/// A change made by proclamation for one year.
enum OneOff {
    /// A regular holiday moved to another date (and possibly retitled).
    Moved {
        rule: Rule,
        to: (i32, u32, u32),
        title: &'static str,
    },
    /// An extra holiday in every division.
    Extra {
        on: (i32, u32, u32),
        title: &'static str,
    },
}

/// Royal proclamations since the rules began. GOV.UK's list starts in 2012; earlier entries
/// come from the proclamations themselves. New ones after a release arrive by GOV.UK import.
const ONE_OFFS: &[OneOff] = &[
    OneOff::Moved {
        rule: Rule::EarlyMay,
        to: (1995, 5, 8),
        title: "Early May bank holiday (VE day)",
    },
    OneOff::Extra {
        on: (1999, 12, 31),
        title: "Millennium Day",
    },
    OneOff::Moved {
        rule: Rule::Spring,
        to: (2002, 6, 4),
        title: "Spring bank holiday",
    },
    OneOff::Extra {
        on: (2002, 6, 3),
        title: "Golden Jubilee bank holiday",
    },
    OneOff::Extra {
        on: (2011, 4, 29),
        title: "Royal wedding",
    },
    OneOff::Moved {
        rule: Rule::Spring,
        to: (2012, 6, 4),
        title: "Spring bank holiday",
    },
    OneOff::Extra {
        on: (2012, 6, 5),
        title: "Queen’s Diamond Jubilee",
    },
    OneOff::Moved {
        rule: Rule::EarlyMay,
        to: (2020, 5, 8),
        title: "Early May bank holiday (VE day)",
    },
    OneOff::Moved {
        rule: Rule::Spring,
        to: (2022, 6, 2),
        title: "Spring bank holiday",
    },
    OneOff::Extra {
        on: (2022, 6, 3),
        title: "Platinum Jubilee bank holiday",
    },
    OneOff::Extra {
        on: (2022, 9, 19),
        title: "Bank Holiday for the State Funeral of Queen Elizabeth II",
    },
    OneOff::Extra {
        on: (2023, 5, 8),
        title: "Bank holiday for the coronation of King Charles III",
    },
];

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    // Only called with dates from the rules and the table above, which all exist.
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

/// Easter Sunday in the Gregorian calendar (the anonymous algorithm of Meeus, Jones and
/// Butcher).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

fn first_monday(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1).unwrap_or(NaiveDate::MIN)
}

fn last_monday(year: i32, month: u32) -> NaiveDate {
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let mut day = ymd(next_year, next_month, 1) - Duration::days(1);
    while day.weekday() != Weekday::Mon {
        day -= Duration::days(1);
    }
    day
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn next_weekday(mut date: NaiveDate) -> NaiveDate {
    while is_weekend(date) {
        date += Duration::days(1);
    }
    date
}

/// A fixed-date holiday that moves to the next weekday when it falls at a weekend.
fn fixed(rule: Rule, date: NaiveDate, title: &'static str) -> Vec<(Rule, BankHoliday)> {
    if is_weekend(date) {
        vec![(rule, BankHoliday::substitute(next_weekday(date), title))]
    } else {
        vec![(rule, BankHoliday::new(date, title))]
    }
}

/// Two consecutive fixed-date holidays whose substitutes keep their order: Scotland's New
/// Year's Day on a Sunday moves to Monday 2 January and pushes 2nd January to the Tuesday
/// (as GOV.UK lists 2023).
fn pair_in_order(
    first: (Rule, NaiveDate, &'static str),
    second: (Rule, NaiveDate, &'static str),
) -> Vec<(Rule, BankHoliday)> {
    let first_day = fixed(first.0, first.1, first.2);
    let first_date = first_day[0].1.date;
    let mut second_date = second.1;
    let moved = is_weekend(second_date) || second_date <= first_date;
    if moved {
        second_date = next_weekday(first_date.max(second_date) + Duration::days(1));
    }
    let second_day = if moved {
        BankHoliday::substitute(second_date, second.2)
    } else {
        BankHoliday::new(second_date, second.2)
    };
    let mut out = first_day;
    out.push((second.0, second_day));
    out
}

/// Christmas and Boxing Day: each one at a weekend takes the first weekday not already taken,
/// so Christmas on a Sunday leaves Boxing Day on the Monday and moves to the Tuesday.
fn pair(
    first: (Rule, NaiveDate, &'static str),
    second: (Rule, NaiveDate, &'static str),
) -> Vec<(Rule, BankHoliday)> {
    let mut taken = BTreeSet::new();
    for (_, date, _) in [first, second] {
        if !is_weekend(date) {
            taken.insert(date);
        }
    }
    let mut out = Vec::new();
    for (rule, date, title) in [first, second] {
        if is_weekend(date) {
            let mut sub = next_weekday(date);
            while taken.contains(&sub) {
                sub = next_weekday(sub + Duration::days(1));
            }
            taken.insert(sub);
            out.push((rule, BankHoliday::substitute(sub, title)));
        } else {
            out.push((rule, BankHoliday::new(date, title)));
        }
    }
    out
}

fn by_rule(division: Division, year: i32) -> Vec<(Rule, BankHoliday)> {
    let easter = easter_sunday(year);
    let mut days = Vec::new();
    match division {
        Division::Scotland => days.extend(pair_in_order(
            (Rule::NewYear, ymd(year, 1, 1), "New Year’s Day"),
            (Rule::SecondJanuary, ymd(year, 1, 2), "2nd January"),
        )),
        _ => days.extend(fixed(Rule::NewYear, ymd(year, 1, 1), "New Year’s Day")),
    }
    if division == Division::NorthernIreland {
        days.extend(fixed(Rule::StPatrick, ymd(year, 3, 17), "St Patrick’s Day"));
    }
    days.push((
        Rule::GoodFriday,
        BankHoliday::new(easter - Duration::days(2), "Good Friday"),
    ));
    if division != Division::Scotland {
        days.push((
            Rule::EasterMonday,
            BankHoliday::new(easter + Duration::days(1), "Easter Monday"),
        ));
    }
    days.push((
        Rule::EarlyMay,
        BankHoliday::new(first_monday(year, 5), "Early May bank holiday"),
    ));
    days.push((
        Rule::Spring,
        BankHoliday::new(last_monday(year, 5), "Spring bank holiday"),
    ));
    if division == Division::NorthernIreland {
        days.extend(fixed(
            Rule::BattleOfTheBoyne,
            ymd(year, 7, 12),
            "Battle of the Boyne (Orangemen’s Day)",
        ));
    }
    let summer = match division {
        Division::Scotland => first_monday(year, 8),
        _ => last_monday(year, 8),
    };
    days.push((
        Rule::Summer,
        BankHoliday::new(summer, "Summer bank holiday"),
    ));
    if division == Division::Scotland {
        days.extend(fixed(Rule::StAndrew, ymd(year, 11, 30), "St Andrew’s Day"));
    }
    days.extend(pair(
        (Rule::Christmas, ymd(year, 12, 25), "Christmas Day"),
        (Rule::Boxing, ymd(year, 12, 26), "Boxing Day"),
    ));
    days
}

/// The bank holidays of a division in a year, from the rules and the one-off table,
/// in date order.
pub fn bank_holidays(division: Division, year: i32) -> Result<Vec<BankHoliday>, YearOutOfRange> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(YearOutOfRange { year });
    }
    let mut days = by_rule(division, year);
    for one_off in ONE_OFFS {
        match *one_off {
            OneOff::Moved { rule, to, title } if to.0 == year => {
                for (r, day) in days.iter_mut() {
                    if *r == rule {
                        *day = BankHoliday::new(ymd(to.0, to.1, to.2), title);
                    }
                }
            }
            OneOff::Extra { on, title } if on.0 == year => {
                // The rule is irrelevant for an extra day; reuse one that no move names.
                days.push((
                    Rule::StAndrew,
                    BankHoliday::new(ymd(on.0, on.1, on.2), title),
                ));
            }
            _ => {}
        }
    }
    let mut days: Vec<BankHoliday> = days.into_iter().map(|(_, day)| day).collect();
    days.sort();
    Ok(days)
}

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
    fn easter_matches_known_dates() {
        for (year, date) in [
            (2019, "2019-04-21"),
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2038, "2038-04-25"),
            (2185, "2185-04-17"),
            (2285, "2285-03-22"),
        ] {
            assert_eq!(easter_sunday(year), d(date), "{year}");
        }
    }

    #[test]
    fn boxing_day_on_saturday_moves_to_monday() {
        let days = bank_holidays(Division::EnglandAndWales, 2026).unwrap();
        let boxing = days.iter().find(|h| h.title == "Boxing Day").unwrap();
        assert_eq!(boxing.date, d("2026-12-28"));
        assert!(boxing.is_substitute());
    }

    #[test]
    fn christmas_on_sunday_puts_boxing_day_on_monday_and_christmas_on_tuesday() {
        let days = bank_holidays(Division::EnglandAndWales, 2022).unwrap();
        let found: Vec<_> = days
            .iter()
            .filter(|h| h.date.month() == 12)
            .map(|h| (h.date, h.title.as_str(), h.is_substitute()))
            .collect();
        assert_eq!(
            found,
            [
                (d("2022-12-26"), "Boxing Day", false),
                (d("2022-12-27"), "Christmas Day", true)
            ]
        );
    }

    #[test]
    fn years_outside_the_rules_are_refused_not_guessed() {
        assert_eq!(
            bank_holidays(Division::Scotland, 1977),
            Err(YearOutOfRange { year: 1977 })
        );
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

    #[test]
    fn a_file_with_an_unknown_division_is_refused() {
        let json = r#"{"wales":{"division":"wales","events":[]}}"#;
        let err = GovUkBankHolidays::parse(json).unwrap_err().to_string();
        assert!(err.contains("unknown variant `wales`"), "{err}");
    }
}
