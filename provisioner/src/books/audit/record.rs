//! One audited step, and the one fixed way its line is written and hashed.

use provsim_devices::DeviceId;
use provsim_sim::{Digest, SimTime, to_hex};
use std::fmt;

/// The action of the record a log ends with, whose detail is `records=N` (N counting
/// itself): a log without it at its end was cut.
pub const CLOSING_ACTION: &str = "audit-closed";

/// The action of the log's first record, whose detail `run=<hex>` names the run (the
/// report's `run_id`): every head, so every signed statement, commits to the run.
pub const RUN_OPENED_ACTION: &str = "run-opened";

/// What separates a line's hashed prefix from its hash.
pub(super) const HASH_FIELD: &str = ",\"hash\":\"";

/// One audited step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub sequence: u64,
    pub at: SimTime,
    pub actor: &'static str,
    pub action: &'static str,
    pub device: Option<DeviceId>,
    /// Public detail only (a fingerprint, a count): never key bytes.
    pub detail: String,
    /// The chain head after this record: the hash of its line.
    pub head: Digest,
    /// The record as written to `audit.jsonl`, without the newline.
    pub line: String,
}

impl fmt::Display for AuditRecord {
    /// The JSON line, exactly as hashed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line)
    }
}

/// A JSON string literal. Escaping through serde_json keeps the line valid JSON
/// whatever a detail holds (an error message, a quote).
fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// The hashed prefix of a record's line: everything before `,"hash":"`.
pub(super) fn line_prefix(
    sequence: u64,
    at: SimTime,
    actor: &str,
    action: &str,
    device: Option<DeviceId>,
    detail: &str,
    prev: &Digest,
) -> String {
    let device = device.map_or_else(|| "null".to_owned(), |d| format!("\"{d}\""));
    format!(
        "{{\"seq\":{sequence},\"at_ns\":{},\"actor\":{},\"action\":{},\"device\":{device},\"detail\":{},\"prev\":\"{}\"",
        at.as_nanos(),
        json_string(actor),
        json_string(action),
        json_string(detail),
        to_hex(&prev.0)
    )
}

/// Hex of a fingerprint-like value for an audit detail.
pub(crate) fn detail_hex(label: &str, bytes: &[u8]) -> String {
    format!("{label}={}", to_hex(bytes))
}
