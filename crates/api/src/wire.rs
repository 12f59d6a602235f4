//! The application layer's results as the wire types the page reads.

use escalations_app::{CaseDetail, MeDetail};
use escalations_core::access::Principal;
use escalations_store::CaseSummary;
use escalations_wire as wire;

pub(crate) fn case_view(detail: CaseDetail) -> wire::CaseView {
    wire::CaseView {
        case: detail.case,
        next_move: detail.next_move,
        your_sides: detail.your_sides,
        clocks: detail
            .clocks
            .into_iter()
            .map(|(run, state)| wire::ClockView { run, state })
            .collect(),
        inform: detail.inform,
        chronology: detail.chronology,
        now: detail.now,
    }
}

pub(crate) fn case_summary(summary: &CaseSummary) -> wire::CaseSummary {
    wire::CaseSummary {
        id: summary.id.clone(),
        procedure: summary.procedure.clone(),
        stage: summary.stage.clone(),
        status: summary.status,
        raised_at: summary.raised_at,
        updated_at: summary.updated_at,
        raising_agency: summary.raising_agency.clone(),
        receiving_agency: summary.receiving_agency.clone(),
        running: summary.running.as_ref().map(|r| wire::RunningClock {
            stage: r.stage.clone(),
            clock: r.clock.clone(),
            owner: r.owner,
            due: r.due,
        }),
        version: summary.version,
    }
}

pub(crate) fn me(who: &Principal, me: MeDetail) -> wire::Me {
    let config = me.partnership;
    wire::Me {
        person: who.actor.person.clone(),
        name: me.person.map(|p| p.name),
        agency: who.actor.agency.clone(),
        role: who.actor.role,
        partnership: wire::PartnershipSummary {
            id: config.id,
            name: config.name,
            division: config.division,
            closure_days: config.closure_days,
            agencies: config
                .agencies
                .into_iter()
                .map(|a| wire::AgencySummary {
                    id: a.id,
                    name: a.name,
                    kind: a.kind,
                })
                .collect(),
        },
    }
}
