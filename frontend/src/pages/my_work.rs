//! My work, the home page: what I must act on, by how soon it is due, with the time left in
//! words and whose move it is; then the cases I raised or am involved in.

use escalations_core::words::{Urgency, time_left, urgency};
use escalations_wire::{CasePage, Queue, QueueItem, StatusKind};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{self, Failure};
use crate::app::{Shared, shared};
use crate::ui::{PageHeading, Tag, set_title};

pub fn status_tag(status: StatusKind) -> impl IntoView {
    match status {
        StatusKind::Open => view! { <Tag text="Open" colour="blue" /> },
        StatusKind::Resolved => view! { <Tag text="Resolved" colour="green" /> },
        StatusKind::Withdrawn => view! { <Tag text="Withdrawn" colour="grey" /> },
    }
}

pub fn stage_name(shared: &Shared, procedure: &str, stage: &str) -> String {
    shared
        .known_procedure(procedure)
        .and_then(|p| p.stage(stage).map(|s| s.name.clone()))
        .unwrap_or_else(|| stage.to_owned())
}

pub fn procedure_name(shared: &Shared, procedure: &str) -> String {
    shared
        .known_procedure(procedure)
        .map_or_else(|| procedure.to_owned(), |p| p.name)
}

#[component]
pub fn MyWork() -> impl IntoView {
    set_title("My work");
    let shared = shared();
    let work = LocalResource::new(move || async move {
        let queue: Queue = api::get("/api/queue").await?;
        let cases: CasePage = api::get("/api/cases?scope=mine").await?;
        shared.server_now(queue.now);
        let mut ids: Vec<String> = queue
            .items
            .iter()
            .map(|i| i.procedure.to_string())
            .chain(cases.items.iter().map(|c| c.procedure.to_string()))
            .collect();
        ids.sort();
        ids.dedup();
        for id in ids {
            shared.procedure(&id).await?;
        }
        Ok::<_, Failure>((queue, cases))
    });
    view! {
        <PageHeading text="My work" />
        <A href="/raise" attr:class="govuk-button" attr:role="button">"Raise an escalation"</A>
        <p class="govuk-body">
            <A href="/calendar" attr:class="govuk-link">"Subscribe to your deadlines in Outlook or Google Calendar"</A>
        </p>
        {move || {
            work.get()
                .map(|answer| match answer {
                    Err(e) => view! { <p class="govuk-body">{e.message()}</p> }.into_any(),
                    Ok((queue, cases)) => view! { <Work queue=queue cases=cases /> }.into_any(),
                })
                .unwrap_or_else(|| view! { <p class="govuk-body">"Loading…"</p> }.into_any())
        }}
    }
}

#[component]
fn Work(queue: Queue, cases: CasePage) -> impl IntoView {
    let shared = shared();
    let calendar = shared.calendar();
    let now = queue.now;
    let group = |wanted: Option<Urgency>| -> Vec<QueueItem> {
        queue
            .items
            .iter()
            .filter(|i| i.due.map(|d| urgency(now, d)) == wanted)
            .cloned()
            .collect()
    };
    let groups = [
        ("overdue", "Overdue", group(Some(Urgency::Overdue))),
        ("due-today", "Due today", group(Some(Urgency::DueToday))),
        (
            "due-this-week",
            "Due this week",
            group(Some(Urgency::DueThisWeek)),
        ),
        ("later", "Later", group(Some(Urgency::Later))),
        ("no-due-date", "No due date", group(None)),
    ];
    let nothing = queue.items.is_empty();
    view! {
        <h2 class="govuk-heading-m">"What you must act on"</h2>
        {nothing.then(|| view! { <p class="govuk-body">"Nothing is waiting for you."</p> })}
        {groups
            .into_iter()
            .filter(|(_, _, items)| !items.is_empty())
            .map(|(id, title, items)| {
                let heading = format!("group-{id}");
                let heading2 = heading.clone();
                let calendar = calendar.clone();
                view! {
                    <section aria-labelledby=heading2>
                        <h3 class="govuk-heading-s" id=heading>{format!("{title} ({})", items.len())}</h3>
                        <ul class="govuk-list govuk-list--spaced">
                            {items
                                .into_iter()
                                .map(|item| {
                                    let when = match (&calendar, item.due) {
                                        (Some(c), Some(due)) => time_left(now, due, c).unwrap_or_default(),
                                        _ => "no due date".to_owned(),
                                    };
                                    let overdue = item.overdue;
                                    let stage = stage_name(&shared, item.procedure.as_str(), item.stage.as_str());
                                    let procedure = procedure_name(&shared, item.procedure.as_str());
                                    view! {
                                        <li>
                                            <A href=format!("/cases/{}", item.case) attr:class="govuk-link govuk-!-font-weight-bold">
                                                {format!("Case {}", item.case)}
                                            </A>
                                            {format!(" — {procedure}, {stage}")}
                                            <br />
                                            <span class=if overdue { "app-due-overdue" } else { "govuk-body" }>
                                                {when}
                                            </span>
                                            <br />
                                            <span class="govuk-body-s">
                                                {format!("Your move ({}): {}", item.who, item.task)}
                                            </span>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })
            .collect_view()}
        {(!queue.agreed_actions.is_empty())
            .then(|| {
                view! {
                    <section aria-labelledby="group-actions">
                        <h3 class="govuk-heading-s" id="group-actions">"Agreed actions your agency owns"</h3>
                        <ul class="govuk-list">
                            {queue
                                .agreed_actions
                                .iter()
                                .map(|a| {
                                    let due = a.due.format("%A %-d %B %Y").to_string();
                                    let text = if a.overdue {
                                        format!(" — overdue: was due {due}")
                                    } else {
                                        format!(" — due {due}")
                                    };
                                    view! {
                                        <li>
                                            <A href=format!("/cases/{}", a.case) attr:class="govuk-link">
                                                {format!("Case {}", a.case)}
                                            </A>
                                            {text}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })}
        <h2 class="govuk-heading-m">"Cases you raised or acted on"</h2>
        {if cases.items.is_empty() {
            view! { <p class="govuk-body">"No cases yet."</p> }.into_any()
        } else {
            view! {
                <table class="govuk-table">
                    <caption class="govuk-table__caption govuk-visually-hidden">"Cases you raised or acted on"</caption>
                    <thead class="govuk-table__head">
                        <tr class="govuk-table__row">
                            <th scope="col" class="govuk-table__header">"Case"</th>
                            <th scope="col" class="govuk-table__header">"Procedure"</th>
                            <th scope="col" class="govuk-table__header">"Stage"</th>
                            <th scope="col" class="govuk-table__header">"Status"</th>
                        </tr>
                    </thead>
                    <tbody class="govuk-table__body">
                        {cases
                            .items
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <tr class="govuk-table__row">
                                        <td class="govuk-table__cell">
                                            <A href=format!("/cases/{}", c.id) attr:class="govuk-link">{format!("Case {}", c.id)}</A>
                                        </td>
                                        <td class="govuk-table__cell">{procedure_name(&shared, c.procedure.as_str())}</td>
                                        <td class="govuk-table__cell">{stage_name(&shared, c.procedure.as_str(), c.stage.as_str())}</td>
                                        <td class="govuk-table__cell">{status_tag(c.status)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            }
                .into_any()
        }}
    }
}
