//! Which shipped devices come back from the field (RMA), after the lots.

use crate::labels;
use crate::ledger::ShippedDevice;
use provsim_sim::Seed;
use std::collections::BTreeSet;

/// Which shipped devices come back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnPlan {
    /// Device indices; one that did not ship cannot come back and is skipped.
    pub devices: Vec<u64>,
    /// This many more shipped devices, drawn from the seed.
    pub sample: u32,
}

impl ReturnPlan {
    pub fn is_empty(&self) -> bool {
        self.devices.is_empty() && self.sample == 0
    }

    /// Positions in `shipped` (the ledger, in device order) of the returned devices,
    /// sorted: the listed ones that shipped, and `sample` more drawn uniformly from the
    /// rest by Floyd's method, so the cost and memory follow the returns, not the lot.
    pub(crate) fn select(&self, seed: Seed, shipped: &[ShippedDevice]) -> Vec<usize> {
        let position = |index: u64| shipped.binary_search_by_key(&index, |d| d.index).ok();
        let mut listed: Vec<usize> = self.devices.iter().filter_map(|&i| position(i)).collect();
        listed.sort_unstable();
        listed.dedup();
        // The rest, as positions 0..rest; the k-th of them is the k-th position of
        // `shipped` that is not listed.
        let rest = shipped.len() - listed.len();
        let take = (self.sample as usize).min(rest);
        let mut stream = labels::returns(seed);
        let mut drawn = BTreeSet::new();
        for bound in rest - take..rest {
            let pick = stream.below(bound as u64 + 1) as usize;
            if !drawn.insert(pick) {
                drawn.insert(bound);
            }
        }
        let mut chosen = listed.clone();
        for k in drawn {
            let mut at = k;
            for &skip in &listed {
                if skip <= at {
                    at += 1;
                } else {
                    break;
                }
            }
            chosen.push(at);
        }
        chosen.sort_unstable();
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger(indices: &[u64]) -> Vec<ShippedDevice> {
        indices
            .iter()
            .map(|&index| ShippedDevice {
                index,
                device_id: provsim_devices::DeviceId(index),
                identity: provsim_sim::crypto::Fingerprint([0; 32]),
            })
            .collect()
    }

    #[test]
    fn a_plan_selects_only_shipped_devices_once_and_in_order() {
        let shipped = ledger(&[0, 2, 3, 5, 8, 9]);
        let plan = ReturnPlan {
            devices: vec![9, 4, 2, 2],
            sample: 2,
        };
        let chosen = plan.select(Seed::new(1), &shipped);
        let indices: Vec<u64> = chosen.iter().map(|&p| shipped[p].index).collect();
        assert_eq!(indices.len(), 4);
        assert!(indices.contains(&9) && indices.contains(&2) && !indices.contains(&4));
        assert!(chosen.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(chosen, plan.select(Seed::new(1), &shipped));
        let all = ReturnPlan {
            devices: vec![3],
            sample: 100,
        };
        assert_eq!(
            all.select(Seed::new(2), &shipped),
            (0..6).collect::<Vec<_>>()
        );
        assert!(
            ReturnPlan::default()
                .select(Seed::new(3), &shipped)
                .is_empty()
        );
    }

    /// Every unlisted device is equally likely to be drawn: 3000 draws of one from five.
    #[test]
    fn the_sample_is_uniform_over_the_unlisted_devices() {
        let shipped = ledger(&[0, 1, 2, 3, 4, 5]);
        let plan = ReturnPlan {
            devices: vec![2],
            sample: 1,
        };
        let mut counts = [0u32; 6];
        for seed in 0..3000 {
            for p in plan.select(Seed::new(seed), &shipped) {
                counts[p] += 1;
            }
        }
        assert_eq!(counts[2], 3000);
        for (p, &n) in counts.iter().enumerate().filter(|&(p, _)| p != 2) {
            assert!((480..=720).contains(&n), "position {p}: {n}");
        }
    }
}
