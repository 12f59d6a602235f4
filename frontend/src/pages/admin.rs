//! Administration (administrators only): the partnership's set-up — closure days, people,
//! agencies, mailboxes, division, working hours and how long closed cases are kept — and the
//! record of changes. Adding a closure day shows first which open deadlines it moves ("Adding
//! Tuesday 29 December 2026 moves 3 open deadlines"), then saves; adding a person creates their
//! sign-in. Every change names the version read: if another administrator changed the set-up
//! first, the page says so and reloads it, keeping what was typed.

use chrono::NaiveDate;
use escalations_core::procedure::AgencyKind;
use escalations_core::words::due_words;
use escalations_wire::{
    AdminView, AgencyBody, ClosureDayPreview, ConfigChangeBody, ConfigChanged, FieldError,
    NoticesBody, PersonBody,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, Failure};
use crate::app::{role_words, shared};
use crate::ui::{
    Banner, ErrorSummary, PageHeading, Problem, Select, TextInput, error_for, set_title,
};

fn date_words(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

fn deadlines(n: usize) -> String {
    match n {
        0 => "no open deadlines".to_owned(),
        1 => "1 open deadline".to_owned(),
        n => format!("{n} open deadlines"),
    }
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A change's refusal by field, its refusal in words, and whether it is being sent.
#[derive(Clone, Copy)]
struct Sending {
    errors: RwSignal<Vec<FieldError>>,
    problem: RwSignal<Option<String>>,
    pending: RwSignal<bool>,
    /// Put before the server's field names, where this form's inputs have ids of their own.
    prefix: &'static str,
}

impl Sending {
    fn new() -> Self {
        Sending::with_prefix("")
    }

    fn with_prefix(prefix: &'static str) -> Self {
        Sending {
            errors: RwSignal::new(Vec::new()),
            problem: RwSignal::new(None),
            pending: RwSignal::new(false),
            prefix,
        }
    }

    fn clear(&self) {
        self.errors.set(Vec::new());
        self.problem.set(None);
    }

    /// Shows a refusal: by field where the server names fields; a 409 (another administrator
    /// changed the set-up first) in words, reloading the set-up.
    fn refused(&self, failure: Failure, reload: RwSignal<u32>) {
        match failure {
            Failure::Refused(p) if p.status == 409 => {
                self.problem.set(Some(p.detail));
                reload.update(|n| *n += 1);
            }
            Failure::Refused(p) if !p.errors.is_empty() => {
                let prefix = self.prefix;
                self.errors.set(
                    p.errors
                        .into_iter()
                        .map(|e| FieldError {
                            field: format!("{prefix}{}", e.field),
                            message: e.message,
                        })
                        .collect(),
                );
            }
            other => self.problem.set(Some(other.message())),
        }
    }
}

/// Sends one change to the version read; on success reloads the set-up and says what was done.
fn send_change(
    body: ConfigChangeBody,
    sending: Sending,
    reload: RwSignal<u32>,
    flash: RwSignal<Option<String>>,
    done: impl FnOnce(&ConfigChanged) + 'static,
) {
    if sending.pending.get_untracked() {
        return;
    }
    sending.pending.set(true);
    sending.clear();
    flash.set(None);
    spawn_local(async move {
        let answer = api::post::<_, ConfigChanged>("/api/admin/changes", &body, None).await;
        sending.pending.set(false);
        match answer {
            Ok(changed) => {
                let moved = if changed.moved.is_empty() {
                    String::new()
                } else {
                    format!(": {} moved", deadlines(changed.moved.len()))
                };
                flash.set(Some(format!("Saved — {}{moved}", changed.change.what)));
                done(&changed);
                reload.update(|n| *n += 1);
            }
            Err(failure) => sending.refused(failure, reload),
        }
    });
}

#[component]
pub fn Administration() -> impl IntoView {
    set_title("Administration");
    let shared = shared();
    let reload = RwSignal::new(0u32);
    let flash = RwSignal::new(None::<String>);
    let admin = LocalResource::new(move || {
        reload.track();
        api::get::<AdminView>("/api/admin")
    });
    let allowed = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(_)) = admin.get() {
            allowed.set(true);
        }
    });
    let version = move || {
        admin
            .get()
            .and_then(Result::ok)
            .map(|a| a.version)
            .unwrap_or_default()
    };
    view! {
        <PageHeading
            text="Administration"
            caption=shared.me.get_untracked().map(|m| m.partnership.name).unwrap_or_default()
        />
        {move || flash.get().map(|text| view! { <Banner title="Success" text=text success=true /> })}
        {move || {
            admin
                .get()
                .map(|answer| match answer {
                    Err(e) => view! { <Problem message=Some(e.message()) /> }.into_any(),
                    Ok(view) => view! { <SetUp view=view /> }.into_any(),
                })
        }}
        // The forms once the set-up could be read (an administrator's), kept across reloads so
        // what was typed survives a change made meanwhile.
        <Show when=move || allowed.get()>
            <ClosureDayForm version=Signal::derive(version) reload=reload flash=flash admin=admin />
            <PersonForm version=Signal::derive(version) reload=reload flash=flash admin=admin />
            <ChangePersonForm version=Signal::derive(version) reload=reload flash=flash admin=admin />
            <AgencyForm version=Signal::derive(version) reload=reload flash=flash />
            <MailboxForm version=Signal::derive(version) reload=reload flash=flash />
            <NoticesForm version=Signal::derive(version) reload=reload flash=flash admin=admin />
            <RetentionForm version=Signal::derive(version) reload=reload flash=flash admin=admin />
        </Show>
    }
}

/// The set-up as it stands and its latest changes.
#[component]
fn SetUp(view: AdminView) -> impl IntoView {
    let config = view.partnership;
    let agency_name = {
        let agencies = config.agencies.clone();
        move |id: &str| {
            agencies
                .iter()
                .find(|a| a.id.as_str() == id)
                .map_or_else(|| id.to_owned(), |a| a.name.clone())
        }
    };
    let closure_days = config.closure_days.clone();
    let people = config.people.clone();
    let agencies = config.agencies.clone();
    let mailboxes: Vec<(String, String)> = config
        .mailboxes
        .iter()
        .map(|(id, address)| (id.to_string(), address.to_string()))
        .chain(
            config
                .recording_mailbox
                .clone()
                .filter(|_| !config.mailboxes.keys().any(|k| k.as_str() == "recording"))
                .map(|a| ("recording".to_owned(), a)),
        )
        .collect();
    let notices = config.notices.clone();
    view! {
        <h2 class="govuk-heading-m" id="closure-days">"Closure days"</h2>
        <p class="govuk-body">
            "Days the partnership is closed, on top of "{config.division.name()}
            "'s bank holidays: no working-day deadline counts them."
        </p>
        {if closure_days.is_empty() {
            view! { <p class="govuk-body" id="closure-days-list">"No closure days."</p> }.into_any()
        } else {
            view! {
                <ul class="govuk-list govuk-list--bullet" id="closure-days-list">
                    {closure_days.into_iter().map(|d| view! { <li>{date_words(d)}</li> }).collect_view()}
                </ul>
            }
                .into_any()
        }}

        <h2 class="govuk-heading-m">"People"</h2>
        <table class="govuk-table" id="people">
            <caption class="govuk-table__caption govuk-visually-hidden">"People"</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Name"</th>
                    <th scope="col" class="govuk-table__header">"Agency"</th>
                    <th scope="col" class="govuk-table__header">"Role"</th>
                    <th scope="col" class="govuk-table__header">"Level of management"</th>
                    <th scope="col" class="govuk-table__header">"Email"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">
                {people
                    .into_iter()
                    .map(|p| {
                        view! {
                            <tr class="govuk-table__row">
                                <th scope="row" class="govuk-table__header">{p.name.clone()}</th>
                                <td class="govuk-table__cell">{agency_name(p.agency.as_str())}</td>
                                <td class="govuk-table__cell">{role_words(p.role)}</td>
                                <td class="govuk-table__cell">
                                    {p.level.map(|l| l.label().to_owned()).unwrap_or_default()}
                                </td>
                                <td class="govuk-table__cell">{p.email.to_string()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>

        <h2 class="govuk-heading-m">"Agencies"</h2>
        <table class="govuk-table" id="agencies">
            <caption class="govuk-table__caption govuk-visually-hidden">"Agencies"</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Agency"</th>
                    <th scope="col" class="govuk-table__header">"Kind"</th>
                    <th scope="col" class="govuk-table__header">"Inbox"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">
                {agencies
                    .into_iter()
                    .map(|a| {
                        view! {
                            <tr class="govuk-table__row">
                                <th scope="row" class="govuk-table__header">{a.name}</th>
                                <td class="govuk-table__cell">{a.kind.label()}</td>
                                <td class="govuk-table__cell">
                                    {a.mailbox.map(|m| m.to_string()).unwrap_or_default()}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>

        <h2 class="govuk-heading-m">"Mailboxes, division and working hours"</h2>
        <dl class="govuk-summary-list">
            {mailboxes
                .into_iter()
                .map(|(id, address)| {
                    view! {
                        <div class="govuk-summary-list__row">
                            <dt class="govuk-summary-list__key">{format!("Mailbox: {id}")}</dt>
                            <dd class="govuk-summary-list__value">{address}</dd>
                        </div>
                    }
                })
                .collect_view()}
            <div class="govuk-summary-list__row">
                <dt class="govuk-summary-list__key">"Bank holidays of"</dt>
                <dd class="govuk-summary-list__value">{config.division.name()}</dd>
            </div>
            <div class="govuk-summary-list__row">
                <dt class="govuk-summary-list__key">"Working hours"</dt>
                <dd class="govuk-summary-list__value">{notices.working_hours.to_string()}</dd>
            </div>
            <div class="govuk-summary-list__row">
                <dt class="govuk-summary-list__key">"Reminder for a clock in hours"</dt>
                <dd class="govuk-summary-list__value">
                    {format!("at {}% of its time", notices.reminder_percent)}
                </dd>
            </div>
            <div class="govuk-summary-list__row">
                <dt class="govuk-summary-list__key">"An unanswered breach goes up a line after"</dt>
                <dd class="govuk-summary-list__value">
                    {format!("{} working day(s)", notices.unanswered_after_working_days)}
                </dd>
            </div>
        </dl>

        <h2 class="govuk-heading-m">"Changes"</h2>
        {if view.changes.is_empty() {
            view! { <p class="govuk-body" id="changes">"No changes made here yet."</p> }.into_any()
        } else {
            view! {
                <table class="govuk-table" id="changes">
                    <caption class="govuk-table__caption govuk-visually-hidden">"Changes"</caption>
                    <thead class="govuk-table__head">
                        <tr class="govuk-table__row">
                            <th scope="col" class="govuk-table__header">"When"</th>
                            <th scope="col" class="govuk-table__header">"Who"</th>
                            <th scope="col" class="govuk-table__header">"What"</th>
                        </tr>
                    </thead>
                    <tbody class="govuk-table__body">
                        {view
                            .changes
                            .into_iter()
                            .map(|c| {
                                let who = config
                                    .people
                                    .iter()
                                    .find(|p| p.id == c.by)
                                    .map_or_else(|| c.by.to_string(), |p| p.name.clone());
                                view! {
                                    <tr class="govuk-table__row">
                                        <td class="govuk-table__cell">
                                            {escalations_core::case::local_time(c.at)}
                                        </td>
                                        <td class="govuk-table__cell">{who}</td>
                                        <td class="govuk-table__cell">{c.what}</td>
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

/// Add a closure day: check its effect first, then save.
#[component]
fn ClosureDayForm(
    version: Signal<u64>,
    reload: RwSignal<u32>,
    flash: RwSignal<Option<String>>,
    admin: LocalResource<Result<AdminView, Failure>>,
) -> impl IntoView {
    let date = RwSignal::new(String::new());
    let preview = RwSignal::new(None::<ClosureDayPreview>);
    let sending = Sending::new();
    let ask = move |day: String, remove: bool| {
        if sending.pending.get_untracked() {
            return;
        }
        sending.clear();
        preview.set(None);
        if day.is_empty() {
            sending.errors.set(vec![FieldError {
                field: "date".to_owned(),
                message: "Enter the date of the closure day".to_owned(),
            }]);
            return;
        }
        sending.pending.set(true);
        spawn_local(async move {
            let path = format!("/api/admin/closure-days/preview?date={day}&remove={remove}");
            let answer = api::get::<ClosureDayPreview>(&path).await;
            sending.pending.set(false);
            match answer {
                Ok(found) => preview.set(Some(found)),
                Err(failure) => sending.refused(failure, reload),
            }
        });
    };
    let check = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        ask(date.get_untracked(), false);
    };
    let days = move || {
        admin
            .get()
            .and_then(Result::ok)
            .map(|a| a.partnership.closure_days)
            .unwrap_or_default()
    };
    let save = move |_| {
        let Some(found) = preview.get_untracked() else {
            return;
        };
        let change = if found.remove {
            "remove-closure-day"
        } else {
            "add-closure-day"
        };
        let body = ConfigChangeBody {
            version: Some(version.get_untracked()),
            change: Some(change.to_owned()),
            date: Some(found.date.to_string()),
            ..Default::default()
        };
        send_change(body, sending, reload, flash, move |_| {
            preview.set(None);
            date.set(String::new());
        });
    };
    view! {
        <h2 class="govuk-heading-m">"Add a closure day"</h2>
        <ErrorSummary errors=sending.errors />
        <Problem message=sending.problem />
        <form novalidate on:submit=check>
            <TextInput
                id="date"
                label="Date"
                hint="A day the partnership is closed, like 29 December"
                kind="date"
                value=date
                on_input=move |v| {
                    date.set(v);
                    preview.set(None);
                }
                error=error_for(sending.errors, "date")
            />
            <button type="submit" class="govuk-button govuk-button--secondary" disabled=move || sending.pending.get()>
                "Check which deadlines it moves"
            </button>
        </form>
        {move || {
            let days = days();
            (!days.is_empty())
                .then(|| {
                    view! {
                        <h3 class="govuk-heading-s">"Remove a closure day"</h3>
                        <ul class="govuk-list">
                            {days
                                .into_iter()
                                .map(|d| {
                                    let words = date_words(d);
                                    view! {
                                        <li>
                                            <button
                                                type="button"
                                                class="govuk-button govuk-button--warning govuk-!-margin-bottom-2"
                                                on:click=move |_| ask(d.to_string(), true)
                                            >
                                                {format!("Remove {words}")}
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })
        }}
        {move || {
            preview
                .get()
                .map(|found| {
                    let heading = format!(
                        "{} {} moves {}",
                        if found.remove { "Removing" } else { "Adding" },
                        date_words(found.date),
                        deadlines(found.moves.len()),
                    );
                    let action = if found.remove { "Remove closure day" } else { "Save closure day" };
                    view! {
                        <div class="govuk-inset-text" id="closure-day-preview" role="status">
                            <h3 class="govuk-heading-s">{heading}</h3>
                            {(!found.moves.is_empty())
                                .then(|| {
                                    view! {
                                        <table class="govuk-table">
                                            <caption class="govuk-table__caption govuk-visually-hidden">
                                                "Deadlines it moves"
                                            </caption>
                                            <thead class="govuk-table__head">
                                                <tr class="govuk-table__row">
                                                    <th scope="col" class="govuk-table__header">"Case"</th>
                                                    <th scope="col" class="govuk-table__header">"Due now"</th>
                                                    <th scope="col" class="govuk-table__header">"Due after"</th>
                                                </tr>
                                            </thead>
                                            <tbody class="govuk-table__body">
                                                {found
                                                    .moves
                                                    .iter()
                                                    .map(|m| {
                                                        view! {
                                                            <tr class="govuk-table__row">
                                                                <th scope="row" class="govuk-table__header">{m.case.to_string()}</th>
                                                                <td class="govuk-table__cell">{due_words(m.was)}</td>
                                                                <td class="govuk-table__cell">{due_words(m.due)}</td>
                                                            </tr>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    }
                                })}
                            <button type="button" class="govuk-button" on:click=save disabled=move || sending.pending.get()>
                                {action}
                            </button>
                        </div>
                    }
                })
        }}
    }
}

/// Add a person: their sign-in is created with them.
#[component]
fn PersonForm(
    version: Signal<u64>,
    reload: RwSignal<u32>,
    flash: RwSignal<Option<String>>,
    admin: LocalResource<Result<AdminView, Failure>>,
) -> impl IntoView {
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let agency = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let level = RwSignal::new(String::new());
    let sending = Sending::new();
    let agencies = move || {
        admin
            .get()
            .and_then(Result::ok)
            .map(|a| {
                a.partnership
                    .agencies
                    .into_iter()
                    .map(|a| (a.id.to_string(), a.name))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = ConfigChangeBody {
            version: Some(version.get_untracked()),
            change: Some("add-person".to_owned()),
            person: Some(PersonBody {
                id: opt(&id.get_untracked()),
                name: opt(&name.get_untracked()),
                email: opt(&email.get_untracked()),
                agency: opt(&agency.get_untracked()),
                role: opt(&role.get_untracked()),
                level: opt(&level.get_untracked()),
            }),
            ..Default::default()
        };
        send_change(body, sending, reload, flash, move |_| {
            for field in [id, name, email, agency, role, level] {
                field.set(String::new());
            }
        });
    };
    let (roles, levels) = (role_options(), level_options());
    view! {
        <h2 class="govuk-heading-m">"Add a person"</h2>
        <ErrorSummary errors=sending.errors />
        <Problem message=sending.problem />
        <form novalidate on:submit=submit>
            <TextInput id="person.name" label="Full name" value=name on_input=move |v| name.set(v)
                error=error_for(sending.errors, "person.name") />
            <TextInput id="person.id" label="Person id" hint="Lower case letters, digits and hyphens, like sam-jones"
                value=id on_input=move |v| id.set(v) error=error_for(sending.errors, "person.id") />
            <TextInput id="person.email" label="Email address" kind="email" hint="Their sign-in invitation goes here"
                value=email on_input=move |v| email.set(v) error=error_for(sending.errors, "person.email") />
            {move || {
                view! {
                    <Select id="person.agency" label="Agency" options=agencies() value=agency
                        on_change=move |v| agency.set(v) error=error_for(sending.errors, "person.agency") />
                }
            }}
            <Select id="person.role" label="Role" options=roles value=role on_change=move |v| role.set(v)
                error=error_for(sending.errors, "person.role") />
            <Select id="person.level" label="Level of management" hint="Managers and the chair only"
                options=levels value=level on_change=move |v| level.set(v)
                error=error_for(sending.errors, "person.level") />
            {move || {
                let people_problems: Vec<String> = sending
                    .errors
                    .with(|e| e.iter().filter(|e| e.field == "people").map(|e| e.message.clone()).collect());
                (!people_problems.is_empty())
                    .then(|| view! { <p class="govuk-error-message" id="people-problems">{people_problems.join(" ")}</p> })
            }}
            <button type="submit" class="govuk-button" disabled=move || sending.pending.get()>"Add person"</button>
        </form>
    }
}

/// Add an agency, with its own inbox if it has one.
#[component]
fn AgencyForm(
    version: Signal<u64>,
    reload: RwSignal<u32>,
    flash: RwSignal<Option<String>>,
) -> impl IntoView {
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let inbox = RwSignal::new(String::new());
    let sending = Sending::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = ConfigChangeBody {
            version: Some(version.get_untracked()),
            change: Some("add-agency".to_owned()),
            agency: Some(AgencyBody {
                id: opt(&id.get_untracked()),
                name: opt(&name.get_untracked()),
                kind: opt(&kind.get_untracked()),
                mailbox: opt(&inbox.get_untracked()),
            }),
            ..Default::default()
        };
        send_change(body, sending, reload, flash, move |_| {
            for field in [id, name, kind, inbox] {
                field.set(String::new());
            }
        });
    };
    let kinds = [
        AgencyKind::SocialWork,
        AgencyKind::Health,
        AgencyKind::Education,
        AgencyKind::Police,
        AgencyKind::EarlyYears,
        AgencyKind::YouthJustice,
        AgencyKind::Partnership,
        AgencyKind::Other,
    ]
    .iter()
    .map(|k| {
        let value = serde_json::to_value(k)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        (value, k.label().to_owned())
    })
    .collect::<Vec<_>>();
    view! {
        <h2 class="govuk-heading-m">"Add an agency"</h2>
        <ErrorSummary errors=sending.errors />
        <Problem message=sending.problem />
        <form novalidate on:submit=submit>
            <TextInput id="agency.name" label="Agency name" value=name on_input=move |v| name.set(v)
                error=error_for(sending.errors, "agency.name") />
            <TextInput id="agency.id" label="Agency id" hint="Lower case letters, digits and hyphens, like youth-justice"
                value=id on_input=move |v| id.set(v) error=error_for(sending.errors, "agency.id") />
            <Select id="agency.kind" label="Kind of agency" options=kinds value=kind on_change=move |v| kind.set(v)
                error=error_for(sending.errors, "agency.kind") />
            <TextInput id="agency.mailbox" label="Inbox (optional)" kind="email"
                hint="Told when the agency is asked at a stage that names no level of management"
                value=inbox on_input=move |v| inbox.set(v) error=error_for(sending.errors, "agency.mailbox") />
            <button type="submit" class="govuk-button" disabled=move || sending.pending.get()>"Add agency"</button>
        </form>
    }
}

/// Give one of the procedures' mailboxes an address.
#[component]
fn MailboxForm(
    version: Signal<u64>,
    reload: RwSignal<u32>,
    flash: RwSignal<Option<String>>,
) -> impl IntoView {
    let mailbox = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let sending = Sending::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = ConfigChangeBody {
            version: Some(version.get_untracked()),
            change: Some("set-mailbox".to_owned()),
            mailbox: opt(&mailbox.get_untracked()),
            address: opt(&address.get_untracked()),
            ..Default::default()
        };
        send_change(body, sending, reload, flash, move |_| {
            mailbox.set(String::new());
            address.set(String::new());
        });
    };
    view! {
        <h2 class="govuk-heading-m">"Set a mailbox's address"</h2>
        <ErrorSummary errors=sending.errors />
        <Problem message=sending.problem />
        <form novalidate on:submit=submit>
            <TextInput id="mailbox" label="Mailbox" hint="The procedure's name for it, like recording or quality-assurance"
                value=mailbox on_input=move |v| mailbox.set(v) error=error_for(sending.errors, "mailbox") />
            <TextInput id="address" label="Address" kind="email" hint="Leave it empty to remove the address"
                value=address on_input=move |v| address.set(v) error=error_for(sending.errors, "address") />
            <button type="submit" class="govuk-button" disabled=move || sending.pending.get()>"Set address"</button>
        </form>
    }
}

/// Working hours, the reminder of a clock in hours, and when an unanswered breach goes up a line.
#[component]
fn NoticesForm(
    version: Signal<u64>,
    reload: RwSignal<u32>,
    flash: RwSignal<Option<String>>,
    admin: LocalResource<Result<AdminView, Failure>>,
) -> impl IntoView {
    let hours = RwSignal::new(String::new());
    let percent = RwSignal::new(String::new());
    let days = RwSignal::new(String::new());
    // Filled from the set-up as read, until the person types.
    Effect::new(move |_| {
        if let Some(Ok(view)) = admin.get() {
            let n = view.partnership.notices;
            hours.set(n.working_hours.to_string());
            percent.set(n.reminder_percent.to_string());
            days.set(n.unanswered_after_working_days.to_string());
        }
    });
    let sending = Sending::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let number = |s: String| s.trim().parse::<u32>().ok();
        let body = ConfigChangeBody {
            version: Some(version.get_untracked()),
            change: Some("set-notices".to_owned()),
            notices: Some(NoticesBody {
                working_hours: opt(&hours.get_untracked()),
                reminder_percent: number(percent.get_untracked()),
                unanswered_after_working_days: number(days.get_untracked()),
            }),
            ..Default::default()
        };
        send_change(body, sending, reload, flash, |_| {});
    };
    view! {
        <h2 class="govuk-heading-m">"Working hours and reminders"</h2>
        <ErrorSummary errors=sending.errors />
        <Problem message=sending.problem />
        <form novalidate on:submit=submit>
            <TextInput id="notices" label="Working hours" hint="Notices go only within them, like 08:00-18:00"
                value=hours on_input=move |v| hours.set(v) error=error_for(sending.errors, "notices") />
            <TextInput id="notices.reminder_percent" label="Reminder for a clock in hours, at this percentage of its time"
                value=percent on_input=move |v| percent.set(v) />
            <TextInput id="notices.unanswered_after_working_days" label="Working days before an unanswered breach goes up a line"
                value=days on_input=move |v| days.set(v) />
            <button type="submit" class="govuk-button" disabled=move || sending.pending.get()>"Save working hours"</button>
        </form>
    }
}

/// What the partnership does with closed cases now, in one sentence.
fn retention_words(years: Option<u32>) -> String {
    match years {
        None => "Closed cases are kept until you set a period.".to_owned(),
        Some(years) => format!(
            "Closed cases are kept {} after their last change, then the child's details and \
             everything written about the case are erased. The figures in reports are kept.",
            if years == 1 {
                "1 year".to_owned()
            } else {
                format!("{years} years")
            }
        ),
    }
}

/// The years typed, if a whole number from 1 to 100; otherwise what to say about them.
fn retention_years(typed: &str) -> Result<u64, &'static str> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err("Enter how many years after a closed case's last change it is kept");
    }
    match typed.parse::<u64>() {
        Ok(years) if (1..=100).contains(&years) => Ok(years),
        Ok(_) => Err("Years must be between 1 and 100"),
        Err(_) => Err("Years must be a whole number, like 6"),
    }
}

/// How long closed cases are kept: a period after which the sweeper erases a closed case's
/// child's details and words (the report's figures stay), or none, keeping them.
#[component]
fn RetentionForm(
    version: Signal<u64>,
    reload: RwSignal<u32>,
    flash: RwSignal<Option<String>>,
    admin: LocalResource<Result<AdminView, Failure>>,
) -> impl IntoView {
    // The server names this field, so the input carries its name as its id.
    const FIELD: &str = "closed_cases_kept_for_years";
    let kept = move || {
        admin
            .get()
            .and_then(Result::ok)
            .and_then(|a| a.partnership.retention)
            .map(|r| r.closed_cases_kept_for_years())
    };
    let years = RwSignal::new(String::new());
    // Filled once from the set-up as first read: a reload after another administrator's
    // change keeps what was typed.
    Effect::new(move |filled: Option<bool>| {
        if filled == Some(true) {
            return true;
        }
        match admin.get() {
            Some(Ok(view)) => {
                let period = view.partnership.retention;
                years.set(
                    period
                        .map(|r| r.closed_cases_kept_for_years().to_string())
                        .unwrap_or_default(),
                );
                true
            }
            _ => false,
        }
    });
    let sending = Sending::new();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.pending.get_untracked() {
            return;
        }
        let chosen = match retention_years(&years.get_untracked()) {
            Ok(chosen) => chosen,
            Err(message) => {
                sending.clear();
                flash.set(None);
                sending.errors.set(vec![FieldError {
                    field: FIELD.to_owned(),
                    message: message.to_owned(),
                }]);
                return;
            }
        };
        let body = ConfigChangeBody {
            version: Some(version.get_untracked()),
            change: Some("set-retention".to_owned()),
            closed_cases_kept_for_years: Some(chosen),
            ..Default::default()
        };
        send_change(body, sending, reload, flash, move |_| {
            years.set(chosen.to_string())
        });
    };
    let keep = move |_| {
        let body = ConfigChangeBody {
            version: Some(version.get_untracked()),
            change: Some("clear-retention".to_owned()),
            ..Default::default()
        };
        send_change(body, sending, reload, flash, move |_| {
            years.set(String::new())
        });
    };
    view! {
        <h2 class="govuk-heading-m" id="retention">"How long closed cases are kept"</h2>
        <ErrorSummary errors=sending.errors />
        <Problem message=sending.problem />
        <p class="govuk-body" id="retention-now">{move || retention_words(kept())}</p>
        <form novalidate on:submit=save>
            <TextInput id=FIELD label="Years after a closed case's last change"
                hint="1 to 100. Your records of processing should say the same."
                value=years on_input=move |v| years.set(v) error=error_for(sending.errors, FIELD) />
            <div class="govuk-button-group">
                <button type="submit" class="govuk-button" disabled=move || sending.pending.get()>
                    "Save the period"
                </button>
                {move || {
                    kept()
                        .is_some()
                        .then(|| {
                            view! {
                                <button type="button" class="govuk-button govuk-button--secondary" on:click=keep
                                    disabled=move || sending.pending.get()>
                                    "Keep closed cases"
                                </button>
                            }
                        })
                }}
            </div>
        </form>
    }
}

/// Change or remove someone: their name, email, agency, role and level.
#[component]
fn ChangePersonForm(
    version: Signal<u64>,
    reload: RwSignal<u32>,
    flash: RwSignal<Option<String>>,
    admin: LocalResource<Result<AdminView, Failure>>,
) -> impl IntoView {
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let agency = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let level = RwSignal::new(String::new());
    let sending = Sending::with_prefix("change-");
    let config = move || admin.get().and_then(Result::ok).map(|a| a.partnership);
    let people = move || {
        config()
            .map(|c| {
                c.people
                    .into_iter()
                    .map(|p| (p.id.to_string(), p.name))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let agencies = move || {
        config()
            .map(|c| {
                c.agencies
                    .into_iter()
                    .map(|a| (a.id.to_string(), a.name))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let choose = move |chosen: String| {
        sending.clear();
        id.set(chosen.clone());
        let found = config().and_then(|c| c.people.into_iter().find(|p| p.id.as_str() == chosen));
        let word = |v: serde_json::Value| v.as_str().map(str::to_owned).unwrap_or_default();
        name.set(found.as_ref().map(|p| p.name.clone()).unwrap_or_default());
        email.set(
            found
                .as_ref()
                .map(|p| p.email.to_string())
                .unwrap_or_default(),
        );
        agency.set(
            found
                .as_ref()
                .map(|p| p.agency.to_string())
                .unwrap_or_default(),
        );
        role.set(
            found
                .as_ref()
                .and_then(|p| serde_json::to_value(p.role).ok())
                .map(word)
                .unwrap_or_default(),
        );
        level.set(
            found
                .as_ref()
                .and_then(|p| p.level)
                .map(|l| l.name().to_owned())
                .unwrap_or_default(),
        );
    };
    let clear = move || {
        for field in [id, name, email, agency, role, level] {
            field.set(String::new());
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = ConfigChangeBody {
            version: Some(version.get_untracked()),
            change: Some("edit-person".to_owned()),
            person: Some(PersonBody {
                id: opt(&id.get_untracked()),
                name: opt(&name.get_untracked()),
                email: opt(&email.get_untracked()),
                agency: opt(&agency.get_untracked()),
                role: opt(&role.get_untracked()),
                level: opt(&level.get_untracked()),
            }),
            ..Default::default()
        };
        send_change(body, sending, reload, flash, move |_| clear());
    };
    let remove = move |_| {
        let body = ConfigChangeBody {
            version: Some(version.get_untracked()),
            change: Some("remove-person".to_owned()),
            id: opt(&id.get_untracked()),
            ..Default::default()
        };
        send_change(body, sending, reload, flash, move |_| clear());
    };
    let (roles, levels) = (role_options(), level_options());
    view! {
        <h2 class="govuk-heading-m">"Change or remove a person"</h2>
        <ErrorSummary errors=sending.errors />
        <Problem message=sending.problem />
        <form novalidate on:submit=save>
            {move || {
                view! {
                    <Select id="change-person.id" label="Person" options=people() value=id
                        on_change=move |v| choose(v) error=error_for(sending.errors, "change-person.id") />
                }
            }}
            <Show when=move || !id.get().is_empty()>
                <TextInput id="change-person.name" label="Full name" value=name on_input=move |v| name.set(v)
                    error=error_for(sending.errors, "change-person.name") />
                <TextInput id="change-person.email" label="Email address" kind="email" value=email
                    on_input=move |v| email.set(v) error=error_for(sending.errors, "change-person.email") />
                {move || {
                    view! {
                        <Select id="change-person.agency" label="Agency" options=agencies() value=agency
                            on_change=move |v| agency.set(v) error=error_for(sending.errors, "change-person.agency") />
                    }
                }}
                <Select id="change-person.role" label="Role" options=roles.clone() value=role
                    on_change=move |v| role.set(v) error=error_for(sending.errors, "change-person.role") />
                <Select id="change-person.level" label="Level of management" hint="Managers and the chair only"
                    options=levels.clone() value=level on_change=move |v| level.set(v)
                    error=error_for(sending.errors, "change-person.level") />
                {move || {
                    let problems: Vec<String> = sending.errors.with(|e| {
                        e.iter()
                            .filter(|e| e.field == "change-people")
                            .map(|e| e.message.clone())
                            .collect()
                    });
                    (!problems.is_empty())
                        .then(|| view! { <p class="govuk-error-message">{problems.join(" ")}</p> })
                }}
                <div class="govuk-button-group">
                    <button type="submit" class="govuk-button" disabled=move || sending.pending.get()>
                        "Save changes"
                    </button>
                    <button type="button" class="govuk-button govuk-button--warning" on:click=remove
                        disabled=move || sending.pending.get()>
                        "Remove person"
                    </button>
                </div>
            </Show>
        </form>
    }
}

/// The people forms' role choices: each role's name and its words.
fn role_options() -> Vec<(String, String)> {
    escalations_core::case::Role::ALL
        .map(|role| (role.name().to_owned(), role_words(role).to_owned()))
        .to_vec()
}

/// The people forms' manager-level choices: each level's name and its words.
fn level_options() -> Vec<(String, String)> {
    escalations_core::case::Level::ALL
        .map(|level| (level.name().to_owned(), level.label().to_owned()))
        .to_vec()
}
