//! One module per resource: each parses its request into the application layer's typed
//! input, calls the use case and answers with a wire type.

pub(crate) mod admin;
pub(crate) mod calendar;
pub(crate) mod cases;
pub(crate) mod me;
pub(crate) mod queue;
pub(crate) mod reports;
