//! The application layer's results as the wire types the page reads.

use escalations_app::{CaseDetail, CaseRecord, FormDetail, MeDetail, Read};
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

/// Reads as the access history shows them.
pub(crate) fn access_entries(reads: Vec<Read>) -> Vec<wire::AccessEntry> {
    reads
        .into_iter()
        .map(|Read { access, name }| wire::AccessEntry {
            name,
            at: access.at,
            by: access.by,
            agency: access.agency,
            role: access.role,
            part: access.part,
        })
        .collect()
}

pub(crate) fn case_record(who: &Principal, record: CaseRecord) -> wire::CaseRecordView {
    wire::CaseRecordView {
        partnership: who.partnership.clone(),
        exported_at: record.exported_at,
        exported_by: record.exported_by,
        record: case_view(record.detail),
        notices_sent: record
            .notices
            .into_iter()
            .map(|n| wire::NoticeSent {
                key: n.key.as_str().to_owned(),
                recorded_at: n.recorded_at,
            })
            .collect(),
        access: access_entries(record.access),
    }
}
