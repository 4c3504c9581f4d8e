//! The log itself: its head and count, and the appends that move them.

use crate::books::audit::checkpoint::{
    CHECKPOINT_ACTION, CHECKPOINT_EVERY, Stamp, Vouch, detail, signed_message,
};
use crate::books::audit::record::{AuditRecord, CLOSING_ACTION, HASH_FIELD, line_prefix};
use provsim_devices::DeviceId;
use provsim_sim::crypto::{Crypto, Signature};
use provsim_sim::{Digest, SimTime, to_hex};

/// The log as the line holds it: its head, its count and where the last checkpoint
/// stands, nothing per record.
#[derive(Debug, Clone)]
pub struct AuditLog {
    head: Digest,
    records: u64,
    /// The count of records when the last checkpoint was written (0 before any).
    checkpointed: u64,
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
            checkpointed: 0,
        }
    }

    pub fn head(&self) -> Digest {
        self.head
    }

    pub fn records(&self) -> u64 {
        self.records
    }

    /// Whether [`CHECKPOINT_EVERY`] records have been written since the last checkpoint.
    pub fn checkpoint_due(&self) -> bool {
        self.records - self.checkpointed >= CHECKPOINT_EVERY
    }

    /// Appends a checkpoint: `sign` (the vault) signs the head of every record so far,
    /// and the record states it.
    pub fn checkpoint<E>(
        &mut self,
        crypto: &Crypto,
        at: SimTime,
        sign: impl FnOnce(&[u8]) -> Result<Signature, E>,
    ) -> Result<AuditRecord, E> {
        let record = self.vouch(crypto, at, Vouch::Checkpoint, sign)?;
        self.checkpointed = self.records;
        Ok(record)
    }

    /// Appends the closing record, signed by `sign` (the vault) like a checkpoint:
    /// nothing may follow it.
    pub fn close<E>(
        &mut self,
        crypto: &Crypto,
        at: SimTime,
        sign: impl FnOnce(&[u8]) -> Result<Signature, E>,
    ) -> Result<AuditRecord, E> {
        self.vouch(crypto, at, Vouch::Closing, sign)
    }

    /// Appends a record of kind `vouch` that states the head so far, signed by `sign`.
    fn vouch<E>(
        &mut self,
        crypto: &Crypto,
        at: SimTime,
        vouch: Vouch,
        sign: impl FnOnce(&[u8]) -> Result<Signature, E>,
    ) -> Result<AuditRecord, E> {
        let (records, action) = match vouch {
            // A checkpoint counts the records before it; the closing record, the log.
            Vouch::Checkpoint => (self.records, CHECKPOINT_ACTION),
            Vouch::Closing => (self.records + 1, CLOSING_ACTION),
        };
        let stamp = Stamp {
            seq: self.records,
            at_ns: at.as_nanos(),
        };
        let signature = sign(signed_message(vouch, stamp, records, &self.head).as_bytes())?;
        let detail = detail(records, &self.head, &signature);
        Ok(self.append(crypto, at, vouch.actor(), action, None, detail))
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

    #[test]
    fn a_checkpoint_falls_due_every_so_many_records_and_states_the_head() {
        let crypto = Crypto::new();
        let key = crypto.import_secret(&[1; 32]).unwrap();
        let sign = |m: &[u8]| Ok::<_, std::convert::Infallible>(crypto.sign_low_s(&key, m));
        let mut log = AuditLog::new();
        let mut checkpoints = Vec::new();
        for _ in 0..3 * CHECKPOINT_EVERY {
            log.append(&crypto, SimTime::ZERO, "x", "y", None, String::new());
            if log.checkpoint_due() {
                let head = log.head();
                let record = log.checkpoint(&crypto, SimTime::ZERO, sign).unwrap();
                assert_eq!(record.action, CHECKPOINT_ACTION);
                assert!(record.detail.starts_with(&format!(
                    "records={} head={} signature=",
                    record.sequence,
                    to_hex(&head.0)
                )));
                checkpoints.push(record.sequence);
            }
        }
        // A checkpoint is a record too: each counts in the next one's span.
        let n = CHECKPOINT_EVERY;
        assert_eq!(checkpoints, [n, 2 * n + 1, 3 * n + 2]);
        let closing = log.close(&crypto, SimTime::ZERO, sign).unwrap();
        assert!(
            closing
                .detail
                .starts_with(&format!("records={} head=", log.records()))
        );
    }
}
