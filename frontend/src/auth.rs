//! Signing in and out. Locally, the local stack's demo people (`/dev/people`, `/dev/token`);
//! in AWS, Cognito's hosted UI with the authorization-code flow and PKCE (RFC 7636), read
//! from `/config.json`, which the deploy writes: one build of the page serves every
//! partnership.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use escalations_wire::SiteConfig;
use gloo_storage::{SessionStorage, Storage};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::api::Failure;
use crate::session;

const VERIFIER: &str = "escalations.pkce-verifier";
const STATE: &str = "escalations.pkce-state";

/// The path of the page Cognito sends the person back to (template.yaml's CallbackURLs).
pub const CALLBACK_PATH: &str = "/signin/callback";

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

pub fn origin() -> String {
    location().and_then(|l| l.origin().ok()).unwrap_or_default()
}

/// The sign-in expired (`expired`: the server refused the token) or never happened: keep where
/// the person was, and what they typed (drafts stay in session storage), and go to the
/// sign-in page.
pub fn sign_in_again(expired: bool) {
    session::forget_token();
    if expired {
        session::mark_expired();
    }
    if let Some(location) = location() {
        let here = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        if !here.starts_with("/signin") {
            session::set_return_to(&here);
        }
        let _ = location.assign("/signin");
    }
}

pub async fn site_config() -> Result<SiteConfig, Failure> {
    crate::api::get_public::<SiteConfig>("/config.json").await
}

/// RFC 7636: the S256 challenge of a verifier.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    URL_SAFE_NO_PAD.encode(bytes)
}

fn form_encode(pairs: &[(&str, &str)]) -> String {
    let params = web_sys::UrlSearchParams::new().expect("URLSearchParams");
    for (key, value) in pairs {
        params.append(key, value);
    }
    params.to_string().into()
}

/// Sends the person to Cognito's hosted UI.
pub fn start_cognito(client_id: &str, domain: &str) {
    let verifier = random_token();
    let state = random_token();
    let _ = SessionStorage::set(VERIFIER, &verifier);
    let _ = SessionStorage::set(STATE, &state);
    let query = form_encode(&[
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", &format!("{}{CALLBACK_PATH}", origin())),
        ("scope", "openid email profile"),
        ("code_challenge_method", "S256"),
        ("code_challenge", &pkce_challenge(&verifier)),
        ("state", &state),
    ]);
    if let Some(location) = location() {
        let _ = location.assign(&format!("https://{domain}/oauth2/authorize?{query}"));
    }
}

#[derive(Deserialize)]
struct Tokens {
    id_token: String,
}

/// Cognito sent the person back with a code: exchange it (with the verifier) for tokens.
/// The API takes the ID token.
pub async fn finish_cognito(
    client_id: &str,
    domain: &str,
    code: &str,
    state: &str,
) -> Result<(), String> {
    let expected: Option<String> = SessionStorage::get(STATE).ok();
    let verifier: Option<String> = SessionStorage::get(VERIFIER).ok();
    SessionStorage::delete(STATE);
    SessionStorage::delete(VERIFIER);
    if expected.as_deref() != Some(state) {
        return Err("The sign-in could not be checked (it may have been started in another tab). Sign in again.".to_owned());
    }
    let verifier = verifier.unwrap_or_default();
    let body = form_encode(&[
        ("grant_type", "authorization_code"),
        ("client_id", client_id),
        ("code", code),
        ("redirect_uri", &format!("{}{CALLBACK_PATH}", origin())),
        ("code_verifier", &verifier),
    ]);
    let response = gloo_net::http::Request::post(&format!("https://{domain}/oauth2/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| format!("Cognito could not be reached: {e}"))?;
    if !response.ok() {
        return Err(format!(
            "Cognito refused the sign-in ({}). Sign in again.",
            response.status()
        ));
    }
    let tokens: Tokens = response.json().await.map_err(|e| e.to_string())?;
    session::set_token(&tokens.id_token);
    Ok(())
}

/// Signs out of this tab, and of Cognito's hosted UI where that is how the person signed in.
pub fn sign_out(config: Option<&SiteConfig>) {
    session::forget_everything();
    let Some(location) = location() else { return };
    match config {
        Some(SiteConfig::Cognito {
            client_id, domain, ..
        }) => {
            let query = form_encode(&[
                ("client_id", client_id),
                ("logout_uri", &format!("{}/signin", origin())),
            ]);
            let _ = location.assign(&format!("https://{domain}/logout?{query}"));
        }
        _ => {
            let _ = location.assign("/signin");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_pkce_challenge_is_rfc_7636s_own_example() {
        // RFC 7636, Appendix B.
        assert_eq!(
            super::pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
