//! `crates/api/openapi.yaml` describes the wire contract field by field. The tests check
//! it three ways: real values of every wire type (cases from real transitions, every built-in
//! procedure, a real report) validate against their component schema
//! (`openapi_real_values.rs`); request bodies the server refuses are rejected by the document
//! too (`openapi_strictness.rs`); and every schema is used and none is a placeholder
//! (`openapi_hygiene.rs`).
//!
//! This module loads the document, validates values against it (`Contract`), and names the
//! wire types and a minimal body for each request schema; `examples` builds real values.
//!
//! Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code)]

pub mod examples;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Value, json};

/// Every wire type the document describes (DemoToken and DevClock are the local stack's).
pub const WIRE_TYPES: &[&str] = &[
    "RaiseBody",
    "OpenCaseRef",
    "ChildBody",
    "ConcernBody",
    "ResponseBody",
    "AgreedActionBody",
    "ContactBody",
    "ActionCompletionBody",
    "SubmissionBody",
    "EscalationBody",
    "ResolutionBody",
    "WithdrawalBody",
    "Me",
    "PartnershipSummary",
    "AgencySummary",
    "ProcedureList",
    "ProcedureSummary",
    "CaseView",
    "ClockView",
    "CasePage",
    "CaseSummary",
    "StatusKind",
    "RunningClock",
    "Queue",
    "QueueItem",
    "QueueActions",
    "Problem",
    "FieldError",
    "Procedure",
    "Report",
    "FormBody",
    "FormView",
    "CalendarFeedLink",
    "CalendarFeedState",
    // Audit
    "AccessEntry",
    "AccessHistory",
    "NoticeSent",
    "CaseRecordView",
    // Administration
    "AdminView",
    "PartnershipConfig",
    "ConfigChangeView",
    "MovedDeadlineView",
    "ClosureDayPreview",
    "ConfigChanged",
    "ConfigChangeBody",
    "AgencyBody",
    "PersonBody",
    "NoticesBody",
];

pub fn document() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../api/openapi.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml_ng::from_str(&text).unwrap()
}

/// Validates values against the document's component schemas, remembering which were used.
pub struct Contract {
    pub doc: Value,
    pub validators: RefCell<BTreeMap<String, std::rc::Rc<jsonschema::Validator>>>,
    pub checked: RefCell<BTreeSet<String>>,
}

impl Contract {
    pub fn new() -> Self {
        Contract {
            doc: document(),
            validators: RefCell::default(),
            checked: RefCell::default(),
        }
    }

    /// A validator whose root is the whole document, so internal refs resolve.
    pub fn validator(&self, name: &str) -> std::rc::Rc<jsonschema::Validator> {
        if let Some(v) = self.validators.borrow().get(name) {
            return v.clone();
        }
        assert!(
            self.doc["components"]["schemas"].get(name).is_some(),
            "openapi.yaml has no schema {name}"
        );
        let mut root = self.doc.clone();
        root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        root["$ref"] = json!(format!("#/components/schemas/{name}"));
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("schema {name} does not compile: {e}"));
        let validator = std::rc::Rc::new(validator);
        self.validators
            .borrow_mut()
            .insert(name.to_owned(), validator.clone());
        validator
    }

    pub fn errors(&self, name: &str, json: &Value) -> Vec<String> {
        self.validator(name)
            .iter_errors(json)
            .map(|e| format!("{e} (at `{}`)", e.instance_path()))
            .collect()
    }

    /// The value, serialised as the API serialises it, matches its schema.
    pub fn accepts<T: Serialize>(&self, name: &str, value: &T) {
        let json = serde_json::to_value(value).unwrap();
        let errors = self.errors(name, &json);
        assert!(
            errors.is_empty(),
            "{name} rejects a real value:\n{}\n{json:#}",
            errors.join("\n")
        );
        self.checked.borrow_mut().insert(name.to_owned());
    }

    /// The document refuses what the server refuses.
    pub fn rejects(&self, name: &str, json: Value, why: &str) {
        assert!(
            !self.errors(name, &json).is_empty(),
            "{name} accepts {why}: {json}"
        );
    }
}

/// A body the server accepts for each request schema.
pub fn minimal_bodies() -> Vec<(&'static str, Value)> {
    vec![
        (
            "RaiseBody",
            json!({ "procedure": "sefton", "concern": { "summary": "x" } }),
        ),
        ("ChildBody", json!({ "name": "Jaydon" })),
        ("ConcernBody", json!({ "summary": "x" })),
        (
            "ResponseBody",
            json!({ "version": 0, "outcome": "resolved", "summary": "x" }),
        ),
        (
            "AgreedActionBody",
            json!({ "what": "x", "owner_agency": "health", "by_when": "2026-12-29" }),
        ),
        (
            "ActionCompletionBody",
            json!({ "version": 0, "action": "a1" }),
        ),
        (
            "ContactBody",
            json!({ "method": "telephone", "at": "2026-03-04T10:00:00Z", "with_role": "x", "with_agency": "police" }),
        ),
        ("SubmissionBody", json!({ "version": 0 })),
        ("EscalationBody", json!({ "version": 0, "reasons": "x" })),
        (
            "ResolutionBody",
            json!({ "version": 0, "outcome": "x", "lessons_learned": "y" }),
        ),
        ("WithdrawalBody", json!({ "version": 0, "reason": "x" })),
        (
            "ConfigChangeBody",
            json!({ "version": 1, "change": "add-closure-day", "date": "2026-12-29" }),
        ),
    ]
}
