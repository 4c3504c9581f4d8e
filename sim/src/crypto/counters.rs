use std::sync::atomic::{AtomicU64, Ordering};

/// The operations the facade counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Op {
    KeyGen,
    KeyImport,
    Sign,
    Verify,
    Ecdh,
    Sha256,
    Kdf,
    AeadSeal,
    AeadOpen,
}

/// A snapshot of the facade's counters. Sums do not depend on which thread did what,
/// so they are as deterministic as the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpCounts {
    pub keygen: u64,
    pub key_import: u64,
    pub sign: u64,
    pub verify: u64,
    pub ecdh: u64,
    pub sha256: u64,
    pub kdf: u64,
    pub aead_seal: u64,
    pub aead_open: u64,
}

impl OpCounts {
    /// Every counted operation.
    pub fn total(&self) -> u64 {
        self.keygen
            + self.key_import
            + self.sign
            + self.verify
            + self.ecdh
            + self.sha256
            + self.kdf
            + self.aead_seal
            + self.aead_open
    }
}

#[derive(Debug, Default)]
pub(super) struct Counters([AtomicU64; 9]);

impl Counters {
    pub(super) fn add(&self, op: Op) {
        self.0[op as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn snapshot(&self) -> OpCounts {
        let get = |op: Op| self.0[op as usize].load(Ordering::Relaxed);
        OpCounts {
            keygen: get(Op::KeyGen),
            key_import: get(Op::KeyImport),
            sign: get(Op::Sign),
            verify: get(Op::Verify),
            ecdh: get(Op::Ecdh),
            sha256: get(Op::Sha256),
            kdf: get(Op::Kdf),
            aead_seal: get(Op::AeadSeal),
            aead_open: get(Op::AeadOpen),
        }
    }
}
