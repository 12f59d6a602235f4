//! Real values of every wire type validate against their component schema in openapi.yaml:
//! request bodies as the page sends them, who-am-I, every built-in procedure, cases from real
//! transitions with the lists and queue built from them, a real report, and problems.

mod contract;

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use contract::examples::{Journey, T0, at, chair, journeys, raiser};
use contract::{Contract, WIRE_TYPES};
use escalations_core::calendar::Division;
use escalations_core::case::{Case, Event, EventKind, Level, Role};
use escalations_core::ids::{
    AgencyId, CaseId, ClockId, PartnershipId, PersonId, ProcedureId, StageId,
};
use escalations_core::procedure::AgencyKind;
use escalations_core::{Calendar, Catalogue};
use escalations_wire::{
    ActionCompletionBody, AgencySummary, AgreedActionBody, CasePage, CaseSummary, ChildBody,
    ConcernBody, ContactBody, EscalationBody, FieldError, FormBody, FormRecorded, FormValueView,
    FormView, Me, OpenCaseRef, PartnershipSummary, PersonSummary, Problem, ProcedureList,
    ProcedureSummary, Queue, QueueActions, QueueItem, RaiseBody, ResolutionBody, ResponseBody,
    SubmissionBody, TimescaleBody, WithdrawalBody,
};

#[test]
fn real_values_of_every_wire_type_match_their_schema() {
    let contract = Contract::new();
    let catalogue = Catalogue::builtin().unwrap();
    let now = at(T0) + Duration::days(10);

    // Request bodies, as the page sends them.
    let child = ChildBody {
        name: Some("Jaydon Example-Smith".into()),
        date_of_birth: Some("2015-06-01".into()),
        address: Some("1 Example Road".into()),
        child_protection_plan: true,
        in_care: false,
    };
    let concern = ConcernBody {
        summary: Some("Referral closed with no assessment".into()),
        reasons: vec!["handling-of-concerns".into()],
        other_reason: Some("The family moved school twice this term".into()),
        level_of_need: Some("s17".into()),
        desired_outcome: Some("A strategy discussion".into()),
        tried: Some("Spoke to the social worker".into()),
    };
    contract.accepts("ChildBody", &child);
    contract.accepts("ConcernBody", &concern);
    contract.accepts(
        "RaiseBody",
        &RaiseBody {
            procedure: Some("sefton".into()),
            receiving_agency: Some("social-care".into()),
            child: Some(child.clone()),
            concern: Some(concern.clone()),
            immediate_risk: Some(false),
            meeting_at: None,
            shorter_timescale: None,
            duplicate_acknowledged: None,
            agencies_asked: Vec::new(),
        },
    );
    // MSET's submission runs "within a maximum of 72 hours" of the meeting; the Chair sets
    // "The timescale for completion (if specific immediate safeguarding concerns are
    // identified)".
    contract.accepts(
        "RaiseBody",
        &RaiseBody {
            procedure: Some("sscp-mset".into()),
            receiving_agency: Some("social-care".into()),
            child: Some(child),
            concern: Some(concern),
            immediate_risk: Some(false),
            meeting_at: Some("2026-06-01T09:00:00Z".into()),
            shorter_timescale: Some(TimescaleBody {
                hours: Some(24),
                ..TimescaleBody::default()
            }),
            duplicate_acknowledged: Some(true),
            agencies_asked: Vec::new(),
        },
    );
    contract.accepts(
        "RaiseBody",
        &RaiseBody {
            procedure: Some("medway-ppa".into()),
            receiving_agency: None,
            child: None,
            concern: Some(ConcernBody {
                summary: Some("Strategy meetings are held without health".into()),
                ..ConcernBody::default()
            }),
            immediate_risk: None,
            meeting_at: None,
            shorter_timescale: None,
            duplicate_acknowledged: None,
            agencies_asked: vec!["police".into(), "health".into()],
        },
    );
    let action = AgreedActionBody {
        what: Some("Share the chronology".into()),
        owner_agency: Some("school".into()),
        owner_person: Some("The safeguarding lead".into()),
        by_when: Some("2026-12-29".into()),
    };
    contract.accepts(
        "AgreedActionBody",
        &AgreedActionBody {
            owner_person: None,
            ..action.clone()
        },
    );
    contract.accepts(
        "ActionCompletionBody",
        &ActionCompletionBody {
            version: Some(4),
            action: Some("a1".into()),
        },
    );
    contract.accepts("AgreedActionBody", &action);
    // Medway: "Conversations between professionals, telephone calls and emails should be
    // recorded on the child's file".
    let contact = ContactBody {
        method: Some("telephone".into()),
        at: Some("2026-03-03T15:30:00Z".into()),
        with_role: Some("Designated Safeguarding Lead".into()),
        with_agency: Some("school".into()),
    };
    contract.accepts("ContactBody", &contact);
    contract.accepts(
        "ResponseBody",
        &ResponseBody {
            version: Some(3),
            outcome: Some("not-resolved".into()),
            reasons: Some("The threshold decision stands".into()),
            agreed_actions: vec![action],
            contact: Some(contact.clone()),
            ..ResponseBody::default()
        },
    );
    contract.accepts(
        "ResponseBody",
        &ResponseBody {
            version: Some(0),
            outcome: Some("resolved".into()),
            summary: Some("An assessment will be opened".into()),
            ..ResponseBody::default()
        },
    );
    // Medway stage 3, recorded by a manager on behalf of the Assistant Director: "(or is
    // recorded on their behalf by a manager, saying so)".
    contract.accepts(
        "ResponseBody",
        &ResponseBody {
            version: Some(5),
            outcome: Some("not-resolved".into()),
            reasons: Some("The threshold decision stands".into()),
            on_behalf_of: Some("social-care-director".into()),
            ..ResponseBody::default()
        },
    );
    contract.accepts(
        "SubmissionBody",
        &SubmissionBody {
            version: Some(1),
            meeting_at: None,
            shorter_timescale: None,
        },
    );
    // Moray stage 3: the meeting with the equivalents at partner agencies took place.
    contract.accepts(
        "SubmissionBody",
        &SubmissionBody {
            version: Some(7),
            meeting_at: Some("2026-03-05T14:00:00Z".into()),
            shorter_timescale: None,
        },
    );
    contract.accepts(
        "EscalationBody",
        &EscalationBody {
            version: Some(2),
            to: Some("step-3".into()),
            reasons: Some("No plan was agreed".into()),
            tried: Some("Called twice".into()),
            meeting_at: Some("2026-03-04T10:00:00Z".into()),
            // Sefton: "Escalation can be via telephone, face-to-face or internet meeting".
            contact: Some(ContactBody {
                method: Some("online-meeting".into()),
                at: Some("2026-03-04T10:00:00Z".into()),
                with_role: Some("Head of Service, Children's Social Care".into()),
                with_agency: Some("social-care".into()),
            }),
        },
    );
    contract.accepts(
        "EscalationBody",
        &EscalationBody {
            version: Some(2),
            reasons: Some("No plan was agreed".into()),
            ..EscalationBody::default()
        },
    );
    contract.accepts(
        "ResolutionBody",
        &ResolutionBody {
            version: Some(7),
            outcome: Some("An assessment was opened".into()),
            lessons_learned: Some("Write it down".into()),
            agreed_actions: vec![AgreedActionBody {
                what: Some("Review at the next core group".into()),
                owner_agency: Some("social-care".into()),
                owner_person: None,
                by_when: Some("2027-01-08".into()),
            }],
            on_behalf_of: None,
        },
    );
    // Moray stage 5: "ultimately, the Chief Social Work Officer (CSWO) has the responsibility
    // for the final decision", recorded by the escalating agency on the CSWO's behalf.
    contract.accepts(
        "ResolutionBody",
        &ResolutionBody {
            version: Some(12),
            outcome: Some("The CSWO decided an assessment is opened".into()),
            lessons_learned: Some("Meet earlier".into()),
            agreed_actions: vec![],
            on_behalf_of: Some("cswo".into()),
        },
    );
    contract.accepts(
        "WithdrawalBody",
        &WithdrawalBody {
            version: Some(1),
            reason: Some("Raised in error".into()),
        },
    );

    // Who am I.
    let agencies = vec![
        AgencySummary {
            id: AgencyId::parse("school").unwrap(),
            name: "Example Primary School".into(),
            kind: AgencyKind::Education,
        },
        AgencySummary {
            id: AgencyId::parse("social-care").unwrap(),
            name: "Children's Social Care".into(),
            kind: AgencyKind::SocialWork,
        },
    ];
    for agency in &agencies {
        contract.accepts("AgencySummary", agency);
    }
    let partnership = PartnershipSummary {
        id: PartnershipId::parse("sefton").unwrap(),
        name: "Sefton Safeguarding Children Partnership".into(),
        division: Division::EnglandAndWales,
        closure_days: vec![NaiveDate::from_ymd_opt(2026, 12, 29).unwrap()],
        agencies,
        people: vec![
            PersonSummary {
                id: PersonId::parse("pat").unwrap(),
                name: "Pat Example".into(),
                agency: AgencyId::parse("school").unwrap(),
                role: Role::Practitioner,
                level: None,
            },
            PersonSummary {
                id: PersonId::parse("sam").unwrap(),
                name: "Sam Example".into(),
                agency: AgencyId::parse("social-care").unwrap(),
                role: Role::Manager,
                level: Some(Level::HeadOfService),
            },
        ],
    };
    contract.accepts("PartnershipSummary", &partnership);
    for (name, role, level) in [
        (Some("Pat Example".to_owned()), Role::Practitioner, None),
        (None, Role::Administrator, None),
        (
            Some("Sam Example".to_owned()),
            Role::Manager,
            Some(Level::HeadOfService),
        ),
    ] {
        contract.accepts(
            "Me",
            &Me {
                person: PersonId::parse("pat").unwrap(),
                name,
                agency: AgencyId::parse("school").unwrap(),
                role,
                level,
                partnership: partnership.clone(),
                now: "2026-11-26T10:00:00Z".parse().unwrap(),
            },
        );
    }

    // Every built-in procedure, whole and summarised.
    let mut summaries = Vec::new();
    for procedure in catalogue.iter() {
        contract.accepts("Procedure", procedure);
        let summary = ProcedureSummary {
            id: procedure.id.clone(),
            name: procedure.name.clone(),
            subject: procedure.subject,
        };
        contract.accepts("ProcedureSummary", &summary);
        summaries.push(summary);
    }
    contract.accepts("ProcedureList", &ProcedureList { items: summaries });

    // Cases, from real transitions, and the lists and queue built from them.
    let journeys = journeys(&catalogue, &contract);
    let kinds: BTreeSet<&str> = journeys
        .iter()
        .flat_map(|j| &j.chronology)
        .map(|e| event_kind(&e.kind))
        .collect();
    let submitted = Event {
        case: CaseId::parse("case-a").unwrap(),
        version: 9,
        seq: 0,
        at: now,
        by: Some(PersonId::parse("chris").unwrap()),
        kind: EventKind::Submitted {
            stage: StageId::parse("level-2").unwrap(),
        },
    };
    // An administrator's change to the closure days moves a running clock.
    let rescheduled = Event {
        case: CaseId::parse("case-a").unwrap(),
        version: 10,
        seq: 0,
        at: now,
        by: Some(PersonId::parse("admin").unwrap()),
        kind: EventKind::ClockRescheduled {
            stage: StageId::parse("level-2").unwrap(),
            clock: ClockId::parse("response").unwrap(),
            due: now + Duration::days(3),
            was: now + Duration::days(2),
        },
    };
    assert_eq!(
        kinds.len() + 3,
        14,
        "the journeys show every kind of event but `submitted`, `clock-rescheduled` and `erased`: {kinds:?}"
    );
    let mut with_submission = journeys[0].view(&chair(), now);
    with_submission.chronology.push(submitted);
    with_submission.chronology.push(rescheduled);
    contract.accepts("CaseView", &with_submission);
    // A closed case whose retention period ended: erased, with its erasure in the chronology.
    let retention = escalations_core::partnership::Retention::years(6).unwrap();
    let closed = journeys
        .iter()
        .map(|j| j.view(&chair(), now))
        .find(|v| !v.case.status.is_open())
        .expect("a journey that closes");
    let erased = closed
        .case
        .erase(&retention, now + Duration::days(366 * 6 + 2))
        .expect("erasable six years on");
    let mut erased_view = closed.clone();
    erased_view.case = erased.case;
    erased_view.chronology.extend(erased.events);
    contract.accepts("CaseView", &erased_view);
    audit(&contract, &with_submission, now);
    for journey in &journeys {
        for clock in &journey.view(&raiser(), now).clocks {
            contract.accepts("ClockView", clock);
        }
    }

    let summaries: Vec<CaseSummary> = journeys.iter().map(Journey::summary).collect();
    for summary in &summaries {
        contract.accepts("CaseSummary", summary);
        contract.accepts("StatusKind", &summary.status);
        if let Some(running) = &summary.running {
            contract.accepts("RunningClock", running);
        }
    }
    contract.accepts(
        "CasePage",
        &CasePage {
            items: summaries[..2].to_vec(),
            next: Some("eyJrIjoiY2FzZS1iIn0".into()),
        },
    );
    contract.accepts(
        "CasePage",
        &CasePage {
            items: summaries,
            next: None,
        },
    );
    let items: Vec<QueueItem> = journeys.iter().filter_map(|j| j.queue_item(now)).collect();
    assert!(items.iter().any(|i| i.due.is_none()) && items.iter().any(|i| i.due.is_some()));
    for item in &items {
        contract.accepts("QueueItem", item);
    }
    let agreed_actions: Vec<QueueActions> = journeys
        .iter()
        .filter_map(|j| j.actions_due(&AgencyId::parse("social-care").unwrap(), now))
        .collect();
    assert!(
        agreed_actions
            .iter()
            .any(|a| a.status == escalations_wire::StatusKind::Resolved),
        "a resolved case's plan is followed up: {agreed_actions:?}"
    );
    for item in &agreed_actions {
        contract.accepts("QueueActions", item);
    }
    contract.accepts(
        "Queue",
        &Queue {
            items,
            agreed_actions,
            now,
        },
    );

    // The report over those cases: a median of two resolutions (9 and 2 days) ends in .5.
    let cases: Vec<Case> = journeys.iter().map(|j| j.case.clone()).collect();
    let report = escalations_core::report::report(
        &cases,
        &catalogue,
        &Calendar::new(Division::EnglandAndWales),
        "2026-11-01".parse().unwrap(),
        "2026-11-30".parse().unwrap(),
        now,
    );
    assert_eq!(report.resolution_times.median_days, Some(5.5));
    assert_eq!(report.practice_alerts.len(), 2);
    assert!(!report.contacts_by_method.is_empty() && !report.running_totals.is_empty());
    assert_eq!(report.agreed_actions["sefton"].done_on_time, 1);
    contract.accepts("Report", &report);
    let mut one_procedure = report.clone();
    one_procedure.procedure = Some(escalations_core::ids::ProcedureId::parse("sefton").unwrap());
    // 2 days falls in the first week's band, 9 in the second week's.
    let bands: Vec<usize> = report
        .resolution_times
        .distribution
        .iter()
        .map(|b| b.cases)
        .collect();
    assert_eq!(bands, [1, 1, 0, 0, 0]);
    contract.accepts("Report", &one_procedure);
    contract.accepts(
        "Overview",
        &escalations_wire::Overview {
            open: 3,
            overdue: 1,
            resolved_this_quarter: 2,
            quarter_from: "2026-10-01".parse().unwrap(),
        },
    );
    let empty = escalations_core::report::report(
        &[],
        &catalogue,
        &Calendar::new(Division::EnglandAndWales),
        "2026-11-01".parse().unwrap(),
        "2026-11-30".parse().unwrap(),
        now,
    );
    contract.accepts("Report", &empty);

    // Problems.
    let errors = vec![FieldError {
        field: "concern.summary".into(),
        message: "is empty: write something here".into(),
    }];
    contract.accepts("FieldError", &errors[0]);
    contract.accepts(
        "Problem",
        &Problem {
            kind: "https://escalations.invalid/problems/invalid-request".into(),
            title: "Bad Request".into(),
            status: 400,
            detail: "concern.summary: is empty: write something here".into(),
            errors,
            open_cases: Vec::new(),
        },
    );
    contract.accepts(
        "Problem",
        &Problem {
            kind: "https://escalations.invalid/problems/unauthenticated".into(),
            title: "Unauthorized".into(),
            status: 401,
            detail: "sign in first".into(),
            errors: Vec::new(),
            open_cases: Vec::new(),
        },
    );
    let open_case = OpenCaseRef {
        id: CaseId::parse("5b0c6a52-1c1f-4f57-9a55-0c1d4e1f2a3b").unwrap(),
        procedure: ProcedureId::parse("moray").unwrap(),
        stage: StageId::parse("stage-1").unwrap(),
        raised_at: at(T0),
    };
    contract.accepts("OpenCaseRef", &open_case);
    contract.accepts(
        "Problem",
        &Problem {
            kind: "https://escalations.invalid/problems/possible-duplicate".into(),
            title: "Conflict".into(),
            status: 409,
            detail: "an open escalation about this child with this agency already exists".into(),
            errors: Vec::new(),
            open_cases: vec![open_case],
        },
    );

    // A form, as the page sends it and reads it back.
    contract.accepts(
        "FormBody",
        &FormBody {
            version: Some(4),
            values: Some(contract::examples::report_to_sscp(true)),
        },
    );
    let sefton = catalogue.get("sefton").unwrap();
    let report_form = sefton
        .form(&escalations_core::ids::FormId::parse("report-to-sscp").unwrap())
        .unwrap();
    let values = report_form
        .parse_values(&contract::examples::report_to_sscp(false))
        .unwrap();
    contract.accepts(
        "FormView",
        &FormView {
            form: report_form.clone(),
            stage: StageId::parse("step-3").unwrap(),
            version: 5,
            recorded: Some(FormRecorded {
                by: PersonId::parse("pat").unwrap(),
                at: now,
                version: 5,
            }),
            values: values
                .iter()
                .map(|(field, value)| FormValueView {
                    field: field.clone(),
                    value: value.plain(),
                    prefilled: field.as_str() == "child-name",
                })
                .collect(),
        },
    );

    // Calendar feeds: the link as given on the local stack and behind CloudFront.
    for url in [
        "http://127.0.0.1:8080/api/calendar/sefton.pat.q3X0lS3kYy7C3Pk1I8a8fXwzq9d9oYb0J-4_uW2mVZQ.ics",
        "/api/calendar/sefton.pat.q3X0lS3kYy7C3Pk1I8a8fXwzq9d9oYb0J-4_uW2mVZQ.ics",
    ] {
        contract.accepts(
            "CalendarFeedLink",
            &escalations_wire::CalendarFeedLink {
                url: url.into(),
                created_at: now,
            },
        );
    }
    contract.accepts(
        "CalendarFeedState",
        &escalations_wire::CalendarFeedState {
            active: true,
            created_at: Some(now),
        },
    );
    contract.accepts(
        "CalendarFeedState",
        &escalations_wire::CalendarFeedState {
            active: false,
            created_at: None,
        },
    );

    administration(&contract, &catalogue, now);

    let checked = contract.checked.borrow();
    let missing: Vec<&&str> = WIRE_TYPES
        .iter()
        .filter(|t| !checked.contains(**t))
        .collect();
    assert!(missing.is_empty(), "no example checked for {missing:?}");
}

/// The access history and a subject access export of a real case, with a reader the
/// partnership no longer knows (no name).
fn audit(
    contract: &Contract,
    view: &escalations_wire::CaseView,
    now: chrono::DateTime<chrono::Utc>,
) {
    let entries = vec![
        escalations_wire::AccessEntry {
            at: now,
            by: PersonId::parse("pat").unwrap(),
            name: Some("Pat Practitioner".into()),
            agency: AgencyId::parse("school").unwrap(),
            role: Role::Practitioner,
            part: "case".parse().unwrap(),
        },
        escalations_wire::AccessEntry {
            at: now,
            by: PersonId::parse("sol").unwrap(),
            name: None,
            agency: AgencyId::parse("social-care").unwrap(),
            role: Role::Manager,
            part: "form:report-to-sscp".parse().unwrap(),
        },
        escalations_wire::AccessEntry {
            at: now,
            by: PersonId::parse("chair").unwrap(),
            name: Some("Chris Chair".into()),
            agency: AgencyId::parse("sscp").unwrap(),
            role: Role::Chair,
            part: "export".parse().unwrap(),
        },
    ];
    for entry in &entries {
        contract.accepts("AccessEntry", entry);
    }
    contract.accepts(
        "AccessHistory",
        &escalations_wire::AccessHistory {
            case: view.case.id.clone(),
            entries: entries.clone(),
        },
    );
    let sent = escalations_wire::NoticeSent {
        key: "raised/v1/asked".into(),
        recorded_at: now,
    };
    contract.accepts("NoticeSent", &sent);
    contract.accepts(
        "CaseRecordView",
        &escalations_wire::CaseRecordView {
            partnership: PartnershipId::parse("sefton-scp").unwrap(),
            exported_at: now,
            exported_by: PersonId::parse("chair").unwrap(),
            record: view.clone(),
            notices_sent: vec![sent],
            access: entries,
        },
    );
}

fn event_kind(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Raised { .. } => "raised",
        EventKind::ClockStarted { .. } => "clock-started",
        EventKind::ClockMet { .. } => "clock-met",
        EventKind::ClockStopped { .. } => "clock-stopped",
        EventKind::ClockBreached { .. } => "clock-breached",
        EventKind::ClockRescheduled { .. } => "clock-rescheduled",
        EventKind::Submitted { .. } => "submitted",
        EventKind::Responded { .. } => "responded",
        EventKind::Escalated { .. } => "escalated",
        EventKind::Resolved { .. } => "resolved",
        EventKind::Withdrawn { .. } => "withdrawn",
        EventKind::FormRecorded { .. } => "form-recorded",
        EventKind::ActionDone { .. } => "action-done",
        EventKind::Erased { .. } => "erased",
    }
}

/// Administration: every demo partnership's configuration as an administrator reads it (one
/// with notice settings changed), a change, a preview and the bodies the page sends.
fn administration(contract: &Contract, catalogue: &Catalogue, now: chrono::DateTime<chrono::Utc>) {
    use escalations_wire::{
        AdminView, AgencyBody, ClosureDayPreview, ConfigChangeBody, ConfigChangeView,
        ConfigChanged, MovedDeadlineView, NoticesBody, PersonBody,
    };
    let files = [
        (
            "sefton.toml",
            include_str!("../../../infra/demo/sefton.toml"),
        ),
        (
            "medway.toml",
            include_str!("../../../infra/demo/medway.toml"),
        ),
        ("moray.toml", include_str!("../../../infra/demo/moray.toml")),
        ("sscp.toml", include_str!("../../../infra/demo/sscp.toml")),
    ];
    let change = ConfigChangeView {
        version: 2,
        at: now,
        by: PersonId::parse("admin").unwrap(),
        what: "added closure day Tuesday 29 December 2026".into(),
    };
    contract.accepts("ConfigChangeView", &change);
    let moved = MovedDeadlineView {
        case: CaseId::parse("case-a").unwrap(),
        procedure: ProcedureId::parse("sefton").unwrap(),
        stage: StageId::parse("step-1").unwrap(),
        clock: ClockId::parse("response").unwrap(),
        was: now,
        due: now + Duration::days(1),
    };
    contract.accepts("MovedDeadlineView", &moved);
    for (name, text) in files {
        let mut config = escalations_core::partnership::load(name, text, catalogue).unwrap();
        config
            .closure_days
            .push(NaiveDate::from_ymd_opt(2026, 12, 29).unwrap());
        if name == "moray.toml" {
            config.notices.reminder_percent = 50;
        }
        let view = AdminView {
            version: 2,
            partnership: config,
            changes: vec![change.clone()],
        };
        contract.accepts("PartnershipConfig", &view.partnership);
        contract.accepts("AdminView", &view);
        contract.accepts(
            "ConfigChanged",
            &ConfigChanged {
                admin: view,
                change: change.clone(),
                moved: vec![moved.clone()],
            },
        );
    }
    contract.accepts(
        "ClosureDayPreview",
        &ClosureDayPreview {
            date: NaiveDate::from_ymd_opt(2026, 12, 29).unwrap(),
            remove: false,
            moves: vec![moved.clone()],
        },
    );
    let agency = AgencyBody {
        id: Some("youth-justice".into()),
        name: Some("Sefton Youth Justice Service".into()),
        kind: Some("youth-justice".into()),
        mailbox: Some("yjs@sefton.example.org".into()),
    };
    let person = PersonBody {
        id: Some("sam-newcomer".into()),
        name: Some("Sam Newcomer".into()),
        email: Some("sam@sefton.example.org".into()),
        agency: Some("police".into()),
        role: Some("manager".into()),
        level: Some("second-line".into()),
    };
    let notices = NoticesBody {
        working_hours: Some("09:00-17:00".into()),
        reminder_percent: Some(50),
        unanswered_after_working_days: Some(2),
    };
    contract.accepts("AgencyBody", &agency);
    contract.accepts("PersonBody", &person);
    contract.accepts("NoticesBody", &notices);
    for body in [
        ConfigChangeBody {
            version: Some(1),
            change: Some("add-closure-day".into()),
            date: Some("2026-12-29".into()),
            ..Default::default()
        },
        ConfigChangeBody {
            version: Some(2),
            change: Some("add-person".into()),
            person: Some(person),
            ..Default::default()
        },
        ConfigChangeBody {
            version: Some(3),
            change: Some("add-agency".into()),
            agency: Some(agency),
            ..Default::default()
        },
        ConfigChangeBody {
            version: Some(4),
            change: Some("set-mailbox".into()),
            mailbox: Some("recording".into()),
            address: Some("recording@sefton.example.org".into()),
            ..Default::default()
        },
        ConfigChangeBody {
            version: Some(5),
            change: Some("set-notices".into()),
            notices: Some(notices),
            ..Default::default()
        },
        ConfigChangeBody {
            version: Some(6),
            change: Some("remove-person".into()),
            id: Some("sam-newcomer".into()),
            ..Default::default()
        },
        ConfigChangeBody {
            version: Some(7),
            change: Some("set-retention".into()),
            closed_cases_kept_for_years: Some(6),
            ..Default::default()
        },
        ConfigChangeBody {
            version: Some(8),
            change: Some("clear-retention".into()),
            ..Default::default()
        },
    ] {
        contract.accepts("ConfigChangeBody", &body);
    }
}
