//! `se-apdu-replay`: record the key holder's secure-channel session with a card and
//! play it back.
//!
//! The attacker taps the I/O line between the field host and the card and records one
//! of the key holder's sessions: SELECT, INITIALIZE UPDATE with the host's challenge,
//! EXTERNAL AUTHENTICATE with the host's cryptogram, and the secured command that
//! follows. Without the static key they cannot make a session of their own, but they
//! can send the recorded bytes again through a card reader. A card that makes a fresh
//! challenge for every INITIALIZE UPDATE derives new session keys, so the recorded
//! cryptogram no longer matches and the channel never opens; a card whose challenge
//! comes from a counter that never advances makes the same keys every time, and runs
//! the recorded secured command again. The ladder replays the session once, then a
//! hundred and ten thousand times (in case the card's challenges ever repeat); a rung
//! is rated by the APDUs it sent.

use crate::apdu::{self, OK};
use crate::attack::{Attack, Phase, Surface, device_of};
use crate::effort::{Access, Attempted, Bench, Effort, Needs, Rung, Step};
use crate::gain::Gain;
use crate::knowledge::Knowledge;
use crate::outcome::Outcome;
use provsim_devices::TargetKind;
use provsim_devices::se::ins;
use provsim_sim::{Ctx, Stream};

/// Replays of the recorded session per rung.
pub const REPLAYS: [u64; 3] = [1, 100, 10_000];
/// APDUs in the key holder's session: the replay's unit of work.
const SESSION_APDUS: u64 = 4;

pub struct SeApduReplay;

impl Attack for SeApduReplay {
    fn id(&self) -> &'static str {
        "se-apdu-replay"
    }

    fn title(&self) -> &'static str {
        "Replay a recorded secure-channel session to the card"
    }

    fn phase(&self) -> Phase {
        Phase::Field
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::ChannelCommand]
    }

    /// The same on every kind: a part without a card interface refuses the first APDU.
    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        REPLAYS
            .into_iter()
            .map(|replays| Rung {
                label: format!("{replays} replay(s) of a recorded session",),
                plan: Effort::plain(
                    Bench::CardReader,
                    replays * SESSION_APDUS,
                    &[Step::TapTheHostBus],
                    Needs::Public,
                    Access::FieldSamples(1),
                ),
                aim: None,
            })
            .collect()
    }

    fn run(
        &self,
        rung: &Rung,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        _rng: &mut Stream,
        _knowledge: &mut Knowledge,
    ) -> Attempted {
        let spent = |apdus: u64| rung.plan.with_count(apdus);
        let target = match device_of(self, surface, rung) {
            Ok(target) => target,
            Err(wrong) => return wrong,
        };
        let session = match target.field_session(ctx) {
            Ok(session) if !session.is_empty() => session,
            Ok(_) => {
                return Attempted {
                    outcome: Outcome::Failed {
                        reason: "the tap recorded no session".to_owned(),
                    },
                    spent: spent(0),
                };
            }
            Err(error) => {
                return Attempted {
                    outcome: Outcome::Failed {
                        reason: format!("no session to record: {error}"),
                    },
                    spent: spent(0),
                };
            }
        };
        // Success is a secured command (CLA with the secure-messaging bit) answered 9000:
        // a recording without one replays nothing the channel guards.
        let secured = |command: &[u8]| command.first().is_some_and(|cla| cla & 0x04 != 0);
        if !session.iter().any(|e| secured(&e.command)) {
            return Attempted {
                outcome: Outcome::Failed {
                    reason: format!(
                        "the recorded {}-APDU session holds no secured command",
                        session.len()
                    ),
                },
                spent: spent(0),
            };
        }
        let replays = (rung.plan.count / SESSION_APDUS).max(1);
        let mut sent = 0u64;
        let mut refusals = std::collections::BTreeMap::<(u8, u16), u64>::new();
        // Replays in which the card's answer to INITIALIZE UPDATE (its challenge and
        // cryptogram) differed from the recorded one.
        let mut fresh = 0u64;
        for replay in 1..=replays {
            let mut refused = None;
            for exchange in &session {
                let Ok(answer) = target.apdu(ctx, &exchange.command) else {
                    refused = Some((exchange.command.get(1).copied().unwrap_or(0), 0));
                    break;
                };
                sent += 1;
                if exchange.command.get(1) == Some(&ins::INITIALIZE_UPDATE)
                    && answer != exchange.answer
                {
                    fresh += 1;
                }
                let sw = apdu::status(&answer);
                if sw != OK {
                    refused = Some((exchange.command.get(1).copied().unwrap_or(0), sw));
                    break;
                }
            }
            match refused {
                Some(at) => *refusals.entry(at).or_default() += 1,
                None => {
                    return Attempted {
                        outcome: Outcome::Obtained {
                            summary: format!(
                                "replay {replay}: the card accepted the recorded {}-APDU session again and ran its secured command",
                                session.len()
                            ),
                        },
                        spent: spent(sent),
                    };
                }
            }
        }
        let why: Vec<String> = refusals
            .iter()
            .map(|((ins, sw), n)| format!("{n} at INS {ins:02X} with SW {sw:04X}"))
            .collect();
        Attempted {
            outcome: Outcome::Blocked {
                reason: format!(
                    "{replays} replay(s), every one refused ({}); in {fresh} the card answered INITIALIZE UPDATE other than it did in the recording{}",
                    why.join(", "),
                    if fresh == replays
                        && refusals
                            .keys()
                            .all(|(ins, _)| *ins == ins::EXTERNAL_AUTHENTICATE)
                    {
                        ", with a challenge of its own, and the recorded host cryptogram then opened no channel"
                    } else {
                        ""
                    }
                ),
            },
            spent: spent(sent),
        }
    }
}
