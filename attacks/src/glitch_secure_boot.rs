//! `glitch-secure-boot`: glitch the boot ROM's signature check so that an image the
//! attacker built runs.
//!
//! MCUboot's format is public, and so is every image the maker publishes: its key-hash
//! record names the root of trust, its signature record holds a genuine signature (over
//! another image). The attacker builds an image of their own with a hash record that
//! matches it, copies the genuine key hash and signature into it, and so leaves the boot
//! ROM one check to fail: the signature. They deliver it through the update path and
//! power-cycle the device with a glitch aimed at that check, try after try. The ROM
//! checks the staged image, then the installed one at every boot: a part that took the
//! image and then refused to start it stays dark, and the attacker's next tries only
//! glitch its boot. Every method, one fault per try then two. Once it runs, the attacker's code reads memory with the CPU's view. A rung
//! is rated by its tries.

use crate::attack::{Attack, Phase, Surface, device_of, not_started};
use crate::effort::{Attempted, Rung};
use crate::gain::Gain;
use crate::glitching::{self, Shots};
use crate::knowledge::{Knowledge, MaterialKind};
use crate::outcome::Outcome;
use crate::published::releases;
use crate::readout::Readout;
use provsim_devices::TargetKind;
use provsim_devices::fault::{FaultPoint, GlitchMethod, NoFaults};
use provsim_devices::image::{self, ImageVersion, SignOptions, tlv::kind};
use provsim_sim::crypto::{Crypto, Signature};
use provsim_sim::{Ctx, Stream};

pub struct GlitchSecureBoot;

/// The attacker's firmware: what it does is beside the point; that it runs is not.
const PAYLOAD: &[u8] = b"attacker firmware: reads the key store from inside and sends it out";

/// The attacker's image, naming the root of trust and carrying a genuine signature
/// copied from the newest published image (which does not sign it).
fn forge(crypto: &Crypto, knowledge: &Knowledge) -> Result<Vec<u8>, String> {
    let newest = releases(knowledge)
        .pop()
        .ok_or("no published image to copy a key hash and a signature from")?;
    let published = image::parse(&newest.bytes, &mut NoFaults).map_err(|e| e.to_string())?;
    let record = |wanted: u16| {
        published
            .unprotected
            .iter()
            .find(|t| t.kind == wanted)
            .map(|t| t.value.to_vec())
    };
    let key_hash: [u8; 32] = record(kind::KEYHASH)
        .and_then(|v| v.try_into().ok())
        .ok_or("the published image names no key")?;
    let signature = record(kind::ECDSA_SIG).ok_or("the published image carries no signature")?;
    let options = SignOptions {
        version: ImageVersion::new(99, 0, 0, 0),
        security_counter: Some(100),
        ..SignOptions::default()
    };
    let unsigned =
        image::prepare_naming(crypto, key_hash, PAYLOAD, &options).map_err(|e| e.to_string())?;
    unsigned
        .finish(&Signature::from_der_bytes(signature))
        .map_err(|e| e.to_string())
}

impl Attack for GlitchSecureBoot {
    fn id(&self) -> &'static str {
        "glitch-secure-boot"
    }

    fn title(&self) -> &'static str {
        "Glitch the boot ROM's signature check to run the attacker's image"
    }

    fn phase(&self) -> Phase {
        Phase::Field
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::ForeignCode]
    }

    /// The same on every kind: a secure element boots no image of the maker's and
    /// refuses the update path.
    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        glitching::rungs(&[FaultPoint::ImageSignature], &GlitchMethod::ALL)
    }

    fn run(
        &self,
        rung: &Rung,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Attempted {
        let spent = |tries: u64| rung.plan.with_count(tries);
        let failed = |reason: String| not_started(rung, reason);
        let target = match device_of(self, surface, rung) {
            Ok(target) => target,
            Err(wrong) => return wrong,
        };
        let Some(glitch) = glitching::aimed(rung) else {
            return failed(format!("rung {:?} aims no glitch", rung.label));
        };
        let forged = match forge(ctx.crypto, knowledge) {
            Ok(forged) => forged,
            Err(reason) => return failed(reason),
        };
        let forged_hash = match image::parse(&forged, &mut NoFaults) {
            Ok(parsed) => ctx.crypto.sha256(parsed.signed_region),
            Err(error) => return failed(format!("could not read back the forged image: {error}")),
        };
        knowledge.learn(
            MaterialKind::ForgedImage,
            "image naming the root of trust with a copied signature",
            forged.clone(),
        );
        let mut shots = Shots::default();
        let mut refusals = std::collections::BTreeMap::<String, u64>::new();
        let tries = rung.plan.count;
        // Whether the last boot started nothing: then the part has probably taken the
        // image and refuses to start it, and the next try only glitches the boot.
        let mut dark = false;
        for attempt in 1..=tries {
            // Staged again until the part has taken it: the ROM erases a refused update.
            if !dark && let Err(refused) = target.stage_update(ctx, &forged) {
                return Attempted {
                    outcome: Outcome::Failed {
                        reason: format!("the update path refused the image: {refused}"),
                    },
                    spent: spent(attempt - 1),
                };
            }
            shots.fire(target, glitch, rung.plan.faults, rng);
            let booted = target.boot(ctx);
            dark = booted.is_err();
            match booted {
                Ok(running) if running.hash == forged_hash => {
                    let readout = Readout::run(
                        target,
                        ctx,
                        |t, c, addr, len| t.firmware_read(c, addr, len),
                        "the attacker's image",
                        knowledge,
                    );
                    return Attempted {
                        outcome: Outcome::Obtained {
                            summary: format!(
                                "on try {attempt} the device started the attacker's image; from inside it read {} bytes, {} private-key slot(s){}",
                                readout.bytes,
                                readout.private_slots,
                                if readout.private_slots == 0 {
                                    format!(" ({})", readout.why_no_key())
                                } else {
                                    String::new()
                                }
                            ),
                        },
                        spent: spent(attempt),
                    };
                }
                Ok(running) => {
                    let why = running
                        .update_refused
                        .unwrap_or_else(|| format!("started {} instead", running.version));
                    *refusals.entry(why).or_default() += 1;
                }
                Err(error) => *refusals.entry(error.to_string()).or_default() += 1,
            }
        }
        let seen: Vec<String> = refusals
            .iter()
            .map(|(why, n)| format!("{n}x {why}"))
            .collect();
        Attempted {
            outcome: Outcome::Blocked {
                reason: format!(
                    "{} (the boot ROM said: {})",
                    shots.held(
                        tries,
                        target.fault_alarms(),
                        "the attacker's image never started"
                    ),
                    seen.join("; ")
                ),
            },
            spent: spent(tries),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_devices::fault::FaultGate;
    use provsim_sim::Seed;

    /// A gate that skips one refusal at one point, as a landed glitch does.
    struct Skip(FaultPoint, bool);

    impl FaultGate for Skip {
        fn check(&mut self, at: FaultPoint, holds: bool) -> bool {
            if !holds && at == self.0 && !self.1 {
                self.1 = true;
                return true;
            }
            holds
        }
    }

    /// The forged image fails the signature check and nothing else: it verifies once
    /// that one check is skipped.
    #[test]
    fn the_forged_image_fails_only_its_signature() {
        let crypto = Crypto::new();
        let key = crypto.generate_key(&mut Seed::new(4).stream("test/firmware key"));
        let genuine = image::sign(
            &crypto,
            &key,
            b"genuine firmware",
            &SignOptions {
                security_counter: Some(1),
                ..SignOptions::default()
            },
        )
        .unwrap();
        let mut knowledge = Knowledge::new();
        knowledge.learn(MaterialKind::PublishedImage, "update server", genuine);
        let forged = forge(&crypto, &knowledge).unwrap();
        let refused = image::verify(&crypto, &forged, key.public_key(), &mut NoFaults);
        assert!(
            matches!(refused, Err(image::ImageError::BadSignature)),
            "{refused:?}"
        );
        let mut skip = Skip(FaultPoint::ImageSignature, false);
        let verified = image::verify(&crypto, &forged, key.public_key(), &mut skip).unwrap();
        assert_eq!(verified.security_counter, Some(100));
    }
}
