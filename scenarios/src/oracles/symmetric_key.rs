//! No attacker's knowledge contains a symmetric key the line put into a shipped device.

use super::oracle::{Observation, Oracle};
use super::scope::Param;
use provsim_attacks::Gain;

/// The attacked device's keys are searched for in every byte the attacker holds,
/// however the attack filed it: only their exact bytes count.
#[derive(Debug, Clone, Copy)]
pub struct SymmetricKeysSecret;

impl Oracle for SymmetricKeysSecret {
    fn id(&self) -> &'static str {
        "symmetric-keys-secret"
    }

    fn statement(&self) -> &'static str {
        "No attacker's knowledge contains a symmetric key the line put into a shipped device."
    }

    fn falsified_by(&self) -> &'static [Gain] {
        &[Gain::SymmetricKey, Gain::KeyInUse]
    }

    fn parameters(&self) -> &'static [Param] {
        &[Param::Lots, Param::Secrets]
    }

    fn check(&self, seen: &Observation<'_>) -> Option<String> {
        if !seen.scope.covers_id(seen.attacked.device) {
            return None;
        }
        let covered = seen
            .attacked
            .symmetric_keys
            .iter()
            .filter(|(name, _)| seen.scope.covers_secret(name));
        covered.into_iter().find_map(|(name, key)| {
            seen.knowledge
                .materials()
                .iter()
                .find(|m| m.bytes().windows(key.len()).any(|w| w == key))
                .map(|m| {
                    format!(
                        "symmetric key `{name}` of device {} found in {:?} material from {}",
                        seen.attacked.device, m.kind, m.source
                    )
                })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracles::oracle::Attacked;
    use crate::oracles::truth::GroundTruth;
    use provsim_attacks::{Knowledge, MaterialKind};
    use provsim_devices::DeviceId;
    use provsim_sim::Seed;
    use provsim_sim::crypto::Crypto;

    #[test]
    fn only_the_exact_key_bytes_anywhere_violate_it() {
        let crypto = Crypto::new();
        let ca = crypto.generate_key(&mut Seed::new(1).stream("test/claims"));
        let attacked = Attacked {
            device: DeviceId(7),
            identity_secret: [9; 32],
            booted: None,
            started: Vec::new(),
            fuses_at_boot: None,
            installed_counter: 0,
            authorised_firmware: vec![[0; 32]],
            customer_ca: ca.public_key().clone(),
            firmware_key: provsim_sim::crypto::Crypto::new()
                .generate_key(&mut provsim_sim::Seed::new(2).stream("test/firmware"))
                .public_key()
                .clone(),
            symmetric_keys: vec![("storage".to_owned(), [7; 32])],
            channel: provsim_devices::ChannelBreaches::default(),
            life_cycle: None,
            books: None,
            parts: Vec::new(),
            shared_identities: Vec::new(),
            admitted_barred: Vec::new(),
        };
        let truth = GroundTruth::default();
        let check = |knowledge: &Knowledge| {
            SymmetricKeysSecret.check(&Observation {
                scope: &crate::oracles::scope::Scope::ALL,
                truth: &truth,
                attacked: &attacked,
                knowledge,
                crypto: &crypto,
            })
        };
        let mut knowledge = Knowledge::new();
        knowledge.learn(MaterialKind::KeyCandidate, "slot 0", vec![9; 32]);
        assert_eq!(check(&knowledge), None);
        let mut near = vec![0u8; 40];
        near[4..35].copy_from_slice(&[7; 31]);
        knowledge.learn(MaterialKind::SecretCandidate, "slot 1", near);
        assert_eq!(check(&knowledge), None);
        let mut dump = vec![0u8; 64];
        dump[10..42].copy_from_slice(&[7; 32]);
        knowledge.learn(MaterialKind::MemoryDump, "vm", dump);
        let evidence = check(&knowledge).unwrap();
        assert!(
            evidence.contains("`storage`") && evidence.contains("vm"),
            "{evidence}"
        );
        // A claim scoped to another key does not speak for the storage key.
        let other = crate::oracles::scope::Scope {
            secrets: vec!["debug".to_owned()],
            ..Default::default()
        };
        let scoped = SymmetricKeysSecret.check(&Observation {
            scope: &other,
            truth: &truth,
            attacked: &attacked,
            knowledge: &knowledge,
            crypto: &crypto,
        });
        assert_eq!(scoped, None);
    }
}
