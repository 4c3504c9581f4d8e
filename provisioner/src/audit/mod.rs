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

mod verify;

pub use verify::{AuditBreak, AuditError, AuditSummary, parse_head, verify_log};

use provsim_devices::DeviceId;
use provsim_sim::crypto::Crypto;
use provsim_sim::{Digest, SimTime, to_hex};
use std::fmt;

/// The action of the record a log ends with, whose detail is `records=N` (N counting
/// itself): a log without it at its end was cut.
pub const CLOSING_ACTION: &str = "audit-closed";

/// What separates a line's hashed prefix from its hash.
const HASH_FIELD: &str = ",\"hash\":\"";

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
fn line_prefix(
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

#[derive(Debug, Clone)]
pub struct AuditLog {
    head: Digest,
    records: u64,
}

impl Default for AuditLog {
    fn default() -> Self {
        Self::new()
    }
}

impl AuditLog {
    pub fn new() -> Self {
        AuditLog {
            head: Digest([0; 32]),
            records: 0,
        }
    }

    pub fn head(&self) -> Digest {
        self.head
    }

    pub fn records(&self) -> u64 {
        self.records
    }

    /// Appends the closing record: nothing may follow it.
    pub fn close(&mut self, crypto: &Crypto, at: SimTime) -> AuditRecord {
        let records = self.records + 1;
        self.append(
            crypto,
            at,
            "site",
            CLOSING_ACTION,
            None,
            format!("records={records}"),
        )
    }

    /// Appends a record (a counted persistent write on the site) and returns it.
    pub fn append(
        &mut self,
        crypto: &Crypto,
        at: SimTime,
        actor: &'static str,
        action: &'static str,
        device: Option<DeviceId>,
        detail: String,
    ) -> AuditRecord {
        let prefix = line_prefix(self.records, at, actor, action, device, &detail, &self.head);
        self.head = Digest(crypto.sha256(prefix.as_bytes()));
        let line = format!("{prefix}{HASH_FIELD}{}\"}}", to_hex(&self.head.0));
        let record = AuditRecord {
            sequence: self.records,
            at,
            actor,
            action,
            device,
            detail,
            head: self.head,
            line,
        };
        self.records += 1;
        record
    }
}

/// Hex of a fingerprint-like value for an audit detail.
pub(crate) fn detail_hex(label: &str, bytes: &[u8]) -> String {
    format!("{label}={}", to_hex(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_of(details: &[&str]) -> AuditLog {
        let crypto = Crypto::new();
        let mut log = AuditLog::new();
        for (i, d) in details.iter().enumerate() {
            log.append(
                &crypto,
                SimTime::from_nanos(i as u64),
                "station",
                "step",
                None,
                (*d).to_owned(),
            );
        }
        log
    }

    #[test]
    fn any_change_to_history_changes_the_head() {
        let base = log_of(&["a", "b", "c"]);
        assert_ne!(base.head(), log_of(&["a", "c", "b"]).head());
        assert_ne!(base.head(), log_of(&["a", "b"]).head());
        assert_ne!(base.head(), log_of(&["a", "b", "d"]).head());
        // A change to an early record reaches the head through the chain.
        assert_ne!(base.head(), log_of(&["x", "b", "c"]).head());
        assert_eq!(base.head(), log_of(&["a", "b", "c"]).head());
        assert_eq!(base.records(), 3);
    }

    #[test]
    fn lines_are_json_and_hash_their_own_prefix() {
        let crypto = Crypto::new();
        let mut log = AuditLog::new();
        let first = log.append(
            &crypto,
            SimTime::from_nanos(5),
            "station",
            "device-rejected",
            Some(DeviceId(0x5053_0001_0000_0002)),
            "reason=a \"quoted\" error\nwith a newline".to_owned(),
        );
        let second = log.append(
            &crypto,
            SimTime::from_nanos(6),
            "hsm",
            "x",
            None,
            String::new(),
        );
        let value: serde_json::Value = serde_json::from_str(&first.line).unwrap();
        assert_eq!(value["seq"], 0);
        assert_eq!(value["device"], "5053000100000002");
        assert_eq!(value["detail"], "reason=a \"quoted\" error\nwith a newline");
        assert_eq!(value["prev"], "0".repeat(64));
        assert!(!first.line.contains('\n'));
        let cut = first.line.rfind(HASH_FIELD).unwrap();
        assert_eq!(
            to_hex(&provsim_sim::crypto::Sha256::digest(
                &first.line.as_bytes()[..cut]
            )),
            value["hash"].as_str().unwrap()
        );
        let next: serde_json::Value = serde_json::from_str(&second.line).unwrap();
        assert_eq!(next["prev"], value["hash"]);
        assert_eq!(next["device"], serde_json::Value::Null);
        assert_eq!(second.head, log.head());
    }
}
