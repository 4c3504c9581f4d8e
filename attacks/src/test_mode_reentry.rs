//! `test-mode-reentry`: bring a shipped part back to a life-cycle state whose test
//! features are open, without its owner's token.
//!
//! A part in the field leaves only by the RMA move, which reopens the test and debug
//! features for failure analysis and asks for the RMA token whose hash is fused. The
//! attacker speaks the programming protocol through the debug (or test) port and asks
//! for that move, first presenting guessed tokens (a hundred, then a hundred thousand),
//! then, token still unknown, aiming a glitch at the life-cycle gate that compares it
//! (every method, one fault per try then two). Whether the part wipes its secrets on the
//! way is the part's business: reaching the state is the breach the claim is about.

use crate::attack::{Attack, Phase, Surface, device_of};
use crate::effort::{Access, Attempted, Bench, Effort, Needs, Rung};
use crate::gain::Gain;
use crate::glitching::{self, Shots};
use crate::knowledge::Knowledge;
use crate::outcome::Outcome;
use provsim_devices::fault::{FaultPoint, GlitchMethod};
use provsim_devices::{Command, DeviceError, LifeCycle, TargetKind};
use provsim_sim::{Ctx, Stream};

/// Guessed tokens per guessing rung.
pub const GUESSES: [u64; 2] = [100, 100_000];

pub struct TestModeReentry;

impl Attack for TestModeReentry {
    fn id(&self) -> &'static str {
        "test-mode-reentry"
    }

    fn title(&self) -> &'static str {
        "Re-enter a test-open life-cycle state (RMA) without the token"
    }

    fn phase(&self) -> Phase {
        Phase::Field
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::TestFeatures]
    }

    /// Guessing first, then glitches at the gate: the same on every kind (a secure
    /// element refuses the move as such).
    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        let mut rungs: Vec<Rung> = GUESSES
            .into_iter()
            .map(|guesses| Rung {
                label: format!("{guesses} guessed RMA tokens"),
                plan: Effort::plain(
                    Bench::Programmer,
                    guesses,
                    &[],
                    Needs::TargetDocumentation,
                    Access::FieldSamples(1),
                ),
                aim: None,
            })
            .collect();
        rungs.extend(glitching::rungs(
            &[FaultPoint::LifeCycleGate],
            &GlitchMethod::ALL,
        ));
        rungs
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
        let target = match device_of(self, surface, rung) {
            Ok(target) => target,
            Err(wrong) => return wrong,
        };
        let glitch = glitching::aimed(rung);
        let mut shots = Shots::default();
        let mut refusals = std::collections::BTreeMap::<String, u64>::new();
        let tries = rung.plan.count;
        for attempt in 1..=tries {
            if let Some(glitch) = glitch {
                shots.fire(target, glitch, rung.plan.faults, rng);
            }
            let token: [u8; 32] = rng.bytes();
            let asked = Command::Transition {
                to: LifeCycle::Rma,
                token: Some(token.to_vec()),
            };
            match target.execute(ctx, asked) {
                Ok(_) => {
                    return Attempted {
                        outcome: Outcome::Obtained {
                            summary: format!(
                                "on try {attempt} the part moved to {} with a token the attacker made up{}",
                                target.life_cycle(),
                                if glitch.is_some() {
                                    format!(
                                        " ({} glitch(es) landed, {} caught)",
                                        shots.landed, shots.caught
                                    )
                                } else {
                                    String::new()
                                }
                            ),
                        },
                        spent: spent(attempt),
                    };
                }
                // Refusals that no token or glitch at the gate changes end the rung at once.
                Err(
                    error @ (DeviceError::Port(_)
                    | DeviceError::Unsupported { .. }
                    | DeviceError::TokenNotProvisioned(_)),
                ) => {
                    return Attempted {
                        outcome: Outcome::Failed {
                            reason: format!("the part refused the move before any token: {error}"),
                        },
                        spent: spent(attempt),
                    };
                }
                Err(error) => *refusals.entry(error.to_string()).or_default() += 1,
            }
        }
        let why: Vec<String> = refusals
            .iter()
            .map(|(error, n)| format!("{n}x {error}"))
            .collect();
        let reason = match glitch {
            Some(_) => shots.held(tries, target.fault_alarms(), "the gate refused every move"),
            None => format!(
                "{tries} guessed tokens, every one refused ({})",
                why.join("; ")
            ),
        };
        Attempted {
            outcome: Outcome::Blocked { reason },
            spent: spent(tries),
        }
    }
}
