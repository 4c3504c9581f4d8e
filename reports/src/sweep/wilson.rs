//! The Wilson score interval: how sure a break rate measured over a sweep's seeds is.
//!
//! A sweep counts, per claim, the seeds on which the claim broke. The plain ratio says
//! nothing about how far the true rate may lie from it, and the textbook normal
//! interval collapses to a point at 0 and n (0 of 200 broken would "prove" a zero
//! rate). Wilson's interval stays inside [0, 1], is never a point, and is what
//! evaluators quote for small counts.

/// The two-sided 95% normal quantile.
const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson 95% interval for `k` successes in `n` trials, as (low, high); (0, 1)
/// for no trials, which say nothing.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n_f = n as f64;
    let p = k.min(n) as f64 / n_f;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denominator;
    let half = Z95 * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denominator;
    // At 0 and n the bound sits on the edge; rounding must not push it past.
    let low = if k == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if k >= n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (low, high)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: (f64, f64), want: (f64, f64)) {
        assert!(
            (got.0 - want.0).abs() < 5e-5 && (got.1 - want.1).abs() < 5e-5,
            "got {got:?}, want {want:?}"
        );
    }

    /// Reference values (Wilson 1927; as R's `prop.test(k, n, correct = FALSE)` and
    /// statsmodels' `proportion_confint(k, n, method="wilson")` give them).
    #[test]
    fn pinned_to_reference_values() {
        close(wilson(0, 10), (0.0, 0.2775));
        close(wilson(5, 10), (0.2366, 0.7634));
        close(wilson(10, 10), (0.7225, 1.0));
        close(wilson(1, 200), (0.000_883, 0.027_77));
    }

    #[test]
    fn stays_inside_the_unit_interval_and_contains_the_ratio() {
        for n in 1..60u64 {
            for k in 0..=n {
                let (low, high) = wilson(k, n);
                let p = k as f64 / n as f64;
                assert!((0.0..=1.0).contains(&low) && (0.0..=1.0).contains(&high));
                assert!(low <= p && p <= high, "{k}/{n}: {low} {high}");
                assert!(low < high);
            }
        }
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }
}
