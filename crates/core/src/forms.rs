//! The values a case holds for a procedure's forms: typed by the form's fields, made only by
//! parsing what a person sent against the form ([`Form::parse_values`]), with every problem
//! named at once by field, row and column.
//!
//! Values are free text and may identify the child: they live on the case only, never in
//! chronology events, logs, notices, list entries or reports.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::FieldId;
use crate::procedure::{Field, FieldKind, Form};

/// The longest value of a one-line field (`text`, `email`, `choice`), in characters.
pub const MAX_LINE_CHARS: usize = 500;
/// The longest value of a `long-text` field, in characters.
pub const MAX_LONG_TEXT_CHARS: usize = 10_000;
/// The most rows a `rows` field takes.
pub const MAX_ROWS: usize = 100;

/// A value as a person sends it (JSON's shapes, without the transport): what
/// [`Form::parse_values`] reads and what answers carry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Plain {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Text(String),
    List(Vec<Plain>),
    Object(BTreeMap<String, Plain>),
}

impl Plain {
    /// Nothing given: null, blank text or an empty list.
    pub fn is_empty(&self) -> bool {
        match self {
            Plain::Null => true,
            Plain::Text(t) => t.trim().is_empty(),
            Plain::List(items) => items.is_empty(),
            _ => false,
        }
    }

    fn shape(&self) -> &'static str {
        match self {
            Plain::Null => "null",
            Plain::Bool(_) => "true or false",
            Plain::Number(_) => "a number",
            Plain::Text(_) => "text",
            Plain::List(_) => "a list",
            Plain::Object(_) => "an object",
        }
    }
}

/// One field's value, typed by its kind. Stored with the kind as its key
/// (`{"date": "2026-11-25"}`), so a stored value reads back as what it was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldValue {
    /// `text`, `long-text` and `email`.
    Text(String),
    Date(NaiveDate),
    YesNo(bool),
    Choice(String),
    Choices(Vec<String>),
    /// Each row maps column ids to values; a blank cell is absent.
    Rows(Vec<BTreeMap<FieldId, FieldValue>>),
}

impl FieldValue {
    /// As a person sends it: dates as `YYYY-MM-DD`, yes/no as booleans, rows as objects.
    pub fn plain(&self) -> Plain {
        match self {
            FieldValue::Text(t) | FieldValue::Choice(t) => Plain::Text(t.clone()),
            FieldValue::Date(d) => Plain::Text(d.format("%Y-%m-%d").to_string()),
            FieldValue::YesNo(b) => Plain::Bool(*b),
            FieldValue::Choices(cs) => Plain::List(cs.iter().cloned().map(Plain::Text).collect()),
            FieldValue::Rows(rows) => Plain::List(
                rows.iter()
                    .map(|row| {
                        Plain::Object(
                            row.iter()
                                .map(|(k, v)| (k.to_string(), v.plain()))
                                .collect(),
                        )
                    })
                    .collect(),
            ),
        }
    }
}

/// A form's values by field id: valid for the form they were parsed against.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FormValues(BTreeMap<FieldId, FieldValue>);

impl FormValues {
    pub fn get(&self, field: &str) -> Option<&FieldValue> {
        self.0
            .iter()
            .find(|(id, _)| id.as_str() == field)
            .map(|(_, v)| v)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&FieldId, &FieldValue)> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As a person sends them.
    pub fn plain(&self) -> BTreeMap<String, Plain> {
        self.0
            .iter()
            .map(|(k, v)| (k.to_string(), v.plain()))
            .collect()
    }

    pub(crate) fn insert(&mut self, field: FieldId, value: FieldValue) {
        self.0.insert(field, value);
    }
}

/// What is wrong with one value: where (`field`, `field[row].column`) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormProblem {
    pub at: String,
    pub message: String,
}

impl FormProblem {
    fn new(at: impl Into<String>, message: impl Into<String>) -> Self {
        FormProblem {
            at: at.into(),
            message: message.into(),
        }
    }
}

impl Form {
    /// Parses what a person sent against this form: every unknown field, wrong kind, choice
    /// not among the options, missing required field, malformed date and over-long text,
    /// named at once.
    pub fn parse_values(
        &self,
        input: &BTreeMap<String, Plain>,
    ) -> Result<FormValues, Vec<FormProblem>> {
        let mut problems = Vec::new();
        for key in input.keys() {
            if self.field(key).is_none() {
                problems.push(FormProblem::new(
                    key.as_str(),
                    format!(
                        "`{key}` is not a field of {} (its fields: {})",
                        self.title,
                        names(&self.fields)
                    ),
                ));
            }
        }
        let mut values = FormValues::default();
        for field in &self.fields {
            let at = field.id.to_string();
            if let Some(value) = one(field, input.get(field.id.as_str()), &at, &mut problems) {
                values.insert(field.id.clone(), value);
            }
        }
        if problems.is_empty() {
            Ok(values)
        } else {
            Err(problems)
        }
    }
}

fn names(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|f| format!("`{}`", f.id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One field's (or cell's) value, or `None` when blank; problems go to `problems`.
fn one(
    field: &Field,
    given: Option<&Plain>,
    at: &str,
    problems: &mut Vec<FormProblem>,
) -> Option<FieldValue> {
    let given = match given {
        Some(g) if !g.is_empty() => g,
        _ => {
            if field.required {
                problems.push(FormProblem::new(at, format!("{} is required", field.label)));
            }
            return None;
        }
    };
    let mut problem = |message: String| {
        problems.push(FormProblem::new(at, message));
        None
    };
    let wrong = |expected: &str| format!("{} takes {expected}, not {}", field.label, given.shape());
    match (field.kind, given) {
        (FieldKind::Text | FieldKind::LongText | FieldKind::Email, Plain::Text(text)) => {
            let text = text.trim();
            let limit = if field.kind == FieldKind::LongText {
                MAX_LONG_TEXT_CHARS
            } else {
                MAX_LINE_CHARS
            };
            let chars = text.chars().count();
            if chars > limit {
                return problem(format!(
                    "{} is {chars} characters long: the limit is {limit}",
                    field.label
                ));
            }
            if field.kind == FieldKind::Email && !looks_like_email(text) {
                return problem(format!("{} takes an email address", field.label));
            }
            Some(FieldValue::Text(text.to_owned()))
        }
        (FieldKind::Text | FieldKind::LongText | FieldKind::Email, _) => problem(wrong("text")),
        (FieldKind::Date, Plain::Text(text)) => {
            match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
                Ok(date) => Some(FieldValue::Date(date)),
                Err(_) => problem(format!(
                    "{} takes a date as YYYY-MM-DD, not `{}`",
                    field.label,
                    text.trim()
                )),
            }
        }
        (FieldKind::Date, _) => problem(wrong("a date as YYYY-MM-DD")),
        (FieldKind::YesNo, Plain::Bool(b)) => Some(FieldValue::YesNo(*b)),
        (FieldKind::YesNo, _) => problem(wrong("true (yes) or false (no)")),
        (FieldKind::Choice, Plain::Text(text)) => match option(field, text) {
            Some(choice) => Some(FieldValue::Choice(choice)),
            None => problem(not_an_option(field, text)),
        },
        (FieldKind::Choice, _) => problem(wrong("one of its options")),
        (FieldKind::Choices, Plain::List(items)) => {
            let mut chosen: Vec<String> = Vec::new();
            let mut bad = false;
            for (i, item) in items.iter().enumerate() {
                let at = format!("{at}[{i}]");
                match item {
                    Plain::Text(text) => match option(field, text) {
                        Some(choice) if !chosen.contains(&choice) => chosen.push(choice),
                        Some(_) => {}
                        None => {
                            bad = true;
                            problems.push(FormProblem::new(at, not_an_option(field, text)));
                        }
                    },
                    other => {
                        bad = true;
                        problems.push(FormProblem::new(
                            at,
                            format!(
                                "{} lists options as text, not {}",
                                field.label,
                                other.shape()
                            ),
                        ));
                    }
                }
            }
            (!bad).then_some(FieldValue::Choices(chosen))
        }
        (FieldKind::Choices, _) => problem(wrong("a list of its options")),
        (FieldKind::Rows, Plain::List(items)) => {
            if items.len() > MAX_ROWS {
                return problem(format!(
                    "{} has {} rows: the limit is {MAX_ROWS}",
                    field.label,
                    items.len()
                ));
            }
            let before = problems.len();
            let mut rows = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let at = format!("{at}[{i}]");
                let Plain::Object(cells) = item else {
                    problems.push(FormProblem::new(
                        at,
                        format!(
                            "each row of {} is an object of its columns ({}), not {}",
                            field.label,
                            names(&field.columns),
                            item.shape()
                        ),
                    ));
                    continue;
                };
                for key in cells.keys() {
                    if !field.columns.iter().any(|c| c.id == key.as_str()) {
                        problems.push(FormProblem::new(
                            format!("{at}.{key}"),
                            format!(
                                "`{key}` is not a column of {} (its columns: {})",
                                field.label,
                                names(&field.columns)
                            ),
                        ));
                    }
                }
                let mut row = BTreeMap::new();
                for column in &field.columns {
                    let at = format!("{at}.{}", column.id);
                    if let Some(value) = one(column, cells.get(column.id.as_str()), &at, problems) {
                        row.insert(column.id.clone(), value);
                    }
                }
                // A row left wholly blank is no row.
                if !row.is_empty() {
                    rows.push(row);
                }
            }
            if problems.len() > before {
                None
            } else if rows.is_empty() {
                if field.required {
                    problems.push(FormProblem::new(at, format!("{} is required", field.label)));
                }
                None
            } else {
                Some(FieldValue::Rows(rows))
            }
        }
        (FieldKind::Rows, _) => problem(wrong("a list of rows")),
    }
}

/// The option `text` names (exactly, or ignoring case and surrounding space).
fn option(field: &Field, text: &str) -> Option<String> {
    let text = text.trim();
    field
        .options
        .iter()
        .find(|o| o.as_str() == text || o.eq_ignore_ascii_case(text))
        .cloned()
}

fn not_an_option(field: &Field, text: &str) -> String {
    format!(
        "`{}` is not an option of {}: choose from {}",
        text.trim(),
        field.label,
        field
            .options
            .iter()
            .map(|o| format!("`{o}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn looks_like_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !text.contains(char::is_whitespace)
        }
        None => false,
    }
}
