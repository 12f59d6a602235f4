//! The HTTP API's edge: it parses requests into the application layer's typed inputs, routes
//! them to its use cases (`escalations-app`), answers with the wire crate's types
//! (`escalations-wire`) and maps every error to RFC 9457 problem details in one place
//! (`problem.rs`). Each Lambda function's `main` and the local stack build an [`Api`] once and
//! hand it every request with the caller's identity. No business rule lives here.

pub mod identity;
mod parse;
pub mod problem;
mod reply;
mod router;
mod routes;
mod wire;

pub use identity::{Claims, LocalTokens};
pub use problem::ApiError;
pub use reply::{Response, problem};
pub use router::{Api, Clock, MAX_BODY_BYTES, ROUTES};
