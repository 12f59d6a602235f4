//! Lambda function `raise`: create a case. All behaviour lives in the shared handler code.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    escalations_lambda::run().await
}
