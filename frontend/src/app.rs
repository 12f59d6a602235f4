//! The page's frame: the router, the header that always says who is signed in (name, agency,
//! role, partnership), and what every page shares (the person, their partnership's calendar,
//! the procedures read so far).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use escalations_core::calendar::Calendar;
use escalations_core::procedure::Procedure;
use escalations_wire::{Me, SiteConfig};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::api::{self, Failure};
use crate::pages::{
    admin::Administration,
    all_cases::AllCases,
    calendar::CalendarFeedPage,
    case::CasePage,
    my_work::MyWork,
    pro_forma::{BlankForms, BlankProForma, FilledProForma},
    raise::Raise,
    report::ReportPage,
    signin::{SignIn, SignInCallback},
};
use crate::{auth, session};

/// What every page of a signed-in person shares.
#[derive(Clone, Copy)]
pub struct Shared {
    pub me: RwSignal<Option<Me>>,
    pub config: RwSignal<Option<SiteConfig>>,
    /// The server's clock less the browser's, in milliseconds: the local stack's clock can be
    /// moved forward, and time left is counted from the server's.
    pub clock_skew_ms: RwSignal<i64>,
    procedures: RwSignal<BTreeMap<String, Procedure>>,
}

impl Shared {
    pub fn now(&self) -> DateTime<Utc> {
        let ms = js_sys::Date::now() as i64 + self.clock_skew_ms.get_untracked();
        DateTime::from_timestamp_millis(ms).unwrap_or_default()
    }

    /// Notes the server's clock from an answer that carries it.
    pub fn server_now(&self, now: DateTime<Utc>) {
        self.clock_skew_ms
            .set(now.timestamp_millis() - js_sys::Date::now() as i64);
    }

    pub fn calendar(&self) -> Option<Calendar> {
        self.me.with(|me| {
            me.as_ref().map(|me| {
                Calendar::new(me.partnership.division)
                    .with_closure_days(me.partnership.closure_days.iter().copied())
            })
        })
    }

    pub fn agency_name(&self, id: &str) -> String {
        self.me.with(|me| {
            me.as_ref()
                .and_then(|me| me.partnership.agencies.iter().find(|a| a.id.as_str() == id))
                .map_or_else(|| id.to_owned(), |a| a.name.clone())
        })
    }

    pub fn person_name(&self, id: &str) -> String {
        self.me.with(|me| {
            me.as_ref()
                .and_then(|me| me.partnership.people.iter().find(|p| p.id.as_str() == id))
                .map_or_else(|| id.to_owned(), |p| p.name.clone())
        })
    }

    /// A procedure, read once from the API and kept for the session.
    pub async fn procedure(&self, id: &str) -> Result<Procedure, Failure> {
        if let Some(p) = self.procedures.with_untracked(|m| m.get(id).cloned()) {
            return Ok(p);
        }
        let p: Procedure = api::get(&format!("/api/procedures/{id}")).await?;
        self.procedures.update(|m| {
            m.insert(id.to_owned(), p.clone());
        });
        Ok(p)
    }

    /// Procedures already read, for words that need them (stage names).
    pub fn known_procedure(&self, id: &str) -> Option<Procedure> {
        self.procedures.with(|m| m.get(id).cloned())
    }
}

pub fn shared() -> Shared {
    expect_context::<Shared>()
}

pub fn role_words(role: escalations_core::case::Role) -> &'static str {
    use escalations_core::case::Role;
    match role {
        Role::Practitioner => "Practitioner",
        Role::Manager => "Manager",
        Role::Chair => "Chair or business unit",
        Role::Administrator => "Administrator",
    }
}

#[component]
pub fn App() -> impl IntoView {
    let shared = Shared {
        me: RwSignal::new(None),
        config: RwSignal::new(None),
        clock_skew_ms: RwSignal::new(0),
        procedures: RwSignal::new(BTreeMap::new()),
    };
    provide_context(shared);
    spawn_local(async move {
        if let Ok(config) = auth::site_config().await {
            shared.config.set(Some(config));
        }
    });
    view! {
        <Router>
            <a href="#main-content" class="govuk-skip-link">"Skip to main content"</a>
            <Header />
            <div class="govuk-width-container">
                <main class="govuk-main-wrapper" id="main-content">
                    <Routes fallback=|| view! { <NotFound /> }>
                        <Route path=path!("/") view=|| view! { <SignedIn><MyWork /></SignedIn> } />
                        <Route path=path!("/raise") view=|| view! { <SignedIn><Raise /></SignedIn> } />
                        <Route path=path!("/calendar") view=|| view! { <SignedIn><CalendarFeedPage /></SignedIn> } />
                        <Route path=path!("/cases") view=|| view! { <SignedIn><AllCases /></SignedIn> } />
                        <Route path=path!("/reports") view=|| view! { <SignedIn><ReportPage /></SignedIn> } />
                        <Route path=path!("/cases/:id") view=|| view! { <SignedIn><CasePage /></SignedIn> } />
                        <Route path=path!("/cases/:id/forms/:form") view=|| view! { <SignedIn><FilledProForma /></SignedIn> } />
                        <Route path=path!("/procedures/:id/forms/:form") view=|| view! { <SignedIn><BlankProForma /></SignedIn> } />
                        <Route path=path!("/forms") view=|| view! { <SignedIn><BlankForms /></SignedIn> } />
                        <Route path=path!("/admin") view=|| view! { <SignedIn><Administration /></SignedIn> } />
                        <Route path=path!("/signin") view=SignIn />
                        <Route path=path!("/signin/callback") view=SignInCallback />
                    </Routes>
                </main>
            </div>
            <footer class="govuk-footer">
                <div class="govuk-width-container">
                    <p class="govuk-body-s">
                        "Escalations: multi-agency escalation procedures of safeguarding children partnerships."
                    </p>
                </div>
            </footer>
        </Router>
    }
}

/// Pages for a signed-in person: without a sign-in, the sign-in page (coming back here after).
#[component]
fn SignedIn(children: ChildrenFn) -> impl IntoView {
    let shared = shared();
    if session::token().is_none() {
        auth::sign_in_again(false);
    } else if shared.me.get_untracked().is_none() {
        spawn_local(async move {
            if let Ok(me) = api::get::<Me>("/api/me").await {
                shared.server_now(me.now);
                shared.me.set(Some(me));
            }
        });
    }
    move || {
        if shared.me.with(Option::is_some) {
            children().into_any()
        } else {
            view! { <p class="govuk-body">"Loading…"</p> }.into_any()
        }
    }
}

#[component]
fn Header() -> impl IntoView {
    let shared = shared();
    let location = use_location();
    let current = move |path: &'static str| {
        let here = location.pathname.get();
        let active = if path == "/" {
            here == "/"
        } else {
            here.starts_with(path)
        };
        active.then_some("page")
    };
    let item_class = move |path: &'static str| {
        if current(path).is_some() {
            "govuk-service-navigation__item govuk-service-navigation__item--active"
        } else {
            "govuk-service-navigation__item"
        }
    };
    view! {
        <header class="govuk-generic-header">
            <div class="govuk-generic-header__container govuk-width-container">
                <div class="govuk-generic-header__logo">
                    <a href="/" class="govuk-generic-header__homepage-link">"Escalations"</a>
                </div>
            </div>
        </header>
        {move || {
            shared
                .me
                .get()
                .map(|me| {
                    let agency = shared.agency_name(me.agency.as_str());
                    let name = me.name.clone().unwrap_or_else(|| me.person.to_string());
                    let role = role_words(me.role);
                    view! {
                        <section class="govuk-service-navigation" aria-label="Service information">
                            <div class="govuk-width-container">
                                <div class="govuk-service-navigation__container">
                                    <span class="govuk-service-navigation__service-name">
                                        {me.partnership.name.clone()}
                                    </span>
                                    <nav aria-label="Menu" class="govuk-service-navigation__wrapper">
                                        <ul class="govuk-service-navigation__list">
                                            <li class=move || item_class("/")>
                                                <A href="/" attr:class="govuk-service-navigation__link" attr:aria-current=move || current("/")>
                                                    "My work"
                                                </A>
                                            </li>
                                            <li class=move || item_class("/raise")>
                                                <A href="/raise" attr:class="govuk-service-navigation__link" attr:aria-current=move || current("/raise")>
                                                    "Raise an escalation"
                                                </A>
                                            </li>
                                            <li class=move || item_class("/forms")>
                                                <A href="/forms" attr:class="govuk-service-navigation__link" attr:aria-current=move || current("/forms")>
                                                    "Blank forms"
                                                </A>
                                            </li>
                                            {(me.role == escalations_core::case::Role::Chair).then(|| view! {
                                                <li class=move || item_class("/cases")>
                                                    <A href="/cases" attr:class="govuk-service-navigation__link" attr:aria-current=move || current("/cases")>
                                                        "All cases"
                                                    </A>
                                                </li>
                                                <li class=move || item_class("/reports")>
                                                    <A href="/reports" attr:class="govuk-service-navigation__link" attr:aria-current=move || current("/reports")>
                                                        "Report"
                                                    </A>
                                                </li>
                                            })}
                                            {(me.role == escalations_core::case::Role::Administrator).then(|| view! {
                                                <li class=move || item_class("/admin")>
                                                    <A href="/admin" attr:class="govuk-service-navigation__link" attr:aria-current=move || current("/admin")>
                                                        "Administration"
                                                    </A>
                                                </li>
                                            })}
                                            <li class="govuk-service-navigation__item">
                                                <button
                                                    type="button"
                                                    class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                                                    on:click=move |_| auth::sign_out(shared.config.get_untracked().as_ref())
                                                >
                                                    "Sign out"
                                                </button>
                                            </li>
                                        </ul>
                                    </nav>
                                </div>
                                <p class="app-who" id="signed-in-as">
                                    "Signed in as "<strong>{name}</strong>", "{role}", "{agency}
                                </p>
                            </div>
                        </section>
                    }
                })
        }}
    }
}

#[component]
fn NotFound() -> impl IntoView {
    crate::ui::set_title("Page not found");
    view! {
        <crate::ui::PageHeading text="Page not found" />
        <p class="govuk-body">"If you typed the web address, check it is correct."</p>
        <p class="govuk-body"><a class="govuk-link" href="/">"Go to My work"</a></p>
    }
}
