//! A calendar feed's URL is its credential: whatever a request for it logs — served, refused,
//! asked with the wrong method — never carries the secret.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use escalations_api::{Api, ApiError};
use escalations_core::Catalogue;
use escalations_core::access::Principal;
use escalations_core::case::{Actor, Role};
use escalations_core::ids::{AgencyId, PartnershipId, PersonId};
use escalations_store::Store;
use escalations_store_sqlite::SqliteStore;

struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn request(method: &str, path: &str) -> http::Request<Bytes> {
    http::Request::builder()
        .method(method)
        .uri(path)
        .body(Bytes::new())
        .unwrap()
}

#[tokio::test]
async fn no_log_line_carries_a_feeds_secret() {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || Capture(writer.clone()))
        .init();

    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("logs.db")).await.unwrap();
    for config in escalations_demo::partnerships() {
        store.put_partnership(&config).await.unwrap();
    }
    let api = Api::new(
        Arc::new(store),
        Catalogue::builtin().unwrap(),
        Arc::new(|| "2026-11-23T10:00:00Z".parse().unwrap()),
    )
    .with_site("https://escalations.example.org");
    let manager = Principal {
        partnership: PartnershipId::parse("sefton").unwrap(),
        actor: Actor::new(
            PersonId::parse("social-care-manager").unwrap(),
            AgencyId::parse("social-care").unwrap(),
            Role::Manager,
        ),
    };

    let created = api
        .handle(
            request("POST", "/api/me/calendar-feed"),
            Ok(manager.clone()),
        )
        .await;
    assert_eq!(created.status(), 201);
    let link: serde_json::Value = serde_json::from_slice(created.body()).unwrap();
    let url = link["url"].as_str().unwrap();
    let path = url.strip_prefix("https://escalations.example.org").unwrap();
    let secret = path
        .trim_end_matches(".ics")
        .rsplit('.')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(secret.len(), 43, "{path}");

    let anonymous = || Err(ApiError::Unauthenticated);
    let served = api.handle(request("GET", path), anonymous()).await;
    assert_eq!(served.status(), 200);
    let wrong_method = api.handle(request("POST", path), anonymous()).await;
    assert_eq!(wrong_method.status(), 405);
    let body = String::from_utf8_lossy(wrong_method.body()).into_owned();
    assert!(!body.contains(&secret), "{body}");
    api.handle(request("DELETE", "/api/me/calendar-feed"), Ok(manager))
        .await;
    let stopped = api.handle(request("GET", path), anonymous()).await;
    assert_eq!(stopped.status(), 404);

    let logs = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(
        logs.contains("calendar feed read"),
        "the logs were captured: {logs}"
    );
    assert!(
        !logs.contains(&secret),
        "a log line carries the secret: {logs}"
    );
}
