//! Lambda function `respond`: record a response, a submission, the resolution, a withdrawal, an agreed action done or a form. All behaviour lives in the shared handler code.

#[tokio::main]
async fn main() -> Result<(), escalations_lambda::Error> {
    escalations_lambda::http::run().await
}
