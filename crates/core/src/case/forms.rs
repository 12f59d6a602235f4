//! A case's forms: recording a procedure's form at the stage that uses it (history kept, the
//! latest record of a form at a stage is current), and pre-filling one from what the case
//! already knows.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::refusals::ids_list;
use super::transitions::Builder;
use super::{Actor, Case, EventKind, Refused, Role, Status, Transition, local_time};
use crate::forms::{FieldValue, FormProblem, FormValues, Plain};
use crate::ids::{FieldId, FormId, PersonId, StageId};
use crate::partnership::PartnershipConfig;
use crate::procedure::{Form, Party, Prefill, Procedure};
use crate::timescale::local_date;

/// One recording of a form at a stage. Recording it again adds another; none is overwritten.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormRecord {
    pub stage: StageId,
    pub form: FormId,
    pub values: FormValues,
    pub by: PersonId,
    pub at: DateTime<Utc>,
    /// The case version this record produced.
    pub version: u64,
}

impl Case {
    /// The form the current stage uses, refusing a form the procedure lacks or the stage does
    /// not use.
    pub fn form_here<'p>(
        &self,
        procedure: &'p Procedure,
        form: &FormId,
    ) -> Result<&'p Form, Refused> {
        let found = procedure.form(form).ok_or_else(|| Refused::NoSuchForm {
            given: form.clone(),
            choices: ids_list(procedure.forms.iter().map(|f| f.id.as_str())),
        })?;
        let stage = procedure.stage(self.stage.as_str());
        let here = stage.and_then(|s| s.form.as_ref());
        if here != Some(form) {
            return Err(Refused::FormNotAtStage {
                form: form.clone(),
                stage: self.stage.clone(),
                here: here.map_or_else(|| "no form".to_owned(), |f| format!("`{f}`")),
            });
        }
        Ok(found)
    }

    /// The current record of each form at each stage: the latest of each (stage, form), in
    /// the order first recorded.
    pub fn current_forms(&self) -> Vec<&FormRecord> {
        let mut current: Vec<&FormRecord> = Vec::new();
        for record in &self.forms {
            match current
                .iter_mut()
                .find(|r| r.stage == record.stage && r.form == record.form)
            {
                Some(slot) => *slot = record,
                None => current.push(record),
            }
        }
        current
    }

    /// The current record of a form at a stage.
    pub fn form_record(&self, stage: &StageId, form: &FormId) -> Option<&FormRecord> {
        self.forms
            .iter()
            .rev()
            .find(|r| &r.stage == stage && &r.form == form)
    }

    /// Records a form's values at the current stage, as the actor sent them. Someone who
    /// stands on a side of the case records it while the case is open; once closed, only a
    /// form with a part the partnership fills (Sefton's Monitoring box), by the partnership.
    /// A field only one side fills is not required of anyone else, refused from them if
    /// changed, and kept from the form's last record. Every problem with the values is named at once.
    pub fn record_form(
        &self,
        procedure: &Procedure,
        actor: &Actor,
        form: &FormId,
        input: &BTreeMap<String, Plain>,
        now: DateTime<Utc>,
    ) -> Result<Transition, Refused> {
        if self.procedure != procedure.id {
            return Err(Refused::WrongProcedure {
                case: self.procedure.clone(),
                given: procedure.id.clone(),
            });
        }
        if actor.role == Role::Administrator {
            return Err(Refused::AdministratorsDoNotAct);
        }
        let found = self.form_here(procedure, form)?;
        let parties = self.parties_of(actor);
        if parties.is_empty() {
            return Err(Refused::NotYourMove {
                expected: "a form is recorded by the agencies party to the case or the \
                           partnership's chair"
                    .to_owned(),
            });
        }
        let closed = match &self.status {
            Status::Open => None,
            Status::Resolved { at, .. } => Some(("resolved", *at)),
            Status::Withdrawn { at, .. } => Some(("withdrawn", *at)),
        };
        if let Some((how, at)) = closed {
            let after_closure = parties.iter().any(|p| found.filled_after_closure_by(*p));
            if !after_closure {
                return Err(Refused::Closed {
                    how,
                    at: local_time(at),
                });
            }
        }
        // The fields another side fills: not required of this person, refused if changed, and
        // kept from the form's last record (at any stage: MSET's Section 1 is sent at the
        // submission, its Section 2 answered at level 1).
        let previous = self.forms.iter().rev().find(|r| &r.form == form);
        let theirs = |side: Option<Party>| side.is_some_and(|side| !parties.contains(&side));
        let mut mine = found.clone();
        for field in &mut mine.fields {
            if theirs(field.filled_by) {
                field.required = false;
            }
        }
        let mut given = input.clone();
        let mut refused = Vec::new();
        for field in found.fields.iter().filter(|f| theirs(f.filled_by)) {
            let side = field.filled_by.expect("filtered on it");
            let kept = previous
                .and_then(|p| p.values.get(field.id.as_str()))
                .map(FieldValue::plain);
            // Blank, or the kept value sent back as read, is no attempt to fill it.
            let changed = given
                .remove(field.id.as_str())
                .is_some_and(|v| !v.is_empty() && Some(&v) != kept.as_ref());
            if changed {
                refused.push(FormProblem {
                    at: field.id.to_string(),
                    message: format!("{} is filled by {}", field.label, side.describe()),
                });
            }
        }
        let (mut values, mut problems) = match mine.parse_values(&given) {
            Ok(values) => (values, Vec::new()),
            Err(problems) => (FormValues::default(), problems),
        };
        problems.extend(refused);
        for field in found.fields.iter().filter(|f| theirs(f.filled_by)) {
            if let Some(kept) = previous.and_then(|p| p.values.get(field.id.as_str())) {
                values.insert(field.id.clone(), kept.clone());
            }
        }
        if !problems.is_empty() {
            return Err(Refused::FormInvalid { problems });
        }
        let now = self.effective_now(now);
        let mut b = Builder::new(self.clone(), Some(actor.person.clone()), now);
        let version = b.case.version;
        b.case.forms.push(FormRecord {
            stage: self.stage.clone(),
            form: form.clone(),
            values,
            by: actor.person.clone(),
            at: now,
            version,
        });
        b.event(EventKind::FormRecorded {
            stage: self.stage.clone(),
            form: form.clone(),
        });
        Ok(b.done())
    }

    /// What the case already knows for a form's fields that declare a `prefill`: dates,
    /// stages, agencies and the names of who acted (from the partnership's configuration).
    /// Facts the case does not have yet are left out.
    pub fn prefill(
        &self,
        procedure: &Procedure,
        form: &Form,
        config: &PartnershipConfig,
        now: DateTime<Utc>,
    ) -> BTreeMap<FieldId, FieldValue> {
        let person = |id: &PersonId| {
            config
                .people
                .iter()
                .find(|p| &p.id == id)
                .map_or_else(|| id.to_string(), |p| p.name.clone())
        };
        let agency = |id: &crate::ids::AgencyId| {
            config
                .agencies
                .iter()
                .find(|a| &a.id == id)
                .map_or_else(|| id.to_string(), |a| a.name.clone())
        };
        let response = |stage: &StageId| self.responses.iter().find(|r| &r.stage == stage);
        let mut filled = BTreeMap::new();
        for field in &form.fields {
            let Some(prefill) = &field.prefill else {
                continue;
            };
            let value = match prefill {
                Prefill::RaisedAt => Some(FieldValue::Date(local_date(self.raised_at))),
                Prefill::RaisingAgency => Some(FieldValue::Text(agency(&self.raising_agency))),
                Prefill::ReceivingAgency => self
                    .receiving_agency
                    .as_ref()
                    .map(|a| FieldValue::Text(agency(a))),
                Prefill::RaisedBy => Some(FieldValue::Text(person(&self.raised_by))),
                Prefill::ChildName => self
                    .child
                    .as_ref()
                    .map(|c| FieldValue::Text(c.name.to_string())),
                Prefill::ChildDateOfBirth => self
                    .child
                    .as_ref()
                    .and_then(|c| c.date_of_birth)
                    .map(FieldValue::Date),
                Prefill::StageEntered(stage) => self
                    .stages_entered
                    .iter()
                    .find(|e| &e.stage == stage)
                    .map(|e| FieldValue::Date(local_date(e.at))),
                Prefill::ResponseAt(stage) => {
                    response(stage).map(|r| FieldValue::Date(local_date(r.at)))
                }
                Prefill::Responder(stage) => {
                    response(stage).map(|r| FieldValue::Text(person(&r.by)))
                }
                Prefill::CurrentStage => Some(FieldValue::Text(
                    procedure
                        .stage(self.stage.as_str())
                        .map_or_else(|| self.stage.to_string(), |s| s.name.clone()),
                )),
                Prefill::Today => Some(FieldValue::Date(local_date(now))),
            };
            if let Some(value) = value {
                filled.insert(field.id.clone(), value);
            }
        }
        filled
    }
}
