//! The work queue's cost: it is worked out from list entries, and reads a whole case only
//! when no clock runs and the caller may be the side to move.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use escalations_api::Api;
use escalations_core::Catalogue;
use escalations_core::access::Principal;
use escalations_core::case::{Actor, Case, ChildKey, Event, MatchSecret, Role, Transition};
use escalations_core::ids::{AgencyId, CaseId, PartnershipId, PersonId};
use escalations_store::{
    CaseFilter, CaseSummary, ClaimedNotice, Created, DueClock, DueNotice, Idempotency, Notice,
    NoticeEnd, NoticeKey, NoticeOutcome, Page, PageRequest, PartnershipConfig, PendingNotice,
    Scope, Store, StoreError,
};
use escalations_store_sqlite::SqliteStore;
use serde_json::{Value, json};

/// The embedded store, counting whole-case reads.
struct Counting {
    inner: SqliteStore,
    loads: AtomicUsize,
}

#[async_trait]
impl Store for Counting {
    async fn put_partnership(&self, config: &PartnershipConfig) -> Result<(), StoreError> {
        self.inner.put_partnership(config).await
    }
    async fn partnership(
        &self,
        id: &PartnershipId,
    ) -> Result<Option<PartnershipConfig>, StoreError> {
        self.inner.partnership(id).await
    }
    async fn partnerships(&self) -> Result<Vec<PartnershipId>, StoreError> {
        self.inner.partnerships().await
    }
    async fn create_case_noting(
        &self,
        partnership: &PartnershipId,
        raised: &Transition,
        idempotency: Option<&Idempotency>,
        notices: &[PendingNotice],
    ) -> Result<Created, StoreError> {
        self.inner
            .create_case_noting(partnership, raised, idempotency, notices)
            .await
    }
    async fn load_case(
        &self,
        partnership: &PartnershipId,
        id: &CaseId,
    ) -> Result<Option<Case>, StoreError> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        self.inner.load_case(partnership, id).await
    }
    async fn chronology(
        &self,
        partnership: &PartnershipId,
        id: &CaseId,
    ) -> Result<Vec<Event>, StoreError> {
        self.inner.chronology(partnership, id).await
    }
    async fn apply_noting(
        &self,
        partnership: &PartnershipId,
        transition: &Transition,
        notices: &[PendingNotice],
    ) -> Result<(), StoreError> {
        self.inner
            .apply_noting(partnership, transition, notices)
            .await
    }
    async fn list_cases(
        &self,
        partnership: &PartnershipId,
        scope: &Scope,
        filter: &CaseFilter,
        page: &PageRequest,
    ) -> Result<Page<CaseSummary>, StoreError> {
        self.inner
            .list_cases(partnership, scope, filter, page)
            .await
    }
    async fn due_by(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<DueClock>, StoreError> {
        self.inner.due_by(partnership, instant, page).await
    }
    async fn record_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        at: DateTime<Utc>,
    ) -> Result<NoticeOutcome, StoreError> {
        self.inner.record_notice(partnership, case, key, at).await
    }
    async fn notices(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
    ) -> Result<Vec<Notice>, StoreError> {
        self.inner.notices(partnership, case).await
    }
    async fn due_notices(
        &self,
        partnership: &PartnershipId,
        instant: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<Page<DueNotice>, StoreError> {
        self.inner.due_notices(partnership, instant, page).await
    }
    async fn claim_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<ClaimedNotice>, StoreError> {
        self.inner
            .claim_notice(partnership, case, key, now, lease_until)
            .await
    }
    async fn release_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.inner
            .release_notice(partnership, case, key, retry_at)
            .await
    }
    async fn finish_notice(
        &self,
        partnership: &PartnershipId,
        case: &CaseId,
        key: &NoticeKey,
        end: NoticeEnd,
        at: DateTime<Utc>,
    ) -> Result<NoticeOutcome, StoreError> {
        self.inner
            .finish_notice(partnership, case, key, end, at)
            .await
    }
    async fn idempotent_case(
        &self,
        partnership: &PartnershipId,
        idempotency: &Idempotency,
    ) -> Result<Option<Case>, StoreError> {
        self.inner.idempotent_case(partnership, idempotency).await
    }
    async fn open_cases_about(
        &self,
        partnership: &PartnershipId,
        child: &ChildKey,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        self.inner.open_cases_about(partnership, child).await
    }
    async fn match_secret(
        &self,
        partnership: &PartnershipId,
        candidate: &MatchSecret,
    ) -> Result<MatchSecret, StoreError> {
        self.inner.match_secret(partnership, candidate).await
    }
}

fn person(id: &str, agency: &str, role: Role) -> Principal {
    Principal {
        partnership: PartnershipId::parse("sefton").unwrap(),
        actor: Actor::new(
            PersonId::parse(id).unwrap(),
            AgencyId::parse(agency).unwrap(),
            role,
        ),
    }
}

async fn call(app: &Api, who: &Principal, method: &str, path: &str, body: Value) -> Value {
    let request = http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_string()))
        .unwrap();
    let response = app.handle(request, Ok(who.clone())).await;
    assert!(
        response.status().is_success(),
        "{method} {path}: {response:?}"
    );
    serde_json::from_slice(response.body()).unwrap()
}

#[tokio::test]
async fn the_queue_reads_whole_cases_only_when_no_clock_says_whose_move_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Counting {
        inner: SqliteStore::open(dir.path().join("q.db")).await.unwrap(),
        loads: AtomicUsize::new(0),
    });
    for config in escalations_demo::partnerships() {
        store.put_partnership(&config).await.unwrap();
    }
    let now = || "2026-11-23T10:00:00Z".parse().unwrap();
    let app = Api::new(store.clone(), Catalogue::builtin().unwrap(), Arc::new(now));
    let school = person("school-practitioner", "school", Role::Practitioner);
    let social_care = person("social-care-manager", "social-care", Role::Manager);

    // 30 cases waiting for social care's response (a clock runs), and 1 waiting for the
    // school's decision after a "not resolved" answer (no clock runs).
    let mut ids = Vec::new();
    for _ in 0..31 {
        let raised = call(
            &app,
            &school,
            "POST",
            "/api/cases",
            json!({
                "procedure": "sefton", "receiving_agency": "social-care",
                "child": { "name": "Queue Child" },
                "concern": { "summary": "Referral closed", "level_of_need": "s17" }, "immediate_risk": false
            }),
        )
        .await;
        ids.push(raised["case"]["id"].as_str().unwrap().to_owned());
    }
    let answered = &ids[0];
    call(
        &app,
        &social_care,
        "POST",
        &format!("/api/cases/{answered}/responses"),
        json!({
            "version": 1, "outcome": "not-resolved", "reasons": "Threshold not agreed",
            "agreed_actions": [{ "what": "Hold a strategy discussion",
                                 "owner_agency": "social-care", "by_when": "2026-11-30" }]
        }),
    )
    .await;

    store.loads.store(0, Ordering::SeqCst);
    let queue = call(&app, &social_care, "GET", "/api/queue", Value::Null).await;
    let items = queue["items"].as_array().unwrap();
    assert_eq!(items.len(), 30, "{queue}");
    assert!(
        items
            .iter()
            .all(|i| i["case"] != answered.as_str() && i["due"].is_string())
    );
    // Every one came from its list entry's running clock; the case awaiting the school's
    // decision is not social care's move, so it was not read either.
    assert_eq!(store.loads.load(Ordering::SeqCst), 0);
    // The action social care owns in that case is in its work, from the list entry too.
    assert_eq!(
        queue["agreed_actions"],
        json!([{ "case": answered, "procedure": "sefton", "status": "open",
                 "due": "2026-11-30", "overdue": false, "version": 2 }])
    );

    let queue = call(&app, &school, "GET", "/api/queue", Value::Null).await;
    let items = queue["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{queue}");
    assert_eq!(items[0]["case"], answered.as_str());
    assert_eq!(items[0]["actions"], json!(["escalate", "resolve"]));
    assert_eq!(
        queue["agreed_actions"],
        json!([]),
        "the school owns no action"
    );
    // Only that case, where the school may be the side to move, was read whole.
    assert_eq!(store.loads.load(Ordering::SeqCst), 1);
}
