//! Traces to key recovery: for the device leakage model's AES first round, unmasked and
//! first-order masked, at noise of 1, 2 and 4 bits, the first rung of a trace ladder
//! (100, 1k, 10k, 100k, 1M) from which CPA gives all 16 key bytes at every later rung
//! too (first order for the unmasked design, second order on adjacent samples for the
//! masked one), against the key the traces were made with. One streaming pass of 1M
//! traces per design and noise, one seed each: the sums are checked at each rung as
//! the traces go in.
//!
//! `cargo bench -p provsim-attacks --bench cpa_ladder` (about 15 s). Kept out of
//! `cargo test`: the 1M-trace rungs are a campaign, not a test.
#![allow(clippy::disallowed_methods)] // Instant::now: this is the one place that measures time.

use provsim_attacks::cpa::{PairSums, pairs_within, sbox_weight_table};
use provsim_devices::leakage::{LeakageModel, SBOX};
use provsim_sim::Seed;
use std::time::Instant;

const RUNGS: [u64; 5] = [100, 1_000, 10_000, 100_000, 1_000_000];

fn main() {
    let model = sbox_weight_table();
    println!("| design | noise (bits) | traces to all 16 key bytes | weakest peak there |");
    println!("|---|---|---|---|");
    for masking_order in [0u8, 1] {
        for noise_bits in [1u32, 2, 4] {
            let leakage = LeakageModel {
                masking_order,
                noise_milli: noise_bits * 1000,
                ..LeakageModel::STOCK
            };
            let seed = Seed::new(u64::from(masking_order) * 10 + u64::from(noise_bits));
            let key: [u8; 16] = seed.stream("bench/ladder/key").bytes();
            let mut inputs = seed.stream("bench/ladder/plaintexts");
            let mut masks = seed.stream("bench/ladder/masks");
            let mut noise = seed.stream("bench/ladder/noise");
            let width = 16 * (usize::from(masking_order) + 1);
            // First order reads every sample alone: no pairs. Second order: each pair
            // of adjacent samples.
            let pairs = if masking_order == 0 {
                Vec::new()
            } else {
                pairs_within(width, 1)
            };
            let mut sums = PairSums::new(16, width, pairs);
            let start = Instant::now();
            // Each rung: whether every byte was right there, and the weakest peak.
            let mut rungs = Vec::new();
            let mut done = 0u64;
            let mut samples = vec![0f32; width];
            for rung in RUNGS {
                while done < rung {
                    let plaintext: [u8; 16] = inputs.bytes();
                    let values: Vec<u8> = (0..16)
                        .map(|b| SBOX[usize::from(plaintext[b] ^ key[b])])
                        .collect();
                    let trace = leakage.trace(&values, &mut masks, &mut noise);
                    for (out, x) in samples.iter_mut().zip(&trace.samples) {
                        *out = *x as f32;
                    }
                    sums.add(&plaintext, &samples);
                    done += 1;
                }
                let guesses: Vec<_> = (0..16)
                    .map(|b| {
                        if masking_order == 0 {
                            sums.first().best_guess(b, &model)
                        } else {
                            sums.best_guess(b, &model)
                        }
                    })
                    .collect();
                let right = guesses.iter().zip(key).all(|(g, k)| g.key == k);
                let weakest = guesses.iter().map(|g| g.peak).fold(f64::INFINITY, f64::min);
                rungs.push((rung, right, weakest));
            }
            // The first rung from which every rung holds the key.
            let found = (0..rungs.len())
                .find(|&at| rungs[at..].iter().all(|&(_, right, _)| right))
                .map(|at| (rungs[at].0, rungs[at].2));
            let design = if masking_order == 0 {
                "unmasked, first order"
            } else {
                "masked (order 1), second order"
            };
            match found {
                Some((rung, weakest)) => {
                    println!("| {design} | {noise_bits} | {rung} | {weakest:.4} |")
                }
                None => println!("| {design} | {noise_bits} | more than 1,000,000 | - |"),
            }
            eprintln!("  ({:.1} s)", start.elapsed().as_secs_f64());
        }
    }
}
