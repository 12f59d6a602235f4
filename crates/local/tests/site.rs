//! The web page as the local stack serves it: its files, `index.html` for the page's own
//! routes, `/config.json` and the demo people it signs in as.

mod site_stack;

use reqwest::StatusCode;
use serde_json::Value;
use site_stack::{APP, INDEX, header};

#[tokio::test]
async fn the_pages_own_routes_are_answered_with_index_html_never_cached_stale() {
    let stack = site_stack::start().await;
    for path in [
        "/",
        "/cases/abc",
        "/signin",
        "/signin/callback",
        "/queue/",
        "/index.html",
    ] {
        let response = stack.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            header(&response, "content-type").starts_with("text/html"),
            "{path}"
        );
        assert_eq!(header(&response, "cache-control"), "no-cache", "{path}");
        assert_eq!(response.text().await.unwrap(), INDEX, "{path}");
    }
}

#[tokio::test]
async fn a_file_is_served_with_its_type_and_a_missing_one_is_404_not_the_page() {
    let stack = site_stack::start().await;
    let response = stack.get("/app.js").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), "text/javascript");
    // Its name does not change when the page is rebuilt: never used stale.
    assert_eq!(header(&response, "cache-control"), "no-cache");
    assert_eq!(response.text().await.unwrap(), APP);

    for path in ["/missing.wasm", "/cases/abc/app.js", "/../Cargo.toml"] {
        let response = stack.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn unknown_api_and_dev_paths_are_404_not_the_page() {
    let stack = site_stack::start().await;
    for path in ["/dev/nothing", "/api", "/dev"] {
        let response = stack.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_ne!(response.text().await.unwrap(), INDEX, "{path}");
    }
}

#[tokio::test]
async fn a_precompressed_sibling_is_served_to_a_client_that_accepts_it() {
    let stack = site_stack::start().await;
    let dir = stack.site_dir();
    std::fs::write(dir.join("app.wasm"), b"\0asm plain").unwrap();
    std::fs::write(dir.join("app.wasm.br"), b"brotli bytes").unwrap();

    let plain = stack.get("/app.wasm").await;
    assert_eq!(header(&plain, "content-type"), "application/wasm");
    assert_eq!(header(&plain, "content-encoding"), "");
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"\0asm plain");

    let compressed = stack
        .http
        .get(format!("{}/app.wasm", stack.url))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&compressed, "content-type"), "application/wasm");
    assert_eq!(header(&compressed, "content-encoding"), "br");
    assert_eq!(compressed.bytes().await.unwrap().as_ref(), b"brotli bytes");
}

#[tokio::test]
async fn an_unbuilt_page_says_how_to_build_it() {
    let stack = site_stack::start_unbuilt().await;
    for path in ["/", "/cases/abc"] {
        let response = stack.get(path).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        let text = response.text().await.unwrap();
        assert!(text.contains("not built"), "{text}");
        assert!(text.contains("./scripts/run.sh"), "{text}");
    }
    // The API does not need the page.
    let response = stack.get("/dev/people").await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn config_json_says_the_page_signs_in_with_the_demo_users() {
    let stack = site_stack::start().await;
    let response = stack.get("/config.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "cache-control"), "no-cache");
    let config: escalations_wire::SiteConfig = response.json().await.unwrap();
    assert_eq!(config, escalations_wire::SiteConfig::Demo);
}

#[tokio::test]
async fn dev_people_lists_every_demo_partnership_with_its_people() {
    let stack = site_stack::start().await;
    let response = stack.get("/dev/people").await;
    assert_eq!(response.status(), StatusCode::OK);
    let people: Value = response.json().await.unwrap();
    let partnerships = people["partnerships"].as_array().unwrap();
    assert_eq!(partnerships.len(), escalations_demo::partnerships().len());
    let sefton = partnerships.iter().find(|p| p["id"] == "sefton").unwrap();
    let practitioner = sefton["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "school-practitioner")
        .unwrap_or_else(|| panic!("{sefton}"));
    assert_eq!(practitioner["role"], "practitioner");
    assert_eq!(practitioner["agency"], "school");
    assert_ne!(practitioner["agency_name"], "school", "{practitioner}");
    // And the page signs in as them with /dev/token.
    let token = stack
        .get("/dev/token?partnership=sefton&person=school-practitioner")
        .await;
    assert_eq!(token.status(), StatusCode::OK);
}
