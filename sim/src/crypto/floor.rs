//! The crypto floor of a run: its counted operations timed back to back on the facade's
//! fast path, nothing else.
//!
//! `provsim bench` divides a run's CPU time by this figure: how close the pipeline gets
//! to the cost of the cryptography it cannot avoid. Each kind of operation runs through
//! a fresh [`Crypto`] on [`Backend::Fast`], with fixed inputs of the sizes the
//! facade's callers use (keys drawn from one stream, 256-byte messages signed, verified,
//! hashed and sealed, a 32-byte HKDF key); the inputs are made beforehand, untimed.
//!
//! The clock is the caller's: `provsim bench` times with the thread's CPU time, the
//! same kind of time it measures the run in, so other processes on a busy machine do
//! not count. No result of a run depends on the floor: it is a benchmark figure,
//! printed and dropped.

use super::backend::Backend;
use super::counters::{Op, OpCounts};
use super::facade::Crypto;
use super::keys::{SecretKey, Signature};
use crate::label::LabelFamily;
use crate::seed::{Seed, Stream};
use std::hint::black_box;
use std::time::Duration;

/// Most operations of one kind [`time_operations`] performs by default; a larger count
/// is timed on this many and scaled. 20,000 verifications take about a second.
pub const DEFAULT_CAP: u64 = 20_000;

/// The stream the floor's keys come from. Not a run's stream: nothing a run writes
/// depends on it, so it is opened here rather than in a crate's labels module.
static FLOOR_KEYS: LabelFamily = LabelFamily::new("sim::crypto::floor", "bench/floor-keys");

/// The size of every message the floor signs, verifies, hashes and seals: about a
/// certificate's signed part or a device record (the pipeline's range from a 32-byte
/// digest to the 1 KiB firmware image).
const MESSAGE_BYTES: usize = 256;

/// One kind of operation, timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindTime {
    pub op: Op,
    /// How many the run performed.
    pub count: u64,
    /// How many were timed (the count, or the cap).
    pub timed: u64,
    /// The time for `count` of them: measured, or scaled up from `timed`.
    pub time: Duration,
}

/// The floor: how long the counted operations take back to back on the fast path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Floor {
    /// Every kind's time, added up.
    pub total: Duration,
    /// Each kind, in [`Op::ALL`] order.
    pub kinds: Vec<KindTime>,
    /// What the timing facade counted: the operations really performed, each kind's
    /// count or its cap.
    pub performed: OpCounts,
}

impl Floor {
    /// Whether some kind was timed on fewer operations than counted and scaled up.
    pub fn scaled(&self) -> bool {
        self.kinds.iter().any(|k| k.timed < k.count)
    }
}

/// Operations of each kind done untimed first, so that no kind pays for first use
/// (tables built, caches and branch predictors cold) in its time.
const WARM_UP: u64 = 8;

/// Fixed inputs for every kind, made before anything is timed.
struct Inputs {
    key: SecretKey,
    peer: SecretKey,
    scalar: [u8; 32],
    message: [u8; MESSAGE_BYTES],
    signature: Signature,
    aead_key: [u8; 32],
    nonce: [u8; 12],
    sealed: Vec<u8>,
}

impl Inputs {
    fn new(stream: &mut Stream) -> Inputs {
        // Its own facade: making the inputs is not part of what is timed or counted.
        let setup = Crypto::with_backend(Backend::Fast);
        let key = setup.generate_key(stream);
        let peer = setup.generate_key(stream);
        let message = [0x5a; MESSAGE_BYTES];
        let signature = setup.sign(&key, &message);
        let aead_key = setup.hkdf_sha256(b"salt", b"floor", b"aead");
        let nonce = [1; 12];
        let sealed = setup.aead_seal(&aead_key, &nonce, b"aad", &message);
        Inputs {
            scalar: stream.bytes(),
            key,
            peer,
            message,
            signature,
            aead_key,
            nonce,
            sealed,
        }
    }
}

/// Times `counts` on the fast path: each kind back to back, at most `cap` of a kind
/// really performed (the rest scaled from those), on `clock` (the time so far, as the
/// caller measures it). Zero counts take zero time.
pub fn time_operations(counts: &OpCounts, cap: u64, clock: &mut dyn FnMut() -> Duration) -> Floor {
    let mut stream = FLOOR_KEYS.open(Seed::new(1), &[]);
    let inputs = Inputs::new(&mut stream);
    // Its own facade for the warm-up: what `crypto` counts is what was timed.
    let warm = Crypto::with_backend(Backend::Fast);
    for op in Op::ALL {
        run_kind(&warm, &inputs, &mut stream, op, counts.get(op).min(WARM_UP));
    }
    let crypto = Crypto::with_backend(Backend::Fast);
    let mut kinds = Vec::with_capacity(Op::ALL.len());
    let mut total = Duration::ZERO;
    for op in Op::ALL {
        let count = counts.get(op);
        let timed = count.min(cap);
        let measured = if timed == 0 {
            Duration::ZERO
        } else {
            let start = clock();
            run_kind(&crypto, &inputs, &mut stream, op, timed);
            clock().saturating_sub(start)
        };
        let time = if timed == count {
            measured
        } else {
            measured.mul_f64(count as f64 / timed as f64)
        };
        total += time;
        kinds.push(KindTime {
            op,
            count,
            timed,
            time,
        });
    }
    Floor {
        total,
        kinds,
        performed: crypto.counts(),
    }
}

/// Keeps the optimiser from dropping an operation whose result goes unused.
fn consume<T>(value: T) {
    let _ = black_box(value);
}

/// `n` operations of kind `op`, back to back.
fn run_kind(crypto: &Crypto, inputs: &Inputs, stream: &mut Stream, op: Op, n: u64) {
    let Inputs {
        key,
        peer,
        scalar,
        message,
        signature,
        aead_key,
        nonce,
        sealed,
    } = inputs;
    for _ in 0..n {
        match op {
            Op::KeyGen => consume(crypto.generate_key(stream)),
            Op::KeyImport => consume(crypto.import_secret(black_box(scalar))),
            Op::Sign => consume(crypto.sign(key, black_box(message))),
            Op::Verify => consume(crypto.verify(key.public_key(), black_box(message), signature)),
            Op::Ecdh => consume(crypto.ecdh(key, peer.public_key())),
            Op::Sha256 => consume(crypto.sha256(black_box(message))),
            Op::Kdf => consume(crypto.hkdf_sha256(b"salt", aead_key, b"info")),
            Op::AeadSeal => consume(crypto.aead_seal(aead_key, nonce, b"aad", black_box(message))),
            Op::AeadOpen => consume(crypto.aead_open(aead_key, nonce, b"aad", black_box(sealed))),
            Op::AesBlock => consume(crypto.aes256_encrypt_block(aead_key, black_box(&[7u8; 16]))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn each(n: u64) -> OpCounts {
        OpCounts {
            keygen: n,
            key_import: n,
            sign: n,
            verify: n,
            ecdh: n,
            sha256: n,
            kdf: n,
            aead_seal: n,
            aead_open: n,
            aes_block: n,
        }
    }

    fn counts(n: u64) -> OpCounts {
        OpCounts {
            keygen: n,
            key_import: n + 1,
            sign: n + 2,
            verify: n,
            ecdh: n + 1,
            sha256: n + 2,
            kdf: n,
            aead_seal: n + 1,
            aead_open: n + 2,
            aes_block: n,
        }
    }

    /// A clock that moves on by a millisecond each time it is read: every kind timed
    /// measures exactly one.
    fn ticking() -> impl FnMut() -> Duration {
        let mut now = Duration::ZERO;
        move || {
            now += Duration::from_millis(1);
            now
        }
    }

    #[test]
    fn no_operations_take_no_time() {
        let floor = time_operations(&OpCounts::default(), DEFAULT_CAP, &mut ticking());
        assert_eq!(floor.total, Duration::ZERO);
        assert_eq!(floor.performed, OpCounts::default());
        assert!(floor.kinds.iter().all(|k| k.time == Duration::ZERO));
        assert!(!floor.scaled());
    }

    #[test]
    fn each_counted_operation_is_performed_once_on_the_fast_path() {
        let wanted = counts(3);
        let floor = time_operations(&wanted, DEFAULT_CAP, &mut ticking());
        // The timing facade counted exactly the operations asked for.
        assert_eq!(floor.performed, wanted);
        let kinds: Vec<Op> = floor.kinds.iter().map(|k| k.op).collect();
        assert_eq!(kinds, Op::ALL);
        for kind in &floor.kinds {
            assert_eq!((kind.count, kind.timed), (wanted.get(kind.op), kind.count));
            assert_eq!(kind.time, Duration::from_millis(1));
        }
        assert_eq!(floor.total, Duration::from_millis(10));
        assert!(!floor.scaled());
    }

    #[test]
    fn past_the_cap_a_kind_is_timed_on_the_cap_and_scaled() {
        let wanted = counts(4);
        let floor = time_operations(&wanted, 2, &mut ticking());
        assert_eq!(floor.performed, each(2));
        assert!(floor.scaled());
        for kind in &floor.kinds {
            assert_eq!((kind.count, kind.timed), (wanted.get(kind.op), 2));
            // One millisecond for two, scaled to the count.
            assert_eq!(kind.time, Duration::from_micros(500 * kind.count));
        }
    }
}
