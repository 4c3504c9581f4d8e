//! `cpa-storage-key`: recover a device's AES-256 storage key by correlation power
//! analysis, climbing from a hundred traces to a million, then to second order.
//!
//! The attacker has a device in the field whose firmware encrypts data it is given
//! with a key from the key store. With a current probe on the supply they record the
//! power of chosen-plaintext encryptions (through `Target::power_trace`) and stream
//! each trace into the partition sums of [`crate::cpa`]: first a campaign for the
//! sixteen bytes of round 1, partitioned by plaintext byte; then, knowing those, a
//! second campaign of as many traces for the sixteen of round 2, partitioned by round
//! 1's output. A rung is one trace count per campaign at one order. First order reads
//! each sample alone; second order multiplies adjacent samples, which defeats a
//! first-order mask whose two shares leak one after the other. Noise, shielding and
//! masking are the chip's leakage model, not this attack's: what decides a rung is
//! whether its traces give the key.

use crate::attack::{Attack, Phase, Surface, device_of};
use crate::cpa::{Guess, PairSums, Sums, noise_threshold, pairs_within, sbox_weight_table};
use crate::effort::{Access, Attempted, Bench, Effort, Needs, Rung, Step};
use crate::gain::Gain;
use crate::knowledge::{Knowledge, MaterialKind};
use crate::outcome::Outcome;
use provsim_devices::keystore::SLOTS;
use provsim_devices::leakage::{MeasuredOperation, SBOX, aes_round_output};
use provsim_devices::{Target, TargetKind};
use provsim_sim::{Ctx, Stream};

/// Traces per campaign on the ladder's rungs, at each order.
pub const TRACES: [u64; 5] = [100, 1_000, 10_000, 100_000, 1_000_000];
/// Values each trace covers: the S-box outputs of rounds 1 and 2.
const VALUES: usize = 32;

pub struct CpaStorageKey;

/// A rung's plan: `traces` per campaign, two campaigns, at `order`.
fn plan(traces: u64, order: u8) -> Effort {
    let mut steps = vec![Step::LocateAes];
    if order >= 2 {
        steps.push(Step::FindShareSamples);
    }
    Effort {
        bench: Bench::Oscilloscope,
        // Two campaigns, plus at most one probe per slot to find the key in use.
        count: 2 * traces + SLOTS as u64,
        order,
        faults: 0,
        points: 0,
        steps,
        needs: Needs::TargetDocumentation,
        access: Access::FieldSamples(1),
    }
}

/// Parses a rung's label back to (traces per campaign, order).
fn parse_label(label: &str) -> Option<(u64, u8)> {
    let (traces, order) = label.split_once(" traces per round, ")?;
    let order = match order {
        "first order" => 1,
        "second order" => 2,
        _ => return None,
    };
    Some((traces.parse().ok()?, order))
}

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

    fn gains(&self) -> &'static [Gain] {
        &[Gain::KeyInUse]
    }

    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        [1u8, 2]
            .into_iter()
            .flat_map(|order| TRACES.into_iter().map(move |traces| (traces, order)))
            .map(|(traces, order)| Rung {
                label: format!(
                    "{traces} traces per round, {} order",
                    if order == 1 { "first" } else { "second" }
                ),
                plan: plan(traces, order),
                aim: None,
            })
            .collect()
    }

    fn run(
        &self,
        rung: &Rung,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Attempted {
        let spent = |traces: u64| Effort {
            count: traces,
            ..rung.plan.clone()
        };
        let target = match device_of(self, surface, rung) {
            Ok(target) => target,
            Err(wrong) => return wrong,
        };
        let Some((traces, order)) = parse_label(&rung.label) else {
            return Attempted {
                outcome: Outcome::Failed {
                    reason: format!("no rung of this attack is called {:?}", rung.label),
                },
                spent: spent(0),
            };
        };
        let mut recorded = 0u64;
        let (slot, width) = match find_slot(target, ctx, rng, &mut recorded) {
            Ok(found) => found,
            Err(refusal) => {
                return Attempted {
                    outcome: Outcome::Blocked {
                        reason: format!("the crypto service encrypts with no key ({refusal})"),
                    },
                    spent: spent(recorded),
                };
            }
        };
        let mut campaign = Campaign {
            target,
            slot,
            width,
            order,
            traces,
        };
        let result =
            campaign
                .round(ctx, rng, &mut recorded, |p| *p)
                .and_then(|(first, weakest1)| {
                    let key1: [u8; 16] = std::array::from_fn(|i| first[i].key);
                    let middle = move |p: &[u8; 16]| {
                        aes_round_output(&std::array::from_fn(|i| {
                            SBOX[usize::from(p[i] ^ key1[i])]
                        }))
                    };
                    campaign
                        .round(ctx, rng, &mut recorded, middle)
                        .map(|(second, weakest2)| (key1, second, weakest1.min(weakest2)))
                });
        let (key1, second, weakest) = match result {
            Ok(found) => found,
            Err(reason) => {
                return Attempted {
                    outcome: Outcome::Failed { reason },
                    spent: spent(recorded),
                };
            }
        };
        let threshold = campaign.threshold();
        let what = if order == 1 { "first" } else { "second" };
        let outcome = if weakest < threshold {
            Outcome::Failed {
                reason: format!(
                    "{traces} traces per round of slot {slot} at {what} order: the weakest key byte peaks at |r| = {weakest:.3}, below the {threshold:.3} that would stand out from noise{}",
                    spread(width)
                ),
            }
        } else {
            let mut key = [0u8; 32];
            key[..16].copy_from_slice(&key1);
            for (at, guess) in second.iter().enumerate() {
                key[16 + at] = guess.key;
            }
            knowledge.learn(
                MaterialKind::SecretCandidate,
                format!("slot {slot} by {what}-order CPA over {traces} traces per round"),
                key.to_vec(),
            );
            Outcome::Obtained {
                summary: format!(
                    "{traces} traces per round of slot {slot} at {what} order: all 32 key bytes stand out (weakest |r| = {weakest:.3})"
                ),
            }
        };
        Attempted {
            outcome,
            spent: spent(recorded),
        }
    }
}

/// The first slot the crypto service encrypts with, and the width of its traces; or
/// why no slot answers.
fn find_slot(
    target: &mut dyn Target,
    ctx: &mut Ctx<'_>,
    rng: &mut Stream,
    recorded: &mut u64,
) -> Result<(u8, usize), String> {
    let mut refusal = String::from("no slot");
    for slot in 0..SLOTS {
        let probe = MeasuredOperation::AesEncrypt {
            slot,
            plaintext: [0; 16],
        };
        match target.power_trace(ctx, &probe, rng) {
            Ok(trace) => {
                *recorded += 1;
                let width = trace.samples.len();
                if width == 0 || width % VALUES != 0 {
                    return Err(format!(
                        "traces of {width} samples, not a multiple of {VALUES}"
                    ));
                }
                return Ok((slot, width));
            }
            Err(e) => refusal = e.to_string(),
        }
    }
    Err(refusal)
}

/// One campaign's settings: which slot, how wide its traces are, the order, and how
/// many traces each round records.
struct Campaign<'t> {
    target: &'t mut dyn Target,
    slot: u8,
    width: usize,
    order: u8,
    traces: u64,
}

impl Campaign<'_> {
    /// Correlations each guess is tested with: one per sample at first order, one per
    /// pair of adjacent samples at second.
    fn tests(&self) -> usize {
        if self.order >= 2 {
            self.width.saturating_sub(1)
        } else {
            self.width
        }
    }

    /// The peak below which a key byte does not stand out from noise.
    fn threshold(&self) -> f64 {
        noise_threshold(self.traces, self.tests())
    }

    /// Records `traces` encryptions of fresh plaintexts (counting each in `recorded`),
    /// partitions them by the sixteen bytes `inputs` makes of each plaintext, and
    /// returns each byte's best guess and the weakest peak; or why the traces stopped.
    fn round(
        &mut self,
        ctx: &mut Ctx<'_>,
        rng: &mut Stream,
        recorded: &mut u64,
        inputs: impl Fn(&[u8; 16]) -> [u8; 16],
    ) -> Result<(Vec<Guess>, f64), String> {
        // Only the order's sums: first order's are the smaller, and second order keeps
        // its own pair sums beside them.
        let mut sums = if self.order >= 2 {
            Accumulator::Second(PairSums::new(16, self.width, pairs_within(self.width, 1)))
        } else {
            Accumulator::First(Sums::new(16, self.width))
        };
        let mut samples = vec![0f32; self.width];
        for _ in 0..self.traces {
            let plaintext: [u8; 16] = rng.bytes();
            let operation = MeasuredOperation::AesEncrypt {
                slot: self.slot,
                plaintext,
            };
            let trace = self
                .target
                .power_trace(ctx, &operation, rng)
                .map_err(|e| format!("the crypto service stopped answering: {e}"))?;
            *recorded += 1;
            if trace.samples.len() != self.width {
                return Err("traces of unexpected length".to_owned());
            }
            for (out, x) in samples.iter_mut().zip(&trace.samples) {
                *out = *x as f32;
            }
            let bytes = inputs(&plaintext);
            match &mut sums {
                Accumulator::First(first) => first.add(&bytes, &samples),
                Accumulator::Second(pairs) => pairs.add(&bytes, &samples),
            }
        }
        let model = sbox_weight_table();
        let guesses: Vec<Guess> = (0..16)
            .map(|byte| match &sums {
                Accumulator::First(first) => first.best_guess(byte, &model),
                Accumulator::Second(pairs) => pairs.best_guess(byte, &model),
            })
            .collect();
        let weakest = guesses.iter().map(|g| g.peak).fold(f64::INFINITY, f64::min);
        Ok((guesses, weakest))
    }
}

/// A round's sums, at the rung's order.
enum Accumulator {
    First(Sums),
    Second(PairSums),
}

/// What the trace's shape says about why a first-order analysis may find nothing: a
/// value spread over several samples is what the shares of a masked value look like.
fn spread(width: usize) -> String {
    let shares = width / VALUES;
    if shares > 1 {
        format!("; each value spans {shares} samples, as the shares of a masked value do")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse_back_to_their_rung() {
        for rung in CpaStorageKey.rungs(TargetKind::Mcu) {
            let (traces, order) = parse_label(&rung.label).unwrap();
            assert_eq!(rung.plan.order, order);
            assert_eq!(rung.plan.count, 2 * traces + SLOTS as u64);
        }
        assert_eq!(parse_label("10 traces per round, third order"), None);
    }
}
