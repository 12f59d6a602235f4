//! The router: which use case a method and path reach, with `now` read once per request.

use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use escalations_app::App;
use escalations_core::Catalogue;
use escalations_core::access::Principal;
use escalations_store::Store;
use http::Method;

use crate::problem::ApiError;
use crate::reply::{Reply, Response, problem};
use crate::routes;

/// Every route, as `openapi.yaml` names it. A test checks the document, this list and the
/// router agree, and that template.yaml sends each route to a function.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/me"),
    ("GET", "/api/procedures"),
    ("GET", "/api/procedures/{id}"),
    ("GET", "/api/queue"),
    ("GET", "/api/cases"),
    ("POST", "/api/cases"),
    ("GET", "/api/cases/{id}"),
    ("POST", "/api/cases/{id}/responses"),
    ("POST", "/api/cases/{id}/submissions"),
    ("POST", "/api/cases/{id}/escalations"),
    ("POST", "/api/cases/{id}/resolution"),
    ("POST", "/api/cases/{id}/withdrawal"),
    ("POST", "/api/cases/{id}/action-completions"),
    ("GET", "/api/cases/{id}/forms/{form}"),
    ("POST", "/api/cases/{id}/forms/{form}"),
    ("GET", "/api/reports"),
    ("GET", "/api/overview"),
    // Administration
    ("GET", "/api/admin"),
    ("GET", "/api/admin/closure-days/preview"),
    ("POST", "/api/admin/changes"),
    // Calendar feeds. The feed itself is `{token}.ics`, answered without a bearer token.
    ("GET", "/api/me/calendar-feed"),
    ("POST", "/api/me/calendar-feed"),
    ("DELETE", "/api/me/calendar-feed"),
    ("GET", "/api/calendar/{token}"),
    ("GET", "/api/cases/{id}/deadline.ics"),
    // Audit: who has read a case, and its full record for a subject access request
    ("GET", "/api/cases/{id}/access"),
    ("GET", "/api/cases/{id}/export"),
];

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Where the API reads the time: the wall clock in AWS, a demo-adjustable one locally.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The HTTP API over the application layer.
#[derive(Clone)]
pub struct Api {
    app: App,
    clock: Clock,
    /// The web page's address (`https://escalations.example.org`), where it is known: calendar
    /// feeds link to case pages and are given as absolute URLs.
    site: Option<String>,
}

/// What a path names, before the method is considered.
enum Resource<'a> {
    Me,
    Procedures,
    Procedure(&'a str),
    Queue,
    Cases,
    Case(&'a str),
    CaseAction(&'a str, routes::cases::ActionRoute),
    CaseForm(&'a str, &'a str),
    CaseAccess(&'a str),
    CaseExport(&'a str),
    Reports,
    // Administration
    Admin,
    AdminPreview,
    AdminChanges,
    Overview,
    // Calendar feeds
    CalendarFeed,
    CaseDeadline(&'a str),
}

impl Resource<'_> {
    fn parse<'a>(segments: &[&'a str]) -> Option<Resource<'a>> {
        Some(match segments {
            ["api", "me"] => Resource::Me,
            ["api", "procedures"] => Resource::Procedures,
            ["api", "procedures", id] => Resource::Procedure(id),
            ["api", "queue"] => Resource::Queue,
            ["api", "cases"] => Resource::Cases,
            ["api", "cases", id] => Resource::Case(id),
            ["api", "me", "calendar-feed"] => Resource::CalendarFeed,
            ["api", "cases", id, "deadline.ics"] => Resource::CaseDeadline(id),
            ["api", "cases", id, "access"] => Resource::CaseAccess(id),
            ["api", "cases", id, "export"] => Resource::CaseExport(id),
            ["api", "cases", id, action] => {
                Resource::CaseAction(id, routes::cases::ActionRoute::parse(action)?)
            }
            ["api", "cases", id, "forms", form] => Resource::CaseForm(id, form),
            ["api", "reports"] => Resource::Reports,
            ["api", "admin"] => Resource::Admin,
            ["api", "admin", "closure-days", "preview"] => Resource::AdminPreview,
            ["api", "admin", "changes"] => Resource::AdminChanges,
            ["api", "overview"] => Resource::Overview,
            _ => return None,
        })
    }

    /// The methods this resource answers.
    fn allow(&self) -> Vec<&'static str> {
        match self {
            Resource::Cases | Resource::CaseForm(..) => vec!["GET", "POST"],
            Resource::CaseAction(..) | Resource::AdminChanges => vec!["POST"],
            Resource::CalendarFeed => vec!["GET", "POST", "DELETE"],
            _ => vec!["GET"],
        }
    }
}

impl Api {
    pub fn new(store: Arc<dyn Store>, catalogue: Catalogue, clock: Clock) -> Self {
        Api {
            app: App::new(store, catalogue),
            clock,
            site: None,
        }
    }

    /// The same API, knowing the web page's address (no trailing slash needed).
    pub fn with_site(mut self, site: impl Into<String>) -> Self {
        self.site = Some(site.into().trim_end_matches('/').to_owned());
        self
    }

    /// The same API, its application layer sending notices through `mail`
    /// ([`App::with_mail`]).
    pub fn with_mail(mut self, mail: escalations_app::MailSettings) -> Self {
        self.app = self.app.with_mail(mail);
        self
    }

    /// The same API, sending the notices of a person's action as `sending` says
    /// ([`App::sending`]).
    pub fn sending(mut self, sending: escalations_app::Sending) -> Self {
        self.app = self.app.sending(sending);
        self
    }

    /// The same API, creating the sign-ins of people administrators add in `users`
    /// ([`App::with_users`]).
    pub fn with_users(mut self, users: Arc<dyn escalations_users::UserDirectory>) -> Self {
        self.app = self.app.with_users(users);
        self
    }

    /// The application layer this API serves.
    pub fn app(&self) -> &App {
        &self.app
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Handles one request for an authenticated (or not) caller.
    pub async fn handle(
        &self,
        request: http::Request<Bytes>,
        principal: Result<Principal, ApiError>,
    ) -> Response {
        let method = request.method().clone();
        // One instant per request: a change and the view of its result agree.
        let now = self.now();
        // A calendar feed is asked for by calendar apps, which send no bearer token: the
        // token in its path is the credential, so that path is never logged.
        if let Some(file) = feed_file(request.uri().path()) {
            return self.feed(&method, file, now).await;
        }
        let path = request.uri().path().to_owned();
        let result = match principal {
            Err(e) => Err(e),
            Ok(principal) => self.route(&principal, &request, now).await.inspect(|_| {
                tracing::info!(person = %principal.actor.person, partnership = %principal.partnership, %method, %path, "request");
            }),
        };
        match result {
            Ok(reply) => reply.into_response(),
            Err(error) => {
                tracing::info!(%method, %path, status = error.status().as_u16(), "refused");
                problem(&error)
            }
        }
    }

    /// `GET /api/calendar/{token}.ics`, before and without authentication.
    async fn feed(&self, method: &Method, file: &str, now: DateTime<Utc>) -> Response {
        let path = routes::calendar::FEED_PATH_REDACTED;
        let result = if method == Method::GET {
            routes::calendar::feed(&self.app, file, self.site.as_deref(), now).await
        } else {
            Err(ApiError::MethodNotAllowed {
                method: method.to_string(),
                path: path.to_owned(),
                allow: vec!["GET"],
            })
        };
        match result {
            Ok(reply) => {
                tracing::info!(%method, path, "request");
                reply.into_response()
            }
            Err(error) => {
                tracing::info!(%method, path, status = error.status().as_u16(), "refused");
                problem(&error)
            }
        }
    }

    async fn route(
        &self,
        who: &Principal,
        request: &http::Request<Bytes>,
        now: DateTime<Utc>,
    ) -> Result<Reply, ApiError> {
        let path = request.uri().path().trim_end_matches('/');
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let no_route = || ApiError::NoRoute {
            method: request.method().to_string(),
            path: path.to_owned(),
        };
        let resource = Resource::parse(&segments).ok_or_else(no_route)?;
        let app = &self.app;
        let query = || crate::parse::query(request.uri().query());
        let (headers, body) = (request.headers(), request.body());
        match (request.method(), &resource) {
            (&Method::GET, Resource::Me) => routes::me::me(app, who, now).await,
            (&Method::GET, Resource::Procedures) => routes::me::procedures(app, who).await,
            (&Method::GET, Resource::Procedure(id)) => routes::me::procedure(app, id),
            (&Method::GET, Resource::Queue) => routes::queue::queue(app, who, now).await,
            (&Method::GET, Resource::Reports) => {
                routes::reports::report(app, who, &query(), now).await
            }
            (&Method::GET, Resource::Cases) => routes::cases::list(app, who, &query(), now).await,
            (&Method::GET, Resource::Overview) => routes::cases::overview(app, who, now).await,
            (&Method::POST, Resource::Cases) => {
                routes::cases::raise(app, who, headers, body, now).await
            }
            (&Method::GET, Resource::Case(id)) => routes::cases::view(app, who, id, now).await,
            (&Method::GET, Resource::CaseAccess(id)) => routes::cases::access(app, who, id).await,
            (&Method::GET, Resource::CaseExport(id)) => {
                routes::cases::export(app, who, id, now).await
            }
            (&Method::POST, Resource::CaseAction(id, action)) => {
                routes::cases::act(app, who, id, *action, headers, body, now).await
            }
            (&Method::GET, Resource::CaseForm(id, form)) => {
                routes::cases::form(app, who, id, form, &query(), now).await
            }
            (&Method::POST, Resource::CaseForm(id, form)) => {
                routes::cases::record_form(app, who, id, form, headers, body, now).await
            }
            (&Method::GET, Resource::CalendarFeed) => routes::calendar::state(app, who).await,
            (&Method::POST, Resource::CalendarFeed) => {
                routes::calendar::create(app, who, self.site.as_deref(), now).await
            }
            (&Method::DELETE, Resource::CalendarFeed) => routes::calendar::revoke(app, who).await,
            (&Method::GET, Resource::CaseDeadline(id)) => {
                routes::calendar::case_deadline(app, who, id, self.site.as_deref(), now).await
            }
            (&Method::GET, Resource::Admin) => routes::admin::read(app, who).await,
            (&Method::GET, Resource::AdminPreview) => {
                routes::admin::preview(app, who, &query()).await
            }
            (&Method::POST, Resource::AdminChanges) => {
                routes::admin::change(app, who, headers, body, now).await
            }
            (method, resource) => Err(ApiError::MethodNotAllowed {
                method: method.to_string(),
                path: path.to_owned(),
                allow: resource.allow(),
            }),
        }
    }
}

/// The file of a calendar feed's path (`/api/calendar/{token}.ics` → `{token}.ics`).
fn feed_file(path: &str) -> Option<&str> {
    let file = path.strip_prefix("/api/calendar/")?;
    (!file.is_empty() && !file.contains('/')).then_some(file)
}
