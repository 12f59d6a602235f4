//! What every Lambda function's `main` calls.
//!
//! - [`bootstrap`]: what any function needs once per execution environment, HTTP or not —
//!   CloudWatch JSON logs, configuration from the environment, the DynamoDB store, how
//!   notices are sent (SES, `MAIL_FROM`, `BASE_URL`).
//! - [`http`]: the API Gateway (HTTP API) entry: one shared [`Api`](escalations_api::Api) per
//!   execution environment, each request handed to `Api::handle` with the caller taken from
//!   the Cognito JWT authorizer's claims.
//!
//! - [`sweep`]: the EventBridge Scheduler entry of the `sweep` function: one
//!   [`App::sweep`](escalations_app::App::sweep) per invocation at the event's `time`, within
//!   the invocation's deadline, its summary logged as one line and returned.
//!
//! A function's `main` is one call: `escalations_lambda::http::run().await` for the API,
//! `escalations_lambda::sweep::run().await` for the sweeper.

pub mod bootstrap;
pub mod http;
pub mod sweep;

/// The error a function's `main` returns (the Lambda runtime's boxed error).
pub use lambda_http::Error;
