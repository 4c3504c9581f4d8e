//! The root key's ceremony: the offline root exists between ceremonies only as shares
//! held by custodians, any `threshold` of whom can restore it in the HSM, and fewer of
//! whom learn nothing about it. Shamir's scheme over GF(256), from the `blahaj` crate,
//! on the key's 32 bytes, dealt from the seed so a run is reproducible.

use provsim_sim::Stream;
use provsim_sim::crypto::Sha256;
use std::fmt;

/// How many custodians hold a share and how many must meet to use the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quorum {
    pub custodians: u8,
    pub threshold: u8,
}

impl Quorum {
    /// Three of five, a common choice for an offline root.
    pub const DEFAULT: Quorum = Quorum {
        custodians: 5,
        threshold: 3,
    };

    /// Whether the numbers make a real quorum: at least two needed, at most as many as
    /// there are custodians, and a ceremony room's worth of people.
    pub fn is_valid(self) -> bool {
        (2..=self.custodians).contains(&self.threshold) && self.custodians <= 16
    }
}

impl Default for Quorum {
    fn default() -> Self {
        Quorum::DEFAULT
    }
}

/// One custodian's share of a key. Its `Debug` shows the custodian and a digest, never
/// the share.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyShare {
    pub custodian: u8,
    bytes: Vec<u8>,
}

impl KeyShare {
    /// A share as it was kept (in a custodian's safe, say), for custodian `custodian`.
    pub(crate) fn from_bytes(custodian: u8, bytes: Vec<u8>) -> KeyShare {
        KeyShare { custodian, bytes }
    }

    /// The share's bytes, as a custodian keeps them.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// SHA-256 of the share: what the audit log names it by.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(&self.bytes)
    }
}

impl fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "KeyShare {{ custodian: {}, sha256: {} }}",
            self.custodian,
            provsim_sim::to_hex(&self.digest())
        )
    }
}

/// Splits `secret` into one share per custodian.
pub(crate) fn split(secret: &[u8; 32], quorum: Quorum, rng: &mut Stream) -> Vec<KeyShare> {
    blahaj::Sharks(quorum.threshold)
        .dealer_rng(secret, rng.as_rng())
        .take(usize::from(quorum.custodians))
        .enumerate()
        .map(|(i, share)| KeyShare {
            custodian: i as u8 + 1,
            bytes: Vec::from(&share),
        })
        .collect()
}

/// Rebuilds the secret from the shares present, or `None` when they are too few to
/// reach the threshold or malformed. Shares from the wrong key rebuild a wrong secret:
/// the caller checks the result against the key's known public half.
pub(crate) fn combine(shares: &[&KeyShare], quorum: Quorum) -> Option<[u8; 32]> {
    let parsed: Vec<blahaj::Share> = shares
        .iter()
        .map(|s| blahaj::Share::try_from(s.bytes.as_slice()).ok())
        .collect::<Option<_>>()?;
    let secret = blahaj::Sharks(quorum.threshold).recover(&parsed).ok()?;
    secret.try_into().ok()
}

/// The custodians who come to a ceremony: `threshold` of them, drawn from the seed.
pub(crate) fn attendees(quorum: Quorum, rng: &mut Stream) -> Vec<u8> {
    let mut pool: Vec<u8> = (1..=quorum.custodians).collect();
    for i in 0..usize::from(quorum.threshold) {
        let j = i + rng.below((pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(usize::from(quorum.threshold));
    pool.sort_unstable();
    pool
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use provsim_sim::Seed;

    proptest! {
        /// Any `threshold` shares rebuild the secret; fewer never do.
        #[test]
        fn a_quorum_rebuilds_and_less_does_not(
            secret in any::<[u8; 32]>(),
            custodians in 2u8..8,
            pick in any::<u64>(),
        ) {
            let threshold = 2 + (pick % u64::from(custodians - 1)) as u8;
            let quorum = Quorum { custodians, threshold };
            prop_assert!(quorum.is_valid());
            let shares = split(&secret, quorum, &mut Seed::new(pick).stream("test/shares"));
            prop_assert_eq!(shares.len(), usize::from(custodians));
            let present = attendees(quorum, &mut Seed::new(pick).stream("test/who"));
            let chosen: Vec<&KeyShare> = present.iter().map(|&c| &shares[usize::from(c) - 1]).collect();
            prop_assert_eq!(combine(&chosen, quorum), Some(secret));
            prop_assert_ne!(combine(&chosen[1..], quorum), Some(secret));
        }
    }

    #[test]
    fn shares_are_dealt_from_the_seed_and_never_shown() {
        let quorum = Quorum::DEFAULT;
        let a = split(&[7; 32], quorum, &mut Seed::new(1).stream("s"));
        let b = split(&[7; 32], quorum, &mut Seed::new(1).stream("s"));
        let c = split(&[7; 32], quorum, &mut Seed::new(2).stream("s"));
        assert_eq!(a, b);
        assert_ne!(a, c);
        let shown = format!("{:?}", a[0]);
        assert!(shown.contains("custodian: 1") && !shown.contains("bytes"));
        assert!(
            !Quorum {
                custodians: 3,
                threshold: 1
            }
            .is_valid()
        );
        assert!(
            !Quorum {
                custodians: 3,
                threshold: 4
            }
            .is_valid()
        );
    }
}
