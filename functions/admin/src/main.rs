//! Lambda function `admin`: the partnership's set-up, read and changed by its administrators
//! (adding a person creates their Cognito user). All behaviour lives in the shared handler code.

#[tokio::main]
async fn main() -> Result<(), escalations_lambda::Error> {
    escalations_lambda::http::run().await
}
