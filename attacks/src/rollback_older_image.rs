//! `rollback-older-image`: install an older, genuinely signed release through the update
//! path.
//!
//! Makers keep their release history on their update servers, and a superseded release
//! stays signed by the same key: it was superseded for a flaw, not revoked. The attacker
//! takes the oldest published image (by the security counter in its header, a public
//! format), delivers it as an update, and power-cycles the device. Only the anti-rollback
//! comparison stands in the way: the boot ROM must refuse an image whose security counter
//! is below what its fuses count. With it, the update is refused and the fuses stay where
//! they were; without it, the old release runs with its old flaw.

use crate::attack::{Attack, Phase, Surface, wrong_surface};
use crate::effort::{Access, Bench, Effort, Needs, Rung};
use crate::gain::Gain;
use crate::knowledge::Knowledge;
use crate::outcome::Outcome;
use crate::published::{Release, superseded};
use provsim_devices::TargetKind;
use provsim_sim::{Ctx, Stream};

pub struct RollbackOlderImage;

impl Attack for RollbackOlderImage {
    fn id(&self) -> &'static str {
        "rollback-older-image"
    }

    fn title(&self) -> &'static str {
        "Install an older, genuinely signed release through the update path"
    }

    fn phase(&self) -> Phase {
        Phase::Field
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::OlderRelease]
    }

    /// One rung on every kind: one image sent and one power cycle. The image and its
    /// signature are the maker's own, so nothing is forged.
    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        vec![Rung {
            label: "the oldest published release, sent once".to_owned(),
            plan: Effort::plain(
                Bench::SerialLoader,
                1,
                &[],
                Needs::Public,
                Access::FieldSamples(1),
            ),
            aim: None,
        }]
    }

    crate::attack::run_once_as_the_rung!();
}

impl RollbackOlderImage {
    fn run_once(
        &self,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        _rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Outcome {
        let Surface::Device(target) = surface else {
            return wrong_surface(self, &surface);
        };
        let Release {
            bytes: old,
            version,
            counter,
        } = match superseded(knowledge) {
            Ok(release) => release,
            Err(reason) => return Outcome::Failed { reason },
        };
        if let Err(refused) = target.stage_update(ctx, &old) {
            return Outcome::Blocked {
                reason: format!("the update path refused release {version}: {refused}"),
            };
        }
        match target.boot(ctx) {
            Ok(running) => match running.update_refused {
                Some(reason) => Outcome::Blocked {
                    reason: format!(
                        "the device still starts {} after release {version} (security counter {counter}) was sent; its boot log: {reason}",
                        running.version
                    ),
                },
                None if running.version == version => Outcome::Obtained {
                    summary: format!(
                        "the device started release {version} (security counter {counter}): a genuine, superseded release, which only the anti-rollback comparison should have stopped"
                    ),
                },
                None => Outcome::Blocked {
                    reason: format!(
                        "the update was not refused, but the device started {} rather than {version}",
                        running.version
                    ),
                },
            },
            Err(error) => Outcome::Failed {
                reason: format!("the device no longer boots: {error}"),
            },
        }
    }
}
