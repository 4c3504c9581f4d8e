//! Which shipped devices an attack path is tried on.

use crate::labels;
use crate::scenario::{AttackPlan, Targets};
use provsim_provisioner::LineSummary;
use provsim_sim::Seed;

/// The shipped devices path `plan_index` targets, in device order. A sample is drawn
/// from the path's own stream (labelled with its position in the scenario and its
/// attack), so it depends on no other path, and two paths with the same attack draw
/// apart. Listed devices that did not ship (rejected by the station) are not attacked.
pub fn select_targets(
    plan_index: usize,
    plan: &AttackPlan,
    seed: Seed,
    summary: &LineSummary,
) -> Vec<u64> {
    let shipped: Vec<u64> = summary.shipped.iter().map(|d| d.index).collect();
    let mut chosen = match &plan.targets {
        Targets::All => shipped,
        Targets::Devices(list) => list
            .iter()
            .copied()
            .filter(|i| shipped.binary_search(i).is_ok())
            .collect(),
        Targets::Sample(n) => {
            let mut pool = shipped;
            let take = (*n as usize).min(pool.len());
            let mut stream = labels::targets(seed, plan_index, plan.attack);
            for i in 0..take {
                let j = i + stream.below((pool.len() - i) as u64) as usize;
                pool.swap(i, j);
            }
            pool.truncate(take);
            pool
        }
    };
    chosen.sort_unstable();
    chosen.dedup();
    chosen
}
