//! The glitch map: every glitch rung of a run summed by fault point and method, from
//! what the attacked chips recorded of each glitch (aimed, landed, detected, acted) and
//! what the rungs spent and obtained.

use crate::attempt::Attempt;
use crate::model::GlitchMapRow;
use provsim_attacks::effort::Bench;
use std::collections::BTreeMap;

pub fn glitch_map(attempts: &[Attempt]) -> Vec<GlitchMapRow> {
    let mut rows = BTreeMap::new();
    let row = |point: &str, method: &str| GlitchMapRow {
        fault_point: point.to_owned(),
        method: method.to_owned(),
        rungs: 0,
        tries: 0,
        glitches: 0,
        landed: 0,
        detected: 0,
        acted: 0,
        successes: 0,
    };
    for rung in attempts.iter().flat_map(|a| &a.rungs) {
        for (point, method, tally) in &rung.glitches {
            let entry = rows
                .entry((*point, *method))
                .or_insert_with(|| row(point.name(), method.name()));
            entry.glitches += tally.aimed;
            entry.landed += tally.landed;
            entry.detected += tally.detected;
            entry.acted += tally.acted;
        }
        if let (Some(point), Bench::Glitcher(method)) = (rung.aim, rung.spent.bench) {
            let entry = rows
                .entry((point, method))
                .or_insert_with(|| row(point.name(), method.name()));
            entry.rungs += 1;
            entry.tries += rung.spent.count;
            // A success is a rung that made a claim false, as its oracle found.
            entry.successes += u64::from(!rung.violated.is_empty());
        }
    }
    rows.into_values().collect()
}
