//! Lambda function `sweep`: invoked by EventBridge Scheduler every few minutes, it records the
//! breaches of due clocks and sends the notices that are due. All behaviour lives in
//! `escalations_lambda::sweep`.

#[tokio::main]
async fn main() -> Result<(), escalations_lambda::Error> {
    escalations_lambda::sweep::run().await
}
