//! The web page as the local stack serves it: the built page's files from the site folder
//! (`frontend/dist`), `index.html` for every other path of the page (the single-page app's
//! routes, as template.yaml's `SiteRoutes` CloudFront function does), `/config.json` saying
//! the page signs in with the demo users of `/dev/people`, and the security headers on every
//! response.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use escalations_store::PartnershipConfig;
use escalations_wire::{DemoPartnership, DemoPeople, DemoPerson, SiteConfig};
use http::{HeaderName, HeaderValue, Method, Request, StatusCode, header};
use tower_http::services::fs::ServeFileSystemResponseBody;
use tower_http::services::{ServeDir, ServeFile};

/// The page's Content-Security-Policy on the local stack. template.yaml's `SecurityHeaders`
/// policy, less what plain http on loopback cannot or need not say: no
/// `upgrade-insecure-requests` (there is no https to upgrade to), and `connect-src` without
/// the Cognito hosts (the page signs in with the demo users, through this origin).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; \
     script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'; object-src 'none'";

/// The one definition of the headers the local stack sets on every response — the page's
/// files, `/api/*`, `/dev/*` and `/config.json` — replacing any a handler set. They mirror
/// template.yaml's `SecurityHeaders` response headers policy, with three differences for
/// plain http on loopback: no `Strict-Transport-Security`, and the two in
/// [`CONTENT_SECURITY_POLICY`]. `tests/security_headers.rs` holds the two to this.
pub const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    ),
    ("cross-origin-opener-policy", "same-origin"),
];

/// Sets [`SECURITY_HEADERS`] on a response (`axum::middleware::map_response`).
pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    response
}

/// Where `./scripts/run.sh` builds the page: `frontend/dist` in the repository.
pub fn default_dir() -> PathBuf {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    root.canonicalize()
        .unwrap_or_else(|_| root.to_path_buf())
        .join("frontend/dist")
}

/// The built page's folder, served as the page.
#[derive(Clone)]
pub struct Site {
    dir: PathBuf,
}

impl Site {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Any path no route took: a file of the page when its last segment has a dot (404 when
    /// there is none), else one of the page's own routes, answered with `index.html`.
    /// Unknown `/api/*` and `/dev/*` paths are 404s, never the page.
    pub async fn serve(self, request: Request<Body>) -> Response {
        let path = request.uri().path();
        let backend = ["/api", "/dev"]
            .iter()
            .any(|p| path == *p || path.starts_with(&format!("{p}/")));
        if backend {
            return StatusCode::NOT_FOUND.into_response();
        }
        if request.method() != Method::GET && request.method() != Method::HEAD {
            return (
                StatusCode::METHOD_NOT_ALLOWED,
                [(header::ALLOW, "GET, HEAD")],
            )
                .into_response();
        }
        let last = path.rsplit('/').next().unwrap_or_default();
        if last.contains('.') && path != "/index.html" {
            self.file(request).await
        } else {
            self.index(request).await
        }
    }

    async fn file(&self, request: Request<Body>) -> Response {
        let mut files = ServeDir::new(&self.dir)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(false);
        let mut response = answer(files.try_call(request).await);
        // The page's files keep their names from build to build (the loader is a file and
        // names them), so they are revalidated on every load, never used stale.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }

    async fn index(&self, request: Request<Body>) -> Response {
        let index = self.dir.join("index.html");
        if !tokio::fs::metadata(&index).await.is_ok_and(|m| m.is_file()) {
            return not_built(&self.dir);
        }
        let mut file = ServeFile::new(index)
            .precompressed_br()
            .precompressed_gzip();
        let mut response = answer(file.try_call(request).await);
        // Always revalidated: a rebuilt page names new files.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }
}

fn answer(served: std::io::Result<http::Response<ServeFileSystemResponseBody>>) -> Response {
    match served {
        Ok(response) => response.map(Body::new),
        Err(error) => {
            tracing::error!(error = %error, "the page's file could not be read");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn not_built(dir: &Path) -> Response {
    tracing::warn!(dir = %dir.display(), "the web page is not built");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CACHE_CONTROL, "no-store")],
        Html(
            "<!doctype html><meta charset=utf-8><title>Escalations (local): page not built</title>\
             <h1>The web page is not built</h1>\
             <p>Run <code>./scripts/run.sh</code>, which builds it and starts the local stack. \
             The API is at <code>/api</code> meanwhile.</p>",
        ),
    )
        .into_response()
}

/// `GET /config.json`: the page signs in with the demo users.
pub async fn config() -> Response {
    (
        [(header::CACHE_CONTROL, "no-cache")],
        axum::Json(SiteConfig::Demo),
    )
        .into_response()
}

/// `GET /dev/people`: every demo partnership with the people the page may sign in as.
pub fn people(partnerships: &[PartnershipConfig]) -> DemoPeople {
    DemoPeople {
        partnerships: partnerships
            .iter()
            .map(|p| DemoPartnership {
                id: p.id.clone(),
                name: p.name.clone(),
                people: p
                    .people
                    .iter()
                    .map(|person| DemoPerson {
                        id: person.id.clone(),
                        name: person.name.clone(),
                        role: person.role,
                        agency: person.agency.clone(),
                        agency_name: p
                            .agencies
                            .iter()
                            .find(|a| a.id == person.agency)
                            .map_or_else(|| person.agency.to_string(), |a| a.name.clone()),
                        level: person.level,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Serves the site for the stack's fallback.
pub async fn fallback(State(site): State<Site>, request: Request<Body>) -> Response {
    site.serve(request).await
}
