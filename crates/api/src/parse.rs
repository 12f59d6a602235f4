//! Reading a request: its JSON body (exactly one object, sent as `application/json`), its
//! query string, and the fields of both, collecting every problem before answering.

use std::collections::HashMap;

use bytes::Bytes;
use chrono::NaiveDate;
use escalations_core::ids::{InvalidId, Text};
use serde::de::DeserializeOwned;

use crate::problem::ApiError;
use crate::router::MAX_BODY_BYTES;
use escalations_wire::FieldError;

/// Whether the request says its body is JSON (`application/json`, any parameters).
pub(crate) fn is_json(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// The body as exactly one JSON object of type `T`: nothing before or after it but
/// whitespace, never an array standing in for an object.
pub(crate) fn body<T: DeserializeOwned>(
    headers: &http::HeaderMap,
    body: &Bytes,
) -> Result<T, ApiError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::TooLarge {
            limit: MAX_BODY_BYTES,
        });
    }
    if !is_json(headers) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let starts_with_object = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if !starts_with_object {
        return Err(ApiError::field("body", "send one JSON object: {…}"));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let field = if inner.is_syntax() || inner.is_eof() || path == "." {
            "body".to_owned()
        } else {
            path
        };
        ApiError::field(&field, inner.to_string())
    })?;
    de.end().map_err(|_| {
        ApiError::field(
            "body",
            "has more after the JSON object: send exactly one object",
        )
    })?;
    Ok(value)
}

/// The query string's parameters, percent-decoded. A parameter that cannot be decoded is
/// left out (and so reported as missing or ignored).
pub(crate) fn query(query: Option<&str>) -> HashMap<String, String> {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((decode_component(k)?, decode_component(v)?))
        })
        .collect()
}

fn decode_component(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Collects every field problem of a request before answering.
#[derive(Default)]
pub(crate) struct Fields(Vec<FieldError>);

impl Fields {
    pub(crate) fn problem(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// A required free-text field.
    pub(crate) fn text(&mut self, field: &str, value: Option<&str>) -> Option<Text> {
        match value {
            None => {
                self.problem(field, "is required");
                None
            }
            Some(v) => self.optional_text(field, Some(v)),
        }
    }

    pub(crate) fn optional_text(&mut self, field: &str, value: Option<&str>) -> Option<Text> {
        match Text::parse(value?) {
            Ok(t) => Some(t),
            Err(e) => {
                self.problem(field, e.to_string());
                None
            }
        }
    }

    pub(crate) fn id<T>(
        &mut self,
        field: &str,
        value: &str,
        parse: impl Fn(&str) -> Result<T, InvalidId>,
    ) -> Option<T> {
        match parse(value) {
            Ok(id) => Some(id),
            Err(e) => {
                self.problem(field, e.to_string());
                None
            }
        }
    }

    pub(crate) fn required_id<T>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: impl Fn(&str) -> Result<T, InvalidId>,
    ) -> Option<T> {
        match value {
            Some(v) => self.id(field, v, parse),
            None => {
                self.problem(field, "is required");
                None
            }
        }
    }

    /// A calendar date written exactly `YYYY-MM-DD` (chrono alone would also take `2026-1-5`
    /// or a leading sign, which the contract does not).
    pub(crate) fn date(&mut self, field: &str, value: &str) -> Option<NaiveDate> {
        let shaped = value.len() == 10
            && value.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        match value.parse().ok().filter(|_| shaped) {
            Some(d) => Some(d),
            None => {
                self.problem(
                    field,
                    format!("`{value}` is not a date: write it like 2026-12-29"),
                );
                None
            }
        }
    }

    pub(crate) fn required_date(&mut self, field: &str, value: Option<&str>) -> Option<NaiveDate> {
        match value {
            Some(v) => self.date(field, v),
            None => {
                self.problem(field, "is required (YYYY-MM-DD)");
                None
            }
        }
    }

    /// The case version the caller read.
    /// An optional RFC 3339 instant.
    pub(crate) fn instant(
        &mut self,
        field: &str,
        value: Option<&str>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        let value = value?;
        match chrono::DateTime::parse_from_rfc3339(value) {
            Ok(at) => Some(at.with_timezone(&chrono::Utc)),
            Err(_) => {
                self.problem(
                    field,
                    "must be an RFC 3339 instant, like 2026-06-01T09:00:00Z",
                );
                None
            }
        }
    }

    /// A timescale: exactly one unit, with a count the core accepts for it.
    pub(crate) fn timescale(
        &mut self,
        field: &str,
        value: Option<&escalations_wire::TimescaleBody>,
    ) -> Option<escalations_core::timescale::Timescale> {
        let units = value?.units();
        match units.as_slice() {
            [(unit, count)] => {
                match escalations_core::timescale::Timescale::from_unit(unit, *count) {
                    Ok(timescale) => Some(timescale),
                    Err(e) => {
                        self.problem(field, e.to_string());
                        None
                    }
                }
            }
            _ => {
                self.problem(
                    field,
                    "give exactly one unit and its count, like { \"hours\": 24 }: hours, \
                     working_days, calendar_days, weeks or months",
                );
                None
            }
        }
    }

    /// A contact: every part required, the method one of the four, the instant RFC 3339.
    pub(crate) fn contact(
        &mut self,
        field: &str,
        value: Option<&escalations_wire::ContactBody>,
    ) -> Option<escalations_core::case::Contact> {
        use escalations_core::case::{Contact, ContactMethod};
        let value = value?;
        let method = match value.method.as_deref() {
            Some(m) => ContactMethod::parse(m).or_else(|| {
                self.problem(
                    &format!("{field}.method"),
                    format!(
                        "`{m}` is not a way of meeting: use telephone, face-to-face, \
                         online-meeting or email"
                    ),
                );
                None
            }),
            None => {
                self.problem(
                    &format!("{field}.method"),
                    "is required: telephone, face-to-face, online-meeting or email",
                );
                None
            }
        };
        let at_field = format!("{field}.at");
        let at = match value.at.as_deref() {
            None => {
                self.problem(&at_field, "is required: when the discussion happened");
                None
            }
            at => self.instant(&at_field, at),
        };
        let with_role = self.text(&format!("{field}.with_role"), value.with_role.as_deref());
        let with_agency = self.required_id(
            &format!("{field}.with_agency"),
            value.with_agency.as_deref(),
            escalations_core::ids::AgencyId::parse,
        );
        Some(Contact {
            method: method?,
            at: at?,
            with_role: with_role?,
            with_agency: with_agency?,
        })
    }

    pub(crate) fn version(&mut self, version: Option<u64>) -> u64 {
        version.unwrap_or_else(|| {
            self.problem(
                "version",
                "is required: send the version of the case you read",
            );
            0
        })
    }

    /// Every problem found, or `value` when there were none. `value` must be `Some` then;
    /// `None` without a recorded problem is a parsing slip, reported rather than panicked on.
    pub(crate) fn finish<T>(self, value: Option<T>) -> Result<T, ApiError> {
        if !self.0.is_empty() {
            return Err(ApiError::BadRequest(self.0));
        }
        value.ok_or_else(|| ApiError::field("body", "is incomplete"))
    }
}
