//! All cases (chair and business unit): the counts at the top (open, overdue — a link to them —
//! resolved this quarter), then every case of the partnership filtered by procedure, stage,
//! status, the agency raising or asked, overdue and the dates raised, newest or oldest first,
//! a page at a time through the API's cursor. The filters live in the address, so a view can
//! be bookmarked and shared.

use escalations_wire::{CasePage, Overview, ProcedureList};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::{self, Failure};
use crate::app::shared;
use crate::pages::my_work::{procedure_name, stage_name, status_tag};
use crate::ui::{PageHeading, Tag, set_title};

const FILTERS: [&str; 8] = [
    "procedure",
    "stage",
    "status",
    "agency",
    "overdue",
    "from",
    "to",
    "order",
];

fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

#[component]
pub fn AllCases() -> impl IntoView {
    set_title("All cases");
    let shared = shared();
    let query = use_query_map();
    let navigate = use_navigate();
    let filter = move |key: &str| query.with(|q| q.get(key).unwrap_or_default());
    let procedures = LocalResource::new(|| api::get::<ProcedureList>("/api/procedures"));
    let overview = LocalResource::new(|| api::get::<Overview>("/api/overview"));
    let page = LocalResource::new(move || {
        let mut path = "/api/cases?scope=partnership&limit=50".to_owned();
        for key in FILTERS.iter().chain(std::iter::once(&"cursor")) {
            let value = filter(key);
            if !value.is_empty() {
                path.push_str(&format!("&{key}={}", encode(&value)));
            }
        }
        async move {
            let page: CasePage = api::get(&path).await?;
            let mut ids: Vec<String> = page.items.iter().map(|c| c.procedure.to_string()).collect();
            ids.sort();
            ids.dedup();
            for id in ids {
                shared.procedure(&id).await?;
            }
            Ok::<_, Failure>(page)
        }
    });
    // The form's values, applied to the address on submit.
    let procedure = RwSignal::new(filter("procedure"));
    let stage = RwSignal::new(filter("stage"));
    let status = RwSignal::new(filter("status"));
    let overdue = RwSignal::new(filter("overdue") == "true");
    let agency = RwSignal::new(filter("agency"));
    let from = RwSignal::new(filter("from"));
    let to = RwSignal::new(filter("to"));
    let order = RwSignal::new(filter("order"));
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut parts = Vec::new();
        for (key, value) in [
            ("procedure", procedure.get_untracked()),
            ("stage", stage.get_untracked()),
            ("status", status.get_untracked()),
            ("agency", agency.get_untracked()),
            ("from", from.get_untracked()),
            ("to", to.get_untracked()),
            ("order", order.get_untracked()),
            (
                "overdue",
                if overdue.get_untracked() {
                    "true".to_owned()
                } else {
                    String::new()
                },
            ),
        ] {
            if !value.is_empty() {
                parts.push(format!("{key}={}", encode(&value)));
            }
        }
        navigate(&format!("/cases?{}", parts.join("&")), Default::default());
    };
    let stages = move || {
        let id = procedure.get();
        shared
            .known_procedure(&id)
            .map(|p| {
                p.stages
                    .iter()
                    .map(|s| (s.id.to_string(), s.name.clone()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    Effect::new(move |_| {
        let id = procedure.get();
        if !id.is_empty() {
            leptos::task::spawn_local(async move {
                let _ = shared.procedure(&id).await;
            });
        }
    });
    view! {
        <PageHeading text="All cases" caption=shared.me.get_untracked().map(|m| m.partnership.name).unwrap_or_default() />
        {move || overview.get().and_then(Result::ok).map(|o| view! {
            <ul class="govuk-list app-counts" aria-label="Counts">
                <li class="app-count">
                    <A href="/cases?status=open" attr:class="govuk-link app-count__link">
                        <span class="app-count__figure">{o.open.to_string()}</span>" open"
                    </A>
                </li>
                <li class="app-count">
                    <A href="/cases?overdue=true" attr:class="govuk-link app-count__link">
                        <span class="app-count__figure">{o.overdue.to_string()}</span>" overdue"
                    </A>
                </li>
                <li class="app-count">
                    <span class="app-count__figure">{o.resolved_this_quarter.to_string()}</span>
                    {format!(" resolved since {}", o.quarter_from.format("%-d %B %Y"))}
                </li>
            </ul>
        })}
        <form novalidate on:submit=apply class="govuk-!-margin-bottom-6">
            <div class="govuk-form-group">
                <label class="govuk-label govuk-label--s" for="filter-procedure">"Procedure"</label>
                <select class="govuk-select" id="filter-procedure" prop:value=move || procedure.get()
                    on:change=move |ev| { procedure.set(event_target_value(&ev)); stage.set(String::new()); }>
                    <option value="">"Any procedure"</option>
                    {move || procedures.get().and_then(Result::ok).map(|list| list.items.into_iter().map(|p| {
                        let id = p.id.to_string();
                        let selected = id == procedure.get_untracked();
                        view! { <option value=id selected=selected>{p.name}</option> }
                    }).collect_view())}
                </select>
            </div>
            <div class="govuk-form-group">
                <label class="govuk-label govuk-label--s" for="filter-stage">"Stage"</label>
                <select class="govuk-select" id="filter-stage" prop:value=move || stage.get() on:change=move |ev| stage.set(event_target_value(&ev))>
                    <option value="">"Any stage"</option>
                    {move || stages().into_iter().map(|(id, name)| {
                        let selected = id == stage.get_untracked();
                        view! { <option value=id selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="govuk-form-group">
                <label class="govuk-label govuk-label--s" for="filter-status">"Status"</label>
                <select class="govuk-select" id="filter-status" prop:value=move || status.get() on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="">"Any status"</option>
                    <option value="open" selected=move || status.get() == "open">"Open"</option>
                    <option value="resolved" selected=move || status.get() == "resolved">"Resolved"</option>
                    <option value="withdrawn" selected=move || status.get() == "withdrawn">"Withdrawn"</option>
                </select>
            </div>
            <div class="govuk-form-group">
                <label class="govuk-label govuk-label--s" for="filter-agency">"Agency raising or asked"</label>
                <select class="govuk-select" id="filter-agency" prop:value=move || agency.get() on:change=move |ev| agency.set(event_target_value(&ev))>
                    <option value="">"Any agency"</option>
                    {move || shared.me.get().map(|me| me.partnership.agencies.into_iter().map(|a| {
                        let id = a.id.to_string();
                        let selected = id == agency.get_untracked();
                        view! { <option value=id selected=selected>{a.name}</option> }
                    }).collect_view())}
                </select>
            </div>
            <fieldset class="govuk-fieldset govuk-!-margin-bottom-4">
                <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">"Raised between"</legend>
                <div class="app-report-filters">
                    <div class="govuk-form-group">
                        <label class="govuk-label" for="filter-from">"From"</label>
                        <input class="govuk-input govuk-input--width-10" id="filter-from" type="date" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) />
                    </div>
                    <div class="govuk-form-group">
                        <label class="govuk-label" for="filter-to">"To"</label>
                        <input class="govuk-input govuk-input--width-10" id="filter-to" type="date" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) />
                    </div>
                </div>
            </fieldset>
            <div class="govuk-form-group">
                <label class="govuk-label govuk-label--s" for="filter-order">"Sort by"</label>
                <select class="govuk-select" id="filter-order" prop:value=move || order.get() on:change=move |ev| order.set(event_target_value(&ev))>
                    <option value="" selected=move || order.get() != "oldest">"Newest raised first"</option>
                    <option value="oldest" selected=move || order.get() == "oldest">"Oldest raised first"</option>
                </select>
            </div>
            <div class="govuk-form-group">
                <div class="govuk-checkboxes govuk-checkboxes--small">
                    <div class="govuk-checkboxes__item">
                        <input class="govuk-checkboxes__input" id="filter-overdue" type="checkbox"
                            prop:checked=move || overdue.get() on:change=move |ev| overdue.set(event_target_checked(&ev)) />
                        <label class="govuk-label govuk-checkboxes__label" for="filter-overdue">"Overdue only"</label>
                    </div>
                </div>
            </div>
            <button type="submit" class="govuk-button govuk-button--secondary">"Show cases"</button>
        </form>
        {move || page.get().map(|answer| match answer {
            Err(e) => view! { <p class="govuk-body">{e.message()}</p> }.into_any(),
            Ok(page) => {
                let now = shared.now();
                let count = page.items.len();
                let next = page.next.clone().map(|cursor| {
                    let mut parts: Vec<String> = FILTERS
                        .iter()
                        .filter_map(|k| {
                            let v = filter(k);
                            (!v.is_empty()).then(|| format!("{k}={}", encode(&v)))
                        })
                        .collect();
                    parts.push(format!("cursor={}", encode(&cursor)));
                    format!("/cases?{}", parts.join("&"))
                });
                view! {
                    <p class="govuk-body" role="status">
                        {if count == 0 { "No cases match.".to_owned() } else { format!("{count} case{} shown{}.", if count == 1 { "" } else { "s" }, if next.is_some() { ", more on the next page" } else { "" }) }}
                    </p>
                    {(count > 0).then(|| view! {
                        <table class="govuk-table">
                            <caption class="govuk-table__caption govuk-visually-hidden">"Cases"</caption>
                            <thead class="govuk-table__head">
                                <tr class="govuk-table__row">
                                    <th scope="col" class="govuk-table__header">"Case"</th>
                                    <th scope="col" class="govuk-table__header">"Raised"</th>
                                    <th scope="col" class="govuk-table__header">"Procedure and stage"</th>
                                    <th scope="col" class="govuk-table__header">"Raised by, about"</th>
                                    <th scope="col" class="govuk-table__header">"Status"</th>
                                </tr>
                            </thead>
                            <tbody class="govuk-table__body">
                                {page.items.into_iter().map(|c| {
                                    let late = c.running.as_ref().is_some_and(|r| r.due <= now);
                                    let about = c.receiving_agency.as_ref().map(|a| shared.agency_name(a.as_str())).unwrap_or_default();
                                    view! {
                                        <tr class="govuk-table__row">
                                            <td class="govuk-table__cell"><A href=format!("/cases/{}", c.id) attr:class="govuk-link">{format!("Case {}", c.id)}</A></td>
                                            <td class="govuk-table__cell">{escalations_core::timescale::local_date(c.raised_at).format("%-d %b %Y").to_string()}</td>
                                            <td class="govuk-table__cell">{format!("{}: {}", procedure_name(&shared, c.procedure.as_str()), stage_name(&shared, c.procedure.as_str(), c.stage.as_str()))}</td>
                                            <td class="govuk-table__cell">{format!("{}, about {about}", shared.agency_name(c.raising_agency.as_str()))}</td>
                                            <td class="govuk-table__cell">{status_tag(c.status)}{late.then(|| view! { " " <Tag text="Overdue" colour="red" /> })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    })}
                    {next.map(|href| view! { <A href=href attr:class="govuk-link">"Next page"</A> })}
                }.into_any()
            }
        })}
    }
}
