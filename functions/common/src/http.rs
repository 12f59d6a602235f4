//! The API Gateway (HTTP API, payload 2.0) entry: every HTTP function runs [`run`].

use std::sync::Arc;

use bytes::Bytes;
use escalations_api::identity::Claims;
use escalations_api::{Api, ApiError};
use escalations_core::Catalogue;
use escalations_core::access::Principal;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response, service_fn};

use crate::{Error, bootstrap};

/// Runs an HTTP function: one `Api` for the life of the execution environment.
pub async fn run() -> Result<(), Error> {
    bootstrap::init_tracing();
    let config = bootstrap::aws_config().await;
    let store = bootstrap::dynamo_store_with(&config)?;
    let mut app = Api::new(
        Arc::new(store),
        Catalogue::builtin()?,
        Arc::new(chrono::Utc::now),
    );
    // Calendar feeds link to case pages once the deployment knows the page's address.
    if let Some(site) = bootstrap::site_url_from(|name| std::env::var(name).ok())? {
        app = app.with_site(site);
    }
    // People an administrator adds get their Cognito user (the admin function has the pool).
    if let Some(users) = bootstrap::user_directory(&config, |name| std::env::var(name).ok()) {
        app = app.with_users(Arc::new(users));
    }
    // Notices of an action go out with it once the deployment configures a sender.
    if bootstrap::mail_configured() {
        app = app.with_mail(bootstrap::mail_settings(&config)?);
    }
    let origin = OriginCheck::new(std::env::var("ORIGIN_SECRET").ok());
    lambda_http::run(service_fn(move |request: Request| {
        let (app, origin) = (app.clone(), origin.clone());
        async move {
            if !origin.admits(request.headers()) {
                return Ok(not_through_the_page());
            }
            handle(&app, request).await
        }
    }))
    .await
}

/// The header CloudFront adds to every request it sends the API (template.yaml).
pub const ORIGIN_HEADER: &str = "x-origin-verify";

/// When the deployment sets `ORIGIN_SECRET`, only requests that came through the page's
/// CloudFront distribution (which adds it as `x-origin-verify`) are served: one client calling
/// the execute-api address directly cannot exhaust the API's throttle for everyone, or pass
/// around the web ACL in front of CloudFront.
#[derive(Clone, Debug, Default)]
pub struct OriginCheck(Option<String>);

impl OriginCheck {
    pub fn new(secret: Option<String>) -> Self {
        OriginCheck(secret.filter(|s| !s.is_empty()))
    }

    pub fn admits(&self, headers: &::http::HeaderMap) -> bool {
        use subtle::ConstantTimeEq;
        match &self.0 {
            None => true,
            Some(secret) => headers
                .get(ORIGIN_HEADER)
                .is_some_and(|sent| bool::from(sent.as_bytes().ct_eq(secret.as_bytes()))),
        }
    }
}

fn not_through_the_page() -> Response<Body> {
    let error = ApiError::Forbidden(
        "use the service through its web address, not the API's own address".to_owned(),
    );
    escalations_api::problem(&error).map(|b| Body::Text(String::from_utf8_lossy(&b).into_owned()))
}

/// The caller, from the claims API Gateway's JWT authorizer verified. Requests that reach a
/// function without them (a misconfigured route) are refused, never trusted.
pub fn caller(request: &Request) -> Result<Principal, ApiError> {
    let claims = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context
            .authorizer
            .as_ref()
            .and_then(|a| a.jwt.as_ref())
            .map(|jwt| jwt.claims.clone()),
        _ => None,
    }
    .ok_or(ApiError::Unauthenticated)?;
    Claims::from_authorizer(&claims)?.principal()
}

/// Converts the Lambda request, calls the shared handler, converts the response back.
pub async fn handle(app: &Api, request: Request) -> Result<Response<Body>, Error> {
    let principal = caller(&request);
    let (parts, body) = request.into_parts();
    let bytes = match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text),
        Body::Binary(binary) => Bytes::from(binary),
        _ => Bytes::new(),
    };
    let response = app
        .handle(::http::Request::from_parts(parts, bytes), principal)
        .await;
    Ok(response.map(|b| Body::Text(String::from_utf8_lossy(&b).into_owned())))
}

#[cfg(test)]
mod tests {
    use super::{ORIGIN_HEADER, OriginCheck};

    fn headers(value: Option<&str>) -> ::http::HeaderMap {
        let mut headers = ::http::HeaderMap::new();
        if let Some(v) = value {
            headers.insert(ORIGIN_HEADER, v.parse().unwrap());
        }
        headers
    }

    #[test]
    fn with_a_secret_only_requests_carrying_it_are_admitted() {
        let check = OriginCheck::new(Some("s3cr3t-from-cloudfront-0123456789abcdef".into()));
        assert!(check.admits(&headers(Some("s3cr3t-from-cloudfront-0123456789abcdef"))));
        assert!(!check.admits(&headers(None)));
        assert!(!check.admits(&headers(Some("s3cr3t-from-cloudfront-0123456789abcdeF"))));
        assert!(!check.admits(&headers(Some(""))));
    }

    #[test]
    fn without_a_secret_every_request_is_admitted() {
        assert!(OriginCheck::new(None).admits(&headers(None)));
        assert!(OriginCheck::new(Some(String::new())).admits(&headers(None)));
    }

    #[test]
    fn a_refused_request_is_a_403_problem_saying_what_to_do() {
        let response = super::not_through_the_page();
        assert_eq!(response.status(), 403);
        let lambda_http::Body::Text(body) = response.body() else {
            panic!("a text body")
        };
        assert!(body.contains("through its web address"), "{body}");
    }
}
