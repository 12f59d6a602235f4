//! The Cognito adapter over the real Cognito wire protocol, against moto_server: a user pool
//! made like template.yaml's (email as the username, the four custom attributes), a person's
//! user created with the claims the API reads, created again harmlessly, and a pool that does
//! not exist reported as unavailable.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, SchemaAttributeType, UsernameAttributeType,
};
use escalations_core::case::Role;
use escalations_core::ids::{AgencyId, PartnershipId, PersonId};
use escalations_core::partnership::EmailAddress;
use escalations_testkit::moto;
use escalations_users::{NewUser, UserCreated, UserDirectory, UsersError};
use escalations_users_cognito::CognitoDirectory;

fn client() -> Client {
    let config = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(moto::endpoint())
        .region(Region::new("eu-west-2"))
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .build();
    Client::from_conf(config)
}

/// A pool like template.yaml's `UserPool`.
async fn pool(client: &Client) -> String {
    let custom = |name: &str, mutable: bool| {
        SchemaAttributeType::builder()
            .name(name)
            .attribute_data_type(AttributeDataType::String)
            .mutable(mutable)
            .build()
    };
    let created = client
        .create_user_pool()
        .pool_name(format!("escalations-test-{}", std::process::id()))
        .username_attributes(UsernameAttributeType::Email)
        .schema(custom("person", false))
        .schema(custom("partnership", false))
        .schema(custom("agency", true))
        .schema(custom("role", true))
        .send()
        .await
        .unwrap();
    created.user_pool().unwrap().id().unwrap().to_owned()
}

fn sam(email: &str) -> NewUser {
    NewUser {
        partnership: PartnershipId::parse("sefton").unwrap(),
        person: PersonId::parse("sam-newcomer").unwrap(),
        name: "Sam Newcomer".into(),
        email: EmailAddress::parse(email).unwrap(),
        agency: AgencyId::parse("police").unwrap(),
        role: Role::Manager,
    }
}

#[tokio::test]
async fn a_person_added_gets_a_user_with_the_claims_the_api_reads() {
    let client = client();
    let pool = pool(&client).await;
    let directory = CognitoDirectory::new(client.clone(), &pool);
    let user = sam("sam.newcomer@sefton.example.org");
    assert_eq!(
        directory.create_user(&user).await.unwrap(),
        UserCreated::Created
    );
    let found = client
        .admin_get_user()
        .user_pool_id(&pool)
        .username(user.email.as_str())
        .send()
        .await
        .unwrap();
    let attribute = |name: &str| {
        found
            .user_attributes()
            .iter()
            .find(|a| a.name() == name)
            .and_then(|a| a.value())
            .map(str::to_owned)
    };
    assert_eq!(
        attribute("email").as_deref(),
        Some("sam.newcomer@sefton.example.org")
    );
    assert_eq!(attribute("name").as_deref(), Some("Sam Newcomer"));
    assert_eq!(attribute("custom:person").as_deref(), Some("sam-newcomer"));
    assert_eq!(attribute("custom:partnership").as_deref(), Some("sefton"));
    assert_eq!(attribute("custom:agency").as_deref(), Some("police"));
    assert_eq!(attribute("custom:role").as_deref(), Some("manager"));

    // A retried change finds the user there and changes nothing.
    assert_eq!(
        directory.create_user(&user).await.unwrap(),
        UserCreated::AlreadyExisted
    );
}

#[tokio::test]
async fn a_pool_that_does_not_exist_is_unavailable_not_a_refusal_of_the_person() {
    let directory = CognitoDirectory::new(client(), "eu-west-2_doesnotexist");
    let result = directory
        .create_user(&sam("someone@sefton.example.org"))
        .await;
    assert!(
        matches!(result, Err(UsersError::Unavailable(_))),
        "{result:?}"
    );
}
