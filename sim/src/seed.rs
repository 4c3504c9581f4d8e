//! The scenario seed and the labelled random streams derived from it.

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use std::fmt;

/// The one number a run's randomness comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Seed(u64);

impl Seed {
    pub const fn new(value: u64) -> Self {
        Seed(value)
    }

    pub const fn value(self) -> u64 {
        self.0
    }

    /// The stream named `label`: ChaCha20 keyed by SHA-256 over the seed's eight bytes
    /// (big-endian) followed by the label's UTF-8 bytes.
    ///
    /// Streams with different labels are independent, and creating or drawing from one
    /// never shifts another; that is what lets a device, an attack or a shard be
    /// recomputed on its own.
    pub fn stream(self, label: &str) -> Stream {
        let mut hasher = crate::hash::Sha256::new();
        hasher.update(&self.0.to_be_bytes());
        hasher.update(label.as_bytes());
        Stream {
            rng: ChaCha20Rng::from_seed(hasher.finalize()),
        }
    }

    /// The stream for one purpose of one device, labelled `device/{index}/{purpose}`.
    pub fn device_stream(self, index: u64, purpose: &str) -> Stream {
        self.stream(&format!("device/{index}/{purpose}"))
    }
}

impl fmt::Display for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One labelled ChaCha20 generator. It is deliberately not `Clone`: a copied stream would
/// hand out the same "random" values twice.
pub struct Stream {
    rng: ChaCha20Rng,
}

impl Stream {
    /// An exact copy, position included. Named, not `Clone`, because the copy repeats the
    /// original's values: only for copying a whole simulated chip for a what-if probe
    /// whose results are thrown away with the copy.
    pub fn duplicate(&self) -> Stream {
        Stream {
            rng: self.rng.clone(),
        }
    }

    /// A new stream keyed by 32 bytes drawn from this one: independent of it from then
    /// on, for a part of a computation that must own its randomness (an end of a
    /// handshake run by an attacker) while the rest draws on.
    pub fn split(&mut self) -> Stream {
        Stream {
            rng: ChaCha20Rng::from_seed(self.bytes()),
        }
    }

    /// The stream as a `rand_core` generator, for a well-kept crate that draws its own
    /// randomness (a secret-sharing dealer): its draws then come from the seed too.
    pub fn as_rng(&mut self) -> &mut (impl rand_core::CryptoRng + use<>) {
        &mut self.rng
    }

    pub fn next_u32(&mut self) -> u32 {
        self.rng.next_u32()
    }

    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    pub fn fill(&mut self, dest: &mut [u8]) {
        self.rng.fill_bytes(dest);
    }

    pub fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        self.fill(&mut out);
        out
    }

    /// A uniform integer in `0..bound` without modulo bias (rejection sampling).
    /// Returns 0 when `bound` is 0.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        // Largest multiple of `bound` that fits; draws at or above it are redrawn.
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let draw = self.next_u64();
            if draw < zone {
                return draw % bound;
            }
        }
    }

    /// True with probability `numerator / denominator`, decided in integers so that the
    /// outcome is the same on every machine. A zero denominator is never true.
    pub fn chance(&mut self, numerator: u64, denominator: u64) -> bool {
        denominator != 0 && self.below(denominator) < numerator
    }
}

impl fmt::Debug for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Stream { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn same_seed_and_label_give_the_same_stream() {
        let a: [u8; 32] = Seed::new(7).stream("site/root-ca").bytes();
        let b: [u8; 32] = Seed::new(7).stream("site/root-ca").bytes();
        assert_eq!(a, b);
    }

    #[test]
    fn label_and_seed_both_select_the_stream() {
        let base: [u8; 16] = Seed::new(7).stream("device/1/identity-key").bytes();
        let other_label: [u8; 16] = Seed::new(7).stream("device/2/identity-key").bytes();
        let other_seed: [u8; 16] = Seed::new(8).stream("device/1/identity-key").bytes();
        assert_ne!(base, other_label);
        assert_ne!(base, other_seed);
    }

    #[test]
    fn device_stream_is_the_labelled_stream() {
        let a = Seed::new(3).device_stream(417, "puf").next_u64();
        let b = Seed::new(3).stream("device/417/puf").next_u64();
        assert_eq!(a, b);
    }

    /// Pins the derivation (SHA-256 key schedule + ChaCha20) so that a dependency upgrade
    /// that changed it would be caught here, not in a golden report. The value was
    /// computed independently: ChaCha20 (RFC 7539 block function, counter 0, nonce 0)
    /// keyed with SHA-256(00..01 || "kat"), first eight keystream bytes little-endian.
    #[test]
    fn derivation_is_pinned() {
        let first = Seed::new(1).stream("kat").next_u64();
        assert_eq!(
            first, KAT_FIRST_U64,
            "stream derivation changed: {first:#x}"
        );
    }
    const KAT_FIRST_U64: u64 = 0xd81a_1933_eb80_294a;

    proptest! {
        #[test]
        fn below_stays_below_its_bound(seed: u64, bound in 1u64..1_000_000) {
            let mut s = Seed::new(seed).stream("below");
            for _ in 0..32 {
                prop_assert!(s.below(bound) < bound);
            }
        }

        #[test]
        fn chance_of_all_or_nothing_is_certain(seed: u64, den in 1u64..1000) {
            let mut s = Seed::new(seed).stream("chance");
            prop_assert!(s.chance(den, den));
            prop_assert!(!s.chance(0, den));
        }
    }
}
