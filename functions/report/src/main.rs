//! Lambda function `report`: the quality-assurance report. All behaviour lives in the shared handler code.

#[tokio::main]
async fn main() -> Result<(), escalations_lambda::Error> {
    escalations_lambda::http::run().await
}
