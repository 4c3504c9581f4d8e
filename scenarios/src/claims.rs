//! Claims and their oracles. An oracle judges ground truth (what the line really put
//! into the devices it shipped) against what an attempt left in the attacker's
//! knowledge; it never trusts an attack's own account of itself.

use provsim_attacks::{Knowledge, MaterialKind};
use provsim_devices::{DeviceId, RunningImage};
use provsim_provisioner::ShippedDevice;
use provsim_sim::crypto::{Crypto, Fingerprint, PublicKey};
use provsim_sim::to_hex;

/// The claims provsim can check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClaimKind {
    /// No attacker's knowledge contains the private identity key of a shipped device.
    IdentityKeyConfidentiality,
    /// Every image a shipped device starts is the firmware the vault signed.
    FirmwareAuthenticity,
    /// No attacker holds a working identity the line did not ship.
    DeviceIdentityAuthenticity,
    /// No attacker's knowledge contains a symmetric key of a shipped device.
    DeviceSecretConfidentiality,
}

impl ClaimKind {
    pub const ALL: &'static [ClaimKind] = &[
        ClaimKind::IdentityKeyConfidentiality,
        ClaimKind::FirmwareAuthenticity,
        ClaimKind::DeviceIdentityAuthenticity,
        ClaimKind::DeviceSecretConfidentiality,
    ];

    pub fn parse(id: &str) -> Option<ClaimKind> {
        Self::ALL.iter().copied().find(|kind| kind.id() == id)
    }

    pub fn id(self) -> &'static str {
        match self {
            ClaimKind::IdentityKeyConfidentiality => "identity-key-confidentiality",
            ClaimKind::FirmwareAuthenticity => "firmware-authenticity",
            ClaimKind::DeviceIdentityAuthenticity => "device-identity-authenticity",
            ClaimKind::DeviceSecretConfidentiality => "device-secret-confidentiality",
        }
    }

    /// The security requirement the claim stands for.
    pub fn requirement(self) -> &'static str {
        match self {
            ClaimKind::IdentityKeyConfidentiality => {
                "FDP_SDC.1 stored data confidentiality (SESIP: secure storage) of device identity keys"
            }
            ClaimKind::FirmwareAuthenticity => {
                "SESIP secure initialization of platform (secure boot): only authorised firmware starts"
            }
            ClaimKind::DeviceIdentityAuthenticity => {
                "SESIP attestation of platform genuineness: only devices the line provisioned hold an identity the customer CA vouches for"
            }
            ClaimKind::DeviceSecretConfidentiality => {
                "FDP_SDC.1 stored data confidentiality (SESIP: secure storage) of per-device symmetric keys"
            }
        }
    }

    pub fn statement(self) -> &'static str {
        match self {
            ClaimKind::IdentityKeyConfidentiality => {
                "No attacker's knowledge contains the private identity key of a shipped device."
            }
            ClaimKind::FirmwareAuthenticity => {
                "Every image a shipped device starts is signed by the firmware key, with a security counter not below its anti-rollback fuses."
            }
            ClaimKind::DeviceIdentityAuthenticity => {
                "No attacker holds a certificate valid under the customer CA, with its private key, for a key the line never shipped."
            }
            ClaimKind::DeviceSecretConfidentiality => {
                "No attacker's knowledge contains a symmetric key the line put into a shipped device."
            }
        }
    }

    /// Whether the oracle needs the attacked device powered on after the attempt.
    pub fn needs_boot(self) -> bool {
        matches!(self, ClaimKind::FirmwareAuthenticity)
    }
}

/// What the line shipped: the ledger, searchable by identity fingerprint. It borrows
/// the ledger and adds a 4-byte index per device, so ground truth costs next to nothing
/// beyond the ledger itself at a million devices.
#[derive(Debug, Default)]
pub struct GroundTruth<'a> {
    shipped: &'a [ShippedDevice],
    /// Positions in `shipped`, ordered by identity.
    by_identity: Vec<u32>,
}

impl<'a> GroundTruth<'a> {
    pub fn new(shipped: &'a [ShippedDevice]) -> Self {
        let mut by_identity: Vec<u32> = (0..shipped.len())
            .filter_map(|i| u32::try_from(i).ok())
            .collect();
        by_identity.sort_unstable_by_key(|&i| shipped[i as usize].identity);
        GroundTruth {
            shipped,
            by_identity,
        }
    }

    /// The shipped device whose identity key has this fingerprint.
    pub fn device(&self, identity: &Fingerprint) -> Option<DeviceId> {
        let found = self
            .by_identity
            .binary_search_by(|&i| self.shipped[i as usize].identity.cmp(identity))
            .ok()?;
        Some(self.shipped[self.by_identity[found] as usize].device_id)
    }
}

/// The device an attempt targeted, with its ground-truth identity key re-derived from
/// the seed. Held only while the attempt is judged; never written anywhere.
pub struct Attacked {
    pub device: DeviceId,
    pub identity_secret: [u8; 32],
    /// What the device started when the oracle powered it on after the attempt (only
    /// when a claim needs it): the image's hash, or why it did not boot.
    pub booted: Option<Result<RunningImage, String>>,
    /// The hash of the only image the vault signed for this line.
    pub authorised_firmware: [u8; 32],
    /// The customer CA's public key: what a genuine device certificate verifies under.
    pub customer_ca: PublicKey,
    /// The device's symmetric keys by name, re-derived from the seed.
    pub symmetric_keys: Vec<(String, [u8; 32])>,
}

/// Evaluates `claim` over one attempt's knowledge. Returns the evidence of a violation,
/// or `None` if the claim survived the attempt. `crypto` is the oracle's own facade, so
/// checking is never charged to the line or the attacker.
///
/// The oracle does not trust how an attack filed what it got: key candidates are checked
/// against every shipped device, and every byte the attacker holds, however labelled,
/// is searched for the attacked device's real key.
pub fn violation(
    claim: ClaimKind,
    truth: &GroundTruth<'_>,
    attacked: &Attacked,
    knowledge: &Knowledge,
    crypto: &Crypto,
) -> Option<String> {
    match claim {
        ClaimKind::IdentityKeyConfidentiality => {
            let candidate = knowledge.of_kind(MaterialKind::KeyCandidate).find_map(|material| {
                let key = crypto.import_secret(material.bytes()).ok()?;
                let fingerprint = key.public_key().fingerprint();
                let device = truth.device(&fingerprint)?;
                Some(format!(
                    "private identity key of device {device} (public key {fingerprint}) recovered from {}",
                    material.source
                ))
            });
            candidate.or_else(|| {
                let secret = &attacked.identity_secret;
                knowledge
                    .materials()
                    .iter()
                    .find(|m| m.bytes().windows(secret.len()).any(|w| w == secret))
                    .map(|m| {
                        format!(
                            "private identity key of device {} found in {:?} material from {}",
                            attacked.device, m.kind, m.source
                        )
                    })
            })
        }
        ClaimKind::FirmwareAuthenticity => match &attacked.booted {
            // What the chip runs, observed on the chip; the attack's account of itself
            // plays no part. A device that no longer boots runs nothing unauthorised.
            Some(Ok(running)) if running.hash != attacked.authorised_firmware => Some(format!(
                "device {} started image {} (version {}, {}), not the firmware the vault signed",
                attacked.device,
                to_hex(&running.hash),
                running.version,
                if running.verified {
                    "verified"
                } else {
                    "unverified"
                }
            )),
            _ => None,
        },
        ClaimKind::DeviceSecretConfidentiality => {
            // Searched in every byte the attacker holds, however the attack filed it.
            attacked.symmetric_keys.iter().find_map(|(name, key)| {
                knowledge
                    .materials()
                    .iter()
                    .find(|m| m.bytes().windows(key.len()).any(|w| w == key))
                    .map(|m| {
                        format!(
                            "symmetric key `{name}` of device {} found in {:?} material from {}",
                            attacked.device, m.kind, m.source
                        )
                    })
            })
        }
        ClaimKind::DeviceIdentityAuthenticity => knowledge
            .of_kind(MaterialKind::Certificate)
            .find_map(|material| {
                counterfeit_identity(truth, attacked, knowledge, crypto, material)
            }),
    }
}

/// Evidence that `material` is a usable identity the line never shipped: a certificate
/// whose signature verifies under the customer CA, for a key that is not in the ledger,
/// whose private key the attacker holds.
fn counterfeit_identity(
    truth: &GroundTruth<'_>,
    attacked: &Attacked,
    knowledge: &Knowledge,
    crypto: &Crypto,
    material: &provsim_attacks::Material,
) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(material.bytes()).ok()?;
    if !provsim_provisioner::signed_by(crypto, &cert, &attacked.customer_ca) {
        return None;
    }
    let key = PublicKey::from_sec1(&cert.public_key().subject_public_key.data).ok()?;
    let fingerprint = key.fingerprint();
    if truth.device(&fingerprint).is_some() {
        // A shipped device's own identity: whether its key leaked is the
        // confidentiality claim's question.
        return None;
    }
    let held = knowledge
        .of_kind(MaterialKind::KeyCandidate)
        .any(|candidate| {
            crypto
                .import_secret(candidate.bytes())
                .is_ok_and(|secret| secret.public_key() == &key)
        });
    held.then(|| {
        format!(
            "a certificate for \"{}\" valid under the customer CA, for key {fingerprint} that the line never shipped, with its private key ({})",
            cert.subject(),
            material.source
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_sim::Seed;

    #[test]
    fn only_an_unsigned_running_image_violates_firmware_authenticity() {
        let running = |hash: [u8; 32], verified: bool| RunningImage {
            hash,
            version: "1.0.0".to_owned(),
            security_counter: Some(1),
            verified,
            update_refused: None,
        };
        let judge = |booted: Option<Result<RunningImage, String>>| {
            let attacked = Attacked {
                device: DeviceId(3),
                identity_secret: [9; 32],
                booted,
                authorised_firmware: [1; 32],
                customer_ca: Crypto::new()
                    .generate_key(&mut Seed::new(1).stream("test/ca"))
                    .public_key()
                    .clone(),
                symmetric_keys: Vec::new(),
            };
            violation(
                ClaimKind::FirmwareAuthenticity,
                &GroundTruth::default(),
                &attacked,
                // What the attacker says it did is not consulted.
                &Knowledge::new(),
                &Crypto::new(),
            )
        };
        assert_eq!(judge(None), None);
        assert_eq!(judge(Some(Err("bricked".to_owned()))), None);
        assert_eq!(judge(Some(Ok(running([1; 32], true)))), None);
        let evidence = judge(Some(Ok(running([2; 32], false)))).unwrap();
        assert!(evidence.contains("0000000000000003") && evidence.contains("unverified"));
    }

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
        let truth = GroundTruth::new(&ledger);
        assert_eq!(truth.device(&Fingerprint([0xee; 32])), Some(DeviceId(3)));
        assert_eq!(truth.device(&Fingerprint([0; 32])), None);
        let claim = ClaimKind::IdentityKeyConfidentiality;

        let attacked = Attacked {
            device: DeviceId(7),
            identity_secret: shipped.expose_secret_bytes(),
            booted: None,
            authorised_firmware: [0; 32],
            customer_ca: other.public_key().clone(),
            symmetric_keys: vec![("storage".to_owned(), [7; 32])],
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
        assert_eq!(
            violation(claim, &truth, &attacked, &knowledge, &crypto),
            None
        );

        // A real key filed as a candidate breaks the claim...
        let mut filed = knowledge.clone();
        filed.learn(
            MaterialKind::KeyCandidate,
            "slot 0",
            shipped.expose_secret_bytes().to_vec(),
        );
        let evidence = violation(claim, &truth, &attacked, &filed, &crypto).unwrap();
        assert!(
            evidence.contains("0000000000000007") && evidence.contains("slot 0"),
            "{evidence}"
        );
        assert!(!evidence.contains(&provsim_sim::to_hex(&shipped.expose_secret_bytes())));

        // ...and so does the same key buried in a raw dump, whatever the attack called it.
        let mut buried = vec![0xffu8; 100];
        buried[40..72].copy_from_slice(&shipped.expose_secret_bytes());
        knowledge.learn(MaterialKind::MemoryDump, "flash", buried);
        let evidence = violation(claim, &truth, &attacked, &knowledge, &crypto).unwrap();
        assert!(
            evidence.contains("MemoryDump material from flash"),
            "{evidence}"
        );

        // The device's symmetric key: only its exact bytes, anywhere, break that claim.
        let secret_claim = ClaimKind::DeviceSecretConfidentiality;
        assert_eq!(
            violation(secret_claim, &truth, &attacked, &knowledge, &crypto),
            None
        );
        let mut near = vec![0u8; 40];
        near[4..35].copy_from_slice(&[7; 31]);
        knowledge.learn(MaterialKind::SecretCandidate, "slot 1", near);
        assert_eq!(
            violation(secret_claim, &truth, &attacked, &knowledge, &crypto),
            None
        );
        let mut dump = vec![0u8; 64];
        dump[10..42].copy_from_slice(&[7; 32]);
        knowledge.learn(MaterialKind::MemoryDump, "vm", dump);
        let evidence = violation(secret_claim, &truth, &attacked, &knowledge, &crypto).unwrap();
        assert!(
            evidence.contains("`storage`") && evidence.contains("vm"),
            "{evidence}"
        );
    }

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
        let truth = GroundTruth::new(&ledger);
        let attacked = Attacked {
            device: DeviceId(1),
            identity_secret: shipped.expose_secret_bytes(),
            booted: None,
            authorised_firmware: [0; 32],
            customer_ca: pki.customer().public_key().clone(),
            symmetric_keys: Vec::new(),
        };
        let judge = |materials: &[(MaterialKind, Vec<u8>)]| {
            let mut knowledge = Knowledge::new();
            for (kind, bytes) in materials {
                knowledge.learn(*kind, "test", bytes.clone());
            }
            violation(
                ClaimKind::DeviceIdentityAuthenticity,
                &truth,
                &attacked,
                &knowledge,
                &crypto,
            )
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

    #[test]
    fn claim_ids_round_trip() {
        for kind in ClaimKind::ALL {
            assert_eq!(ClaimKind::parse(kind.id()), Some(*kind));
        }
        assert_eq!(ClaimKind::parse("nope"), None);
    }
}
