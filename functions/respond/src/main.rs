//! Lambda function `respond`: record a response, a submission, the resolution or a withdrawal. All behaviour lives in the shared handler code.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    escalations_lambda::run().await
}
