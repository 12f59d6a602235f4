//! Lambda function `cases`: reads: work queue, one case, lists, procedures, who am I. All behaviour lives in the shared handler code.

#[tokio::main]
async fn main() -> Result<(), escalations_lambda::Error> {
    escalations_lambda::http::run().await
}
