//! Whose move it is in a case, what would move it on, by when — and the same in words.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Case;
use crate::ids::{ClockId, StageId};
use crate::procedure::{Action, Party, Procedure};

/// What happens next in a case, and by when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextMove {
    pub stage: StageId,
    pub party: Party,
    /// Who on that side, in the procedure's words.
    pub who: String,
    /// What is expected, in the procedure's words.
    pub task: String,
    /// The actions that would move the case on.
    pub actions: Vec<Action>,
    pub clock: Option<ClockId>,
    pub due: Option<DateTime<Utc>>,
}

impl NextMove {
    /// The next move while a clock runs: its owner must do its task by its due time. A case's
    /// list entry carries its running clock, so a work queue needs no whole case for this.
    pub fn while_clock_runs(
        procedure: &Procedure,
        stage: &StageId,
        clock: &ClockId,
        owner: Party,
        due: DateTime<Utc>,
    ) -> Option<NextMove> {
        let stage = procedure.stage(stage.as_str())?;
        let clock = stage.clock(clock.as_str())?;
        Some(NextMove {
            stage: stage.id.clone(),
            party: owner,
            who: clock.who.clone(),
            task: clock.task.clone(),
            actions: vec![clock.action],
            clock: Some(clock.id.clone()),
            due: Some(due),
        })
    }

    /// Whose move it can be at an open case's stage when no clock runs: the side asked at a
    /// stage without clocks, or the side that decides what happens next. Anyone on neither
    /// side has nothing to do, whatever the rest of the case says.
    pub fn parties_without_clock(procedure: &Procedure, stage: &StageId) -> Vec<Party> {
        let mut parties = vec![Case::deciding_party(procedure)];
        if let Some(stage) = procedure.stage(stage.as_str())
            && stage.clocks.is_empty()
        {
            parties.push(stage.asked.party);
        }
        parties
    }
}

impl Case {
    /// The side that decides to escalate or resolve (the procedure's `deciding_party`).
    pub fn deciding_party(procedure: &Procedure) -> Party {
        procedure.deciding_party
    }

    /// Whose move it is, and by when. `None` once the case is closed.
    pub fn next_move(&self, procedure: &Procedure) -> Option<NextMove> {
        if !self.status.is_open() {
            return None;
        }
        let stage = procedure.stage(self.stage.as_str())?;
        if let Some(run) = self.running_clock() {
            return NextMove::while_clock_runs(
                procedure, &stage.id, &run.clock, run.owner, run.due,
            );
        }
        let waiting = self.agencies_yet_to_answer(stage);
        if !waiting.is_empty() {
            let agencies: Vec<&str> = waiting.iter().map(|a| a.as_str()).collect();
            return Some(NextMove {
                stage: stage.id.clone(),
                party: stage.asked.party,
                who: format!("{}, for {}", stage.asked.role, agencies.join(", ")),
                task:
                    "Consider the alert and respond on behalf of your agency (no timescale is set)"
                        .to_owned(),
                actions: vec![Action::Respond],
                clock: None,
                due: None,
            });
        }
        let responded_here = self.responses.iter().any(|r| r.stage == stage.id);
        if stage.clocks.is_empty() && !responded_here && !stage.asked.each_agency {
            return Some(NextMove {
                stage: stage.id.clone(),
                party: stage.asked.party,
                who: stage.asked.role.clone(),
                task: "Consider the escalation and respond (no timescale is set)".to_owned(),
                actions: vec![Action::Respond],
                clock: None,
                due: None,
            });
        }
        let is_last = procedure.stages.last().is_some_and(|s| s.id == stage.id);
        let party = Case::deciding_party(procedure);
        Some(NextMove {
            stage: stage.id.clone(),
            party,
            who: match party {
                Party::Partnership => "The chair".to_owned(),
                _ => "The professional who raised the escalation, with their manager".to_owned(),
            },
            task: if is_last {
                "Record the outcome and lessons learned".to_owned()
            } else {
                "Decide: resolve the case, or escalate to the next stage".to_owned()
            },
            actions: if is_last {
                vec![Action::Resolve]
            } else {
                vec![Action::Escalate, Action::Resolve]
            },
            clock: None,
            due: None,
        })
    }
}

/// Formats an instant for a practitioner: local date and time in the partnership's zone.
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&crate::timescale::ZONE)
        .format("%a %-d %b %Y %H:%M")
        .to_string()
}

/// The words with a lower-case first letter, for use mid-sentence — unless they start with an
/// acronym ("MSCP Executive", "CSWO"), which keeps its capitals.
pub fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) if !chars.clone().next().is_some_and(char::is_uppercase) => {
            first.to_lowercase().chain(chars).collect()
        }
        Some(_) => s.to_owned(),
        None => String::new(),
    }
}

/// "The other agency's head of service (the agency the escalation is about) must give a
/// mutually agreeable plan of action by Wed 30 Dec 2026 00:00".
pub fn describe_move(next: &NextMove) -> String {
    let verbs: Vec<&str> = next.actions.iter().map(|a| a.verb()).collect();
    let by_when = next
        .due
        .map(|due| format!(", due by {}", local_time(due)))
        .unwrap_or_default();
    format!(
        "at {} the next step is for {} ({}) to {}: {}{by_when}",
        next.stage,
        lowercase_first(&next.who),
        next.party.describe(),
        verbs.join(" or "),
        lowercase_first(&next.task),
    )
}

#[cfg(test)]
mod tests {
    use super::lowercase_first;

    /// Issue 9: next-move text rendered "mSCP Executive", lower-casing an acronym.
    #[test]
    fn mid_sentence_words_lose_their_capital_but_acronyms_keep_theirs() {
        assert_eq!(
            lowercase_first("The other agency's manager"),
            "the other agency's manager"
        );
        assert_eq!(lowercase_first("MSCP Executive"), "MSCP Executive");
        assert_eq!(lowercase_first("CSWO"), "CSWO");
        assert_eq!(lowercase_first("A manager"), "a manager");
        assert_eq!(lowercase_first(""), "");
    }
}
