//! Replays every fuzz seed through the fuzz target's harness.

use std::path::Path;

#[test]
fn every_scenario_seed_replays_without_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/scenario");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    assert!(entries.len() >= 5, "seed corpus is missing");
    for path in entries {
        let data = std::fs::read(&path).unwrap();
        provsim_scenarios::fuzzing::scenario_bytes(&data);
    }
}
