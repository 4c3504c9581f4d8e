//! `provsim explain ATTACK`: every attack in the catalogue explains itself, rated on
//! every kind of target, and an unknown id names the known ones.

mod common;

use serde_json::Value;

#[test]
fn every_attack_explains_itself_on_every_target() {
    let list = common::stdout(&common::provsim(&["list", "attacks"]));
    let ids: Vec<&str> = list
        .lines()
        .filter(|line| line.starts_with("    "))
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(ids.len() >= 6, "{list}");
    for id in ids {
        let output = common::provsim(&["explain", id, "--format", "json"]);
        assert_eq!(
            common::code(&output),
            0,
            "{id}: {}",
            common::stderr(&output)
        );
        let explained: Value = serde_json::from_str(&common::stdout(&output)).expect("JSON");
        assert_eq!(explained["id"], id);
        let per_target = explained["targets"].as_array().expect("targets");
        let targets: Vec<&str> = per_target
            .iter()
            .filter_map(|r| r["target"].as_str())
            .collect();
        assert_eq!(targets, ["mcu", "asic", "se"], "{id}");
        for target in per_target {
            let ladder = target["ladder"].as_array().expect("ladder");
            assert!(!ladder.is_empty(), "{id}");
            let mut last = 0;
            for rung in ladder {
                // The total is the factors' points added up, or none with no window;
                // every factor says why it has its level.
                let points: Option<u64> =
                    ["elapsed", "expertise", "knowledge", "window", "equipment"]
                        .iter()
                        .map(|f| rung["factors"][f]["points"].as_u64())
                        .sum();
                assert_eq!(rung["total"].as_u64(), points, "{id}");
                for f in ["elapsed", "expertise", "knowledge", "window", "equipment"] {
                    assert!(!rung["factors"][f]["why"].as_str().unwrap_or("").is_empty());
                }
                // Cheapest first.
                let total = rung["total"].as_u64().unwrap_or(u64::MAX);
                assert!(total >= last, "{id}: {rung:#}");
                last = total;
            }
        }
        let text = common::stdout(&common::provsim(&["explain", id]));
        assert!(text.starts_with(&format!("{id}: ")), "{text}");
        assert!(text.contains("  on mcu:\n     1. "), "{text}");
    }
}

/// The CPA's ladder on a stock MCU, by the CEM's tables: first order at up to 100,000
/// traces per round is 0 + 3 + 0 + 1 + 4 = 8, Basic (every level); a million traces
/// per round keeps the bench busy past a day, 1 + 3 + 0 + 4 + 4 = 12, Enhanced-Basic;
/// second order is expert work, 1 + 6 + 0 + 4 + 4 = 15, Moderate.
#[test]
fn the_cpa_ladder_on_an_mcu_climbs_from_basic_to_moderate() {
    let output = common::provsim(&["explain", "cpa-storage-key", "--format", "json"]);
    let explained: Value = serde_json::from_str(&common::stdout(&output)).expect("JSON");
    let mcu = &explained["targets"][0];
    assert_eq!(mcu["target"], "mcu");
    let ladder = mcu["ladder"].as_array().expect("ladder");
    let rated: Vec<(&str, u64, &str)> = ladder
        .iter()
        .map(|r| {
            (
                r["rung"].as_str().unwrap(),
                r["total"].as_u64().unwrap(),
                r["attack_potential"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(rated[0], ("100 traces per round, first order", 8, "Basic"));
    assert_eq!(
        rated[3],
        ("100000 traces per round, first order", 8, "Basic")
    );
    assert_eq!(
        rated[4],
        (
            "1000000 traces per round, first order",
            12,
            "Enhanced-Basic"
        )
    );
    assert_eq!(
        rated[5],
        ("100 traces per round, second order", 15, "Moderate")
    );
    assert_eq!(
        ladder[4]["within"],
        serde_json::json!(["AVA_VAN.3", "AVA_VAN.4", "AVA_VAN.5"])
    );
    assert_eq!(
        ladder[0]["within"],
        serde_json::json!([
            "AVA_VAN.1",
            "AVA_VAN.2",
            "AVA_VAN.3",
            "AVA_VAN.4",
            "AVA_VAN.5"
        ])
    );
    assert_eq!(explained["phase"], "field");
    assert_eq!(explained["acts_on"], "device");
}

#[test]
fn an_unknown_attack_names_the_known_ones() {
    let output = common::provsim(&["explain", "cpa-storage-kee\u{1b}[2J"]);
    assert_eq!(common::code(&output), 2);
    let error = common::stderr(&output);
    assert!(error.contains("no attack `cpa-storage-kee"), "{error}");
    assert!(
        !error.contains('\u{1b}'),
        "the escape is shown, not sent: {error}"
    );
    assert!(error.contains("cpa-storage-key"), "{error}");
}

/// The text people read, for one attack and one rating: kept as snapshots.
#[test]
fn explain_and_rate_text_snapshots() {
    let explain = common::stdout(&common::provsim(&["explain", "glitch-debug-readout"]));
    insta::assert_snapshot!("explain_glitch_debug_readout", explain);
    let rate = common::stdout(&common::rate(
        ["2m", "expert", "restricted", "none", "bespoke"],
        &[],
    ));
    insta::assert_snapshot!("rate_not_exploitable", rate);
    let rate = common::stdout(&common::rate(
        ["1w", "proficient", "public", "easy", "standard"],
        &[],
    ));
    insta::assert_snapshot!("rate_basic", rate);
}
