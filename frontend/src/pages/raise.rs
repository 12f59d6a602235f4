//! Raise an escalation: choose one of the partnership's procedures, then a form built from that
//! procedure's data. Before submitting it shows when the first timescale falls due, worked out
//! in the browser by the server's own core code. A retried submit raises one case, not two.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use escalations_core::procedure::{ClockStart, Procedure, Subject};
use escalations_core::timescale::ZONE;
use escalations_core::words::due_words;
use escalations_wire::{CaseView, ChildBody, ConcernBody, FieldError, ProcedureList, RaiseBody};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use serde::{Deserialize, Serialize};

use crate::api::{self, Failure};
use crate::app::shared;
use crate::session;
use crate::ui::{
    Checkboxes, ErrorSummary, PageHeading, Problem, Radios, Select, TextArea, TextInput, error_for,
    set_title,
};

/// What the person has typed so far, kept in session storage as they type.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct RaiseDraft {
    receiving_agency: String,
    child_name: String,
    date_of_birth: String,
    address: String,
    child_protection_plan: bool,
    in_care: bool,
    summary: String,
    reasons: Vec<String>,
    other_reason: String,
    level_of_need: String,
    desired_outcome: String,
    tried: String,
    immediate_risk: String,
    meeting_at: String,
    agencies_asked: Vec<String>,
    duplicate_acknowledged: bool,
    /// A shorter timescale for the first clock, where the procedure lets this role set one.
    shorter_count: String,
    shorter_unit: String,
    /// The key of the last attempt and the body it was for: a retry of the same body reuses
    /// it, so the server answers the first attempt's case instead of raising another.
    attempt: Option<(String, String)>,
}

fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A `datetime-local` value, read as the partnership's local (UK) time.
pub fn local_instant(value: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M"))
        .ok()?;
    ZONE.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

impl RaiseDraft {
    fn body(&self, procedure: &Procedure) -> RaiseBody {
        let about_child = procedure.subject == Subject::Child;
        RaiseBody {
            procedure: Some(procedure.id.to_string()),
            receiving_agency: text(&self.receiving_agency),
            child: about_child.then(|| ChildBody {
                name: text(&self.child_name),
                date_of_birth: text(&self.date_of_birth),
                address: text(&self.address),
                child_protection_plan: self.child_protection_plan,
                in_care: self.in_care,
            }),
            concern: Some(ConcernBody {
                summary: text(&self.summary),
                reasons: self.reasons.clone(),
                // An open list (no reasons listed): the reason in words, if given.
                other_reason: if procedure.reasons.is_empty()
                    || self.reasons.iter().any(|r| r == "other")
                {
                    text(&self.other_reason)
                } else {
                    None
                },
                level_of_need: text(&self.level_of_need),
                desired_outcome: text(&self.desired_outcome),
                tried: text(&self.tried),
            }),
            immediate_risk: match self.immediate_risk.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            meeting_at: local_instant(&self.meeting_at).map(|t| t.to_rfc3339()),
            shorter_timescale: self.shorter(),
            duplicate_acknowledged: self.duplicate_acknowledged.then_some(true),
            agencies_asked: if procedure.asks_agencies() {
                self.agencies_asked.clone()
            } else {
                Vec::new()
            },
        }
    }

    fn shorter(&self) -> Option<escalations_wire::TimescaleBody> {
        let count: u32 = self.shorter_count.trim().parse().ok()?;
        let mut body = escalations_wire::TimescaleBody::default();
        match self.shorter_unit.as_str() {
            "hours" => body.hours = Some(count),
            "working_days" => body.working_days = Some(count),
            "calendar_days" => body.calendar_days = Some(count),
            _ => return None,
        }
        Some(body)
    }

    /// Every field the procedure needs that is still blank, named at once (the server checks
    /// again, with the same rules).
    fn missing(&self, procedure: &Procedure) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut need = |field: &str, message: &str| {
            errors.push(FieldError {
                field: field.to_owned(),
                message: message.to_owned(),
            })
        };
        if procedure.subject.names_an_agency() && self.receiving_agency.is_empty() {
            need(
                "receiving_agency",
                "Choose the agency the escalation is about",
            );
        }
        if procedure.asks_agencies() && self.agencies_asked.is_empty() {
            need("agencies_asked", "Choose the agencies asked to respond");
        }
        if procedure.subject == Subject::Child {
            if self.child_name.trim().is_empty() {
                need("child.name", "Enter the child's name");
            }
            if procedure.immediate_risk.is_some() && self.immediate_risk.is_empty() {
                need(
                    "immediate_risk",
                    "Say whether the child is at immediate risk of significant harm",
                );
            }
        }
        if self.summary.trim().is_empty() {
            need("concern.summary", "Enter what the concern is");
        }
        if !procedure.reasons.is_empty() && self.reasons.is_empty() {
            need(
                "concern.reasons",
                "Choose at least one reason for the escalation",
            );
        }
        if self.reasons.iter().any(|r| r == "other") && self.other_reason.trim().is_empty() {
            need("concern.other_reason", "Enter the other reason");
        }
        if procedure.level_of_need_required_at_raise() && self.level_of_need.is_empty() {
            need("concern.level_of_need", "Choose the child's level of need");
        }
        if !self.shorter_count.trim().is_empty()
            && (self.shorter().is_none() || self.shorter_count.trim() == "0")
        {
            need(
                "shorter_timescale",
                "Enter the shorter timescale as a whole number of hours or days, and choose which",
            );
        }
        if let Some(ClockStart::Stated { from, .. }) = first_clock_start(procedure) {
            if self.meeting_at.is_empty() {
                need("meeting_at", &format!("Enter when {from} took place"));
            } else if local_instant(&self.meeting_at).is_none() {
                need(
                    "meeting_at",
                    &format!("Enter when {from} took place, as a date and time"),
                );
            }
        }
        errors
    }
}

fn first_clock_start(procedure: &Procedure) -> Option<&ClockStart> {
    procedure.first_stage().clocks.first().map(|c| &c.starts)
}

#[component]
pub fn Raise() -> impl IntoView {
    let query = use_query_map();
    move || match query.read().get("procedure") {
        None => view! { <ChooseProcedure /> }.into_any(),
        Some(id) => view! { <RaiseForm id=id /> }.into_any(),
    }
}

#[component]
fn ChooseProcedure() -> impl IntoView {
    set_title("Raise an escalation: choose the procedure");
    let navigate = use_navigate();
    let list = LocalResource::new(|| api::get::<ProcedureList>("/api/procedures"));
    let chosen = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let proceed = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = chosen.get_untracked();
        if id.is_empty() {
            errors.set(vec![FieldError {
                field: "procedure".to_owned(),
                message: "Choose the procedure to follow".to_owned(),
            }]);
        } else {
            navigate(&format!("/raise?procedure={id}"), Default::default());
        }
    };
    view! {
        <ErrorSummary errors=errors />
        <PageHeading text="Raise an escalation" />
        {move || {
            list.get()
                .map(|answer| match answer {
                    Err(e) => view! { <p class="govuk-body">{e.message()}</p> }.into_any(),
                    Ok(list) => {
                        let options = list
                            .items
                            .iter()
                            .map(|p| (p.id.to_string(), p.name.clone()))
                            .collect();
                        view! {
                            <form novalidate on:submit=proceed.clone()>
                                <Radios
                                    id="procedure"
                                    legend="Which procedure are you following?"
                                    hint="Your partnership's escalation procedures."
                                    options=options
                                    value=chosen
                                    on_change=move |v| chosen.set(v)
                                    error=error_for(errors, "procedure")
                                />
                                <button type="submit" class="govuk-button">"Continue"</button>
                            </form>
                        }
                            .into_any()
                    }
                })
                .unwrap_or_else(|| view! { <p class="govuk-body">"Loading…"</p> }.into_any())
        }}
    }
}

#[component]
fn RaiseForm(id: String) -> impl IntoView {
    let shared = shared();
    let procedure = LocalResource::new({
        let id = id.clone();
        move || {
            let id = id.clone();
            async move { shared.procedure(&id).await }
        }
    });
    move || {
        procedure
            .get()
            .map(|answer| match answer {
                Err(e) => view! { <p class="govuk-body">{e.message()}</p> }.into_any(),
                Ok(p) => view! { <Form procedure=p /> }.into_any(),
            })
            .unwrap_or_else(|| view! { <p class="govuk-body">"Loading…"</p> }.into_any())
    }
}

#[component]
fn Form(procedure: Procedure) -> impl IntoView {
    set_title(&format!("Raise an escalation: {}", procedure.name));
    let shared = shared();
    let navigate = use_navigate();
    let draft_key = format!("raise.{}", procedure.id);
    let draft = RwSignal::new(session::load_draft::<RaiseDraft>(&draft_key).unwrap_or_default());
    {
        let key = draft_key.clone();
        Effect::new(move |_| draft.with(|d| session::save_draft(&key, d)));
    }
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let problem = RwSignal::new(None::<String>);
    let duplicates = RwSignal::new(Vec::<String>::new());
    let pending = RwSignal::new(false);

    let me = shared.me.get_untracked();
    let my_agency = me
        .as_ref()
        .map(|m| m.agency.to_string())
        .unwrap_or_default();
    let agencies: Vec<(String, String)> = me
        .as_ref()
        .map(|m| {
            m.partnership
                .agencies
                .iter()
                .filter(|a| a.id.as_str() != my_agency)
                .map(|a| (a.id.to_string(), a.name.clone()))
                .collect()
        })
        .unwrap_or_default();

    // Whether the procedure lets this person's role set a shorter first timescale (MSET: "The
    // timescale for completion (if specific immediate safeguarding concerns are identified)",
    // set by the Chair).
    let my_role = me
        .as_ref()
        .and_then(|m| serde_json::to_value(m.role).ok())
        .and_then(|v| v.as_str().map(str::to_owned));
    let may_shorten = procedure
        .first_stage()
        .clocks
        .first()
        .and_then(|c| c.shorter_by)
        .is_some_and(|r| my_role.as_deref() == Some(r.name()));
    let standard = procedure
        .first_stage()
        .clocks
        .first()
        .map(|c| c.timescale.to_string())
        .unwrap_or_default();
    // The first timescale's due time, as the server will set it.
    let first_clock = procedure.first_stage().clocks.first().cloned();
    let stated_from = match first_clock.as_ref().map(|c| &c.starts) {
        Some(ClockStart::Stated { from, .. }) => Some(from.clone()),
        _ => None,
    };
    let preview = {
        let first_clock = first_clock.clone();
        move || {
            let clock = first_clock.as_ref()?;
            let calendar = shared.calendar()?;
            let stated = draft.with(|d| local_instant(&d.meeting_at));
            let due = match clock.due_if_started(shared.now(), stated, &calendar) {
                None => {
                    return Some(format!(
                        "{}: enter when the meeting or discussion took place to see when {} falls due.",
                        clock.who,
                        clock.task.to_lowercase()
                    ));
                }
                Some(Ok(due)) => due,
                Some(Err(e)) => return Some(e.to_string()),
            };
            // A shorter timescale set for this case runs from the same start.
            let shorter = draft.with(|d| {
                let count: u32 = d.shorter_count.trim().parse().ok()?;
                escalations_core::timescale::Timescale::from_unit(&d.shorter_unit, count).ok()
            });
            let start = match clock.starts {
                ClockStart::Stated { .. } => stated,
                _ => Some(shared.now()),
            };
            let due = match (shorter.filter(|_| may_shorten), start) {
                (Some(t), Some(start)) => t
                    .due(start, &calendar)
                    .ok()
                    .filter(|d| *d < due)
                    .unwrap_or(due),
                _ => due,
            };
            Some(format!(
                "{}: {}, due by {}.",
                clock.who,
                escalations_core::case::lowercase_first(&clock.task),
                due_words(due)
            ))
        }
    };

    let field =
        move |f: fn(&RaiseDraft) -> &String| Signal::derive(move || draft.with(|d| f(d).clone()));
    macro_rules! setter {
        ($name:ident) => {
            Callback::new(move |v: String| draft.update(|d| d.$name = v))
        };
    }
    let toggle = |pick: fn(&mut RaiseDraft) -> &mut Vec<String>| {
        Callback::new(move |(option, on): (String, bool)| {
            draft.update(|d| {
                let list = pick(d);
                list.retain(|x| x != &option);
                if on {
                    list.push(option);
                }
            })
        })
    };

    let submit = {
        let procedure = procedure.clone();
        let draft_key = draft_key.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if pending.get_untracked() {
                return;
            }
            problem.set(None);
            let current = draft.get_untracked();
            let missing = current.missing(&procedure);
            if !missing.is_empty() {
                errors.set(missing);
                return;
            }
            errors.set(Vec::new());
            let body = current.body(&procedure);
            let body_json = serde_json::to_string(&body).unwrap_or_default();
            let key = match &current.attempt {
                Some((key, same)) if *same == body_json => key.clone(),
                _ => {
                    let key = api::new_key();
                    draft.update(|d| d.attempt = Some((key.clone(), body_json.clone())));
                    key
                }
            };
            pending.set(true);
            let navigate = navigate.clone();
            let draft_key = draft_key.clone();
            spawn_local(async move {
                let answer = api::post::<_, CaseView>("/api/cases", &body, Some(&key)).await;
                pending.set(false);
                match answer {
                    Ok(view) => {
                        session::clear_draft(&draft_key);
                        session::save_draft(
                            "flash",
                            &format!("Escalation raised: case {}", view.case.id),
                        );
                        navigate(&format!("/cases/{}", view.case.id), Default::default());
                    }
                    Err(Failure::Refused(p)) if p.kind.ends_with("possible-duplicate") => {
                        duplicates.set(p.open_cases.iter().map(|c| c.id.to_string()).collect());
                        problem.set(Some(
                            "An escalation about this child with this agency is already open. Join it by contacting the agency, or, if this is a different disagreement, tick the box at the end of the form and raise it again.".to_owned(),
                        ));
                    }
                    Err(Failure::Refused(p)) if !p.errors.is_empty() => errors.set(p.errors),
                    Err(e) => problem.set(Some(e.message())),
                }
            });
        }
    };

    let reasons: Vec<(String, String)> = procedure
        .reasons
        .iter()
        .map(|r| (r.id.to_string(), r.label.clone()))
        .chain(std::iter::once((
            "other".to_owned(),
            "Another reason".to_owned(),
        )))
        .collect();
    let levels: Vec<(String, String)> = procedure
        .levels_of_need
        .iter()
        .map(|l| (l.id.to_string(), l.label.clone()))
        .collect();
    let about_child = procedure.subject == Subject::Child;
    let open_reasons = procedure.reasons.is_empty();
    let names_agency = procedure.subject.names_an_agency();
    let asks_agencies = procedure.asks_agencies();
    let immediate = procedure.immediate_risk.clone();
    let instruction = immediate
        .as_ref()
        .map(|i| i.instruction.clone())
        .unwrap_or_default();
    let all_agencies = agencies.clone();

    view! {
        <a href="/raise" class="govuk-back-link">"Back"</a>
        <ErrorSummary errors=errors />
        <Problem message=problem />
        <PageHeading text="Raise an escalation" caption=procedure.name.clone() />
        <p class="govuk-body">{procedure.summary.clone()}</p>
        {procedure.before.clone().map(|b| view! { <div class="govuk-inset-text">{b}</div> })}
        {procedure.guidance.clone().map(|g| view! {
            <details class="govuk-details">
                <summary class="govuk-details__summary"><span class="govuk-details__summary-text">"Who this procedure is for"</span></summary>
                <div class="govuk-details__text">{g}</div>
            </details>
        })}
        <form novalidate on:submit=submit>
            {immediate.map(|risk| view! {
                <Radios
                    id="immediate_risk"
                    legend=risk.question.clone()
                    options=vec![("yes".to_owned(), "Yes".to_owned()), ("no".to_owned(), "No".to_owned())]
                    value=field(|d| &d.immediate_risk)
                    on_change=setter!(immediate_risk)
                    error=error_for(errors, "immediate_risk")
                    small=true
                />
            })}
            {move || (draft.with(|d| d.immediate_risk == "yes")).then(|| view! {
                <div class="govuk-warning-text">
                    <span class="govuk-warning-text__icon" aria-hidden="true">"!"</span>
                    <strong class="govuk-warning-text__text">
                        <span class="govuk-visually-hidden">"Warning"</span>
                        {instruction.clone()}
                    </strong>
                </div>
            })}
            {names_agency.then(|| view! {
                <Select
                    id="receiving_agency"
                    label="Which agency is the escalation about?"
                    hint="The agency whose decision, action or inaction you are challenging."
                    options=agencies.clone()
                    value=field(|d| &d.receiving_agency)
                    on_change=setter!(receiving_agency)
                    error=error_for(errors, "receiving_agency")
                />
            })}
            {asks_agencies.then(|| view! {
                <Checkboxes
                    id="agencies_asked"
                    legend="Which agencies are asked to respond?"
                    options=all_agencies.clone()
                    values=Signal::derive(move || draft.with(|d| d.agencies_asked.clone()))
                    on_toggle=toggle(|d| &mut d.agencies_asked)
                    error=error_for(errors, "agencies_asked")
                />
            })}
            {about_child.then(|| view! {
                <h2 class="govuk-heading-m">"The child"</h2>
                <TextInput id="child.name" label="Child's full name" value=field(|d| &d.child_name) on_input=setter!(child_name) error=error_for(errors, "child.name") />
                <TextInput id="child.date_of_birth" label="Date of birth (if known)" kind="date" value=field(|d| &d.date_of_birth) on_input=setter!(date_of_birth) error=error_for(errors, "child.date_of_birth") />
                <TextArea id="child.address" label="Address (if known)" value=field(|d| &d.address) on_input=setter!(address) error=error_for(errors, "child.address") />
                <Checkboxes
                    id="child.status"
                    legend="Does the child have a plan?"
                    options=vec![
                        ("child_protection_plan".to_owned(), "Child protection plan".to_owned()),
                        ("in_care".to_owned(), "Looked after (in care)".to_owned()),
                    ]
                    values=Signal::derive(move || draft.with(|d| {
                        let mut v = Vec::new();
                        if d.child_protection_plan { v.push("child_protection_plan".to_owned()); }
                        if d.in_care { v.push("in_care".to_owned()); }
                        v
                    }))
                    on_toggle=Callback::new(move |(option, on): (String, bool)| draft.update(|d| {
                        if option == "in_care" { d.in_care = on } else { d.child_protection_plan = on }
                    }))
                />
            })}
            <h2 class="govuk-heading-m">"The concern"</h2>
            {(!levels.is_empty()).then(|| view! {
                <Radios
                    id="concern.level_of_need"
                    legend="Level of need"
                    options=levels.clone()
                    value=field(|d| &d.level_of_need)
                    on_change=setter!(level_of_need)
                    error=error_for(errors, "concern.level_of_need")
                    small=true
                />
            })}
            {if open_reasons {
                view! {
                    <TextInput id="concern.other_reason" label="Reason for the escalation (optional)" hint="The procedure lists no reasons: say why in a few words." value=field(|d| &d.other_reason) on_input=setter!(other_reason) error=error_for(errors, "concern.other_reason") />
                }.into_any()
            } else {
                view! {
                    <Checkboxes
                        id="concern.reasons"
                        legend="Reason for the escalation"
                        hint="Choose all that apply."
                        options=reasons
                        values=Signal::derive(move || draft.with(|d| d.reasons.clone()))
                        on_toggle=toggle(|d| &mut d.reasons)
                        error=error_for(errors, "concern.reasons")
                    />
                    {move || draft.with(|d| d.reasons.iter().any(|r| r == "other")).then(|| view! {
                        <TextInput id="concern.other_reason" label="The other reason" value=field(|d| &d.other_reason) on_input=setter!(other_reason) error=error_for(errors, "concern.other_reason") />
                    })}
                }.into_any()
            }}
            <TextArea id="concern.summary" label="What is the concern?" hint="The decision, action or inaction you disagree with, and why it does not keep the child safe." value=field(|d| &d.summary) on_input=setter!(summary) error=error_for(errors, "concern.summary") />
            <TextArea id="concern.tried" label="What has been tried to resolve it?" value=field(|d| &d.tried) on_input=setter!(tried) error=error_for(errors, "concern.tried") />
            <TextArea id="concern.desired_outcome" label="What outcome do you want?" value=field(|d| &d.desired_outcome) on_input=setter!(desired_outcome) error=error_for(errors, "concern.desired_outcome") />
            {stated_from.map(|from| view! {
                <TextInput
                    id="meeting_at"
                    label=format!("When did {from} take place?")
                    hint="The timescale runs from it. UK time, for example 05/01/2027 10:00."
                    kind="datetime-local"
                    value=field(|d| &d.meeting_at)
                    on_input=setter!(meeting_at)
                    error=error_for(errors, "meeting_at")
                />
            })}
            {may_shorten.then(|| view! {
                <fieldset class="govuk-fieldset" aria-describedby="shorter_timescale-hint">
                    <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">"A shorter timescale for this case (optional)"</legend>
                    <div id="shorter_timescale-hint" class="govuk-hint">
                        {format!("Only where specific immediate safeguarding concerns are identified: the procedure sets {standard}, and your role may set less.")}
                    </div>
                    <TextInput id="shorter_timescale" label="How many" value=field(|d| &d.shorter_count) on_input=setter!(shorter_count) error=error_for(errors, "shorter_timescale") />
                    <Select
                        id="shorter_timescale.unit"
                        label="Of what"
                        options=vec![
                            ("hours".to_owned(), "Hours".to_owned()),
                            ("working_days".to_owned(), "Working days".to_owned()),
                            ("calendar_days".to_owned(), "Calendar days".to_owned()),
                        ]
                        value=field(|d| &d.shorter_unit)
                        on_change=setter!(shorter_unit)
                    />
                </fieldset>
            })}
            {move || (!duplicates.get().is_empty()).then(|| view! {
                <Checkboxes
                    id="duplicate_acknowledged"
                    legend="An escalation about this child with this agency is already open"
                    hint=format!("Open: case {}. Raise another only if this is a different disagreement.", duplicates.get().join(", case "))
                    options=vec![("yes".to_owned(), "I have checked, and this is a different disagreement".to_owned())]
                    values=Signal::derive(move || if draft.with(|d| d.duplicate_acknowledged) { vec!["yes".to_owned()] } else { vec![] })
                    on_toggle=Callback::new(move |(_, on): (String, bool)| draft.update(|d| d.duplicate_acknowledged = on))
                />
            })}
            {move || preview().map(|p| view! {
                <div class="govuk-inset-text" id="due-preview">
                    <h2 class="govuk-heading-s">"When the first step is due"</h2>
                    <p class="govuk-body" id="due-preview-text">{p}</p>
                </div>
            })}
            <button type="submit" class="govuk-button" prop:disabled=move || pending.get()>
                "Raise the escalation"
            </button>
        </form>
    }
}
