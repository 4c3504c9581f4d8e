//! No attacker holds a working identity the line did not ship.

use super::oracle::{Observation, Oracle, certificates_held};
use provsim_attacks::Gain;
use provsim_attacks::MaterialKind;
use provsim_sim::crypto::PublicKey;

/// A counterfeit identity is a certificate whose signature verifies under the customer
/// CA, for a key that is not in the ledger, whose private key the attacker holds (as
/// bytes, or inside a die in their hands that answers a challenge under it).
#[derive(Debug, Clone, Copy)]
pub struct NoCounterfeitIdentity;

impl Oracle for NoCounterfeitIdentity {
    fn id(&self) -> &'static str {
        "no-counterfeit-identity"
    }

    fn statement(&self) -> &'static str {
        "No attacker holds a certificate valid under the customer CA, with its private key (or a part that holds it), for a key the line never shipped."
    }

    fn falsified_by(&self) -> &'static [Gain] {
        &[Gain::Identity]
    }

    fn check(&self, seen: &Observation<'_>) -> Option<String> {
        certificates_held(seen).find_map(|(der, source)| counterfeit(seen, der, source))
    }
}

/// Evidence that `der` (from `source`) is a usable identity the line never shipped.
fn counterfeit(seen: &Observation<'_>, der: &[u8], source: &str) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    if !provsim_provisioner::signed_by(seen.crypto, &cert, &seen.attacked.customer_ca) {
        return None;
    }
    let key = PublicKey::from_sec1(&cert.public_key().subject_public_key.data).ok()?;
    let fingerprint = key.fingerprint();
    if seen.truth.device(&fingerprint).is_some() {
        // A shipped device's own identity: whether its key leaked is the
        // confidentiality claim's question.
        return None;
    }
    let as_bytes = seen
        .knowledge
        .of_kind(MaterialKind::KeyCandidate)
        .any(|candidate| {
            seen.crypto
                .import_secret(candidate.bytes())
                .is_ok_and(|secret| secret.public_key() == &key)
        });
    let in_a_part = || {
        seen.attacked
            .parts
            .iter()
            .any(|part| part.proves(seen.crypto, &key))
    };
    let held = if as_bytes {
        "with its private key"
    } else if in_a_part() {
        "in a part that answers for it"
    } else {
        return None;
    };
    Some(format!(
        "a certificate for \"{}\" valid under the customer CA, for key {fingerprint} that the line never shipped, {held} ({})",
        cert.subject(),
        source
    ))
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
    use provsim_sim::crypto::Crypto;

    /// Only a certificate that verifies under the customer CA, for a key the line never
    /// shipped, with the private key in hand, is a counterfeit identity.
    #[test]
    fn only_a_held_unshipped_key_certified_by_the_customer_ca_is_a_counterfeit() {
        use provsim_provisioner::Custody;
        use provsim_provisioner::testing::{TestPki, establish};
        let crypto = Crypto::new();
        let seed = Seed::new(5);
        let TestPki {
            pki,
            customer_ca_key: ca_key,
            ..
        } = establish(&crypto, seed, Custody::SharedVm).unwrap();
        let mut rng = seed.stream("test/attacker");
        let own = crypto.generate_key(&mut rng);
        let shipped = crypto.generate_key(&mut rng);
        let rogue_ca = crypto.generate_key(&mut rng);
        let mint = |signer: &provsim_sim::crypto::SecretKey, subject: &PublicKey| {
            pki.customer()
                .certify_with_key(
                    signer,
                    &crypto,
                    "Customer",
                    DeviceId(9),
                    subject,
                    &mut seed.stream("test/serial"),
                )
                .expect("mint")
                .der
        };
        let ledger = [ShippedDevice {
            index: 0,
            device_id: DeviceId(1),
            identity: shipped.public_key().fingerprint(),
        }];
        let truth = GroundTruth::new(ledger);
        let attacked = Attacked {
            device: DeviceId(1),
            identity_secret: shipped.expose_secret_bytes(),
            booted: None,
            started: Vec::new(),
            fuses_at_boot: None,
            installed_counter: 0,
            authorised_firmware: vec![[0; 32]],
            customer_ca: pki.customer().public_key().clone(),
            firmware_key: provsim_sim::crypto::Crypto::new()
                .generate_key(&mut provsim_sim::Seed::new(2).stream("test/firmware"))
                .public_key()
                .clone(),
            symmetric_keys: Vec::new(),
            channel: provsim_devices::ChannelBreaches::default(),
            life_cycle: None,
            books: None,
            parts: Vec::new(),
            shared_identities: Vec::new(),
            admitted_barred: Vec::new(),
        };
        let judge = |materials: &[(MaterialKind, Vec<u8>)]| {
            let mut knowledge = Knowledge::new();
            for (kind, bytes) in materials {
                knowledge.learn(*kind, "test", bytes.clone());
            }
            NoCounterfeitIdentity.check(&Observation {
                scope: &crate::oracles::scope::Scope::ALL,
                truth: &truth,
                attacked: &attacked,
                knowledge: &knowledge,
                crypto: &crypto,
            })
        };
        let own_secret = (
            MaterialKind::KeyCandidate,
            own.expose_secret_bytes().to_vec(),
        );
        let genuine = (MaterialKind::Certificate, mint(&ca_key, own.public_key()));
        let evidence = judge(&[own_secret.clone(), genuine.clone()]).expect("counterfeit");
        assert!(evidence.contains("never shipped"), "{evidence}");
        // Without the private key it is a certificate, not an identity.
        assert_eq!(judge(std::slice::from_ref(&genuine)), None);
        // Signed by another key with the same names: not valid under the customer CA.
        let forged = (MaterialKind::Certificate, mint(&rogue_ca, own.public_key()));
        assert_eq!(judge(&[own_secret.clone(), forged]), None);
        // A shipped device's own key: the confidentiality claim's business.
        let shipped_cert = (
            MaterialKind::Certificate,
            mint(&ca_key, shipped.public_key()),
        );
        let shipped_secret = (
            MaterialKind::KeyCandidate,
            shipped.expose_secret_bytes().to_vec(),
        );
        assert_eq!(judge(&[shipped_secret, shipped_cert]), None);
        // Garbage and truncated DER never panic.
        let mut cut = genuine.1.clone();
        cut.truncate(cut.len() / 2);
        assert_eq!(
            judge(&[
                own_secret,
                (MaterialKind::Certificate, cut),
                (MaterialKind::Certificate, vec![0x30; 7])
            ]),
            None
        );
    }
}
