//! What every Lambda function's `main` calls.
//!
//! - [`bootstrap`]: what any function needs once per execution environment, HTTP or not —
//!   CloudWatch JSON logs, configuration from the environment, the DynamoDB store.
//! - [`http`]: the API Gateway (HTTP API) entry: one shared [`Api`](escalations_api::Api) per
//!   execution environment, each request handed to `Api::handle` with the caller taken from
//!   the Cognito JWT authorizer's claims.
//!
//! A function's `main` is one call: `escalations_lambda::http::run().await` for the API; a
//! scheduled function calls [`bootstrap::init_tracing`] and [`bootstrap::dynamo_store`], then
//! runs its own handler.

pub mod bootstrap;
pub mod http;

/// The error a function's `main` returns (the Lambda runtime's boxed error).
pub use lambda_http::Error;
