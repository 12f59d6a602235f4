//! The quality-assurance report (chair and business unit): for a period and a procedure, the
//! figures the documents ask partnerships to monitor — stages reached, timeliness of every
//! timescale, who escalates to whom, reasons, outcomes, time to resolution, agreed actions,
//! lessons learned — each chart an SVG with a title and the same figures as a table. The
//! period and procedure live in the address; the CSV is the API's; print makes a board paper.
//!
//! The report never holds a child's details (the API's report has none); this page adds only
//! names of procedures, stages, agencies and reasons.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Months, NaiveDate};
use escalations_core::procedure::{OTHER_REASON, Procedure};
use escalations_core::report::Report;
use escalations_core::timescale::local_date;
use escalations_wire::{FieldError, ProcedureList};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::{self, Failure};
use crate::app::{Shared, shared};
use crate::ui::{ErrorSummary, PageHeading, Problem, TextInput, error_for, set_title};

/// A period the chair can pick in one click.
struct Period {
    name: &'static str,
    from: NaiveDate,
    to: NaiveDate,
}

fn quarter_start(day: NaiveDate) -> NaiveDate {
    let month = (day.month0() / 3) * 3 + 1;
    NaiveDate::from_ymd_opt(day.year(), month, 1).unwrap_or(day)
}

/// Last quarter, this quarter so far and the last 12 months, as of `today`: calendar quarters,
/// which are also the UK's financial quarters.
fn periods(today: NaiveDate) -> [Period; 3] {
    let this_quarter = quarter_start(today);
    let last_quarter = this_quarter
        .checked_sub_months(Months::new(3))
        .unwrap_or(this_quarter);
    let year_ago = today
        .checked_sub_months(Months::new(12))
        .and_then(|d| d.succ_opt())
        .unwrap_or(today);
    [
        Period {
            name: "Last quarter",
            from: last_quarter,
            to: this_quarter.pred_opt().unwrap_or(this_quarter),
        },
        Period {
            name: "This quarter so far",
            from: this_quarter,
            to: today,
        },
        Period {
            name: "Last 12 months",
            from: year_ago,
            to: today,
        },
    ]
}

fn long_date(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

fn address(from: &str, to: &str, procedure: &str) -> String {
    let mut path = format!("/reports?from={}&to={}", encode(from), encode(to));
    if !procedure.is_empty() {
        path.push_str(&format!("&procedure={}", encode(procedure)));
    }
    path
}

#[component]
pub fn ReportPage() -> impl IntoView {
    set_title("Quality-assurance report");
    let shared = shared();
    let query = use_query_map();
    let navigate = use_navigate();
    let today = local_date(shared.now());
    let [default, ..] = periods(today);
    let param = move |key: &str| query.with(|q| q.get(key).unwrap_or_default());
    let from_param = move || {
        Some(param("from"))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| default.from.to_string())
    };
    let to_param = move || {
        Some(param("to"))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| default.to.to_string())
    };
    let procedures = LocalResource::new(|| api::get::<ProcedureList>("/api/procedures"));
    let report = LocalResource::new(move || {
        let mut path = format!(
            "/api/reports?from={}&to={}",
            encode(&from_param()),
            encode(&to_param())
        );
        let procedure = param("procedure");
        if !procedure.is_empty() {
            path.push_str(&format!("&procedure={}", encode(&procedure)));
        }
        async move {
            let report: Report = api::get(&path).await?;
            let list: ProcedureList = api::get("/api/procedures").await?;
            let mut shown = Vec::new();
            for p in list.items {
                if report.procedure.as_ref().is_none_or(|only| only == &p.id) {
                    shown.push(shared.procedure(p.id.as_str()).await?);
                }
            }
            Ok::<_, Failure>((report, shown))
        }
    });

    // The form, applied to the address on submit.
    let from = RwSignal::new(from_param());
    let to = RwSignal::new(to_param());
    let procedure = RwSignal::new(param("procedure"));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let show = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let (f, t) = (from.get_untracked(), to.get_untracked());
            let mut problems = Vec::new();
            let parsed_from = f.parse::<NaiveDate>().ok();
            let parsed_to = t.parse::<NaiveDate>().ok();
            if parsed_from.is_none() {
                problems.push(FieldError {
                    field: "report-from".to_owned(),
                    message: "Enter the first day of the period, as a date".to_owned(),
                });
            }
            if parsed_to.is_none() {
                problems.push(FieldError {
                    field: "report-to".to_owned(),
                    message: "Enter the last day of the period, as a date".to_owned(),
                });
            }
            if let (Some(a), Some(b)) = (parsed_from, parsed_to)
                && b < a
            {
                problems.push(FieldError {
                    field: "report-to".to_owned(),
                    message: "The last day must be the same as or after the first day".to_owned(),
                });
            }
            errors.set(problems);
            if errors.with_untracked(Vec::is_empty) {
                navigate(
                    &address(&f, &t, &procedure.get_untracked()),
                    Default::default(),
                );
            }
        }
    };
    let csv_failure = RwSignal::new(None::<String>);
    let download_csv = move |_| {
        let path = format!(
            "/api/reports?from={}&to={}&format=csv{}",
            encode(&from_param()),
            encode(&to_param()),
            match param("procedure") {
                p if p.is_empty() => String::new(),
                p => format!("&procedure={}", encode(&p)),
            }
        );
        let name = format!("escalations-report-{}-to-{}.csv", from_param(), to_param());
        leptos::task::spawn_local(async move {
            csv_failure.set(api::download(&path, &name).await.err().map(|e| e.message()));
        });
    };
    let print = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };

    view! {
        <PageHeading text="Quality-assurance report" caption=shared.me.get_untracked().map(|m| m.partnership.name).unwrap_or_default() />
        <div class="app-no-print">
            <ErrorSummary errors=errors />
            <p class="govuk-body">"Choose a period: "
                {periods(today).into_iter().map(|p| {
                    let href = address(&p.from.to_string(), &p.to.to_string(), &param("procedure"));
                    view! { <A href=href attr:class="govuk-link govuk-!-margin-right-3">{p.name}</A> }
                }).collect_view()}
            </p>
            <form novalidate on:submit=show class="govuk-!-margin-bottom-6">
                <div class="app-report-filters">
                    <TextInput id="report-from" label="From" kind="date" hint="The first day cases were raised"
                        value=from on_input=move |v| from.set(v) error=error_for(errors, "report-from") />
                    <TextInput id="report-to" label="To" kind="date" hint="The last day cases were raised"
                        value=to on_input=move |v| to.set(v) error=error_for(errors, "report-to") />
                    <div class="govuk-form-group">
                        <label class="govuk-label govuk-label--s" for="report-procedure">"Procedure"</label>
                        <select class="govuk-select" id="report-procedure" prop:value=move || procedure.get()
                            on:change=move |ev| procedure.set(event_target_value(&ev))>
                            <option value="">"Every procedure"</option>
                            {move || procedures.get().and_then(Result::ok).map(|list| list.items.into_iter().map(|p| {
                                let id = p.id.to_string();
                                let selected = id == procedure.get_untracked();
                                view! { <option value=id selected=selected>{p.name}</option> }
                            }).collect_view())}
                        </select>
                    </div>
                </div>
                <button type="submit" class="govuk-button govuk-button--secondary">"Show the report"</button>
            </form>
        </div>
        {move || report.get().map(|answer| match answer {
            Err(e) => view! { <Problem message=Some(e.message()) /> }.into_any(),
            Ok((report, shown)) => view! {
                <div class="govuk-button-group app-no-print">
                    <button type="button" class="govuk-button" on:click=download_csv>"Download the figures (CSV)"</button>
                    <button type="button" class="govuk-button govuk-button--secondary" on:click=print>"Print the report"</button>
                </div>
                <Problem message=csv_failure />
                <ReportBody report=report procedures=shown shared=shared />
            }.into_any(),
        })}
    }
}

/// The names the page shows for the report's ids.
struct Names<'a> {
    shared: &'a Shared,
    procedures: Vec<Procedure>,
    /// Whether more than one procedure is shown (then stage names say which procedure).
    several: bool,
}

impl Names<'_> {
    fn procedure(&self, id: &str) -> Option<&Procedure> {
        self.procedures.iter().find(|p| p.id.as_str() == id)
    }

    fn procedure_name(&self, id: &str) -> String {
        self.procedure(id)
            .map_or_else(|| id.to_owned(), |p| p.name.clone())
    }

    fn stage(&self, procedure: &str, stage: &str) -> String {
        let name = self
            .procedure(procedure)
            .and_then(|p| p.stage(stage))
            .map_or_else(|| stage.to_owned(), |s| s.name.clone());
        if self.several {
            format!("{}: {name}", self.procedure_name(procedure))
        } else {
            name
        }
    }

    fn clock(&self, procedure: &str, stage: &str, clock: &str) -> String {
        let task = self
            .procedure(procedure)
            .and_then(|p| p.stage(stage))
            .and_then(|s| s.clocks.iter().find(|c| c.id.as_str() == clock))
            .map_or_else(|| clock.to_owned(), |c| c.who.clone());
        format!("{} — {task}", self.stage(procedure, stage))
    }

    fn reason(&self, procedure: &str, reason: &str) -> String {
        if reason == OTHER_REASON {
            return "Another reason".to_owned();
        }
        self.procedure(procedure)
            .and_then(|p| p.reasons.iter().find(|r| r.id.as_str() == reason))
            .map_or_else(|| reason.to_owned(), |r| r.label.clone())
    }

    fn agency(&self, id: &str) -> String {
        if id == "-" {
            "No one agency (a Practice Alert)".to_owned()
        } else {
            self.shared.agency_name(id)
        }
    }

    /// Where a `procedure/stage…` key sits: procedures in the partnership's order, stages in
    /// the procedure's.
    fn stage_order(&self, procedure: &str, stage: &str) -> (usize, usize) {
        let p = self
            .procedures
            .iter()
            .position(|p| p.id.as_str() == procedure)
            .unwrap_or(usize::MAX);
        let s = self
            .procedure(procedure)
            .and_then(|p| p.stages.iter().position(|s| s.id.as_str() == stage))
            .unwrap_or(usize::MAX);
        (p, s)
    }
}

/// One bar of a chart: its label and a value per series.
struct Bar {
    label: String,
    values: Vec<usize>,
}

const COLOURS: [&str; 6] = [
    "#00703c", "#f47738", "#1d70b8", "#d4351c", "#b1b4b6", "#4c2c92",
];

/// A horizontal (stacked, with several series) bar chart as SVG, followed by the same
/// figures as a table: the SVG has a title and description for screen readers, and the
/// table is the alternative for anyone who cannot read the chart.
#[component]
fn Chart(
    id: &'static str,
    title: String,
    description: String,
    series: Vec<&'static str>,
    bars: Vec<Bar>,
    /// The table's first column heading.
    row_heading: &'static str,
) -> impl IntoView {
    // Each bar under its label, so a long stage name is never cut.
    const BAR_WIDTH: f64 = 600.0;
    const ROW: f64 = 46.0;
    let most = bars
        .iter()
        .map(|b| b.values.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let legend_rows = if series.len() > 1 {
        series.len().div_ceil(3)
    } else {
        0
    };
    let legend_height = legend_rows as f64 * 18.0 + if legend_rows > 0 { 8.0 } else { 0.0 };
    let height = legend_height + ROW * bars.len().max(1) as f64;
    let width = BAR_WIDTH + 60.0;
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled = format!("{title_id} {desc_id}");
    let legend = (series.len() > 1).then(|| {
        series
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let x = (i % 3) as f64 * 220.0;
                let y = (i / 3) as f64 * 18.0;
                view! {
                    <rect x=x y=y + 2.0 width="12" height="12" fill=COLOURS[i % COLOURS.len()] />
                    <text x=x + 17.0 y=y + 12.0 class="app-chart__legend">{*name}</text>
                }
            })
            .collect_view()
    });
    let rows = bars
        .iter()
        .enumerate()
        .map(|(row, bar)| {
            let y = legend_height + row as f64 * ROW;
            let mut x = 0.0;
            let total: usize = bar.values.iter().sum();
            let label = if bar.label.chars().count() > 80 {
                format!("{}…", bar.label.chars().take(79).collect::<String>())
            } else {
                bar.label.clone()
            };
            let segments = bar
                .values
                .iter()
                .enumerate()
                .filter(|(_, v)| **v > 0)
                .map(|(i, v)| {
                    let w = *v as f64 / most * BAR_WIDTH;
                    let at = x;
                    x += w;
                    view! { <rect x=at y=y + 20.0 width=w height="18" fill=COLOURS[i % COLOURS.len()] /> }
                })
                .collect_view();
            view! {
                <text x="0" y=y + 14.0 class="app-chart__label">{label}</text>
                {segments}
                <text x=total as f64 / most * BAR_WIDTH + 6.0 y=y + 34.0 class="app-chart__value">{total.to_string()}</text>
            }
        })
        .collect_view();
    let several = series.len() > 1;
    if bars.is_empty() {
        return view! { <p class="govuk-body">{format!("{title}: none in the period.")}</p> }
            .into_any();
    }
    view! {
        <figure class="app-chart" id=id>
            <svg role="img" aria-labelledby=labelled viewBox=format!("0 0 {width} {height}") width="100%" preserveAspectRatio="xMinYMin meet">
                <title id=title_id>{title.clone()}</title>
                <desc id=desc_id>{description}</desc>
                {legend}
                {rows}
            </svg>
        </figure>
        <table class="govuk-table app-chart-table">
            <caption class="govuk-table__caption govuk-table__caption--s">{format!("{title}: the figures")}</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">{row_heading}</th>
                    {series.iter().map(|s| view! { <th scope="col" class="govuk-table__header govuk-table__header--numeric">{*s}</th> }).collect_view()}
                    {several.then(|| view! { <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Total"</th> })}
                </tr>
            </thead>
            <tbody class="govuk-table__body">
                {bars.into_iter().map(|bar| {
                    let total: usize = bar.values.iter().sum();
                    view! {
                        <tr class="govuk-table__row">
                            <th scope="row" class="govuk-table__header">{bar.label}</th>
                            {bar.values.into_iter().map(|v| view! { <td class="govuk-table__cell govuk-table__cell--numeric">{v.to_string()}</td> }).collect_view()}
                            {several.then(|| view! { <td class="govuk-table__cell govuk-table__cell--numeric">{total.to_string()}</td> })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// `a/b` → (`a`, `b`); `a/b/c` → (`a`, `b/c`).
fn split_key(key: &str) -> (&str, &str) {
    key.split_once('/').unwrap_or((key, ""))
}

#[component]
fn ReportBody(report: Report, procedures: Vec<Procedure>, shared: Shared) -> impl IntoView {
    let names = Names {
        shared: &shared,
        several: procedures.len() > 1,
        procedures,
    };
    let period = format!("{} to {}", long_date(report.from), long_date(report.to));
    let covering = report.procedure.as_ref().map_or_else(
        || "Every procedure".to_owned(),
        |p| names.procedure_name(p.as_str()),
    );
    let median = report
        .resolution_times
        .median_days
        .map_or_else(|| "None resolved".to_owned(), |d| format!("{d} days"));
    let longest = report
        .resolution_times
        .longest_days
        .map_or_else(|| "None resolved".to_owned(), |d| format!("{d} days"));

    // Stages reached, every stage of the procedures shown (a stage no case reached is a 0).
    let mut reached: Vec<((usize, usize), Bar)> = Vec::new();
    for p in &names.procedures {
        for s in &p.stages {
            let key = format!("{}/{}", p.id, s.id);
            let count = report.by_stage_reached.get(&key).copied().unwrap_or(0);
            reached.push((
                names.stage_order(p.id.as_str(), s.id.as_str()),
                Bar {
                    label: names.stage(p.id.as_str(), s.id.as_str()),
                    values: vec![count],
                },
            ));
        }
    }
    reached.sort_by_key(|(order, _)| *order);

    let mut timeliness: Vec<((usize, usize), Bar)> = report
        .timeliness
        .iter()
        .map(|(key, t)| {
            let (procedure, rest) = split_key(key);
            let (stage, clock) = split_key(rest);
            (
                names.stage_order(procedure, stage),
                Bar {
                    label: names.clock(procedure, stage, clock),
                    values: vec![
                        t.met_on_time,
                        t.met_late,
                        t.open_in_time,
                        t.open_overdue,
                        t.stopped_in_time,
                        t.stopped_overdue,
                    ],
                },
            )
        })
        .collect();
    timeliness.sort_by_key(|(order, _)| *order);

    let reasons: Vec<Bar> = report
        .by_reason
        .iter()
        .map(|(key, n)| {
            let (procedure, reason) = split_key(key);
            let label = if names.several {
                format!(
                    "{}: {}",
                    names.procedure_name(procedure),
                    names.reason(procedure, reason)
                )
            } else {
                names.reason(procedure, reason)
            };
            Bar {
                label,
                values: vec![*n],
            }
        })
        .collect();

    let bands: Vec<Bar> = report
        .resolution_times
        .distribution
        .iter()
        .map(|b| Bar {
            label: match b.to_days {
                Some(to) => format!("{} to {to} days", b.from_days),
                None => format!("More than {} days", b.from_days - 1),
            },
            values: vec![b.cases],
        })
        .collect();

    let actions: Vec<Bar> = report
        .agreed_actions
        .iter()
        .map(|(procedure, a)| Bar {
            label: names.procedure_name(procedure),
            values: vec![a.done_on_time, a.done_late, a.open_in_time, a.open_overdue],
        })
        .collect();

    // Who escalates to whom: raising agencies down, agencies asked across.
    let mut raising = BTreeSet::new();
    let mut asked = BTreeSet::new();
    let mut pairs = BTreeMap::new();
    for (key, n) in &report.by_agency_pair {
        if let Some((from, to)) = key.split_once(" → ") {
            raising.insert(from.to_owned());
            asked.insert(to.to_owned());
            pairs.insert((from.to_owned(), to.to_owned()), *n);
        }
    }
    let asked: Vec<String> = asked.into_iter().collect();
    let matrix = (!pairs.is_empty()).then(|| view! {
        <table class="govuk-table app-matrix">
            <caption class="govuk-table__caption govuk-table__caption--m">"Who escalates to whom"</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <td class="govuk-table__header">"Raised by ↓, asked of →"</td>
                    {asked.iter().map(|a| view! { <th scope="col" class="govuk-table__header govuk-table__header--numeric">{names.agency(a)}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody class="govuk-table__body">
                {raising.iter().map(|r| view! {
                    <tr class="govuk-table__row">
                        <th scope="row" class="govuk-table__header">{names.agency(r)}</th>
                        {asked.iter().map(|a| {
                            let n = pairs.get(&(r.clone(), a.clone())).copied().unwrap_or(0);
                            view! { <td class="govuk-table__cell govuk-table__cell--numeric">{n.to_string()}</td> }
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    });

    let mut totals: Vec<((usize, usize), String, escalations_core::report::Targets)> = report
        .running_totals
        .iter()
        .map(|(key, t)| {
            let (procedure, stage) = split_key(key);
            (
                names.stage_order(procedure, stage),
                names.stage(procedure, stage),
                t.clone(),
            )
        })
        .collect();
    totals.sort_by_key(|(order, ..)| *order);
    let totals = (!totals.is_empty()).then(|| view! {
        <table class="govuk-table">
            <caption class="govuk-table__caption govuk-table__caption--m">"Overall targets counted from the raise"</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Stage"</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Met"</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Missed"</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Running"</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Not needed"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">
                {totals.into_iter().map(|(_, stage, t)| view! {
                    <tr class="govuk-table__row">
                        <th scope="row" class="govuk-table__header">{stage}</th>
                        <td class="govuk-table__cell govuk-table__cell--numeric">{t.met.to_string()}</td>
                        <td class="govuk-table__cell govuk-table__cell--numeric">{t.missed.to_string()}</td>
                        <td class="govuk-table__cell govuk-table__cell--numeric">{t.running.to_string()}</td>
                        <td class="govuk-table__cell govuk-table__cell--numeric">{t.not_needed.to_string()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    });

    let contacts = (!report.contacts_by_method.is_empty()).then(|| view! {
        <table class="govuk-table">
            <caption class="govuk-table__caption govuk-table__caption--m">"How the discussions behind responses and escalations were held"</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Procedure and method"</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Discussions"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">
                {report.contacts_by_method.iter().map(|(key, n)| {
                    let (procedure, method) = split_key(key);
                    view! {
                        <tr class="govuk-table__row">
                            <th scope="row" class="govuk-table__header">{format!("{}: {}", names.procedure_name(procedure), method.replace('-', " "))}</th>
                            <td class="govuk-table__cell govuk-table__cell--numeric">{n.to_string()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    });

    let lessons = if report.lessons_learned.is_empty() {
        view! { <p class="govuk-body">"No case in the period was resolved with lessons learned."</p> }.into_any()
    } else {
        view! {
            <ul class="govuk-list app-lessons">
                {report.lessons_learned.iter().map(|l| view! {
                    <li>
                        <A href=format!("/cases/{}", l.case) attr:class="govuk-link">{format!("Case {}", l.case)}</A>
                        {format!(" — resolved at {}", names.stage(&l.procedure, &l.resolved_at_stage))}
                        <p class="govuk-body app-lesson">{l.lessons_learned.clone()}</p>
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };

    let alerts = (!report.practice_alerts.is_empty()).then(|| view! {
        <table class="govuk-table">
            <caption class="govuk-table__caption govuk-table__caption--m">"Practice Alerts and alerts about an agency"</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Case"</th>
                    <th scope="col" class="govuk-table__header">"Procedure"</th>
                    <th scope="col" class="govuk-table__header">"Raised"</th>
                    <th scope="col" class="govuk-table__header">"By"</th>
                    <th scope="col" class="govuk-table__header">"Status"</th>
                    <th scope="col" class="govuk-table__header">"Lessons learned"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">
                {report.practice_alerts.iter().map(|a| view! {
                    <tr class="govuk-table__row">
                        <td class="govuk-table__cell"><A href=format!("/cases/{}", a.case) attr:class="govuk-link">{format!("Case {}", a.case)}</A></td>
                        <td class="govuk-table__cell">{names.procedure_name(&a.procedure)}</td>
                        <td class="govuk-table__cell">{long_date(a.raised_on)}</td>
                        <td class="govuk-table__cell">{names.agency(&a.raising_agency)}</td>
                        <td class="govuk-table__cell">{a.status.clone()}</td>
                        <td class="govuk-table__cell">{a.lessons_learned.clone().unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    });

    let o = &report.outcomes;
    view! {
        <div class="app-report">
            <h2 class="govuk-heading-m">{format!("{covering}: cases raised {period}")}</h2>
            <dl class="govuk-summary-list">
                {[
                    ("Period", period.clone()),
                    ("Procedure", covering.clone()),
                    ("Escalations about a child", report.cases.to_string()),
                    ("Open", o.open.to_string()),
                    ("Resolved", o.resolved.to_string()),
                    ("Withdrawn", o.withdrawn.to_string()),
                    ("Practice Alerts and alerts about an agency", report.practice_alerts.len().to_string()),
                    ("Median time to resolution", median),
                    ("Longest time to resolution", longest),
                    ("Figures as they stood at", report.generated_at.with_timezone(&escalations_core::timescale::ZONE).format("%-d %B %Y, %H:%M").to_string()),
                ].into_iter().map(|(k, v)| view! {
                    <div class="govuk-summary-list__row">
                        <dt class="govuk-summary-list__key">{k}</dt>
                        <dd class="govuk-summary-list__value">{v}</dd>
                    </div>
                }).collect_view()}
            </dl>

            <section class="app-report__section" aria-labelledby="stages-heading">
                <h2 class="govuk-heading-m" id="stages-heading">"How far cases went"</h2>
                <Chart id="chart-stages" title="Cases by the furthest stage reached".to_owned()
                    description="One bar per stage: how many cases went no further than it.".to_owned()
                    series=vec!["Cases"] row_heading="Stage" bars=reached.into_iter().map(|(_, b)| b).collect() />
            </section>

            <section class="app-report__section" aria-labelledby="timeliness-heading">
                <h2 class="govuk-heading-m" id="timeliness-heading">"Timeliness of each timescale"</h2>
                <p class="govuk-body">"Late and overdue timescales are breaches: met late, still open past the due time, or moved on after it."</p>
                <Chart id="chart-timeliness" title="Timeliness by stage and timescale".to_owned()
                    description="One bar per stage and timescale, split into met on time, met late, open in time, open and overdue, moved on in time, and moved on overdue.".to_owned()
                    series=vec!["Met on time", "Met late", "Open in time", "Open and overdue", "Moved on in time", "Moved on overdue"]
                    row_heading="Stage and timescale" bars=timeliness.into_iter().map(|(_, b)| b).collect() />
                {totals}
            </section>

            <section class="app-report__section" aria-labelledby="agencies-heading">
                <h2 class="govuk-heading-m" id="agencies-heading">"Agencies"</h2>
                {match matrix {
                    Some(m) => m.into_any(),
                    None => view! { <p class="govuk-body">"No escalations between agencies in the period."</p> }.into_any(),
                }}
                {contacts}
            </section>

            <section class="app-report__section" aria-labelledby="reasons-heading">
                <h2 class="govuk-heading-m" id="reasons-heading">"Reasons"</h2>
                <Chart id="chart-reasons" title="Reasons given for escalating".to_owned()
                    description="One bar per reason: how many cases gave it (a case can give several).".to_owned()
                    series=vec!["Cases"] row_heading="Reason" bars=reasons />
            </section>

            <section class="app-report__section" aria-labelledby="outcomes-heading">
                <h2 class="govuk-heading-m" id="outcomes-heading">"Outcomes and time to resolution"</h2>
                <Chart id="chart-outcomes" title="Outcomes".to_owned()
                    description="How many cases are open, resolved and withdrawn.".to_owned()
                    series=vec!["Cases"] row_heading="Outcome"
                    bars=vec![
                        Bar { label: "Open".to_owned(), values: vec![o.open] },
                        Bar { label: "Resolved".to_owned(), values: vec![o.resolved] },
                        Bar { label: "Withdrawn".to_owned(), values: vec![o.withdrawn] },
                    ] />
                <Chart id="chart-resolution" title="Time from raising to resolution".to_owned()
                    description="How many resolved cases took each band of calendar days.".to_owned()
                    series=vec!["Cases resolved"] row_heading="Calendar days" bars=bands />
            </section>

            <section class="app-report__section" aria-labelledby="actions-heading">
                <h2 class="govuk-heading-m" id="actions-heading">"Agreed actions"</h2>
                <Chart id="chart-actions" title="Agreed actions: done on time, done late, not yet done".to_owned()
                    description="One bar per procedure, split into done on time, done late, open in time, and not done by the date agreed.".to_owned()
                    series=vec!["Done on time", "Done late", "Open in time", "Not done by the date agreed"]
                    row_heading="Procedure" bars=actions />
            </section>

            <section class="app-report__section" aria-labelledby="lessons-heading">
                <h2 class="govuk-heading-m" id="lessons-heading">"Lessons learned"</h2>
                {lessons}
                {alerts}
            </section>
        </div>
    }
}
