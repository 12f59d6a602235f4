//! Loading one procedure file: the raw serde shapes with their spans, and the checks that
//! turn them into a valid `Procedure`, with errors that name the file, the place in it and
//! what to fix.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Deserialize;
use toml::Spanned;

use super::{
    Action, AgencyKind, Asked, Clock, ClockStart, Field, FieldKind, Form, ImmediateRisk, Inform,
    LevelOfNeed, LevelOfNeedAsked, Mailbox, ManagementLine, OTHER_REASON, Party, Prefill,
    Procedure, RaiserRole, Reason, Stage, Subject,
};
use crate::calendar::Division;
use crate::case::Level;
use crate::ids::{
    ClockId, FieldId, FormId, LevelId, MailboxId, ProcedureId, ReasonId, StageId, is_kebab_id,
};
use crate::source::line_column;
use crate::timescale::{Timescale, UNITS};

/// A procedure file that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureError {
    pub file: String,
    /// 1-based line and column, when the problem has a place.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for ProcedureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                write!(f, "{}:{line}:{column}: {}", self.file, self.message)
            }
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ProcedureError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcedure {
    id: Spanned<String>,
    name: String,
    partnership: String,
    division: Division,
    subject: Spanned<Subject>,
    raised_by: Vec<RaiserRole>,
    deciding_party: Option<Spanned<Party>>,
    summary: String,
    before: Option<String>,
    guidance: Option<String>,
    source: String,
    #[serde(default)]
    mailboxes: BTreeMap<Spanned<String>, Mailbox>,
    #[serde(default)]
    reasons: Vec<RawLabelled>,
    #[serde(default)]
    levels_of_need: Vec<RawLabelled>,
    level_of_need_asked: Option<Spanned<RawLevelAsked>>,
    immediate_risk: Option<Spanned<RawImmediateRisk>>,
    #[serde(default)]
    forms: Vec<RawForm>,
    #[serde(default)]
    line_management: Vec<RawLine>,
    #[serde(default)]
    stages: Vec<RawStage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLabelled {
    id: Spanned<String>,
    label: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum LevelAskedAt {
    Raise,
    Form,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevelAsked {
    at: Spanned<LevelAskedAt>,
    form: Option<Spanned<String>>,
    field: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImmediateRisk {
    question: Spanned<String>,
    instruction: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForm {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    marking: Option<Spanned<String>>,
    fields: Vec<RawField>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    id: Spanned<String>,
    label: String,
    kind: Spanned<FieldKind>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    personal: bool,
    #[serde(default)]
    options: Vec<String>,
    #[serde(default)]
    columns: Vec<RawField>,
    prefill: Option<Spanned<String>>,
    filled_by: Option<Party>,
    after_closure: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLine {
    id: Spanned<String>,
    label: String,
    roles: BTreeMap<AgencyKind, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    id: Spanned<String>,
    name: String,
    description: String,
    asked: RawAsked,
    escalated_by: Option<Spanned<Level>>,
    #[serde(default)]
    requires: Vec<Spanned<String>>,
    #[serde(default)]
    copy: Vec<Spanned<String>>,
    #[serde(default)]
    inform: Vec<Inform>,
    form: Option<Spanned<String>>,
    closes_with_form: Option<Spanned<bool>>,
    #[serde(default)]
    clocks: Vec<RawClock>,
    running_total: Option<Spanned<BTreeMap<String, Spanned<i64>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAsked {
    party: Party,
    role: String,
    line: Option<Spanned<String>>,
    #[serde(default)]
    by_agency: BTreeMap<AgencyKind, String>,
    each_agency: Option<Spanned<bool>>,
    level: Option<Spanned<Level>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClock {
    id: Spanned<String>,
    owner: Party,
    who: String,
    task: String,
    action: Action,
    timescale: Spanned<BTreeMap<String, Spanned<i64>>>,
    starts: Option<Spanned<String>>,
    from: Option<Spanned<String>>,
    before_raise: Option<Spanned<bool>>,
    or_missed: Option<Spanned<bool>>,
    shorter_by: Option<Spanned<RaiserRole>>,
    unanswered_after_working_days: Option<Spanned<u32>>,
}

/// The kinds a column of a `rows` field may have: one value each.
const COLUMN_KINDS: [FieldKind; 6] = [
    FieldKind::Text,
    FieldKind::LongText,
    FieldKind::Date,
    FieldKind::YesNo,
    FieldKind::Choice,
    FieldKind::Email,
];

struct Loader<'a> {
    file: &'a str,
    text: &'a str,
}

impl Loader<'_> {
    fn at(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> ProcedureError {
        let (line, column) = line_column(self.text, span.start);
        ProcedureError {
            file: self.file.to_owned(),
            line: Some(line),
            column: Some(column),
            message: message.into(),
        }
    }

    fn whole(&self, message: impl Into<String>) -> ProcedureError {
        ProcedureError {
            file: self.file.to_owned(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    fn id<T>(
        &self,
        raw: &Spanned<String>,
        what: &str,
        parse: impl Fn(&str) -> Result<T, crate::ids::InvalidId>,
    ) -> Result<T, ProcedureError> {
        parse(raw.get_ref()).map_err(|e| self.at(raw.span(), format!("{what} id: {e}")))
    }

    fn unique<'s>(
        &self,
        ids: impl IntoIterator<Item = &'s Spanned<String>>,
        what: &str,
    ) -> Result<(), ProcedureError> {
        let mut seen = BTreeSet::new();
        for id in ids {
            if !seen.insert(id.get_ref().as_str()) {
                return Err(self.at(
                    id.span(),
                    format!(
                        "duplicate {what} id `{}`: each {what} needs its own id",
                        id.get_ref()
                    ),
                ));
            }
        }
        Ok(())
    }

    fn labelled<I>(
        &self,
        raw: &[RawLabelled],
        what: &str,
        parse: impl Fn(&str) -> Result<I, crate::ids::InvalidId> + Copy,
    ) -> Result<Vec<(I, String)>, ProcedureError> {
        self.unique(raw.iter().map(|r| &r.id), what)?;
        raw.iter()
            .map(|r| Ok((self.id(&r.id, what, parse)?, r.label.clone())))
            .collect()
    }

    fn timescale(
        &self,
        raw: &Spanned<BTreeMap<String, Spanned<i64>>>,
    ) -> Result<Timescale, ProcedureError> {
        let units = raw.get_ref();
        let mut entries = units.iter();
        let (unit, count) = match (entries.next(), entries.next()) {
            (Some(one), None) => one,
            (None, _) => {
                return Err(self.at(
                    raw.span(),
                    format!("the timescale is empty: give one of {}", UNITS.join(", ")),
                ));
            }
            (Some(_), Some(_)) => {
                return Err(self.at(
                    raw.span(),
                    "a timescale has exactly one unit: split two-part timescales into two clocks",
                ));
            }
        };
        if !UNITS.contains(&unit.as_str()) {
            return Err(self.at(
                raw.span(),
                format!("unknown unit `{unit}`: use one of {}", UNITS.join(", ")),
            ));
        }
        let value = *count.get_ref();
        let value = u32::try_from(value).map_err(|_| {
            self.at(
                count.span(),
                format!("{unit} must be a whole number of 1 or more, not {value}"),
            )
        })?;
        Timescale::from_unit(unit, value).map_err(|e| self.at(count.span(), e.to_string()))
    }

    /// Where the levels of need are asked: required when the procedure lists levels, and a
    /// form's `choice` field when asked in a form.
    fn level_of_need_asked(
        &self,
        raw: &RawProcedure,
        forms: &[Form],
    ) -> Result<Option<LevelOfNeedAsked>, ProcedureError> {
        let Some(asked) = &raw.level_of_need_asked else {
            return match raw.levels_of_need.first() {
                None => Ok(None),
                Some(first) => Err(self.at(
                    first.id.span(),
                    "the procedure lists levels of need but not where it asks them: add \
                     [level_of_need_asked] with `at = \"raise\"`, or `at = \"form\"` with the \
                     `form` and `field` that ask it",
                )),
            };
        };
        if raw.levels_of_need.is_empty() {
            return Err(self.at(
                asked.span(),
                "[level_of_need_asked] needs [[levels_of_need]] to ask: list them, or remove it",
            ));
        }
        let asked = asked.get_ref();
        match (*asked.at.get_ref(), &asked.form, &asked.field) {
            (LevelAskedAt::Raise, None, None) => Ok(Some(LevelOfNeedAsked::Raise)),
            (LevelAskedAt::Raise, Some(extra), _) | (LevelAskedAt::Raise, None, Some(extra)) => {
                Err(self.at(
                    extra.span(),
                    "`form` and `field` belong with `at = \"form\"`: the level of need asked at \
                     raise is not a form field",
                ))
            }
            (LevelAskedAt::Form, Some(form_id), Some(field_id)) => {
                let form = forms
                    .iter()
                    .find(|f| f.id == form_id.get_ref().as_str())
                    .ok_or_else(|| {
                        self.at(
                            form_id.span(),
                            format!(
                                "the level of need is asked in unknown form `{}` (known: {})",
                                form_id.get_ref(),
                                list(forms.iter().map(|f| f.id.as_str()))
                            ),
                        )
                    })?;
                let field = form
                    .fields
                    .iter()
                    .find(|f| f.id == field_id.get_ref().as_str())
                    .ok_or_else(|| {
                        self.at(
                            field_id.span(),
                            format!(
                                "form `{}` has no field `{}` (its fields: {})",
                                form.id,
                                field_id.get_ref(),
                                list(form.fields.iter().map(|f| f.id.as_str()))
                            ),
                        )
                    })?;
                if field.kind != FieldKind::Choice {
                    return Err(self.at(
                        field_id.span(),
                        format!(
                            "field `{}` of `{}` asks the level of need, so it must be a `choice`",
                            field.id, form.id
                        ),
                    ));
                }
                Ok(Some(LevelOfNeedAsked::Form {
                    form: form.id.clone(),
                    field: field.id.clone(),
                }))
            }
            (LevelAskedAt::Form, _, _) => Err(self.at(
                asked.at.span(),
                "`at = \"form\"` needs the `form` and the `field` that ask the level of need",
            )),
        }
    }

    /// The immediate-risk question: every procedure about a child asks it; one that is not
    /// about a child has no child to ask it of.
    fn immediate_risk(&self, raw: &RawProcedure) -> Result<Option<ImmediateRisk>, ProcedureError> {
        match (raw.subject.get_ref(), &raw.immediate_risk) {
            (Subject::Child, None) => Err(self.at(
                raw.subject.span(),
                "a procedure about a child needs [immediate_risk] with the `question` asked \
                 before raising and the `instruction` (in the document's words) for a child at \
                 immediate risk",
            )),
            (Subject::Practice | Subject::Agency, Some(risk)) => Err(self.at(
                risk.span(),
                "[immediate_risk] is asked about a child, and this procedure is not about one \
                 child: remove it",
            )),
            (Subject::Practice | Subject::Agency, None) => Ok(None),
            (Subject::Child, Some(risk)) => {
                let risk = risk.get_ref();
                for text in [&risk.question, &risk.instruction] {
                    if text.get_ref().trim().is_empty() {
                        return Err(self.at(
                            text.span(),
                            "[immediate_risk] needs a `question` and an `instruction` in words",
                        ));
                    }
                }
                Ok(Some(ImmediateRisk {
                    question: risk.question.get_ref().trim().to_owned(),
                    instruction: risk.instruction.get_ref().trim().to_owned(),
                }))
            }
        }
    }

    /// One field of a form (or a column of a `rows` field), its kind's parts checked: options
    /// only for choices, columns only for rows, a prefill from the vocabulary that suits the
    /// kind and names a stage of this procedure.
    fn field(
        &self,
        field: &RawField,
        stages: &[RawStage],
        column: bool,
    ) -> Result<Field, ProcedureError> {
        let kind = *field.kind.get_ref();
        if kind.has_options() == field.options.is_empty() {
            return Err(self.at(
                field.kind.span(),
                "a `choice` or `choices` field needs `options`, and only those may have them",
            ));
        }
        if column && !COLUMN_KINDS.contains(&kind) {
            return Err(self.at(
                field.kind.span(),
                format!(
                    "a column holds one value: use one of {}",
                    list(COLUMN_KINDS.iter().map(|k| k.name()))
                ),
            ));
        }
        if (kind == FieldKind::Rows) == field.columns.is_empty() {
            return Err(self.at(
                field.kind.span(),
                "a `rows` field needs `columns` ([[forms.fields.columns]]), and only a `rows` \
                 field may have them",
            ));
        }
        self.unique(field.columns.iter().map(|c| &c.id), "column")?;
        let mut columns = Vec::new();
        for raw_column in &field.columns {
            columns.push(self.field(raw_column, stages, true)?);
        }
        let prefill = match &field.prefill {
            None => None,
            Some(name) => {
                let prefill = Prefill::parse(name.get_ref()).ok_or_else(|| {
                    self.at(
                        name.span(),
                        format!(
                            "unknown prefill `{}`: use one of {}",
                            name.get_ref(),
                            list(Prefill::NAMES.into_iter())
                        ),
                    )
                })?;
                if let Some(stage) = prefill.stage()
                    && !stages.iter().any(|s| s.id.get_ref() == stage.as_str())
                {
                    return Err(self.at(
                        name.span(),
                        format!(
                            "prefill `{prefill}` names unknown stage `{stage}`; the stages are {}",
                            list(stages.iter().map(|s| s.id.get_ref().as_str()))
                        ),
                    ));
                }
                if !prefill.fills(kind) {
                    return Err(self.at(
                        name.span(),
                        format!("prefill `{prefill}` cannot fill a `{}` field", kind.name()),
                    ));
                }
                Some(prefill)
            }
        };
        if column && (field.filled_by.is_some() || field.personal || field.after_closure.is_some())
        {
            return Err(self.at(
                field.id.span(),
                "`personal`, `filled_by` and `after_closure` belong to the field, not to one of \
                 its columns",
            ));
        }
        let after_closure = match &field.after_closure {
            Some(flag) if field.filled_by.is_none() => {
                return Err(self.at(
                    flag.span(),
                    "`after_closure` says which side fills the field once the case has closed: \
                     give that side as `filled_by`",
                ));
            }
            flag => flag.as_ref().is_some_and(|f| *f.get_ref()),
        };
        Ok(Field {
            id: self.id(
                &field.id,
                if column { "column" } else { "field" },
                FieldId::parse,
            )?,
            label: field.label.clone(),
            kind,
            required: field.required,
            personal: field.personal,
            options: field.options.clone(),
            columns,
            prefill,
            filled_by: field.filled_by,
            after_closure,
        })
    }

    /// A clock's `starts` and the fields that go with it.
    fn clock_start(
        &self,
        clock: &RawClock,
        clock_id: &ClockId,
        clock_index: usize,
    ) -> Result<ClockStart, ProcedureError> {
        let only_with = |field: &str, span: std::ops::Range<usize>, starts: &str| {
            self.at(
                span,
                format!("clock `{clock_id}`: `{field}` goes only with `starts = \"{starts}\"`"),
            )
        };
        let kind = clock
            .starts
            .as_ref()
            .map(|s| (s.get_ref().as_str(), s.span()));
        if !matches!(kind, Some(("stated", _))) {
            if let Some(from) = &clock.from {
                return Err(only_with("from", from.span(), "stated"));
            }
            if let Some(before) = &clock.before_raise {
                return Err(only_with("before_raise", before.span(), "stated"));
            }
        }
        if !matches!(kind, Some(("not-resolved", _)))
            && let Some(missed) = &clock.or_missed
        {
            return Err(only_with("or_missed", missed.span(), "not-resolved"));
        }
        match kind {
            None => Ok(ClockStart::Previous),
            Some(("stated", span)) => {
                let from = clock
                    .from
                    .as_ref()
                    .map(|f| f.get_ref().trim())
                    .filter(|f| !f.is_empty())
                    .ok_or_else(|| {
                        self.at(
                            span,
                            format!(
                                "clock `{clock_id}` starts at a stated instant: give `from`, the procedure's words for what it runs from (e.g. \"the meeting\")"
                            ),
                        )
                    })?;
                Ok(ClockStart::Stated {
                    from: from.to_owned(),
                    before_raise: clock.before_raise.as_ref().is_some_and(|b| *b.get_ref()),
                })
            }
            Some(("not-resolved", span)) => {
                if clock_index == 0 {
                    return Err(self.at(
                        span,
                        format!(
                            "clock `{clock_id}` starts when the clock before it is met with \"not resolved\", but it is the stage's first clock"
                        ),
                    ));
                }
                Ok(ClockStart::NotResolved {
                    or_missed: clock.or_missed.as_ref().is_some_and(|b| *b.get_ref()),
                })
            }
            Some((other, span)) => Err(self.at(
                span,
                format!(
                    "clock `{clock_id}`: unknown start `{other}`: use `stated` (from a meeting or discussion the person states) or `not-resolved` (only after the clock before it is met with \"not resolved\"), or leave `starts` out"
                ),
            )),
        }
    }

    /// The level asked at a stage and the level that must escalate into it: Scotland's Chief
    /// Social Work Officer only in a Scottish procedure, and nothing escalates into the first
    /// stage.
    fn stage_level(
        &self,
        raw: &RawProcedure,
        stage: &RawStage,
        stage_id: &StageId,
        index: usize,
    ) -> Result<Option<Level>, ProcedureError> {
        if index == 0
            && let Some(by) = &stage.escalated_by
        {
            return Err(self.at(
                by.span(),
                format!(
                    "stage `{stage_id}` is the first stage: a case is raised into it, not \
                     escalated, so `escalated_by` does not apply"
                ),
            ));
        }
        for level in [&stage.asked.level, &stage.escalated_by]
            .into_iter()
            .flatten()
        {
            if *level.get_ref() == Level::ChiefSocialWorkOfficer
                && raw.division != Division::Scotland
            {
                return Err(self.at(
                    level.span(),
                    format!(
                        "stage `{stage_id}`: `chief-social-work-officer` is a role in Scotland \
                         only, and this procedure counts working days in {:?}",
                        raw.division
                    ),
                ));
            }
        }
        Ok(stage.asked.level.as_ref().map(|l| *l.get_ref()))
    }

    fn load(&self) -> Result<Procedure, ProcedureError> {
        let raw: RawProcedure = toml::from_str(self.text).map_err(|e| match e.span() {
            Some(span) => self.at(span, e.message().trim().to_owned()),
            None => self.whole(e.message().trim().to_owned()),
        })?;
        let id = self.id(&raw.id, "procedure", ProcedureId::parse)?;
        if raw.raised_by.is_empty() {
            return Err(
                self.whole("`raised_by` is empty: name at least one role that may raise a case")
            );
        }

        let mut mailboxes = BTreeMap::new();
        for (key, mailbox) in &raw.mailboxes {
            mailboxes.insert(self.id(key, "mailbox", MailboxId::parse)?, mailbox.clone());
        }
        if let Some(other) = raw.reasons.iter().find(|r| r.id.get_ref() == OTHER_REASON) {
            return Err(self.at(
                other.id.span(),
                format!(
                    "reason id `{OTHER_REASON}` is built in (every procedure accepts it, with the \
                     reason in words): remove it from the list"
                ),
            ));
        }
        let reasons = self
            .labelled(&raw.reasons, "reason", ReasonId::parse)?
            .into_iter()
            .map(|(id, label)| Reason { id, label })
            .collect();
        let levels_of_need = self
            .labelled(&raw.levels_of_need, "level of need", LevelId::parse)?
            .into_iter()
            .map(|(id, label)| LevelOfNeed { id, label })
            .collect();

        self.unique(raw.forms.iter().map(|f| &f.id), "form")?;
        let mut forms = Vec::new();
        for form in &raw.forms {
            self.unique(form.fields.iter().map(|f| &f.id), "field")?;
            let mut fields = Vec::new();
            for field in &form.fields {
                fields.push(self.field(field, &raw.stages, false)?);
            }
            if fields.is_empty() {
                return Err(self.at(form.id.span(), "a form needs at least one field"));
            }
            let marking = match &form.marking {
                None => None,
                Some(m) => {
                    let text = m.get_ref();
                    let fits = text.trim() == text
                        && !text.is_empty()
                        && text.len() <= 40
                        && !text.contains('\n');
                    if !fits {
                        return Err(self.at(
                            m.span(),
                            "a marking is one short line as the document prints it (\"RESTRICTED\")",
                        ));
                    }
                    Some(text.clone())
                }
            };
            forms.push(Form {
                id: self.id(&form.id, "form", FormId::parse)?,
                title: form.title.clone(),
                marking,
                fields,
            });
        }

        let level_of_need_asked = self.level_of_need_asked(&raw, &forms)?;
        let immediate_risk = self.immediate_risk(&raw)?;

        self.unique(raw.line_management.iter().map(|l| &l.id), "line-management")?;
        let mut line_management = Vec::new();
        for line in &raw.line_management {
            if !is_kebab_id(line.id.get_ref()) {
                return Err(self.at(
                    line.id.span(),
                    format!(
                        "line-management id: {}",
                        crate::ids::InvalidId(line.id.get_ref().clone())
                    ),
                ));
            }
            line_management.push(ManagementLine {
                id: line.id.get_ref().clone(),
                label: line.label.clone(),
                roles: line.roles.clone(),
            });
        }

        if raw.stages.is_empty() {
            return Err(
                self.whole("the procedure has no stages: add at least one [[stages]] table")
            );
        }
        self.unique(raw.stages.iter().map(|s| &s.id), "stage")?;
        let stage_count = raw.stages.len();
        let mut stages: Vec<Stage> = Vec::new();
        for (index, stage) in raw.stages.iter().enumerate() {
            let stage_id = self.id(&stage.id, "stage", StageId::parse)?;
            let mut requires = Vec::new();
            for required in &stage.requires {
                match stages.iter().find(|s| s.id == required.get_ref().as_str()) {
                    Some(earlier) => requires.push(earlier.id.clone()),
                    None if raw
                        .stages
                        .iter()
                        .any(|s| s.id.get_ref() == required.get_ref()) =>
                    {
                        return Err(self.at(
                            required.span(),
                            format!(
                                "stage `{stage_id}` requires `{}`, which does not come before it: a stage can only require earlier stages",
                                required.get_ref()
                            ),
                        ));
                    }
                    None => {
                        return Err(self.at(
                            required.span(),
                            format!(
                                "stage `{stage_id}` requires unknown stage `{}`; the stages are {}",
                                required.get_ref(),
                                list(raw.stages.iter().map(|s| s.id.get_ref().as_str()))
                            ),
                        ));
                    }
                }
            }
            let mut copy = Vec::new();
            for mailbox in &stage.copy {
                let id = self.id(mailbox, "mailbox", MailboxId::parse)?;
                if !mailboxes.contains_key(&id) {
                    return Err(self.at(
                        mailbox.span(),
                        format!(
                            "stage `{stage_id}` copies to unknown mailbox `{id}`; declare it under [mailboxes.{id}] (known: {})",
                            list(mailboxes.keys().map(|k| k.as_str()))
                        ),
                    ));
                }
                copy.push(id);
            }
            for inform in &stage.inform {
                let targets = usize::from(inform.mailbox.is_some())
                    + usize::from(inform.level.is_some())
                    + usize::from(inform.everyone_involved);
                if targets != 1 {
                    return Err(self.at(
                        stage.id.span(),
                        format!(
                            "stage `{stage_id}` informs \"{}\": say how to reach them with exactly one of `mailbox`, `level` or `everyone_involved = true`",
                            inform.who
                        ),
                    ));
                }
                if let Some(id) = &inform.mailbox
                    && !mailboxes.contains_key(id)
                {
                    return Err(self.at(
                        stage.id.span(),
                        format!(
                            "stage `{stage_id}` informs unknown mailbox `{id}`; declare it under [mailboxes.{id}] (known: {})",
                            list(mailboxes.keys().map(|k| k.as_str()))
                        ),
                    ));
                }
            }
            let form = match &stage.form {
                None => None,
                Some(raw_form) => {
                    let id = self.id(raw_form, "form", FormId::parse)?;
                    if !forms.iter().any(|f: &Form| f.id == id) {
                        return Err(self.at(
                            raw_form.span(),
                            format!(
                                "stage `{stage_id}` uses unknown form `{id}` (known: {})",
                                list(forms.iter().map(|f| f.id.as_str()))
                            ),
                        ));
                    }
                    Some(id)
                }
            };
            let closes_with_form = match &stage.closes_with_form {
                Some(flag) if *flag.get_ref() && form.is_none() => {
                    return Err(self.at(
                        flag.span(),
                        format!("stage `{stage_id}` closes with its form, but names no `form`"),
                    ));
                }
                Some(flag) => *flag.get_ref(),
                None => false,
            };
            if let Some(line) = &stage.asked.line
                && !line_management.iter().any(|l| &l.id == line.get_ref())
            {
                return Err(self.at(
                    line.span(),
                    format!(
                        "stage `{stage_id}` asks unknown line `{}` (known: {})",
                        line.get_ref(),
                        list(line_management.iter().map(|l| l.id.as_str()))
                    ),
                ));
            }
            let level = self.stage_level(&raw, stage, &stage_id, index)?;
            self.unique(stage.clocks.iter().map(|c| &c.id), "clock")?;
            let mut clocks = Vec::new();
            for (clock_index, clock) in stage.clocks.iter().enumerate() {
                let clock_id = self.id(&clock.id, "clock", ClockId::parse)?;
                if clock.action == Action::Escalate && index + 1 == stage_count {
                    return Err(self.at(
                        clock.id.span(),
                        format!("clock `{clock_id}` is met by escalating, but `{stage_id}` is the last stage"),
                    ));
                }
                if clock.action == Action::Resolve && clock_index + 1 != stage.clocks.len() {
                    return Err(self.at(
                        clock.id.span(),
                        format!("clock `{clock_id}` is met by resolving the case, so it must be the last clock of `{stage_id}`"),
                    ));
                }
                if clock.who.trim().is_empty() || clock.task.trim().is_empty() {
                    return Err(self.at(
                        clock.id.span(),
                        format!(
                            "clock `{clock_id}` needs `who` (who must act) and `task` (what is due)"
                        ),
                    ));
                }
                let starts = self.clock_start(clock, &clock_id, clock_index)?;
                let shorter_by = match &clock.shorter_by {
                    Some(role) if !raw.raised_by.contains(role.get_ref()) => {
                        return Err(self.at(
                            role.span(),
                            format!(
                                "clock `{clock_id}`: `shorter_by` names a role that cannot raise a case under this procedure (it is raised by {})",
                                list(raw.raised_by.iter().map(|r| r.name()))
                            ),
                        ));
                    }
                    role => role.as_ref().map(|r| *r.get_ref()),
                };
                let unanswered_after_working_days = match &clock.unanswered_after_working_days {
                    Some(days) if *days.get_ref() > 20 => {
                        return Err(self.at(
                            days.span(),
                            format!(
                                "clock `{clock_id}`: `unanswered_after_working_days` is {}: give 0 (at the breach) to 20 working days",
                                days.get_ref()
                            ),
                        ));
                    }
                    days => days.as_ref().map(|d| *d.get_ref()),
                };
                clocks.push(Clock {
                    id: clock_id,
                    owner: clock.owner,
                    who: clock.who.clone(),
                    task: clock.task.clone(),
                    action: clock.action,
                    timescale: self.timescale(&clock.timescale)?,
                    starts,
                    shorter_by,
                    unanswered_after_working_days,
                });
            }
            let each_agency = stage.asked.each_agency.as_ref();
            if let Some(each) = each_agency.filter(|e| *e.get_ref())
                && !stage.clocks.is_empty()
            {
                return Err(self.at(
                    each.span(),
                    "`each_agency` asks every agency for a response with no timescale: a stage \
                     with clocks cannot use it",
                ));
            }
            stages.push(Stage {
                id: stage_id,
                name: stage.name.clone(),
                description: stage.description.clone(),
                asked: Asked {
                    party: stage.asked.party,
                    role: stage.asked.role.clone(),
                    line: stage.asked.line.as_ref().map(|l| l.get_ref().clone()),
                    by_agency: stage.asked.by_agency.clone(),
                    each_agency: each_agency.is_some_and(|e| *e.get_ref()),
                    level,
                },
                escalated_by: stage.escalated_by.as_ref().map(|l| *l.get_ref()),
                requires,
                copy,
                inform: stage.inform.clone(),
                form,
                closes_with_form,
                clocks,
                running_total: match &stage.running_total {
                    Some(total) => Some(self.timescale(total)?),
                    None => None,
                },
            });
        }

        let deciding_party = match &raw.deciding_party {
            None => Party::Raising,
            Some(party) if *party.get_ref() == Party::Receiving => {
                return Err(self.at(
                    party.span(),
                    "the agency an escalation is about does not decide it: `deciding_party` is \
                     `raising` (the default) or `partnership`",
                ));
            }
            Some(party) => *party.get_ref(),
        };
        Ok(Procedure {
            id,
            deciding_party,
            name: raw.name,
            partnership: raw.partnership,
            division: raw.division,
            subject: raw.subject.into_inner(),
            raised_by: raw.raised_by,
            summary: raw.summary,
            before: raw.before,
            guidance: raw.guidance,
            source: raw.source,
            mailboxes,
            reasons,
            levels_of_need,
            level_of_need_asked,
            immediate_risk,
            forms,
            line_management,
            stages,
        })
    }
}

fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<_> = items.map(|i| format!("`{i}`")).collect();
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// Parses and validates one procedure file. `file` names it in any error.
pub fn load(file: &str, text: &str) -> Result<Procedure, ProcedureError> {
    Loader { file, text }.load()
}
