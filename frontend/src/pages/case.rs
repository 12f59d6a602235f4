//! A case: where it stands, whose move it is and by when; every clock; the chronology in plain
//! words; agreed actions; and the actions this person may take now, as forms. A 409 (someone
//! else acted first) reloads the case, keeps what was typed and says what changed.

use std::collections::BTreeMap;

use escalations_core::access::CasePart;
use escalations_core::case::{ClockState, Role, Status};
use escalations_core::forms::Plain;
use escalations_core::procedure::{Action, ClockStart, FieldKind, Party, Procedure};
use escalations_core::words::{due_words, event_words, time_left};
use escalations_wire::{
    AccessHistory, ActionCompletionBody, AgreedActionBody, CaseView, ContactBody, EscalationBody,
    FieldError, FormBody, FormView, ResolutionBody, ResponseBody, SubmissionBody, WithdrawalBody,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

use crate::api::{self, Failure};
use crate::app::{role_words, shared};
use crate::pages::my_work::status_tag;
use crate::pages::pro_forma::ProFormaLinks;
use crate::pages::raise::local_instant;
use crate::session;
use crate::ui::{
    Banner, ErrorSummary, PageHeading, Problem, Radios, Select, Tag, TextArea, TextInput,
    error_for, set_title,
};

/// What happened when the case last changed under the person's feet.
#[derive(Clone, Debug, PartialEq)]
struct Changed {
    events: Vec<String>,
}

#[component]
pub fn CasePage() -> impl IntoView {
    let shared = shared();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let reload = RwSignal::new(0u32);
    let changed = RwSignal::new(None::<Changed>);
    let flash = RwSignal::new(session::load_draft::<String>("flash"));
    session::clear_draft("flash");
    let case = LocalResource::new(move || {
        reload.track();
        let id = id();
        async move {
            let view: CaseView = api::get(&format!("/api/cases/{id}")).await?;
            shared.server_now(view.now);
            let procedure = shared.procedure(view.case.procedure.as_str()).await?;
            Ok::<_, Failure>((view, procedure))
        }
    });
    move || {
        case.get()
            .map(|answer| match answer {
                Err(e) => {
                    set_title("Case");
                    view! {
                        <PageHeading text="Case" />
                        <p class="govuk-body">{e.message()}</p>
                    }
                        .into_any()
                }
                Ok((view, procedure)) => view! {
                    <CaseDetail view=view procedure=procedure reload=reload changed=changed flash=flash />
                }
                    .into_any(),
            })
            .unwrap_or_else(|| view! { <p class="govuk-body">"Loading…"</p> }.into_any())
    }
}

fn clock_state(state: ClockState) -> (&'static str, Option<&'static str>) {
    match state {
        ClockState::Running { overdue: false } => ("Running", Some("blue")),
        ClockState::Running { overdue: true } => ("Overdue", Some("red")),
        ClockState::Met { late: false } => ("Met", Some("green")),
        ClockState::Met { late: true } => ("Met late", Some("orange")),
        ClockState::Stopped { overdue: false } => ("Not needed", Some("grey")),
        ClockState::Stopped { overdue: true } => ("Breached", Some("red")),
    }
}

fn party_words(party: Party) -> &'static str {
    match party {
        Party::Raising => "the agency that raised it",
        Party::Receiving => "the agency it is about",
        Party::Partnership => "the partnership",
    }
}

#[component]
fn CaseDetail(
    view: CaseView,
    procedure: Procedure,
    reload: RwSignal<u32>,
    changed: RwSignal<Option<Changed>>,
    flash: RwSignal<Option<String>>,
) -> impl IntoView {
    let shared = shared();
    let case = &view.case;
    set_title(&format!("Case {}", case.id));
    let now = view.now;
    let calendar = shared.calendar();
    let stage = procedure.stage(case.stage.as_str()).cloned();
    let stage_name = stage
        .as_ref()
        .map_or_else(|| case.stage.to_string(), |s| s.name.clone());
    let overdue = view
        .clocks
        .iter()
        .any(|c| matches!(c.state, ClockState::Running { overdue: true }));
    let status = case.status.kind();
    let next = view.next_move.clone();
    let my_move = next
        .as_ref()
        .is_some_and(|n| view.your_sides.contains(&n.party));
    let when = next
        .as_ref()
        .and_then(|n| n.due)
        .map(|due| match &calendar {
            Some(c) => time_left(now, due, c).unwrap_or_else(|_| due_words(due)),
            None => due_words(due),
        });
    let actions: Vec<Action> = if my_move {
        next.as_ref().map(|n| n.actions.clone()).unwrap_or_default()
    } else {
        Vec::new()
    };
    let open = matches!(case.status, Status::Open);
    let may_withdraw = open && view.your_sides.contains(&Party::Raising);
    let form_here = stage
        .as_ref()
        .and_then(|s| s.form.clone())
        .and_then(|f| procedure.form(&f).cloned())
        .filter(|_| open && !view.your_sides.is_empty());

    let planned: Vec<_> = case
        .actions()
        .into_iter()
        .map(|a| {
            (
                a.id().to_string(),
                a.action.clone(),
                stage_label(&procedure, a.stage.as_str()),
            )
        })
        .collect();
    let my_agency = shared
        .me
        .get_untracked()
        .map(|m| m.agency.to_string())
        .unwrap_or_default();
    let chronology: Vec<(String, String, String)> = view
        .chronology
        .iter()
        .map(|e| {
            (
                e.at.with_timezone(&escalations_core::timescale::ZONE)
                    .format("%-d %b %Y %H:%M")
                    .to_string(),
                event_words(e, &procedure),
                e.by.as_ref()
                    .map(|p| shared.person_name(p.as_str()))
                    .unwrap_or_else(|| "The system".to_owned()),
            )
        })
        .collect();
    let ctx = ActionContext {
        case_id: case.id.to_string(),
        version: case.version,
        reload,
        changed,
        flash,
        chronology_len: view.chronology.len(),
    };
    let next_stage = stage
        .as_ref()
        .and_then(|s| procedure.stage_index(&s.id))
        .and_then(|i| procedure.stages.get(i + 1))
        .cloned();
    // A clock that runs from a stated meeting or discussion: the action that starts it asks
    // when that took place.
    let stated = |s: Option<&escalations_core::procedure::Stage>| {
        s.into_iter()
            .flat_map(|s| s.clocks.iter())
            .find_map(|c| match &c.starts {
                ClockStart::Stated { from, .. } => Some(from.clone()),
                _ => None,
            })
    };
    let escalation_needs_meeting = stated(next_stage.as_ref());
    let action_needs_meeting = stated(stage.as_ref()).or_else(|| escalation_needs_meeting.clone());
    let decider_level = stage.as_ref().and_then(|s| s.asked.level);
    let people_for_decision: Vec<(String, String)> = shared
        .me
        .get_untracked()
        .map(|m| {
            m.partnership
                .people
                .iter()
                .filter(|p| decider_level.is_some_and(|l| p.level.is_some_and(|pl| pl >= l)))
                .map(|p| (p.id.to_string(), p.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let agencies: Vec<(String, String)> = shared
        .me
        .get_untracked()
        .map(|m| {
            m.partnership
                .agencies
                .iter()
                .map(|a| (a.id.to_string(), a.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    // Only the chair may see who has read a case; nobody else's page asks.
    let who_has_read = shared
        .me
        .get_untracked()
        .is_some_and(|m| m.role == Role::Chair)
        .then(|| view! { <WhoHasRead case=case.id.to_string() procedure=procedure.clone() /> });

    view! {
        <A href="/" attr:class="govuk-back-link">"My work"</A>
        {move || flash.get().map(|text| view! { <Banner title="Success" text=text success=true /> })}
        {move || changed.get().map(|c| view! {
            <div class="govuk-notification-banner" role="alert" aria-labelledby="changed-title">
                <div class="govuk-notification-banner__header">
                    <h2 class="govuk-notification-banner__title" id="changed-title">"Important"</h2>
                </div>
                <div class="govuk-notification-banner__content">
                    <p class="govuk-notification-banner__heading">
                        "Someone else acted on this case while you were writing. What you typed is kept: check the case and submit again."
                    </p>
                    <ul class="govuk-list govuk-list--bullet">
                        {c.events.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                    </ul>
                </div>
            </div>
        })}
        <PageHeading text=format!("Case {}", case.id) caption=procedure.name.clone() />
        <p class="govuk-body">
            {status_tag(status)}
            {overdue.then(|| view! { " " <Tag text="Overdue" colour="red" /> })}
        </p>
        <dl class="govuk-summary-list">
            <div class="govuk-summary-list__row">
                <dt class="govuk-summary-list__key">"Stage"</dt>
                <dd class="govuk-summary-list__value">{stage_name.clone()}</dd>
            </div>
            <div class="govuk-summary-list__row">
                <dt class="govuk-summary-list__key">"Raised"</dt>
                <dd class="govuk-summary-list__value">
                    {format!(
                        "{} by {}",
                        case.raised_at.with_timezone(&escalations_core::timescale::ZONE).format("%-d %B %Y %H:%M"),
                        shared.agency_name(case.raising_agency.as_str())
                    )}
                </dd>
            </div>
            {case.receiving_agency.as_ref().map(|a| view! {
                <div class="govuk-summary-list__row">
                    <dt class="govuk-summary-list__key">"About"</dt>
                    <dd class="govuk-summary-list__value">{shared.agency_name(a.as_str())}</dd>
                </div>
            })}
            {next.clone().map(|n| view! {
                <div class="govuk-summary-list__row">
                    <dt class="govuk-summary-list__key">"Whose move"</dt>
                    <dd class="govuk-summary-list__value" id="whose-move">
                        {if my_move { "Yours: ".to_owned() } else { String::new() }}
                        {format!("{} ({})", n.who, party_words(n.party))}
                    </dd>
                </div>
                <div class="govuk-summary-list__row">
                    <dt class="govuk-summary-list__key">"What is expected"</dt>
                    <dd class="govuk-summary-list__value">{n.task.clone()}</dd>
                </div>
            })}
            {when.clone().map(|w| view! {
                <div class="govuk-summary-list__row">
                    <dt class="govuk-summary-list__key">"By when"</dt>
                    <dd class="govuk-summary-list__value" id="by-when">{w}</dd>
                    <dd class="govuk-summary-list__actions">
                        <AddToCalendar case=case.id.to_string() />
                    </dd>
                </div>
            })}
        </dl>

        <CaseFacts view=view.clone() procedure=procedure.clone() />
        <ProFormaLinks case=case.id.to_string() procedure=procedure.clone() records=case.forms.clone() />

        {(!actions.is_empty() || may_withdraw || form_here.is_some()).then(|| view! {
            <h2 class="govuk-heading-m">"What you can do now"</h2>
        })}
        {actions.contains(&Action::Submit).then(|| view! { <SubmitForm ctx=ctx.clone() meeting=action_needs_meeting.clone() /> })}
        {actions.contains(&Action::Respond).then(|| view! { <RespondForm ctx=ctx.clone() agencies=agencies.clone() meeting=action_needs_meeting.clone() /> })}
        {actions.contains(&Action::Escalate).then(|| view! {
            <EscalateForm ctx=ctx.clone() to=next_stage.as_ref().map(|s| s.name.clone()).unwrap_or_default() meeting=escalation_needs_meeting.clone() />
        })}
        {form_here.map(|form| view! { <RecordForm ctx=ctx.clone() form_id=form.id.to_string() title=form.title.clone() sides=view.your_sides.clone() /> })}
        {actions.contains(&Action::Resolve).then(|| view! {
            <ResolveForm ctx=ctx.clone() people=people_for_decision.clone() agencies=agencies.clone() />
        })}
        {may_withdraw.then(|| view! { <WithdrawForm ctx=ctx.clone() /> })}

        <h2 class="govuk-heading-m">"Timescales"</h2>
        <table class="govuk-table">
            <caption class="govuk-table__caption govuk-visually-hidden">"Timescales"</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Stage"</th>
                    <th scope="col" class="govuk-table__header">"Who, and what"</th>
                    <th scope="col" class="govuk-table__header">"Due"</th>
                    <th scope="col" class="govuk-table__header">"State"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">
                {view.clocks.iter().map(|c| {
                    let (state, colour) = clock_state(c.state);
                    let what = procedure
                        .stage(c.run.stage.as_str())
                        .and_then(|s| s.clock(c.run.clock.as_str()))
                        .map_or_else(|| c.run.clock.to_string(), |k| format!("{}: {}", k.who, k.task));
                    view! {
                        <tr class="govuk-table__row">
                            <td class="govuk-table__cell">{stage_label(&procedure, c.run.stage.as_str())}</td>
                            <td class="govuk-table__cell">{what}</td>
                            <td class="govuk-table__cell">{due_words(c.run.due)}</td>
                            <td class="govuk-table__cell"><Tag text=state colour=colour.unwrap_or("grey") /></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>

        {(!planned.is_empty()).then(|| {
            let ctx = ctx.clone();
            view! {
                <h2 class="govuk-heading-m">"Agreed actions"</h2>
                <table class="govuk-table">
                    <caption class="govuk-table__caption govuk-visually-hidden">"Agreed actions"</caption>
                    <thead class="govuk-table__head">
                        <tr class="govuk-table__row">
                            <th scope="col" class="govuk-table__header">"Action"</th>
                            <th scope="col" class="govuk-table__header">"Owner"</th>
                            <th scope="col" class="govuk-table__header">"By"</th>
                            <th scope="col" class="govuk-table__header">"Done"</th>
                        </tr>
                    </thead>
                    <tbody class="govuk-table__body">
                        {planned.into_iter().map(|(id, action, agreed_at)| {
                            let owner = action.owner_agency.as_ref().map(|a| shared.agency_name(a.as_str())).unwrap_or_default();
                            let mine = action.owner_agency.as_ref().is_some_and(|a| a.as_str() == my_agency);
                            let done = action.done.clone();
                            let ctx = ctx.clone();
                            let what = format!("{} ({id}, agreed at {agreed_at})", action.what.as_str());
                            view! {
                                <tr class="govuk-table__row">
                                    <td class="govuk-table__cell">{what}</td>
                                    <td class="govuk-table__cell">
                                        {owner}
                                        {action.owner_person.as_ref().map(|p| format!(": {}", p.as_str()))}
                                    </td>
                                    <td class="govuk-table__cell">{action.by_when.format("%-d %B %Y").to_string()}</td>
                                    <td class="govuk-table__cell">
                                        {match done {
                                            Some(d) => d.at.with_timezone(&escalations_core::timescale::ZONE).format("%-d %B %Y").to_string().into_any(),
                                            None if mine => view! { <MarkDone ctx=ctx action=id.clone() /> }.into_any(),
                                            None => "Not yet".into_any(),
                                        }}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }
        })}

        <h2 class="govuk-heading-m">"Chronology"</h2>
        <ol class="govuk-list app-chronology" id="chronology">
            {chronology.into_iter().map(|(at, words, by)| view! {
                <li><strong>{at}</strong>{format!(" — {words}. ")}<span class="govuk-body-s">{format!("({by})")}</span></li>
            }).collect_view()}
        </ol>
        {who_has_read}
    }
}

/// What a person read, in words.
fn part_words(part: &CasePart, procedure: &Procedure) -> String {
    match part {
        CasePart::Case => "The case".to_owned(),
        CasePart::Form(form) => format!(
            "Form: {}",
            procedure
                .form(form)
                .map_or_else(|| form.to_string(), |f| f.title.clone())
        ),
        CasePart::Deadline => "The deadline (calendar file)".to_owned(),
        CasePart::Export => "The full record (export)".to_owned(),
    }
}

/// The chair's view of who has read the case (newest first; the API keeps every read before
/// serving it), and the case's full record to download for a subject access request — a read
/// itself, so the history is read again after it.
#[component]
fn WhoHasRead(case: String, procedure: Procedure) -> impl IntoView {
    let shared = shared();
    let reload = RwSignal::new(0u32);
    let history = LocalResource::new({
        let path = format!("/api/cases/{case}/access");
        move || {
            reload.track();
            let path = path.clone();
            async move { api::get::<AccessHistory>(&path).await }
        }
    });
    let problem = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let export = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        problem.set(None);
        let path = format!("/api/cases/{case}/export");
        let file = format!("case-{case}-record.json");
        spawn_local(async move {
            let answer = api::download(&path, &file).await;
            pending.set(false);
            match answer {
                Ok(()) => reload.update(|n| *n += 1),
                Err(e) => problem.set(Some(e.message())),
            }
        });
    };
    let table = move |history: AccessHistory| {
        view! {
            <table class="govuk-table">
                <caption class="govuk-table__caption govuk-table__caption--s">"Every read of this case, newest first"</caption>
                <thead class="govuk-table__head">
                    <tr class="govuk-table__row">
                        <th scope="col" class="govuk-table__header">"When"</th>
                        <th scope="col" class="govuk-table__header">"Who"</th>
                        <th scope="col" class="govuk-table__header">"Agency"</th>
                        <th scope="col" class="govuk-table__header">"Role"</th>
                        <th scope="col" class="govuk-table__header">"What they read"</th>
                    </tr>
                </thead>
                <tbody class="govuk-table__body">
                    {history.entries.into_iter().rev().map(|e| view! {
                        <tr class="govuk-table__row">
                            <td class="govuk-table__cell">{local(e.at)}</td>
                            <td class="govuk-table__cell">{e.name.unwrap_or_else(|| e.by.to_string())}</td>
                            <td class="govuk-table__cell">{shared.agency_name(e.agency.as_str())}</td>
                            <td class="govuk-table__cell">{role_words(e.role)}</td>
                            <td class="govuk-table__cell">{part_words(&e.part, &procedure)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    };
    view! {
        <section aria-labelledby="who-has-read-heading" class="govuk-!-margin-top-8">
            <h2 class="govuk-heading-m" id="who-has-read-heading">"Who has read this case"</h2>
            <Problem message=problem />
            <p class="govuk-hint" id="export-hint">"The download is itself recorded in who has read this case."</p>
            <button type="button" class="govuk-button govuk-button--secondary" aria-describedby="export-hint" on:click=export prop:disabled=move || pending.get()>
                "Download the full record (subject access request)"
            </button>
            {move || match history.get() {
                None => view! { <p class="govuk-body">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="govuk-body">{e.message()}</p> }.into_any(),
                Some(Ok(h)) if h.entries.is_empty() => view! { <p class="govuk-body">"Nobody has read this case yet."</p> }.into_any(),
                Some(Ok(h)) => table(h).into_any(),
            }}
        </section>
    }
}

fn row(key: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">{key}</dt>
            <dd class="govuk-summary-list__value">{value}</dd>
        </div>
    }
}

fn local(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&escalations_core::timescale::ZONE)
        .format("%-d %B %Y %H:%M")
        .to_string()
}

/// What the case is about and what has been said on it: the child, the concern, each
/// response and escalation, and how it closed. Shown only to people the API lets see the case.
#[component]
fn CaseFacts(view: CaseView, procedure: Procedure) -> impl IntoView {
    let shared = shared();
    let case = view.case;
    let reason = |id: &str| {
        procedure
            .reasons
            .iter()
            .find(|r| r.id.as_str() == id)
            .map_or_else(|| id.to_owned(), |r| r.label.clone())
    };
    let mut reasons: Vec<String> = case
        .concern
        .reasons
        .iter()
        .filter(|r| r.as_str() != "other")
        .map(|r| reason(r.as_str()))
        .collect();
    if let Some(other) = &case.concern.other_reason {
        reasons.push(other.as_str().to_owned());
    }
    let level = case.concern.level_of_need.as_ref().map(|l| {
        procedure
            .levels_of_need
            .iter()
            .find(|x| &x.id == l)
            .map_or_else(|| l.to_string(), |x| x.label.clone())
    });
    let child = case.child.clone().map(|c| {
        let plans = match (c.child_protection_plan, c.in_care) {
            (true, true) => "Child protection plan; looked after",
            (true, false) => "Child protection plan",
            (false, true) => "Looked after",
            (false, false) => "Neither",
        };
        view! {
            <h2 class="govuk-heading-m">"The child"</h2>
            <dl class="govuk-summary-list">
                {row("Name", c.name.as_str().to_owned())}
                {c.date_of_birth.map(|d| row("Date of birth", d.format("%-d %B %Y").to_string()))}
                {c.address.map(|a| row("Address", a.as_str().to_owned()))}
                {row("Plans", plans.to_owned())}
            </dl>
        }
    });
    let contact = |c: &Option<escalations_core::case::Contact>| {
        c.as_ref()
            .map(|c| {
                format!(
                    " Discussed by {} on {} with {} ({}).",
                    c.method.as_str().replace('-', " "),
                    local(c.at),
                    c.with_role.as_str(),
                    shared.agency_name(c.with_agency.as_str())
                )
            })
            .unwrap_or_default()
    };
    let history = case
        .responses
        .iter()
        .map(|r| {
            let (outcome, words) = match &r.outcome {
                escalations_core::case::Outcome::Resolved { summary, .. } => {
                    ("resolved", summary.as_str().to_owned())
                }
                escalations_core::case::Outcome::NotResolved { reasons, .. } => {
                    ("not resolved", reasons.as_str().to_owned())
                }
            };
            (
                r.at,
                format!(
                    "Response at {} by {} ({}): {outcome}",
                    stage_label(&procedure, r.stage.as_str()),
                    shared.person_name(r.by.as_str()),
                    shared.agency_name(r.agency.as_str())
                ),
                format!("{words}{}", contact(&r.contact)),
            )
        })
        .chain(case.escalations.iter().map(|e| {
            (
                e.at,
                format!(
                    "Escalated to {} by {}",
                    stage_label(&procedure, e.to.as_str()),
                    shared.person_name(e.by.as_str())
                ),
                match &e.tried {
                    Some(t) => format!(
                        "{} Tried: {}{}",
                        e.reasons.as_str(),
                        t.as_str(),
                        contact(&e.contact)
                    ),
                    None => format!("{}{}", e.reasons.as_str(), contact(&e.contact)),
                },
            )
        }))
        .collect::<Vec<_>>();
    let mut history = history;
    history.sort_by_key(|(at, _, _)| *at);
    let closed = match &case.status {
        Status::Resolved { outcome, lessons_learned, by, at, .. } => Some(view! {
            <h2 class="govuk-heading-m">"How it was resolved"</h2>
            <dl class="govuk-summary-list">
                {row("Decision", outcome.as_str().to_owned())}
                {row("Lessons learned", lessons_learned.as_str().to_owned())}
                {row("Decided", format!("{} by {}", local(*at), shared.person_name(by.as_str())))}
            </dl>
        }.into_any()),
        Status::Withdrawn { reason, by, at, .. } => Some(view! {
            <h2 class="govuk-heading-m">"Withdrawn"</h2>
            <dl class="govuk-summary-list">
                {row("Why", reason.as_str().to_owned())}
                {row("Withdrawn", format!("{} by {}", local(*at), shared.person_name(by.as_str())))}
            </dl>
        }.into_any()),
        Status::Open => None,
    };
    view! {
        {closed}
        {child}
        <h2 class="govuk-heading-m">"The concern"</h2>
        <dl class="govuk-summary-list">
            {row("Concern", case.concern.summary.as_str().to_owned())}
            {(!reasons.is_empty()).then(|| row("Reasons", reasons.join("; ")))}
            {level.map(|l| row("Level of need", l))}
            {case.concern.tried.as_ref().map(|t| row("Tried", t.as_str().to_owned()))}
            {case.concern.desired_outcome.as_ref().map(|t| row("Outcome wanted", t.as_str().to_owned()))}
        </dl>
        {(!history.is_empty()).then(|| view! {
            <h2 class="govuk-heading-m">"Responses and escalations"</h2>
            <dl class="govuk-summary-list">
                {history.into_iter().map(|(_, title, words)| view! {
                    <div class="govuk-summary-list__row">
                        <dt class="govuk-summary-list__key">{title}</dt>
                        <dd class="govuk-summary-list__value">{words}</dd>
                    </div>
                }).collect_view()}
            </dl>
        })}
    }
}

fn stage_label(procedure: &Procedure, stage: &str) -> String {
    procedure
        .stage(stage)
        .map_or_else(|| stage.to_owned(), |s| s.name.clone())
}

/// A form's refusal by field, its refusal in words, and whether it is being sent.
#[derive(Clone, Copy)]
struct FormState {
    errors: RwSignal<Vec<FieldError>>,
    problem: RwSignal<Option<String>>,
    pending: RwSignal<bool>,
}

impl FormState {
    fn new() -> Self {
        FormState {
            errors: RwSignal::new(Vec::new()),
            problem: RwSignal::new(None),
            pending: RwSignal::new(false),
        }
    }
}

/// What every action form needs: which case, at which version, and how to reload it.
#[derive(Clone)]
struct ActionContext {
    case_id: String,
    version: u64,
    reload: RwSignal<u32>,
    changed: RwSignal<Option<Changed>>,
    flash: RwSignal<Option<String>>,
    chronology_len: usize,
}

impl ActionContext {
    fn draft_key(&self, action: &str) -> String {
        format!("case.{}.{action}", self.case_id)
    }

    /// Sends one action; on success reloads the case, on a 409 reloads it and says what
    /// changed, otherwise shows the refusal (by field where the server names fields).
    fn send<B: Serialize + 'static>(
        &self,
        action: impl Into<String>,
        path: String,
        body: B,
        state: FormState,
        success: &'static str,
    ) {
        let FormState {
            errors,
            problem,
            pending,
        } = state;
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        problem.set(None);
        errors.set(Vec::new());
        self.flash.set(None);
        let ctx = self.clone();
        let action: String = action.into();
        let shared = shared();
        spawn_local(async move {
            let answer = api::post::<_, CaseView>(&path, &body, None).await;
            pending.set(false);
            match answer {
                Ok(_) => {
                    session::clear_draft(&ctx.draft_key(&action));
                    ctx.flash.set(Some(success.to_owned()));
                    ctx.changed.set(None);
                    ctx.reload.update(|n| *n += 1);
                }
                Err(Failure::Refused(p)) if p.status == 409 => {
                    ctx.notice_change(shared).await;
                    problem.set(Some(p.detail));
                }
                Err(Failure::Refused(p)) if !p.errors.is_empty() => errors.set(p.errors),
                Err(e) => problem.set(Some(e.message())),
            }
        });
    }

    async fn notice_change(&self, shared: crate::app::Shared) {
        if let Ok(view) = api::get::<CaseView>(&format!("/api/cases/{}", self.case_id)).await
            && let Ok(procedure) = shared.procedure(view.case.procedure.as_str()).await
        {
            let events = view
                .chronology
                .iter()
                .skip(self.chronology_len)
                .map(|e| event_words(e, &procedure))
                .collect();
            self.changed.set(Some(Changed { events }));
        }
        self.reload.update(|n| *n += 1);
    }
}

/// The fields any action form may have, kept as the person types.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct ActionDraft {
    outcome: String,
    summary: String,
    reasons: String,
    tried: String,
    lessons: String,
    reason: String,
    meeting_at: String,
    on_behalf_of: String,
    action_what: String,
    action_owner: String,
    action_person: String,
    action_by: String,
    contact_method: String,
    contact_at: String,
    contact_role: String,
    contact_agency: String,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl ActionDraft {
    fn agreed_actions(&self) -> Vec<AgreedActionBody> {
        if self.action_what.trim().is_empty()
            && self.action_by.is_empty()
            && self.action_owner.is_empty()
        {
            return Vec::new();
        }
        vec![AgreedActionBody {
            what: opt(&self.action_what),
            owner_agency: opt(&self.action_owner),
            owner_person: opt(&self.action_person),
            by_when: opt(&self.action_by),
        }]
    }

    fn contact(&self) -> Option<ContactBody> {
        if self.contact_method.is_empty() && self.contact_at.is_empty() {
            return None;
        }
        Some(ContactBody {
            method: opt(&self.contact_method),
            at: local_instant(&self.contact_at)
                .map(|t| t.to_rfc3339())
                .or_else(|| opt(&self.contact_at)),
            with_role: opt(&self.contact_role),
            with_agency: opt(&self.contact_agency),
        })
    }

    fn meeting(&self) -> Option<String> {
        local_instant(&self.meeting_at)
            .map(|t| t.to_rfc3339())
            .or_else(|| opt(&self.meeting_at))
    }
}

/// A draft for one action of one case, saved as it changes.
fn action_draft(ctx: &ActionContext, action: &str) -> RwSignal<ActionDraft> {
    let key = ctx.draft_key(action);
    let draft = RwSignal::new(session::load_draft::<ActionDraft>(&key).unwrap_or_default());
    Effect::new(move |_| draft.with(|d| session::save_draft(&key, d)));
    draft
}

macro_rules! bind {
    ($draft:ident, $name:ident) => {
        (
            Signal::derive(move || $draft.with(|d| d.$name.clone())),
            Callback::new(move |v: String| $draft.update(|d| d.$name = v)),
        )
    };
}

#[component]
fn AgreedActionFields(
    draft: RwSignal<ActionDraft>,
    errors: RwSignal<Vec<FieldError>>,
    agencies: Vec<(String, String)>,
) -> impl IntoView {
    let (what, set_what) = bind!(draft, action_what);
    let (owner, set_owner) = bind!(draft, action_owner);
    let (person, set_person) = bind!(draft, action_person);
    let (by, set_by) = bind!(draft, action_by);
    view! {
        <fieldset class="govuk-fieldset">
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">"Agreed action (optional)"</legend>
            <TextInput id="agreed_actions[0].what" label="What will be done" value=what on_input=set_what error=error_for(errors, "agreed_actions[0].what") />
            <Select id="agreed_actions[0].owner_agency" label="Which agency will do it" options=agencies value=owner on_change=set_owner error=error_for(errors, "agreed_actions[0].owner_agency") />
            <TextInput id="agreed_actions[0].owner_person" label="Who in that agency" value=person on_input=set_person error=error_for(errors, "agreed_actions[0].owner_person") />
            <TextInput id="agreed_actions[0].by_when" label="By when" kind="date" value=by on_input=set_by error=error_for(errors, "agreed_actions[0].by_when") />
        </fieldset>
    }
}

#[component]
fn ContactFields(
    draft: RwSignal<ActionDraft>,
    errors: RwSignal<Vec<FieldError>>,
    agencies: Vec<(String, String)>,
) -> impl IntoView {
    let (method, set_method) = bind!(draft, contact_method);
    let (at, set_at) = bind!(draft, contact_at);
    let (role, set_role) = bind!(draft, contact_role);
    let (agency, set_agency) = bind!(draft, contact_agency);
    view! {
        <details class="govuk-details">
            <summary class="govuk-details__summary"><span class="govuk-details__summary-text">"Record the discussion (how, when, with whom)"</span></summary>
            <div class="govuk-details__text">
                <Radios id="contact.method" legend="How did the discussion take place?" small=true
                    options=vec![
                        ("telephone".to_owned(), "Telephone".to_owned()),
                        ("face-to-face".to_owned(), "Face to face".to_owned()),
                        ("online-meeting".to_owned(), "Online meeting".to_owned()),
                        ("email".to_owned(), "Email".to_owned()),
                    ]
                    value=method on_change=set_method error=error_for(errors, "contact.method") />
                <TextInput id="contact.at" label="When" kind="datetime-local" value=at on_input=set_at error=error_for(errors, "contact.at") />
                <TextInput id="contact.with_role" label="With whom (their role)" value=role on_input=set_role error=error_for(errors, "contact.with_role") />
                <Select id="contact.with_agency" label="Their agency" options=agencies value=agency on_change=set_agency error=error_for(errors, "contact.with_agency") />
            </div>
        </details>
    }
}

/// "When did the meeting take place?", where the clock an action starts runs from one.
#[component]
fn MeetingField(
    draft: RwSignal<ActionDraft>,
    errors: RwSignal<Vec<FieldError>>,
    id: &'static str,
    from: Option<String>,
) -> impl IntoView {
    let (meeting_at, set_meeting) = bind!(draft, meeting_at);
    from.map(|from| {
        view! {
            <TextInput
                id=id
                label=format!("When did {from} take place?")
                hint="The next timescale runs from it. UK time; not in the future."
                kind="datetime-local"
                value=meeting_at
                on_input=set_meeting
                error=error_for(errors, "meeting_at")
            />
        }
    })
}

#[component]
fn RespondForm(
    ctx: ActionContext,
    agencies: Vec<(String, String)>,
    meeting: Option<String>,
) -> impl IntoView {
    let draft = action_draft(&ctx, "respond");
    let FormState {
        errors,
        problem,
        pending,
    } = FormState::new();
    let (outcome, set_outcome) = bind!(draft, outcome);
    let (summary, set_summary) = bind!(draft, summary);
    let (reasons, set_reasons) = bind!(draft, reasons);
    let submit = {
        let ctx = ctx.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let d = draft.get_untracked();
            if d.outcome.is_empty() {
                errors.set(vec![FieldError {
                    field: "outcome".to_owned(),
                    message: "Choose whether the disagreement is resolved".to_owned(),
                }]);
                return;
            }
            let resolved = d.outcome == "resolved";
            let body = ResponseBody {
                version: Some(ctx.version),
                outcome: Some(d.outcome.clone()),
                summary: if resolved { opt(&d.summary) } else { None },
                reasons: if resolved { None } else { opt(&d.reasons) },
                agreed_actions: d.agreed_actions(),
                meeting_at: d.meeting(),
                contact: d.contact(),
                on_behalf_of: None,
            };
            ctx.send(
                "respond",
                format!("/api/cases/{}/responses", ctx.case_id),
                body,
                FormState {
                    errors,
                    problem,
                    pending,
                },
                "Response recorded",
            );
        }
    };
    view! {
        <section aria-labelledby="respond-heading" class="govuk-!-margin-bottom-8">
            <h3 class="govuk-heading-s" id="respond-heading">"Respond"</h3>
            <ErrorSummary errors=errors />
            <Problem message=problem />
            <form novalidate on:submit=submit>
                <Radios id="outcome" legend="Is the disagreement resolved?"
                    options=vec![("resolved".to_owned(), "Resolved".to_owned()), ("not-resolved".to_owned(), "Not resolved".to_owned())]
                    value=outcome on_change=set_outcome error=error_for(errors, "outcome") small=true />
                {move || (outcome.get() == "resolved").then(|| view! {
                    <TextArea id="summary" label="How it was resolved" value=summary on_input=set_summary error=error_for(errors, "summary") />
                })}
                {move || (outcome.get() == "not-resolved").then(|| view! {
                    <TextArea id="reasons" label="Why it is not resolved" value=reasons on_input=set_reasons error=error_for(errors, "reasons") />
                })}
                <MeetingField draft=draft errors=errors id="respond.meeting_at" from=meeting />
                <AgreedActionFields draft=draft errors=errors agencies=agencies.clone() />
                <ContactFields draft=draft errors=errors agencies=agencies />
                <button type="submit" class="govuk-button" prop:disabled=move || pending.get()>"Send the response"</button>
            </form>
        </section>
    }
}

#[component]
fn EscalateForm(ctx: ActionContext, to: String, meeting: Option<String>) -> impl IntoView {
    let draft = action_draft(&ctx, "escalate");
    let FormState {
        errors,
        problem,
        pending,
    } = FormState::new();
    let (reasons, set_reasons) = bind!(draft, reasons);
    let (tried, set_tried) = bind!(draft, tried);
    let agencies: Vec<(String, String)> = shared()
        .me
        .get_untracked()
        .map(|m| {
            m.partnership
                .agencies
                .iter()
                .map(|a| (a.id.to_string(), a.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let submit = {
        let ctx = ctx.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let d = draft.get_untracked();
            let body = EscalationBody {
                version: Some(ctx.version),
                to: None,
                reasons: opt(&d.reasons),
                tried: opt(&d.tried),
                meeting_at: d.meeting(),
                contact: d.contact(),
            };
            ctx.send(
                "escalate",
                format!("/api/cases/{}/escalations", ctx.case_id),
                body,
                FormState {
                    errors,
                    problem,
                    pending,
                },
                "Escalated to the next stage",
            );
        }
    };
    view! {
        <section aria-labelledby="escalate-heading" class="govuk-!-margin-bottom-8">
            <h3 class="govuk-heading-s" id="escalate-heading">{format!("Escalate to {to}")}</h3>
            <ErrorSummary errors=errors />
            <Problem message=problem />
            <form novalidate on:submit=submit>
                <TextArea id="escalate.reasons" label="Why you are escalating" value=reasons on_input=set_reasons error=error_for(errors, "reasons") />
                <TextArea id="escalate.tried" label="What has been tried" value=tried on_input=set_tried error=error_for(errors, "tried") />
                <MeetingField draft=draft errors=errors id="escalate.meeting_at" from=meeting />
                <ContactFields draft=draft errors=errors agencies=agencies />
                <button type="submit" class="govuk-button govuk-button--warning" prop:disabled=move || pending.get()>"Escalate"</button>
            </form>
        </section>
    }
}

#[component]
fn SubmitForm(ctx: ActionContext, meeting: Option<String>) -> impl IntoView {
    let FormState {
        errors,
        problem,
        pending,
    } = FormState::new();
    let draft = action_draft(&ctx, "submit");
    let submit = {
        let ctx = ctx.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let body = SubmissionBody {
                version: Some(ctx.version),
                meeting_at: draft.get_untracked().meeting(),
                shorter_timescale: None,
            };
            ctx.send(
                "submit",
                format!("/api/cases/{}/submissions", ctx.case_id),
                body,
                FormState {
                    errors,
                    problem,
                    pending,
                },
                "Sent on",
            );
        }
    };
    view! {
        <section aria-labelledby="submit-heading" class="govuk-!-margin-bottom-8">
            <h3 class="govuk-heading-s" id="submit-heading">"Send it on"</h3>
            <ErrorSummary errors=errors />
            <Problem message=problem />
            <form novalidate on:submit=submit>
                <p class="govuk-body">"Send the escalation on to the person asked at this stage."</p>
                <MeetingField draft=draft errors=errors id="submit.meeting_at" from=meeting />
                <button type="submit" class="govuk-button" prop:disabled=move || pending.get()>"Send it on"</button>
            </form>
        </section>
    }
}

#[component]
fn ResolveForm(
    ctx: ActionContext,
    people: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
) -> impl IntoView {
    let draft = action_draft(&ctx, "resolve");
    let FormState {
        errors,
        problem,
        pending,
    } = FormState::new();
    let (outcome, set_outcome) = bind!(draft, outcome);
    let (lessons, set_lessons) = bind!(draft, lessons);
    let (behalf, set_behalf) = bind!(draft, on_behalf_of);
    let submit = {
        let ctx = ctx.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let d = draft.get_untracked();
            let body = ResolutionBody {
                version: Some(ctx.version),
                outcome: opt(&d.outcome),
                lessons_learned: opt(&d.lessons),
                agreed_actions: d.agreed_actions(),
                on_behalf_of: opt(&d.on_behalf_of),
            };
            ctx.send(
                "resolve",
                format!("/api/cases/{}/resolution", ctx.case_id),
                body,
                FormState {
                    errors,
                    problem,
                    pending,
                },
                "Case resolved",
            );
        }
    };
    let has_people = !people.is_empty();
    view! {
        <section aria-labelledby="resolve-heading" class="govuk-!-margin-bottom-8">
            <h3 class="govuk-heading-s" id="resolve-heading">"Resolve the case"</h3>
            <ErrorSummary errors=errors />
            <Problem message=problem />
            <form novalidate on:submit=submit>
                <TextArea id="resolve.outcome" label="The decision" value=outcome on_input=set_outcome error=error_for(errors, "outcome") />
                <TextArea id="resolve.lessons_learned" label="Lessons learned" value=lessons on_input=set_lessons error=error_for(errors, "lessons_learned") />
                {has_people.then(|| view! {
                    <Select id="on_behalf_of" label="Whose decision is it?" hint="Where you record the decision on their behalf." options=people.clone() value=behalf on_change=set_behalf error=error_for(errors, "on_behalf_of") />
                })}
                <AgreedActionFields draft=draft errors=errors agencies=agencies />
                <button type="submit" class="govuk-button" prop:disabled=move || pending.get()>"Resolve the case"</button>
            </form>
        </section>
    }
}

#[component]
fn WithdrawForm(ctx: ActionContext) -> impl IntoView {
    let draft = action_draft(&ctx, "withdraw");
    let FormState {
        errors,
        problem,
        pending,
    } = FormState::new();
    let (reason, set_reason) = bind!(draft, reason);
    let submit = {
        let ctx = ctx.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let d = draft.get_untracked();
            let body = WithdrawalBody {
                version: Some(ctx.version),
                reason: opt(&d.reason),
            };
            ctx.send(
                "withdraw",
                format!("/api/cases/{}/withdrawal", ctx.case_id),
                body,
                FormState {
                    errors,
                    problem,
                    pending,
                },
                "Case withdrawn",
            );
        }
    };
    view! {
        <details class="govuk-details">
            <summary class="govuk-details__summary"><span class="govuk-details__summary-text">"Withdraw the escalation"</span></summary>
            <div class="govuk-details__text">
                <ErrorSummary errors=errors />
                <Problem message=problem />
                <form novalidate on:submit=submit>
                    <TextArea id="withdraw.reason" label="Why it is withdrawn" value=reason on_input=set_reason error=error_for(errors, "reason") />
                    <button type="submit" class="govuk-button govuk-button--secondary" prop:disabled=move || pending.get()>"Withdraw"</button>
                </form>
            </div>
        </details>
    }
}

#[component]
fn MarkDone(ctx: ActionContext, action: String) -> impl IntoView {
    let FormState {
        errors,
        problem,
        pending,
    } = FormState::new();
    let label = format!("Mark {action} done");
    let click = move |_| {
        let body = ActionCompletionBody {
            version: Some(ctx.version),
            action: Some(action.clone()),
        };
        ctx.send(
            "done",
            format!("/api/cases/{}/action-completions", ctx.case_id),
            body,
            FormState {
                errors,
                problem,
                pending,
            },
            "Agreed action marked done",
        );
    };
    view! {
        <Problem message=problem />
        <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" on:click=click prop:disabled=move || pending.get()>{label}</button>
    }
}

/// A procedure's form at the case's current stage, built from its fields: what the case
/// already knows is filled in.
#[component]
fn RecordForm(
    ctx: ActionContext,
    form_id: String,
    title: String,
    sides: Vec<Party>,
) -> impl IntoView {
    let path = format!("/api/cases/{}/forms/{form_id}", ctx.case_id);
    let loaded = LocalResource::new({
        let path = path.clone();
        move || {
            let path = path.clone();
            async move { api::get::<FormView>(&path).await }
        }
    });
    let heading = format!("form-{form_id}");
    let heading2 = heading.clone();
    view! {
        <section aria-labelledby=heading2 class="govuk-!-margin-bottom-8">
            <h3 class="govuk-heading-s" id=heading>{format!("Record the {title}")}</h3>
            {move || loaded.get().map(|answer| match answer {
                Err(e) => view! { <p class="govuk-body">{e.message()}</p> }.into_any(),
                Ok(form) => view! { <FormFields ctx=ctx.clone() path=path.clone() form=form sides=sides.clone() /> }.into_any(),
            })}
        </section>
    }
}

/// A field's value as the person types it: text (dates and yes/no as text too) or choices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum Entry {
    Text(String),
    Choices(Vec<String>),
}

fn entry_of(kind: FieldKind, value: &Plain) -> Entry {
    match (kind, value) {
        (FieldKind::Choices, Plain::List(items)) => Entry::Choices(
            items
                .iter()
                .filter_map(|i| match i {
                    Plain::Text(t) => Some(t.clone()),
                    _ => None,
                })
                .collect(),
        ),
        (FieldKind::YesNo, Plain::Bool(b)) => Entry::Text(if *b { "yes" } else { "no" }.to_owned()),
        (_, Plain::Text(t)) => Entry::Text(t.clone()),
        _ => Entry::Text(String::new()),
    }
}

fn plain_of(kind: FieldKind, entry: &Entry) -> Option<Plain> {
    match (kind, entry) {
        (_, Entry::Choices(list)) if !list.is_empty() => {
            Some(Plain::List(list.iter().cloned().map(Plain::Text).collect()))
        }
        (FieldKind::YesNo, Entry::Text(t)) if t == "yes" => Some(Plain::Bool(true)),
        (FieldKind::YesNo, Entry::Text(t)) if t == "no" => Some(Plain::Bool(false)),
        (FieldKind::YesNo, _) => None,
        (_, Entry::Text(t)) if !t.trim().is_empty() => Some(Plain::Text(t.trim().to_owned())),
        _ => None,
    }
}

#[component]
fn FormFields(
    ctx: ActionContext,
    path: String,
    form: FormView,
    /// The sides the person stands on: a field another side fills is left to them.
    sides: Vec<Party>,
) -> impl IntoView {
    let key = ctx.draft_key(&format!("form.{}", form.form.id));
    let known: BTreeMap<String, Entry> = form
        .form
        .fields
        .iter()
        .filter_map(|f| {
            form.values
                .iter()
                .find(|v| v.field == f.id)
                .map(|v| (f.id.to_string(), entry_of(f.kind, &v.value)))
        })
        .collect();
    let values =
        RwSignal::new(session::load_draft::<BTreeMap<String, Entry>>(&key).unwrap_or(known));
    {
        let key = key.clone();
        Effect::new(move |_| values.with(|v| session::save_draft(&key, v)));
    }
    let FormState {
        errors,
        problem,
        pending,
    } = FormState::new();
    let fields = form.form.fields.clone();
    let recorded = form.recorded.clone();
    let form_id = form.form.id.to_string();
    let submit = {
        let fields = fields.clone();
        let ctx = ctx.clone();
        let version = form.version;
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let current = values.get_untracked();
            let map: BTreeMap<String, Plain> = fields
                .iter()
                .filter_map(|f| {
                    current
                        .get(f.id.as_str())
                        .and_then(|e| plain_of(f.kind, e))
                        .map(|p| (f.id.to_string(), p))
                })
                .collect();
            let body = FormBody {
                version: Some(version.max(ctx.version)),
                values: Some(map),
            };
            let action = format!("form.{}", form_id);
            ctx.send(
                action,
                path.clone(),
                body,
                FormState {
                    errors,
                    problem,
                    pending,
                },
                "Form recorded",
            );
        }
    };
    view! {
        {recorded.map(|r| view! {
            <p class="govuk-body-s">{format!("Last recorded {}.", r.at.with_timezone(&escalations_core::timescale::ZONE).format("%-d %B %Y %H:%M"))}</p>
        })}
        <ErrorSummary errors=errors />
        <Problem message=problem />
        <form novalidate on:submit=submit>
            {fields.into_iter().filter(|f| f.kind != FieldKind::Rows && f.filled_by.is_none_or(|p| sides.contains(&p))).map(|f| {
                let id = format!("values.{}", f.id);
                let fid = f.id.to_string();
                let label = if f.required { format!("{} (required)", f.label) } else { f.label.clone() };
                let error_field: &'static str = Box::leak(format!("values.{}", f.id).into_boxed_str());
                let error = error_for(errors, error_field);
                let text = {
                    let fid = fid.clone();
                    Signal::derive(move || values.with(|v| match v.get(&fid) { Some(Entry::Text(t)) => t.clone(), _ => String::new() }))
                };
                let set_text = {
                    let fid = fid.clone();
                    Callback::new(move |t: String| values.update(|v| { v.insert(fid.clone(), Entry::Text(t)); }))
                };
                let options: Vec<(String, String)> = f.options.iter().map(|o| (o.clone(), o.clone())).collect();
                match f.kind {
                    FieldKind::LongText => view! { <TextArea id=id label=label value=text on_input=set_text error=error /> }.into_any(),
                    FieldKind::Date => view! { <TextInput id=id label=label kind="date" value=text on_input=set_text error=error /> }.into_any(),
                    FieldKind::Email => view! { <TextInput id=id label=label kind="email" value=text on_input=set_text error=error /> }.into_any(),
                    FieldKind::YesNo => view! {
                        <Radios id=id legend=label small=true options=vec![("yes".to_owned(), "Yes".to_owned()), ("no".to_owned(), "No".to_owned())] value=text on_change=set_text error=error />
                    }.into_any(),
                    FieldKind::Choice => view! { <Radios id=id legend=label small=true options=options value=text on_change=set_text error=error /> }.into_any(),
                    FieldKind::Choices => {
                        let chosen = {
                            let fid = fid.clone();
                            Signal::derive(move || values.with(|v| match v.get(&fid) { Some(Entry::Choices(c)) => c.clone(), _ => Vec::new() }))
                        };
                        let toggle = Callback::new(move |(option, on): (String, bool)| values.update(|v| {
                            let mut list = match v.get(&fid) { Some(Entry::Choices(c)) => c.clone(), _ => Vec::new() };
                            list.retain(|x| x != &option);
                            if on { list.push(option); }
                            v.insert(fid.clone(), Entry::Choices(list));
                        }));
                        view! { <crate::ui::Checkboxes id=id legend=label options=options values=chosen on_toggle=toggle error=error /> }.into_any()
                    }
                    _ => view! { <TextInput id=id label=label value=text on_input=set_text error=error /> }.into_any(),
                }
            }).collect_view()}
            <button type="submit" class="govuk-button govuk-button--secondary" prop:disabled=move || pending.get()>"Record the form"</button>
        </form>
    }
}

/// "Add to calendar (.ics)": the case's deadline as a calendar file. A link cannot carry the
/// bearer token, so the page fetches the file with it and hands it to the browser.
#[component]
fn AddToCalendar(case: String) -> impl IntoView {
    let failure = RwSignal::new(None::<String>);
    let path = format!("/api/cases/{case}/deadline.ics");
    let file = format!("case-{case}-deadline.ics");
    let href = path.clone();
    view! {
        <a
            class="govuk-link"
            href=href
            on:click=move |ev| {
                ev.prevent_default();
                let (path, file) = (path.clone(), file.clone());
                leptos::task::spawn_local(async move {
                    failure.set(crate::api::download(&path, &file).await.err().map(|e| e.message()));
                });
            }
        >
            "Add to calendar (.ics)"
        </a>
        {move || failure.get().map(|m| view! { <p class="govuk-error-message">{m}</p> })}
    }
}
