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
    lambda_http::run(service_fn(move |request| {
        let app = app.clone();
        async move { handle(&app, request).await }
    }))
    .await
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
