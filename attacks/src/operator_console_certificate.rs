//! `operator-console-certificate`: an operator at the line certifies a key of their own.
//!
//! The operator is on shift at the line's console with the credentials the job needs.
//! They generate a key pair on their laptop and ask the vault, through the console, to
//! certify its public half as the device that is on the station: with the resulting
//! certificate a chip of theirs passes as a genuine device (a clone, or an over-produced
//! part). If the vault will not take a bare key, the operator hands it a PKCS#10
//! request signed with their key and naming that device, as a chip's would be. Whether
//! the vault signs is its policy's decision: the provisioner's own VM or HSM signs for
//! whoever holds the partition credential; the customer's HSM certifies only keys it
//! generated for the order, or, for an order whose keys are made on chip, any request
//! that proves possession (it cannot tell a chip's from an operator's).

use crate::attack::{Attack, Phase, Position, Surface, wrong_surface};
use crate::effort::{Access, Bench, Effort, Needs, Rung, Step};
use crate::gain::Gain;
use crate::knowledge::{Knowledge, MaterialKind};
use crate::outcome::Outcome;
use provsim_devices::TargetKind;
use provsim_sim::{Ctx, Field, Stream};

pub struct OperatorConsoleCertificate;

impl Attack for OperatorConsoleCertificate {
    fn id(&self) -> &'static str {
        "operator-console-certificate"
    }

    fn title(&self) -> &'static str {
        "An operator has the vault certify a key of their own through the line console"
    }

    fn phase(&self) -> Phase {
        Phase::TestHouse
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::Identity]
    }

    fn position(&self) -> Position {
        Position::Site
    }

    /// One rung: one certificate request in one unwatched shift.
    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        vec![Rung {
            label: "one request in an unwatched shift".to_owned(),
            plan: Effort::plain(
                Bench::OperatorConsole,
                1,
                &[Step::WaitForUnwatchedShift],
                Needs::SiteRestricted,
                Access::Site,
            ),
            aim: None,
        }]
    }

    crate::attack::run_once_as_the_rung!();
}

impl OperatorConsoleCertificate {
    fn run_once(
        &self,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Outcome {
        let Surface::Site(site) = surface else {
            return wrong_surface(self, &surface);
        };
        let own = ctx.crypto.generate_key(rng);
        let device = site.device_on_station();
        ctx.record(
            "attack-console",
            &[
                ("request", Field::Str("certify-presented-key")),
                ("key", Field::Bytes(&own.public_key().fingerprint().0)),
            ],
        );
        // A bare key first; if the vault wants a chip's request, one signed with the
        // operator's key and naming the device on the station, as a chip's would.
        let mut certified = site.console_certify(ctx.crypto, device, own.public_key(), rng);
        let mut how = "the key";
        if certified.is_err()
            && let Ok(request) = ctx.crypto.certificate_request(&own, &device.to_string())
            && let Ok(certificate) = site.console_certify_request(ctx.crypto, device, &request, rng)
        {
            certified = Ok(certificate);
            how = "a request for the key";
        }
        match certified {
            Ok(certificate) => {
                knowledge.learn(
                    MaterialKind::KeyCandidate,
                    "the operator's own key",
                    own.expose_secret_bytes().to_vec(),
                );
                knowledge.learn(
                    MaterialKind::Certificate,
                    "device certificate issued at the operator console",
                    certificate.der,
                );
                Outcome::Obtained {
                    summary: format!(
                        "the vault ({}) certified the operator's key as device {device}, given {how}",
                        site.custody()
                    ),
                }
            }
            Err(refused) => Outcome::Blocked {
                reason: format!("the vault ({}) refused: {refused}", site.custody()),
            },
        }
    }
}
