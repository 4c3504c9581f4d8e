//! `provsim bench`: its figures are all there and sane, its bad arguments are refused,
//! and the run it times writes what `provsim run` writes. Never a speed: timed tests
//! fail on a busy machine and prove nothing on an idle one.

mod common;

use common::*;
use std::fs;
use std::process::Command;

const HSM: &str = "scenarios/mcu-board-provisioner-hsm.toml";

/// The fields `--format json` promises (`provsim bench --help`).
const FIELDS: &[&str] = &[
    "scenario",
    "source",
    "seed",
    "devices",
    "jobs",
    "verdict",
    "wall_seconds",
    "devices_per_second",
    "cpu_seconds",
    "cpu_user_seconds",
    "cpu_sys_seconds",
    "cpu_us_per_device",
    "floor_seconds",
    "floor_us_per_device",
    "floor_cap",
    "floor_scaled",
    "cpu_floor_ratio",
    "peak_rss_kib",
    "operations",
];

const KINDS: &[&str] = &[
    "keygen",
    "key_import",
    "sign",
    "verify",
    "ecdh",
    "sha256",
    "kdf",
    "aead_seal",
    "aead_open",
    "aes_block",
];

#[test]
fn bench_prints_every_figure_as_one_json_object() {
    // Its temporary output folder goes under a folder of the test's own, so the test
    // can see it removed.
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let out = Command::new(env!("CARGO_BIN_EXE_provsim"))
        .args([
            "bench",
            "mcu-board-provisioner-hsm",
            "--devices",
            "20",
            "--jobs",
            "1",
            "--format",
            "json",
        ])
        .env("TMPDIR", tmp.path())
        .output()
        .expect("the provsim binary runs");
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "one JSON object: {text}");
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let object = json.as_object().expect("an object");
    let mut names: Vec<&str> = object.keys().map(String::as_str).collect();
    let mut wanted = FIELDS.to_vec();
    names.sort_unstable();
    wanted.sort_unstable();
    assert_eq!(names, wanted);

    assert_eq!(json["devices"], 20);
    assert_eq!(json["jobs"], 1);
    assert_eq!(json["seed"], 1);
    assert_eq!(json["scenario"], "mcu-board-provisioner-hsm");
    assert_eq!(json["source"], "builtin:mcu-board-provisioner-hsm");
    assert_eq!(json["verdict"], "holds");
    let number = |name: &str| json[name].as_f64().unwrap_or_else(|| panic!("{name}"));
    for name in [
        "wall_seconds",
        "devices_per_second",
        "cpu_seconds",
        "cpu_us_per_device",
        "floor_seconds",
        "floor_us_per_device",
        "cpu_floor_ratio",
        "peak_rss_kib",
    ] {
        assert!(number(name) > 0.0, "{name}: {json}");
    }
    let cpu = number("cpu_user_seconds") + number("cpu_sys_seconds");
    assert!((cpu - number("cpu_seconds")).abs() < 1e-6, "{json}");
    assert_eq!(json["floor_scaled"], false);

    let operations = json["operations"].as_object().expect("operations");
    let mut kinds: Vec<&str> = operations.keys().map(String::as_str).collect();
    kinds.sort_unstable();
    let mut wanted = KINDS.to_vec();
    wanted.sort_unstable();
    assert_eq!(kinds, wanted);
    for (kind, entry) in operations {
        assert_eq!(entry["timed"], entry["count"], "{kind}");
    }
    // Every device is provisioned with signatures and key agreement.
    for kind in ["keygen", "sign", "verify", "ecdh"] {
        assert!(operations[kind]["count"].as_u64() >= Some(20), "{kind}");
    }
    let floor: f64 = operations
        .values()
        .map(|e| e["floor_seconds"].as_f64().expect("seconds"))
        .sum();
    assert!((floor - number("floor_seconds")).abs() < 1e-6, "{json}");

    let left: Vec<_> = fs::read_dir(tmp.path()).expect("readable").collect();
    assert!(
        left.is_empty(),
        "the bench's output folder was removed: {left:?}"
    );
}

#[test]
fn bench_prints_its_figures_for_people_by_default() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let out_dir = tmp.path().join("out");
    let out = provsim(&[
        "bench",
        HSM,
        "--devices",
        "3",
        "--jobs",
        "2",
        "--out",
        out_dir.to_str().expect("UTF-8"),
    ]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    for words in [
        "scenario mcu-board-provisioner-hsm",
        "3 (2 jobs)",
        "devices/s",
        "us a device",
        "crypto floor",
        "CPU / floor",
        "peak RSS",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    // With --out the outputs stay.
    assert_eq!(report_json(&out_dir)["devices"]["count"], 3);
}

#[test]
fn bad_bench_arguments_exit_2_with_a_message() {
    let cases: &[(&[&str], &str)] = &[
        (&["--devices", "0"], "a run needs at least 1 device"),
        (&["--devices", "many"], "expected a number of devices"),
        (&["--jobs", "0"], "0 is not in 1..=256"),
        (&["--format", "xml"], "possible values: text, json"),
        (
            &["--devices", "10000001"],
            "cannot resize its 1 lot(s) to 10000001 devices",
        ),
        (&["no-such-scenario"], "no-such-scenario"),
    ];
    for (args, message) in cases {
        let mut all = vec!["bench"];
        all.extend_from_slice(args);
        let out = provsim(&all);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
    }

    // More lots than devices: each lot keeps at least one.
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let text = fs::read_to_string(repo().join(HSM)).expect("readable");
    let two = text.replace(
        "[[lot]]\nname = \"LOT-0001\"\ndevices = 8\n",
        "[[lot]]\nname = \"LOT-0001\"\ndevices = 8\n\n[[lot]]\nname = \"LOT-0002\"\ndevices = 4\n",
    );
    assert_ne!(two, text);
    fs::write(tmp.path().join("two.toml"), two).expect("writable");
    let out = provsim_in(tmp.path(), &["bench", "two.toml", "--devices", "1"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("two.toml: cannot resize its 2 lot(s) to 1 devices"),
        "{}",
        stderr(&out)
    );
}

/// The bench's run is `provsim run`'s: resized to 20 devices, a scenario writes byte
/// for byte what a file saying 20 devices writes (both named `s.toml`, so the reports'
/// source agrees too), but for the reproduce line: a resized run is reproduced by the
/// bench command that resized it.
#[test]
fn bench_writes_what_run_writes_for_the_same_scenario_and_devices() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let (as_shipped, as_resized) = (tmp.path().join("a"), tmp.path().join("b"));
    let text = fs::read_to_string(repo().join(HSM)).expect("readable");
    let twenty = text.replace("devices = 8\n", "devices = 20\n");
    assert_ne!(twenty, text);
    for (dir, text) in [(&as_shipped, &text), (&as_resized, &twenty)] {
        fs::create_dir(dir).expect("a folder");
        fs::write(dir.join("s.toml"), text).expect("writable");
    }
    let bench = provsim_in(
        &as_shipped,
        &["bench", "s.toml", "--devices", "20", "--out", "out"],
    );
    assert_eq!(code(&bench), 0, "{}", stderr(&bench));
    let run = provsim_in(&as_resized, &["run", "s.toml", "--out", "out"]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));

    let (mut benched, ran) = (
        output_files(&as_shipped.join("out")),
        output_files(&as_resized.join("out")),
    );
    let report = report_json(&as_shipped.join("out"));
    assert_eq!(report["devices"]["count"], 20);
    let (bench_line, run_line) = (
        "provsim bench s.toml --devices 20 --out provsim-out",
        "provsim run s.toml --seed 1",
    );
    assert_eq!(report["reproduce"], bench_line);
    for name in ["report.json", "report.md"] {
        let text = String::from_utf8(benched[name].clone()).expect("UTF-8");
        benched.insert(
            name.to_owned(),
            text.replace(bench_line, run_line).into_bytes(),
        );
    }
    assert_eq!(
        benched.keys().collect::<Vec<_>>(),
        ran.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &benched {
        assert!(bytes == &ran[name], "{name} differs between bench and run");
    }
}

/// The hand-written comparison script still runs, deterministically (its timing is for
/// people: never measured here).
#[test]
fn the_python_comparison_runs_and_repeats_itself() {
    let python = venv_tool(
        "PROVSIM_PYTHON",
        "python",
        &["-c", "import cryptography"],
        "`python3 -m venv .ci/venv && .ci/venv/bin/pip install cryptography`",
    );
    let script = repo().join("benches/py_provision.py");
    let digest = || {
        let out = Command::new(&python)
            .arg(&script)
            .args(["--devices", "3"])
            .output()
            .expect("python runs");
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        stdout(&out)
    };
    let first = digest();
    assert!(
        first.starts_with("py_provision: 3 devices, digest "),
        "{first}"
    );
    assert_eq!(first, digest());
}
