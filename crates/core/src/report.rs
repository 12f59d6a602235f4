//! The partnership's quality-assurance report over a date range: what the seed procedures ask
//! partnerships to monitor (stages reached, reasons, timeframes, resolutions, lessons).
//!
//! Never carries a child's details or any form value: it counts cases and quotes only lessons
//! learned and the case ids (tested with a child's name recorded in a form, `tests/forms.rs`).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Catalogue;
use crate::calendar::Calendar;
use crate::case::{Case, ClockState, Status, TotalState};
use crate::ids::{CaseId, ProcedureId};
use crate::procedure::Subject;
use crate::timescale::local_date;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeliness {
    pub met_on_time: usize,
    pub met_late: usize,
    pub open_in_time: usize,
    pub open_overdue: usize,
    /// The case moved on (escalated, resolved, withdrawn) before the clock was met.
    pub stopped_in_time: usize,
    pub stopped_overdue: usize,
}

/// How cases went against one stage's overall target counted from the raise (Sefton's
/// running totals).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targets {
    pub met: usize,
    pub missed: usize,
    /// Open, and not yet due.
    pub running: usize,
    /// Closed before it fell due without reaching it.
    pub not_needed: usize,
}

/// How a procedure's agreed actions went: counts only, never the actions' words.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionTimeliness {
    pub done_on_time: usize,
    pub done_late: usize,
    pub open_in_time: usize,
    /// Not done, and past the due date.
    pub open_overdue: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcomes {
    pub open: usize,
    pub resolved: usize,
    pub withdrawn: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResolutionTimes {
    pub resolved: usize,
    /// Calendar days from raising to resolution: the middle value, or the mean of the two
    /// middle values of an even count (so it can end in .5).
    pub median_days: Option<f64>,
    pub longest_days: Option<i64>,
    /// How many cases were resolved within each band of calendar days, shortest first: the
    /// shape behind the median, for a chart.
    #[serde(default)]
    pub distribution: Vec<DaysBand>,
}

/// A band of calendar days from raising to resolution, `from_days..=to_days` (no upper end
/// for the last band), and the cases resolved within it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaysBand {
    pub from_days: i64,
    pub to_days: Option<i64>,
    pub cases: usize,
}

/// The bands of the distribution: a week, a fortnight, four weeks, eight weeks, longer — the
/// documents' timescales run from days to about a month a stage.
const BAND_ENDS: [i64; 4] = [7, 14, 28, 56];

fn distribution(sorted_days: &[i64]) -> Vec<DaysBand> {
    let mut from = 0;
    let mut bands = Vec::new();
    for end in BAND_ENDS.map(Some).into_iter().chain([None]) {
        let cases = sorted_days
            .iter()
            .filter(|d| **d >= from && end.is_none_or(|end| **d <= end))
            .count();
        bands.push(DaysBand {
            from_days: from,
            to_days: end,
            cases,
        });
        from = end.map_or(from, |end| end + 1);
    }
    bands
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lesson {
    pub case: CaseId,
    pub procedure: String,
    pub resolved_at_stage: String,
    pub lessons_learned: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeAlert {
    pub case: CaseId,
    pub procedure: String,
    pub raised_on: NaiveDate,
    pub raising_agency: String,
    /// `open`, `resolved` or `withdrawn`.
    pub status: String,
    pub lessons_learned: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub generated_at: DateTime<Utc>,
    /// The one procedure the report covers, when it was asked for one; otherwise every
    /// procedure of the partnership.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure: Option<ProcedureId>,
    /// Escalations about a child (Practice Alerts are listed separately).
    pub cases: usize,
    pub by_procedure: BTreeMap<String, usize>,
    /// `procedure/stage` → cases whose furthest stage was this one.
    pub by_stage_reached: BTreeMap<String, usize>,
    pub by_reason: BTreeMap<String, usize>,
    /// `raising agency → receiving agency`.
    pub by_agency_pair: BTreeMap<String, usize>,
    /// `procedure/stage/clock` → how its runs went.
    pub timeliness: BTreeMap<String, Timeliness>,
    /// `procedure/stage` → how cases went against the stage's overall target from the raise
    /// (only stages with a running total).
    pub running_totals: BTreeMap<String, Targets>,
    /// `procedure/method` → responses and escalations whose discussion was recorded with that
    /// method (Sefton: "Escalation via e-mail is not recommended"). Only the method: whom it
    /// was with stays on the case.
    pub contacts_by_method: BTreeMap<String, usize>,
    /// procedure → how its agreed actions went. A withdrawn case's open actions are not
    /// counted: nobody follows them up.
    #[serde(default)]
    pub agreed_actions: BTreeMap<String, ActionTimeliness>,
    pub outcomes: Outcomes,
    pub resolution_times: ResolutionTimes,
    pub lessons_learned: Vec<Lesson>,
    pub practice_alerts: Vec<PracticeAlert>,
}

/// Builds the report for cases raised on local dates `from..=to`, as things stand at `now`;
/// overall targets are counted in the partnership's `calendar`.
pub fn report(
    cases: &[Case],
    catalogue: &Catalogue,
    calendar: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Report {
    let mut r = Report {
        from,
        to,
        generated_at: now,
        procedure: None,
        cases: 0,
        by_procedure: BTreeMap::new(),
        by_stage_reached: BTreeMap::new(),
        by_reason: BTreeMap::new(),
        by_agency_pair: BTreeMap::new(),
        timeliness: BTreeMap::new(),
        running_totals: BTreeMap::new(),
        contacts_by_method: BTreeMap::new(),
        agreed_actions: BTreeMap::new(),
        outcomes: Outcomes::default(),
        resolution_times: ResolutionTimes {
            resolved: 0,
            median_days: None,
            longest_days: None,
            distribution: Vec::new(),
        },
        lessons_learned: Vec::new(),
        practice_alerts: Vec::new(),
    };
    let mut days_to_resolve = Vec::new();
    for case in cases {
        let raised_on = local_date(case.raised_at);
        if raised_on < from || raised_on > to {
            continue;
        }
        let procedure = catalogue.get(case.procedure.as_str());
        // Alerts not about a child (Practice Alerts, MSET partners' non-attendance) are listed
        // apart from the escalations about children.
        let practice = procedure.is_some_and(|p| p.subject != Subject::Child);
        // An erased case's words are gone: it is counted, its lesson no longer quoted.
        let lessons = match &case.status {
            Status::Resolved {
                lessons_learned, ..
            } if case.erased_at.is_none() => Some(lessons_learned.to_string()),
            _ => None,
        };
        if practice {
            r.practice_alerts.push(PracticeAlert {
                case: case.id.clone(),
                procedure: case.procedure.to_string(),
                raised_on,
                raising_agency: case.raising_agency.to_string(),
                status: case.status.kind().as_str().to_owned(),
                lessons_learned: lessons,
            });
            continue;
        }
        r.cases += 1;
        *r.by_procedure
            .entry(case.procedure.to_string())
            .or_default() += 1;
        *r.by_stage_reached
            .entry(format!("{}/{}", case.procedure, case.stage))
            .or_default() += 1;
        for reason in &case.concern.reasons {
            *r.by_reason
                .entry(format!("{}/{}", case.procedure, reason))
                .or_default() += 1;
        }
        let pair = format!(
            "{} → {}",
            case.raising_agency,
            case.receiving_agency.as_ref().map_or("-", |a| a.as_str())
        );
        *r.by_agency_pair.entry(pair).or_default() += 1;
        for run in &case.clocks {
            let t = r
                .timeliness
                .entry(format!("{}/{}/{}", case.procedure, run.stage, run.clock))
                .or_default();
            match run.state(now) {
                ClockState::Met { late: false } => t.met_on_time += 1,
                ClockState::Met { late: true } => t.met_late += 1,
                ClockState::Running { overdue: false } => t.open_in_time += 1,
                ClockState::Running { overdue: true } => t.open_overdue += 1,
                ClockState::Stopped { overdue: false } => t.stopped_in_time += 1,
                ClockState::Stopped { overdue: true } => t.stopped_overdue += 1,
            }
        }
        // A target beyond the calendar's years cannot be due yet: it is left uncounted.
        let totals = procedure
            .and_then(|p| case.running_totals(p, calendar, now).ok())
            .unwrap_or_default();
        for total in totals {
            let t = r
                .running_totals
                .entry(format!("{}/{}", case.procedure, total.stage))
                .or_default();
            match total.state {
                TotalState::Met { .. } => t.met += 1,
                TotalState::Missed { .. } => t.missed += 1,
                TotalState::Running => t.running += 1,
                TotalState::NotNeeded => t.not_needed += 1,
            }
        }
        let contacts = case
            .responses
            .iter()
            .filter_map(|r| r.contact.as_ref())
            .chain(case.escalations.iter().filter_map(|e| e.contact.as_ref()));
        for contact in contacts {
            *r.contacts_by_method
                .entry(format!("{}/{}", case.procedure, contact.method.as_str()))
                .or_default() += 1;
        }
        let withdrawn = matches!(case.status, Status::Withdrawn { .. });
        for planned in case.actions() {
            let action = planned.action;
            if withdrawn && action.done.is_none() {
                continue;
            }
            let t = r
                .agreed_actions
                .entry(case.procedure.to_string())
                .or_default();
            match action.done_late() {
                Some(false) => t.done_on_time += 1,
                Some(true) => t.done_late += 1,
                None if action.overdue(now) => t.open_overdue += 1,
                None => t.open_in_time += 1,
            }
        }
        match &case.status {
            Status::Open => r.outcomes.open += 1,
            Status::Withdrawn { .. } => r.outcomes.withdrawn += 1,
            Status::Resolved {
                at,
                stage,
                lessons_learned,
                ..
            } => {
                r.outcomes.resolved += 1;
                days_to_resolve.push((local_date(*at) - raised_on).num_days());
                if case.erased_at.is_some() {
                    continue;
                }
                r.lessons_learned.push(Lesson {
                    case: case.id.clone(),
                    procedure: case.procedure.to_string(),
                    resolved_at_stage: stage.to_string(),
                    lessons_learned: lessons_learned.to_string(),
                });
            }
        }
    }
    days_to_resolve.sort_unstable();
    r.resolution_times = ResolutionTimes {
        resolved: days_to_resolve.len(),
        median_days: median(&days_to_resolve),
        longest_days: days_to_resolve.last().copied(),
        distribution: distribution(&days_to_resolve),
    };
    r
}

/// The median of sorted values: the middle one, or the mean of the two middle ones.
fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

impl Report {
    /// One row per figure: `section,item,measure,value`, for a spreadsheet.
    pub fn to_csv(&self) -> String {
        let mut rows = vec!["section,item,measure,value".to_owned()];
        let mut row = |section: &str, item: &str, measure: &str, value: String| {
            rows.push([section, item, measure, &value].map(csv_field).join(","));
        };
        row("period", "", "from", self.from.to_string());
        row("period", "", "to", self.to.to_string());
        row(
            "period",
            "",
            "procedure",
            self.procedure
                .as_ref()
                .map_or("every procedure".to_owned(), ToString::to_string),
        );
        row("summary", "", "cases", self.cases.to_string());
        row(
            "summary",
            "",
            "practice alerts",
            self.practice_alerts.len().to_string(),
        );
        for (k, v) in &self.by_procedure {
            row("procedure", k, "cases", v.to_string());
        }
        for (k, v) in &self.by_stage_reached {
            row("stage reached", k, "cases", v.to_string());
        }
        for (k, v) in &self.by_reason {
            row("reason", k, "cases", v.to_string());
        }
        for (k, v) in &self.by_agency_pair {
            row("agency pair", k, "cases", v.to_string());
        }
        for (k, t) in &self.timeliness {
            row("timeliness", k, "met on time", t.met_on_time.to_string());
            row("timeliness", k, "met late", t.met_late.to_string());
            row("timeliness", k, "open in time", t.open_in_time.to_string());
            row(
                "timeliness",
                k,
                "open and overdue",
                t.open_overdue.to_string(),
            );
            row(
                "timeliness",
                k,
                "stopped in time",
                t.stopped_in_time.to_string(),
            );
            row(
                "timeliness",
                k,
                "stopped overdue",
                t.stopped_overdue.to_string(),
            );
        }
        for (k, t) in &self.running_totals {
            row("overall target", k, "met", t.met.to_string());
            row("overall target", k, "missed", t.missed.to_string());
            row("overall target", k, "running", t.running.to_string());
            row("overall target", k, "not needed", t.not_needed.to_string());
        }
        for (k, v) in &self.contacts_by_method {
            row("contact method", k, "discussions", v.to_string());
        }
        for (k, t) in &self.agreed_actions {
            row(
                "agreed actions",
                k,
                "done on time",
                t.done_on_time.to_string(),
            );
            row("agreed actions", k, "done late", t.done_late.to_string());
            row(
                "agreed actions",
                k,
                "open in time",
                t.open_in_time.to_string(),
            );
            row(
                "agreed actions",
                k,
                "open past due",
                t.open_overdue.to_string(),
            );
        }
        row("outcome", "", "open", self.outcomes.open.to_string());
        row(
            "outcome",
            "",
            "resolved",
            self.outcomes.resolved.to_string(),
        );
        row(
            "outcome",
            "",
            "withdrawn",
            self.outcomes.withdrawn.to_string(),
        );
        let days = |d: Option<i64>| d.map(|d| d.to_string()).unwrap_or_default();
        row(
            "time to resolution",
            "",
            "median days",
            self.resolution_times
                .median_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
        row(
            "time to resolution",
            "",
            "longest days",
            days(self.resolution_times.longest_days),
        );
        for band in &self.resolution_times.distribution {
            let item = match band.to_days {
                Some(to) => format!("{} to {} days", band.from_days, to),
                None => format!("more than {} days", band.from_days - 1),
            };
            row("time to resolution", &item, "cases", band.cases.to_string());
        }
        for l in &self.lessons_learned {
            row(
                "lessons learned",
                l.case.as_str(),
                &format!("{}/{}", l.procedure, l.resolved_at_stage),
                l.lessons_learned.clone(),
            );
        }
        for a in &self.practice_alerts {
            row(
                "practice alert",
                a.case.as_str(),
                &a.status,
                a.lessons_learned.clone().unwrap_or_default(),
            );
        }
        rows.join("\r\n") + "\r\n"
    }
}

/// RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::{DaysBand, distribution, median};

    #[test]
    fn resolution_times_fall_into_week_fortnight_month_and_longer_bands() {
        let bands = distribution(&[0, 7, 8, 28, 29, 57, 400]);
        let counts: Vec<(i64, Option<i64>, usize)> = bands
            .iter()
            .map(
                |DaysBand {
                     from_days,
                     to_days,
                     cases,
                 }| (*from_days, *to_days, *cases),
            )
            .collect();
        assert_eq!(
            counts,
            [
                (0, Some(7), 2),
                (8, Some(14), 1),
                (15, Some(28), 1),
                (29, Some(56), 1),
                (57, None, 2)
            ]
        );
        assert!(distribution(&[]).iter().all(|b| b.cases == 0));
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_two_middle_values() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[4]), Some(4.0));
        assert_eq!(median(&[1, 4]), Some(2.5));
        assert_eq!(median(&[1, 2, 9, 30]), Some(5.5));
        assert_eq!(median(&[1, 2, 9]), Some(2.0));
    }
}
