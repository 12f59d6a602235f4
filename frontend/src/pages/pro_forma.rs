//! Printable pro-formas: each form of a procedure laid out as its document prints it — the
//! partnership and procedure, the form's title in the document's words, its protective marking
//! at the top and bottom of every printed page where the document marks one (MSET's
//! RESTRICTED), each field a labelled box and each table a printed table — filled from a case
//! (its latest record, else what the case already knows) or blank for partners who still work
//! on paper. One button prints or saves it as PDF through the browser; `style/print.scss` lays
//! out the page.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use escalations_core::case::FormRecord;
use escalations_core::forms::Plain;
use escalations_core::procedure::{Field, FieldKind, Form, Party, Procedure};
use escalations_wire::{CaseView, FormView, ProcedureList};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::{self, Failure};
use crate::app::shared;
use crate::ui::{PageHeading, set_title};

/// Empty rows a printed table offers for writing in, at least.
const BLANK_ROWS: usize = 3;

/// What a filled pro-forma says of the case beside its values.
#[derive(Clone)]
struct Filled {
    case: String,
    stage: String,
    /// When and by whom it was last recorded, in words; `None` if never (pre-filled only).
    recorded: Option<String>,
    values: BTreeMap<String, Plain>,
}

/// `/cases/:id/forms/:form`: the form filled from the case.
#[component]
pub fn FilledProForma() -> impl IntoView {
    let shared = shared();
    let params = use_params_map();
    let sheet = LocalResource::new(move || {
        let (id, form) = params.with(|p| {
            (
                p.get("id").unwrap_or_default(),
                p.get("form").unwrap_or_default(),
            )
        });
        async move {
            let view: CaseView = api::get(&format!("/api/cases/{id}")).await?;
            let procedure = shared.procedure(view.case.procedure.as_str()).await?;
            let form: FormView =
                api::get(&format!("/api/cases/{id}/forms/{form}?record=latest")).await?;
            let stage = procedure
                .stage(form.stage.as_str())
                .map_or_else(|| form.stage.to_string(), |s| s.name.clone());
            let recorded = form.recorded.as_ref().map(|r| {
                format!(
                    "{} by {}",
                    r.at.with_timezone(&escalations_core::timescale::ZONE)
                        .format("%-d %B %Y %H:%M"),
                    shared.person_name(r.by.as_str())
                )
            });
            let filled = Filled {
                case: view.case.id.to_string(),
                stage,
                recorded,
                values: form
                    .values
                    .iter()
                    .map(|v| (v.field.to_string(), v.value.clone()))
                    .collect(),
            };
            Ok::<_, Failure>((procedure, form.form, filled))
        }
    });
    move || {
        sheet
            .get()
            .map(|answer| match answer {
                Ok((procedure, form, filled)) => {
                    view! { <Sheet procedure=procedure form=form filled=Some(filled) /> }.into_any()
                }
                Err(e) => failed(e),
            })
            .unwrap_or_else(loading)
    }
}

/// `/procedures/:id/forms/:form`: the form blank, to print and fill by hand.
#[component]
pub fn BlankProForma() -> impl IntoView {
    let shared = shared();
    let params = use_params_map();
    let sheet = LocalResource::new(move || {
        let (id, form) = params.with(|p| {
            (
                p.get("id").unwrap_or_default(),
                p.get("form").unwrap_or_default(),
            )
        });
        async move {
            let procedure = shared.procedure(&id).await?;
            let found = procedure
                .forms
                .iter()
                .find(|f| f.id.as_str() == form)
                .cloned();
            Ok::<_, Failure>((procedure, found))
        }
    });
    move || {
        sheet
            .get()
            .map(|answer| match answer {
                Ok((procedure, Some(form))) => {
                    view! { <Sheet procedure=procedure form=form filled=None /> }.into_any()
                }
                Ok((_, None)) => failed(Failure::Unreachable(
                    "no such form in this procedure".to_owned(),
                )),
                Err(e) => failed(e),
            })
            .unwrap_or_else(loading)
    }
}

/// `/forms`: every form of the partnership's procedures, blank.
#[component]
pub fn BlankForms() -> impl IntoView {
    set_title("Blank pro-formas");
    let shared = shared();
    let procedures = LocalResource::new(move || async move {
        let list: ProcedureList = api::get("/api/procedures").await?;
        let mut procedures = Vec::new();
        for item in list.items {
            procedures.push(shared.procedure(item.id.as_str()).await?);
        }
        Ok::<_, Failure>(procedures)
    });
    view! {
        <PageHeading text="Blank pro-formas" />
        <p class="govuk-body">
            "Each form of your partnership's procedures, laid out as its document prints it, to print or save as PDF for partners who work on paper. A case's own forms, filled from what it records, are listed on the case's page."
        </p>
        {move || {
            procedures
                .get()
                .map(|answer| match answer {
                    Ok(procedures) => procedures
                        .into_iter()
                        .filter(|p| !p.forms.is_empty())
                        .map(|p| {
                            let id = p.id.to_string();
                            view! {
                                <h2 class="govuk-heading-m">{p.name.clone()}</h2>
                                <ul class="govuk-list govuk-list--bullet">
                                    {p.forms.into_iter().map(|f| view! {
                                        <li>
                                            <A href=format!("/procedures/{id}/forms/{}", f.id) attr:class="govuk-link">{f.title}</A>
                                            {f.marking.map(|m| format!(" ({m})"))}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }
                        })
                        .collect_view()
                        .into_any(),
                    Err(e) => view! { <p class="govuk-body">{e.message()}</p> }.into_any(),
                })
                .unwrap_or_else(loading)
        }}
    }
}

/// The case page's list of its pro-formas, each to print filled from the case.
#[component]
pub fn ProFormaLinks(
    case: String,
    procedure: Procedure,
    records: Vec<FormRecord>,
) -> impl IntoView {
    (!procedure.forms.is_empty()).then(move || {
        view! {
            <h2 class="govuk-heading-m">"Pro-formas"</h2>
            <ul class="govuk-list" id="pro-formas">
                {procedure.forms.into_iter().map(|f| {
                    let recorded = records.iter().any(|r| r.form == f.id);
                    view! {
                        <li>
                            <A href=format!("/cases/{case}/forms/{}", f.id) attr:class="govuk-link">{f.title}</A>
                            {if recorded { " — recorded" } else { " — not yet recorded" }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    })
}

fn loading() -> AnyView {
    view! { <p class="govuk-body">"Loading…"</p> }.into_any()
}

fn failed(e: Failure) -> AnyView {
    set_title("Pro-forma");
    view! {
        <PageHeading text="Pro-forma" />
        <p class="govuk-body">{e.message()}</p>
    }
    .into_any()
}

fn print() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}

/// One pro-forma, filled or blank.
#[component]
fn Sheet(procedure: Procedure, form: Form, filled: Option<Filled>) -> impl IntoView {
    set_title(&match &filled {
        Some(f) => format!("{} – case {}", form.title, f.case),
        None => format!("{} – blank", form.title),
    });
    let back = match &filled {
        Some(f) => (format!("/cases/{}", f.case), "Back to the case"),
        None => ("/forms".to_owned(), "Blank pro-formas"),
    };
    let marking = form.marking.clone();
    let marked = |place: &'static str| {
        marking.clone().map(|m| {
            view! {
                <tr><td class=format!("app-marking app-marking--{place}")>{m}</td></tr>
            }
        })
    };
    let about = match &filled {
        Some(f) => view! {
            <dl class="app-proforma__about">
                <div><dt>"Case reference"</dt><dd id="case-reference">{f.case.clone()}</dd></div>
                <div><dt>"Stage"</dt><dd>{f.stage.clone()}</dd></div>
                <div>
                    <dt>"Recorded"</dt>
                    <dd>{f.recorded.clone().unwrap_or_else(|| "Not yet: filled from what the case records".to_owned())}</dd>
                </div>
            </dl>
        }
        .into_any(),
        None => view! {
            <dl class="app-proforma__about">
                <div><dt>"Case reference"</dt><dd class="app-proforma__write-in"></dd></div>
            </dl>
        }
        .into_any(),
    };
    let values = filled.as_ref().map(|f| f.values.clone());
    let rows = sections(&form.fields)
        .into_iter()
        .map(|(side, fields)| {
            let heading = side.map(|side| {
                view! {
                    <tr class="app-proforma__section">
                        <th colspan="2" scope="colgroup">{format!("For completion by {}", side.describe())}</th>
                    </tr>
                }
            });
            view! {
                {heading}
                {fields.into_iter().map(|field| field_row(field, values.as_ref())).collect_view()}
            }
        })
        .collect_view();
    view! {
        <div class="app-no-print">
            <A href=back.0 attr:class="govuk-back-link">{back.1}</A>
        </div>
        <table class="app-proforma__page" role="presentation">
            <thead>{marked("top")}</thead>
            <tfoot>
                {marked("bottom")}
                {(form.marking.is_none() && filled.is_some()).then(|| view! {
                    <tr><td class="app-proforma__spacer">"\u{a0}"</td></tr>
                })}
            </tfoot>
            <tbody>
                <tr>
                    <td>
                        <article class="app-proforma">
                            <p class="app-proforma__partnership">{procedure.partnership.clone()}</p>
                            <p class="app-proforma__procedure">{procedure.name.clone()}</p>
                            <PageHeading text=form.title.clone() />
                            <p class="govuk-body app-proforma__kind">
                                {if filled.is_some() { "Pro-forma filled from the case" } else { "Blank pro-forma" }}
                            </p>
                            {about}
                            <table class="app-proforma__fields">
                                <caption class="govuk-visually-hidden">{form.title.clone()}</caption>
                                <tbody>{rows}</tbody>
                            </table>
                        </article>
                    </td>
                </tr>
            </tbody>
        </table>
        {form.marking.clone().map(|m| view! { <p class="app-marking app-marking--fixed" aria-hidden="true">{m}</p> })}
        // Each printed page of a filled form names its case, should the pages part.
        {filled.as_ref().map(|f| view! { <p class="app-proforma__running" aria-hidden="true">{format!("Case {}", f.case)}</p> })}
        <div class="app-no-print">
            <button type="button" class="govuk-button" id="print" on:click=move |_| print()>
                "Print or save as PDF"
            </button>
        </div>
    }
}

/// The fields in runs by who fills them: a run filled by one side only opens a section
/// ("For completion by Sefton SCP"; MSET's Section 2, the Line Manager's).
fn sections(fields: &[Field]) -> Vec<(Option<Party>, Vec<&Field>)> {
    let mut runs: Vec<(Option<Party>, Vec<&Field>)> = Vec::new();
    for field in fields {
        match runs.last_mut() {
            Some((side, run)) if *side == field.filled_by => run.push(field),
            _ => runs.push((field.filled_by, vec![field])),
        }
    }
    runs
}

fn field_row(field: &Field, values: Option<&BTreeMap<String, Plain>>) -> AnyView {
    let value = values
        .and_then(|v| v.get(field.id.as_str()))
        .filter(|v| !v.is_empty());
    let label = field.label.clone();
    if field.kind == FieldKind::Rows {
        let rows: Vec<BTreeMap<String, Plain>> = match value {
            Some(Plain::List(items)) => items
                .iter()
                .filter_map(|item| match item {
                    Plain::Object(cells) => Some(cells.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let blanks = BLANK_ROWS.saturating_sub(rows.len());
        let columns = field.columns.clone();
        return view! {
            <tr class="app-proforma__row">
                <td colspan="2" class="app-proforma__table-cell">
                    <table class="app-proforma__rows">
                        <caption class="app-proforma__label">{label}</caption>
                        <thead>
                            <tr>{columns.iter().map(|c| view! { <th scope="col">{c.label.clone()}</th> }).collect_view()}</tr>
                        </thead>
                        <tbody>
                            {rows.iter().map(|cells| view! {
                                <tr>{columns.iter().map(|c| view! {
                                    <td>{cells.get(c.id.as_str()).map(|v| words(c, v)).unwrap_or_default()}</td>
                                }).collect_view()}</tr>
                            }).collect_view()}
                            {(0..blanks).map(|_| view! {
                                <tr class="app-proforma__blank-row">{columns.iter().map(|_| view! { <td></td> }).collect_view()}</tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </td>
            </tr>
        }
        .into_any();
    }
    let class = match field.kind {
        FieldKind::LongText => "app-proforma__value app-proforma__value--long",
        _ => "app-proforma__value",
    };
    let shown = if field.kind.has_options() || field.kind == FieldKind::YesNo {
        ticks(field, value).into_any()
    } else {
        value
            .map(|v| words(field, v))
            .unwrap_or_default()
            .into_any()
    };
    view! {
        <tr class="app-proforma__row">
            <th scope="row" class="app-proforma__label">{label}</th>
            <td class=class>{shown}</td>
        </tr>
    }
    .into_any()
}

/// A choice, tick-list or yes/no as the paper prints it: every option with its box, ticked
/// where the case records it.
fn ticks(field: &Field, value: Option<&Plain>) -> impl IntoView + use<> {
    let options: Vec<String> = if field.kind == FieldKind::YesNo {
        vec!["Yes".to_owned(), "No".to_owned()]
    } else {
        field.options.clone()
    };
    let ticked = |option: &str| match value {
        Some(Plain::Bool(b)) => (option == "Yes") == *b,
        Some(Plain::Text(t)) => t == option,
        Some(Plain::List(items)) => items
            .iter()
            .any(|i| matches!(i, Plain::Text(t) if t == option)),
        _ => false,
    };
    view! {
        <ul class="app-proforma__ticks">
            {options.into_iter().map(|option| {
                let on = ticked(&option);
                view! {
                    <li>
                        <span class="app-proforma__box" aria-hidden="true">{if on { "☒" } else { "☐" }}</span>
                        " "{option}
                        {on.then(|| view! { <span class="govuk-visually-hidden">" (ticked)"</span> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// One value in words: dates as the documents write them, yes/no as Yes or No.
fn words(field: &Field, value: &Plain) -> String {
    match (field.kind, value) {
        (FieldKind::Date, Plain::Text(t)) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map_or_else(|_| t.clone(), |d| d.format("%-d %B %Y").to_string()),
        (_, Plain::Bool(true)) => "Yes".to_owned(),
        (_, Plain::Bool(false)) => "No".to_owned(),
        (_, Plain::Text(t)) => t.clone(),
        (_, Plain::Number(n)) => n.to_string(),
        (_, Plain::List(items)) => items
            .iter()
            .map(|i| words(field, i))
            .collect::<Vec<_>>()
            .join("; "),
        (_, Plain::Null) | (_, Plain::Object(_)) => String::new(),
    }
}
