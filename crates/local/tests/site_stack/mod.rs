//! A local stack serving a stand-in web page: a site folder with an `index.html` and an
//! `app.js` (or none at all), for the tests of how the stack serves the page.
#![allow(dead_code)]

pub const INDEX: &str =
    "<!doctype html><title>Escalations</title><script type=module src=/app.js></script>";
pub const APP: &str = "export default 1;";

pub struct SiteStack {
    pub url: String,
    pub http: reqwest::Client,
    dir: tempfile::TempDir,
}

/// A stack whose site folder holds `index.html` and `app.js`.
pub async fn start() -> SiteStack {
    start_with(true).await
}

/// A stack whose site folder was never built.
pub async fn start_unbuilt() -> SiteStack {
    start_with(false).await
}

async fn start_with(built: bool) -> SiteStack {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("dist");
    if built {
        std::fs::create_dir(&site).unwrap();
        std::fs::write(site.join("index.html"), INDEX).unwrap();
        std::fs::write(site.join("app.js"), APP).unwrap();
    }
    let (router, _) = escalations_local::stack_with(
        dir.path().join("e.db"),
        dir.path().join("outbox"),
        "http://127.0.0.1:8080".to_owned(),
        site,
        escalations_store_sqlite::Writes::default(),
        escalations_local::Sending::AfterAnswering,
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    SiteStack {
        url,
        http: reqwest::Client::new(),
        dir,
    }
}

impl SiteStack {
    /// The folder the stack serves the page from.
    pub fn site_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("dist")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap()
    }
}

/// A response header as text ("" when absent).
pub fn header<'r>(response: &'r reqwest::Response, name: &str) -> &'r str {
    response
        .headers()
        .get(name)
        .map_or("", |v| v.to_str().unwrap())
}
