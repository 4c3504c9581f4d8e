//! Every random stream of a run comes from one labelled constructor, and no two
//! constructors can draw the same stream.
//!
//! Two purposes that drew from one label would share their "random" values (a device's
//! masks equal to its identity key's bytes, say) without any test noticing. So labels are
//! built only by the families in each crate's `labels` module: their templates are
//! checked pairwise for overlap here (exactly, as automata), a grep keeps `Seed::stream`
//! out of every other non-test file, and whole runs of the built-in scenarios are audited
//! for a label drawn from two families or outside its family's template.

mod common;

use provsim_scenarios::{BUILTIN, RunOptions, run};
use provsim_sim::label::{LabelFamily, audit, audit_problems, family_conflicts};
use std::path::{Path, PathBuf};

fn all_families() -> Vec<&'static LabelFamily> {
    [
        provsim_devices::labels::FAMILIES,
        provsim_provisioner::labels::FAMILIES,
        provsim_scenarios::labels::FAMILIES,
    ]
    .concat()
}

#[test]
fn no_two_label_families_can_make_the_same_label() {
    let families = all_families();
    assert!(families.len() > 20, "only {} families", families.len());
    let conflicts = family_conflicts(&families);
    assert!(conflicts.is_empty(), "{}", conflicts.join("\n"));
}

/// Each folder's non-test Rust files, tests and benches aside.
fn non_test_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a readable folder entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !matches!(name, "tests" | "benches" | "target") {
                non_test_sources(&path, out);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" && !name.ends_with("_tests.rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_the_labels_modules_open_streams_from_a_seed() {
    let repo = common::repo();
    let mut files = Vec::new();
    for root in [
        "sim/src",
        "devices/src",
        "provisioner/src",
        "attacks/src",
        "scenarios/src",
        "reports/src",
        "src",
    ] {
        non_test_sources(&repo.join(root), &mut files);
    }
    // The kernel's own doors, and the one labels module of each crate.
    let allowed = |rel: &str| {
        rel == "sim/src/seed.rs" || rel == "sim/src/label.rs" || rel.ends_with("/src/labels.rs")
    };
    let mut offenders = Vec::new();
    for path in files {
        let rel = path
            .strip_prefix(&repo)
            .unwrap_or(&path)
            .display()
            .to_string();
        if allowed(&rel) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a readable source file");
        for (n, line) in text.lines().enumerate() {
            if line.trim() == "#[cfg(test)]" {
                break;
            }
            if line.contains(".stream(") || line.contains("device_stream(") {
                offenders.push(format!("{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "open streams through the crate's labels module:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn every_built_in_run_draws_each_label_from_one_family() {
    let families = all_families();
    for builtin in BUILTIN {
        let scenario = builtin.load().expect("a shipped scenario loads");
        for seed in [1, 2] {
            let (report, log) = audit(|| {
                run(
                    &scenario,
                    &RunOptions::new(seed, Some(builtin.name)),
                    &mut (),
                )
            });
            report.unwrap_or_else(|e| panic!("{} seed {seed}: {e}", builtin.name));
            assert!(!log.is_empty(), "{}: no stream was audited", builtin.name);
            let problems = audit_problems(&log);
            assert!(
                problems.is_empty(),
                "{} seed {seed}:\n{}",
                builtin.name,
                problems.join("\n")
            );
            for (family, _) in &log {
                assert!(
                    families.iter().any(|f| std::ptr::eq(*f, *family)),
                    "{} is missing from its crate's FAMILIES",
                    family.constructor
                );
            }
        }
    }
}
