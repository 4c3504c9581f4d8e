//! `cpa-storage-key`: recover a device's AES-256 storage key by correlation power
//! analysis.
//!
//! The attacker has a device in the field whose firmware encrypts data it is given
//! with a key from the key store. With a current probe on the supply they record the
//! power of a few hundred encryptions of chosen plaintexts (through
//! `Target::power_trace`) and, byte by byte, correlate each sample with the Hamming
//! weight of the S-box output that every guess of the key byte predicts: first the
//! sixteen bytes of round 1 from the plaintexts, then, knowing those, the sixteen of
//! round 2 from round 1's output. The best guesses make the key candidate. Masking
//! splits every value into shares no single sample correlates with; noise and a shield
//! lower the correlation; both are the chip's leakage model, not this attack's.

use crate::attack::{Attack, Outcome, Phase, Surface, wrong_surface};
use crate::knowledge::{Knowledge, MaterialKind};
use crate::potential::{AttackPotential, ElapsedTime, Equipment, Expertise, WindowOfOpportunity};
use provsim_devices::TargetKind;
use provsim_devices::keystore::SLOTS;
use provsim_devices::leakage::{MeasuredOperation, SBOX, aes_round_output, correlation};
use provsim_sim::{Ctx, Stream};

/// Encryptions recorded.
pub const TRACES: usize = 400;
/// Values each trace covers: the S-box outputs of rounds 1 and 2.
const VALUES: usize = 32;

pub struct CpaStorageKey;

impl Attack for CpaStorageKey {
    fn id(&self) -> &'static str {
        "cpa-storage-key"
    }

    fn title(&self) -> &'static str {
        "Recover the AES storage key from power traces (CPA)"
    }

    fn phase(&self) -> Phase {
        Phase::Field
    }

    fn potential(&self, target: TargetKind) -> AttackPotential {
        AttackPotential {
            elapsed: ElapsedTime::OneWeek,
            expertise: Expertise::Expert,
            // The leakage model and the key schedule's timing are in the target's
            // documentation, as public as its profile says.
            knowledge: target.profile().attack_facts.documentation.into(),
            window: WindowOfOpportunity::Easy,
            equipment: Equipment::Specialised,
            rationale: "an oscilloscope and a current probe on one device bought in the \
                        field, a few hundred chosen-plaintext encryptions, and published \
                        CPA tooling",
        }
    }

    fn run(
        &self,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Outcome {
        let Surface::Device(target) = surface else {
            return wrong_surface(self, &surface);
        };
        // Which slot the crypto service encrypts with: the first symmetric one that
        // answers.
        let mut refusal = String::from("no slot");
        let Some(slot) = (0..SLOTS).find(|&slot| {
            let probe = MeasuredOperation::AesEncrypt {
                slot,
                plaintext: [0; 16],
            };
            match target.power_trace(ctx, &probe, rng) {
                Ok(_) => true,
                Err(e) => {
                    refusal = e.to_string();
                    false
                }
            }
        }) else {
            return Outcome::Blocked {
                reason: format!("the crypto service encrypts with no key ({refusal})"),
            };
        };
        let mut plaintexts = Vec::with_capacity(TRACES);
        let mut traces = Vec::with_capacity(TRACES);
        for _ in 0..TRACES {
            let plaintext: [u8; 16] = rng.bytes();
            match target.power_trace(ctx, &MeasuredOperation::AesEncrypt { slot, plaintext }, rng) {
                Ok(trace) => {
                    plaintexts.push(plaintext);
                    traces.push(trace.samples);
                }
                Err(e) => {
                    return Outcome::Failed {
                        reason: format!("the crypto service stopped answering: {e}"),
                    };
                }
            }
        }
        let shares = traces[0].len() / VALUES;
        if shares == 0 || traces.iter().any(|t| t.len() != shares * VALUES) {
            return Outcome::Failed {
                reason: "traces of unexpected length".to_owned(),
            };
        }
        let columns: Vec<Vec<f64>> = (0..VALUES * shares)
            .map(|i| traces.iter().map(|t| t[i]).collect())
            .collect();
        let mut key = [0u8; 32];
        let mut weakest = f64::INFINITY;
        // Round 1 from the plaintexts.
        for byte in 0..16 {
            let (guess, peak) = best_guess(&columns[byte * shares..(byte + 1) * shares], |g| {
                plaintexts
                    .iter()
                    .map(|p| weight(SBOX[usize::from(p[byte] ^ g)]))
                    .collect()
            });
            key[byte] = guess;
            weakest = weakest.min(peak);
        }
        // Round 2 from round 1's output under the recovered half.
        let middles: Vec<[u8; 16]> = plaintexts
            .iter()
            .map(|p| {
                let round1: [u8; 16] = std::array::from_fn(|i| SBOX[usize::from(p[i] ^ key[i])]);
                aes_round_output(&round1)
            })
            .collect();
        for byte in 0..16 {
            let at = (16 + byte) * shares;
            let (guess, peak) = best_guess(&columns[at..at + shares], |g| {
                middles
                    .iter()
                    .map(|m| weight(SBOX[usize::from(m[byte] ^ g)]))
                    .collect()
            });
            key[16 + byte] = guess;
            weakest = weakest.min(peak);
        }
        // A peak below four standard errors of no correlation is noise.
        let threshold = 4.0 / (TRACES as f64).sqrt();
        if weakest < threshold {
            return Outcome::Failed {
                reason: format!(
                    "{TRACES} traces of slot {slot}: the weakest key byte peaks at |r| = {weakest:.3}, below the {threshold:.3} that would stand out from noise"
                ),
            };
        }
        knowledge.learn(
            MaterialKind::SecretCandidate,
            format!("slot {slot} by CPA over {TRACES} traces"),
            key.to_vec(),
        );
        Outcome::Obtained {
            summary: format!(
                "{TRACES} traces of slot {slot}: all 32 key bytes stand out (weakest |r| = {weakest:.3})"
            ),
        }
    }
}

fn weight(value: u8) -> f64 {
    f64::from(value.count_ones())
}

/// The key-byte guess whose predictions correlate best with any of `columns` (one per
/// share of the value), and that correlation's magnitude.
fn best_guess(columns: &[Vec<f64>], predict: impl Fn(u8) -> Vec<f64>) -> (u8, f64) {
    let mut best = (0u8, f64::NEG_INFINITY);
    for guess in 0..=255u8 {
        let model = predict(guess);
        for column in columns {
            let r = correlation(&model, column).abs();
            if r > best.1 {
                best = (guess, r);
            }
        }
    }
    best
}
