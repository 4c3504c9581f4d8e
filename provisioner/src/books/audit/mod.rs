//! The site's tamper-evident audit log: JSON lines chained by SHA-256 over each line's
//! raw bytes.
//!
//! A record is one line of JSON written one fixed way (field order, no spaces):
//!
//! ```text
//! {"seq":0,"at_ns":0,"actor":"hsm","action":"root-ca-established","device":null,"detail":"key=…","prev":"00…00","hash":"…"}
//! ```
//!
//! `hash` is SHA-256 over the line's bytes up to (not including) `,"hash":"`, so it
//! covers `prev`, the previous line's hash. Altering, removing or reordering a record
//! breaks the chain at that record; cutting the log short is caught against the head
//! the report carries. The log keeps only its head and count; records go to the line's
//! sink as they are made, so its memory does not grow with the lot.

pub(crate) mod log;
pub(crate) mod record;
pub(crate) mod verify;

pub use log::AuditLog;
pub use record::AuditRecord;
pub use verify::{AuditBreak, AuditError, AuditSummary, MAX_RECORD_BYTES, parse_head, verify_log};
