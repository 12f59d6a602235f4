//! The Cognito user directory: an added person gets a user in the deployment's pool
//! (`AdminCreateUser`), named by their email (the pool's `UsernameAttributes: [email]`),
//! carrying the claims the API reads — `custom:person`, `custom:partnership`, `custom:agency`,
//! `custom:role` — and invited by email to set a password. Only ids, the role, the name and
//! the address are sent: nothing about a case.

use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::admin_create_user::AdminCreateUserError;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, DeliveryMediumType};
use escalations_users::{NewUser, UserCreated, UserDirectory, UsersError};

/// Users in one Cognito user pool.
#[derive(Clone, Debug)]
pub struct CognitoDirectory {
    client: Client,
    pool: String,
}

impl CognitoDirectory {
    /// The pool's id, like `eu-west-2_AbCdEf123` (template.yaml passes `USER_POOL_ID`).
    pub fn new(client: Client, pool: impl Into<String>) -> Self {
        CognitoDirectory {
            client,
            pool: pool.into(),
        }
    }
}

fn attribute(name: &str, value: &str) -> Result<AttributeType, UsersError> {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .map_err(|e| UsersError::Unavailable(Box::new(e)))
}

#[async_trait]
impl UserDirectory for CognitoDirectory {
    async fn create_user(&self, user: &NewUser) -> Result<UserCreated, UsersError> {
        let attributes = vec![
            attribute("email", user.email.as_str())?,
            attribute("email_verified", "true")?,
            attribute("name", &user.name)?,
            attribute("custom:person", user.person.as_str())?,
            attribute("custom:partnership", user.partnership.as_str())?,
            attribute("custom:agency", user.agency.as_str())?,
            attribute("custom:role", user.role.name())?,
        ];
        let sent = self
            .client
            .admin_create_user()
            .user_pool_id(&self.pool)
            .username(user.email.as_str())
            .set_user_attributes(Some(attributes))
            .desired_delivery_mediums(DeliveryMediumType::Email)
            .send()
            .await;
        match sent {
            Ok(_) => {
                tracing::info!(partnership = %user.partnership, person = %user.person, "user created");
                Ok(UserCreated::Created)
            }
            Err(SdkError::ServiceError(e)) => match e.err() {
                AdminCreateUserError::UsernameExistsException(_) => {
                    tracing::info!(partnership = %user.partnership, person = %user.person, "user already existed");
                    Ok(UserCreated::AlreadyExisted)
                }
                AdminCreateUserError::InvalidParameterException(p) => Err(UsersError::Refused(
                    p.message()
                        .unwrap_or("Cognito refused the user's details")
                        .to_owned(),
                )),
                _ => Err(UsersError::Unavailable(Box::new(SdkError::ServiceError(e)))),
            },
            Err(other) => Err(UsersError::Unavailable(Box::new(other))),
        }
    }
}
