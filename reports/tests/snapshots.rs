//! Snapshots of every report format, for a broken and a holding run.

use provsim_reports::{render_json, render_markdown};
use provsim_scenarios::{RunOptions, builtin, run};

fn report(name: &str) -> provsim_scenarios::RunReport {
    let scenario = builtin(name).unwrap().load().unwrap();
    let path = format!("scenarios/{name}.toml");
    let mut report = run(&scenario, &RunOptions::new(1, Some(&path)), &mut ()).unwrap();
    // The command line writes the shell line into the report before rendering it; this
    // stands in for it (tests/cli.rs checks the real one against the golden reports).
    report.reproduce.command = Some(format!("provsim run {path} --seed 1"));
    report
}

#[test]
fn markdown_of_a_broken_claim() {
    insta::assert_snapshot!(render_markdown(&report("mcu-board-debug-open")));
}

#[test]
fn markdown_of_claims_that_hold() {
    insta::assert_snapshot!(render_markdown(&report("mcu-board-provisioner-hsm")));
}

#[test]
fn markdown_of_a_what_if_lock_sequence() {
    insta::assert_snapshot!(render_markdown(&report("mcu-lock-what-if")));
}

#[test]
fn json_of_a_broken_claim() {
    insta::assert_snapshot!(render_json(&report("mcu-board-debug-open")).unwrap());
}

#[test]
fn json_is_valid_and_carries_the_required_fields() {
    let text = render_json(&report("mcu-board-provisioner-hsm")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    for field in [
        "scenario",
        "seed",
        "trace_digest",
        "reproduce",
        "devices",
        "attempts",
        "claims",
        "locks",
    ] {
        assert!(value.get(field).is_some(), "missing {field}");
    }
    assert!(
        value["reproduce"].is_string(),
        "the reproduce line is a command, not {}",
        value["reproduce"]
    );
    assert_eq!(value["claims"][0]["verdict"], "holds");
    assert!(value["devices"]["count"].as_u64().unwrap() > 0);
}

/// The glitch map of the secure element's run: the card's access check by method, what
/// its detectors caught and the one method that got through.
#[test]
fn markdown_glitch_map_of_the_secure_element() {
    let text = render_markdown(&report("se-board-provisioner-hsm"));
    let start = text.find("## Glitch map").expect("a glitch map");
    let end = start
        + text[start..]
            .find("\n## ")
            .map_or(text.len() - start, |i| i + 1);
    insta::assert_snapshot!(&text[start..end]);
}
