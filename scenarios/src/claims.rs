//! Claims and their oracles. An oracle judges ground truth (what the line really put
//! into the devices it shipped) against what an attempt left in the attacker's
//! knowledge; it never trusts an attack's own account of itself.

use provsim_attacks::{Knowledge, MaterialKind};
use provsim_devices::DeviceId;
use provsim_sim::crypto::{Crypto, Fingerprint};
use std::collections::BTreeMap;

/// The claims provsim can check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClaimKind {
    /// No attacker's knowledge contains the private identity key of a shipped device.
    IdentityKeyConfidentiality,
}

impl ClaimKind {
    pub const ALL: &'static [ClaimKind] = &[ClaimKind::IdentityKeyConfidentiality];

    pub fn parse(id: &str) -> Option<ClaimKind> {
        Self::ALL.iter().copied().find(|kind| kind.id() == id)
    }

    pub fn id(self) -> &'static str {
        match self {
            ClaimKind::IdentityKeyConfidentiality => "identity-key-confidentiality",
        }
    }

    /// The security requirement the claim stands for.
    pub fn requirement(self) -> &'static str {
        match self {
            ClaimKind::IdentityKeyConfidentiality => {
                "FDP_SDC.1 stored data confidentiality (SESIP: secure storage) of device identity keys"
            }
        }
    }

    pub fn statement(self) -> &'static str {
        match self {
            ClaimKind::IdentityKeyConfidentiality => {
                "No attacker's knowledge contains the private identity key of a shipped device."
            }
        }
    }
}

/// What the line shipped: each shipped device's identity-key fingerprint.
#[derive(Debug, Default)]
pub struct GroundTruth {
    identities: BTreeMap<Fingerprint, DeviceId>,
}

impl GroundTruth {
    pub fn insert(&mut self, identity: Fingerprint, device: DeviceId) {
        self.identities.insert(identity, device);
    }
}

/// Evaluates `claim` over one attempt's knowledge. Returns the evidence of a violation,
/// or `None` if the claim survived the attempt. `crypto` is the oracle's own facade, so
/// checking is never charged to the line or the attacker.
pub fn violation(
    claim: ClaimKind,
    truth: &GroundTruth,
    knowledge: &Knowledge,
    crypto: &Crypto,
) -> Option<String> {
    match claim {
        ClaimKind::IdentityKeyConfidentiality => {
            knowledge.of_kind(MaterialKind::KeyCandidate).find_map(|material| {
                let key = crypto.import_secret(material.bytes()).ok()?;
                let fingerprint = key.public_key().fingerprint();
                let device = truth.identities.get(&fingerprint)?;
                Some(format!(
                    "private identity key of device {device} (public key {fingerprint}) recovered from {}",
                    material.source
                ))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_sim::Seed;

    #[test]
    fn only_a_real_shipped_key_violates_confidentiality() {
        let crypto = Crypto::new();
        let mut stream = Seed::new(1).stream("test/claims");
        let shipped = crypto.generate_key(&mut stream);
        let other = crypto.generate_key(&mut stream);
        let mut truth = GroundTruth::default();
        truth.insert(shipped.public_key().fingerprint(), DeviceId(7));
        let claim = ClaimKind::IdentityKeyConfidentiality;

        let mut knowledge = Knowledge::new();
        knowledge.learn(MaterialKind::KeyCandidate, "junk", vec![0; 32]);
        knowledge.learn(MaterialKind::KeyCandidate, "short", vec![1; 5]);
        knowledge.learn(
            MaterialKind::KeyCandidate,
            "another key",
            other.expose_secret_bytes().to_vec(),
        );
        // The right bytes filed as a raw dump are not a recovered key: the oracle reads
        // candidates, so an attack must have extracted the key to be credited.
        knowledge.learn(
            MaterialKind::MemoryDump,
            "dump",
            shipped.expose_secret_bytes().to_vec(),
        );
        assert_eq!(violation(claim, &truth, &knowledge, &crypto), None);

        knowledge.learn(
            MaterialKind::KeyCandidate,
            "slot 0",
            shipped.expose_secret_bytes().to_vec(),
        );
        let evidence = violation(claim, &truth, &knowledge, &crypto).unwrap();
        assert!(evidence.contains("0000000000000007"), "{evidence}");
        assert!(!evidence.contains(&provsim_sim::to_hex(&shipped.expose_secret_bytes())));
    }

    #[test]
    fn claim_ids_round_trip() {
        for kind in ClaimKind::ALL {
            assert_eq!(ClaimKind::parse(kind.id()), Some(*kind));
        }
        assert_eq!(ClaimKind::parse("nope"), None);
    }
}
