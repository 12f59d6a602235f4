//! The transitions: raise, submit, respond, escalate, resolve, withdraw and record_breaches.
//! Each checks the move is allowed, then builds the new case and its chronology events.

use chrono::{DateTime, Utc};

use super::actor::role_label;
use super::next_move::lowercase_first;
use super::refusals::ids_list;
use super::{
    ActionDone, Actor, AgreedAction, Case, ClockEnd, ClockInput, ClockRefused, ClockRun, Concern,
    Decider, EscalateRequest, Escalation, Event, EventKind, Level, Outcome, RaiseError,
    RaiseRequest, Refused, ResolveRequest, Response, Role, StageEntry, Status, Transition,
    describe_move, local_time,
};
use crate::calendar::{Calendar, YearOutOfRange};
use crate::ids::{ActionId, CaseId, PersonId, ReasonId, Text};
use crate::procedure::{
    Action, ClockStart, OTHER_REASON, Party, Procedure, RaiserRole, Stage, Subject,
};

/// A running clock's due instant before and after a change to the partnership's calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DueMoved {
    pub was: DateTime<Utc>,
    pub due: DateTime<Utc>,
}

pub(super) struct Builder {
    pub(super) case: Case,
    events: Vec<Event>,
    by: Option<PersonId>,
    now: DateTime<Utc>,
    /// A clock started by this transition took the shorter timescale given.
    shortened: bool,
}

impl Builder {
    pub(super) fn new(case: Case, by: Option<PersonId>, now: DateTime<Utc>) -> Self {
        let mut case = case;
        case.version += 1;
        case.updated_at = now;
        Builder {
            case,
            events: Vec::new(),
            by,
            now,
            shortened: false,
        }
    }

    pub(super) fn event(&mut self, kind: EventKind) {
        self.events.push(Event {
            case: self.case.id.clone(),
            version: self.case.version,
            seq: self.events.len() as u32,
            at: self.now,
            by: self.by.clone(),
            kind,
        });
    }

    /// Starts the stage's clock at `index`, if there is one, from now or from the instant
    /// the person states; `input.shorter` applies to it if its procedure lets `role` set one.
    fn start_clock(
        &mut self,
        stage: &Stage,
        index: usize,
        calendar: &Calendar,
        input: &ClockInput,
        role: Role,
    ) -> Result<(), ClockRefused> {
        let Some(clock) = stage.clocks.get(index) else {
            return Ok(());
        };
        let start = match &clock.starts {
            ClockStart::Stated { from, before_raise } => {
                let at = input
                    .meeting_at
                    .ok_or_else(|| ClockRefused::StatedStartRequired {
                        from: from.clone(),
                        who: clock.who.clone(),
                        timescale: clock.timescale.to_string(),
                        task: lowercase_first(&clock.task),
                    })?;
                if at > self.now {
                    return Err(ClockRefused::StatedStartInFuture {
                        from: from.clone(),
                        given: local_time(at),
                    });
                }
                if at < self.case.raised_at && !before_raise {
                    return Err(ClockRefused::StatedStartBeforeRaise {
                        from: from.clone(),
                        raised: local_time(self.case.raised_at),
                        given: local_time(at),
                    });
                }
                at
            }
            _ => self.now,
        };
        let standard = clock.timescale.due(start, calendar)?;
        let (due, shortened_to) = match input.shorter {
            None => (standard, None),
            Some(shorter) => {
                if clock.shorter_by.map(RaiserRole::name) != Some(role.name()) {
                    return Err(ClockRefused::ShorterNotAllowed {
                        why: match clock.shorter_by {
                            Some(by) => {
                                format!("only the {} may set one for {}", by.name(), clock.id)
                            }
                            None => {
                                format!("the procedure sets {} for {}", clock.timescale, clock.id)
                            }
                        },
                    });
                }
                let due = shorter.due(start, calendar)?;
                if due >= standard {
                    return Err(ClockRefused::NotShorter {
                        given: shorter.to_string(),
                        standard: clock.timescale.to_string(),
                    });
                }
                self.shortened = true;
                (due, Some(shorter))
            }
        };
        self.case.clocks.push(ClockRun {
            stage: stage.id.clone(),
            clock: clock.id.clone(),
            owner: clock.owner,
            action: clock.action,
            started_at: start,
            due,
            ended: None,
            breach_recorded: false,
            shortened_to,
        });
        self.event(EventKind::ClockStarted {
            stage: stage.id.clone(),
            clock: clock.id.clone(),
            due,
            from: (start != self.now).then_some(start),
            shortened_to,
        });
        Ok(())
    }

    /// Refuses a shorter timescale that no clock started by this action took.
    fn check_shorter_used(&self, input: &ClockInput) -> Result<(), ClockRefused> {
        if input.shorter.is_some() && !self.shortened {
            return Err(ClockRefused::ShorterNotAllowed {
                why: "this action starts no clock whose timescale may be shortened".to_owned(),
            });
        }
        Ok(())
    }

    /// Ends the running clock, if any.
    fn end_clock(&mut self, how: ClockEnd) {
        let now = self.now;
        let Some(run) = self.case.clocks.iter_mut().find(|c| c.is_running()) else {
            return;
        };
        run.ended = Some((how, now));
        let (stage, clock) = (run.stage.clone(), run.clock.clone());
        let late = now >= run.due;
        self.event(match how {
            ClockEnd::Met => EventKind::ClockMet { stage, clock, late },
            ClockEnd::Stopped => EventKind::ClockStopped { stage, clock },
        });
    }

    /// Meets the running clock and starts the stage's next one — a clock that starts only
    /// "if not resolved" only when `outcome` says so.
    fn meet_and_advance(
        &mut self,
        stage: &Stage,
        calendar: &Calendar,
        input: &ClockInput,
        role: Role,
        outcome: Option<&Outcome>,
    ) -> Result<(), ClockRefused> {
        let next_index = self
            .case
            .running_clock()
            .and_then(|run| stage.clocks.iter().position(|c| c.id == run.clock))
            .map(|i| i + 1);
        self.end_clock(ClockEnd::Met);
        if let Some(index) = next_index {
            let not_resolved = outcome.is_some_and(|o| !o.is_resolved());
            let waits_for_outcome = stage
                .clocks
                .get(index)
                .is_some_and(|c| matches!(c.starts, ClockStart::NotResolved { .. }));
            if !waits_for_outcome || not_resolved {
                self.start_clock(stage, index, calendar, input, role)?;
            }
        }
        Ok(())
    }

    pub(super) fn done(self) -> Transition {
        Transition {
            case: self.case,
            events: self.events,
        }
    }
}

/// The reasons are the procedure's own or `other` with the reason in words; giving words adds
/// `other`, so the report can count it by id.
fn check_reasons(procedure: &Procedure, concern: &mut Concern) -> Result<(), RaiseError> {
    let other = || ReasonId::parse(OTHER_REASON).unwrap_or_else(|_| unreachable!("kebab case"));
    let choices = || {
        let listed = ids_list(procedure.reasons.iter().map(|r| r.id.as_str()));
        let other = format!("`{OTHER_REASON}` with the reason in words");
        if listed.is_empty() {
            other
        } else {
            format!("{listed}, or {other}")
        }
    };
    let has_other = concern.reasons.iter().any(|r| r == OTHER_REASON);
    match (&concern.other_reason, has_other) {
        (None, true) => return Err(RaiseError::OtherReasonRequired),
        (Some(_), false) => concern.reasons.push(other()),
        _ => {}
    }
    if !procedure.reasons.is_empty() && concern.reasons.is_empty() {
        return Err(RaiseError::ReasonRequired { choices: choices() });
    }
    if let Some(unknown) = concern
        .reasons
        .iter()
        .find(|given| **given != OTHER_REASON && !procedure.reasons.iter().any(|r| &r.id == *given))
    {
        return Err(RaiseError::UnknownReason {
            given: unknown.clone(),
            choices: choices(),
        });
    }
    Ok(())
}

/// A role as procedure files spell it.
/// A new plan: every action names its owner agency, and none is done yet.
fn check_plan(actions: &mut [AgreedAction]) -> Result<(), Refused> {
    for (i, action) in actions.iter_mut().enumerate() {
        if action.owner_agency.is_none() {
            return Err(Refused::ActionOwnerRequired { index: i + 1 });
        }
        action.done = None;
    }
    Ok(())
}

/// "a first line manager", "a practitioner": who someone is, for a refusal.
fn who_you_are(role: Role, level: Option<Level>) -> String {
    match level {
        Some(level) => format!("a {}", level.label()),
        None if role == Role::Manager => "a manager with no level of management recorded \
                                          in the partnership's configuration"
            .to_owned(),
        None => role_label(role).to_owned(),
    }
}

/// The asked role's name without the document's examples: "Service Manager (or
/// equivalent)", not the list after "e.g.".
fn short_role(role: &str) -> &str {
    [", e.g.", " (e.g.", " e.g."]
        .iter()
        .filter_map(|cut| role.find(cut))
        .min()
        .map_or(role, |end| &role[..end])
        .trim()
}

/// The level of management a stage asks of the side that answers, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionAsked {
    pub stage: crate::ids::StageId,
    /// Who is asked, in the procedure's words (without its examples).
    pub asked: String,
    pub level: Level,
    /// The agency the decision comes from; `None` when the partnership is asked (Moray's Chief
    /// Social Work Officer), whose decider may be of any of its agencies.
    pub agency: Option<crate::ids::AgencyId>,
}

impl DecisionAsked {
    /// Why `decider` cannot make this decision, if they cannot.
    pub fn refuses(&self, decider: &Decider) -> Option<String> {
        if let Some(agency) = &self.agency
            && &decider.agency != agency
        {
            return Some(format!("`{}` is of `{}`", decider.person, decider.agency));
        }
        match decider.level {
            Some(level) if level >= self.level => None,
            Some(level) => Some(format!("`{}` is a {}", decider.person, level.label())),
            None => Some(format!(
                "`{}` has no level of management in the partnership's configuration",
                decider.person
            )),
        }
    }

    fn refused(&self, why: String) -> Refused {
        Refused::LevelAsked {
            stage: self.stage.clone(),
            asked: self.asked.clone(),
            level: self.level.label(),
            agency: self.agency.as_ref().map_or_else(
                || "any agency of the partnership".to_owned(),
                |a| a.to_string(),
            ),
            why,
        }
    }
}

impl Case {
    /// Raises a case into the procedure's first stage and starts its first clock.
    pub fn raise(
        id: CaseId,
        procedure: &Procedure,
        calendar: &Calendar,
        actor: &Actor,
        request: RaiseRequest,
        now: DateTime<Utc>,
    ) -> Result<Transition, RaiseError> {
        Case::raise_with(
            id,
            procedure,
            calendar,
            actor,
            request,
            &ClockInput::default(),
            now,
        )
    }

    /// [`Case::raise`], with what the person states for the first clock: when the meeting or
    /// discussion it runs from took place, or a shorter timescale.
    pub fn raise_with(
        id: CaseId,
        procedure: &Procedure,
        calendar: &Calendar,
        actor: &Actor,
        request: RaiseRequest,
        input: &ClockInput,
        now: DateTime<Utc>,
    ) -> Result<Transition, RaiseError> {
        let role = match actor.role {
            Role::Practitioner => Some(RaiserRole::Practitioner),
            Role::Manager => Some(RaiserRole::Manager),
            Role::Chair => Some(RaiserRole::Chair),
            Role::Administrator => None,
        };
        if !role.is_some_and(|r| procedure.raised_by.contains(&r)) {
            return Err(RaiseError::RoleMayNotRaise {
                role: role_label(actor.role),
                procedure: procedure.id.clone(),
                allowed: procedure
                    .raised_by
                    .iter()
                    .map(|r| format!("{r:?}").to_lowercase())
                    .collect::<Vec<_>>()
                    .join(" or "),
            });
        }
        // Asked first: a child at immediate risk needs child protection procedures now, whatever
        // else the request lacks.
        match (&procedure.immediate_risk, request.immediate_risk) {
            (Some(risk), None) => {
                return Err(RaiseError::ImmediateRiskRequired {
                    question: risk.question.clone(),
                });
            }
            (Some(risk), Some(true)) => {
                return Err(RaiseError::ImmediateRisk {
                    instruction: risk.instruction.clone(),
                });
            }
            _ => {}
        }
        match (procedure.subject, &request.child) {
            (Subject::Child, None) => return Err(RaiseError::ChildRequired),
            (Subject::Practice | Subject::Agency, Some(_)) => {
                return Err(RaiseError::ChildNotAllowed);
            }
            _ => {}
        }
        if procedure.immediate_risk.is_none() && request.immediate_risk.is_some() {
            return Err(RaiseError::ImmediateRiskNotAsked);
        }
        match (&request.receiving_agency, procedure.subject) {
            (None, subject) if subject.names_an_agency() => {
                return Err(RaiseError::ReceivingAgencyRequired);
            }
            (Some(receiving), _) if *receiving == actor.agency => {
                return Err(RaiseError::SameAgency);
            }
            _ => {}
        }
        let mut request = request;
        match (procedure.asks_agencies(), request.agencies_asked.is_empty()) {
            (true, true) => return Err(RaiseError::AgenciesAskedRequired),
            (false, false) => return Err(RaiseError::AgenciesAskedNotUsed),
            _ => {}
        }
        let mut seen = std::collections::BTreeSet::new();
        request.agencies_asked.retain(|a| seen.insert(a.clone()));
        check_reasons(procedure, &mut request.concern)?;
        let level_choices = || ids_list(procedure.levels_of_need.iter().map(|l| l.id.as_str()));
        match &request.concern.level_of_need {
            None if procedure.level_of_need_required_at_raise() => {
                return Err(RaiseError::LevelOfNeedRequired {
                    choices: level_choices(),
                });
            }
            Some(given) if !procedure.levels_of_need.iter().any(|l| &l.id == given) => {
                return Err(RaiseError::UnknownLevelOfNeed {
                    given: given.clone(),
                    choices: level_choices(),
                });
            }
            _ => {}
        }

        let first = procedure.first_stage();
        let case = Case {
            id,
            procedure: procedure.id.clone(),
            version: 0,
            raised_at: now,
            raised_by: actor.person.clone(),
            raising_agency: actor.agency.clone(),
            receiving_agency: request.receiving_agency,
            child: request.child,
            concern: request.concern,
            stage: first.id.clone(),
            stages_entered: vec![StageEntry {
                stage: first.id.clone(),
                at: now,
            }],
            clocks: Vec::new(),
            responses: Vec::new(),
            forms: Vec::new(),
            escalations: Vec::new(),
            status: Status::Open,
            updated_at: now,
            child_key: None,
            agencies_asked: request.agencies_asked,
            erased_at: None,
        };
        let mut b = Builder::new(case, Some(actor.person.clone()), now);
        b.event(EventKind::Raised {
            stage: first.id.clone(),
        });
        b.start_clock(first, 0, calendar, input, actor.role)?;
        b.check_shorter_used(input)?;
        Ok(b.done())
    }

    fn check_open(&self, procedure: &Procedure, actor: &Actor) -> Result<(), Refused> {
        if self.procedure != procedure.id {
            return Err(Refused::WrongProcedure {
                case: self.procedure.clone(),
                given: procedure.id.clone(),
            });
        }
        match &self.status {
            Status::Open => {}
            Status::Resolved { at, .. } => {
                return Err(Refused::Closed {
                    how: "resolved",
                    at: local_time(*at),
                });
            }
            Status::Withdrawn { at, .. } => {
                return Err(Refused::Closed {
                    how: "withdrawn",
                    at: local_time(*at),
                });
            }
        }
        if actor.role == Role::Administrator {
            return Err(Refused::AdministratorsDoNotAct);
        }
        Ok(())
    }

    /// The level of management the current stage asks of the side that answers, if it asks
    /// one. The application checks a person named `on_behalf_of` against it.
    pub fn decision_asked(&self, procedure: &Procedure) -> Option<DecisionAsked> {
        let stage = self.current_stage(procedure);
        let level = stage.asked.level?;
        let agency = match stage.asked.party {
            Party::Raising => Some(self.raising_agency.clone()),
            Party::Receiving => self.receiving_agency.clone(),
            Party::Partnership => None,
        };
        Some(DecisionAsked {
            stage: stage.id.clone(),
            asked: short_role(&stage.asked.role).to_owned(),
            level,
            agency,
        })
    }

    /// Whose decision the actor records when acting for `side`: at a stage that asks a level,
    /// a person of that level or above in the asked agency — the actor, or the person they
    /// record it for. The chair acting for the partnership is not bound by it.
    fn decided_by(
        &self,
        procedure: &Procedure,
        actor: &Actor,
        side: Option<Party>,
    ) -> Result<Option<Decider>, Refused> {
        if actor.on_behalf_of.is_some() && actor.role == Role::Practitioner {
            return Err(Refused::PractitionerOnBehalf);
        }
        let asked = match self.decision_asked(procedure) {
            Some(asked) if side != Some(Party::Partnership) => asked,
            _ => return Ok(actor.on_behalf_of.clone()),
        };
        let decider = actor.decider();
        match asked.refuses(&decider) {
            None => Ok(Some(decider)),
            Some(_)
                if actor.on_behalf_of.is_none()
                    && asked.agency.as_ref().is_none_or(|a| a == &actor.agency) =>
            {
                Err(asked.refused(format!("you are {}", who_you_are(actor.role, actor.level))))
            }
            Some(why) => Err(asked.refused(why)),
        }
    }

    fn current_stage<'p>(&self, procedure: &'p Procedure) -> &'p Stage {
        procedure
            .stage(self.stage.as_str())
            .unwrap_or_else(|| procedure.first_stage())
    }

    /// Refuses unless the next move is `action` and the actor is on the side that owns it.
    fn check_move(
        &self,
        procedure: &Procedure,
        actor: &Actor,
        action: Action,
    ) -> Result<(), Refused> {
        let Some(next) = self.next_move(procedure) else {
            return Ok(());
        };
        let expected = describe_move(&next);
        if !next.actions.contains(&action) {
            return Err(Refused::NotThisAction {
                stage: next.stage,
                attempted: action.verb(),
                expected,
            });
        }
        if !self.parties_of(actor).contains(&next.party) {
            return Err(Refused::NotYourMove { expected });
        }
        Ok(())
    }

    /// At a stage taking one response from each agency asked: the actor's agency is asked and
    /// has not yet answered. Someone of the agency answers for it, never the chair for them.
    fn check_agency_answer(&self, procedure: &Procedure, actor: &Actor) -> Result<(), Refused> {
        let stage = self.current_stage(procedure);
        if !self.agencies_asked.contains(&actor.agency)
            || !matches!(actor.role, Role::Practitioner | Role::Manager)
        {
            return Err(Refused::NotYourMove {
                expected: self
                    .next_move(procedure)
                    .map_or_else(String::new, |n| describe_move(&n)),
            });
        }
        if !self.agencies_yet_to_answer(stage).contains(&actor.agency) {
            return Err(Refused::AlreadyAnswered {
                agency: actor.agency.clone(),
                stage: stage.id.clone(),
            });
        }
        Ok(())
    }

    /// Never lets time run backwards within a case (clock skew between processes).
    pub(super) fn effective_now(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now.max(self.updated_at)
    }

    /// Records that the escalation or pro-forma was sent on to the person asked.
    pub fn submit(
        &self,
        procedure: &Procedure,
        calendar: &Calendar,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Transition, Refused> {
        self.submit_with(procedure, calendar, actor, &ClockInput::default(), now)
    }

    /// [`Case::submit`], with what the person states for the clock it starts.
    pub fn submit_with(
        &self,
        procedure: &Procedure,
        calendar: &Calendar,
        actor: &Actor,
        input: &ClockInput,
        now: DateTime<Utc>,
    ) -> Result<Transition, Refused> {
        self.check_open(procedure, actor)?;
        self.check_move(procedure, actor, Action::Submit)?;
        let stage = self.current_stage(procedure);
        let mut b = Builder::new(
            self.clone(),
            Some(actor.person.clone()),
            self.effective_now(now),
        );
        b.event(EventKind::Submitted {
            stage: stage.id.clone(),
        });
        b.meet_and_advance(stage, calendar, input, actor.role, None)?;
        b.check_shorter_used(input)?;
        Ok(b.done())
    }

    /// Records a response at the current stage: resolved, or not resolved with reasons and
    /// agreed actions.
    pub fn respond(
        &self,
        procedure: &Procedure,
        calendar: &Calendar,
        actor: &Actor,
        outcome: Outcome,
        now: DateTime<Utc>,
    ) -> Result<Transition, Refused> {
        self.respond_with(
            procedure,
            calendar,
            actor,
            outcome,
            &ClockInput::default(),
            now,
        )
    }

    /// [`Case::respond`], with what the person states for the clock it starts.
    pub fn respond_with(
        &self,
        procedure: &Procedure,
        calendar: &Calendar,
        actor: &Actor,
        outcome: Outcome,
        input: &ClockInput,
        now: DateTime<Utc>,
    ) -> Result<Transition, Refused> {
        self.check_open(procedure, actor)?;
        if self.current_stage(procedure).asked.each_agency {
            self.check_agency_answer(procedure, actor)?;
        } else {
            self.check_move(procedure, actor, Action::Respond)?;
        }
        let side = self.next_move(procedure).map(|n| n.party);
        let decided_by = self.decided_by(procedure, actor, side)?;
        let mut outcome = outcome;
        check_plan(outcome.agreed_actions_mut())?;
        let stage = self.current_stage(procedure);
        let now = self.effective_now(now);
        let mut b = Builder::new(self.clone(), Some(actor.person.clone()), now);
        b.event(EventKind::Responded {
            stage: stage.id.clone(),
            resolved: outcome.is_resolved(),
        });
        b.case.responses.push(Response {
            stage: stage.id.clone(),
            clock: self.running_clock().map(|c| c.clock.clone()),
            by: actor.person.clone(),
            agency: actor.agency.clone(),
            at: now,
            outcome: outcome.clone(),
            contact: None,
            decided_by,
        });
        b.meet_and_advance(stage, calendar, input, actor.role, Some(&outcome))?;
        b.check_shorter_used(input)?;
        Ok(b.done())
    }

    /// Moves the case to the next stage (or a later one whose required stages were all
    /// used), ending the current stage's clock and starting the new stage's first one.
    pub fn escalate(
        &self,
        procedure: &Procedure,
        calendar: &Calendar,
        actor: &Actor,
        request: EscalateRequest,
        now: DateTime<Utc>,
    ) -> Result<Transition, Refused> {
        self.escalate_with(
            procedure,
            calendar,
            actor,
            request,
            &ClockInput::default(),
            now,
        )
    }

    /// [`Case::escalate`], with what the person states for the new stage's first clock.
    pub fn escalate_with(
        &self,
        procedure: &Procedure,
        calendar: &Calendar,
        actor: &Actor,
        request: EscalateRequest,
        input: &ClockInput,
        now: DateTime<Utc>,
    ) -> Result<Transition, Refused> {
        self.check_open(procedure, actor)?;
        let now = self.effective_now(now);
        let parties = self.parties_of(actor);
        let deciding = Case::deciding_party(procedure);
        if !parties.contains(&deciding) && !parties.contains(&Party::Partnership) {
            return Err(Refused::NotYourMove {
                expected: format!(
                    "only {} or the partnership's chair can escalate this case",
                    deciding.describe()
                ),
            });
        }
        let current_index = procedure.stage_index(&self.stage).unwrap_or(0);
        let current = &procedure.stages[current_index];
        if current_index + 1 == procedure.stages.len() {
            return Err(Refused::LastStage {
                stage: current.id.clone(),
            });
        }
        let target_index = match &request.to {
            None => current_index + 1,
            Some(to) => match procedure.stage_index(to) {
                None => {
                    return Err(Refused::UnknownStage {
                        given: to.clone(),
                        choices: ids_list(procedure.stages.iter().map(|s| s.id.as_str())),
                    });
                }
                Some(i) if i <= current_index => {
                    return Err(Refused::NotForward {
                        given: to.clone(),
                        current: current.id.clone(),
                    });
                }
                Some(i) => i,
            },
        };
        let target = &procedure.stages[target_index];
        if let Some(missing) = target
            .requires
            .iter()
            .find(|required| !self.stages_entered.iter().any(|e| &e.stage == *required))
        {
            return Err(Refused::StageRequired {
                target: target.id.clone(),
                missing: missing.clone(),
            });
        }
        if let Some(level) = target.escalated_by
            && !parties.contains(&Party::Partnership)
            && actor.level.is_none_or(|l| l < level)
        {
            return Err(Refused::EscalatedBy {
                target: target.id.clone(),
                level: level.label(),
                you: who_you_are(actor.role, actor.level),
            });
        }
        // Escalation waits for a "not resolved" response or for the running clock to breach,
        // unless escalating is itself what the running clock waits for.
        let running = self.running_clock();
        let meets_running = running.is_some_and(|r| r.action == Action::Escalate);
        if let Some(run) = running.filter(|_| !meets_running) {
            let not_resolved_here = self
                .responses
                .iter()
                .rev()
                .find(|r| r.stage == current.id)
                .is_some_and(|r| !r.outcome.is_resolved());
            if now < run.due && !not_resolved_here {
                let clock = current.clock(run.clock.as_str());
                return Err(Refused::TooEarlyToEscalate {
                    who: clock.map_or_else(String::new, |c| c.who.clone()),
                    task: clock.map_or_else(String::new, |c| lowercase_first(&c.task)),
                    due: local_time(run.due),
                });
            }
        }

        let mut b = Builder::new(self.clone(), Some(actor.person.clone()), now);
        b.end_clock(if meets_running {
            ClockEnd::Met
        } else {
            ClockEnd::Stopped
        });
        b.case.stage = target.id.clone();
        b.case.stages_entered.push(StageEntry {
            stage: target.id.clone(),
            at: now,
        });
        b.case.escalations.push(Escalation {
            from: current.id.clone(),
            to: target.id.clone(),
            by: actor.person.clone(),
            at: now,
            reasons: request.reasons,
            tried: request.tried,
            contact: None,
        });
        b.event(EventKind::Escalated {
            from: current.id.clone(),
            to: target.id.clone(),
        });
        b.start_clock(target, 0, calendar, input, actor.role)?;
        b.check_shorter_used(input)?;
        Ok(b.done())
    }

    /// Records the outcome and lessons learned, and closes the case.
    pub fn resolve(
        &self,
        procedure: &Procedure,
        actor: &Actor,
        request: ResolveRequest,
        now: DateTime<Utc>,
    ) -> Result<Transition, Refused> {
        self.check_open(procedure, actor)?;
        let now = self.effective_now(now);
        let parties = self.parties_of(actor);
        let running = self.running_clock();
        let meets_running = running.is_some_and(|r| r.action == Action::Resolve);
        match running {
            // A decision clock (Sefton's step 4) belongs to whoever makes the decision.
            Some(run) if meets_running && !parties.contains(&run.owner) => {
                let next = self.next_move(procedure);
                return Err(Refused::NotYourMove {
                    expected: next.map_or_else(String::new, |n| describe_move(&n)),
                });
            }
            _ if !meets_running
                && !parties.contains(&Case::deciding_party(procedure))
                && !parties.contains(&Party::Partnership) =>
            {
                return Err(Refused::NotYourMove {
                    expected: format!(
                        "only {} or the partnership's chair can resolve this case",
                        Case::deciding_party(procedure).describe()
                    ),
                });
            }
            _ => {}
        }
        let stage = self.current_stage(procedure);
        if let Some(form) = stage.form.as_ref().filter(|_| stage.closes_with_form)
            && self.form_record(&stage.id, form).is_none()
        {
            return Err(Refused::FormRequiredToClose {
                stage: stage.id.clone(),
                form: form.clone(),
                title: procedure
                    .form(form)
                    .map_or_else(|| form.to_string(), |f| f.title.clone()),
            });
        }
        // A decision clock met for an agency (Moray's stage 5, recorded by the escalating
        // agency) is the decision of the level the stage asks.
        let decided_by = match running {
            Some(run) if meets_running => self.decided_by(procedure, actor, Some(run.owner))?,
            _ => actor.on_behalf_of.clone(),
        };
        let mut request = request;
        check_plan(&mut request.agreed_actions)?;
        let mut b = Builder::new(self.clone(), Some(actor.person.clone()), now);
        b.end_clock(if meets_running {
            ClockEnd::Met
        } else {
            ClockEnd::Stopped
        });
        b.case.status = Status::Resolved {
            at: now,
            by: actor.person.clone(),
            stage: self.stage.clone(),
            outcome: request.outcome,
            lessons_learned: request.lessons_learned,
            agreed_actions: request.agreed_actions,
            decided_by,
        };
        b.event(EventKind::Resolved {
            stage: self.stage.clone(),
        });
        Ok(b.done())
    }

    /// Withdraws the case, with a reason.
    pub fn withdraw(
        &self,
        procedure: &Procedure,
        actor: &Actor,
        reason: Text,
        now: DateTime<Utc>,
    ) -> Result<Transition, Refused> {
        self.check_open(procedure, actor)?;
        let parties = self.parties_of(actor);
        if !parties.contains(&Case::deciding_party(procedure))
            && !parties.contains(&Party::Partnership)
        {
            return Err(Refused::NotYourMove {
                expected: format!(
                    "only {} or the partnership's chair can withdraw this case",
                    Case::deciding_party(procedure).describe()
                ),
            });
        }
        let now = self.effective_now(now);
        let mut b = Builder::new(self.clone(), Some(actor.person.clone()), now);
        b.end_clock(ClockEnd::Stopped);
        b.case.status = Status::Withdrawn {
            at: now,
            by: actor.person.clone(),
            stage: self.stage.clone(),
            reason,
        };
        b.event(EventKind::Withdrawn {
            stage: self.stage.clone(),
        });
        Ok(b.done())
    }

    /// Marks an agreed action done. Its owner agency or the chair marks it, once; plans are
    /// followed up after the decision ("Agreed actions need to be followed up" — Moray), so a
    /// resolved case still takes it, a withdrawn one does not.
    pub fn complete_action(
        &self,
        actor: &Actor,
        id: &ActionId,
        now: DateTime<Utc>,
    ) -> Result<Transition, Refused> {
        if let Status::Withdrawn { at, .. } = &self.status {
            return Err(Refused::Closed {
                how: "withdrawn",
                at: local_time(*at),
            });
        }
        if actor.role == Role::Administrator {
            return Err(Refused::AdministratorsDoNotAct);
        }
        let planned = self
            .actions()
            .into_iter()
            .find(|p| &p.id() == id)
            .ok_or_else(|| Refused::NoSuchAction { given: id.clone() })?;
        let action = planned.action;
        if let Some(done) = &action.done {
            return Err(Refused::ActionAlreadyDone {
                action: id.clone(),
                at: local_time(done.at),
            });
        }
        let owns = action.owner_agency.as_ref() == Some(&actor.agency);
        if !owns && actor.role != Role::Chair {
            return Err(Refused::NotActionOwner {
                action: id.clone(),
                owner: action
                    .owner_agency
                    .as_ref()
                    // Agreed before owners were agencies: its owner is in words only.
                    .map_or_else(
                        || "its owner agency (none was recorded)".into(),
                        |a| a.to_string(),
                    ),
            });
        }
        let now = self.effective_now(now);
        let due = action.by_when;
        let mut b = Builder::new(self.clone(), Some(actor.person.clone()), now);
        let action = b.case.action_mut(id).expect("found above");
        action.done = Some(ActionDone {
            at: now,
            by: actor.person.clone(),
        });
        let late = action.done_late() == Some(true);
        b.event(EventKind::ActionDone {
            action: id.clone(),
            due,
            late,
        });
        Ok(b.done())
    }

    /// Records a breach event for the running clock if it has passed its due instant and no
    /// breach was recorded yet. `None` when there is nothing to record, so running it twice
    /// changes nothing.
    pub fn record_breaches(&self, now: DateTime<Utc>) -> Option<Transition> {
        let run = self.running_clock()?;
        if !self.status.is_open() || run.breach_recorded || now < run.due {
            return None;
        }
        let (stage, clock, due) = (run.stage.clone(), run.clock.clone(), run.due);
        let mut b = Builder::new(self.clone(), None, self.effective_now(now));
        if let Some(run) = b.case.clocks.iter_mut().find(|c| c.is_running()) {
            run.breach_recorded = true;
        }
        b.event(EventKind::ClockBreached { stage, clock, due });
        Some(b.done())
    }

    /// The running clock's due instant counted again on `calendar`, from the instant it
    /// started, with its timescale (the shorter one if set): `Some` when a
    /// change to the partnership's closure days moves it. A closed case, a clock whose breach
    /// is recorded, or one counted in hours never moves.
    pub fn rescheduled_due(
        &self,
        procedure: &Procedure,
        calendar: &Calendar,
    ) -> Result<Option<DueMoved>, YearOutOfRange> {
        let Some(run) = self.running_clock() else {
            return Ok(None);
        };
        if !self.status.is_open() || run.breach_recorded {
            return Ok(None);
        }
        let Some(clock) = procedure
            .stage(run.stage.as_str())
            .and_then(|s| s.clock(run.clock.as_str()))
        else {
            return Ok(None);
        };
        let due = run
            .shortened_to
            .unwrap_or(clock.timescale)
            .due(run.started_at, calendar)?;
        Ok((due != run.due).then_some(DueMoved { was: run.due, due }))
    }

    /// Moves the running clock's due instant to where `calendar` puts it
    /// ([`Case::rescheduled_due`]), recording `clock-rescheduled` by the administrator who
    /// changed the calendar. `None` when it does not move.
    pub fn reschedule(
        &self,
        procedure: &Procedure,
        calendar: &Calendar,
        by: &PersonId,
        now: DateTime<Utc>,
    ) -> Result<Option<Transition>, YearOutOfRange> {
        let Some(DueMoved { was, due }) = self.rescheduled_due(procedure, calendar)? else {
            return Ok(None);
        };
        let mut b = Builder::new(self.clone(), Some(by.clone()), self.effective_now(now));
        let run = b
            .case
            .clocks
            .iter_mut()
            .find(|c| c.is_running())
            .expect("rescheduled_due found a running clock");
        run.due = due;
        let (stage, clock) = (run.stage.clone(), run.clock.clone());
        b.event(EventKind::ClockRescheduled {
            stage,
            clock,
            due,
            was,
        });
        Ok(Some(b.done()))
    }

    /// [`Case::record_breaches`], and where the breached clock is followed by one that runs
    /// "if not resolved (or no response)", stops the breached clock and starts that one from
    /// the breach (its due instant): MSET's 24 hours to escalate after a missed response.
    pub fn record_breaches_in(
        &self,
        procedure: &Procedure,
        calendar: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<Option<Transition>, YearOutOfRange> {
        let Some(mut transition) = self.record_breaches(now) else {
            return Ok(None);
        };
        let run = self.running_clock().cloned();
        let stage = run.as_ref().and_then(|r| procedure.stage(r.stage.as_str()));
        let (Some(run), Some(stage)) = (run, stage) else {
            return Ok(Some(transition));
        };
        let Some(index) = stage.clocks.iter().position(|c| c.id == run.clock) else {
            return Ok(Some(transition));
        };
        let after_missed = stage
            .clocks
            .get(index + 1)
            .is_some_and(|c| c.starts == ClockStart::NotResolved { or_missed: true });
        if !after_missed {
            return Ok(Some(transition));
        }
        let version = transition.case.version;
        let mut b = Builder {
            case: transition.case,
            events: std::mem::take(&mut transition.events),
            by: None,
            now: self.effective_now(now),
            shortened: false,
        };
        b.end_clock(ClockEnd::Stopped);
        // The next clock runs from the breach, not from when the sweeper noticed it.
        let next = &stage.clocks[index + 1];
        let due = next.timescale.due(run.due, calendar)?;
        b.case.clocks.push(ClockRun {
            stage: stage.id.clone(),
            clock: next.id.clone(),
            owner: next.owner,
            action: next.action,
            started_at: run.due,
            due,
            ended: None,
            breach_recorded: false,
            shortened_to: None,
        });
        b.event(EventKind::ClockStarted {
            stage: stage.id.clone(),
            clock: next.id.clone(),
            due,
            from: Some(run.due),
            shortened_to: None,
        });
        debug_assert_eq!(b.case.version, version);
        Ok(Some(b.done()))
    }
}
