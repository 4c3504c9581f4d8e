//! A part that does not ship keeps none of the keys the line put into it.

use super::oracle::{Observation, Oracle};
use super::scope::Param;
use provsim_attacks::Gain;
use provsim_attacks::{MaterialKind, Position};

#[derive(Debug, Clone, Copy)]
pub struct ScrappedPartsHoldNoKeys;

impl Oracle for ScrappedPartsHoldNoKeys {
    fn id(&self) -> &'static str {
        "scrapped-parts-hold-no-keys"
    }

    fn statement(&self) -> &'static str {
        "No key the line made for a part that did not ship can be read out of that part."
    }

    fn falsified_by(&self) -> &'static [Gain] {
        &[Gain::ResidualKey]
    }

    fn tried_by(&self, position: Position) -> bool {
        position == Position::ScrapBin
    }

    fn parameters(&self) -> &'static [Param] {
        &[Param::Lots]
    }

    fn check(&self, seen: &Observation<'_>) -> Option<String> {
        if !seen.scope.covers_id(seen.attacked.device) {
            return None;
        }
        // Ground truth: the attacked part's own identity key, re-derived from the seed,
        // and whether any shipped device holds it.
        let identity = seen
            .crypto
            .import_secret(&seen.attacked.identity_secret)
            .ok()?;
        let fingerprint = identity.public_key().fingerprint();
        if seen.truth.device(&fingerprint).is_some() {
            return None;
        }
        let identity_read = seen
            .knowledge
            .of_kind(MaterialKind::KeyCandidate)
            .find(|m| m.bytes() == seen.attacked.identity_secret);
        if let Some(material) = identity_read {
            return Some(format!(
                "the identity key {fingerprint} of device {}, which did not ship, was read from {}",
                seen.attacked.device, material.source
            ));
        }
        seen.knowledge
            .of_kind(MaterialKind::SecretCandidate)
            .find_map(|m| {
                let (name, _) = seen
                    .attacked
                    .symmetric_keys
                    .iter()
                    .find(|(_, key)| m.bytes() == key)?;
                Some(format!(
                    "the symmetric key \"{name}\" of device {}, which did not ship, was read from {}",
                    seen.attacked.device, m.source
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracles::oracle::tests::attacked;
    use crate::oracles::truth::GroundTruth;
    use provsim_attacks::Knowledge;
    use provsim_devices::DeviceId;
    use provsim_provisioner::ShippedDevice;
    use provsim_sim::Seed;
    use provsim_sim::crypto::Crypto;

    /// A key read from a part that did not ship breaks it; the same key of a shipped
    /// device is the confidentiality claim's business; nothing read, nothing broken.
    #[test]
    fn only_a_key_read_from_an_unshipped_part_breaks_it() {
        let crypto = Crypto::new();
        let key = crypto.generate_key(&mut Seed::new(3).stream("test/scrapped"));
        let judge = |shipped: bool, read: Option<Vec<u8>>| {
            let truth = GroundTruth::new(shipped.then(|| ShippedDevice {
                index: 7,
                device_id: DeviceId(7),
                identity: key.public_key().fingerprint(),
            }));
            let mut seen = attacked();
            seen.identity_secret = key.expose_secret_bytes();
            let mut knowledge = Knowledge::new();
            if let Some(bytes) = read {
                knowledge.learn(MaterialKind::KeyCandidate, "the bin", bytes);
            }
            ScrappedPartsHoldNoKeys.check(&Observation {
                scope: &crate::oracles::scope::Scope::ALL,
                truth: &truth,
                attacked: &seen,
                knowledge: &knowledge,
                crypto: &crypto,
            })
        };
        let secret = key.expose_secret_bytes().to_vec();
        let evidence = judge(false, Some(secret.clone())).expect("broken");
        assert!(evidence.contains("did not ship"), "{evidence}");
        assert_eq!(judge(true, Some(secret)), None);
        assert_eq!(judge(false, None), None);
        assert_eq!(judge(false, Some(vec![0; 32])), None);
    }
}
