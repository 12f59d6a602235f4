//! The OpenAPI document, the router and template.yaml agree on every route.

use std::collections::BTreeSet;
use std::sync::Arc;

use bytes::Bytes;
use escalations_api::Api;
use escalations_api::ROUTES;
use escalations_core::Catalogue;
use escalations_core::access::Principal;
use escalations_store::Store;
use escalations_store_sqlite::SqliteStore;
use serde_yaml_ng::Value;

fn yaml(path: &str) -> Value {
    let path = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn documented() -> BTreeSet<(String, String)> {
    let doc = yaml("openapi.yaml");
    assert_eq!(doc["openapi"].as_str(), Some("3.1.0"));
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_mapping().unwrap() {
        for (method, _) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap();
            if ["get", "post", "put", "patch", "delete"].contains(&method) {
                routes.insert((method.to_uppercase(), path.as_str().unwrap().to_owned()));
            }
        }
    }
    routes
}

fn declared() -> BTreeSet<(String, String)> {
    ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect()
}

#[test]
fn the_document_lists_exactly_the_routes_the_api_declares() {
    assert_eq!(documented(), declared());
}

#[tokio::test]
async fn every_declared_route_is_served_and_others_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("e.db")).await.unwrap();
    for config in escalations_demo::partnerships() {
        store.put_partnership(&config).await.unwrap();
    }
    let app = Api::new(
        Arc::new(store),
        Catalogue::builtin().unwrap(),
        Arc::new(|| "2026-11-23T10:00:00Z".parse().unwrap()),
    );
    let chair = escalations_api::identity::Claims {
        sub: "x".into(),
        email: None,
        person: "chair".into(),
        partnership: "sefton".into(),
        agency: "sscp".into(),
        role: "chair".into(),
        exp: 0,
    }
    .principal()
    .unwrap();
    let no_route = |response: &http::Response<Bytes>| {
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap_or_default();
        body["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("no route"))
    };
    let send = |method: &str, path: String, who: Principal| {
        let request = http::Request::builder()
            .method(method)
            .uri(path)
            .body(Bytes::from_static(b"{}"))
            .unwrap();
        let app = app.clone();
        async move { app.handle(request, Ok(who)).await }
    };
    for (method, path) in ROUTES {
        let concrete = path.replace("{id}", "sefton");
        let response = send(method, concrete.clone(), chair.clone()).await;
        assert!(
            !no_route(&response),
            "{method} {concrete} is documented but not served"
        );
    }
    for (method, path) in [("GET", "/api/nothing"), ("POST", "/api/cases/x/teleport")] {
        let response = send(method, path.into(), chair.clone()).await;
        assert_eq!(response.status(), 404, "{method} {path}");
        assert!(no_route(&response), "{method} {path}");
    }
    // A path that exists answers another method with 405 and the methods it does answer.
    for (method, path, allow) in [
        ("DELETE", "/api/cases/x", "GET"),
        ("PUT", "/api/cases", "GET, POST"),
        ("GET", "/api/cases/x/responses", "POST"),
        ("POST", "/api/me", "GET"),
    ] {
        let response = send(method, path.into(), chair.clone()).await;
        assert_eq!(response.status(), 405, "{method} {path}");
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        assert!(!no_route(&response), "{method} {path}");
    }
}

#[test]
fn template_yaml_sends_every_route_to_a_function() {
    let template = yaml("../../template.yaml");
    let mut events = Vec::new();
    for (_, resource) in template["Resources"].as_mapping().unwrap() {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        for (_, event) in resource["Properties"]["Events"]
            .as_mapping()
            .into_iter()
            .flatten()
        {
            if event["Type"].as_str() == Some("HttpApi") {
                let props = &event["Properties"];
                events.push((
                    props["Method"].as_str().unwrap().to_owned(),
                    props["Path"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    for (method, path) in declared() {
        let covered = events.iter().any(|(m, p)| {
            *m == method
                && (p == &path
                    || (p.ends_with("{proxy+}")
                        && path.starts_with(p.trim_end_matches("{proxy+}"))))
        });
        assert!(
            covered,
            "{method} {path} reaches no function in template.yaml: {events:?}"
        );
    }
}
