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
    AesBlock,
}

impl Op {
    /// Every kind, in the counters' order.
    pub const ALL: [Op; 10] = [
        Op::KeyGen,
        Op::KeyImport,
        Op::Sign,
        Op::Verify,
        Op::Ecdh,
        Op::Sha256,
        Op::Kdf,
        Op::AeadSeal,
        Op::AeadOpen,
        Op::AesBlock,
    ];

    /// Its name as reports and the bench spell it (`OpCounts`' field names).
    pub fn name(self) -> &'static str {
        match self {
            Op::KeyGen => "keygen",
            Op::KeyImport => "key_import",
            Op::Sign => "sign",
            Op::Verify => "verify",
            Op::Ecdh => "ecdh",
            Op::Sha256 => "sha256",
            Op::Kdf => "kdf",
            Op::AeadSeal => "aead_seal",
            Op::AeadOpen => "aead_open",
            Op::AesBlock => "aes_block",
        }
    }
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
    pub aes_block: u64,
}

impl OpCounts {
    /// The count of one kind.
    pub fn get(&self, op: Op) -> u64 {
        match op {
            Op::KeyGen => self.keygen,
            Op::KeyImport => self.key_import,
            Op::Sign => self.sign,
            Op::Verify => self.verify,
            Op::Ecdh => self.ecdh,
            Op::Sha256 => self.sha256,
            Op::Kdf => self.kdf,
            Op::AeadSeal => self.aead_seal,
            Op::AeadOpen => self.aead_open,
            Op::AesBlock => self.aes_block,
        }
    }

    /// The operations done since `earlier`, a snapshot of the same counters.
    pub fn since(&self, earlier: &OpCounts) -> OpCounts {
        let d = |op: Op| self.get(op).saturating_sub(earlier.get(op));
        OpCounts {
            keygen: d(Op::KeyGen),
            key_import: d(Op::KeyImport),
            sign: d(Op::Sign),
            verify: d(Op::Verify),
            ecdh: d(Op::Ecdh),
            sha256: d(Op::Sha256),
            kdf: d(Op::Kdf),
            aead_seal: d(Op::AeadSeal),
            aead_open: d(Op::AeadOpen),
            aes_block: d(Op::AesBlock),
        }
    }

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
            + self.aes_block
    }
}

#[derive(Debug, Default)]
pub(super) struct Counters([AtomicU64; 10]);

/// Every operation of every facade in this process, bumped beside each instance's own
/// counter. A run has several facades (the line's, the cloud's, each attack copy's, the
/// oracles'), and `provsim bench` times the whole run's operations back to back to find
/// its crypto floor ([`super::floor`]). Only the bench reads it, and it never reaches
/// an output: what it holds depends on everything else the process did (tests in one
/// process share it), so no result may.
static PROCESS: Counters = Counters([const { AtomicU64::new(0) }; 10]);

/// The operations every facade of this process has performed so far (see [`PROCESS`]):
/// for a benchmark's figures, never for a result.
pub fn process_counts() -> OpCounts {
    PROCESS.snapshot()
}

impl Counters {
    pub(super) fn add(&self, op: Op) {
        self.0[op as usize].fetch_add(1, Ordering::Relaxed);
        // A `--jobs` worker's shadow of the line works operations out ahead of the run;
        // they are not the run's (the run counts them again when it looks them up).
        if !super::memo::recording() {
            PROCESS.0[op as usize].fetch_add(1, Ordering::Relaxed);
        }
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
            aes_block: get(Op::AesBlock),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each facade's operations reach the process tally too (other tests run alongside
    /// in this process, so it can only have grown by at least as much).
    #[test]
    fn every_facade_adds_to_the_process_tally() {
        let before = process_counts();
        let (a, b) = (Counters::default(), Counters::default());
        a.add(Op::Sign);
        a.add(Op::Verify);
        b.add(Op::Sign);
        let grown = process_counts().since(&before);
        assert!(grown.sign >= 2 && grown.verify >= 1, "{grown:?}");
        assert_eq!((a.snapshot().sign, b.snapshot().sign), (1, 1));
    }
}
