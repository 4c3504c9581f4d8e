//! `console-firmware-signing`: an operator has the vault sign an image of their own
//! with the line's firmware-signing key.
//!
//! The key that signs the line's releases sits in the same vault as the customer CA,
//! and every shipped device's boot ROM trusts its signature for good. An operator at
//! the line's console builds an image in MCUboot's published format, with a security
//! counter above any release's so no anti-rollback check stands in its way, and asks
//! the vault to sign its hash, as the line once asked it to sign the releases. A vault
//! that lets the key sign only in its key ceremony refuses; one that answers the
//! operator's credentials signs, and the image starts on every device that takes it
//! through its update path.

use crate::attack::{Attack, Phase, Position, Surface, not_started};
use crate::effort::{Access, Attempted, Bench, Effort, Needs, Rung, Step};
use crate::gain::Gain;
use crate::knowledge::{Knowledge, MaterialKind};
use crate::outcome::Outcome;
use provsim_devices::TargetKind;
use provsim_devices::image::{self, ImageVersion, SignOptions};
use provsim_sim::{Ctx, Stream};

pub struct ConsoleFirmwareSigning;

/// The operator's firmware: what it does is beside the point; that the vault signs it
/// is not.
const PAYLOAD: &[u8] = b"operator's firmware: reads the key store from inside and sends it out";

impl Attack for ConsoleFirmwareSigning {
    fn id(&self) -> &'static str {
        "console-firmware-signing"
    }

    fn title(&self) -> &'static str {
        "An operator has the vault sign an image of their own with the firmware-signing key"
    }

    fn phase(&self) -> Phase {
        Phase::TestHouse
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::SignedImage]
    }

    fn position(&self) -> Position {
        Position::Site
    }

    /// One rung: one image, built in the published format, and one request at the
    /// console on a shift nobody else watches.
    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        vec![Rung {
            label: "one image of the operator's, signed at the console".to_owned(),
            plan: Effort::plain(
                Bench::OperatorConsole,
                1,
                &[Step::SignOwnImage, Step::WaitForUnwatchedShift],
                Needs::SiteRestricted,
                Access::Site,
            ),
            aim: None,
        }]
    }

    fn run(
        &self,
        rung: &Rung,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        _rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Attempted {
        let Surface::Site(site) = surface else {
            return not_started(rung, format!("{} acts at the site", self.id()));
        };
        let options = SignOptions {
            version: ImageVersion {
                major: 9,
                minor: 0,
                revision: 0,
                build: 0,
            },
            // Well above any release's, and within what the anti-rollback fuses can
            // record (the data sheet gives 128).
            security_counter: Some(100),
            ..SignOptions::default()
        };
        let unsigned = match image::prepare(ctx.crypto, site.firmware_key(), PAYLOAD, &options) {
            Ok(unsigned) => unsigned,
            Err(why) => {
                return Attempted::all_of(
                    rung,
                    Outcome::Failed {
                        reason: format!("the image could not be laid out: {why}"),
                    },
                );
            }
        };
        let digest = *unsigned.digest();
        let outcome = match site.console_sign_firmware(ctx, &digest) {
            Ok(signature) => match unsigned.finish(&signature) {
                Ok(image) => {
                    knowledge.learn(
                        MaterialKind::ForgedImage,
                        "an operator's image signed at the console with the firmware-signing key",
                        image,
                    );
                    Outcome::Obtained {
                        summary: "the vault signed the operator's image with the line's firmware-signing key".to_owned(),
                    }
                }
                Err(why) => Outcome::Failed {
                    reason: format!("the signed image could not be finished: {why}"),
                },
            },
            Err(refused) => Outcome::Blocked {
                reason: format!("the console got no signature: {refused}"),
            },
        };
        Attempted::all_of(rung, outcome)
    }
}
