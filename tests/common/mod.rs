//! Running the `provsim` binary from tests.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `provsim ARGS` with the repository as working folder.
pub fn provsim(args: &[&str]) -> Output {
    provsim_in(&repo(), args)
}

pub fn provsim_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_provsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the provsim binary runs")
}

pub fn code(output: &Output) -> i32 {
    output.status.code().expect("provsim exited, not killed")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs a scenario into a fresh temporary folder; returns the folder and the output.
pub fn run_into(scenario: Option<&str>, seed: Option<u64>) -> (tempfile::TempDir, Output) {
    let out = tempfile::tempdir().expect("a temporary folder");
    let out_arg = out
        .path()
        .to_str()
        .expect("a UTF-8 temporary path")
        .to_owned();
    let seed_arg = seed.map(|s| s.to_string());
    let mut args = vec!["run"];
    if let Some(s) = scenario {
        args.push(s);
    }
    if let Some(s) = &seed_arg {
        args.extend(["--seed", s]);
    }
    args.extend(["--out", &out_arg]);
    let output = provsim(&args);
    (out, output)
}

/// Runs the scenario `text` (written to `s.toml` in a fresh temporary folder) with its
/// report in the folder's `out/`; returns the folder and the output.
#[allow(dead_code)] // Not every test file that shares this module runs scenario texts.
pub fn run_text(text: &str) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("s.toml");
    std::fs::write(&file, text).expect("the scenario written");
    let out = dir.path().join("out");
    let output = provsim(&[
        "run",
        file.to_str().expect("a UTF-8 path"),
        "--out",
        out.to_str().expect("a UTF-8 path"),
    ]);
    (dir, output)
}

pub fn report_json(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("report.json")).expect("report.json written");
    serde_json::from_str(&text).expect("report.json is JSON")
}

/// Splits a PEM bundle into its certificates.
pub fn split_pem(bundle: &str) -> Vec<String> {
    let mut certs = Vec::new();
    let mut current = String::new();
    for line in bundle.lines() {
        current.push_str(line);
        current.push('\n');
        if line.starts_with("-----END ") {
            certs.push(std::mem::take(&mut current));
        }
    }
    certs
}

/// An outside tool from the virtual environment `.ci/test` makes: `$env` first, then
/// `.ci/venv/bin/<name>`, then `PATH`. The first that answers `probe` wins. A missing
/// tool fails the test with how to install it: a skipped check proves nothing.
pub fn venv_tool(env: &str, name: &str, probe: &[&str], install: &str) -> PathBuf {
    let candidates = std::env::var_os(env)
        .map(PathBuf::from)
        .into_iter()
        .chain([repo().join(".ci/venv/bin").join(name), PathBuf::from(name)]);
    for candidate in candidates {
        if Command::new(&candidate)
            .args(probe)
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return candidate;
        }
    }
    panic!(
        "`{name}` was not found (tried ${env}, .ci/venv/bin, PATH): run `bash .ci/test`, or {install}"
    );
}

/// What a forger does to an audit log: every line's `prev` set to the hash of the line
/// before it as it now is, and every `hash` recomputed, so the chain is whole again.
/// Returns the log's text.
pub fn rehash_audit(lines: &[String]) -> String {
    const HASH: &str = ",\"hash\":\"";
    const PREV: &str = ",\"prev\":\"";
    let mut prev = "0".repeat(64);
    let mut out = String::new();
    for line in lines {
        let cut = line.rfind(HASH).expect("a record ends with its hash");
        let at = line[..cut]
            .rfind(PREV)
            .expect("a record names the previous hash");
        let prefix = format!("{}{PREV}{prev}\"", &line[..at]);
        prev = provsim_sim::to_hex(&provsim_sim::crypto::Sha256::digest(prefix.as_bytes()));
        out += &format!("{prefix}{HASH}{prev}\"}}\n");
    }
    out
}

/// The shipped devices' ids, in device order, from a run's signed records.
pub fn shipped_ids(out: &Path) -> Vec<String> {
    std::fs::read_to_string(out.join("records.jsonl"))
        .expect("records.jsonl")
        .lines()
        // The last line is the closing record, which names no device.
        .filter(|line| line.starts_with("{\"device\":\""))
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).expect("a record");
            record["device"].as_str().expect("a device id").to_owned()
        })
        .collect()
}

/// Every file below `dir`, by path relative to it.
pub fn output_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("output folder readable") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.file_name().is_some_and(|n| n != ".provsim.lock") {
                let name = path.strip_prefix(dir).expect("below dir");
                let bytes = std::fs::read(&path).expect("output file readable");
                found.insert(name.to_string_lossy().into_owned(), bytes);
            }
        }
    }
    found
}

/// The default scenario with the first `from` replaced by `to`, written into `dir`
/// as `name`; its path. Panics when `from` is not in the scenario (the test would
/// otherwise run the default unchanged).
pub fn default_scenario_with(dir: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let text = std::fs::read_to_string(repo().join("scenarios/mcu-board-provisioner-hsm.toml"))
        .expect("the default scenario");
    assert!(
        text.contains(from),
        "`{from}` is not in the default scenario"
    );
    let path = dir.join(name);
    std::fs::write(&path, text.replacen(from, to, 1)).expect("writable");
    path
}

/// `provsim rate` with the five factors (elapsed, expertise, knowledge, window,
/// equipment) and any further arguments.
pub fn rate(factors: [&str; 5], more: &[&str]) -> Output {
    let [elapsed, expertise, knowledge, window, equipment] = factors;
    let mut args = vec![
        "rate",
        "--elapsed",
        elapsed,
        "--expertise",
        expertise,
        "--knowledge",
        knowledge,
        "--window",
        window,
        "--equipment",
        equipment,
    ];
    args.extend(more);
    provsim(&args)
}
