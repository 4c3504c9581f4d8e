//! Traces to key recovery: for the device leakage model's AES first round, unmasked and
//! first-order masked, at noise of 1, 2 and 4 bits, the first rung of a trace ladder
//! (100, 1k, 10k, 100k, 1M) from which CPA gives all 16 key bytes at every later rung
//! too (first order for the unmasked design, second order on adjacent samples for the
//! masked one), against the key the traces were made with. One streaming pass of 1M
//! traces per design and noise, one seed each: the sums are checked at each rung as
//! the traces go in.
//!
//! A rung succeeds as the attack's does: every key byte right and standing out from
//! the noise (`cpa::noise_threshold`). Each result is rated as `cpa-storage-key`'s rung of that many traces per round is
//! rated on a stock MCU (public documentation), by the one rating function: the total,
//! its band, and the AVA_VAN levels a claim at which such a break defeats. The run
//! ends with an error if a total falls as noise rises, or masking does not raise it.
//!
//! `cargo bench -p provsim-attacks --bench cpa_ladder` (about 15 s). Kept out of
//! `cargo test`: the 1M-trace rungs are a campaign, not a test.
#![allow(clippy::disallowed_methods)] // Instant::now: this is the one place that measures time.

use provsim_attacks::cpa::{PairSums, noise_threshold, pairs_within, sbox_weight_table};
use provsim_attacks::{AttackPotential, AvaVan, CpaStorageKey, ladder};
use provsim_devices::TargetKind;
use provsim_devices::leakage::{LeakageModel, SBOX};
use provsim_sim::Seed;
use std::time::Instant;

const RUNGS: [u64; 5] = [100, 1_000, 10_000, 100_000, 1_000_000];

fn main() {
    let model = sbox_weight_table();
    println!(
        "| design | noise (bits) | traces per round to the key | weakest peak | total | rating | a break defeats |"
    );
    println!("|---|---|---|---|---|---|---|");
    let rungs = ladder(&CpaStorageKey, TargetKind::Mcu);
    let rated = |traces: u64, order: &str| -> Option<AttackPotential> {
        let label = format!("{traces} traces per round, {order} order");
        rungs
            .iter()
            .find(|r| r.rung.label == label)
            .map(|r| r.planned.clone())
    };
    // (masking order, noise, total) of every row, for the checks at the end.
    let mut totals: Vec<(u8, u32, Option<u32>)> = Vec::new();
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
                let weakest = guesses.iter().map(|g| g.peak).fold(f64::INFINITY, f64::min);
                // The attack's own test: every byte right, and every byte's peak above
                // the noise maximum over its guesses and tests.
                let tests = if masking_order == 0 { width } else { width - 1 };
                let right = guesses.iter().zip(key).all(|(g, k)| g.key == k)
                    && weakest >= noise_threshold(rung, tests);
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
            let order = if masking_order == 0 {
                "first"
            } else {
                "second"
            };
            match found.and_then(|(rung, weakest)| Some((rung, weakest, rated(rung, order)?))) {
                Some((rung, weakest, p)) => {
                    let total = p.total();
                    let defeats: Vec<&str> = AvaVan::ALL
                        .iter()
                        .filter(|v| p.rating().is_some_and(|r| v.covers(r)))
                        .map(|v| v.name())
                        .collect();
                    println!(
                        "| {design} | {noise_bits} | {rung} | {weakest:.4} | {} | {} | {} |",
                        total.map_or("-".to_owned(), |t| t.to_string()),
                        p.rating().map_or("-", |r| r.name()),
                        if defeats.is_empty() {
                            "none (residual risk even at AVA_VAN.5)".to_owned()
                        } else {
                            defeats.join(", ")
                        }
                    );
                    totals.push((masking_order, noise_bits, total));
                }
                None => {
                    println!(
                        "| {design} | {noise_bits} | more than 1,000,000 | - | - | - | none |"
                    );
                    totals.push((masking_order, noise_bits, None));
                }
            }
            eprintln!("  ({:.1} s)", start.elapsed().as_secs_f64());
        }
    }
    // Never cheaper with more noise; strictly dearer with masking, at every noise.
    let total = |m: u8, n: u32| {
        totals
            .iter()
            .find(|t| t.0 == m && t.1 == n)
            .and_then(|t| t.2)
    };
    for m in [0u8, 1] {
        for (low, high) in [(1, 2), (2, 4)] {
            let (a, b) = (total(m, low), total(m, high));
            if b.is_some() && a > b {
                eprintln!("masking {m}: the total fell from {a:?} to {b:?} as noise rose");
                std::process::exit(1);
            }
        }
    }
    for n in [1u32, 2, 4] {
        let (plain, masked) = (total(0, n), total(1, n));
        if masked.is_some() && masked <= plain {
            eprintln!("noise {n}: masking did not raise the total ({plain:?} vs {masked:?})");
            std::process::exit(1);
        }
    }
}
