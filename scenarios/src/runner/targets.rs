//! Which shipped devices an attack path is tried on.

use crate::labels;
use crate::scenario::{AttackPlan, Targets};
use provsim_provisioner::Ledger;
use provsim_sim::Seed;
use std::collections::BTreeMap;

/// The shipped devices path `plan_index` targets, in device order. A sample is drawn
/// from the path's own stream (labelled with its position in the scenario and its
/// attack), so it depends on no other path, and two paths with the same attack draw
/// apart. Listed devices that did not ship (rejected by the station) are not attacked.
/// A path on the line once the order is done acts on no device of the order: it is
/// tried once, recorded against the last shipped device.
pub fn select_targets(
    plan_index: usize,
    plan: &AttackPlan,
    seed: Seed,
    ledger: &Ledger,
) -> Vec<u64> {
    let mut chosen: Vec<u64> = match &plan.targets {
        Targets::All => (0..ledger.shipped())
            .filter_map(|p| ledger.index_at(p))
            .collect(),
        Targets::Devices(list) => list
            .iter()
            .copied()
            .filter(|&i| ledger.is_shipped(i))
            .collect(),
        Targets::Sample(n) => sample(
            ledger,
            u64::from(*n),
            &mut labels::targets(seed, plan_index, plan.attack),
        ),
    };
    chosen.sort_unstable();
    chosen.dedup();
    if plan.attack.position() == provsim_attacks::Position::Line && !chosen.is_empty() {
        chosen = ledger
            .shipped()
            .checked_sub(1)
            .and_then(|last| ledger.index_at(last))
            .into_iter()
            .collect();
    }
    chosen
}

/// The devices a path that acts on a run's returned or rejected parts (the RMA desk,
/// the scrap bin) is tried on, from `parts` in the run's order: as many as the plan's
/// sample asks, all of them, or those the plan lists.
pub fn listed_targets(plan: &AttackPlan, parts: &[u64]) -> Vec<u64> {
    match &plan.targets {
        Targets::Sample(n) => parts
            .iter()
            .copied()
            .take(usize::try_from(*n).unwrap_or(usize::MAX))
            .collect(),
        Targets::All => parts.to_vec(),
        Targets::Devices(list) => parts
            .iter()
            .copied()
            .filter(|index| list.contains(index))
            .collect(),
    }
}

/// The first `n` of the shipped devices after a partial Fisher-Yates shuffle drawn from
/// `stream`. The shuffle is kept only where it moved something, so a sample costs what
/// it takes, not a list of the whole lot.
fn sample(ledger: &Ledger, n: u64, stream: &mut provsim_sim::Stream) -> Vec<u64> {
    let shipped = ledger.shipped();
    let take = n.min(shipped);
    // Positions a swap has given another device; every other position holds its own.
    let mut moved: BTreeMap<u64, u64> = BTreeMap::new();
    let at = |moved: &BTreeMap<u64, u64>, p: u64| {
        moved
            .get(&p)
            .copied()
            .or_else(|| ledger.index_at(p))
            .unwrap_or(p)
    };
    let mut chosen = Vec::with_capacity(usize::try_from(take).unwrap_or(0));
    for i in 0..take {
        let j = i + stream.below(shipped - i);
        let (here, there) = (at(&moved, i), at(&moved, j));
        // Position i is final now (later swaps reach only positions after it).
        moved.insert(j, here);
        chosen.push(there);
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_sim::crypto::Fingerprint;

    /// The shuffle as it was done on the whole list, for comparison.
    fn whole_list(shipped: &[u64], n: u64, stream: &mut provsim_sim::Stream) -> Vec<u64> {
        let mut pool = shipped.to_vec();
        let take = (n as usize).min(pool.len());
        for i in 0..take {
            let j = i + stream.below((pool.len() - i) as u64) as usize;
            pool.swap(i, j);
        }
        pool.truncate(take);
        pool
    }

    #[test]
    fn a_sample_draws_what_the_whole_list_shuffle_drew() {
        let rejected = [1u64, 4, 5, 30, 31, 99];
        let entry = |index: u64| provsim_provisioner::LedgerEntry {
            index,
            device_id: provsim_devices::DeviceId(index),
            identity: (!rejected.contains(&index)).then_some(Fingerprint([7; 32])),
            trace: provsim_sim::Digest([0; 32]),
        };
        let ledger = Ledger::from_entries((0..100).map(entry)).unwrap();
        let shipped: Vec<u64> = (0..100).filter(|i| !rejected.contains(i)).collect();
        for (seed, n) in [(1, 0), (2, 1), (3, 4), (4, 50), (5, 94), (6, 200)] {
            let stream = || Seed::new(seed).stream("test/sample");
            assert_eq!(
                sample(&ledger, n, &mut stream()),
                whole_list(&shipped, n, &mut stream()),
                "seed {seed}, n {n}"
            );
        }
    }
}
