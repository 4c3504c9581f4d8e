//! `se-apdu-glitch`: glitch the card's access check so that a command its rules keep
//! for the secure channel runs when sent in plain.
//!
//! Card management (ACTIVATE, SET ACCESS, PUT KEY and the rest) is refused outside the
//! key holder's secure channel. The attacker, with a card on a reader and a glitch rig
//! on its supply, clock or die, sends a witness of that class in plain (ACTIVATE on the
//! first object the public directory lists: on an object already operational it changes
//! nothing even when it gets through) and aims a glitch at the access check as it
//! runs, try after try, watching the status word: "security status not satisfied" means
//! the check held; anything else means the card went past it. Every method, then two
//! faults per try for a check computed twice; the card's detectors and its duplicated
//! check decide. A rung is rated by its tries.

use crate::apdu::{self, REFUSED};
use crate::attack::{Attack, Phase, Surface, device_of, not_started};
use crate::effort::{Attempted, Rung};
use crate::gain::Gain;
use crate::glitching::{self, Shots};
use crate::knowledge::Knowledge;
use crate::outcome::Outcome;
use provsim_devices::TargetKind;
use provsim_devices::fault::{FaultPoint, GlitchMethod};
use provsim_devices::se::ins;
use provsim_sim::{Ctx, Stream};

pub struct SeApduGlitch;

impl Attack for SeApduGlitch {
    fn id(&self) -> &'static str {
        "se-apdu-glitch"
    }

    fn title(&self) -> &'static str {
        "Glitch the card's access check to run a channel-only command in plain"
    }

    fn phase(&self) -> Phase {
        Phase::Field
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::ChannelCommand]
    }

    /// The same on every kind: a part without a card interface refuses the first APDU.
    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        glitching::rungs(&[FaultPoint::ApduAccess], &GlitchMethod::ALL)
    }

    fn run(
        &self,
        rung: &Rung,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        rng: &mut Stream,
        _knowledge: &mut Knowledge,
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
        if let Err(error) = apdu::select(target, ctx) {
            return failed(error);
        }
        let object = match apdu::directory(target, ctx) {
            Ok(ids) => match ids.first() {
                Some(&id) => id,
                None => return failed("the card lists no object to name".to_owned()),
            },
            Err(error) => return failed(error),
        };
        let witness = apdu::command(0x80, ins::ACTIVATE, 0, object, &[]);
        let mut shots = Shots::default();
        let tries = rung.plan.count;
        for attempt in 1..=tries {
            shots.fire(target, glitch, rung.plan.faults, rng);
            let Ok(answer) = target.apdu(ctx, &witness) else {
                continue;
            };
            let sw = apdu::status(&answer);
            // No answer at all (a card muted by the glitch) says nothing about the check.
            if sw != REFUSED && sw != 0 {
                return Attempted {
                    outcome: Outcome::Obtained {
                        summary: format!(
                            "on try {attempt} ACTIVATE on object {object:02X}, sent in plain, got past the access check: SW {sw:04X} ({}) instead of 6982 ({} glitch(es) landed, {} caught)",
                            if sw == apdu::OK {
                                "the card acted on it"
                            } else {
                                "refused further on, by a later check"
                            },
                            shots.landed,
                            shots.caught
                        ),
                    },
                    spent: spent(attempt),
                };
            }
        }
        Attempted {
            outcome: Outcome::Blocked {
                reason: shots.held(
                    tries,
                    target.fault_alarms(),
                    "the access check refused every time",
                ),
            },
            spent: spent(tries),
        }
    }
}
