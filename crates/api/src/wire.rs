//! The application layer's results as the wire types the page reads.

use escalations_app::{CaseDetail, FormDetail, MeDetail};
use escalations_core::access::Principal;
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
        running_totals: detail.running_totals,
        inform: detail.inform,
        chronology: detail.chronology,
        now: detail.now,
    }
}

pub(crate) fn me(who: &Principal, me: MeDetail, now: chrono::DateTime<chrono::Utc>) -> wire::Me {
    let config = me.partnership;
    wire::Me {
        now,
        person: who.actor.person.clone(),
        level: me.person.as_ref().and_then(|p| p.level),
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
            people: config
                .people
                .into_iter()
                .map(|p| wire::PersonSummary {
                    id: p.id,
                    name: p.name,
                    agency: p.agency,
                    role: p.role,
                    level: p.level,
                })
                .collect(),
        },
    }
}

pub(crate) fn form_view(detail: FormDetail) -> wire::FormView {
    wire::FormView {
        form: detail.form,
        stage: detail.stage,
        version: detail.version,
        recorded: detail.record.map(|r| wire::FormRecorded {
            by: r.by,
            at: r.at,
            version: r.version,
        }),
        values: detail
            .values
            .into_iter()
            .map(|(field, value, prefilled)| wire::FormValueView {
                field,
                value: value.plain(),
                prefilled,
            })
            .collect(),
    }
}
