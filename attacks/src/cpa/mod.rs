//! Correlation power analysis at memory speed.
//!
//! The partition trick: for a model that depends on one input byte and a key guess
//! (here the Hamming weight of the AES S-box output), a trace only needs to be added
//! to the running sum of the traces whose input byte had the same value. From those
//! 256 partial sums per byte, the counts, and the sum and sum of squares of each
//! sample, the correlation of every guess at every sample follows exactly, with a
//! 256 x 256 table of model values, however many traces went in. Traces stream
//! through: memory is the sums, never the traces.
//!
//! Sums are `f64`, taken in a fixed order: traces are summed in blocks of [`BLOCK`],
//! each block from zero in trace order, and the blocks' sums are added to the total in
//! block order. Threads only decide which block is summed where, so 1 and N threads
//! give the same bits, on every machine (no fused multiply-add, no CPU-dependent
//! reduction).

mod guess;
mod second;
mod sums;
pub mod tvla;

pub use guess::Guess;
pub use second::{PairSums, pairs_within};
pub use sums::{BLOCK, Sums, TraceSource, accumulate};

use provsim_devices::leakage::SBOX;

/// The peak correlation below which a key byte does not stand out from noise, after
/// `traces` traces with each guess tested `tests` times (once per sample, or per pair
/// at second order). With no correlation each test's |r| has a standard error of
/// 1/sqrt(n), and the best of 256 guesses times the tests is the maximum of that many:
/// about sqrt(2 ln(256 tests)) standard errors. One more keeps noise from passing for
/// a key.
pub fn noise_threshold(traces: u64, tests: usize) -> f64 {
    let tests = (256 * tests.max(1)) as f64;
    (libm::sqrt(2.0 * libm::log(tests)) + 1.0) / libm::sqrt(traces.max(1) as f64)
}

/// The model value of every (guess, input value) pair: the Hamming weight of the S-box
/// output, as `f64`.
pub fn sbox_weight_table() -> Vec<[f64; 256]> {
    (0..256)
        .map(|guess| std::array::from_fn(|value| f64::from(SBOX[value ^ guess].count_ones())))
        .collect()
}

impl Sums {
    /// The guess for input byte `byte` whose model correlates best with any sample,
    /// under `model[guess][value]`.
    pub fn best_guess(&self, byte: usize, model: &[[f64; 256]]) -> Guess {
        let n = self.traces() as f64;
        let samples = self.samples();
        let counts = self.counts(byte);
        let mut best = Guess {
            key: 0,
            sample: 0,
            peak: f64::NEG_INFINITY,
        };
        let mut hx = vec![0.0f64; samples];
        for (guess, row) in model.iter().enumerate().take(256) {
            // Σh and Σh² over the traces, from the counts per input value.
            let (mut sum_h, mut sum_h2) = (0.0, 0.0);
            hx.iter_mut().for_each(|v| *v = 0.0);
            for value in 0..256 {
                let h = row[value];
                let count = counts[value] as f64;
                sum_h += h * count;
                sum_h2 += h * h * count;
                let partial = self.partial(byte, value);
                for (acc, x) in hx.iter_mut().zip(partial) {
                    *acc += h * x;
                }
            }
            let var_h = n * sum_h2 - sum_h * sum_h;
            for (sample, &sum_hx) in hx.iter().enumerate() {
                let (sum_x, sum_x2) = self.moments(sample);
                let var_x = n * sum_x2 - sum_x * sum_x;
                if var_h <= 0.0 || var_x <= 0.0 {
                    continue;
                }
                let r = (n * sum_hx - sum_h * sum_x) / libm::sqrt(var_h * var_x);
                if r.abs() > best.peak {
                    best = Guess {
                        key: guess as u8,
                        sample,
                        peak: r.abs(),
                    };
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests;
