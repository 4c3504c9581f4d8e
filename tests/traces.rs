//! `provsim traces`: a device's power traces out to NumPy files, and provsim's CPA
//! engine on those files, set against the NumPy script in `benches/` on the same
//! files.

mod common;

use std::path::Path;
use std::process::Command;

/// A scenario whose chips hold an unmasked AES key in the crypto service's slot.
const SCENARIO: &str = "mcu-board-on-chip-keys";

fn export(dir: &Path, traces: &str) -> std::process::Output {
    export_of(SCENARIO, "0", dir, traces)
}

fn export_of(scenario: &str, device: &str, dir: &Path, traces: &str) -> std::process::Output {
    common::provsim(&[
        "traces",
        "export",
        scenario,
        "--device",
        device,
        "--traces",
        traces,
        "--out",
        dir.to_str().expect("UTF-8"),
    ])
}

/// The Python with NumPy the comparison needs (`.ci/test` installs it).
fn numpy_python() -> std::path::PathBuf {
    common::venv_tool(
        "PROVSIM_PYTHON",
        "python",
        &["-c", "import numpy"],
        "pip install numpy==2.3.5",
    )
}

#[test]
fn the_same_device_gives_the_same_files_and_numpy_reads_them() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for dir in [&a, &b] {
        let output = export(dir.path(), "300");
        assert_eq!(common::code(&output), 0, "{}", common::stderr(&output));
        assert!(common::stdout(&output).contains("32 samples each"));
    }
    for name in ["traces.npy", "plaintexts.npy"] {
        let read = |dir: &Path| std::fs::read(dir.join(name)).expect("written");
        assert_eq!(read(a.path()), read(b.path()), "{name}");
    }
    let check = Command::new(numpy_python())
        .args([
            "-c",
            "import numpy as np, sys; d = sys.argv[1]; t = np.load(d + '/traces.npy'); \
             p = np.load(d + '/plaintexts.npy'); \
             print(t.shape, t.dtype, p.shape, p.dtype)",
            a.path().to_str().expect("UTF-8"),
        ])
        .output()
        .expect("python runs");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&check.stdout).trim(),
        "(300, 32) float32 (300, 16) uint8"
    );
}

/// provsim's engine and the NumPy script find the same 16 key bytes (compared by
/// fingerprint: neither prints the bytes) at the same samples, on the same files; and
/// the engine says the same with one thread or three.
#[test]
fn the_engine_and_numpy_find_the_same_key() {
    let dir = tempfile::tempdir().unwrap();
    let output = export(dir.path(), "9000");
    assert_eq!(common::code(&output), 0, "{}", common::stderr(&output));
    let path = dir.path().to_str().expect("UTF-8");
    let engine = common::provsim(&["traces", "cpa", path, "--threads", "1"]);
    assert_eq!(common::code(&engine), 0, "{}", common::stderr(&engine));
    let threads = common::provsim(&["traces", "cpa", path, "--threads", "3"]);
    assert_eq!(common::stdout(&engine), common::stdout(&threads));
    let script = Command::new(numpy_python())
        .arg(common::repo().join("benches/cpa_numpy.py"))
        .arg(path)
        .output()
        .expect("python runs");
    assert!(
        script.status.success(),
        "{}",
        String::from_utf8_lossy(&script.stderr)
    );
    let fingerprint = |text: &str| {
        text.split("fingerprint ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("a fingerprint")
            .to_owned()
    };
    let ours = common::stdout(&engine);
    let theirs = String::from_utf8_lossy(&script.stdout).into_owned();
    assert_eq!(fingerprint(&ours), fingerprint(&theirs), "{ours}\n{theirs}");
    // Each byte peaks where its S-box output leaks: sample `byte` of an unmasked trace.
    let samples = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|line| line.split(" at sample ").nth(1).map(str::to_owned))
            .collect()
    };
    let expected: Vec<String> = (0..16).map(|b| b.to_string()).collect();
    assert_eq!(samples(&ours), expected);
    assert_eq!(samples(&theirs), expected);
}

#[test]
fn what_cannot_be_recorded_or_read_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().expect("UTF-8");
    // The default scenario's chips hold no AES key for the crypto service.
    let no_key = export_of("mcu-board-provisioner-hsm", "0", dir.path(), "10");
    assert_eq!(common::code(&no_key), 2);
    assert!(common::stderr(&no_key).contains("encrypts with no key"));
    let no_device = export_of(SCENARIO, "999", dir.path(), "10");
    assert_eq!(common::code(&no_device), 2);
    assert!(common::stderr(&no_device).contains("device 999 is not in the scenario"));
    // A die the line rejected is not a device to measure.
    let rejected = export_of("mcu-package-shared-vm", "0", dir.path(), "10");
    assert_eq!(common::code(&rejected), 2);
    assert!(common::stderr(&rejected).contains("did not ship"));
    // Nothing is left behind by a failed export.
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());

    std::fs::write(dir.path().join("traces.npy"), "not numpy").unwrap();
    let bad = common::provsim(&["traces", "cpa", out]);
    assert_eq!(common::code(&bad), 2);
    assert!(
        common::stderr(&bad).contains("not a .npy file"),
        "{}",
        common::stderr(&bad)
    );
}

/// Files that are not what their headers say, or too small to correlate, are refused
/// with the reason (exit 2), never read short or long.
#[test]
fn npy_files_are_checked_against_their_headers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().expect("UTF-8");
    assert_eq!(common::code(&export(dir.path(), "20")), 0);
    let traces = dir.path().join("traces.npy");
    let whole = std::fs::read(&traces).unwrap();
    let cpa = || {
        let output = common::provsim(&["traces", "cpa", out]);
        assert_eq!(common::code(&output), 2, "{}", common::stdout(&output));
        common::stderr(&output)
    };
    std::fs::write(&traces, &whole[..whole.len() - 4]).unwrap();
    assert!(cpa().contains("but the file has"));
    let mut longer = whole.clone();
    longer.extend([0u8; 4]);
    std::fs::write(&traces, &longer).unwrap();
    assert!(cpa().contains("but the file has"));
    std::fs::write(&traces, &whole).unwrap();
    std::fs::remove_file(dir.path().join("plaintexts.npy")).unwrap();
    assert!(cpa().contains("plaintexts.npy"));
    // One trace, and no samples: nothing to correlate.
    let small = dir.path().join("small");
    let small_out = small.to_str().expect("UTF-8");
    std::fs::create_dir_all(&small).unwrap();
    for (rows, columns) in [(1usize, 32usize), (20, 0)] {
        let header = |descr: &str, columns: usize| {
            let mut text = format!(
                "{{'descr': '{descr}', 'fortran_order': False, 'shape': ({rows}, {columns}), }}"
            );
            while (10 + text.len() + 1) % 64 != 0 {
                text.push(' ');
            }
            text.push('\n');
            let mut file = b"\x93NUMPY\x01\x00".to_vec();
            file.extend((text.len() as u16).to_le_bytes());
            file.extend(text.as_bytes());
            file
        };
        let mut t = header("<f4", columns);
        t.extend(vec![0u8; rows * columns * 4]);
        std::fs::write(small.join("traces.npy"), t).unwrap();
        let mut p = header("|u1", 16);
        p.extend(vec![0u8; rows * 16]);
        std::fs::write(small.join("plaintexts.npy"), p).unwrap();
        let output = common::provsim(&["traces", "cpa", small_out]);
        assert_eq!(common::code(&output), 2, "{rows} x {columns}");
        let error = common::stderr(&output);
        assert!(
            error.contains("at least 2") || error.contains("samples a trace"),
            "{error}"
        );
    }
}

/// A masked design (the ASIC's first-order masking: each value in two shares, one
/// sample each): first-order CPA finds nothing, second order finds every byte at the
/// pair of samples its shares leak at.
#[test]
fn second_order_cpa_gets_through_masking() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().expect("UTF-8");
    let export = export_of("asic-board-test-port-open", "0", dir.path(), "30000");
    assert_eq!(common::code(&export), 0, "{}", common::stderr(&export));
    assert!(common::stdout(&export).contains("64 samples each"));
    let first = common::stdout(&common::provsim(&["traces", "cpa", out]));
    let second = common::stdout(&common::provsim(&["traces", "cpa", out, "--order", "2"]));
    let pairs: Vec<String> = second
        .lines()
        .filter_map(|line| line.split(" at samples ").nth(1).map(str::to_owned))
        .collect();
    let expected: Vec<String> = (0..16)
        .map(|b| format!("{} x {}", 2 * b, 2 * b + 1))
        .collect();
    assert_eq!(pairs, expected, "{second}");
    let peaks = |text: &str| -> Vec<f64> {
        text.lines()
            .filter_map(|line| line.split("|r| = ").nth(1)?.split(' ').next()?.parse().ok())
            .collect()
    };
    // First order: no byte stands out from noise (six standard errors, 6/sqrt(30000);
    // the largest of the 16,384 null correlations of a byte is about four).
    assert!(peaks(&first).iter().all(|&r| r < 0.035), "{first}");
    assert!(peaks(&second).iter().all(|&r| r > 0.05), "{second}");
}

/// TVLA at 5,000 traces: the unmasked MCU leaks (|t| far above 4.5, exit 1); the ASIC's
/// first-order masking shows no first-order leak (exit 0), and the same file with
/// masking switched off leaks. Bad input exits 2.
#[test]
fn the_fixed_vs_random_test_tells_masked_from_unmasked() {
    let tvla = |scenario: &str| {
        common::provsim(&[
            "traces", "tvla", scenario, "--device", "1", "--traces", "5000",
        ])
    };
    let max_t = |out: &std::process::Output| -> f64 {
        let text = common::stdout(out);
        let after = text.split("max |t| = ").nth(1).expect("a max |t|");
        after.split(' ').next().unwrap().parse().expect("a number")
    };
    let plain = tvla("scenarios/mcu-board-on-chip-keys.toml");
    assert_eq!(common::code(&plain), 1, "{}", common::stderr(&plain));
    assert!(max_t(&plain) > 4.5);
    assert!(common::stdout(&plain).contains("LEAKS"));
    let masked = tvla("scenarios/asic-board-test-port-open.toml");
    assert_eq!(common::code(&masked), 0, "{}", common::stderr(&masked));
    // Both sets about half the traces: a pass is judged, never a degenerate split.
    let text = common::stdout(&masked);
    let (before, after) = text.split_once(" fixed and ").expect("the set sizes");
    let counts: Vec<u64> = [
        before.rsplit(' ').next().unwrap(),
        after.split(' ').next().unwrap(),
    ]
    .iter()
    .filter_map(|w| w.parse().ok())
    .collect();
    assert_eq!(counts.len(), 2, "{text}");
    assert!(
        counts.iter().all(|&c| (2_300..=2_700).contains(&c)),
        "{text}"
    );
    assert!(max_t(&masked) <= 4.5);
    let text =
        std::fs::read_to_string(common::repo().join("scenarios/asic-board-test-port-open.toml"))
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let unmasked = dir.path().join("unmasked.toml");
    std::fs::write(
        &unmasked,
        format!("{text}\n[countermeasures]\nmasking_order = 0\n"),
    )
    .unwrap();
    let leaks = tvla(unmasked.to_str().unwrap());
    assert_eq!(common::code(&leaks), 1, "{}", common::stderr(&leaks));
    assert!(max_t(&leaks) > 4.5);
    let bad = common::provsim(&[
        "traces",
        "tvla",
        "scenarios/mcu-board-on-chip-keys.toml",
        "--device",
        "1",
        "--traces",
        "100",
        "--fixed",
        "zz",
    ]);
    assert_eq!(common::code(&bad), 2);
    assert!(common::stderr(&bad).contains("32 hex digits"));
}
