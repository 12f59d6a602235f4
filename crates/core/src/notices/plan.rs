//! What a change to a case must tell whom, and when: read from the procedure's stages (who is
//! asked, `copy`, `inform`, clocks) and the partnership's configuration (people, levels,
//! mailboxes, working hours), never from a procedure's id.
//!
//! Every notice comes from one change (a transition):
//! - a person's action: notices go at once (`not_before` = now);
//! - a clock started: its reminder, overdue and unanswered-breach notices are planned now, each
//!   for its instant within working hours, and dropped when sent if the clock was met first;
//! - agreed actions: their owners are reminded on the last working day up to the due date.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::case::{Case, EventKind, Level, Role, Transition};
use crate::ids::{ActionId, AgencyId, CaseId, ClockId, MailboxId, PersonId, ProcedureId, StageId};
use crate::partnership::{EmailAddress, PartnershipConfig};
use crate::procedure::{InformWhen, Party, Procedure, Stage};
use crate::timescale::{Timescale, end_of_local_day};

use super::NoticeSettings;

/// What a plan needs to know besides the change.
pub struct NoticeContext<'a> {
    pub procedure: &'a Procedure,
    pub config: &'a PartnershipConfig,
    pub calendar: &'a Calendar,
}

impl NoticeContext<'_> {
    fn settings(&self) -> &NoticeSettings {
        &self.config.notices
    }
}

/// Who caused the change: a person (their notices go at once, and never to themselves) or the
/// sweeper (its notices go within working hours).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger<'a> {
    Person(&'a PersonId),
    Sweeper,
}

/// Whom a notice is for, which decides its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    /// The side that must act.
    Asked,
    /// The raising side (and the partnership where it decides), told of a response.
    Raiser,
    /// Everyone involved, told the case closed.
    Involved,
    /// A mailbox the stage copies "for recording purposes".
    Copy,
    /// Someone the stage informs (the conference chair, the scrutineer, a second-tier manager).
    Informed,
    /// The next line of management and the partnership, told of a breach left unanswered.
    NextLine,
    /// The agency that owns an agreed action.
    ActionOwner,
}

impl Audience {
    pub fn name(self) -> &'static str {
        match self {
            Audience::Asked => "asked",
            Audience::Raiser => "raiser",
            Audience::Involved => "involved",
            Audience::Copy => "copy",
            Audience::Informed => "informed",
            Audience::NextLine => "next-line",
            Audience::ActionOwner => "action-owner",
        }
    }
}

/// What happened or is due: the subject of a notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum NoticeKind {
    /// The case was raised into `stage`.
    Raised {
        stage: StageId,
    },
    /// The case was escalated into `stage`.
    Escalated {
        from: StageId,
        stage: StageId,
    },
    /// Something was submitted at `stage` (a pro-forma, the meeting held).
    Submitted {
        stage: StageId,
    },
    /// A clock started: its owner is asked to act by `due`.
    ClockStarted {
        stage: StageId,
        clock: ClockId,
        due: DateTime<Utc>,
    },
    Responded {
        stage: StageId,
        resolved: bool,
    },
    /// A form was recorded at `stage` (Sefton's Report to SSCP).
    FormRecorded {
        stage: StageId,
        form: crate::ids::FormId,
    },
    Resolved {
        stage: StageId,
    },
    Withdrawn {
        stage: StageId,
    },
    /// Before a clock's due instant.
    Reminder {
        stage: StageId,
        clock: ClockId,
        due: DateTime<Utc>,
    },
    /// A clock's due instant has passed unmet.
    Overdue {
        stage: StageId,
        clock: ClockId,
        due: DateTime<Utc>,
    },
    /// A breach still unanswered after the partnership's grace.
    Unanswered {
        stage: StageId,
        clock: ClockId,
        due: DateTime<Utc>,
    },
    /// An agreed action falls due.
    ActionDue {
        action: ActionId,
        by_when: NaiveDate,
    },
}

impl NoticeKind {
    pub fn name(&self) -> &'static str {
        match self {
            NoticeKind::Raised { .. } => "raised",
            NoticeKind::Escalated { .. } => "escalated",
            NoticeKind::Submitted { .. } => "submitted",
            NoticeKind::ClockStarted { .. } => "clock-started",
            NoticeKind::Responded { .. } => "responded",
            NoticeKind::FormRecorded { .. } => "form-recorded",
            NoticeKind::Resolved { .. } => "resolved",
            NoticeKind::Withdrawn { .. } => "withdrawn",
            NoticeKind::Reminder { .. } => "reminder",
            NoticeKind::Overdue { .. } => "overdue",
            NoticeKind::Unanswered { .. } => "unanswered",
            NoticeKind::ActionDue { .. } => "action-due",
        }
    }

    /// The stage the notice is about, if any.
    pub fn stage(&self) -> Option<&StageId> {
        match self {
            NoticeKind::Raised { stage }
            | NoticeKind::Escalated { stage, .. }
            | NoticeKind::Submitted { stage }
            | NoticeKind::ClockStarted { stage, .. }
            | NoticeKind::Responded { stage, .. }
            | NoticeKind::FormRecorded { stage, .. }
            | NoticeKind::Resolved { stage }
            | NoticeKind::Withdrawn { stage }
            | NoticeKind::Reminder { stage, .. }
            | NoticeKind::Overdue { stage, .. }
            | NoticeKind::Unanswered { stage, .. } => Some(stage),
            NoticeKind::ActionDue { .. } => None,
        }
    }
}

/// One notice to send: kept (as JSON) with the change that planned it until it is sent. Ids,
/// instants and addresses only — never the child or anything a person typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticePlan {
    /// Unique within the case: the same key is sent at most once.
    pub key: String,
    pub case: CaseId,
    pub procedure: ProcedureId,
    pub kind: NoticeKind,
    pub audience: Audience,
    /// In the document's words, for `Informed` ("Child Protection Conference Chair").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub who: Option<String>,
    pub to: Vec<EmailAddress>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<EmailAddress>,
    pub not_before: DateTime<Utc>,
}

impl NoticePlan {
    /// Whether the notice still says something true when its time comes: a reminder, an
    /// overdue or an unanswered-breach notice only while its clock runs unmet, an action's
    /// reminder only while the action is open; an event's notice always.
    pub fn still_applies(&self, case: &Case) -> bool {
        match &self.kind {
            NoticeKind::Reminder { stage, clock, due }
            | NoticeKind::Overdue { stage, clock, due }
            | NoticeKind::Unanswered { stage, clock, due } => {
                case.status.is_open()
                    && case.clocks.iter().any(|run| {
                        run.is_running()
                            && &run.stage == stage
                            && &run.clock == clock
                            && &run.due == due
                    })
            }
            NoticeKind::ActionDue { action, by_when } => {
                !matches!(case.status, crate::case::Status::Withdrawn { .. })
                    && case.actions().iter().any(|planned| {
                        &planned.id() == action
                            && &planned.action.by_when == by_when
                            && planned.action.done.is_none()
                    })
            }
            _ => true,
        }
    }
}

/// Every notice `transition` calls for, by the procedure's and the partnership's data.
/// `before` is the case as it was (none for a raise); `now` the instant of the change.
pub fn plan_notices(
    context: &NoticeContext<'_>,
    before: Option<&Case>,
    transition: &Transition,
    trigger: Trigger<'_>,
    now: DateTime<Utc>,
) -> Vec<NoticePlan> {
    let case = &transition.case;
    let planner = Planner {
        context,
        case,
        trigger,
        at_once: match trigger {
            Trigger::Person(_) => now,
            Trigger::Sweeper => context
                .settings()
                .working_hours
                .next_open(context.calendar, now),
        },
        now,
    };
    let mut plans = Vec::new();
    let clock_started_in = |stage: &StageId| {
        transition
            .events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::ClockStarted { stage: s, .. } if s == stage))
    };
    for event in &transition.events {
        let event_key = format!(
            "ev/{}.{}/{}",
            event.version,
            event.seq,
            event_label(&event.kind)
        );
        match &event.kind {
            EventKind::Raised { stage } | EventKind::Escalated { to: stage, .. } => {
                let kind = match &event.kind {
                    EventKind::Escalated { from, to } => NoticeKind::Escalated {
                        from: from.clone(),
                        stage: to.clone(),
                    },
                    _ => NoticeKind::Raised {
                        stage: stage.clone(),
                    },
                };
                let Some(stage_def) = context.procedure.stage(stage.as_str()) else {
                    continue;
                };
                // A stage whose first clock starts now is asked through that clock's notice.
                if !clock_started_in(stage) {
                    let to = planner.side(stage_def, stage_def.asked.party);
                    plans.extend(planner.plan(
                        &event_key,
                        kind.clone(),
                        Audience::Asked,
                        None,
                        to,
                        vec![],
                        planner.at_once,
                    ));
                }
                plans.extend(planner.copies(&event_key, &kind, stage_def));
                plans.extend(planner.informs(&event_key, &kind, stage_def));
            }
            EventKind::ClockStarted {
                stage, clock, due, ..
            } => {
                let Some(stage_def) = context.procedure.stage(stage.as_str()) else {
                    continue;
                };
                let Some(clock_def) = stage_def.clock(clock.as_str()) else {
                    continue;
                };
                let owner = planner.side(stage_def, clock_def.owner);
                let kind = NoticeKind::ClockStarted {
                    stage: stage.clone(),
                    clock: clock.clone(),
                    due: *due,
                };
                plans.extend(planner.plan(
                    &event_key,
                    kind,
                    Audience::Asked,
                    None,
                    owner.clone(),
                    vec![],
                    planner.at_once,
                ));
                let started = case
                    .clocks
                    .iter()
                    .rev()
                    .find(|run| &run.stage == stage && &run.clock == clock && &run.due == due);
                let timescale = started
                    .and_then(|run| run.shortened_to)
                    .unwrap_or(clock_def.timescale);
                let started_at = started.map_or(event.at, |run| run.started_at);
                plans.extend(planner.clock_notices(
                    stage_def,
                    clock,
                    clock_def.owner,
                    owner,
                    timescale,
                    started_at,
                    *due,
                ));
            }
            // The owner was told of the clock when it started; a new due instant needs its
            // reminder, overdue and unanswered notices again (the old ones no longer apply).
            EventKind::ClockRescheduled {
                stage, clock, due, ..
            } => {
                let Some(stage_def) = context.procedure.stage(stage.as_str()) else {
                    continue;
                };
                let Some(clock_def) = stage_def.clock(clock.as_str()) else {
                    continue;
                };
                let Some(run) = case
                    .clocks
                    .iter()
                    .rev()
                    .find(|run| &run.stage == stage && &run.clock == clock && &run.due == due)
                else {
                    continue;
                };
                let owner = planner.side(stage_def, clock_def.owner);
                plans.extend(planner.clock_notices(
                    stage_def,
                    clock,
                    clock_def.owner,
                    owner,
                    run.shortened_to.unwrap_or(clock_def.timescale),
                    run.started_at,
                    *due,
                ));
            }
            EventKind::Submitted { stage } => {
                if let Some(stage_def) = context.procedure.stage(stage.as_str()) {
                    let kind = NoticeKind::Submitted {
                        stage: stage.clone(),
                    };
                    plans.extend(planner.copies(&event_key, &kind, stage_def));
                }
            }
            EventKind::Responded { stage, resolved } => {
                let Some(stage_def) = context.procedure.stage(stage.as_str()) else {
                    continue;
                };
                let kind = NoticeKind::Responded {
                    stage: stage.clone(),
                    resolved: *resolved,
                };
                let mut to = planner.side(stage_def, Party::Raising);
                if context.procedure.deciding_party == Party::Partnership {
                    to.extend(planner.side(stage_def, Party::Partnership));
                }
                plans.extend(planner.plan(
                    &event_key,
                    kind.clone(),
                    Audience::Raiser,
                    None,
                    to,
                    vec![],
                    planner.at_once,
                ));
                plans.extend(planner.copies(&event_key, &kind, stage_def));
                plans.extend(planner.informs(&event_key, &kind, stage_def));
            }
            EventKind::FormRecorded { stage, form } => {
                if let Some(stage_def) = context.procedure.stage(stage.as_str()) {
                    let kind = NoticeKind::FormRecorded {
                        stage: stage.clone(),
                        form: form.clone(),
                    };
                    plans.extend(planner.copies(&event_key, &kind, stage_def));
                }
            }
            EventKind::Resolved { stage } | EventKind::Withdrawn { stage } => {
                let Some(stage_def) = context.procedure.stage(stage.as_str()) else {
                    continue;
                };
                let kind = match &event.kind {
                    EventKind::Resolved { .. } => NoticeKind::Resolved {
                        stage: stage.clone(),
                    },
                    _ => NoticeKind::Withdrawn {
                        stage: stage.clone(),
                    },
                };
                let to = planner.everyone_involved(stage_def);
                plans.extend(planner.plan(
                    &event_key,
                    kind.clone(),
                    Audience::Involved,
                    None,
                    to,
                    vec![],
                    planner.at_once,
                ));
                plans.extend(planner.copies(&event_key, &kind, stage_def));
            }
            EventKind::ClockMet { .. }
            | EventKind::ClockStopped { .. }
            | EventKind::ClockBreached { .. }
            | EventKind::ActionDone { .. }
            | EventKind::Erased { .. } => {}
        }
    }
    plans.extend(planner.action_reminders(before));
    plans
}

struct Planner<'a> {
    context: &'a NoticeContext<'a>,
    case: &'a Case,
    trigger: Trigger<'a>,
    /// When a notice of the change itself goes.
    at_once: DateTime<Utc>,
    /// The instant of the change.
    now: DateTime<Utc>,
}

impl Planner<'_> {
    fn config(&self) -> &PartnershipConfig {
        self.context.config
    }

    /// A notice of the change itself, unless nobody is left to tell once the person who acted
    /// is taken out (no one is mailed about their own action) — then `None`.
    #[allow(clippy::too_many_arguments)]
    fn plan(
        &self,
        key: &str,
        kind: NoticeKind,
        audience: Audience,
        who: Option<String>,
        to: Vec<EmailAddress>,
        cc: Vec<EmailAddress>,
        not_before: DateTime<Utc>,
    ) -> Option<NoticePlan> {
        let actor = match self.trigger {
            Trigger::Person(person) => self.config().person(person).map(|p| p.email.clone()),
            Trigger::Sweeper => None,
        };
        self.plan_for(key, kind, audience, who, to, cc, not_before, actor.as_ref())
    }

    /// A notice for later (a reminder, a breach): the person who acted is told too.
    #[allow(clippy::too_many_arguments)]
    fn plan_later(
        &self,
        key: &str,
        kind: NoticeKind,
        audience: Audience,
        who: Option<String>,
        to: Vec<EmailAddress>,
        cc: Vec<EmailAddress>,
        not_before: DateTime<Utc>,
    ) -> Option<NoticePlan> {
        self.plan_for(key, kind, audience, who, to, cc, not_before, None)
    }

    #[allow(clippy::too_many_arguments)]
    fn plan_for(
        &self,
        key: &str,
        kind: NoticeKind,
        audience: Audience,
        who: Option<String>,
        to: Vec<EmailAddress>,
        cc: Vec<EmailAddress>,
        not_before: DateTime<Utc>,
        actor: Option<&EmailAddress>,
    ) -> Option<NoticePlan> {
        let mut to = dedup(to);
        to.retain(|a| Some(a) != actor);
        let mut cc = dedup(cc);
        cc.retain(|a| Some(a) != actor && !to.contains(a));
        if to.is_empty() {
            if cc.is_empty() {
                return None;
            }
            to = std::mem::take(&mut cc);
        }
        Some(NoticePlan {
            key: format!("{key}/{}", audience.name()),
            case: self.case.id.clone(),
            procedure: self.case.procedure.clone(),
            kind,
            audience,
            who,
            to,
            cc,
            not_before,
        })
    }

    fn email_of(&self, person: &PersonId) -> Option<EmailAddress> {
        self.config().person(person).map(|p| p.email.clone())
    }

    /// The agency's managers of the lowest level at or above `level` it has (its first line
    /// when no level is asked); with no level asked, its own inbox if it has one instead.
    fn agency_people(&self, agency: &AgencyId, level: Option<Level>) -> Vec<EmailAddress> {
        let inbox = self.config().agency(agency).and_then(|a| a.mailbox.clone());
        if level.is_none()
            && let Some(inbox) = inbox.clone()
        {
            return vec![inbox];
        }
        let floor = level.unwrap_or(Level::FirstLine);
        let managers = |l: Level| -> Vec<EmailAddress> {
            self.config()
                .people
                .iter()
                .filter(|p| &p.agency == agency && p.role == Role::Manager && p.level == Some(l))
                .map(|p| p.email.clone())
                .collect()
        };
        Level::ALL
            .into_iter()
            .filter(|l| *l >= floor)
            .map(managers)
            .find(|found| !found.is_empty())
            .or_else(|| inbox.map(|i| vec![i]))
            .unwrap_or_default()
    }

    fn chairs(&self) -> Vec<EmailAddress> {
        self.config()
            .people
            .iter()
            .filter(|p| p.role == Role::Chair)
            .map(|p| p.email.clone())
            .collect()
    }

    /// The agencies asked at a stage for the receiving side.
    fn receiving_agencies(&self, stage: &Stage) -> Vec<AgencyId> {
        if stage.asked.each_agency {
            self.case.agencies_asked.clone()
        } else {
            self.case.receiving_agency.iter().cloned().collect()
        }
    }

    /// The people on one side of the case at a stage.
    fn side(&self, stage: &Stage, party: Party) -> Vec<EmailAddress> {
        match party {
            Party::Raising => std::iter::once(&self.case.raised_by)
                .chain(self.case.escalations.iter().map(|e| &e.by))
                .filter_map(|p| self.email_of(p))
                .collect(),
            Party::Receiving => {
                let agencies = self.receiving_agencies(stage);
                let mut to: Vec<EmailAddress> = agencies
                    .iter()
                    .flat_map(|agency| self.agency_people(agency, stage.asked.level))
                    .collect();
                // Whoever answered for the agency before hears what is asked of it next.
                to.extend(
                    self.case
                        .responses
                        .iter()
                        .filter(|r| agencies.contains(&r.agency))
                        .filter_map(|r| self.email_of(&r.by)),
                );
                to
            }
            Party::Partnership => self.chairs(),
        }
    }

    fn everyone_involved(&self, stage: &Stage) -> Vec<EmailAddress> {
        let mut to: Vec<EmailAddress> = self
            .case
            .people_involved()
            .iter()
            .filter_map(|p| self.email_of(p))
            .collect();
        to.extend(self.side(stage, Party::Receiving));
        if self.context.procedure.deciding_party == Party::Partnership
            || stage.asked.party == Party::Partnership
        {
            to.extend(self.chairs());
        }
        to
    }

    /// The stage's `copy` mailboxes, one notice to them all.
    fn copies(&self, key: &str, kind: &NoticeKind, stage: &Stage) -> Option<NoticePlan> {
        let to = stage
            .copy
            .iter()
            .filter_map(|m| self.config().mailbox(m))
            .collect();
        self.plan(
            key,
            kind.clone(),
            Audience::Copy,
            None,
            to,
            vec![],
            self.at_once,
        )
    }

    /// The stage's `inform` entries whose condition the child meets, one notice each.
    fn informs(&self, key: &str, kind: &NoticeKind, stage: &Stage) -> Vec<NoticePlan> {
        let child = self.case.child.as_ref();
        stage
            .inform
            .iter()
            .enumerate()
            .filter(|(_, inform)| match inform.when {
                InformWhen::Always => true,
                InformWhen::ChildProtectionPlan => child.is_some_and(|c| c.child_protection_plan),
                InformWhen::InCare => child.is_some_and(|c| c.in_care),
            })
            .filter_map(|(i, inform)| {
                let to = if let Some(mailbox) = &inform.mailbox {
                    self.mailbox(mailbox)
                } else if let Some(level) = inform.level {
                    self.receiving_agencies(stage)
                        .iter()
                        .flat_map(|agency| self.agency_people(agency, Some(level)))
                        .collect()
                } else {
                    self.everyone_involved(stage)
                };
                self.plan(
                    &format!("{key}/{i}"),
                    kind.clone(),
                    Audience::Informed,
                    Some(inform.who.clone()),
                    to,
                    vec![],
                    self.at_once,
                )
            })
            .collect()
    }

    fn mailbox(&self, id: &MailboxId) -> Vec<EmailAddress> {
        self.config().mailbox(id).into_iter().collect()
    }

    /// A started clock's reminder, overdue notice and unanswered-breach notice.
    #[allow(clippy::too_many_arguments)]
    fn clock_notices(
        &self,
        stage: &Stage,
        clock: &ClockId,
        owner: Party,
        owner_people: Vec<EmailAddress>,
        timescale: Timescale,
        started_at: DateTime<Utc>,
        due: DateTime<Utc>,
    ) -> Vec<NoticePlan> {
        let settings = self.context.settings();
        let hours = settings.working_hours;
        let calendar = self.context.calendar;
        let key = format!("{}/{}/{}", stage.id, clock, due.format("%Y%m%dT%H%M%SZ"));
        let ids = (stage.id.clone(), clock.clone(), due);
        let mut plans = Vec::new();

        let reminder_at = match timescale {
            Timescale::Hours(_) => {
                let lead = (due - started_at) * i32::from(settings.reminder_percent) / 100;
                Some(hours.next_open(calendar, started_at + lead))
            }
            _ => hours.last_working_day_start(calendar, due),
        };
        // A clock that started in the past (a meeting before the raise) may already be past
        // its reminder: no reminder then, but it is overdue as soon as it is due.
        if let Some(at) = reminder_at.filter(|at| *at > started_at && *at > self.now && *at < due) {
            plans.extend(self.plan_later(
                &format!("reminder/{key}"),
                NoticeKind::Reminder {
                    stage: ids.0.clone(),
                    clock: ids.1.clone(),
                    due,
                },
                Audience::Asked,
                None,
                owner_people.clone(),
                vec![],
                at,
            ));
        }

        let copies: Vec<EmailAddress> = stage
            .copy
            .iter()
            .filter_map(|m| self.config().mailbox(m))
            .collect();
        let overdue_at = hours.next_open(calendar, due);
        plans.extend(self.plan_later(
            &format!("overdue/{key}"),
            NoticeKind::Overdue {
                stage: ids.0.clone(),
                clock: ids.1.clone(),
                due,
            },
            Audience::Asked,
            None,
            owner_people,
            copies.clone(),
            overdue_at,
        ));

        let grace = stage
            .clock(clock.as_str())
            .and_then(|c| c.unanswered_after_working_days)
            .unwrap_or(settings.unanswered_after_working_days);
        let unanswered_at = hours.working_days_after(calendar, overdue_at, grace);
        let next_line = self.next_line(stage, owner);
        let mut cc = self.chairs();
        cc.extend(copies);
        // A breach from before the change is not yet "unanswered": the change may answer it.
        if unanswered_at > self.now {
            plans.extend(self.plan_later(
                &format!("unanswered/{key}"),
                NoticeKind::Unanswered {
                    stage: ids.0,
                    clock: ids.1,
                    due,
                },
                Audience::NextLine,
                None,
                next_line,
                cc,
                unanswered_at,
            ));
        }
        plans
    }

    /// The next line of management above whoever must act: one level above the level the
    /// stage asks of the receiving agency, or above the raiser's own level on the raising
    /// side; the chair for the partnership.
    fn next_line(&self, stage: &Stage, owner: Party) -> Vec<EmailAddress> {
        match owner {
            Party::Receiving => {
                let above = stage
                    .asked
                    .level
                    .map_or(Some(Level::SecondLine), next_level);
                match above {
                    Some(level) => self
                        .receiving_agencies(stage)
                        .iter()
                        .flat_map(|agency| self.agency_people(agency, Some(level)))
                        .collect(),
                    None => self.chairs(),
                }
            }
            Party::Raising => {
                let raiser = self.config().person(&self.case.raised_by);
                let level = match raiser {
                    Some(person) if person.role == Role::Manager => {
                        person.level.map_or(Some(Level::SecondLine), next_level)
                    }
                    _ => Some(Level::FirstLine),
                };
                match (level, raiser) {
                    (Some(level), Some(person)) => self.agency_people(&person.agency, Some(level)),
                    _ => self.chairs(),
                }
            }
            Party::Partnership => self.chairs(),
        }
    }

    /// Reminders for agreed actions the change added: to the owner agency on the last
    /// working day up to the due date, unless that has already begun.
    fn action_reminders(&self, before: Option<&Case>) -> Vec<NoticePlan> {
        let known = before.map_or(0, |b| b.actions().len());
        let hours = self.context.settings().working_hours;
        self.case
            .actions()
            .into_iter()
            .skip(known)
            .filter_map(|planned| {
                let action = planned.action;
                let agency = action.owner_agency.as_ref()?;
                let end = end_of_local_day(action.by_when)?;
                let at = hours.last_working_day_start(self.context.calendar, end)?;
                if at <= planned.agreed_at {
                    return None;
                }
                let id = planned.id();
                self.plan_later(
                    &format!("action/{id}/{}", action.by_when),
                    NoticeKind::ActionDue {
                        action: id,
                        by_when: action.by_when,
                    },
                    Audience::ActionOwner,
                    None,
                    self.agency_people(agency, None),
                    vec![],
                    at,
                )
            })
            .collect()
    }
}

/// The event's type and stage in a notice's key, so a key says what it is about:
/// `ev/3.0/escalated/stage-4/copy`.
fn event_label(kind: &EventKind) -> String {
    let (name, stage) = match kind {
        EventKind::Raised { stage } => ("raised", Some(stage)),
        EventKind::Escalated { to, .. } => ("escalated", Some(to)),
        EventKind::ClockStarted { stage, .. } => ("clock-started", Some(stage)),
        EventKind::Submitted { stage } => ("submitted", Some(stage)),
        EventKind::Responded { stage, .. } => ("responded", Some(stage)),
        EventKind::FormRecorded { stage, .. } => ("form-recorded", Some(stage)),
        EventKind::Resolved { stage } => ("resolved", Some(stage)),
        EventKind::Withdrawn { stage } => ("withdrawn", Some(stage)),
        EventKind::ClockRescheduled { stage, .. } => ("clock-rescheduled", Some(stage)),
        EventKind::ClockMet { stage, .. }
        | EventKind::ClockStopped { stage, .. }
        | EventKind::ClockBreached { stage, .. } => ("clock", Some(stage)),
        EventKind::ActionDone { .. } => ("action-done", None),
        EventKind::Erased { .. } => ("erased", None),
    };
    match stage {
        Some(stage) => format!("{name}/{stage}"),
        None => name.to_owned(),
    }
}

fn next_level(level: Level) -> Option<Level> {
    Level::ALL
        .into_iter()
        .find(|l| *l > level && *l != Level::ChiefSocialWorkOfficer)
}

fn dedup(addresses: Vec<EmailAddress>) -> Vec<EmailAddress> {
    let mut seen = Vec::new();
    for address in addresses {
        if !seen.contains(&address) {
            seen.push(address);
        }
    }
    seen
}
