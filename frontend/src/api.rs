//! The API client: typed requests and answers from `escalations-wire`, the bearer token, and
//! one place that turns a refused or failed request into something to show.

use escalations_wire::Problem;
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::session;

/// Why a request did not give what was asked.
#[derive(Clone, Debug)]
pub enum Failure {
    /// The sign-in expired or was never made: the page is on its way to the sign-in page.
    SignedOut,
    /// The server refused, with its reason (a problem details document).
    Refused(Problem),
    /// The server could not be reached or answered something unexpected.
    Unreachable(String),
}

impl Failure {
    /// The reason in words, as the server gave it.
    pub fn message(&self) -> String {
        match self {
            Failure::SignedOut => "Your sign-in has expired. Sign in again to carry on.".to_owned(),
            Failure::Refused(problem) => problem.detail.clone(),
            Failure::Unreachable(why) => {
                format!("The service could not be reached ({why}). Try again.")
            }
        }
    }
}

fn authorised(builder: RequestBuilder) -> RequestBuilder {
    match session::token() {
        Some(token) => builder.header("Authorization", &format!("Bearer {token}")),
        None => builder,
    }
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Failure> {
    let response = authorised(Request::get(path))
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| Failure::Unreachable(e.to_string()))?;
    read(response).await
}

/// A POST; `idempotency_key` makes a retried raise (a double click, a lost answer) create one
/// case, not two.
pub async fn post<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    idempotency_key: Option<&str>,
) -> Result<T, Failure> {
    let mut builder = authorised(Request::post(path)).header("Accept", "application/json");
    if let Some(key) = idempotency_key {
        builder = builder.header("Idempotency-Key", key);
    }
    let response = builder
        .json(body)
        .map_err(|e| Failure::Unreachable(e.to_string()))?
        .send()
        .await
        .map_err(|e| Failure::Unreachable(e.to_string()))?;
    read(response).await
}

/// GET of a file the API makes (a CSV, a calendar entry) with the person's token, saved by
/// the browser as `file_name`: a link cannot carry the bearer token, so the page fetches the
/// bytes and hands them to the browser as a download.
pub async fn download(path: &str, file_name: &str) -> Result<(), Failure> {
    let response = authorised(Request::get(path))
        .send()
        .await
        .map_err(|e| Failure::Unreachable(e.to_string()))?;
    let status = response.status();
    if !(200..300).contains(&status) {
        return read::<()>(response).await;
    }
    let mime = response.headers().get("Content-Type").unwrap_or_default();
    let bytes = response
        .binary()
        .await
        .map_err(|e| Failure::Unreachable(e.to_string()))?;
    save_file(&bytes, &mime, file_name)
        .map_err(|_| Failure::Unreachable("the browser would not save the file".to_owned()))
}

fn save_file(bytes: &[u8], mime: &str, file_name: &str) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("no document"))?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    // Revoked a little later: some browsers read the file after `click` returns.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    web_sys::window()
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("no window"))?
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000)?;
    Ok(())
}

/// A DELETE; the answer has no body (204).
pub async fn delete(path: &str) -> Result<(), Failure> {
    let response = authorised(Request::delete(path))
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| Failure::Unreachable(e.to_string()))?;
    if (200..300).contains(&response.status()) {
        return Ok(());
    }
    read::<()>(response).await
}

/// GET of a file of the page itself (no token).
pub async fn get_public<T: DeserializeOwned>(path: &str) -> Result<T, Failure> {
    let response = Request::get(path)
        .send()
        .await
        .map_err(|e| Failure::Unreachable(e.to_string()))?;
    read(response).await
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, Failure> {
    let status = response.status();
    if (200..300).contains(&status) {
        return response
            .json::<T>()
            .await
            .map_err(|e| Failure::Unreachable(format!("an unreadable answer: {e}")));
    }
    if status == 401 {
        crate::auth::sign_in_again(true);
        return Err(Failure::SignedOut);
    }
    match response.json::<Problem>().await {
        Ok(problem) => Err(Failure::Refused(problem)),
        Err(_) => Err(Failure::Unreachable(format!(
            "the server answered {status}"
        ))),
    }
}

/// A fresh random key (a UUID) for one attempt at a change.
pub fn new_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_default()
}
