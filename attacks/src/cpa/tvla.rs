//! A single-run fixed-vs-random t-test (the non-specific test TVLA and ISO/IEC 17825
//! build on; they count a leak only when two independent runs both exceed the
//! threshold at the same sample): traces of one fixed input and of random inputs, and
//! Welch's t statistic of the two sets at every sample. |t| above 4.5 at any sample
//! says the device leaks at first order, whatever the attack; below it, no first-order
//! leak shows at that trace count.
//!
//! Means and sums of squared deviations are kept by Welford's update in f64, traces in
//! order, so the same traces give the same bits everywhere; traces are never kept.

/// The threshold the test is read against.
pub const THRESHOLD: f64 = 4.5;

/// Running moments of one set at every sample.
#[derive(Debug, Clone, PartialEq)]
struct Moments {
    n: u64,
    mean: Vec<f64>,
    /// Σ (x - mean)², by Welford's update.
    m2: Vec<f64>,
}

impl Moments {
    fn new(samples: usize) -> Moments {
        Moments {
            n: 0,
            mean: vec![0.0; samples],
            m2: vec![0.0; samples],
        }
    }

    fn add(&mut self, trace: &[f64]) {
        self.n += 1;
        let n = self.n as f64;
        for ((mean, m2), &x) in self.mean.iter_mut().zip(&mut self.m2).zip(trace) {
            let delta = x - *mean;
            *mean += delta / n;
            *m2 += delta * (x - *mean);
        }
    }

    /// The unbiased variance at `sample`.
    fn variance(&self, sample: usize) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        self.m2[sample] / (self.n - 1) as f64
    }
}

/// Welch's t of a fixed set against a random set, sample by sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Tvla {
    fixed: Moments,
    random: Moments,
}

/// Where the test peaks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peak {
    pub sample: usize,
    /// Welch's t there (its sign says which set's mean is higher).
    pub t: f64,
}

impl Tvla {
    pub fn new(samples: usize) -> Tvla {
        Tvla {
            fixed: Moments::new(samples),
            random: Moments::new(samples),
        }
    }

    /// Adds a trace to the fixed set (`fixed`) or the random one.
    pub fn add(&mut self, fixed: bool, trace: &[f64]) {
        if fixed {
            self.fixed.add(trace);
        } else {
            self.random.add(trace);
        }
    }

    /// Traces in the fixed and the random set.
    pub fn counts(&self) -> (u64, u64) {
        (self.fixed.n, self.random.n)
    }

    /// Welch's t at `sample`: the difference of the means over the root of the sum of
    /// each set's variance over its count. 0 when either set has fewer than two traces
    /// (see [`Tvla::enough`]) or neither varies and the means agree; infinite when
    /// neither varies and the means differ (a noiseless leak).
    pub fn t(&self, sample: usize) -> f64 {
        let (f, r) = (&self.fixed, &self.random);
        if !self.enough() {
            return 0.0;
        }
        let difference = f.mean[sample] - r.mean[sample];
        let spread = f.variance(sample) / f.n as f64 + r.variance(sample) / r.n as f64;
        if spread <= 0.0 {
            return if difference == 0.0 {
                0.0
            } else {
                f64::INFINITY.copysign(difference)
            };
        }
        difference / libm::sqrt(spread)
    }

    /// Whether both sets have the two traces a variance needs.
    pub fn enough(&self) -> bool {
        self.fixed.n >= 2 && self.random.n >= 2
    }

    /// The sample where |t| is largest (the first such), or `None` with no samples.
    pub fn peak(&self) -> Option<Peak> {
        (0..self.fixed.mean.len())
            .map(|sample| Peak {
                sample,
                t: self.t(sample),
            })
            .fold(None, |best: Option<Peak>, p| match best {
                Some(b) if b.t.abs() >= p.t.abs() => Some(b),
                _ => Some(p),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Welch's t by its textbook formula on a small example, computed by hand: fixed
    /// {1, 2, 3} (mean 2, variance 1), random {2, 4, 6, 8} (mean 5, variance 20/3):
    /// t = (2 - 5) / sqrt(1/3 + (20/3)/4) = -3 / sqrt(2).
    #[test]
    fn welch_t_matches_the_formula() {
        let mut test = Tvla::new(1);
        for x in [1.0, 2.0, 3.0] {
            test.add(true, &[x]);
        }
        for x in [2.0, 4.0, 6.0, 8.0] {
            test.add(false, &[x]);
        }
        let expected = -3.0 / 2f64.sqrt();
        assert!((test.t(0) - expected).abs() < 1e-12, "{}", test.t(0));
        assert_eq!(test.counts(), (3, 4));
        assert_eq!(test.peak().map(|p| p.sample), Some(0));
    }

    #[test]
    fn a_noiseless_difference_is_an_infinite_t() {
        let mut test = Tvla::new(1);
        for _ in 0..2 {
            test.add(true, &[3.0]);
            test.add(false, &[1.0]);
        }
        assert_eq!(test.t(0), f64::INFINITY);
    }

    #[test]
    fn too_few_traces_or_no_spread_give_zero() {
        let mut test = Tvla::new(2);
        test.add(true, &[1.0, 1.0]);
        test.add(false, &[2.0, 1.0]);
        assert_eq!(test.t(0), 0.0);
        for _ in 0..3 {
            test.add(true, &[1.0, 1.0]);
            test.add(false, &[1.0, 1.0]);
        }
        assert_eq!(test.t(1), 0.0);
        assert!(Tvla::new(0).peak().is_none());
    }
}
