//! Lambda function `cases`: reads: work queue, one case, lists, procedures, who am I. All behaviour lives in the shared handler code.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    escalations_lambda::run().await
}
