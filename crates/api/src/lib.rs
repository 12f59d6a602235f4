//! The HTTP API's shared handler code. Each Lambda function's `main` and the local stack
//! build an [`App`] once and hand every request to [`App::handle`] with the caller's
//! identity; no business rule lives anywhere else.

pub mod app;
pub mod demo;
pub mod identity;
pub mod problem;

pub use app::{App, MAX_BODY_BYTES};
pub use identity::{Claims, LocalTokens};
pub use problem::ApiError;
