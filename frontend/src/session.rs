//! What the page keeps in the tab's session storage: the signed-in person's token, and what
//! they are typing, so an expired sign-in or a reload never loses it.

use gloo_storage::{SessionStorage, Storage};
use serde::Serialize;
use serde::de::DeserializeOwned;

const TOKEN: &str = "escalations.token";
const RETURN_TO: &str = "escalations.return-to";

pub fn token() -> Option<String> {
    SessionStorage::get(TOKEN).ok()
}

pub fn set_token(token: &str) {
    let _ = SessionStorage::set(TOKEN, token);
}

pub fn forget_token() {
    SessionStorage::delete(TOKEN);
}

/// Where to go after signing in: the page the person was on when asked to sign in.
pub fn set_return_to(path: &str) {
    let _ = SessionStorage::set(RETURN_TO, path);
}

const EXPIRED: &str = "escalations.expired";

/// The server refused the sign-in while the person was working.
pub fn mark_expired() {
    let _ = SessionStorage::set(EXPIRED, true);
}

/// Whether the sign-in ended under the person (once: the sign-in page says so, then forgets).
pub fn take_expired() -> bool {
    let expired = SessionStorage::get::<bool>(EXPIRED).unwrap_or(false);
    SessionStorage::delete(EXPIRED);
    expired
}

pub fn take_return_to() -> String {
    let path: Option<String> = SessionStorage::get(RETURN_TO).ok();
    SessionStorage::delete(RETURN_TO);
    // Only a path of this page, never an address elsewhere.
    path.filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".to_owned())
}

fn draft_key(key: &str) -> String {
    format!("escalations.draft.{key}")
}

pub fn load_draft<T: DeserializeOwned>(key: &str) -> Option<T> {
    SessionStorage::get(draft_key(key)).ok()
}

pub fn save_draft<T: Serialize>(key: &str, value: &T) {
    let _ = SessionStorage::set(draft_key(key), value);
}

pub fn clear_draft(key: &str) {
    SessionStorage::delete(draft_key(key));
}

/// Everything this tab keeps, for signing out.
pub fn forget_everything() {
    SessionStorage::clear();
}
