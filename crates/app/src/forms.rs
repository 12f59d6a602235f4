//! Reading a case's form: its fields with the values last recorded, and for the fields still
//! blank what the case already knows (pre-filled, and marked so).

use chrono::{DateTime, Utc};
use escalations_core::access::{CasePart, Principal};
use escalations_core::case::{FormRecord, Refused};
use escalations_core::forms::FieldValue;
use escalations_core::ids::{CaseId, FieldId, FormId, StageId};
use escalations_core::procedure::Form;

use crate::view::ViewError;
use crate::{App, NotSetUp, ProcedureMissing};

/// Which record of a form is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FormAt {
    /// The form at the case's current stage, to record it there (refused if the stage does
    /// not use it).
    #[default]
    Current,
    /// Its latest record whatever the stage (or, never recorded, at the stage that uses it),
    /// to print: a pro-forma of an earlier stage is still read after the case moved on.
    Latest,
}

/// A form of a case as its reader sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormDetail {
    pub form: Form,
    /// The stage it is (or would be) recorded at: the case's current stage; with
    /// `FormAt::Latest`, the stage of its latest record (or the stage that uses it).
    pub stage: StageId,
    /// The current record at that stage, if any.
    pub record: Option<FormRecord>,
    /// Each field's value, in the form's order: last recorded, or else pre-filled from the
    /// case (`true`).
    pub values: Vec<(FieldId, FieldValue, bool)>,
    /// The case version read, to send back with the record.
    pub version: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("no such case")]
    NoSuchCase,
    /// No such form, or not the current stage's.
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error(transparent)]
    NotSetUp(#[from] NotSetUp),
    #[error(transparent)]
    ProcedureMissing(#[from] ProcedureMissing),
    #[error(transparent)]
    Store(escalations_store::StoreError),
}

impl From<escalations_store::StoreError> for FormError {
    fn from(e: escalations_store::StoreError) -> Self {
        FormError::Store(e)
    }
}

impl From<ViewError> for FormError {
    fn from(e: ViewError) -> Self {
        match e {
            ViewError::NoSuchCase => FormError::NoSuchCase,
            ViewError::NotSetUp(e) => FormError::NotSetUp(e),
            ViewError::ProcedureMissing(e) => FormError::ProcedureMissing(e),
            ViewError::Calendar(e) => FormError::Refused(Refused::Calendar(e)),
            ViewError::Store(e) => FormError::Store(e),
        }
    }
}

impl App {
    /// A form of the case at its current stage (or, `FormAt::Latest`, as last recorded
    /// anywhere): the recorded values, or what the case already knows.
    pub async fn case_form(
        &self,
        who: &Principal,
        id: &CaseId,
        form: &FormId,
        at: FormAt,
        now: DateTime<Utc>,
    ) -> Result<FormDetail, FormError> {
        let case = self
            .read_case(who, id, CasePart::Form(form.clone()), now)
            .await?;
        let procedure = self.procedure_of(&case.procedure)?;
        // The latest record of this form at any stage carries forward (Moray's record runs
        // "from Stage 1 onwards"); what is still blank is pre-filled from the case.
        let latest = case.forms.iter().rev().find(|r| &r.form == form);
        let (found, stage, record) = match case.form_here(procedure, form) {
            Ok(found) if at == FormAt::Current => {
                let record = case.form_record(&case.stage, form).cloned();
                (found, case.stage.clone(), record)
            }
            Ok(found) => {
                let stage = latest.map_or_else(|| case.stage.clone(), |r| r.stage.clone());
                (found, stage, latest.cloned())
            }
            Err(refused @ Refused::FormNotAtStage { .. }) if at == FormAt::Latest => {
                let found = procedure.form(form).ok_or(refused)?;
                let using = procedure
                    .stages
                    .iter()
                    .find(|s| s.form.as_ref() == Some(form));
                let stage = match (latest, using) {
                    (Some(r), _) => r.stage.clone(),
                    (None, Some(s)) => s.id.clone(),
                    (None, None) => case.stage.clone(),
                };
                (found, stage, latest.cloned())
            }
            Err(refused) => return Err(refused.into()),
        };
        let mut values: Vec<(FieldId, FieldValue, bool)> = latest
            .map(|r| {
                r.values
                    .iter()
                    .map(|(id, value)| (id.clone(), value.clone(), false))
                    .collect()
            })
            .unwrap_or_default();
        let config = self.config::<FormError>(who).await?;
        for (id, value) in case.prefill(procedure, found, &config, now) {
            if !values.iter().any(|(known, _, _)| known == &id) {
                values.push((id, value, true));
            }
        }
        values.sort_by_key(|(id, _, _)| found.fields.iter().position(|f| &f.id == id));
        Ok(FormDetail {
            form: found.clone(),
            stage,
            record,
            values,
            version: case.version,
        })
    }
}
