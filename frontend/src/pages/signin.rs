//! Sign in: Cognito's hosted UI in AWS; the local stack's demo people locally.

use escalations_wire::{DemoPeople, DemoToken, SiteConfig};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

use crate::app::{role_words, shared};
use crate::ui::{PageHeading, Problem, set_title};
use crate::{api, auth, session};

fn go(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(path);
    }
}

#[component]
pub fn SignIn() -> impl IntoView {
    set_title("Sign in");
    let shared = shared();
    let problem = RwSignal::new(None::<String>);
    let came_back = session::take_expired();
    view! {
        <PageHeading text="Sign in" />
        {came_back
            .then(|| {
                view! {
                    <crate::ui::Banner
                        title="Important"
                        text="Your sign-in has ended. Sign in again: what you were typing has been kept."
                    />
                }
            })}
        <Problem message=problem />
        {move || match shared.config.get() {
            None => view! { <p class="govuk-body">"Loading…"</p> }.into_any(),
            Some(SiteConfig::Cognito { client_id, domain, .. }) => {
                view! {
                    <p class="govuk-body">"Sign in with the account your partnership gave you."</p>
                    <button
                        type="button"
                        class="govuk-button"
                        on:click=move |_| auth::start_cognito(&client_id, &domain)
                    >
                        "Sign in"
                    </button>
                }
                    .into_any()
            }
            Some(SiteConfig::Demo) => view! { <DemoPeopleList problem=problem /> }.into_any(),
        }}
    }
}

#[component]
fn DemoPeopleList(problem: RwSignal<Option<String>>) -> impl IntoView {
    let people = LocalResource::new(|| api::get_public::<DemoPeople>("/dev/people"));
    let sign_in_as = move |partnership: String, person: String| {
        spawn_local(async move {
            let path = format!("/dev/token?partnership={partnership}&person={person}");
            match api::get_public::<DemoToken>(&path).await {
                Ok(token) => {
                    session::set_token(&token.token);
                    go(&session::take_return_to());
                }
                Err(e) => problem.set(Some(e.message())),
            }
        });
    };
    view! {
        <div class="govuk-warning-text">
            <span class="govuk-warning-text__icon" aria-hidden="true">"!"</span>
            <strong class="govuk-warning-text__text">
                <span class="govuk-visually-hidden">"Warning"</span>
                "Demo sign-in of the local stack: choose a demo person. Never use real children's details here."
            </strong>
        </div>
        {move || {
            people
                .get()
                .map(|answer| match answer {
                    Err(e) => view! { <p class="govuk-body">{e.message()}</p> }.into_any(),
                    Ok(list) => {
                        list.partnerships
                            .into_iter()
                            .map(|p| {
                                let heading = format!("partnership-{}", p.id);
                                let heading2 = heading.clone();
                                let pid = p.id.to_string();
                                view! {
                                    <section aria-labelledby=heading2>
                                        <h2 class="govuk-heading-m" id=heading>{p.name.clone()}</h2>
                                        <ul class="govuk-list">
                                            {p.people
                                                .into_iter()
                                                .map(|person| {
                                                    let (pid, id) = (pid.clone(), person.id.to_string());
                                                    let level = person
                                                        .level
                                                        .map(|l| format!(" ({})", l.label()))
                                                        .unwrap_or_default();
                                                    view! {
                                                        <li class="app-signin-person">
                                                            <button
                                                                type="button"
                                                                class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                                                                on:click=move |_| sign_in_as(pid.clone(), id.clone())
                                                            >
                                                                {format!("Sign in as {}", person.name)}
                                                            </button>
                                                            <span class="govuk-body-s">
                                                                {format!(" {}{level}, {}", role_words(person.role), person.agency_name)}
                                                            </span>
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    </section>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }
                })
        }}
    }
}

/// Cognito sends the person back here with a code.
#[component]
pub fn SignInCallback() -> impl IntoView {
    set_title("Signing in");
    let shared = shared();
    let query = use_query_map();
    let problem = RwSignal::new(None::<String>);
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let Some(SiteConfig::Cognito {
            client_id, domain, ..
        }) = shared.config.get()
        else {
            return false;
        };
        let (code, state) = query.with_untracked(|q| (q.get("code"), q.get("state")));
        spawn_local(async move {
            let result = match (code, state) {
                (Some(code), Some(state)) => {
                    auth::finish_cognito(&client_id, &domain, &code, &state).await
                }
                _ => Err("The sign-in did not finish. Sign in again.".to_owned()),
            };
            match result {
                Ok(()) => go(&session::take_return_to()),
                Err(e) => problem.set(Some(e)),
            }
        });
        true
    });
    view! {
        <PageHeading text="Signing in" />
        <Problem message=problem />
        <p class="govuk-body"><a class="govuk-link" href="/signin">"Sign in again"</a></p>
    }
}
