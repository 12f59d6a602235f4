//! openapi.yaml has no placeholders and nothing unused: every schema is reachable from a
//! path, no schema is a bare object, and every request body refuses unknown fields.

mod contract;

use std::collections::BTreeSet;

use contract::{WIRE_TYPES, document, minimal_bodies};
use serde_json::{Value, json};

/// Every `$ref` in a value.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn every_schema_is_reachable_from_a_path() {
    let doc = document();
    let mut seen = BTreeSet::new();
    let mut todo = Vec::new();
    refs(&doc["paths"], &mut todo);
    while let Some(r) = todo.pop() {
        if !seen.insert(r.clone()) {
            continue;
        }
        let pointer = r.strip_prefix('#').expect("only internal refs");
        let target = doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{r} resolves to nothing"));
        refs(target, &mut todo);
    }
    let unused: Vec<&String> = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|name| !seen.contains(&format!("#/components/schemas/{name}")))
        .collect();
    assert!(unused.is_empty(), "schemas no path uses: {unused:?}");
    for name in WIRE_TYPES {
        assert!(
            seen.contains(&format!("#/components/schemas/{name}")),
            "{name} is not reachable from any path"
        );
    }
}

/// Objects with no properties are placeholders, unless they are maps
/// (`additionalProperties: {schema}`); every body in a path has a schema.
fn placeholders(path: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            let is_object = match map.get("type") {
                Some(Value::String(t)) => t == "object",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
                _ => false,
            };
            let has_properties = map
                .get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| !p.is_empty());
            let is_map = map
                .get("additionalProperties")
                .is_some_and(Value::is_object);
            if is_object && !has_properties && !is_map {
                out.push(path.to_owned());
            }
            if let Some(content) = map.get("content").and_then(Value::as_object) {
                for (media, body) in content {
                    if body.get("schema").is_none() {
                        out.push(format!("{path}/content/{media} (no schema)"));
                    }
                }
            }
            for (key, v) in map {
                placeholders(&format!("{path}/{key}"), v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                placeholders(&format!("{path}/{i}"), v, out);
            }
        }
        _ => {}
    }
}

#[test]
fn no_schema_is_a_bare_object() {
    let mut found = Vec::new();
    placeholders("", &document(), &mut found);
    assert!(found.is_empty(), "placeholders: {found:#?}");
}

#[test]
fn every_request_body_refuses_unknown_fields() {
    let doc = document();
    for name in minimal_bodies().into_iter().map(|(name, _)| name) {
        assert_eq!(
            doc["components"]["schemas"][name]["additionalProperties"],
            json!(false),
            "{name}"
        );
    }
}
