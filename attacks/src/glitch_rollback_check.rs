//! `glitch-rollback-check`: glitch the boot ROM's anti-rollback comparison so that the
//! older, genuinely signed release installs and runs on a part whose ROM would refuse it.
//!
//! The attacker delivers the oldest published release as an update (as
//! `rollback-older-image` does) and power-cycles the device with a glitch aimed at the
//! comparison of the image's security counter with the fuses, try after try. The ROM
//! compares the staged image, then the installed one at every boot: a part that took the
//! image and then refused to start it stays dark, and the attacker's next tries only
//! glitch its boot. Every method, one fault per try then two. A rung is rated by its
//! tries.

use crate::attack::{Attack, Phase, Surface, device_of};
use crate::effort::{Attempted, Rung};
use crate::gain::Gain;
use crate::glitching::{self, Shots};
use crate::knowledge::Knowledge;
use crate::outcome::Outcome;
use crate::published::{Release, superseded};
use provsim_devices::TargetKind;
use provsim_devices::fault::{FaultPoint, GlitchMethod};
use provsim_sim::{Ctx, Stream};

pub struct GlitchRollbackCheck;

impl Attack for GlitchRollbackCheck {
    fn id(&self) -> &'static str {
        "glitch-rollback-check"
    }

    fn title(&self) -> &'static str {
        "Glitch the anti-rollback comparison to run an older genuine release"
    }

    fn phase(&self) -> Phase {
        Phase::Field
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::OlderRelease]
    }

    /// The same on every kind: a secure element boots no image of the maker's.
    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        glitching::rungs(&[FaultPoint::RollbackCounter], &GlitchMethod::ALL)
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
        let failed = |reason: String, tries: u64| Attempted {
            outcome: Outcome::Failed { reason },
            spent: spent(tries),
        };
        let target = match device_of(self, surface, rung) {
            Ok(target) => target,
            Err(wrong) => return wrong,
        };
        let Some(glitch) = glitching::aimed(rung) else {
            return failed(format!("rung {:?} aims no glitch", rung.label), 0);
        };
        let Release {
            bytes: old,
            version,
            counter,
        } = match superseded(knowledge) {
            Ok(release) => release,
            Err(reason) => return failed(reason, 0),
        };
        let mut shots = Shots::default();
        let mut seen = std::collections::BTreeMap::<String, u64>::new();
        let mut dark = false;
        let tries = rung.plan.count;
        for attempt in 1..=tries {
            if !dark && let Err(refused) = target.stage_update(ctx, &old) {
                return failed(
                    format!("the update path refused release {version}: {refused}"),
                    attempt - 1,
                );
            }
            shots.fire(target, glitch, rung.plan.faults, rng);
            let booted = target.boot(ctx);
            dark = booted.is_err();
            match booted {
                Ok(running) if running.version == version => {
                    return Attempted {
                        outcome: Outcome::Obtained {
                            summary: format!(
                                "on try {attempt} the device started release {version} (security counter {counter})"
                            ),
                        },
                        spent: spent(attempt),
                    };
                }
                Ok(running) => {
                    let why = match running.update_refused {
                        Some(log) => format!("still starts {}; boot log: {log}", running.version),
                        None => format!("still starts {}", running.version),
                    };
                    *seen.entry(why).or_default() += 1;
                }
                Err(error) => *seen.entry(format!("started nothing: {error}")).or_default() += 1,
            }
        }
        let seen: Vec<String> = seen.iter().map(|(why, n)| format!("{n}x {why}")).collect();
        Attempted {
            outcome: Outcome::Blocked {
                reason: format!(
                    "{} (the device: {})",
                    shots.held(
                        tries,
                        target.fault_alarms(),
                        &format!("release {version} never started")
                    ),
                    seen.join("; ")
                ),
            },
            spent: spent(tries),
        }
    }
}
