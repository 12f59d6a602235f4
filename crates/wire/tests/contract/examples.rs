//! Real cases for the examples, from real transitions: `Journey` raises a case and moves it
//! on with the core's own transitions, keeping its chronology, and builds the views, list
//! entries and queue items the API would; `journeys` runs every case the examples use.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use escalations_core::case::{
    Actor, AgreedAction, Case, Child, ClockState, Concern, Contact, ContactMethod, Decider,
    EscalateRequest, Event, Level, MatchSecret, Outcome, RaiseRequest, ResolveRequest, Role,
    Transition,
};
use escalations_core::forms::Plain;
use escalations_core::ids::{AgencyId, CaseId, PersonId, StageId, Text};
use escalations_core::procedure::Subject;
use escalations_core::{Calendar, Catalogue, Procedure};
use escalations_wire::{CaseSummary, CaseView, ClockView, QueueActions, QueueItem, RunningClock};

use super::Contract;

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

pub fn actor(person: &str, agency: &str, role: Role) -> Actor {
    Actor::new(
        PersonId::parse(person).unwrap(),
        AgencyId::parse(agency).unwrap(),
        role,
    )
}

pub fn raiser() -> Actor {
    actor("pat", "school", Role::Practitioner)
}

pub fn receiver() -> Actor {
    actor("sol", "social-care", Role::Practitioner)
}

/// A first line manager of `agency` recording `decider`'s decision on their behalf.
pub fn on_behalf(agency: &str, decider: Decider) -> Actor {
    actor("meg", agency, Role::Manager)
        .at_level(Level::FirstLine)
        .for_decider(decider)
}

pub fn chair() -> Actor {
    actor("chris", "partnership-unit", Role::Chair)
}

pub const T0: &str = "2026-11-23T10:00:00Z";

/// A case with its chronology, moved on by the core's transitions.
pub struct Journey<'p> {
    pub procedure: &'p Procedure,
    pub calendar: Calendar,
    pub case: Case,
    pub chronology: Vec<Event>,
}

impl<'p> Journey<'p> {
    pub fn raise(procedure: &'p Procedure, id: &str, with_child: bool, now: DateTime<Utc>) -> Self {
        let calendar = Calendar::new(procedure.division);
        let child = with_child.then(|| Child {
            name: text("Jaydon Example-Smith"),
            date_of_birth: Some("2015-06-01".parse().unwrap()),
            address: Some(text("1 Example Road")),
            child_protection_plan: true,
            in_care: true,
        });
        let request = RaiseRequest {
            receiving_agency: procedure
                .subject
                .names_an_agency()
                .then(|| AgencyId::parse("social-care").unwrap()),
            child,
            concern: Concern {
                summary: text("Referral closed with no assessment despite new disclosures"),
                reasons: procedure
                    .reasons
                    .iter()
                    .take(1)
                    .map(|r| r.id.clone())
                    .collect(),
                level_of_need: procedure.levels_of_need.first().map(|l| l.id.clone()),
                desired_outcome: Some(text("A strategy discussion this week")),
                tried: None,
                other_reason: Some(text("The family moved school twice this term")),
            },
            immediate_risk: (procedure.subject == Subject::Child).then_some(false),
            agencies_asked: if procedure.asks_agencies() {
                vec![
                    AgencyId::parse("police").unwrap(),
                    AgencyId::parse("health").unwrap(),
                ]
            } else {
                Vec::new()
            },
        };
        // Keyed as the application keys every raise (a child with a date of birth has one).
        let t = Case::raise(
            CaseId::parse(id).unwrap(),
            procedure,
            &calendar,
            &raiser(),
            request,
            now,
        )
        .unwrap()
        .with_child_key(&MatchSecret::new(vec![7; 32]).unwrap());
        Journey {
            procedure,
            calendar,
            case: t.case,
            chronology: t.events,
        }
    }

    pub fn apply(&mut self, t: Transition) {
        self.case = t.case;
        self.chronology.extend(t.events);
    }

    pub fn respond(&mut self, by: &Actor, outcome: Outcome, now: DateTime<Utc>) {
        let t = self
            .case
            .respond(self.procedure, &self.calendar, by, outcome, now);
        self.apply(t.unwrap());
    }

    pub fn escalate(&mut self, to: &str, now: DateTime<Utc>) {
        let request = EscalateRequest {
            to: Some(StageId::parse(to).unwrap()),
            reasons: text("No plan was agreed"),
            tried: Some(text("Called the team manager twice")),
        };
        let t = self
            .case
            .escalate(self.procedure, &self.calendar, &raiser(), request, now);
        self.apply(t.unwrap());
    }

    pub fn resolve(&mut self, by: &Actor, now: DateTime<Utc>) {
        let request = ResolveRequest {
            outcome: text("An assessment was opened"),
            lessons_learned: text("Share new disclosures with the duty team in writing"),
            agreed_actions: vec![agreed(
                "Review the case at the next core group",
                "social-care",
                Some("The team manager"),
                "2026-12-18",
            )],
        };
        let t = self.case.resolve(self.procedure, by, request, now);
        self.apply(t.unwrap());
    }

    pub fn withdraw(&mut self, now: DateTime<Utc>) {
        let t = self
            .case
            .withdraw(self.procedure, &raiser(), text("Raised in error"), now);
        self.apply(t.unwrap());
    }

    pub fn complete_action(&mut self, by: &Actor, id: &str, now: DateTime<Utc>) {
        let id = escalations_core::ids::ActionId::parse(id).unwrap();
        let t = self.case.complete_action(by, &id, now);
        self.apply(t.unwrap());
    }

    /// Records a form at the current stage with values as the page sends them.
    pub fn record_form(
        &mut self,
        by: &Actor,
        form: &str,
        values: std::collections::BTreeMap<String, Plain>,
        now: DateTime<Utc>,
    ) {
        let form = escalations_core::ids::FormId::parse(form).unwrap();
        let t = self
            .case
            .record_form(self.procedure, by, &form, &values, now);
        self.apply(t.unwrap_or_else(|e| panic!("record_form: {e:?}")));
    }

    pub fn record_breaches(&mut self, now: DateTime<Utc>) {
        self.apply(self.case.record_breaches(now).unwrap());
    }

    /// The case as `who` sees it at `now`, as the API builds it.
    pub fn view(&self, who: &Actor, now: DateTime<Utc>) -> CaseView {
        let stage = self.procedure.stage(self.case.stage.as_str()).unwrap();
        CaseView {
            case: self.case.clone(),
            next_move: self.case.next_move(self.procedure),
            your_sides: self.case.parties_of(who),
            clocks: self
                .case
                .clocks
                .iter()
                .map(|run| ClockView {
                    run: run.clone(),
                    state: run.state(now),
                })
                .collect(),
            running_totals: self
                .case
                .running_totals(self.procedure, &self.calendar, now)
                .unwrap(),
            inform: self.case.to_inform(stage).into_iter().cloned().collect(),
            chronology: self.chronology.clone(),
            now,
        }
    }

    pub fn summary(&self) -> CaseSummary {
        let case = &self.case;
        CaseSummary {
            id: case.id.clone(),
            procedure: case.procedure.clone(),
            stage: case.stage.clone(),
            status: case.status.kind(),
            raised_at: case.raised_at,
            updated_at: case.updated_at,
            raising_agency: case.raising_agency.clone(),
            receiving_agency: case.receiving_agency.clone(),
            running: case.running_clock().map(|r| RunningClock {
                stage: r.stage.clone(),
                clock: r.clock.clone(),
                owner: r.owner,
                due: r.due,
            }),
            open_actions: case.open_actions(),
            child_key: case.child_key.clone(),
            version: case.version,
        }
    }

    /// The queue's entry for `agency`'s open agreed actions in this case, as the API builds
    /// it from the list entry.
    pub fn actions_due(&self, agency: &AgencyId, now: DateTime<Utc>) -> Option<QueueActions> {
        let open = self
            .case
            .open_actions()
            .into_iter()
            .find(|o| &o.owner == agency)?;
        Some(QueueActions {
            case: self.case.id.clone(),
            procedure: self.case.procedure.clone(),
            status: self.case.status.kind(),
            due: open.due,
            overdue: escalations_core::timescale::local_date(now) > open.due,
            version: self.case.version,
        })
    }

    pub fn queue_item(&self, now: DateTime<Utc>) -> Option<QueueItem> {
        let next = self.case.next_move(self.procedure)?;
        Some(QueueItem {
            case: self.case.id.clone(),
            procedure: self.case.procedure.clone(),
            stage: next.stage,
            actions: next.actions,
            who: next.who,
            task: next.task,
            due: next.due,
            overdue: next.due.is_some_and(|due| now >= due),
            version: self.case.version,
        })
    }
}

pub fn agreed(what: &str, owner: &str, person: Option<&str>, due: &str) -> AgreedAction {
    AgreedAction {
        what: text(what),
        owner_agency: Some(AgencyId::parse(owner).unwrap()),
        owner_person: person.map(text),
        by_when: due.parse().unwrap(),
        done: None,
    }
}

/// Not resolved, with a plan: the school shares its chronology (`a1`), social care holds a
/// strategy discussion (`a2`).
pub fn not_resolved() -> Outcome {
    Outcome::NotResolved {
        reasons: text("The threshold decision stands"),
        agreed_actions: vec![
            agreed(
                "Share the chronology",
                "school",
                Some("The school's safeguarding lead"),
                "2026-11-27",
            ),
            agreed(
                "Hold a strategy discussion",
                "social-care",
                None,
                "2026-11-30",
            ),
        ],
    }
}

/// Every case the examples use, each moved through the states the document must describe;
/// every view on the way is validated.
pub fn journeys<'c>(catalogue: &'c Catalogue, contract: &Contract) -> Vec<Journey<'c>> {
    let t0 = at(T0);
    let sefton = catalogue.get("sefton").unwrap();
    let mut views = Vec::new();

    // Raised, not resolved with agreed actions, escalated, breached, escalated past a breached
    // clock, resolved by the receiving side's response, then closed with lessons.
    let mut a = Journey::raise(sefton, "case-a", true, t0);
    views.push(a.view(&raiser(), t0));
    // "Escalation can be via telephone, face-to-face or internet meeting": the response notes
    // the call it followed.
    let responded = a
        .case
        .respond(
            a.procedure,
            &a.calendar,
            &receiver(),
            not_resolved(),
            t0 + Duration::hours(1),
        )
        .unwrap()
        .with_contact(Contact {
            method: ContactMethod::Telephone,
            at: t0 + Duration::minutes(30),
            with_role: text("Designated Safeguarding Lead"),
            with_agency: AgencyId::parse("school").unwrap(),
        })
        .unwrap();
    a.apply(responded);
    views.push(a.view(&receiver(), t0 + Duration::hours(1)));
    a.complete_action(&raiser(), "a1", t0 + Duration::hours(2));
    a.escalate("step-2", t0 + Duration::hours(2));
    a.record_breaches(t0 + Duration::days(7));
    views.push(a.view(&raiser(), t0 + Duration::days(7)));
    let escalated = a
        .case
        .escalate(
            a.procedure,
            &a.calendar,
            &raiser(),
            EscalateRequest {
                to: Some(StageId::parse("step-3").unwrap()),
                reasons: text("No plan was agreed"),
                tried: None,
            },
            t0 + Duration::days(7),
        )
        .unwrap()
        .with_contact(Contact {
            method: ContactMethod::FaceToFace,
            at: t0 + Duration::days(7) - Duration::hours(2),
            with_role: text("Head of Service"),
            with_agency: AgencyId::parse("social-care").unwrap(),
        })
        .unwrap();
    a.apply(escalated);
    a.record_form(
        &raiser(),
        "report-to-sscp",
        report_to_sscp(false),
        t0 + Duration::days(7) + Duration::hours(1),
    );
    let resolved = Outcome::Resolved {
        summary: text("An assessment will be opened"),
        agreed_actions: vec![agreed(
            "Open an assessment",
            "social-care",
            None,
            "2026-12-04",
        )],
    };
    // Step 3, "Direct Head of Service to Head of Service Discussion": a manager records the head
    // of service's decision on their behalf, and the response says whose decision it was.
    a.respond(
        &on_behalf(
            "social-care",
            Decider {
                person: PersonId::parse("hos").unwrap(),
                agency: AgencyId::parse("social-care").unwrap(),
                level: Some(Level::HeadOfService),
            },
        ),
        resolved,
        t0 + Duration::days(8),
    );
    a.resolve(&raiser(), t0 + Duration::days(9));
    // The SSCP fills its Monitoring box after the case has closed.
    a.record_form(
        &chair(),
        "report-to-sscp",
        report_to_sscp(true),
        t0 + Duration::days(9) + Duration::hours(1),
    );
    views.push(a.view(&chair(), t0 + Duration::days(9)));

    // Resolved early, with its clock still running (stopped).
    let mut b = Journey::raise(sefton, "case-b", true, t0);
    b.resolve(
        &on_behalf(
            "school",
            Decider {
                person: PersonId::parse("head").unwrap(),
                agency: AgencyId::parse("school").unwrap(),
                level: Some(Level::HeadOfService),
            },
        ),
        t0 + Duration::days(2),
    );
    views.push(b.view(&raiser(), t0 + Duration::days(2)));

    // Withdrawn.
    let mut c = Journey::raise(sefton, "case-c", true, t0);
    c.withdraw(t0 + Duration::days(1));
    views.push(c.view(&raiser(), t0 + Duration::days(1)));

    // A Practice Alert: no child, no receiving agency, a stage without clocks asking agencies
    // for one response each; one answered by the police and closed by the partnership.
    let ppa = catalogue.get("medway-ppa").unwrap();
    let d = Journey::raise(ppa, "alert-d", false, t0);
    views.push(d.view(&raiser(), t0));
    let mut e = Journey::raise(ppa, "alert-e", false, t0);
    e.respond(
        &actor("pc", "police", Role::Manager),
        Outcome::Resolved {
            summary: text("Strategy meeting invitations now go to the health duty line"),
            agreed_actions: vec![],
        },
        t0 + Duration::days(2),
    );
    e.resolve(&chair(), t0 + Duration::days(3));
    views.push(e.view(&raiser(), t0 + Duration::days(3)));

    // Medway informs the conference chair and the IRO (the child has a plan and is in care).
    let medway = catalogue.get("medway").unwrap();
    let f = Journey::raise(medway, "case-f", true, t0);
    let view = f.view(&receiver(), t0);
    assert!(
        !view.inform.is_empty(),
        "medway's first stage informs someone"
    );
    views.push(view);

    for view in &views {
        contract.accepts("CaseView", view);
    }
    let states: BTreeSet<&str> = views
        .iter()
        .flat_map(|v| &v.clocks)
        .map(|c| match c.state {
            ClockState::Running { .. } => "running",
            ClockState::Met { .. } => "met",
            ClockState::Stopped { .. } => "stopped",
        })
        .collect();
    assert_eq!(states.len(), 3, "clock states seen: {states:?}");
    let totals: BTreeSet<&str> = views
        .iter()
        .flat_map(|v| &v.running_totals)
        .map(|t| t.state.as_str())
        .collect();
    assert_eq!(totals.len(), 4, "running-total states seen: {totals:?}");
    vec![a, b, c, d, e, f]
}

/// Sefton's Report to SSCP as the page sends it: every kind, rows included; with the SSCP's
/// Monitoring box when `monitoring`.
pub fn report_to_sscp(monitoring: bool) -> std::collections::BTreeMap<String, Plain> {
    let t = |s: &str| Plain::Text(s.to_owned());
    let row = |cells: &[(&str, &str)]| {
        Plain::Object(cells.iter().map(|(k, v)| (k.to_string(), t(v))).collect())
    };
    let mut values: std::collections::BTreeMap<String, Plain> = [
        ("child-name", t("Jaydon Example-Smith")),
        ("child-date-of-birth", t("2015-06-01")),
        ("escalating-professional", t("Pat Example, pat@example.org")),
        ("role-and-agency", t("Teacher, Example School")),
        (
            "other-professionals",
            Plain::List(vec![row(&[
                ("name", "Meg"),
                ("role", "Team Manager"),
                ("agency", "Social care"),
            ])]),
        ),
        ("level-of-need", t("S47")),
        ("details-of-disagreement", t("Threshold for assessment")),
        ("date-of-discussion", t("2026-11-30")),
        ("actions-taken", t("Heads of service met")),
        ("resolved-at-level-3", Plain::Bool(false)),
        (
            "agency-actions",
            Plain::List(vec![row(&[
                ("action", "Staff briefing on thresholds"),
                ("by-whom", "DSL"),
                ("date-completed", "2026-12-03"),
            ])]),
        ),
        ("completed-by", t("Sam Example / Head")),
        ("date-completed", t("2026-12-01")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if monitoring {
        values.insert("monitoring-date-received".into(), t("2026-12-02"));
        values.insert("monitoring-outcome".into(), t("Noted by the sub group"));
    }
    values
}
