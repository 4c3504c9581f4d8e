//! Second-order CPA: for masked implementations, where each value is split into shares
//! no single sample correlates with, the centered product of two samples (one per
//! share) does. The partition trick carries over: per input value, the sums of each
//! sample and of each pair's product; over all traces, each pair's mixed moments up to
//! the fourth. From those, the correlation of every guess with the centered product of
//! every pair follows exactly, the means taken over all traces, in one streaming pass.
//!
//! Fourth moments cancel badly when samples sit far from zero (an oscilloscope's ADC
//! counts): so every sample is taken relative to the first trace's, which changes no
//! correlation and keeps the sums near the signal's own size.

use super::guess::Guess;
use super::sums::Sums;

/// The pairs of samples whose centered product is correlated: `(i, j)`, `i < j`.
pub fn pairs_within(samples: usize, distance: usize) -> Vec<(usize, usize)> {
    (0..samples)
        .flat_map(|i| {
            (i + 1..samples.min(i.saturating_add(distance).saturating_add(1))).map(move |j| (i, j))
        })
        .collect()
}

/// Sums for second-order CPA over `pairs`, beside the first-order [`Sums`] (which hold
/// the counts and each sample's sums per value and overall).
#[derive(Debug, Clone, PartialEq)]
pub struct PairSums {
    first: Sums,
    pairs: Vec<(usize, usize)>,
    /// The first trace's samples, which every sample is taken relative to.
    origin: Vec<f64>,
    /// The current trace, relative to `origin`.
    shifted: Vec<f64>,
    /// `[byte][value][pair]`: Σ x_i x_j over the traces whose byte had the value.
    products: Vec<f64>,
    /// `[pair]`: Σ x_i x_j, Σ x_i² x_j, Σ x_i x_j², Σ x_i² x_j² over all traces.
    moments: Vec<[f64; 4]>,
}

impl PairSums {
    /// Sums over `pairs`; a pair not of two distinct samples `i < j < samples` is left
    /// out.
    pub fn new(bytes: usize, samples: usize, pairs: Vec<(usize, usize)>) -> PairSums {
        let pairs: Vec<_> = pairs
            .into_iter()
            .filter(|&(i, j)| i < j && j < samples)
            .collect();
        PairSums {
            first: Sums::new(bytes, samples),
            origin: Vec::new(),
            shifted: vec![0.0; samples],
            products: vec![0.0; bytes * 256 * pairs.len()],
            moments: vec![[0.0; 4]; pairs.len()],
            pairs,
        }
    }

    pub fn traces(&self) -> u64 {
        self.first.traces()
    }

    /// The first-order sums kept beside the pairs'.
    pub fn first(&self) -> &Sums {
        &self.first
    }

    /// Adds one trace (as [`Sums::add`]: samples past the sums' are ignored, missing
    /// ones count as the first trace's).
    pub fn add(&mut self, inputs: &[u8], trace: &[f32]) {
        if self.origin.is_empty() {
            self.origin = (0..self.shifted.len())
                .map(|k| trace.get(k).map_or(0.0, |&v| f64::from(v)))
                .collect();
        }
        for (k, (out, origin)) in self.shifted.iter_mut().zip(&self.origin).enumerate() {
            // Exact: both are f32 values, their difference fits an f64.
            *out = trace.get(k).map_or(0.0, |&v| f64::from(v) - origin);
        }
        self.first.add_values(inputs, &self.shifted);
        let count = self.pairs.len();
        let shifted = &self.shifted;
        let x = |k: usize| shifted[k];
        for (p, &(i, j)) in self.pairs.iter().enumerate() {
            let (xi, xj) = (x(i), x(j));
            let a = xi * xj;
            let m = &mut self.moments[p];
            m[0] += a;
            m[1] += a * xi;
            m[2] += a * xj;
            m[3] += a * a;
        }
        for (byte, &value) in inputs.iter().enumerate().take(self.first.bytes()) {
            let at = (byte * 256 + usize::from(value)) * count;
            for (acc, &(i, j)) in self.products[at..at + count].iter_mut().zip(&self.pairs) {
                *acc += x(i) * x(j);
            }
        }
    }

    /// The guess for input byte `byte` whose model correlates best with the centered
    /// product of any pair; its `sample` is the pair's index in `pairs`.
    /// With no pairs, or none whose product varies, the peak is `-inf`.
    pub fn best_guess(&self, byte: usize, model: &[[f64; 256]]) -> Guess {
        let n = self.first.traces() as f64;
        let counts = self.first.counts(byte);
        let count = self.pairs.len();
        let mut best = Guess {
            key: 0,
            sample: 0,
            peak: f64::NEG_INFINITY,
        };
        for (p, &(i, j)) in self.pairs.iter().enumerate() {
            let (sum_i, sum_i2) = self.first.moments(i);
            let (sum_j, sum_j2) = self.first.moments(j);
            let (mi, mj) = (sum_i / n, sum_j / n);
            let [sum_a, sum_a_xi, sum_a_xj, sum_a2] = self.moments[p];
            // Σc and Σc² for c = (x_i - μ_i)(x_j - μ_j), expanded into the moments.
            let sum_c = sum_a - n * mi * mj;
            let sum_c2 = sum_a2 + mj * mj * sum_i2 + mi * mi * sum_j2 + n * mi * mi * mj * mj
                - 2.0 * mj * sum_a_xi
                - 2.0 * mi * sum_a_xj
                + 4.0 * mi * mj * sum_a
                - 2.0 * mi * mj * mj * sum_i
                - 2.0 * mi * mi * mj * sum_j;
            let var_c = n * sum_c2 - sum_c * sum_c;
            if var_c <= 0.0 {
                continue;
            }
            // Each value's Σc.
            let per_value: Vec<f64> = (0..256)
                .map(|value| {
                    let product = self.products[(byte * 256 + value) * count + p];
                    let xs = self.first.partial(byte, value)[i];
                    let ys = self.first.partial(byte, value)[j];
                    product - mj * xs - mi * ys + counts[value] as f64 * mi * mj
                })
                .collect();
            for (guess, row) in model.iter().enumerate().take(256) {
                let (mut sum_h, mut sum_h2, mut sum_hc) = (0.0, 0.0, 0.0);
                for value in 0..256 {
                    let h = row[value];
                    let c = counts[value] as f64;
                    sum_h += h * c;
                    sum_h2 += h * h * c;
                    sum_hc += h * per_value[value];
                }
                let var_h = n * sum_h2 - sum_h * sum_h;
                if var_h <= 0.0 {
                    continue;
                }
                let r = (n * sum_hc - sum_h * sum_c) / libm::sqrt(var_h * var_c);
                if r.abs() > best.peak {
                    best = Guess {
                        key: guess as u8,
                        sample: p,
                        peak: r.abs(),
                    };
                }
            }
        }
        best
    }
}
