//! `se-instruction-scan`: search the card's instruction space for an answer its access
//! rules should have withheld.
//!
//! ISO/IEC 7816-4 and GlobalPlatform publish which instruction bytes mean what; an
//! applet's own data sheet adds its proprietary ones. Instructions left in from
//! development (a vendor's diagnostic, a test read) answer to bytes nobody documents.
//! The attacker selects the applet, reads the public object directory, and sends every
//! instruction byte that is not documented, for every listed object, first with the
//! proprietary class byte and P1 = 0, then with both class bytes and four P1 values.
//! Documented instructions are left alone (VERIFY would burn PIN tries; TERMINATE and SET
//! STATUS destroy). Every answer that carries data is kept for the oracles: what it
//! is, the attacker cannot tell. A rung is rated by the APDUs it sent.

use crate::apdu::{self, OK};
use crate::attack::{Attack, Phase, Surface, device_of, not_started};
use crate::effort::{Access, Attempted, Bench, Effort, Needs, Rung};
use crate::gain::Gain;
use crate::knowledge::{Knowledge, MaterialKind};
use crate::outcome::Outcome;
use provsim_devices::TargetKind;
use provsim_devices::se::{MAX_OBJECTS, ins};
use provsim_sim::{Ctx, Stream};

/// The instruction bytes the standards and the applet's data sheet document.
const DOCUMENTED: [u8; 21] = [
    ins::SELECT,
    ins::GET_DATA,
    ins::INITIALIZE_UPDATE,
    ins::EXTERNAL_AUTHENTICATE,
    ins::CREATE_OBJECT,
    ins::GENERATE_KEY,
    ins::PUT_KEY,
    ins::WRITE_OBJECT,
    ins::READ_OBJECT,
    ins::INTERNAL_AUTHENTICATE,
    ins::GENERAL_AUTHENTICATE,
    ins::VERIFY,
    ins::CHANGE_PIN,
    ins::SET_ACCESS,
    ins::ACTIVATE,
    ins::TERMINATE,
    ins::SET_STATUS,
    ins::GET_TRANSPORT_KEY,
    ins::IMPORT_SEALED_KEY,
    ins::ESTABLISH_SESSION,
    ins::PERFORM_SECURITY_OPERATION,
];

/// A rung's sweep: class bytes and P1 values tried for each instruction and object.
struct Sweep {
    classes: &'static [u8],
    p1s: &'static [u8],
}

const SWEEPS: [Sweep; 2] = [
    Sweep {
        classes: &[0x80],
        p1s: &[0x00],
    },
    Sweep {
        classes: &[0x00, 0x80],
        p1s: &[0x00, 0x01, 0x80, 0xff],
    },
];

fn sweep_label(sweep: &Sweep) -> String {
    format!(
        "undocumented INS x {} class byte(s) x {} P1 value(s)",
        sweep.classes.len(),
        sweep.p1s.len()
    )
}

fn undocumented() -> impl Iterator<Item = u8> {
    (0..=u8::MAX).filter(|i| !DOCUMENTED.contains(i))
}

pub struct SeInstructionScan;

impl Attack for SeInstructionScan {
    fn id(&self) -> &'static str {
        "se-instruction-scan"
    }

    fn title(&self) -> &'static str {
        "Scan the card's undocumented instructions for withheld data"
    }

    fn phase(&self) -> Phase {
        Phase::Field
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::IdentityKey, Gain::SymmetricKey]
    }

    /// The same on every kind: a part without a card interface refuses the first APDU.
    /// Planned for a full directory; a rung spends what the card's directory needs.
    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        SWEEPS
            .iter()
            .map(|sweep| {
                let per_object =
                    (undocumented().count() * sweep.classes.len() * sweep.p1s.len()) as u64;
                Rung {
                    label: sweep_label(sweep),
                    plan: Effort::plain(
                        Bench::CardReader,
                        per_object * MAX_OBJECTS as u64,
                        &[],
                        Needs::TargetDocumentation,
                        Access::FieldSamples(1),
                    ),
                    aim: None,
                }
            })
            .collect()
    }

    fn run(
        &self,
        rung: &Rung,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        _rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Attempted {
        let spent = |apdus: u64| rung.plan.with_count(apdus);
        let failed = |reason: String| not_started(rung, reason);
        let target = match device_of(self, surface, rung) {
            Ok(target) => target,
            Err(wrong) => return wrong,
        };
        let Some(sweep) = SWEEPS.iter().find(|s| sweep_label(s) == rung.label) else {
            return failed(format!("rung {:?} names no sweep", rung.label));
        };
        if let Err(error) = apdu::select(target, ctx) {
            return failed(error);
        }
        let objects = match apdu::directory(target, ctx) {
            Ok(ids) => ids,
            Err(error) => return failed(error),
        };
        let mut sent = 0u64;
        let mut answered: Vec<String> = Vec::new();
        for ins in undocumented() {
            for &cla in sweep.classes {
                for &p1 in sweep.p1s {
                    for &object in &objects {
                        let Ok(answer) =
                            target.apdu(ctx, &apdu::command(cla, ins, p1, object, &[]))
                        else {
                            continue;
                        };
                        sent += 1;
                        let data = apdu::data(&answer);
                        if apdu::status(&answer) != OK || data.is_empty() {
                            continue;
                        }
                        let source = format!(
                            "INS {ins:02X} (CLA {cla:02X}, P1 {p1:02X}) on object {object:02X}"
                        );
                        if data.len() == 32 {
                            knowledge.learn(MaterialKind::KeyCandidate, &source, data.to_vec());
                            knowledge.learn(MaterialKind::SecretCandidate, &source, data.to_vec());
                        } else {
                            knowledge.learn(MaterialKind::MemoryDump, &source, data.to_vec());
                        }
                        answered.push(source);
                    }
                }
            }
        }
        let outcome = if answered.is_empty() {
            Outcome::Blocked {
                reason: format!(
                    "{sent} APDUs over {} object(s): no undocumented instruction answered with data",
                    objects.len()
                ),
            }
        } else {
            Outcome::Obtained {
                summary: format!(
                    "{} undocumented answer(s) with data in {sent} APDUs, first {}",
                    answered.len(),
                    answered[0]
                ),
            }
        };
        Attempted {
            outcome,
            spent: spent(sent),
        }
    }
}
