//! No attacker's knowledge contains the private identity key of a shipped device.

use super::oracle::{Observation, Oracle};
use super::scope::Param;
use provsim_attacks::Gain;
use provsim_attacks::MaterialKind;

/// Key candidates are checked against every shipped device, and every byte the attacker
/// holds, however the attack filed it, is searched for the attacked device's real key.
#[derive(Debug, Clone, Copy)]
pub struct IdentityKeysSecret;

impl Oracle for IdentityKeysSecret {
    fn id(&self) -> &'static str {
        "identity-keys-secret"
    }

    fn statement(&self) -> &'static str {
        "No attacker's knowledge contains the private identity key of a shipped device."
    }

    fn falsified_by(&self) -> &'static [Gain] {
        &[Gain::IdentityKey]
    }

    fn parameters(&self) -> &'static [Param] {
        &[Param::Lots]
    }

    fn check(&self, seen: &Observation<'_>) -> Option<String> {
        let candidate = seen
            .knowledge
            .of_kind(MaterialKind::KeyCandidate)
            .find_map(|material| {
                let key = seen.crypto.import_secret(material.bytes()).ok()?;
                let fingerprint = key.public_key().fingerprint();
                // Only a device within the claim's lots counts.
                let device = seen
                    .truth
                    .device(&fingerprint)
                    .filter(|d| seen.scope.covers_id(*d))?;
                Some(format!(
                    "private identity key of device {device} (public key {fingerprint}) recovered from {}",
                    material.source
                ))
            });
        candidate.or_else(|| {
            if !seen.scope.covers_id(seen.attacked.device) {
                return None;
            }
            let secret = &seen.attacked.identity_secret;
            seen.knowledge
                .materials()
                .iter()
                .find(|m| m.bytes().windows(secret.len()).any(|w| w == secret))
                .map(|m| {
                    format!(
                        "private identity key of device {} found in {:?} material from {}",
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
    use provsim_attacks::Knowledge;
    use provsim_devices::DeviceId;
    use provsim_provisioner::ShippedDevice;
    use provsim_sim::Seed;
    use provsim_sim::crypto::{Crypto, Fingerprint};

    #[test]
    fn only_a_real_shipped_key_violates_confidentiality() {
        let crypto = Crypto::new();
        let mut stream = Seed::new(1).stream("test/claims");
        let shipped = crypto.generate_key(&mut stream);
        let other = crypto.generate_key(&mut stream);
        let ledger = [
            ShippedDevice {
                index: 3,
                device_id: DeviceId(3),
                identity: Fingerprint([0xee; 32]),
            },
            ShippedDevice {
                index: 7,
                device_id: DeviceId(7),
                identity: shipped.public_key().fingerprint(),
            },
        ];
        let truth = GroundTruth::new(ledger);
        let attacked = Attacked {
            device: DeviceId(7),
            identity_secret: shipped.expose_secret_bytes(),
            booted: None,
            started: Vec::new(),
            fuses_at_boot: None,
            installed_counter: 0,
            authorised_firmware: vec![[0; 32]],
            customer_ca: other.public_key().clone(),
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
        let check = |knowledge: &Knowledge| {
            IdentityKeysSecret.check(&Observation {
                scope: &crate::oracles::scope::Scope::ALL,
                truth: &truth,
                attacked: &attacked,
                knowledge,
                crypto: &crypto,
            })
        };

        let mut knowledge = Knowledge::new();
        knowledge.learn(MaterialKind::KeyCandidate, "junk", vec![0; 32]);
        knowledge.learn(MaterialKind::KeyCandidate, "short", vec![1; 5]);
        knowledge.learn(
            MaterialKind::KeyCandidate,
            "another key",
            other.expose_secret_bytes().to_vec(),
        );
        let mut almost = shipped.expose_secret_bytes().to_vec();
        almost[31] ^= 1;
        knowledge.learn(MaterialKind::MemoryDump, "dump", almost);
        assert_eq!(check(&knowledge), None);

        // A real key filed as a candidate breaks the claim...
        let mut filed = knowledge.clone();
        filed.learn(
            MaterialKind::KeyCandidate,
            "slot 0",
            shipped.expose_secret_bytes().to_vec(),
        );
        let evidence = check(&filed).unwrap();
        assert!(
            evidence.contains("0000000000000007") && evidence.contains("slot 0"),
            "{evidence}"
        );
        assert!(!evidence.contains(&provsim_sim::to_hex(&shipped.expose_secret_bytes())));

        // ...and so does the same key buried in a raw dump, whatever the attack called it.
        let mut buried = vec![0xffu8; 100];
        buried[40..72].copy_from_slice(&shipped.expose_secret_bytes());
        knowledge.learn(MaterialKind::MemoryDump, "flash", buried);
        let evidence = check(&knowledge).unwrap();
        assert!(
            evidence.contains("MemoryDump material from flash"),
            "{evidence}"
        );
    }
}
