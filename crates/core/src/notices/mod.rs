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
#[serde(default, deny_unknown_fields)]
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
        match calendar.nth_working_day_after(local_date(open), n) {
            Ok(date) => self.start_on(date),
            Err(_) => open + chrono::Duration::days(i64::from(n)),
        }
    }
}
