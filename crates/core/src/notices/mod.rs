//! Notices by email, as data: what a change to a case must tell whom and when (`plan`), and the
//! words of each notice (`render`). Pure like the rest of the core: the application layer
//! keeps the plans with the change that made them and sends them when their time comes.
//!
//! Least data: a notice names the case by its reference, the procedure and stage by name, what
//! is asked and by when, and links to the case page. It never carries a child's name, date of
//! birth or address, nor anything a person typed: where a document says "email a copy of the
//! escalation" to a mailbox, the mailbox gets this notice instead and the people behind it sign
//! in to read the case.

mod plan;
mod render;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::timescale::{ZONE, local_date};

pub use plan::{Audience, NoticeContext, NoticeKind, NoticePlan, Trigger, plan_notices};
pub use render::{Rendered, by_when_words, render};

/// When a partnership's notices go. Every field has the default the issue of notices set:
/// 08:00–18:00 on working days, a reminder at 75% of an hour clock's time, the unanswered
/// breach raised after 1 working day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, try_from = "RawNoticeSettings")]
pub struct NoticeSettings {
    /// Local (Europe/London) hours on the partnership's working days in which notices go;
    /// one that falls outside goes at the start of the next working period.
    pub working_hours: WorkingHours,
    /// For a clock counted in hours: the reminder at this percentage of its time (1–99).
    /// A clock counted in days is reminded at the start of its last working day.
    pub reminder_percent: u8,
    /// Working days after a breach before it is raised with the next line of management.
    pub unanswered_after_working_days: u32,
}

/// The settings as written, checked by `TryFrom`.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawNoticeSettings {
    working_hours: WorkingHours,
    reminder_percent: u8,
    unanswered_after_working_days: u32,
}

impl Default for RawNoticeSettings {
    fn default() -> Self {
        let d = NoticeSettings::default();
        RawNoticeSettings {
            working_hours: d.working_hours,
            reminder_percent: d.reminder_percent,
            unanswered_after_working_days: d.unanswered_after_working_days,
        }
    }
}

impl TryFrom<RawNoticeSettings> for NoticeSettings {
    type Error = String;

    fn try_from(raw: RawNoticeSettings) -> Result<Self, String> {
        if !(1..=99).contains(&raw.reminder_percent) {
            return Err(format!(
                "notices.reminder_percent is {}: give a percentage of an hour clock's time from 1 to 99",
                raw.reminder_percent
            ));
        }
        if !(1..=20).contains(&raw.unanswered_after_working_days) {
            return Err(format!(
                "notices.unanswered_after_working_days is {}: give 1 to 20 working days",
                raw.unanswered_after_working_days
            ));
        }
        Ok(NoticeSettings {
            working_hours: raw.working_hours,
            reminder_percent: raw.reminder_percent,
            unanswered_after_working_days: raw.unanswered_after_working_days,
        })
    }
}

impl NoticeSettings {
    pub fn is_default(&self) -> bool {
        self == &NoticeSettings::default()
    }
}

impl Default for NoticeSettings {
    fn default() -> Self {
        NoticeSettings {
            working_hours: WorkingHours::default(),
            reminder_percent: 75,
            unanswered_after_working_days: 1,
        }
    }
}

/// Local working hours, written `"08:00-18:00"`: start before end, within one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WorkingHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Default for WorkingHours {
    fn default() -> Self {
        WorkingHours {
            start: NaiveTime::from_hms_opt(8, 0, 0).expect("08:00"),
            end: NaiveTime::from_hms_opt(18, 0, 0).expect("18:00"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "working hours are written \"08:00-18:00\": a start before an end, within one day (got `{0}`)"
)]
pub struct InvalidWorkingHours(String);

impl FromStr for WorkingHours {
    type Err = InvalidWorkingHours;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidWorkingHours(s.to_owned());
        let (start, end) = s.split_once('-').ok_or_else(invalid)?;
        let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| invalid());
        let (start, end) = (time(start)?, time(end)?);
        if start >= end {
            return Err(invalid());
        }
        Ok(WorkingHours { start, end })
    }
}

impl TryFrom<String> for WorkingHours {
    type Error = InvalidWorkingHours;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<WorkingHours> for String {
    fn from(hours: WorkingHours) -> String {
        hours.to_string()
    }
}

impl fmt::Display for WorkingHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

/// The most days looked ahead for a working day: the longest run of non-working days in any
/// UK calendar with closures is far shorter.
const LOOK_AHEAD_DAYS: u64 = 31;

impl WorkingHours {
    /// The local instant `time` on `date`, or the first valid instant after it on a day the
    /// clocks change.
    fn at(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let local = date.and_time(time);
        ZONE.from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                ZONE.from_local_datetime(&(local + chrono::Duration::hours(1)))
                    .earliest()
            })
            .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
    }

    /// The start of working hours on `date`.
    pub fn start_on(&self, date: NaiveDate) -> DateTime<Utc> {
        Self::at(date, self.start)
    }

    /// `at` if it falls within working hours on a working day of `calendar`, else the start of
    /// the next working period. A year the calendar does not know is treated as working, so a
    /// notice is late rather than lost.
    pub fn next_open(&self, calendar: &Calendar, at: DateTime<Utc>) -> DateTime<Utc> {
        let mut date = local_date(at);
        for _ in 0..LOOK_AHEAD_DAYS {
            if calendar.is_working_day(date).unwrap_or(true) {
                let (open, close) = (Self::at(date, self.start), Self::at(date, self.end));
                if at < open {
                    return open;
                }
                if at < close {
                    return at;
                }
            }
            match date.checked_add_days(Days::new(1)) {
                Some(next) => date = next,
                None => break,
            }
        }
        at
    }

    /// The start of working hours on the last working day that starts before `due`: a clock
    /// due at the end of Tuesday is reminded at 08:00 on Tuesday.
    pub fn last_working_day_start(
        &self,
        calendar: &Calendar,
        due: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let mut date = local_date(due);
        for _ in 0..LOOK_AHEAD_DAYS {
            let start = self.start_on(date);
            if start < due && calendar.is_working_day(date).unwrap_or(true) {
                return Some(start);
            }
            date = date.checked_sub_days(Days::new(1))?;
        }
        None
    }

    /// The start of working hours `n` working days after the working day `at` falls in.
    pub fn working_days_after(
        &self,
        calendar: &Calendar,
        at: DateTime<Utc>,
        n: u32,
    ) -> DateTime<Utc> {
        let open = self.next_open(calendar, at);
        if n == 0 {
            return open;
        }
        match calendar.nth_working_day_after(local_date(open), n) {
            Ok(date) => self.start_on(date),
            Err(_) => open + chrono::Duration::days(i64::from(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Division;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn england() -> Calendar {
        Calendar::new(Division::EnglandAndWales)
    }

    #[test]
    fn working_hours_are_written_start_dash_end_and_refuse_anything_else() {
        let hours: WorkingHours = "08:30-17:00".parse().unwrap();
        assert_eq!(hours.to_string(), "08:30-17:00");
        for bad in ["18:00-08:00", "08:00", "8am-6pm", "08:00-08:00"] {
            let error = bad.parse::<WorkingHours>().unwrap_err().to_string();
            assert!(error.contains("\"08:00-18:00\""), "{bad}: {error}");
        }
    }

    /// "Ticket-system users complain about reminders at midnight and on bank holidays; we do
    /// not do that." Christmas Eve 2026 is a Thursday; 25 and 28 December are bank holidays.
    #[test]
    fn a_notice_outside_working_hours_waits_for_the_next_working_period() {
        let hours = WorkingHours::default();
        let cal = england();
        // Within hours: at once (GMT in December, so local = UTC).
        assert_eq!(
            hours.next_open(&cal, at("2026-12-24T10:00:00Z")),
            at("2026-12-24T10:00:00Z")
        );
        // Before 08:00: that morning.
        assert_eq!(
            hours.next_open(&cal, at("2026-12-24T06:00:00Z")),
            at("2026-12-24T08:00:00Z")
        );
        // After 18:00 on Christmas Eve: past Christmas Day, the weekend and the substitute
        // Boxing Day bank holiday to Tuesday 29 December.
        assert_eq!(
            hours.next_open(&cal, at("2026-12-24T18:00:00Z")),
            at("2026-12-29T08:00:00Z")
        );
        // Summer time: 08:00 in London is 07:00 UTC.
        assert_eq!(
            hours.next_open(&cal, at("2026-07-01T05:00:00Z")),
            at("2026-07-01T07:00:00Z")
        );
    }

    #[test]
    fn closure_days_count_as_closed() {
        let cal = england().with_closure_days([NaiveDate::from_ymd_opt(2026, 12, 29).unwrap()]);
        assert_eq!(
            WorkingHours::default().next_open(&cal, at("2026-12-24T18:00:00Z")),
            at("2026-12-30T08:00:00Z")
        );
    }

    /// A clock due at the end of Tuesday (Wednesday 00:00) is reminded at 08:00 on Tuesday;
    /// one due at the end of Friday 3 April 2026 — Good Friday — on Thursday.
    #[test]
    fn the_reminder_of_a_day_clock_is_at_the_start_of_its_last_working_day() {
        let hours = WorkingHours::default();
        let cal = england();
        assert_eq!(
            hours.last_working_day_start(&cal, at("2026-12-02T00:00:00Z")),
            Some(at("2026-12-01T08:00:00Z"))
        );
        assert_eq!(
            hours.last_working_day_start(&cal, at("2026-04-03T23:00:00Z")),
            Some(at("2026-04-02T07:00:00Z"))
        );
    }

    #[test]
    fn working_days_after_skip_weekends_and_holidays() {
        let hours = WorkingHours::default();
        // Friday 18 December 2026, 08:00 + 1 working day = Monday 21st, 08:00.
        assert_eq!(
            hours.working_days_after(&england(), at("2026-12-18T08:00:00Z"), 1),
            at("2026-12-21T08:00:00Z")
        );
    }

    #[test]
    fn settings_left_out_take_the_defaults() {
        let settings: NoticeSettings = toml::from_str("reminder_percent = 50").unwrap();
        assert_eq!(settings.reminder_percent, 50);
        assert_eq!(settings.working_hours, WorkingHours::default());
        assert_eq!(settings.unanswered_after_working_days, 1);
        assert!(toml::from_str::<NoticeSettings>("reminder_percnt = 50").is_err());
        let error = toml::from_str::<NoticeSettings>("reminder_percent = 100").unwrap_err();
        assert!(error.to_string().contains("from 1 to 99"), "{error}");
    }
}
