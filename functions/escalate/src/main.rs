//! Lambda function `escalate`: move a case to the next stage. All behaviour lives in the shared handler code.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    escalations_lambda::run().await
}
