//! The Lambda entry point with API Gateway HTTP API events (payload 2.0, as the Cognito JWT
//! authorizer passes them), over the embedded store so no AWS is needed.

use std::sync::Arc;

use escalations_api::Api;
use escalations_core::Catalogue;
use escalations_store::Store;
use escalations_store_sqlite::SqliteStore;

async fn app() -> (Api, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("e.db")).await.unwrap();
    for config in escalations_demo::partnerships() {
        store.put_partnership(&config).await.unwrap();
    }
    let now = || "2026-11-23T10:00:00Z".parse().unwrap();
    (
        Api::new(
            Arc::new(store),
            Catalogue::builtin().unwrap(),
            Arc::new(now),
        ),
        dir,
    )
}

fn event(name: &str) -> lambda_http::Request {
    let path = format!("{}/../../infra/events/{name}", env!("CARGO_MANIFEST_DIR"));
    lambda_http::request::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn body(response: &lambda_http::Response<lambda_http::Body>) -> serde_json::Value {
    match response.body() {
        lambda_http::Body::Text(text) => serde_json::from_str(text).unwrap(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_caller_comes_from_the_authorizer_claims() {
    let (app, _dir) = app().await;
    let response = escalations_lambda::http::handle(&app, event("me.json"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let me = body(&response);
    assert_eq!(me["person"], "school-practitioner");
    assert_eq!(me["partnership"]["id"], "sefton");
}

#[tokio::test]
async fn a_request_without_authorizer_claims_is_refused() {
    let (app, _dir) = app().await;
    let response = escalations_lambda::http::handle(&app, event("me-unauthenticated.json"))
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

/// API Gateway's JWT authorizer also passes Cognito access tokens (it checks their
/// `client_id`); even one carrying the custom attributes is not a caller.
#[tokio::test]
async fn an_access_token_is_refused_even_with_the_custom_claims() {
    let (app, _dir) = app().await;
    let path = format!("{}/../../infra/events/me.json", env!("CARGO_MANIFEST_DIR"));
    let mut event: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let claims = &mut event["requestContext"]["authorizer"]["jwt"]["claims"];
    claims["token_use"] = "access".into();
    claims["client_id"] = "app-client".into();
    claims["scope"] = "aws.cognito.signin.user.admin".into();
    let request = lambda_http::request::from_str(&event.to_string()).unwrap();
    let response = escalations_lambda::http::handle(&app, request)
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_raise_event_creates_a_case() {
    let (app, _dir) = app().await;
    let response = escalations_lambda::http::handle(&app, event("raise.json"))
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", body(&response));
    let view = body(&response);
    assert_eq!(view["case"]["stage"], "step-1");
    assert_eq!(view["next_move"]["due"], "2026-11-26T00:00:00Z");
}

/// The cold-start benchmark's event: it reads no storage, so it measures the function alone.
#[tokio::test]
async fn the_cold_start_event_answers_with_the_procedure() {
    let (app, _dir) = app().await;
    let response = escalations_lambda::http::handle(&app, event("procedure.json"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(body(&response)["id"], "sefton");
    assert_eq!(response.headers()["cache-control"], "no-store");
}
