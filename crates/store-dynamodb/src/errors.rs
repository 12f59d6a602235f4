//! Which DynamoDB failures mean "busy, try again shortly" — throttling, timeouts, server
//! errors, a transaction that kept meeting others — and which mean something is wrong. The
//! first become `StoreError::Busy` (the API answers 503 with `Retry-After`); the SDK has
//! already retried them with backoff by then.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use escalations_store::StoreError;

/// Error codes DynamoDB answers when it is busy rather than when the request is wrong.
const BUSY: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
];

/// The error code of a write whose condition did not hold.
const CONDITION_FAILED: &str = "ConditionalCheckFailedException";

/// A transaction's cancellation reasons that mean throttled.
const THROTTLED: &[&str] = &[
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
    "RequestLimitExceeded",
];

/// Whether a cancelled transaction was throttled (rather than refused by a condition).
pub(crate) fn throttled(reasons: &[Option<String>]) -> bool {
    reasons
        .iter()
        .flatten()
        .any(|code| THROTTLED.contains(&code.as_str()))
}

/// An SDK call's failure, classified.
pub(crate) fn sdk<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let busy = match &error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(_) => error.code().is_some_and(|code| BUSY.contains(&code)),
        _ => false,
    };
    if busy {
        StoreError::busy(error)
    } else {
        StoreError::backend(error)
    }
}

/// A conditional write's answer: `Some` of what DynamoDB returned when it wrote, `None` when
/// the write's condition did not hold (nothing was written), and any other failure classified.
pub(crate) fn conditional<T, E, R>(
    result: Result<T, SdkError<E, R>>,
) -> Result<Option<T>, StoreError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(written) => Ok(Some(written)),
        Err(SdkError::ServiceError(e)) if e.err().code() == Some(CONDITION_FAILED) => Ok(None),
        Err(e) => Err(sdk(e)),
    }
}

/// A cancelled transaction whose reasons the caller does not handle itself.
pub(crate) fn cancelled(reasons: &[Option<String>]) -> StoreError {
    let error = std::io::Error::other(format!("transaction cancelled: {reasons:?}"));
    let racing = reasons.iter().flatten().any(|c| c == "TransactionConflict");
    if throttled(reasons) || racing {
        StoreError::busy(error)
    } else {
        StoreError::backend(error)
    }
}

/// A write that met other writes to the same items on every attempt: busy, not broken.
pub(crate) fn kept_conflicting(what: &str) -> StoreError {
    StoreError::busy(std::io::Error::other(format!(
        "{what} kept meeting other changes to the same items"
    )))
}
