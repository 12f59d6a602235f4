//! Erasure at the end of the partnership's retention period: a closed case keeps its ids,
//! dates, stages, reasons, outcomes and clocks — what the partnership's figures are made of —
//! and loses the child's details and every word a person typed about it. The chronology
//! never held either, so it is kept whole: erasure is itself a change with its own event.

use chrono::{DateTime, Utc};

use super::transitions::Builder;
use super::{AgreedAction, Case, Contact, EventKind, Outcome, Status, Transition};
use crate::forms::FormValues;
use crate::ids::Text;
use crate::partnership::Retention;

/// What erased words read as.
pub const ERASED: &str = "[erased]";

fn erased() -> Text {
    Text::parse(ERASED).expect("a valid text")
}

fn erase_text(text: &mut Text) {
    *text = erased();
}

fn erase_optional(text: &mut Option<Text>) {
    if let Some(text) = text {
        erase_text(text);
    }
}

fn erase_contact(contact: &mut Option<Contact>) {
    if let Some(contact) = contact {
        erase_text(&mut contact.with_role);
    }
}

fn erase_actions(actions: &mut [AgreedAction]) {
    for action in actions {
        erase_text(&mut action.what);
        erase_optional(&mut action.owner_person);
    }
}

impl Case {
    /// Whether the retention period has ended for this case at `now`: closed, not yet
    /// erased, and its last change at least the period ago.
    pub fn erasable(&self, retention: &Retention, now: DateTime<Utc>) -> bool {
        !self.status.is_open()
            && self.erased_at.is_none()
            && self.updated_at <= retention.closed_on_or_before(now)
    }

    /// The case with the child's details and every typed word erased, recorded as `erased`.
    /// `None` when its retention period has not ended at `now` (open, changed since, or
    /// already erased): running it twice changes nothing.
    pub fn erase(&self, retention: &Retention, now: DateTime<Utc>) -> Option<Transition> {
        if !self.erasable(retention, now) {
            return None;
        }
        let mut b = Builder::new(self.clone(), None, now);
        let case = &mut b.case;
        if let Some(child) = &mut case.child {
            erase_text(&mut child.name);
            child.date_of_birth = None;
            child.address = None;
        }
        // The child's keyed hash would still tell someone holding the partnership's secret
        // that a case about a named child existed.
        case.child_key = None;
        let concern = &mut case.concern;
        erase_text(&mut concern.summary);
        erase_optional(&mut concern.other_reason);
        erase_optional(&mut concern.desired_outcome);
        erase_optional(&mut concern.tried);
        for response in &mut case.responses {
            match &mut response.outcome {
                Outcome::Resolved {
                    summary,
                    agreed_actions,
                } => {
                    erase_text(summary);
                    erase_actions(agreed_actions);
                }
                Outcome::NotResolved {
                    reasons,
                    agreed_actions,
                } => {
                    erase_text(reasons);
                    erase_actions(agreed_actions);
                }
            }
            erase_contact(&mut response.contact);
        }
        for escalation in &mut case.escalations {
            erase_text(&mut escalation.reasons);
            erase_optional(&mut escalation.tried);
            erase_contact(&mut escalation.contact);
        }
        match &mut case.status {
            Status::Open => {}
            Status::Resolved {
                outcome,
                lessons_learned,
                agreed_actions,
                ..
            } => {
                erase_text(outcome);
                erase_text(lessons_learned);
                erase_actions(agreed_actions);
            }
            Status::Withdrawn { reason, .. } => erase_text(reason),
        }
        // A form's values may name, describe or date the child: which form was recorded,
        // where, when and by whom stays; what it said goes.
        for record in &mut case.forms {
            record.values = FormValues::default();
        }
        case.erased_at = Some(now);
        b.event(EventKind::Erased {
            kept_for_years: retention.closed_cases_kept_for_years(),
        });
        Some(b.done())
    }
}
