//! GOV.UK Design System patterns as components: error summary, labelled inputs with hints and
//! error messages, radios, checkboxes, tags, headings that take focus on a new page.

use escalations_wire::FieldError;
use leptos::html;
use leptos::prelude::*;

/// The document's title: "<page> – Escalations".
pub fn set_title(page: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{page} – Escalations"));
    }
}

/// Moves keyboard focus to the element with this id (an error summary's link, a heading).
pub fn focus_id(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
        element.scroll_into_view();
    }
}

/// The error message for one field, from the server's list of bad fields.
pub fn error_for(errors: RwSignal<Vec<FieldError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || {
        errors.with(|list| {
            list.iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone())
        })
    })
}

/// The page's heading, which takes focus when the page opens so a screen reader announces
/// where the person is.
#[component]
pub fn PageHeading(
    #[prop(into)] text: Signal<String>,
    #[prop(optional, into)] caption: Option<Signal<String>>,
) -> impl IntoView {
    let heading = NodeRef::<html::H1>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    view! {
        {caption.map(|c| view! { <span class="govuk-caption-l">{move || c.get()}</span> })}
        <h1 class="govuk-heading-l" tabindex="-1" node_ref=heading>{move || text.get()}</h1>
    }
}

/// "There is a problem": every bad field, each a link that moves focus to the field. Takes
/// focus itself when it appears.
#[component]
pub fn ErrorSummary(errors: RwSignal<Vec<FieldError>>) -> impl IntoView {
    let summary = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        if !errors.with(Vec::is_empty)
            && let Some(s) = summary.get()
        {
            let _ = s.focus();
            s.scroll_into_view();
        }
    });
    move || {
        let list = errors.get();
        (!list.is_empty()).then(|| {
            view! {
                <div class="govuk-error-summary" tabindex="-1" node_ref=summary>
                    <div role="alert">
                        <h2 class="govuk-error-summary__title">"There is a problem"</h2>
                        <div class="govuk-error-summary__body">
                            <ul class="govuk-list govuk-error-summary__list">
                                {list
                                    .into_iter()
                                    .map(|e| {
                                        let target = e.field.clone();
                                        view! {
                                            <li>
                                                <a
                                                    href=format!("#{}", e.field)
                                                    on:click=move |ev| {
                                                        ev.prevent_default();
                                                        focus_id(&target);
                                                    }
                                                >
                                                    {e.message}
                                                </a>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </div>
                    </div>
                </div>
            }
        })
    }
}

/// A refusal that is not about one field (a 403, a 409, a lost connection), in words.
#[component]
pub fn Problem(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! {
                <div class="govuk-error-summary" role="alert" tabindex="-1">
                    <h2 class="govuk-error-summary__title">"There is a problem"</h2>
                    <div class="govuk-error-summary__body"><p class="govuk-body">{m}</p></div>
                </div>
            }
        })
    }
}

#[component]
pub fn Banner(
    #[prop(into)] title: String,
    #[prop(into)] text: String,
    #[prop(optional)] success: bool,
) -> impl IntoView {
    let class = if success {
        "govuk-notification-banner govuk-notification-banner--success"
    } else {
        "govuk-notification-banner"
    };
    view! {
        <div class=class role="region" aria-labelledby="banner-title">
            <div class="govuk-notification-banner__header">
                <h2 class="govuk-notification-banner__title" id="banner-title">{title}</h2>
            </div>
            <div class="govuk-notification-banner__content">
                <p class="govuk-notification-banner__heading">{text}</p>
            </div>
        </div>
    }
}

/// A form group's class: red-edged while its field is in error.
fn group_class(error: Signal<Option<String>>) -> impl Fn() -> &'static str + Send + Sync + 'static {
    move || {
        if error.get().is_some() {
            "govuk-form-group govuk-form-group--error"
        } else {
            "govuk-form-group"
        }
    }
}

fn hint_view(id: &str, hint: Option<String>) -> impl IntoView + use<> {
    hint.map(|h| view! { <div id=format!("{id}-hint") class="govuk-hint">{h}</div> })
}

fn described_by(id: &str, hint: bool, error: bool) -> Option<String> {
    let mut parts = Vec::new();
    if hint {
        parts.push(format!("{id}-hint"));
    }
    if error {
        parts.push(format!("{id}-error"));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[component]
fn ErrorMessage(id: String, error: Signal<Option<String>>) -> impl IntoView {
    move || {
        error.get().map(|m| {
            view! {
                <p id=format!("{id}-error") class="govuk-error-message">
                    <span class="govuk-visually-hidden">"Error: "</span>
                    {m}
                </p>
            }
        })
    }
}

/// A text input (`kind` "text", "date", "datetime-local", "email") with its label.
#[component]
pub fn TextInput(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] kind: Option<&'static str>,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] on_input: Callback<String>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let has_hint = hint.is_some();
    let (id2, id3) = (id.clone(), id.clone());
    view! {
        <div class=group_class(error)>
            <label class="govuk-label govuk-label--s" for=id.clone()>{label}</label>
            {hint_view(&id, hint)}
            <ErrorMessage id=id2 error=error />
            <input
                class=move || if error.get().is_some() { "govuk-input govuk-input--error" } else { "govuk-input" }
                id=id3.clone()
                name=id3.clone()
                type=kind.unwrap_or("text")
                step=(kind == Some("datetime-local")).then_some("1")
                aria-describedby=move || described_by(&id3, has_hint, error.get().is_some())
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
            />
        </div>
    }
}

#[component]
pub fn TextArea(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] on_input: Callback<String>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let has_hint = hint.is_some();
    let (id2, id3) = (id.clone(), id.clone());
    view! {
        <div class=group_class(error)>
            <label class="govuk-label govuk-label--s" for=id.clone()>{label}</label>
            {hint_view(&id, hint)}
            <ErrorMessage id=id2 error=error />
            <textarea
                class=move || if error.get().is_some() { "govuk-textarea govuk-textarea--error" } else { "govuk-textarea" }
                id=id3.clone()
                name=id3.clone()
                rows="4"
                aria-describedby=move || described_by(&id3, has_hint, error.get().is_some())
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
            ></textarea>
        </div>
    }
}

/// One choice of several; the first option's input carries the field's id, so an error
/// summary's link lands on it.
#[component]
pub fn Radios(
    #[prop(into)] id: String,
    #[prop(into)] legend: String,
    #[prop(optional, into)] hint: Option<String>,
    options: Vec<(String, String)>,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] on_change: Callback<String>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
    #[prop(optional)] small: bool,
) -> impl IntoView {
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let has_hint = hint.is_some();
    let (id2, id3) = (id.clone(), id.clone());
    let name = id.clone();
    let class = if small {
        "govuk-radios govuk-radios--small"
    } else {
        "govuk-radios"
    };
    view! {
        <div class=group_class(error)>
            <fieldset class="govuk-fieldset" aria-describedby=move || described_by(&id3, has_hint, error.get().is_some())>
                <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>
                {hint_view(&id, hint)}
                <ErrorMessage id=id2 error=error />
                <div class=class>
                    {options
                        .into_iter()
                        .enumerate()
                        .map(|(i, (option, label))| {
                            let input_id = if i == 0 { id.clone() } else { format!("{id}-{}", i + 1) };
                            let (o1, o2) = (option.clone(), option.clone());
                            view! {
                                <div class="govuk-radios__item">
                                    <input
                                        class="govuk-radios__input"
                                        id=input_id.clone()
                                        name=name.clone()
                                        type="radio"
                                        value=option
                                        prop:checked=move || value.get() == o1
                                        on:change=move |_| on_change.run(o2.clone())
                                    />
                                    <label class="govuk-label govuk-radios__label" for=input_id>{label}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

/// Any number of choices; the first option's input carries the field's id.
#[component]
pub fn Checkboxes(
    #[prop(into)] id: String,
    #[prop(into)] legend: String,
    #[prop(optional, into)] hint: Option<String>,
    options: Vec<(String, String)>,
    #[prop(into)] values: Signal<Vec<String>>,
    /// (option, ticked)
    #[prop(into)]
    on_toggle: Callback<(String, bool)>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let has_hint = hint.is_some();
    let (id2, id3) = (id.clone(), id.clone());
    let name = id.clone();
    view! {
        <div class=group_class(error)>
            <fieldset class="govuk-fieldset" aria-describedby=move || described_by(&id3, has_hint, error.get().is_some())>
                <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>
                {hint_view(&id, hint)}
                <ErrorMessage id=id2 error=error />
                <div class="govuk-checkboxes govuk-checkboxes--small">
                    {options
                        .into_iter()
                        .enumerate()
                        .map(|(i, (option, label))| {
                            let input_id = if i == 0 { id.clone() } else { format!("{id}-{}", i + 1) };
                            let (o1, o2) = (option.clone(), option.clone());
                            view! {
                                <div class="govuk-checkboxes__item">
                                    <input
                                        class="govuk-checkboxes__input"
                                        id=input_id.clone()
                                        name=name.clone()
                                        type="checkbox"
                                        value=option
                                        prop:checked=move || values.with(|v| v.contains(&o1))
                                        on:change=move |ev| on_toggle.run((o2.clone(), event_target_checked(&ev)))
                                    />
                                    <label class="govuk-label govuk-checkboxes__label" for=input_id>{label}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

#[component]
pub fn Select(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    options: Vec<(String, String)>,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] on_change: Callback<String>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let has_hint = hint.is_some();
    let (id2, id3) = (id.clone(), id.clone());
    view! {
        <div class=group_class(error)>
            <label class="govuk-label govuk-label--s" for=id.clone()>{label}</label>
            {hint_view(&id, hint)}
            <ErrorMessage id=id2 error=error />
            <select
                class=move || if error.get().is_some() { "govuk-select govuk-select--error" } else { "govuk-select" }
                id=id3.clone()
                name=id3.clone()
                aria-describedby=move || described_by(&id3, has_hint, error.get().is_some())
                prop:value=move || value.get()
                on:change=move |ev| on_change.run(event_target_value(&ev))
            >
                <option value="">"Choose one"</option>
                {options
                    .into_iter()
                    .map(|(option, text)| {
                        let o = option.clone();
                        view! { <option value=option selected=move || value.get() == o>{text}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// A status tag in words (colour is never the only signal).
#[component]
pub fn Tag(
    #[prop(into)] text: String,
    #[prop(optional)] colour: Option<&'static str>,
) -> impl IntoView {
    let class = match colour {
        Some(c) => format!("govuk-tag govuk-tag--{c}"),
        None => "govuk-tag".to_owned(),
    };
    view! { <strong class=class>{text}</strong> }
}
