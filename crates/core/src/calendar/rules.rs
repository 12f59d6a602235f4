//! Bank holidays by rule: Easter, first and last Mondays, fixed dates with their substitute
//! days, which division keeps which holiday, and the one-off changes applied on top.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::one_offs::{ONE_OFFS, OneOff};
use super::{BankHoliday, Division, is_weekend};

/// The years the holiday rules are known to describe. Early May became a bank holiday in
/// 1978; beyond 2199 the Easter tables and the law are guesses.
pub const FIRST_YEAR: i32 = 1978;
pub const LAST_YEAR: i32 = 2199;

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
pub(super) enum Rule {
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

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    // Only called with dates from the rules and the one-off table, which all exist.
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
}
