//! The fast crypto backend changes no output byte: two built-in scenarios run once on
//! it and once with `PROVSIM_CRYPTO=reference` (pure p256), and every file, the standard
//! output and error, and the exit code are compared.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn run(scenario: &str, backend: Option<&str>, out: &Path) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_provsim"));
    command
        .args(["run", scenario, "--out"])
        .arg(out)
        .current_dir(common::repo());
    match backend {
        Some(name) => command.env("PROVSIM_CRYPTO", name),
        None => command.env_remove("PROVSIM_CRYPTO"),
    };
    command.output().expect("the provsim binary runs")
}

fn same_bytes_both_ways(scenario: &str) {
    let fast_dir = tempfile::tempdir().expect("a temporary folder");
    let reference_dir = tempfile::tempdir().expect("a temporary folder");
    let fast = run(scenario, None, fast_dir.path());
    let reference = run(scenario, Some("reference"), reference_dir.path());
    assert_eq!(fast.status.code(), reference.status.code(), "{scenario}");
    // The jobs line on standard error follows the threads' timing (tests/jobs.rs).
    let unpath = |output: &[u8], dir: &Path| {
        String::from_utf8_lossy(output)
            .replace(dir.to_str().expect("UTF-8 path"), "OUT")
            .lines()
            .filter(|line| !line.contains(" jobs worked out "))
            .map(|line| format!("{line}\n"))
            .collect::<String>()
    };
    assert_eq!(
        unpath(&fast.stdout, fast_dir.path()),
        unpath(&reference.stdout, reference_dir.path()),
        "{scenario}: standard output"
    );
    assert_eq!(
        unpath(&fast.stderr, fast_dir.path()),
        unpath(&reference.stderr, reference_dir.path()),
        "{scenario}: standard error"
    );
    let (a, b) = (
        common::output_files(fast_dir.path()),
        common::output_files(reference_dir.path()),
    );
    assert!(a.len() > 3, "{scenario}: only {} output files", a.len());
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{scenario}"
    );
    for (name, bytes) in &a {
        assert!(
            bytes == &b[name],
            "{scenario}: {name} differs between backends"
        );
    }
}

#[test]
fn the_default_scenario_is_byte_identical_on_both_backends() {
    same_bytes_both_ways("scenarios/mcu-board-provisioner-hsm.toml");
}

#[test]
fn the_customer_hsm_scenario_is_byte_identical_on_both_backends() {
    same_bytes_both_ways("scenarios/mcu-wafer-customer-hsm.toml");
}

#[test]
fn an_unknown_backend_is_refused_before_anything_runs() {
    let out = tempfile::tempdir().expect("a temporary folder");
    let output = run(
        "scenarios/mcu-board-provisioner-hsm.toml",
        Some("referense"),
        out.path(),
    );
    assert_eq!(common::code(&output), 2);
    assert!(common::stderr(&output).contains("PROVSIM_CRYPTO"));
    assert!(common::output_files(out.path()).is_empty());
}
