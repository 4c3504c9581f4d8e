//! What a run will draw from its seed, said before it starts: an evaluator reading a
//! log knows which choices the seed made (and so what another seed would change)
//! without reading the scenario format's documentation.

use crate::scenario::{Scenario, Targets};
use provsim_provisioner::PERFECT_YIELD_PPM;

/// One line per choice the seed makes in this scenario, each naming the labelled
/// stream it comes from, in the order the run makes them, the run id first. Every line
/// begins with two spaces, for a block under the run's header.
pub fn seeded_choices(scenario: &Scenario, seed: u64) -> Vec<String> {
    let mut lines = vec![format!(
        "  run id {} (SHA-256 of the scenario's values and seed {seed}; the books name it)",
        scenario.run_id(seed)
    )];
    lines.extend(drawn_from_any_seed(scenario));
    lines
}

/// What any seed decides in this scenario (a sweep says it once for all its seeds):
/// [`seeded_choices`] without the run id.
pub fn drawn_from_any_seed(scenario: &Scenario) -> Vec<String> {
    let dies = scenario
        .line
        .order
        .as_ref()
        .map_or(scenario.device_count(), |order| {
            order.devices.min(scenario.device_count())
        });
    let mut lines = vec![
        "the site's keys, certificates and key ceremony: streams site/*, chip-maker/die-ca, se-vendor/batch-transport-key, registrar/*".to_owned(),
        format!(
            "each die's keys, tokens, nonces and serials (at least {dies} dies, more where parts are refused): streams device/<index>/*"
        ),
    ];
    let yields = scenario.line.yields;
    let failing: Vec<String> = [
        ("wafer", yields.wafer),
        ("package", yields.package),
        ("board", yields.board),
    ]
    .into_iter()
    .filter(|(_, ppm)| *ppm < PERFECT_YIELD_PPM)
    .map(|(level, ppm)| format!("{level} {}%", f64::from(ppm) / 10_000.0))
    .collect();
    if !failing.is_empty() {
        lines.push(format!(
            "which dies fail test, at yields {}: streams device/<index>/test/<level>",
            failing.join(", ")
        ));
    }
    let faults = scenario.line.link.faults;
    if faults.drop_ppm + faults.duplicate_ppm + faults.tamper_ppm + faults.replay_ppm > 0
        || faults.jitter > provsim_sim::SimDuration::ZERO
    {
        lines.push(
            "which datagrams on the provisioning link are dropped, duplicated, tampered with, replayed or delayed: streams site/link/<phase>/network, device/<index>/link/network".to_owned(),
        );
    }
    if scenario.line.returns.sample > 0 {
        lines.push(format!(
            "which {} shipped part(s) come back under RMA: stream returns",
            scenario.line.returns.sample
        ));
    }
    for (index, plan) in scenario.attacks.iter().enumerate() {
        let id = plan.attack.id();
        if let Targets::Sample(n) = plan.targets {
            lines.push(format!(
                "which {n} device(s) {id} attacks: stream attack/{index}/{id}/targets"
            ));
        }
    }
    if !scenario.attacks.is_empty() {
        lines.push(
            "what each attack path makes up on each rung (guesses, plaintexts, glitch timing, whether a detector catches a pulse) and the oracles' challenges to parts it holds: streams attack/<path>/<attack>/device/<index>/rung/<rung>, attack/part-challenge/*, and replay/* for its copy of the link and registrar".to_owned(),
        );
    }
    lines.into_iter().map(|l| format!("  {l}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The block names the run id of this seed, and every sampled path's stream.
    #[test]
    fn the_block_names_the_seeds_choices() {
        let builtin = crate::builtin("se-board-provisioner-hsm").unwrap();
        let scenario = crate::parse_str(builtin.text, "builtin:se").unwrap();
        let lines = seeded_choices(&scenario, 7);
        assert!(lines.iter().all(|l| l.starts_with("  ")));
        assert!(
            lines[0].contains(&scenario.run_id(7).to_string()),
            "{lines:?}"
        );
        assert_ne!(scenario.run_id(7), scenario.run_id(8));
        let joined = lines.join("\n");
        assert!(
            joined.contains("which 1 shipped part(s) come back"),
            "{joined}"
        );
        assert!(
            joined.contains(
                "which 2 device(s) cpa-storage-key attacks: stream attack/4/cpa-storage-key/targets"
            ),
            "{joined}"
        );
        assert!(!joined.contains("fail test"), "{joined}");
    }
}
