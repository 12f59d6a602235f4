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
        let role = match self.role.as_str() {
            "practitioner" => Role::Practitioner,
            "manager" => Role::Manager,
            "chair" => Role::Chair,
            "administrator" => Role::Administrator,
            _ => return Err(ApiError::Unauthenticated),
        };
        Ok(Principal {
            partnership: PartnershipId::parse(&self.partnership)
                .map_err(|_| ApiError::Unauthenticated)?,
            actor: Actor {
                person: PersonId::parse(&self.person).map_err(|_| ApiError::Unauthenticated)?,
                agency: AgencyId::parse(&self.agency).map_err(|_| ApiError::Unauthenticated)?,
                role,
            },
        })
    }

    /// From the claims map API Gateway's JWT authorizer passes (`requestContext.authorizer.jwt.claims`).
    pub fn from_authorizer(
        claims: &std::collections::HashMap<String, String>,
    ) -> Result<Claims, ApiError> {
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

/// Signs and verifies the local stack's tokens (HS256 with a key of its own).
#[derive(Clone)]
pub struct LocalTokens {
    secret: Vec<u8>,
}

/// Local tokens last as long as Cognito access tokens are configured to: 15 minutes.
pub const LOCAL_TOKEN_MINUTES: i64 = 15;

impl LocalTokens {
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        LocalTokens {
            secret: secret.into(),
        }
    }

    pub fn issue(&self, mut claims: Claims, now: DateTime<Utc>) -> Result<String, ApiError> {
        claims.exp = (now + chrono::Duration::minutes(LOCAL_TOKEN_MINUTES)).timestamp();
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
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
        let claims = jsonwebtoken::decode::<Claims>(
            token,
            &DecodingKey::from_secret(&self.secret),
            &validation,
        )
        .map_err(|_| ApiError::Unauthenticated)?
        .claims;
        if claims.exp <= now.timestamp() {
            return Err(ApiError::Unauthenticated);
        }
        Ok(claims)
    }

    /// The principal behind an `Authorization: Bearer …` header value.
    pub fn principal(
        &self,
        authorization: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Principal, ApiError> {
        let token = authorization
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthenticated)?;
        self.verify(token.trim(), now)?.principal()
    }
}
