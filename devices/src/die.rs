//! Die attestation: a key the chip maker puts into every die at wafer test, with the
//! chip maker's certificate for it, so a station that receives parts through someone
//! else's hands (a board assembler's reels) can tell a genuine part from a counterfeit
//! before it hands the part any secret.
//!
//! The station sends a fresh challenge; the die answers with its certificate and a
//! signature, by its die key, over the challenge, the transport key it just reported
//! and the identity key it made itself (if it made one). The statement binds what the
//! station is about to trust to the die that holds it: a counterfeit that shows a
//! genuine part's certificate cannot sign with that part's key, and a genuine part
//! relayed by a counterfeit signs its own transport and identity keys, never the
//! counterfeit's. The die key only ever signs these statements.

use crate::device_id::DeviceId;
use provsim_sim::Seed;
use provsim_sim::crypto::{Crypto, PublicKey, SecretKey, Signature};

/// What the chip maker's die CA signs for each die: its id and its attestation key.
pub fn die_certificate_bytes(device: DeviceId, key: &PublicKey) -> Vec<u8> {
    let mut bytes = b"provsim die certificate v1".to_vec();
    bytes.extend_from_slice(&device.0.to_be_bytes());
    bytes.extend_from_slice(key.sec1());
    bytes
}

/// What a die signs when a station asks it to attest.
pub fn attestation_statement(
    challenge: &[u8; 32],
    transport: &PublicKey,
    identity: Option<&PublicKey>,
) -> Vec<u8> {
    let mut bytes = b"provsim die attestation v1".to_vec();
    bytes.extend_from_slice(challenge);
    bytes.extend_from_slice(transport.sec1());
    match identity {
        Some(key) => bytes.extend_from_slice(key.sec1()),
        None => bytes.push(0),
    }
    bytes
}

/// The chip maker's die CA: the trust anchor a station authenticates parts against.
pub struct ChipMaker;

impl ChipMaker {
    fn key(crypto: &Crypto, seed: Seed) -> SecretKey {
        crypto.generate_key(&mut crate::labels::chip_maker_die_ca(seed))
    }

    /// Signs die `device`'s certificate for `key`, as wafer test did, on the chip
    /// maker's own facade (`fab`). The die CA key is worked out once per seed and kept
    /// in a thread-local slot: it is the same key for every die, and the chip maker's
    /// facade is never reported, so keeping it changes no output.
    fn certify(fab: &Crypto, seed: Seed, device: DeviceId, key: &PublicKey) -> Signature {
        thread_local! {
            static DIE_CA: std::cell::RefCell<Option<(Seed, SecretKey)>> =
                const { std::cell::RefCell::new(None) };
        }
        DIE_CA.with_borrow_mut(|held| {
            let maker = match held {
                Some((held_for, maker)) if *held_for == seed => maker,
                _ => &mut held.insert((seed, Self::key(fab, seed))).1,
            };
            fab.sign(maker, &die_certificate_bytes(device, key))
        })
    }

    /// The die CA's public key, as the chip maker publishes it to its customers. Worked
    /// out on a facade of the chip maker's (`crypto`'s backend): its key is not the
    /// customer's work.
    pub fn public_key(crypto: &Crypto, seed: Seed) -> PublicKey {
        let fab = Crypto::with_backend(crypto.backend());
        Self::key(&fab, seed).public_key().clone()
    }
}

/// A die's attestation key, certified by the chip maker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DieCertificate {
    pub device: DeviceId,
    pub key: PublicKey,
    /// By the chip maker's die CA, over [`die_certificate_bytes`].
    pub signature: Signature,
}

/// A die's answer to a station's challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DieAttestation {
    pub certificate: DieCertificate,
    /// By the die key, over [`attestation_statement`].
    pub signature: Signature,
}

impl DieAttestation {
    /// Checks the answer as a station does: the certificate is the chip maker's for
    /// `device`, and its key signed this challenge over these keys. The reason on a
    /// refusal names the first check that failed.
    pub fn check(
        &self,
        crypto: &Crypto,
        maker: &PublicKey,
        device: DeviceId,
        challenge: &[u8; 32],
        transport: &PublicKey,
        identity: Option<&PublicKey>,
    ) -> Result<(), String> {
        let certificate = &self.certificate;
        if certificate.device != device {
            return Err(format!(
                "its die certificate names device {}, not {device}",
                certificate.device
            ));
        }
        let certified = die_certificate_bytes(certificate.device, &certificate.key);
        if crypto
            .verify(maker, &certified, &certificate.signature)
            .is_err()
        {
            return Err("its die certificate is not signed by the chip maker's die CA".to_owned());
        }
        let statement = attestation_statement(challenge, transport, identity);
        if crypto
            .verify(&certificate.key, &statement, &self.signature)
            .is_err()
        {
            return Err(format!(
                "its answer to the challenge does not verify under the certified die key {}",
                certificate.key.fingerprint()
            ));
        }
        Ok(())
    }
}

/// The die key and its certificate, as wafer test left them in a genuine die. Worked
/// out when first asked for: the same bytes the chip maker wrote, at no cost to a part
/// nobody asks to attest. That work (the die key, the die CA key, the certificate's
/// signature) is wafer test's, so it is charged to a facade of the chip maker's, not
/// to whoever asked; only the attestation's own signature is the die's work then.
#[derive(Clone)]
pub(crate) struct Die {
    seed: Seed,
    index: u64,
    device: DeviceId,
    made: Option<(SecretKey, DieCertificate)>,
}

impl Die {
    pub(crate) fn new(seed: Seed, index: u64, device: DeviceId) -> Die {
        Die {
            seed,
            index,
            device,
            made: None,
        }
    }

    /// Answers `challenge` for the transport key `transport` and the identity key the
    /// chip made, if any.
    pub(crate) fn attest(
        &mut self,
        crypto: &Crypto,
        challenge: &[u8; 32],
        transport: &PublicKey,
        identity: Option<&PublicKey>,
    ) -> DieAttestation {
        let (seed, index, device) = (self.seed, self.index, self.device);
        let (key, certificate) = self.made.get_or_insert_with(|| {
            let fab = Crypto::with_backend(crypto.backend());
            let key = fab.generate_key(&mut crate::labels::die_key(seed, index));
            let signature = ChipMaker::certify(&fab, seed, device, key.public_key());
            let certificate = DieCertificate {
                device,
                key: key.public_key().clone(),
                signature,
            };
            (key, certificate)
        });
        let statement = attestation_statement(challenge, transport, identity);
        DieAttestation {
            certificate: certificate.clone(),
            signature: crypto.sign(key, &statement),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attested(seed: u64) -> (Crypto, PublicKey, PublicKey, DieAttestation) {
        let crypto = Crypto::new();
        let seed = Seed::new(seed);
        let transport = crypto
            .generate_key(&mut seed.stream("test/transport"))
            .public_key()
            .clone();
        let mut die = Die::new(seed, 3, DeviceId(7));
        let answer = die.attest(&crypto, &[1; 32], &transport, None);
        let maker = ChipMaker::public_key(&crypto, Seed::new(1));
        (crypto, maker, transport, answer)
    }

    #[test]
    fn a_genuine_die_answers_for_what_it_holds_only() {
        let (crypto, maker, transport, answer) = attested(1);
        assert_eq!(
            answer.check(&crypto, &maker, DeviceId(7), &[1; 32], &transport, None),
            Ok(())
        );
        let other = crypto
            .generate_key(&mut Seed::new(9).stream("test/other"))
            .public_key()
            .clone();
        // Another challenge, another transport key, an identity it did not sign, another id.
        assert!(
            answer
                .check(&crypto, &maker, DeviceId(7), &[2; 32], &transport, None)
                .is_err()
        );
        assert!(
            answer
                .check(&crypto, &maker, DeviceId(7), &[1; 32], &other, None)
                .is_err()
        );
        let with_identity = answer.check(
            &crypto,
            &maker,
            DeviceId(7),
            &[1; 32],
            &transport,
            Some(&other),
        );
        assert!(with_identity.is_err());
        let wrong_id = answer.check(&crypto, &maker, DeviceId(8), &[1; 32], &transport, None);
        assert!(wrong_id.is_err_and(|why| why.contains("names device")));
    }

    /// The die CA key kept per thread follows the seed: dies of seed 1, then 2, then 1
    /// again on one thread each get their own maker's certificate.
    #[test]
    fn the_kept_die_ca_follows_the_seed() {
        let crypto = Crypto::new();
        let transport = crypto
            .generate_key(&mut Seed::new(3).stream("test/transport"))
            .public_key()
            .clone();
        for seed in [1, 2, 1] {
            let mut die = Die::new(Seed::new(seed), 0, DeviceId(7));
            let answer = die.attest(&crypto, &[1; 32], &transport, None);
            let maker = ChipMaker::public_key(&crypto, Seed::new(seed));
            let checked = answer.check(&crypto, &maker, DeviceId(7), &[1; 32], &transport, None);
            assert_eq!(checked, Ok(()), "seed {seed}");
        }
    }

    #[test]
    fn a_die_from_another_maker_is_refused() {
        let (crypto, maker, transport, answer) = attested(2);
        let why = answer.check(&crypto, &maker, DeviceId(7), &[1; 32], &transport, None);
        assert!(why.is_err_and(|why| why.contains("chip maker's die CA")));
    }

    #[test]
    fn a_borrowed_certificate_does_not_sign_for_another_key() {
        let (crypto, maker, transport, mut answer) = attested(1);
        let forger = crypto.generate_key(&mut Seed::new(4).stream("test/forger"));
        answer.signature = crypto.sign(&forger, &attestation_statement(&[1; 32], &transport, None));
        let why = answer.check(&crypto, &maker, DeviceId(7), &[1; 32], &transport, None);
        assert!(why.is_err_and(|why| why.contains("does not verify under the certified die key")));
    }
}
