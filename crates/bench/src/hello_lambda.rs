//! The cold-start benchmark's baseline: the smallest lambda_http function, answering every
//! request with "hello". Its cold start is what any Rust function pays before its own work.

use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_: Request| async {
        Ok::<_, Error>(Response::new(Body::from("hello")))
    }))
    .await
}
