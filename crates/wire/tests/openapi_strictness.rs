//! openapi.yaml is as strict as the server: every request body the server refuses (unknown
//! fields, bad versions, blank text, missing fields, bad ids and dates) the document rejects
//! too, and answers are closed and tagged.

mod contract;

use contract::{Contract, minimal_bodies};
use escalations_wire::{
    ActionCompletionBody, AgreedActionBody, ChildBody, ConcernBody, ContactBody, EscalationBody,
    RaiseBody, ResolutionBody, ResponseBody, SubmissionBody, WithdrawalBody,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Whether serde (which the server parses bodies with) takes the JSON as this body type.
fn serde_takes<T: DeserializeOwned>(json: &Value) -> bool {
    serde_json::from_value::<T>(json.clone()).is_ok()
}

fn serde_takes_body(name: &str, json: &Value) -> bool {
    match name {
        "RaiseBody" => serde_takes::<RaiseBody>(json),
        "ChildBody" => serde_takes::<ChildBody>(json),
        "ConcernBody" => serde_takes::<ConcernBody>(json),
        "ResponseBody" => serde_takes::<ResponseBody>(json),
        "AgreedActionBody" => serde_takes::<AgreedActionBody>(json),
        "ContactBody" => serde_takes::<ContactBody>(json),
        "SubmissionBody" => serde_takes::<SubmissionBody>(json),
        "EscalationBody" => serde_takes::<EscalationBody>(json),
        "ResolutionBody" => serde_takes::<ResolutionBody>(json),
        "WithdrawalBody" => serde_takes::<WithdrawalBody>(json),
        "ActionCompletionBody" => serde_takes::<ActionCompletionBody>(json),
        "ConfigChangeBody" => serde_takes::<escalations_wire::ConfigChangeBody>(json),
        other => panic!("{other} is not a request body"),
    }
}

#[test]
fn request_schemas_refuse_what_the_server_refuses() {
    let contract = Contract::new();
    for (name, body) in minimal_bodies() {
        assert!(contract.errors(name, &body).is_empty(), "{name}: {body}");
        assert!(serde_takes_body(name, &body), "{name}: {body}");

        // An unknown field: serde refuses it (deny_unknown_fields), so must the document.
        let mut extra = body.clone();
        extra["colour"] = json!("red");
        assert!(
            !serde_takes_body(name, &extra),
            "{name} takes an unknown field"
        );
        contract.rejects(name, extra, "an unknown field");

        // An array standing in for the object (serde would take it; parse.rs refuses it).
        contract.rejects(name, json!([body]), "an array instead of an object");
        contract.rejects(name, json!(null), "null");

        // A negative or fractional version: not a u64.
        if body.get("version").is_some() {
            for bad in [json!(-1), json!(1.5), json!("1")] {
                let mut b = body.clone();
                b["version"] = bad.clone();
                assert!(!serde_takes_body(name, &b), "{name} takes version {bad}");
                contract.rejects(name, b, "a version that is not a whole number >= 0");
            }
            let mut b = body.clone();
            b.as_object_mut().unwrap().remove("version");
            contract.rejects(name, b, "no version (the server answers 400)");
        }
    }

    // Free text: never empty or only whitespace, at most 20,000 characters (Text::parse).
    let long = "x".repeat(20_001);
    for summary in [json!(""), json!("  \n "), json!(long), json!(7)] {
        contract.rejects(
            "RaiseBody",
            json!({ "procedure": "sefton", "concern": { "summary": summary } }),
            "a summary that is not free text",
        );
    }
    contract.rejects(
        "WithdrawalBody",
        json!({ "version": 1, "reason": "" }),
        "an empty reason",
    );
    contract.rejects(
        "ResolutionBody",
        json!({ "version": 1, "outcome": "x", "lessons_learned": " " }),
        "blank lessons",
    );

    // Required fields the server names in its 400.
    contract.rejects("RaiseBody", json!({ "procedure": "sefton" }), "no concern");
    contract.rejects(
        "RaiseBody",
        json!({ "concern": { "summary": "x" } }),
        "no procedure",
    );
    contract.rejects("ConcernBody", json!({ "reasons": ["x"] }), "no summary");
    contract.rejects(
        "ChildBody",
        json!({ "in_care": true }),
        "a child without a name",
    );
    contract.rejects("EscalationBody", json!({ "version": 1 }), "no reasons");
    contract.rejects(
        "ResolutionBody",
        json!({ "version": 1, "outcome": "x" }),
        "no lessons",
    );
    contract.rejects("WithdrawalBody", json!({ "version": 1 }), "no reason");
    contract.rejects(
        "AgreedActionBody",
        json!({ "what": "x", "owner_agency": "health" }),
        "no by_when",
    );
    contract.rejects(
        "AgreedActionBody",
        json!({ "what": "x", "by_whom": "y", "by_when": "2026-12-29" }),
        "no owner agency (the free-text by_whom is gone)",
    );
    contract.rejects("ActionCompletionBody", json!({ "version": 1 }), "no action");

    // Responses: the outcome decides what else is required.
    contract.rejects("ResponseBody", json!({ "version": 1 }), "no outcome");
    contract.rejects(
        "ResponseBody",
        json!({ "version": 1, "outcome": "maybe", "summary": "x" }),
        "an unknown outcome",
    );
    contract.rejects(
        "ResponseBody",
        json!({ "version": 1, "outcome": "resolved", "reasons": "x" }),
        "resolved without a summary",
    );
    contract.rejects(
        "ResponseBody",
        json!({ "version": 1, "outcome": "not-resolved", "summary": "x" }),
        "not resolved without reasons",
    );
    contract.rejects(
        "ResponseBody",
        json!({ "version": 1, "outcome": "not-resolved", "reasons": "x",
                "agreed_actions": [{ "what": "x", "owner_agency": "health", "by_when": "29/12/2026" }] }),
        "an agreed action with a date that is not YYYY-MM-DD",
    );

    // Ids and dates.
    for id in ["Sefton", "step_2", "-a", "a--b", ""] {
        contract.rejects(
            "RaiseBody",
            json!({ "procedure": id, "concern": { "summary": "x" } }),
            "a procedure that is not an id",
        );
        contract.rejects(
            "EscalationBody",
            json!({ "version": 1, "reasons": "x", "to": id }),
            "a stage that is not an id",
        );
    }
    contract.rejects(
        "RaiseBody",
        json!({ "procedure": "sefton", "concern": { "summary": "x", "reasons": ["Bad Reason"] } }),
        "a reason that is not an id",
    );
    contract.rejects(
        "ChildBody",
        json!({ "name": "J", "date_of_birth": "2015-13-01" }),
        "a date of birth that is not a date",
    );
    contract.rejects(
        "ChildBody",
        json!({ "name": "J", "in_care": "yes" }),
        "in_care that is not a boolean",
    );

    // A contact: every part, a method of the four, an instant, free text and an agency id.
    for (bad, why) in [
        (json!({ "method": "carrier-pigeon" }), "an unknown method"),
        (
            json!({ "at": "yesterday" }),
            "an instant that is not RFC 3339",
        ),
        (json!({ "with_role": " " }), "a blank role"),
        (
            json!({ "with_agency": "Social Care" }),
            "an agency that is not an id",
        ),
    ] {
        let mut contact = json!({ "method": "telephone", "at": "2026-03-04T10:00:00Z",
                                  "with_role": "Team Manager", "with_agency": "social-care" });
        for (k, v) in bad.as_object().unwrap() {
            contact[k] = v.clone();
        }
        contract.rejects("ContactBody", contact, why);
    }
    for missing in ["method", "at", "with_role", "with_agency"] {
        let mut contact = json!({ "method": "email", "at": "2026-03-04T10:00:00Z",
                                  "with_role": "Team Manager", "with_agency": "social-care" });
        contact.as_object_mut().unwrap().remove(missing);
        contract.rejects("ContactBody", contact, "a contact with a part missing");
    }

    // A shorter timescale: exactly one known unit with a count from 1 to its maximum
    // (Timescale::from_unit, via parse.rs).
    for (bad, why) in [
        (json!({ "hours": 0 }), "a zero count"),
        (json!({ "hours": 8785 }), "more than a year of hours"),
        (json!({ "hours": 24, "working_days": 1 }), "two units"),
        (json!({}), "no unit"),
        (json!({ "fortnights": 1 }), "an unknown unit"),
        (json!({ "hours": "24" }), "a count that is not a number"),
    ] {
        contract.rejects(
            "SubmissionBody",
            json!({ "version": 1, "shorter_timescale": bad }),
            why,
        );
    }
}

#[test]
fn answers_are_closed_and_tagged() {
    let contract = Contract::new();
    contract.rejects(
        "FieldError",
        json!({ "field": "x", "message": "y", "hint": "z" }),
        "an unknown field in an answer",
    );
    contract.rejects(
        "StatusKind",
        json!("Open"),
        "a status that is not kebab-case",
    );
    contract.rejects(
        "Problem",
        json!({ "type": "x", "title": "t", "status": 418, "detail": "d" }),
        "a status the API never answers",
    );
}
