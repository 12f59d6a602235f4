//! Who is calling. In AWS the HTTP API's Cognito JWT authorizer has verified the token and
//! passes its claims; locally the stack verifies tokens signed with its own key. Never an
//! unsigned header.

use chrono::{DateTime, Utc};
use escalations_core::access::Principal;
use escalations_core::case::{Actor, Role};
use escalations_core::ids::{AgencyId, PartnershipId, PersonId};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::problem::ApiError;

/// The claims the product reads. Cognito custom attributes arrive as `custom:partnership`
/// and so on; local tokens use the same names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(rename = "custom:person")]
    pub person: String,
    #[serde(rename = "custom:partnership")]
    pub partnership: String,
    #[serde(rename = "custom:agency")]
    pub agency: String,
    #[serde(rename = "custom:role")]
    pub role: String,
    #[serde(default)]
    pub exp: i64,
}

impl Claims {
    /// Turns verified claims into a principal; a malformed claim is a 401, not a guess.
    pub fn principal(&self) -> Result<Principal, ApiError> {
        let role = Role::from_name(&self.role).ok_or(ApiError::Unauthenticated)?;
        Ok(Principal {
            partnership: PartnershipId::parse(&self.partnership)
                .map_err(|_| ApiError::Unauthenticated)?,
            actor: Actor::new(
                PersonId::parse(&self.person).map_err(|_| ApiError::Unauthenticated)?,
                AgencyId::parse(&self.agency).map_err(|_| ApiError::Unauthenticated)?,
                role,
            ),
        })
    }

    /// From the claims map API Gateway's JWT authorizer passes (`requestContext.authorizer.jwt.claims`).
    ///
    /// Only an ID token's: the authorizer also lets Cognito access tokens through (it checks
    /// `client_id` when a token has no `aud`), so `token_use` must say `id`.
    pub fn from_authorizer(
        claims: &std::collections::HashMap<String, String>,
    ) -> Result<Claims, ApiError> {
        if claims.get("token_use").map(String::as_str) != Some(ID_TOKEN) {
            return Err(ApiError::Unauthenticated);
        }
        let get = |name: &str| claims.get(name).cloned().ok_or(ApiError::Unauthenticated);
        Ok(Claims {
            sub: get("sub")?,
            email: claims.get("email").cloned(),
            person: get("custom:person")?,
            partnership: get("custom:partnership")?,
            agency: get("custom:agency")?,
            role: get("custom:role")?,
            exp: claims
                .get("exp")
                .and_then(|e| e.parse().ok())
                .unwrap_or_default(),
        })
    }
}

/// The `token_use` of a Cognito ID token, the only kind the API accepts.
const ID_TOKEN: &str = "id";

/// A local token's payload: the claims, marked as an ID token as Cognito marks its own.
#[derive(Serialize, Deserialize)]
struct IdToken {
    #[serde(flatten)]
    claims: Claims,
    token_use: String,
}

/// Signs and verifies the local stack's tokens (HS256 with a key of its own).
#[derive(Clone)]
pub struct LocalTokens {
    secret: Vec<u8>,
}

/// Local tokens last as long as Cognito ID tokens are configured to: 15 minutes.
pub const LOCAL_TOKEN_MINUTES: i64 = 15;

impl LocalTokens {
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        LocalTokens {
            secret: secret.into(),
        }
    }

    pub fn issue(&self, mut claims: Claims, now: DateTime<Utc>) -> Result<String, ApiError> {
        claims.exp = (now + chrono::Duration::minutes(LOCAL_TOKEN_MINUTES)).timestamp();
        let token = IdToken {
            claims,
            token_use: ID_TOKEN.to_owned(),
        };
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &token,
            &EncodingKey::from_secret(&self.secret),
        )
        .map_err(|e| ApiError::Internal(Box::new(e)))
    }

    /// Verifies the signature and expiry against `now` (the local stack's clock, which a demo
    /// may move forward).
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let IdToken { claims, token_use } = jsonwebtoken::decode::<IdToken>(
            token,
            &DecodingKey::from_secret(&self.secret),
            &validation,
        )
        .map_err(|_| ApiError::Unauthenticated)?
        .claims;
        if token_use != ID_TOKEN || claims.exp <= now.timestamp() {
            return Err(ApiError::Unauthenticated);
        }
        Ok(claims)
    }

    /// The principal behind an `Authorization: Bearer …` header value. The scheme is matched
    /// in any case (RFC 7235: auth schemes are case-insensitive).
    pub fn principal(
        &self,
        authorization: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Principal, ApiError> {
        let token = authorization
            .and_then(|h| h.trim_start().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty())
            .ok_or(ApiError::Unauthenticated)?;
        self.verify(token, now)?.principal()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// The claims API Gateway passes for a Cognito token of the given `token_use`, with the
    /// product's custom attributes (as if a pre-token-generation trigger had added them).
    fn authorizer_claims(token_use: Option<&str>) -> HashMap<String, String> {
        let mut claims: HashMap<String, String> = [
            ("sub", "0b7c7d3e-1111-2222-3333-444455556666"),
            ("custom:person", "school-practitioner"),
            ("custom:partnership", "sefton"),
            ("custom:agency", "school"),
            ("custom:role", "practitioner"),
            ("exp", "1795428900"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        if let Some(token_use) = token_use {
            claims.insert("token_use".into(), token_use.into());
        }
        claims
    }

    fn claims() -> Claims {
        Claims {
            sub: "sefton/school-practitioner".into(),
            email: None,
            person: "school-practitioner".into(),
            partnership: "sefton".into(),
            agency: "school".into(),
            role: "practitioner".into(),
            exp: 0,
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-23T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn an_id_token_from_the_authorizer_is_a_principal() {
        let claims = Claims::from_authorizer(&authorizer_claims(Some("id"))).unwrap();
        assert_eq!(claims.person, "school-practitioner");
        assert_eq!(claims.principal().unwrap().actor.role, Role::Practitioner);
    }

    /// The authorizer accepts access tokens too (it checks `client_id` when there is no
    /// `aud`), so the claims themselves must say they are an ID token.
    #[test]
    fn an_access_token_is_refused_even_with_the_custom_claims() {
        let mut access = authorizer_claims(Some("access"));
        access.insert("client_id".into(), "app-client".into());
        access.insert("scope".into(), "aws.cognito.signin.user.admin".into());
        assert!(matches!(
            Claims::from_authorizer(&access),
            Err(ApiError::Unauthenticated)
        ));
    }

    #[test]
    fn claims_that_do_not_say_what_token_they_came_from_are_refused() {
        assert!(matches!(
            Claims::from_authorizer(&authorizer_claims(None)),
            Err(ApiError::Unauthenticated)
        ));
    }

    #[test]
    fn the_bearer_scheme_is_matched_in_any_case() {
        let tokens = LocalTokens::new(b"secret".to_vec());
        let token = tokens.issue(claims(), now()).unwrap();
        for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            let header = format!("{scheme} {token}");
            let principal = tokens.principal(Some(&header), now());
            assert!(principal.is_ok(), "{scheme}: {principal:?}");
        }
    }

    #[test]
    fn other_schemes_and_missing_tokens_are_refused() {
        let tokens = LocalTokens::new(b"secret".to_vec());
        let token = tokens.issue(claims(), now()).unwrap();
        for header in [
            format!("Basic {token}"),
            format!("Bearer{token}"),
            "Bearer ".to_owned(),
            token.clone(),
        ] {
            assert!(
                matches!(
                    tokens.principal(Some(&header), now()),
                    Err(ApiError::Unauthenticated)
                ),
                "{header}"
            );
        }
        assert!(tokens.principal(None, now()).is_err());
    }

    /// Local tokens are ID tokens as Cognito's are, and are verified as such.
    #[test]
    fn local_tokens_are_id_tokens() {
        let tokens = LocalTokens::new(b"secret".to_vec());
        let token = tokens.issue(claims(), now()).unwrap();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        let payload = jsonwebtoken::decode::<serde_json::Value>(
            &token,
            &DecodingKey::from_secret(b"secret"),
            &validation,
        )
        .unwrap()
        .claims;
        assert_eq!(payload["token_use"], "id");
        assert_eq!(payload["custom:person"], "school-practitioner");

        let mut without = claims();
        without.exp = (now() + chrono::Duration::minutes(5)).timestamp();
        let unmarked = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &without,
            &EncodingKey::from_secret(b"secret"),
        )
        .unwrap();
        assert!(matches!(
            tokens.verify(&unmarked, now()),
            Err(ApiError::Unauthenticated)
        ));
    }
}
