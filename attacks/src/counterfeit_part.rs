//! `counterfeit-part`: a counterfeit put on the board in place of the genuine part
//! before the board-level station provisions it.
//!
//! At board level the station provisions parts already soldered to boards, and the
//! parts reach the assembler on reels, through distributors and the assembler's own
//! stores. An insider there (or a distributor who fills the reel) swaps one part for a
//! counterfeit of the same family that keeps what it is given (see
//! `counterfeit_die`). The station, if it does not ask the part to prove it is a
//! genuine die, provisions it like any other: the vault seals the device's keys to the
//! counterfeit's transport key, or certifies an identity key the counterfeit made, and
//! the board ships with the attacker's part on it. The station's part authentication
//! stops this: the counterfeit can show a genuine part's die certificate but cannot
//! sign with its key. On a line that provisions at the test house no station sees the
//! board at all.

use crate::attack::{Attack, Phase, Position, Surface, not_started};
use crate::counterfeit_die::CounterfeitDie;
use crate::effort::{Access, Attempted, Bench, Effort, Needs, Rung, Step};
use crate::gain::Gain;
use crate::knowledge::{Knowledge, MaterialKind};
use crate::outcome::Outcome;
use provsim_devices::{Command, Countermeasures, Response, TargetKind, build_target_with};
use provsim_provisioner::IDENTITY_SLOT;
use provsim_sim::{Ctx, Seed, Stream};

pub struct CounterfeitPart;

impl Attack for CounterfeitPart {
    fn id(&self) -> &'static str {
        "counterfeit-part"
    }

    fn title(&self) -> &'static str {
        "A counterfeit that keeps its keys put on the board before the board-level station"
    }

    fn phase(&self) -> Phase {
        Phase::BoardAssembly
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::IdentityKey, Gain::SymmetricKey, Gain::Identity]
    }

    fn position(&self) -> Position {
        Position::BoardAssembly
    }

    /// One rung: one counterfeit, made to order, swapped into one board.
    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        vec![Rung {
            label: "one counterfeit with a companion die, swapped onto one board".to_owned(),
            plan: Effort::plain(
                Bench::CounterfeitPart,
                1,
                &[Step::MakeCounterfeitPart],
                Needs::TargetDocumentation,
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
        rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Attempted {
        let Surface::Board(board) = surface else {
            return not_started(rung, format!("{} acts at the board assembler", self.id()));
        };
        let Some(mut genuine) = board.take_reel_part() else {
            return not_started(rung, "no reel part for this board within reach".to_owned());
        };
        // A genuine part attests to anyone who asks: its certificate is not secret.
        let challenge: [u8; 32] = rng.bytes();
        let shown = match genuine.execute(ctx, Command::Attest { challenge }) {
            Ok(Response::Attested(answer)) => Some(answer.certificate),
            _ => None,
        };
        let device = genuine.device_id();
        let behind = build_target_with(
            genuine.kind(),
            &Countermeasures::default(),
            Seed::new(rng.next_u64()),
            0,
            device,
        );
        let (part, kept) = CounterfeitDie::new(ctx.crypto, behind, device, shown, rng.split());
        let placed = board.place_on_board(ctx.crypto, Box::new(part));
        let kept = kept.borrow();
        for (slot, bytes) in kept.iter() {
            let (kind, what) = if *slot == IDENTITY_SLOT {
                (MaterialKind::KeyCandidate, "identity key")
            } else {
                (MaterialKind::SecretCandidate, "symmetric key")
            };
            knowledge.learn(
                kind,
                format!("{what} kept by the counterfeit's companion die"),
                bytes.clone(),
            );
        }
        let outcome = match placed {
            Ok(certificate) => {
                knowledge.learn(
                    MaterialKind::Certificate,
                    "the certificate the station wrote into the counterfeit",
                    certificate,
                );
                Outcome::Obtained {
                    summary: format!(
                        "the board-level station provisioned the counterfeit as device {device}; its companion die kept {} key(s)",
                        kept.len()
                    ),
                }
            }
            Err(why) => Outcome::Blocked {
                reason: format!("the counterfeit came off without the device's keys: {why}"),
            },
        };
        Attempted::all_of(rung, outcome)
    }
}
