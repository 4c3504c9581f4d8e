//! `foreign-firmware-update`: run the attacker's own firmware through the update path.
//!
//! MCUboot's format and tools are public. The attacker signs an image with a key of
//! their own, gives it a security counter high enough for any anti-rollback check,
//! delivers it the way updates arrive (a serial loader, or a compromised update
//! server) and power-cycles the device. Whether the image runs is up to the boot ROM:
//! with secure boot on it checks the key hash and signature against the root of trust
//! in fuses and refuses; without it, the attacker's code owns the device, and reads
//! memory with the CPU's view, which readout protection does not restrict and only a
//! secure region does.

use crate::attack::{Attack, Phase, Surface, wrong_surface};
use crate::effort::{Access, Bench, Effort, Needs, Rung, Step};
use crate::gain::Gain;
use crate::knowledge::{Knowledge, MaterialKind};
use crate::outcome::Outcome;
use crate::readout::Readout;
use provsim_devices::TargetKind;
use provsim_devices::image::{self, ImageVersion, SignOptions};
use provsim_sim::{Ctx, Stream};

pub struct ForeignFirmwareUpdate;

/// The attacker's firmware: what it does is beside the point; that it runs is not.
const PAYLOAD: &[u8] = b"attacker firmware: reads the key store from inside and sends it out";

impl Attack for ForeignFirmwareUpdate {
    fn id(&self) -> &'static str {
        "foreign-firmware-update"
    }

    fn title(&self) -> &'static str {
        "Run firmware signed by the attacker's own key through the update path"
    }

    fn phase(&self) -> Phase {
        Phase::Field
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::ForeignCode]
    }

    /// The same on every kind: MCUboot's image format is public whatever the chip, and
    /// the ASIC's boot ROM takes the same images as the MCU's. An SE runs no firmware of
    /// the maker's, so there the path is refused, not rated differently.
    /// One rung: sign one image with one's own key and send it.
    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        vec![Rung {
            label: "one image signed with the attacker's key".to_owned(),
            plan: Effort::plain(
                Bench::SerialLoader,
                1,
                &[Step::SignOwnImage],
                Needs::Public,
                Access::FieldSamples(1),
            ),
            aim: None,
        }]
    }

    crate::attack::run_once_as_the_rung!();
}

impl ForeignFirmwareUpdate {
    fn run_once(
        &self,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Outcome {
        let Surface::Device(target) = surface else {
            return wrong_surface(self, &surface);
        };
        let key = ctx.crypto.generate_key(rng);
        let options = SignOptions {
            version: ImageVersion::new(99, 0, 0, 0),
            security_counter: Some(100),
            ..SignOptions::default()
        };
        let forged = match image::sign(ctx.crypto, &key, PAYLOAD, &options) {
            Ok(forged) => forged,
            Err(error) => {
                return Outcome::Failed {
                    reason: format!("could not build the image: {error}"),
                };
            }
        };
        knowledge.learn(
            MaterialKind::ForgedImage,
            "image signed with the attacker's key",
            forged.clone(),
        );
        if let Err(refused) = target.stage_update(ctx, &forged) {
            return Outcome::Blocked {
                reason: format!("the update path refused the image: {refused}"),
            };
        }
        match target.boot(ctx) {
            Ok(running) => match running.update_refused {
                Some(reason) => Outcome::Blocked {
                    reason: format!("the boot ROM refused the update: {reason}"),
                },
                None => {
                    // The attacker's code now runs with the CPU's view of memory.
                    let readout = Readout::run(
                        target,
                        ctx,
                        |t, c, addr, len| t.firmware_read(c, addr, len),
                        "attacker firmware",
                        knowledge,
                    );
                    Outcome::Obtained {
                        summary: format!(
                            "the device started version {} ({}); from inside it read {} bytes, {} private-key slot(s){}",
                            running.version,
                            if running.verified {
                                "verified"
                            } else {
                                "unverified: secure boot is off"
                            },
                            readout.bytes,
                            readout.private_slots,
                            if readout.private_slots == 0 {
                                format!(" ({})", readout.why_no_key())
                            } else {
                                String::new()
                            }
                        ),
                    }
                }
            },
            Err(error) => Outcome::Failed {
                reason: format!("the device no longer boots: {error}"),
            },
        }
    }
}
