//! Due times in the words people use: "end of Tuesday 29 December 2026", "due in 2 working
//! days", "overdue by 3 hours". The web page and the notices say the same thing because they
//! call the same functions.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};

use crate::calendar::{Calendar, YearOutOfRange};
use crate::case::{Event, EventKind};
use crate::procedure::Procedure;
use crate::timescale::{ZONE, local_date};

/// "end of Tuesday 29 December 2026" for an instant at local midnight (a day clock ends at
/// the end of the day before), "14:30 on Wednesday 30 December 2026" otherwise.
pub fn due_words(due: DateTime<Utc>) -> String {
    let local = due.with_timezone(&ZONE);
    if local.time() == NaiveTime::MIN {
        let day = (local - Duration::days(1)).date_naive();
        format!("end of {}", day.format("%A %-d %B %Y"))
    } else {
        format!(
            "{} on {}",
            local.format("%H:%M"),
            local.format("%A %-d %B %Y")
        )
    }
}

/// How soon something falls due, as My work groups it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    Overdue,
    DueToday,
    /// Due after today but within this week (Monday to Sunday).
    DueThisWeek,
    Later,
}

/// The local day a due instant belongs to: a day clock due at midnight belongs to the day
/// that just ended.
pub fn due_day(due: DateTime<Utc>) -> NaiveDate {
    local_date(due - Duration::nanoseconds(1))
}

pub fn urgency(now: DateTime<Utc>, due: DateTime<Utc>) -> Urgency {
    let today = local_date(now);
    let day = due_day(due);
    if due <= now {
        Urgency::Overdue
    } else if day == today {
        Urgency::DueToday
    } else if day.iso_week() == today.iso_week() {
        Urgency::DueThisWeek
    } else {
        Urgency::Later
    }
}

/// The time left in words, with when: "due in 2 working days: end of Tuesday 29 December
/// 2026", "due today: end of Monday 28 December 2026", "due in 5 hours: 14:30 on …",
/// "overdue by 1 working day: was due end of …". Working days are counted in the
/// partnership's calendar, so a bank holiday or closure day in between does not count.
pub fn time_left(
    now: DateTime<Utc>,
    due: DateTime<Utc>,
    calendar: &Calendar,
) -> Result<String, YearOutOfRange> {
    let when = due_words(due);
    let today = local_date(now);
    let day = due_day(due);
    if due <= now {
        let late = now - due;
        if late < Duration::hours(24) {
            return Ok(format!("overdue by {}: was due {when}", hours(late)));
        }
        let days = working_days_between(calendar, day, today)?;
        return Ok(format!(
            "overdue by {}: was due {when}",
            working_days(days.max(1))
        ));
    }
    if day == today {
        let left = due - now;
        if left < Duration::hours(12) && local_date(due) == today {
            return Ok(format!("due in {}: {when}", hours(left)));
        }
        return Ok(format!("due today: {when}"));
    }
    let days = working_days_between(calendar, today, day)?;
    if days == 0 {
        // Due on a day nobody works (a clock counted in hours or calendar days).
        return Ok(format!("due {when}"));
    }
    Ok(format!("due in {}: {when}", working_days(days)))
}

/// Working days after `from` up to and including `to`.
fn working_days_between(
    calendar: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<u32, YearOutOfRange> {
    let mut count = 0;
    let mut day = from;
    while day < to {
        day = day.succ_opt().ok_or(YearOutOfRange { year: day.year() })?;
        if calendar.is_working_day(day)? {
            count += 1;
        }
    }
    Ok(count)
}

fn working_days(n: u32) -> String {
    if n == 1 {
        "1 working day".to_owned()
    } else {
        format!("{n} working days")
    }
}

fn hours(d: Duration) -> String {
    let minutes = d.num_minutes();
    if minutes < 60 {
        let m = minutes.max(1);
        return if m == 1 {
            "1 minute".to_owned()
        } else {
            format!("{m} minutes")
        };
    }
    let h = (minutes + 30) / 60;
    if h == 1 {
        "1 hour".to_owned()
    } else {
        format!("{h} hours")
    }
}

/// A chronology entry in plain words, with the procedure's own stage names and clock tasks:
/// "Escalated from Step 1 to Step 2", "Overdue: the social worker's response was due end of …".
/// Events carry ids and instants only, so the words never hold a child's details.
pub fn event_words(event: &Event, procedure: &Procedure) -> String {
    let stage = |id: &crate::ids::StageId| {
        procedure
            .stage(id.as_str())
            .map_or_else(|| id.to_string(), |s| s.name.clone())
    };
    let task = |stage_id: &crate::ids::StageId, clock: &crate::ids::ClockId| {
        procedure
            .stage(stage_id.as_str())
            .and_then(|s| s.clock(clock.as_str()))
            .map_or_else(
                || clock.to_string(),
                |c| format!("{}: {}", c.who, lowercase(&c.task)),
            )
    };
    match &event.kind {
        EventKind::Raised { stage: s } => format!("Raised at {}", stage(s)),
        EventKind::ClockStarted {
            stage: s,
            clock,
            due,
            shortened_to,
            ..
        } => {
            let shorter = shortened_to
                .map(|t| format!(" (a shorter timescale of {t} was set)"))
                .unwrap_or_default();
            format!(
                "Clock started: {}, due {}{shorter}",
                task(s, clock),
                due_words(*due)
            )
        }
        EventKind::ClockMet {
            stage: s,
            clock,
            late,
        } => {
            if *late {
                format!("Met late: {}", task(s, clock))
            } else {
                format!("Met on time: {}", task(s, clock))
            }
        }
        EventKind::ClockStopped { stage: s, clock } => {
            format!("Clock stopped (no longer needed): {}", task(s, clock))
        }
        EventKind::ClockBreached {
            stage: s,
            clock,
            due,
        } => format!(
            "Timescale breached: {}, was due {}",
            task(s, clock),
            due_words(*due)
        ),
        EventKind::ClockRescheduled {
            stage: s,
            clock,
            due,
            was,
        } => format!(
            "Due date moved by a change to the partnership's closure days: {}, due {} (was {})",
            task(s, clock),
            due_words(*due),
            due_words(*was)
        ),
        EventKind::Submitted { stage: s } => format!("Sent on at {}", stage(s)),
        EventKind::Responded { stage: s, resolved } => {
            if *resolved {
                format!("Response at {}: resolved", stage(s))
            } else {
                format!("Response at {}: not resolved", stage(s))
            }
        }
        EventKind::Escalated { from, to } => {
            format!("Escalated from {} to {}", stage(from), stage(to))
        }
        EventKind::Resolved { stage: s } => format!("Resolved at {}", stage(s)),
        EventKind::Withdrawn { stage: s } => format!("Withdrawn at {}", stage(s)),
        EventKind::FormRecorded { stage: s, form } => {
            let title = procedure
                .form(form)
                .map_or_else(|| form.to_string(), |f| f.title.clone());
            format!("{title} recorded at {}", stage(s))
        }
        EventKind::ActionDone { action, due, late } => {
            let when = if *late { "late" } else { "on time" };
            format!(
                "Agreed action {action} done {when} (due {})",
                due.format("%A %-d %B %Y")
            )
        }
        EventKind::Erased { kept_for_years } => format!(
            "The child's details and everything written about the case were erased: the \
             partnership keeps a closed case for {kept_for_years} years"
        ),
    }
}

fn lowercase(s: &str) -> String {
    crate::case::lowercase_first(s)
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
    fn working_days_left_skip_christmas_and_the_weekend() {
        // Due at the end of Tuesday 29 December 2026; it is Thursday 24 December. Friday 25
        // and Monday 28 (the Boxing Day substitute) are bank holidays, so only Tuesday counts.
        let due = at("2026-12-30T00:00:00Z");
        let now = at("2026-12-24T10:00:00Z");
        assert_eq!(
            time_left(now, due, &england()).unwrap(),
            "due in 1 working day: end of Tuesday 29 December 2026"
        );
        let monday = at("2026-12-21T10:00:00Z");
        assert_eq!(
            time_left(monday, due, &england()).unwrap(),
            "due in 4 working days: end of Tuesday 29 December 2026"
        );
    }

    #[test]
    fn closure_days_do_not_count_either() {
        let due = at("2026-12-30T00:00:00Z");
        let monday = at("2026-12-21T10:00:00Z");
        let closed = england().with_closure_days([NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()]);
        assert_eq!(
            time_left(monday, due, &closed).unwrap(),
            "due in 3 working days: end of Tuesday 29 December 2026"
        );
    }

    #[test]
    fn today_hours_and_overdue_in_words() {
        let due = at("2026-11-27T00:00:00Z");
        assert_eq!(
            time_left(at("2026-11-26T09:00:00Z"), due, &england()).unwrap(),
            "due today: end of Thursday 26 November 2026"
        );
        let hour_clock = at("2026-11-26T14:30:00Z");
        assert_eq!(
            time_left(at("2026-11-26T09:30:00Z"), hour_clock, &england()).unwrap(),
            "due in 5 hours: 14:30 on Thursday 26 November 2026"
        );
        assert_eq!(
            time_left(at("2026-11-26T15:30:00Z"), hour_clock, &england()).unwrap(),
            "overdue by 1 hour: was due 14:30 on Thursday 26 November 2026"
        );
        // Due end of Thursday; it is Tuesday of the next week: Friday and Monday passed.
        assert_eq!(
            time_left(at("2026-12-01T10:00:00Z"), due, &england()).unwrap(),
            "overdue by 3 working days: was due end of Thursday 26 November 2026"
        );
    }

    #[test]
    fn summer_time_midnight_is_the_end_of_the_day_before() {
        // 23:00 UTC on 30 June is local midnight at the end of 30 June.
        assert_eq!(
            due_words(at("2026-06-30T23:00:00Z")),
            "end of Tuesday 30 June 2026"
        );
    }

    #[test]
    fn the_chronology_reads_in_the_procedures_own_words() {
        let catalogue = crate::Catalogue::builtin().unwrap();
        let sefton = catalogue.get("sefton").unwrap();
        let first = sefton.first_stage();
        let second = &sefton.stages[1];
        let event = |kind| Event {
            case: crate::ids::CaseId::parse("c1").unwrap(),
            version: 2,
            seq: 0,
            at: at("2026-11-26T10:00:00Z"),
            by: None,
            kind,
        };
        let words = event_words(
            &event(EventKind::Escalated {
                from: first.id.clone(),
                to: second.id.clone(),
            }),
            sefton,
        );
        assert_eq!(
            words,
            format!("Escalated from {} to {}", first.name, second.name)
        );
        let clock = &first.clocks[0];
        let words = event_words(
            &event(EventKind::ClockBreached {
                stage: first.id.clone(),
                clock: clock.id.clone(),
                due: at("2026-11-27T00:00:00Z"),
            }),
            sefton,
        );
        assert!(
            words.starts_with("Timescale breached: ")
                && words.ends_with("was due end of Thursday 26 November 2026"),
            "{words}"
        );
        assert!(words.contains(&clock.who), "{words}");
    }

    #[test]
    fn my_work_groups_by_the_local_day() {
        let now = at("2026-11-25T10:00:00Z"); // Wednesday
        assert_eq!(urgency(now, at("2026-11-25T09:00:00Z")), Urgency::Overdue);
        assert_eq!(urgency(now, at("2026-11-26T00:00:00Z")), Urgency::DueToday);
        assert_eq!(
            urgency(now, at("2026-11-28T00:00:00Z")),
            Urgency::DueThisWeek
        );
        assert_eq!(
            urgency(now, at("2026-11-30T00:00:00Z")),
            Urgency::DueThisWeek
        ); // end of Sunday
        assert_eq!(urgency(now, at("2026-12-01T00:00:00Z")), Urgency::Later);
    }
}
