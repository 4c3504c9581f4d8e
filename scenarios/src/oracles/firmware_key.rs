//! No image outside the line's releases carries the firmware-signing key's signature.

use super::oracle::{Observation, Oracle};
use provsim_attacks::Gain;
use provsim_attacks::{MaterialKind, Position};
use provsim_devices::fault::NoFaults;
use provsim_devices::image;
use provsim_sim::to_hex;

/// What the attacker holds, checked against the world: the firmware-signing key's
/// private half among its key candidates, or an image it made whose hash, key hash and
/// signature verify under the line's firmware-verification key (checked as a boot ROM
/// checks them) and that is none of the releases the line signed. Either starts on
/// every shipped device that takes it through its update path; the attack's account
/// of it plays no part.
#[derive(Debug, Clone, Copy)]
pub struct NoForeignSignedImage;

impl Oracle for NoForeignSignedImage {
    fn id(&self) -> &'static str {
        "no-foreign-signed-image"
    }

    fn statement(&self) -> &'static str {
        "No attacker holds an image signed with the line's firmware-signing key that is not one of its releases."
    }

    fn falsified_by(&self) -> &'static [Gain] {
        &[Gain::SignedImage]
    }

    /// Only a path with the site's vault in reach can have its key sign.
    fn tried_by(&self, position: Position) -> bool {
        matches!(position, Position::Site | Position::Line)
    }

    fn check(&self, seen: &Observation<'_>) -> Option<String> {
        let key = &seen.attacked.firmware_key;
        // The key itself, out of the vault: it signs any image the attacker likes.
        let holds_key = seen
            .knowledge
            .of_kind(MaterialKind::KeyCandidate)
            .find(|candidate| {
                seen.crypto
                    .import_secret(candidate.bytes())
                    .is_ok_and(|secret| secret.public_key() == key)
            });
        if let Some(candidate) = holds_key {
            return Some(format!(
                "the attacker holds the firmware-signing key itself ({}): any image it signs starts on every shipped device",
                candidate.source
            ));
        }
        seen.knowledge
            .of_kind(MaterialKind::ForgedImage)
            .find_map(|material| {
                let verified = image::verify(seen.crypto, material.bytes(), key, &mut NoFaults).ok()?;
                let hash = verified.hash;
                if seen.attacked.authorised_firmware.contains(&hash) {
                    return None;
                }
                Some(format!(
                    "{} (image {}, version {}) verifies under the line's firmware-signing key and is none of its releases: every shipped device's boot ROM would start it",
                    material.source,
                    to_hex(&hash),
                    verified.version
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracles::oracle::Attacked;
    use crate::oracles::oracle::tests::attacked;
    use crate::oracles::truth::GroundTruth;
    use provsim_attacks::Knowledge;
    use provsim_devices::image::SignOptions;
    use provsim_sim::Seed;
    use provsim_sim::crypto::Crypto;

    fn signed_by(crypto: &Crypto, seed: u64) -> (Vec<u8>, provsim_sim::crypto::PublicKey) {
        let key = crypto.generate_key(&mut Seed::new(seed).stream("test/firmware"));
        let options = SignOptions::default();
        let unsigned = image::prepare(crypto, key.public_key(), b"body", &options).unwrap();
        let signature = crypto.sign_digest(&key, unsigned.digest());
        (
            unsigned.finish(&signature).unwrap(),
            key.public_key().clone(),
        )
    }

    #[test]
    fn an_image_signed_by_the_line_key_outside_the_releases_breaks_it() {
        let crypto = Crypto::new();
        let (image, line_key) = signed_by(&crypto, 2);
        let (own, _) = signed_by(&crypto, 3);
        let mut attacked = attacked();
        attacked.firmware_key = line_key;
        let truth = GroundTruth::default();
        let judge = |knowledge: &Knowledge, attacked: &Attacked| {
            NoForeignSignedImage.check(&Observation {
                scope: &crate::oracles::scope::Scope::ALL,
                truth: &truth,
                attacked,
                knowledge,
                crypto: &crypto,
            })
        };
        let mut knowledge = Knowledge::default();
        knowledge.learn(MaterialKind::ForgedImage, "own key", own);
        assert_eq!(judge(&knowledge, &attacked), None);
        knowledge.learn(MaterialKind::ForgedImage, "line key", image.clone());
        let evidence = judge(&knowledge, &attacked).unwrap();
        assert!(evidence.starts_with("line key"), "{evidence}");
        // The same image, were it a release, breaks nothing.
        let verified =
            image::verify(&crypto, &image, &attacked.firmware_key, &mut NoFaults).unwrap();
        attacked.authorised_firmware.push(verified.hash);
        assert_eq!(judge(&knowledge, &attacked), None);
        // The key itself, among the attacker's key candidates, breaks it too.
        let key = crypto.generate_key(&mut Seed::new(2).stream("test/firmware"));
        knowledge.learn(
            MaterialKind::KeyCandidate,
            "restored",
            key.expose_secret_bytes().to_vec(),
        );
        let evidence = judge(&knowledge, &attacked).unwrap();
        assert!(
            evidence.contains("the firmware-signing key itself (restored)"),
            "{evidence}"
        );
    }
}
