//! Which shipped devices come back from the field (RMA), after the lots.

use crate::labels;
use crate::ledger::book::Ledger;
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

    /// Positions among the ledger's shipped devices (in device order) of the returned
    /// devices, sorted: the listed ones that shipped, and `sample` more drawn uniformly
    /// from the rest by Floyd's method, so the cost and memory follow the returns, not
    /// the lot.
    pub(crate) fn select(&self, seed: Seed, ledger: &Ledger) -> Vec<u64> {
        let mut listed: Vec<u64> = self
            .devices
            .iter()
            .filter_map(|&i| ledger.position_of(i))
            .collect();
        listed.sort_unstable();
        listed.dedup();
        // The rest, as positions 0..rest; the k-th of them is the k-th shipped position
        // that is not listed.
        let rest = ledger.shipped() - listed.len() as u64;
        let take = u64::from(self.sample).min(rest);
        let mut stream = labels::returns(seed);
        let mut drawn = BTreeSet::new();
        for bound in rest - take..rest {
            let pick = stream.below(bound + 1);
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

    use crate::ledger::book::{LedgerBook, LedgerEntry};

    /// A ledger of devices `0..=max` in which those of `indices` shipped.
    fn ledger(indices: &[u64]) -> Ledger {
        let mut book = LedgerBook::new(None, 0);
        for index in 0..=indices.iter().copied().max().unwrap_or(0) {
            let shipped = indices.contains(&index);
            let entry = LedgerEntry {
                index,
                device_id: provsim_devices::DeviceId(index),
                identity: shipped.then_some(provsim_sim::crypto::Fingerprint([0; 32])),
                trace: provsim_sim::Digest([0; 32]),
            };
            book.push(&entry).unwrap();
        }
        book.close().unwrap()
    }

    #[test]
    fn a_plan_selects_only_shipped_devices_once_and_in_order() {
        let shipped = ledger(&[0, 2, 3, 5, 8, 9]);
        let plan = ReturnPlan {
            devices: vec![9, 4, 2, 2],
            sample: 2,
        };
        let chosen = plan.select(Seed::new(1), &shipped);
        let indices: Vec<u64> = chosen.iter().filter_map(|&p| shipped.index_at(p)).collect();
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
                counts[p as usize] += 1;
            }
        }
        assert_eq!(counts[2], 3000);
        for (p, &n) in counts.iter().enumerate().filter(|&(p, _)| p != 2) {
            assert!((480..=720).contains(&n), "position {p}: {n}");
        }
    }
}
