//! The leakage model: how the values an operation computes (see [`intermediates`])
//! become the samples of a power trace.
//!
//! Each value is handled as `d + 1` shares when the design masks at order `d` (random
//! masks from the chip's own stream, the last share the value XOR every mask), and each
//! share leaks one sample: its Hamming weight, or the Hamming distance from what the
//! register held before (the previous share or value), scaled by what the shielding
//! lets through, plus Gaussian noise. Traces come from the seed: masks from the chip's
//! own stream, noise from the measurement's.
//!
//! Floats live here and in the analyses that read traces, never in the simulation
//! trace; `ln`, `cos` and `sqrt` come from `libm`, so the same seed gives the same
//! samples, bit for bit, on every machine.

pub mod intermediates;

pub use intermediates::{
    MeasuredOperation, SBOX, aes_first_rounds, aes_round_output, ladder_steps,
};

use crate::fault::Ratio;
use provsim_sim::Stream;

/// What a sample measures of the value a register takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerModel {
    /// Bits set in the value.
    HammingWeight,
    /// Bits that change from the register's previous value. Shares of one value that
    /// follow each other through one register leak their XOR this way: the value
    /// itself, which is how masking fails on such hardware.
    HammingDistance,
}

/// A chip's leakage: its power model, its noise, and its countermeasures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeakageModel {
    pub power: PowerModel,
    /// Standard deviation of the Gaussian noise, in thousandths of one bit's leakage.
    pub noise_milli: u32,
    /// Masking order: each value is split into `masking_order + 1` shares.
    pub masking_order: u8,
    /// The fraction of the signal the shielding lets through (1: no shield).
    pub shield: Ratio,
}

impl LeakageModel {
    /// A stock part: Hamming-weight leakage, noise of one bit, no masking, no shield.
    pub const STOCK: LeakageModel = LeakageModel {
        power: PowerModel::HammingWeight,
        noise_milli: 1_000,
        masking_order: 0,
        shield: Ratio::ALWAYS,
    };

    /// The trace of an operation that computes `values`, in order: `masking_order + 1`
    /// samples per value. Masks come from `masks` (the chip's own randomness, which the
    /// attacker never sees), noise from `noise` (the measurement's).
    pub fn trace(&self, values: &[u8], masks: &mut Stream, noise: &mut Stream) -> PowerTrace {
        let shares = usize::from(self.masking_order) + 1;
        let gain = self.shield.as_f64();
        let sigma = f64::from(self.noise_milli) / 1000.0;
        let mut samples = Vec::with_capacity(values.len() * shares);
        let mut register = 0u8;
        for &value in values {
            let mut last = value;
            for _ in 1..shares {
                let mask = masks.bytes::<1>()[0];
                last ^= mask;
                samples.push(self.sample(&mut register, mask, gain, sigma, noise));
            }
            samples.push(self.sample(&mut register, last, gain, sigma, noise));
        }
        PowerTrace { samples }
    }

    fn sample(&self, register: &mut u8, value: u8, gain: f64, sigma: f64, rng: &mut Stream) -> f64 {
        let bits = match self.power {
            PowerModel::HammingWeight => value.count_ones(),
            PowerModel::HammingDistance => (*register ^ value).count_ones(),
        };
        *register = value;
        gain * f64::from(bits) + sigma * gaussian(rng)
    }
}

impl Default for LeakageModel {
    fn default() -> Self {
        LeakageModel::STOCK
    }
}

/// Samples an attacker measured while the chip ran one operation.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerTrace {
    pub samples: Vec<f64>,
}

/// A uniform draw in (0, 1], from the stream's top 53 bits.
fn uniform(rng: &mut Stream) -> f64 {
    ((rng.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
}

/// A standard normal draw (Box-Muller).
fn gaussian(rng: &mut Stream) -> f64 {
    let radius = libm::sqrt(-2.0 * libm::log(uniform(rng)));
    radius * libm::cos(2.0 * core::f64::consts::PI * uniform(rng))
}

/// Pearson's correlation between `xs` and `ys` (0 when either does not vary): what a
/// correlation power analysis computes, here for tests and the attacks' use.
pub fn correlation(xs: &[f64], ys: &[f64]) -> f64 {
    // Over the pairs both have.
    let len = xs.len().min(ys.len());
    let (xs, ys) = (&xs[..len], &ys[..len]);
    let n = len as f64;
    if n < 2.0 {
        return 0.0;
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n;
    let (mx, my) = (mean(xs), mean(ys));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        return 0.0;
    }
    sxy / libm::sqrt(sxx * syy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_sim::Seed;

    #[test]
    fn noise_is_standard_normal_and_the_same_on_every_run() {
        let mut rng = Seed::new(5).stream("noise");
        let draws: Vec<f64> = (0..20_000).map(|_| gaussian(&mut rng)).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let var = draws.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / draws.len() as f64;
        assert!(
            mean.abs() < 0.03 && (var - 1.0).abs() < 0.05,
            "{mean} {var}"
        );
        let mut again = Seed::new(5).stream("noise");
        assert_eq!(gaussian(&mut again).to_bits(), draws[0].to_bits());
    }

    #[test]
    fn shares_recombine_to_the_value_and_shielding_scales_the_signal() {
        let quiet = LeakageModel {
            noise_milli: 0,
            ..LeakageModel::STOCK
        };
        let mut rng = Seed::new(1).stream("t");
        assert_eq!(
            quiet
                .trace(&[0xff, 0x01], &mut Seed::new(2).stream("m"), &mut rng)
                .samples,
            [8.0, 1.0]
        );
        let shielded = LeakageModel {
            shield: Ratio::new(1, 4).unwrap_or(Ratio::ALWAYS),
            ..quiet
        };
        assert_eq!(
            shielded
                .trace(&[0xff], &mut Seed::new(2).stream("m"), &mut rng)
                .samples,
            [2.0]
        );
        // Hamming distance from the register's last value.
        let hd = LeakageModel {
            power: PowerModel::HammingDistance,
            ..quiet
        };
        assert_eq!(
            hd.trace(&[0x0f, 0xff, 0xff], &mut Seed::new(2).stream("m"), &mut rng)
                .samples,
            [4.0, 4.0, 0.0]
        );
        // Second-order masking: three samples per value.
        let masked = LeakageModel {
            masking_order: 2,
            ..quiet
        };
        assert_eq!(
            masked
                .trace(&[1, 2], &mut Seed::new(2).stream("m"), &mut rng)
                .samples
                .len(),
            6
        );
    }

    #[test]
    fn correlation_of_a_line_is_one_and_of_a_constant_is_zero() {
        let xs = [1.0, 2.0, 3.0, 4.0];
        assert!((correlation(&xs, &[2.0, 4.0, 6.0, 8.0]) - 1.0).abs() < 1e-12);
        assert!((correlation(&xs, &[8.0, 6.0, 4.0, 2.0]) + 1.0).abs() < 1e-12);
        assert_eq!(correlation(&xs, &[3.0; 4]), 0.0);
        // Only the pairs both sides have count.
        assert!((correlation(&xs, &[1.0, 2.0]) - 1.0).abs() < 1e-12);
    }
}
