//! `provsim explain ATTACK`: every attack in the catalogue explains itself, rated on
//! every kind of target, and an unknown id names the known ones.

mod common;

use serde_json::Value;

#[test]
fn every_attack_explains_itself_on_every_target() {
    let list = common::stdout(&common::provsim(&["list", "attacks"]));
    let ids: Vec<&str> = list
        .lines()
        .skip(1)
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
        let ratings = explained["ratings"].as_array().expect("ratings");
        let targets: Vec<&str> = ratings
            .iter()
            .filter_map(|r| r["target"].as_str())
            .collect();
        assert_eq!(targets, ["mcu", "asic", "se"], "{id}");
        for rating in ratings {
            // The total is the factors' points added up, or none with no window.
            let points: Option<u64> = ["elapsed", "expertise", "knowledge", "window", "equipment"]
                .iter()
                .map(|f| rating["factors"][f]["points"].as_u64())
                .sum();
            assert_eq!(rating["total"].as_u64(), points, "{id}");
            assert!(
                !rating["rationale"].as_str().unwrap_or("").is_empty(),
                "{id}"
            );
        }
        let text = common::stdout(&common::provsim(&["explain", id]));
        assert!(text.starts_with(&format!("{id}: ")), "{text}");
        assert!(text.contains("a success breaks a claim at: "), "{text}");
    }
}

/// The CPA on a stock MCU, by the CEM's tables: 1 + 6 + 0 + 1 + 4 = 12, Enhanced-Basic,
/// within the attacker of AVA_VAN.3 and up.
#[test]
fn the_cpa_on_an_mcu_is_enhanced_basic() {
    let output = common::provsim(&["explain", "cpa-storage-key", "--format", "json"]);
    let explained: Value = serde_json::from_str(&common::stdout(&output)).expect("JSON");
    let mcu = &explained["ratings"][0];
    assert_eq!(mcu["total"], 12);
    assert_eq!(mcu["attack_potential"], "Enhanced-Basic");
    assert_eq!(
        mcu["within"],
        serde_json::json!(["AVA_VAN.3", "AVA_VAN.4", "AVA_VAN.5"])
    );
    assert_eq!(explained["phase"], "field");
    assert_eq!(explained["acts_on"], "device");
    // A Basic path (a firmware update signed by a key of the attacker's): every level.
    let output = common::provsim(&["explain", "foreign-firmware-update", "--format", "json"]);
    let explained: Value = serde_json::from_str(&common::stdout(&output)).expect("JSON");
    let basic = explained["ratings"]
        .as_array()
        .expect("ratings")
        .iter()
        .find(|r| r["attack_potential"] == "Basic")
        .expect("a Basic rating");
    assert_eq!(
        basic["within"],
        serde_json::json!([
            "AVA_VAN.1",
            "AVA_VAN.2",
            "AVA_VAN.3",
            "AVA_VAN.4",
            "AVA_VAN.5"
        ])
    );
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
