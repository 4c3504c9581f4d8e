//! `provsim replay`: a report reruns from its embedded scenario in another folder and
//! reproduces its trace digest; an edited scenario is named by the first device whose
//! trace it changes; what is not a report is refused.

mod common;

use common::{code, provsim_in, repo, stderr, stdout};
use std::fs;

/// mcu-board-insider run into a temporary folder: the folder, the scenario file and the
/// run's output folder.
fn insider_run() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let scenario = repo().join("scenarios/mcu-board-insider.toml");
    let run = dir.path().join("run");
    let (file, out) = (scenario.display().to_string(), run.display().to_string());
    let output = provsim_in(dir.path(), &["run", &file, "--out", &out]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    (dir, scenario, run)
}

/// The scenario `text` with the debug lock skipped, written into `dir`: an edit that
/// changes every device's pass.
fn unlocked(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("unlocked.toml");
    fs::write(
        &path,
        text.replace("lock_debug = true", "lock_debug = false"),
    )
    .unwrap();
    path
}

#[test]
fn a_report_replays_from_another_folder_and_an_edit_names_its_first_device() {
    let (dir, scenario, run) = insider_run();
    // The report and the digests, moved elsewhere; the scenario file is not needed.
    let moved = dir.path().join("moved");
    fs::create_dir(&moved).unwrap();
    for file in ["report.json", "digests.jsonl"] {
        fs::copy(run.join(file), moved.join(file)).unwrap();
    }
    let elsewhere = dir.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let report = moved.join("report.json").display().to_string();
    let output = provsim_in(&elsewhere, &["replay", &report]);
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), stderr(&output));
    let recorded: serde_json::Value =
        serde_json::from_slice(&fs::read(moved.join("report.json")).unwrap()).unwrap();
    let digest = recorded["trace_digest"].as_str().unwrap();
    assert!(stdout(&output).contains(&format!(
        "reproduced: trace digest {digest} over 8 device(s)"
    )));
    assert_eq!(
        recorded["scenario"]["text"].as_str().unwrap(),
        fs::read_to_string(&scenario).unwrap()
    );

    // An edit that changes every device's pass: the first device is named.
    let text = fs::read_to_string(&scenario).unwrap();
    let unlocked = unlocked(dir.path(), &text);
    let output = provsim_in(
        &elsewhere,
        &[
            "replay",
            &report,
            "--scenario",
            &unlocked.display().to_string(),
        ],
    );
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output).contains("first differing device: 0 `5053000100000000` (recorded trace"),
        "{}",
        stdout(&output)
    );
    // One device fewer: the last is named as never taken.
    let fewer = dir.path().join("fewer.toml");
    fs::write(&fewer, text.replace("devices = 8", "devices = 7")).unwrap();
    let output = provsim_in(
        &elsewhere,
        &[
            "replay",
            &report,
            "--scenario",
            &fewer.display().to_string(),
        ],
    );
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output)
            .contains("first differing device: 7 `5053000100000007`, which the replay never took"),
        "{}",
        stdout(&output)
    );

    // A tampered digest is a difference at that device.
    let digests = fs::read_to_string(moved.join("digests.jsonl")).unwrap();
    let mut lines: Vec<String> = digests.lines().map(str::to_owned).collect();
    let mut entry: serde_json::Value = serde_json::from_str(&lines[3]).unwrap();
    entry["trace"] = "0".repeat(64).into();
    lines[3] = entry.to_string();
    fs::write(moved.join("digests.jsonl"), lines.join("\n") + "\n").unwrap();
    let output = provsim_in(&elsewhere, &["replay", &report]);
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output).contains("first differing device: 3 `5053000100000003`"),
        "{}",
        stdout(&output)
    );
}

/// A report edited after its run (a verdict turned, its scenario's text touched) is
/// caught: the rerun states otherwise, or the text's hash no longer matches.
#[test]
fn an_edited_report_is_caught() {
    let (dir, _, run) = insider_run();
    let path = run.join("report.json");
    let original = fs::read_to_string(&path).unwrap();
    let report = path.display().to_string();
    let turned = original.replacen("\"verdict\": \"broken\"", "\"verdict\": \"holds\"", 1);
    assert_ne!(turned, original);
    fs::write(&path, &turned).unwrap();
    let output = provsim_in(dir.path(), &["replay", &report]);
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    assert!(
        stdout(&output).contains("run verdict `holds`, replayed `broken`"),
        "{}",
        stdout(&output)
    );
    let touched = original.replacen("# ", "#  ", 1);
    assert_ne!(touched, original);
    fs::write(&path, &touched).unwrap();
    let output = provsim_in(dir.path(), &["replay", &report]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("the report is damaged"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn what_is_not_a_report_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("report.json");
    fs::write(&bad, "{\"seed\": 1,\n \"trace_digest\": ").unwrap();
    let output = provsim_in(dir.path(), &["replay", &bad.display().to_string()]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("report.json:2:"),
        "{}",
        stderr(&output)
    );
    fs::write(&bad, "{\"seed\": 1, \"trace_digest\": \"ab\"}").unwrap();
    let output = provsim_in(dir.path(), &["replay", &bad.display().to_string()]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("no `/scenario/text`"),
        "{}",
        stderr(&output)
    );
}

/// A report copied alone (no digests.jsonl beside it) still replays: its trace digest
/// covers every device's, so a reproduction is exit 0 and an edited scenario exit 1,
/// saying the first differing device needs the digests.
#[test]
fn a_report_alone_replays_against_its_trace_digest() {
    let (dir, scenario, run) = insider_run();
    let alone = dir.path().join("alone");
    fs::create_dir(&alone).unwrap();
    fs::copy(run.join("report.json"), alone.join("report.json")).unwrap();
    let report = alone.join("report.json").display().to_string();
    let output = provsim_in(&alone, &["replay", &report]);
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), stderr(&output));
    assert!(stdout(&output).contains("reproduced: trace digest"));
    assert!(stdout(&output).contains("a difference cannot be traced to a device"));
    let text = fs::read_to_string(&scenario).unwrap();
    let unlocked = unlocked(dir.path(), &text);
    let edited = unlocked.display().to_string();
    let output = provsim_in(&alone, &["replay", &report, "--scenario", &edited]);
    assert_eq!(code(&output), 1, "{}{}", stdout(&output), stderr(&output));
    assert!(
        stdout(&output).contains("put the run's digests.jsonl beside the report"),
        "{}",
        stdout(&output)
    );
}
