//! The web page: practitioners and managers raise, answer and follow escalations.
//!
//! A client-side Leptos app. It speaks to the API with the API's own wire types
//! (`escalations-wire`) and works out due dates and time left with the server's own core
//! (`escalations-core`, compiled to WebAssembly), so the page and the server never disagree.

mod api;
mod app;
mod auth;
mod pages;
mod session;
mod ui;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
