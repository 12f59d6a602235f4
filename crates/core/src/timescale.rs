//! Timescales and due instants, exactly as `procedures.md` defines them.
//!
//! Architecture invariant: every due instant is computed here and only here, from the
//! instant a clock started, the timescale and the partnership's calendar. Dates are the
//! partnership's local civil dates in Europe/London; "end of day" is the next local midnight.

use std::fmt;
use std::num::NonZeroU32;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, YearOutOfRange};

/// The time zone of every partnership this product serves.
pub const ZONE: chrono_tz::Tz = London;

/// How long someone has to act. Values are bounded at load so that no arithmetic overflows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timescale {
    /// Elapsed time: weekends, holidays and clock changes do not move it.
    Hours(NonZeroU32),
    /// The end of the N-th working day after the start date (which never counts).
    WorkingDays(NonZeroU32),
    /// The end of the local date N days after the start date.
    CalendarDays(NonZeroU32),
    /// 7N calendar days.
    Weeks(NonZeroU32),
    /// The end of the same day of month N months on, clamped to a shorter month's last day.
    Months(NonZeroU32),
}

/// The unit names used in procedure files, in the order they are suggested.
pub const UNITS: [&str; 5] = ["hours", "working_days", "calendar_days", "weeks", "months"];

impl Timescale {
    /// The largest value each unit accepts: a year, comfortably beyond any procedure.
    pub fn max_for(unit: &str) -> u32 {
        match unit {
            "hours" => 24 * 366,
            "working_days" => 260,
            "calendar_days" => 366,
            "weeks" => 52,
            "months" => 12,
            _ => 0,
        }
    }

    /// Builds a timescale from a unit name and a count, as a procedure file states it.
    pub fn from_unit(unit: &str, count: u32) -> Result<Timescale, TimescaleError> {
        let n = NonZeroU32::new(count).ok_or(TimescaleError::Zero)?;
        let max = Timescale::max_for(unit);
        if max == 0 {
            return Err(TimescaleError::UnknownUnit(unit.to_owned()));
        }
        if count > max {
            return Err(TimescaleError::TooLong {
                unit: unit_label(unit, max),
                max,
            });
        }
        Ok(match unit {
            "hours" => Timescale::Hours(n),
            "working_days" => Timescale::WorkingDays(n),
            "calendar_days" => Timescale::CalendarDays(n),
            "weeks" => Timescale::Weeks(n),
            _ => Timescale::Months(n),
        })
    }

    pub fn unit(&self) -> &'static str {
        match self {
            Timescale::Hours(_) => "hours",
            Timescale::WorkingDays(_) => "working_days",
            Timescale::CalendarDays(_) => "calendar_days",
            Timescale::Weeks(_) => "weeks",
            Timescale::Months(_) => "months",
        }
    }

    pub fn count(&self) -> u32 {
        match *self {
            Timescale::Hours(n)
            | Timescale::WorkingDays(n)
            | Timescale::CalendarDays(n)
            | Timescale::Weeks(n)
            | Timescale::Months(n) => n.get(),
        }
    }

    /// The instant a clock with this timescale, started at `start`, falls due.
    pub fn due(
        &self,
        start: DateTime<Utc>,
        calendar: &Calendar,
    ) -> Result<DateTime<Utc>, YearOutOfRange> {
        let out_of_range = || YearOutOfRange { year: start.year() };
        let start_date = local_date(start);
        let last_day = match *self {
            Timescale::Hours(n) => {
                return start
                    .checked_add_signed(chrono::Duration::hours(i64::from(n.get())))
                    .ok_or_else(out_of_range);
            }
            Timescale::WorkingDays(n) => calendar.nth_working_day_after(start_date, n.get())?,
            Timescale::CalendarDays(n) => start_date
                .checked_add_days(Days::new(u64::from(n.get())))
                .ok_or_else(out_of_range)?,
            Timescale::Weeks(n) => start_date
                .checked_add_days(Days::new(7 * u64::from(n.get())))
                .ok_or_else(out_of_range)?,
            // chrono clamps to the last day of a shorter month, as procedures.md requires.
            Timescale::Months(n) => start_date
                .checked_add_months(Months::new(n.get()))
                .ok_or_else(out_of_range)?,
        };
        end_of_local_day(last_day).ok_or_else(out_of_range)
    }
}

/// The partnership's local civil date of an instant.
pub fn local_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&ZONE).date_naive()
}

/// The next local midnight after the start of `date`, as an instant: 00:00 UTC the next day
/// in winter, 23:00 UTC on the day in summer.
pub fn end_of_local_day(date: NaiveDate) -> Option<DateTime<Utc>> {
    let next = date.succ_opt()?.and_hms_opt(0, 0, 0)?;
    // UK clocks change at 01:00 and 02:00, so local midnight always exists exactly once;
    // `earliest` keeps this total should that ever change.
    ZONE.from_local_datetime(&next)
        .earliest()
        .map(|local| local.with_timezone(&Utc))
}

fn unit_label(unit: &str, count: u32) -> String {
    let singular = match unit {
        "hours" => "hour",
        "working_days" => "working day",
        "calendar_days" => "calendar day",
        "weeks" => "week",
        "months" => "month",
        other => other,
    };
    if count == 1 {
        format!("1 {singular}")
    } else {
        format!("{count} {singular}s")
    }
}

impl fmt::Display for Timescale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&unit_label(self.unit(), self.count()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimescaleError {
    #[error("a timescale of zero gives no time at all: give a count of 1 or more")]
    Zero,
    #[error("unknown unit `{0}`: use one of hours, working_days, calendar_days, weeks, months")]
    UnknownUnit(String),
    #[error("a timescale longer than {unit} is not supported")]
    TooLong { unit: String, max: u32 },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Division;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn due(timescale: Timescale, from: &str, division: Division) -> String {
        timescale
            .due(at(from), &Calendar::new(division))
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    fn wd(n: u32) -> Timescale {
        Timescale::WorkingDays(NonZeroU32::new(n).unwrap())
    }

    #[test]
    fn the_worked_example_in_procedures_md() {
        assert_eq!(
            due(wd(2), "2026-12-23T15:00:00Z", Division::EnglandAndWales),
            "2026-12-30T00:00:00Z"
        );
    }

    #[test]
    fn end_of_day_is_local_midnight_in_summer_time() {
        // Wednesday 1 July 2026, 1 working day → end of Thursday 2 July = 23:00 UTC.
        assert_eq!(
            due(wd(1), "2026-07-01T09:00:00Z", Division::EnglandAndWales),
            "2026-07-02T23:00:00Z"
        );
    }

    #[test]
    fn a_start_just_after_local_midnight_in_summer_counts_from_the_local_date() {
        // 23:30 UTC on Monday 6 July is 00:30 on Tuesday 7 July in London: D0 is Tuesday.
        assert_eq!(
            due(wd(1), "2026-07-06T23:30:00Z", Division::EnglandAndWales),
            "2026-07-08T23:00:00Z"
        );
    }

    #[test]
    fn hours_are_elapsed_time_across_the_spring_clock_change() {
        let h = Timescale::Hours(NonZeroU32::new(24).unwrap());
        assert_eq!(
            due(h, "2026-03-28T12:00:00Z", Division::EnglandAndWales),
            "2026-03-29T12:00:00Z"
        );
    }

    #[test]
    fn months_clamp_to_the_end_of_a_shorter_month() {
        let m = Timescale::Months(NonZeroU32::new(1).unwrap());
        // 31 January 2028 + 1 month = 29 February 2028 (leap year); end of it, in winter.
        assert_eq!(
            due(m, "2028-01-31T10:00:00Z", Division::EnglandAndWales),
            "2028-03-01T00:00:00Z"
        );
    }

    #[test]
    fn zero_and_unknown_units_are_refused() {
        assert_eq!(Timescale::from_unit("hours", 0), Err(TimescaleError::Zero));
        assert!(matches!(
            Timescale::from_unit("fortnights", 1),
            Err(TimescaleError::UnknownUnit(_))
        ));
    }
}
