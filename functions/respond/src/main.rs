//! Lambda function `respond`: record a response, a submission, the resolution or a withdrawal. All behaviour lives in the shared handler code.

#[tokio::main]
async fn main() -> Result<(), escalations_lambda::Error> {
    escalations_lambda::http::run().await
}
