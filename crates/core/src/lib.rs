//! The domain core of Escalations: UK safeguarding children partnerships' multi-agency
//! escalation procedures, run as data.
//!
//! Architecture invariant: this crate does no I/O, reads no clock and knows nothing of AWS,
//! HTTP or JSON transport; `now` is always an argument. It builds for `wasm32-unknown-unknown`
//! so the web page shows exactly the due dates the server computes.

pub mod access;
pub mod calendar;
pub mod case;
pub mod config_edit;
pub mod forms;
pub mod ids;
pub mod notices;
pub mod partnership;
pub mod procedure;
pub mod report;
mod source;
pub mod timescale;
pub mod words;

pub use calendar::{BankHoliday, Calendar, Division, GovUkBankHolidays};
pub use partnership::{Agency, EmailAddress, InvalidEmail, PartnershipConfig, Person};
pub use procedure::{Catalogue, Procedure, ProcedureError};
pub use timescale::Timescale;
