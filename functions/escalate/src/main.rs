//! Lambda function `escalate`: move a case to the next stage. All behaviour lives in the shared handler code.

#[tokio::main]
async fn main() -> Result<(), escalations_lambda::Error> {
    escalations_lambda::http::run().await
}
