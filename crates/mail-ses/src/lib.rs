//! The SES mail adapter (in progress).
