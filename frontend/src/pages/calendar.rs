//! Your deadlines in your calendar: a person makes a secret link their calendar app (Outlook,
//! Google) subscribes to, sees it once, and can replace it or stop it. The link is the
//! server's; the page only asks for it and shows it.

use escalations_wire::{CalendarFeedLink, CalendarFeedState};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, Failure};
use crate::ui::{Banner, PageHeading, Problem, set_title};

const FEED: &str = "/api/me/calendar-feed";

/// The link as a calendar app needs it: absolute (the server gives a path when it does not
/// know the site's address, and the page and the API share an origin).
fn absolute(url: &str) -> String {
    if url.starts_with('/') {
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        format!("{origin}{url}")
    } else {
        url.to_owned()
    }
}

#[component]
pub fn CalendarFeedPage() -> impl IntoView {
    set_title("Your deadlines in your calendar");
    let reload = RwSignal::new(0u32);
    let state = LocalResource::new(move || {
        reload.track();
        async move { api::get::<CalendarFeedState>(FEED).await }
    });
    // The link just made: shown this once.
    let link = RwSignal::new(None::<String>);
    let stopped = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let create = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problem.set(None);
        stopped.set(false);
        spawn_local(async move {
            match api::post::<_, CalendarFeedLink>(FEED, &serde_json::json!({}), None).await {
                Ok(made) => link.set(Some(absolute(&made.url))),
                Err(e) => problem.set(Some(e.message())),
            }
            busy.set(false);
            reload.update(|n| *n += 1);
        });
    };
    let stop = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            match api::delete(FEED).await {
                Ok(()) => {
                    link.set(None);
                    stopped.set(true);
                }
                Err(e) => problem.set(Some(e.message())),
            }
            busy.set(false);
            reload.update(|n| *n += 1);
        });
    };

    view! {
        <PageHeading text="Your deadlines in your calendar" />
        <Problem message=Signal::derive(move || problem.get()) />
        {move || stopped.get().then(|| view! {
            <Banner title="Success" text="Your calendar link is stopped: calendars using it get nothing more." success=true />
        })}
        <p class="govuk-body">
            "Subscribe to your deadlines in Outlook or Google Calendar. Your calendar then shows "
            "each response, escalation or decision you must make by a due date, and the agreed "
            "actions your agency owns, with the case reference and a link to the case. It never "
            "shows the child's details or what anyone wrote."
        </p>
        <p class="govuk-body">
            "Calendars check the link for changes every few hours, so a deadline may show late. "
            "This page, and My work, always show it as it is now."
        </p>
        {move || link.get().map(|url| view! { <NewLink url=url /> })}
        {move || {
            let shown = link.get().is_some();
            state
                .get()
                .map(|answer| match answer {
                    Err(Failure::SignedOut) => ().into_any(),
                    Err(e) => view! { <p class="govuk-body">{e.message()}</p> }.into_any(),
                    Ok(CalendarFeedState { active: false, .. }) => view! {
                        <button class="govuk-button" disabled=move || busy.get() on:click=create>
                            "Create a calendar link"
                        </button>
                    }
                        .into_any(),
                    Ok(CalendarFeedState { created_at, .. }) => {
                        let made = created_at
                            .map(|at| {
                                at.with_timezone(&escalations_core::timescale::ZONE)
                                    .format("%-d %B %Y %H:%M")
                                    .to_string()
                            })
                            .unwrap_or_default();
                        view! {
                            {(!shown).then(|| view! {
                                <p class="govuk-body">
                                    {format!("You have a calendar link, made {made}. It is not shown again: if you have lost it, replace it.")}
                                </p>
                            })}
                            <h2 class="govuk-heading-m">"Replace or stop the link"</h2>
                            <p class="govuk-body">
                                "Replace it if someone else may have it: the old link stops working at once. "
                                "Stop it when you no longer want your deadlines in a calendar."
                            </p>
                            <div class="govuk-button-group">
                                <button class="govuk-button govuk-button--secondary" disabled=move || busy.get() on:click=create>
                                    "Replace the link"
                                </button>
                                <button class="govuk-button govuk-button--warning" disabled=move || busy.get() on:click=stop>
                                    "Stop the link"
                                </button>
                            </div>
                        }
                            .into_any()
                    }
                })
                .unwrap_or_else(|| view! { <p class="govuk-body">"Loading…"</p> }.into_any())
        }}
    }
}

/// The link just made, with how to add it to a calendar.
#[component]
fn NewLink(url: String) -> impl IntoView {
    view! {
        <h2 class="govuk-heading-m">"Your new calendar link"</h2>
        <div class="govuk-form-group">
            <label class="govuk-label govuk-label--s" for="calendar-link">"Calendar link"</label>
            <div id="calendar-link-hint" class="govuk-hint">
                "Copy it now: it is shown only this once. Keep it private — anyone with it can see your case references and due dates."
            </div>
            <input
                class="govuk-input"
                id="calendar-link"
                name="calendar-link"
                type="text"
                readonly=true
                spellcheck="false"
                aria-describedby="calendar-link-hint"
                prop:value=url
            />
        </div>
        <h3 class="govuk-heading-s">"In Outlook"</h3>
        <ol class="govuk-list govuk-list--number">
            <li>"Open your calendar and choose Add calendar, then Subscribe from web."</li>
            <li>"Paste the link, give the calendar a name such as Escalations, and choose Import."</li>
        </ol>
        <h3 class="govuk-heading-s">"In Google Calendar"</h3>
        <ol class="govuk-list govuk-list--number">
            <li>"Next to Other calendars, choose + and then From URL."</li>
            <li>"Paste the link and choose Add calendar."</li>
        </ol>
    }
}
