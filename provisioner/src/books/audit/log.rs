//! The log itself: its head and count, and the appends that move them.

use crate::books::audit::record::{AuditRecord, CLOSING_ACTION, HASH_FIELD, line_prefix};
use provsim_devices::DeviceId;
use provsim_sim::crypto::Crypto;
use provsim_sim::{Digest, SimTime, to_hex};

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
