//! Set-up every function does once per execution environment, whatever invokes it.
//!
//! Configuration (set by template.yaml): `TABLE_NAME`; for functions that send notices,
//! `MAIL_FROM` (the sender, an address of the SES identity the function may send from) and
//! `BASE_URL` (the web page, which a notice links to); for HTTP functions, `SITE_URL` (the web
//! page, which calendar feeds link to; empty until known). The AWS SDK reads its own
//! (`AWS_REGION`, credentials, `AWS_ENDPOINT_URL` in tests).

use std::sync::Arc;

use aws_config::SdkConfig;
use escalations_app::MailSettings;
use escalations_mail::EmailAddress;
use escalations_mail_ses::SesMailer;
use escalations_store_dynamodb::DynamoStore;

use crate::Error;

/// JSON log lines for CloudWatch, filtered by `RUST_LOG`. Call once, first.
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_ansi(false)
        .without_time() // CloudWatch stamps every line
        .init();
}

/// The DynamoDB table's name, from `TABLE_NAME`.
pub fn table_name() -> Result<String, Error> {
    std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set".into())
}

/// The AWS SDK's configuration from the environment: load it once, build every client from it.
pub async fn aws_config() -> SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}

/// The store over the deployment's table, with the SDK configured from the environment.
pub async fn dynamo_store() -> Result<DynamoStore, Error> {
    dynamo_store_with(&aws_config().await)
}

/// The store over the deployment's table, through `config`.
pub fn dynamo_store_with(config: &SdkConfig) -> Result<DynamoStore, Error> {
    Ok(DynamoStore::new(
        aws_sdk_dynamodb::Client::new(config),
        table_name()?,
    ))
}

/// Where an administrator's added people get their sign-in: the Cognito pool `USER_POOL_ID`
/// names (set for the admin function only), through `config`; `None` without it.
pub fn user_directory(
    config: &SdkConfig,
    var: impl Fn(&str) -> Option<String>,
) -> Option<escalations_users_cognito::CognitoDirectory> {
    let pool = var("USER_POOL_ID").filter(|p| !p.trim().is_empty())?;
    Some(escalations_users_cognito::CognitoDirectory::new(
        aws_sdk_cognitoidentityprovider::Client::new(config),
        pool,
    ))
}

/// Whether this deployment configured sending notices (`MAIL_FROM` is set).
pub fn mail_configured() -> bool {
    std::env::var_os("MAIL_FROM").is_some()
}

/// How notices are sent: SES through `config`, from `MAIL_FROM`, linking to `BASE_URL`.
pub fn mail_settings(config: &SdkConfig) -> Result<MailSettings, Error> {
    let mailer = Arc::new(SesMailer::new(aws_sdk_ses::Client::new(config)));
    mail_settings_from(mailer, |name| std::env::var(name).ok())
}

/// [`mail_settings`] with the variables read by `var` (tests pass their own).
pub fn mail_settings_from(
    mailer: Arc<dyn escalations_mail::Mailer>,
    var: impl Fn(&str) -> Option<String>,
) -> Result<MailSettings, Error> {
    let from = var("MAIL_FROM").ok_or("MAIL_FROM is not set: the address notices are sent from")?;
    let from = EmailAddress::parse(from.trim())
        .map_err(|e| format!("MAIL_FROM is not an email address: {e}"))?;
    let base_url = var("BASE_URL").ok_or("BASE_URL is not set: the web page notices link to")?;
    Ok(MailSettings {
        mailer,
        from,
        base_url: http_url("BASE_URL", &base_url)?,
    })
}

/// The web page's address from `SITE_URL`, which calendar feeds link to and are given under;
/// `None` when unset or empty (the first deploy, before the distribution's address is known:
/// feeds are then given as paths on the page's own origin, without links to cases).
pub fn site_url_from(var: impl Fn(&str) -> Option<String>) -> Result<Option<String>, Error> {
    match var("SITE_URL") {
        Some(site) if !site.trim().is_empty() => Ok(Some(http_url("SITE_URL", &site)?)),
        _ => Ok(None),
    }
}

/// `value` as an http(s) URL without a trailing slash, or an error naming the variable.
fn http_url(name: &str, value: &str) -> Result<String, Error> {
    let url = value.trim().trim_end_matches('/');
    let scheme_and_host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    if !scheme_and_host.is_some_and(|host| !host.is_empty() && !host.contains(char::is_whitespace))
    {
        return Err(format!(
            "{name} is not an http(s) URL such as https://escalations.example.org: {url:?}"
        )
        .into());
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoMail;

    #[async_trait::async_trait]
    impl escalations_mail::Mailer for NoMail {
        async fn send(
            &self,
            _: &escalations_mail::Message,
        ) -> Result<escalations_mail::Sent, escalations_mail::MailError> {
            unreachable!("never sends")
        }
    }

    fn settings(vars: &[(&str, &str)]) -> Result<MailSettings, String> {
        mail_settings_from(Arc::new(NoMail), |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .map_err(|e| e.to_string())
    }

    #[test]
    fn people_get_cognito_users_only_where_the_pool_is_named() {
        let config = SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        assert!(user_directory(&config, |_| None).is_none());
        assert!(user_directory(&config, |_| Some(" ".to_owned())).is_none());
        let pool = |name: &str| (name == "USER_POOL_ID").then(|| "eu-west-2_AbC123".to_owned());
        assert!(user_directory(&config, pool).is_some());
    }

    #[test]
    fn mail_settings_come_from_mail_from_and_base_url() {
        let mail = settings(&[
            ("MAIL_FROM", "escalations@scp.example.org"),
            ("BASE_URL", "https://d111.cloudfront.net/"),
        ])
        .unwrap();
        assert_eq!(mail.from.as_str(), "escalations@scp.example.org");
        assert_eq!(mail.base_url, "https://d111.cloudfront.net");
    }

    #[test]
    fn a_missing_or_bad_variable_is_named() {
        let base = ("BASE_URL", "https://d111.cloudfront.net");
        let from = ("MAIL_FROM", "escalations@scp.example.org");
        for (vars, named) in [
            (vec![base], "MAIL_FROM"),
            (vec![("MAIL_FROM", "not an address"), base], "MAIL_FROM"),
            (vec![from], "BASE_URL"),
            (vec![from, ("BASE_URL", "d111.cloudfront.net")], "BASE_URL"),
            (vec![from, ("BASE_URL", "https://")], "BASE_URL"),
        ] {
            let error = settings(&vars).err().expect("an error");
            assert!(error.starts_with(named), "{vars:?}: {error}");
        }
    }

    #[test]
    fn the_site_url_is_optional_but_never_malformed() {
        let site = |value: Option<&str>| {
            site_url_from(|name| {
                assert_eq!(name, "SITE_URL");
                value.map(str::to_owned)
            })
            .map_err(|e| e.to_string())
        };
        assert_eq!(site(None), Ok(None));
        assert_eq!(site(Some("")), Ok(None));
        assert_eq!(
            site(Some("https://escalations.example.org/")),
            Ok(Some("https://escalations.example.org".into()))
        );
        assert!(
            site(Some("escalations.example.org"))
                .unwrap_err()
                .starts_with("SITE_URL")
        );
    }
}
