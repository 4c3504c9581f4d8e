//! The site's tamper-evident audit log: a hash chain over canonical records.
//!
//! Each record's hash covers the previous head, so removing, reordering or altering any
//! record changes every head after it. The log keeps only its head and count; records
//! are handed to the line's sink as they are made, so the log's memory does not grow
//! with the lot.

use provsim_devices::DeviceId;
use provsim_sim::crypto::Crypto;
use provsim_sim::{Digest, SimTime, to_hex};
use std::fmt;

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
    /// The chain head after this record.
    pub head: Digest,
}

impl fmt::Display for AuditRecord {
    /// One line: `sequence time actor action device detail head`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let device = self
            .device
            .map_or_else(|| "-".to_owned(), |d| d.to_string());
        write!(
            f,
            "{} {} {} {} {} {} {}",
            self.sequence,
            self.at.as_nanos(),
            self.actor,
            self.action,
            device,
            if self.detail.is_empty() {
                "-"
            } else {
                &self.detail
            },
            self.head
        )
    }
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
        let mut encoded = Vec::with_capacity(128);
        encoded.extend_from_slice(&self.head.0);
        encoded.extend_from_slice(&self.records.to_be_bytes());
        encoded.extend_from_slice(&at.as_nanos().to_be_bytes());
        for part in [actor.as_bytes(), action.as_bytes(), detail.as_bytes()] {
            encoded.extend_from_slice(&(part.len() as u32).to_be_bytes());
            encoded.extend_from_slice(part);
        }
        match device {
            Some(id) => {
                encoded.push(1);
                encoded.extend_from_slice(&id.0.to_be_bytes());
            }
            None => encoded.push(0),
        }
        self.head = Digest(crypto.sha256(&encoded));
        let record = AuditRecord {
            sequence: self.records,
            at,
            actor,
            action,
            device,
            detail,
            head: self.head,
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
}
