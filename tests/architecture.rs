//! The shape of the house, checked mechanically: the crate graph is a line from the
//! kernel up to the CLI, the simulated crates never pull in tokio (they stay sans-IO),
//! and every crate forbids unsafe code.

mod common;

use common::repo;
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

/// Bottom to top.
const LINE: &[&str] = &[
    "provsim-sim",
    "provsim-devices",
    "provsim-provisioner",
    "provsim-attacks",
    "provsim-scenarios",
    "provsim-reports",
    "provsim",
];

const SIMULATED: &[&str] = &[
    "provsim-sim",
    "provsim-devices",
    "provsim-provisioner",
    "provsim-attacks",
];

fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .current_dir(repo())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

fn name_of(meta: &Value, id: &str) -> String {
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .unwrap()
}

/// Normal (non-dev, non-build) dependencies of a package id.
fn normal_deps(meta: &Value, id: &str) -> Vec<String> {
    let node = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .unwrap();
    node["deps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"].is_null())
        })
        .map(|d| d["pkg"].as_str().unwrap().to_owned())
        .collect()
}

fn id_of(meta: &Value, name: &str) -> String {
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name && p["source"].is_null())
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no workspace package {name}"))
}

#[test]
fn the_crate_graph_is_a_line_from_kernel_to_cli() {
    let meta = metadata();
    for (level, name) in LINE.iter().enumerate() {
        let id = id_of(&meta, name);
        for dep in normal_deps(&meta, &id) {
            let dep_name = name_of(&meta, &dep);
            if let Some(dep_level) = LINE.iter().position(|n| *n == dep_name) {
                assert!(
                    dep_level < level,
                    "{name} depends on {dep_name}, which is not below it"
                );
            }
        }
    }
}

#[test]
fn the_simulated_crates_do_not_depend_on_tokio() {
    let meta = metadata();
    for name in SIMULATED {
        let mut seen = BTreeSet::new();
        let mut stack = vec![id_of(&meta, name)];
        while let Some(id) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let dep_name = name_of(&meta, &id);
            assert!(
                !dep_name.starts_with("tokio"),
                "{name} depends on {dep_name} (sans-IO crates stay free of async runtimes)"
            );
            stack.extend(normal_deps(&meta, &id));
        }
    }
}

#[test]
fn every_crate_forbids_unsafe_code() {
    for root in [
        "sim/src/lib.rs",
        "devices/src/lib.rs",
        "provisioner/src/lib.rs",
        "attacks/src/lib.rs",
        "scenarios/src/lib.rs",
        "reports/src/lib.rs",
        "src/main.rs",
    ] {
        let text = std::fs::read_to_string(repo().join(root)).unwrap();
        assert!(
            text.contains("#![forbid(unsafe_code)]"),
            "{root} does not forbid unsafe code"
        );
    }
}
