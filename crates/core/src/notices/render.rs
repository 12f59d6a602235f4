//! The words of a notice: a subject, a plain-text part and an HTML part, from the plan, the
//! procedure's names and the partnership's. Nothing here can reach the child's details or
//! anything a person typed: a plan carries ids, instants and addresses only.

use chrono::{DateTime, Utc};

use crate::partnership::PartnershipConfig;
use crate::procedure::{Procedure, Stage};

use super::plan::{Audience, NoticeKind, NoticePlan};

/// A notice ready for the mail port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// "by end of Tuesday 29 December 2026" for a clock due at local midnight (the end of the
/// day before), "by 14:30 on Wednesday 30 December 2026" otherwise.
pub fn by_when_words(due: DateTime<Utc>) -> String {
    format!("by {}", crate::words::due_words(due))
}

/// The notice in words. `base_url` is the web page's (no trailing slash); the link is to the
/// case page.
pub fn render(
    plan: &NoticePlan,
    procedure: &Procedure,
    config: &PartnershipConfig,
    base_url: &str,
) -> Rendered {
    let stage = plan.kind.stage().and_then(|s| procedure.stage(s.as_str()));
    let stage_name = stage.map_or_else(String::new, |s| s.name.clone());
    let link = format!("{}/cases/{}", base_url.trim_end_matches('/'), plan.case);
    let reference = format!("Case {}", plan.case);

    let (headline, asked) = words(plan, procedure, stage);
    let subject = format!("{reference}: {headline}");

    let mut facts: Vec<(&str, String)> = vec![
        ("Case", plan.case.to_string()),
        ("Partnership", config.name.clone()),
        ("Procedure", procedure.name.clone()),
    ];
    if !stage_name.is_empty() {
        facts.push(("Stage", stage_name));
    }
    if let Some((task, by_when)) = &asked {
        facts.push(("What is asked", task.clone()));
        if let Some(by_when) = by_when {
            facts.push(("By when", by_when.clone()));
        }
    }
    let why = why_you(plan);
    let privacy = "This notice carries no details of the child and nothing anyone wrote on \
                   the case: sign in to read the case.";

    let sentence = capitalised(&headline);
    let mut text = format!("{sentence}.\n\n");
    for (label, value) in &facts {
        text.push_str(&format!("{label}: {value}\n"));
    }
    text.push_str(&format!("\nOpen the case: {link}\n\n{why}\n{privacy}\n"));

    let mut html = format!(
        "<!DOCTYPE html><html lang=\"en\"><body><p>{}.</p><table>",
        escape(&sentence)
    );
    for (label, value) in &facts {
        html.push_str(&format!(
            "<tr><th scope=\"row\" style=\"text-align:left\">{}</th><td>{}</td></tr>",
            escape(label),
            escape(value)
        ));
    }
    html.push_str(&format!(
        "</table><p><a href=\"{}\">Open the case</a></p><p>{}</p><p>{}</p></body></html>",
        escape(&link),
        escape(&why),
        escape(privacy)
    ));
    Rendered {
        subject,
        text,
        html,
    }
}

/// The headline, and what is asked with its due instant in words where the notice asks
/// something.
fn words(
    plan: &NoticePlan,
    procedure: &Procedure,
    stage: Option<&Stage>,
) -> (String, Option<(String, Option<String>)>) {
    let clock_task = |clock: &str| {
        stage
            .and_then(|s| s.clock(clock))
            .map(|c| format!("{} — {}", c.task, c.who))
            .unwrap_or_default()
    };
    let stage_task = || {
        stage
            .map(|s| format!("A response from {}", s.asked.role))
            .unwrap_or_default()
    };
    match &plan.kind {
        NoticeKind::Raised { .. } => (
            "an escalation was raised".into(),
            (plan.audience == Audience::Asked).then(|| (stage_task(), None)),
        ),
        NoticeKind::Escalated { .. } => (
            "the escalation moved to a new stage".into(),
            (plan.audience == Audience::Asked).then(|| (stage_task(), None)),
        ),
        NoticeKind::Submitted { .. } => ("a submission was recorded".into(), None),
        NoticeKind::ClockStarted { clock, due, .. } => (
            format!("you are asked to act {}", by_when_words(*due)),
            Some((clock_task(clock.as_str()), Some(by_when_words(*due)))),
        ),
        NoticeKind::Responded { resolved, .. } => (
            if *resolved {
                "a response was recorded: resolved".into()
            } else {
                "a response was recorded: not resolved".into()
            },
            None,
        ),
        NoticeKind::FormRecorded { form, .. } => (
            format!(
                "{} was recorded",
                procedure
                    .form(form)
                    .map_or_else(|| form.to_string(), |f| f.title.clone())
            ),
            None,
        ),
        NoticeKind::Resolved { .. } => ("the escalation was resolved and closed".into(), None),
        NoticeKind::Withdrawn { .. } => ("the escalation was withdrawn and closed".into(), None),
        NoticeKind::Reminder { clock, due, .. } => (
            format!("reminder: due {}", by_when_words(*due)),
            Some((clock_task(clock.as_str()), Some(by_when_words(*due)))),
        ),
        NoticeKind::Overdue { clock, due, .. } => (
            format!("overdue: it was due {}", by_when_words(*due)),
            Some((clock_task(clock.as_str()), Some(by_when_words(*due)))),
        ),
        NoticeKind::Unanswered { clock, due, .. } => (
            format!(
                "a breached timescale is still unanswered (it was due {})",
                by_when_words(*due)
            ),
            Some((clock_task(clock.as_str()), Some(by_when_words(*due)))),
        ),
        NoticeKind::ActionDue { action, by_when } => {
            let end = crate::timescale::end_of_local_day(*by_when);
            let words = end.map(by_when_words).unwrap_or_default();
            (
                format!("an agreed action ({action}) your agency owns is due {words}"),
                Some((format!("Agreed action {action}"), Some(words))),
            )
        }
    }
}

/// Why this person or mailbox is getting it.
fn why_you(plan: &NoticePlan) -> String {
    match plan.audience {
        Audience::Asked => "You are getting this because you, or your agency, are asked to act on this case.".into(),
        Audience::Raiser => "You are getting this because you, or your agency, raised this escalation or decide on it.".into(),
        Audience::Involved => "You are getting this because you were involved in this escalation.".into(),
        Audience::Copy => "The procedure asks for a copy of the escalation and any response to be sent to this mailbox for recording. This notice stands in for that copy: it gives the reference, the stage and a link, and the case itself is read by signing in.".into(),
        Audience::Informed => format!(
            "You are getting this as {}, whom the procedure says is told at this stage.",
            plan.who.as_deref().unwrap_or("someone the procedure names")
        ),
        Audience::NextLine => "You are getting this as the next line of management (or the partnership's chair): the timescale was breached and nobody has acted since.".into(),
        Audience::ActionOwner => "You are getting this because your agency owns an action agreed on this case.".into(),
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
