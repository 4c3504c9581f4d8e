//! Hostile inputs, each as a case with the exit code and message it must get.
//!
//! These are the files a careless or hostile user hands provsim: a path to a device that
//! never ends, a FIFO that nobody writes (opening one blocks forever), a gigabyte file.
//! Each must be refused as bad input (exit 2) with a message naming it, promptly and in
//! bounded memory, whatever it is given as: scenario, audit log, manifest, certificate or
//! key. A case that hangs is killed and fails rather than stalling the suite.

mod common;

use common::code;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// Far longer than any of these cases takes when provsim is right (well under a second);
/// only a hang reaches it. Counted in polls, not read off a clock.
const POLL: Duration = Duration::from_millis(20);
const HANG_POLLS: u32 = 1500;

/// Runs provsim, killing it if it hangs.
fn provsim(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_provsim"))
        .args(args)
        .current_dir(common::repo())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the provsim binary starts");
    let mut polls = 0;
    while child
        .try_wait()
        .expect("provsim can be waited on")
        .is_none()
    {
        polls += 1;
        if polls > HANG_POLLS {
            let _ = child.kill();
            panic!("provsim {args:?} hung for {:?}", POLL * HANG_POLLS);
        }
        std::thread::sleep(POLL);
    }
    child.wait_with_output().expect("provsim's output is read")
}

/// The hostile files, made fresh in a folder that goes away with them.
struct Hostile {
    _dir: tempfile::TempDir,
    fifo: PathBuf,
    gigabyte: PathBuf,
    certificate: PathBuf,
}

fn hostile() -> Hostile {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo (coreutils) runs");
    assert!(made.success(), "mkfifo failed");
    let gigabyte = dir.path().join("gigabyte");
    // Sparse: a gigabyte of zeros by its size, nothing on disk.
    std::fs::File::create(&gigabyte)
        .and_then(|f| f.set_len(1 << 30))
        .expect("a sparse file");
    let certificate = dir.path().join("vault-certificate.pem");
    let out = dir.path().join("run");
    let run = provsim(&["run", "--out", &out.to_string_lossy()]);
    assert_eq!(code(&run), 0, "{}", common::stderr(&run));
    std::fs::copy(out.join("pki/vault-certificate.pem"), &certificate).expect("copied");
    Hostile {
        _dir: dir,
        fifo,
        gigabyte,
        certificate,
    }
}

fn refused(output: &Output, expected: &str) {
    let stderr = common::stderr(output);
    assert_eq!(code(output), 2, "exit code; stderr: {stderr}");
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in: {stderr}"
    );
}

const NOT_REGULAR: &str = "is not a regular file (a FIFO, a device or a socket)";

fn s(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[test]
fn a_scenario_that_is_a_device_a_fifo_or_a_gigabyte_is_refused() {
    let h = hostile();
    refused(&provsim(&["run", "/dev/zero"]), NOT_REGULAR);
    refused(&provsim(&["run", &s(&h.fifo)]), NOT_REGULAR);
    // A link is followed to what it names.
    let link = h.fifo.with_extension("toml");
    std::os::unix::fs::symlink("/dev/zero", &link).expect("a symlink");
    refused(&provsim(&["run", &s(&link)]), NOT_REGULAR);
    refused(
        &provsim(&["run", &s(&h.gigabyte)]),
        "is larger than the 1048576 bytes accepted",
    );
}

#[test]
fn an_audit_log_that_is_a_device_a_fifo_or_a_gigabyte_is_refused() {
    let h = hostile();
    refused(&provsim(&["audit", "verify", "/dev/zero"]), NOT_REGULAR);
    refused(&provsim(&["audit", "verify", &s(&h.fifo)]), NOT_REGULAR);
    refused(
        &provsim(&["audit", "verify", &s(&h.gigabyte)]),
        "line 1 is longer than the 1048576 bytes any record takes: not an audit log",
    );
}

#[test]
fn a_manifest_or_its_signer_that_is_a_device_a_fifo_or_a_gigabyte_is_refused() {
    let h = hostile();
    let signer = s(&h.certificate);
    let verify = |manifest: &str, signer: &str| {
        provsim(&["manifest", "verify", manifest, "--signer", signer])
    };
    refused(&verify("/dev/zero", &signer), NOT_REGULAR);
    refused(&verify(&s(&h.fifo), &signer), NOT_REGULAR);
    refused(
        &verify(&s(&h.gigabyte), &signer),
        "line 1 is longer than the 1048576 bytes any entry takes: not a manifest",
    );
    refused(&verify(&s(&h.gigabyte), "/dev/zero"), NOT_REGULAR);
    refused(&verify(&s(&h.gigabyte), &s(&h.fifo)), NOT_REGULAR);
    refused(
        &verify(&s(&h.gigabyte), &s(&h.gigabyte)),
        &format!(
            "certificate `{}` is larger than the 1048576 bytes accepted",
            s(&h.gigabyte)
        ),
    );
}

#[test]
fn records_or_their_signer_that_are_a_device_a_fifo_or_a_gigabyte_are_refused() {
    let h = hostile();
    let signer = s(&h.certificate);
    let verify =
        |records: &str, signer: &str| provsim(&["records", "verify", records, "--signer", signer]);
    refused(&verify("/dev/zero", &signer), NOT_REGULAR);
    refused(&verify(&s(&h.fifo), &signer), NOT_REGULAR);
    refused(
        &verify(&s(&h.gigabyte), &signer),
        "line 1 is longer than the 1048576 bytes any record takes: not a records file",
    );
    refused(&verify(&s(&h.gigabyte), "/dev/zero"), NOT_REGULAR);
    refused(&verify(&s(&h.gigabyte), &s(&h.fifo)), NOT_REGULAR);
    refused(
        &verify(&s(&h.gigabyte), &s(&h.gigabyte)),
        &format!(
            "signer key `{}` is larger than the 1048576 bytes accepted",
            s(&h.gigabyte)
        ),
    );
    // Empty: no record, no success.
    let empty = h.gigabyte.with_extension("records");
    std::fs::write(&empty, b"").expect("an empty file");
    let empty = verify(&s(&empty), &signer);
    assert_eq!(code(&empty), 1, "{}", common::stderr(&empty));
    assert!(
        common::stdout(&empty).contains("REJECTED at line 1: the file holds no record"),
        "{}",
        common::stdout(&empty)
    );
}

#[test]
fn a_signing_key_that_is_a_device_or_a_fifo_is_refused() {
    let h = hostile();
    let out = h.gigabyte.with_extension("bin");
    // A body that is a plain file: the refusal must be the key's.
    let body = h.gigabyte.with_extension("body");
    std::fs::write(&body, [0u8; 1024]).expect("a body");
    for key in ["/dev/zero".to_owned(), s(&h.fifo)] {
        let signed = provsim(&[
            "image",
            "sign",
            "--key",
            &key,
            "--version",
            "1.0.0",
            &s(&body),
            &s(&out),
        ]);
        refused(&signed, NOT_REGULAR);
    }
}

/// The scenarios in `tests/hostile/`: each one a run that tests nothing, which must
/// never pass. Every claim nothing tried is inconclusive, with its reason, and the run
/// exits 3.
#[test]
fn a_run_that_tests_nothing_never_passes() {
    let cases = [
        (
            "link-drops-everything",
            "no device shipped, so nothing was attacked",
        ),
        (
            "nothing-yields",
            "no device shipped, so nothing was attacked",
        ),
        ("no-attack", "no attack was attempted against it"),
    ];
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (case, reason) in cases {
        let file = format!("tests/hostile/{case}.toml");
        let out = dir.path().join(case);
        let run = provsim(&["run", &file, "--out", &s(&out)]);
        let stdout = common::stdout(&run);
        assert_eq!(code(&run), 3, "{case}: {stdout}{}", common::stderr(&run));
        assert!(
            stdout.contains(&format!(
                "inconclusive identity-key-confidentiality (AVA_VAN.4): {reason}"
            )),
            "{case}: {stdout}"
        );
        let report: serde_json::Value = serde_json::from_slice(
            &std::fs::read(out.join("report.json")).expect("the report is written"),
        )
        .expect("report.json is JSON");
        assert_eq!(report["verdict"], "inconclusive", "{case}");
        assert_eq!(report["claims"][0]["verdict"], "inconclusive", "{case}");
        assert_eq!(report["claims"][0]["inconclusive"], reason, "{case}");
        let markdown = std::fs::read_to_string(out.join("report.md")).expect("report.md");
        assert!(markdown.contains("**Verdict: INCONCLUSIVE"), "{case}");
        assert!(!markdown.contains("hold."), "{case}: {markdown}");
    }
}

/// Every hostile scenario in the folder has its case above: a new one cannot sit there
/// untested.
#[test]
fn every_hostile_scenario_is_a_case() {
    let mut names: Vec<String> = std::fs::read_dir(common::repo().join("tests/hostile"))
        .expect("tests/hostile exists")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "link-drops-everything.toml",
            "no-attack.toml",
            "nothing-yields.toml"
        ]
    );
}

#[test]
fn an_empty_manifest_is_not_a_success() {
    let h = hostile();
    let empty = h.gigabyte.with_extension("jsonl");
    std::fs::write(&empty, b"").expect("an empty file");
    let verify = provsim(&[
        "manifest",
        "verify",
        &s(&empty),
        "--signer",
        &s(&h.certificate),
    ]);
    assert_eq!(code(&verify), 1, "{}", common::stderr(&verify));
    assert!(
        common::stdout(&verify).contains("the manifest holds no entry"),
        "{}",
        common::stdout(&verify)
    );
}

/// The default scenario with one line of it replaced, written where a case can run it.
fn variant(dir: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let text =
        std::fs::read_to_string(common::repo().join("scenarios/mcu-board-provisioner-hsm.toml"))
            .expect("the default scenario");
    assert!(text.contains(from), "the default scenario has {from:?}");
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text.replacen(from, to, 1)).expect("a variant");
    path
}

/// Runs the default scenario with `from` replaced by `to`, and checks it is refused as
/// bad input (exit 2) with `expected` in its message; returns that message.
fn refused_variant(dir: &Path, name: &str, from: &str, to: &str, expected: &str) -> String {
    let file = variant(dir, name, from, to);
    let run = provsim(&["run", &s(&file), "--out", &s(&dir.join("out"))]);
    let stderr = common::stderr(&run);
    assert_eq!(code(&run), 2, "{name}: {stderr}");
    assert!(
        stderr.contains(expected),
        "{name}: expected {expected:?} in {stderr}"
    );
    stderr
}

const TITLE: &str =
    "title = \"MCU at board level, keys in the provisioner's HSM, debug port locked\"";
const LOT: &str = "name = \"LOT-0001\"\ndevices = 8";
const CUSTOMER: &str = "customer = \"Acme Sensors\"";

/// Names a reader sees are checked at the door: nothing that starts a line, hides or
/// reorders text gets into a report, a record or a certificate.
#[test]
fn names_that_would_rewrite_what_a_reader_sees_are_refused() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let cases = [
        (
            "title-newline",
            TITLE,
            "title = \"x\\n## Verdict: all 99 claim(s) hold.\"",
            "title must not contain control characters",
        ),
        (
            "lot-empty",
            LOT,
            "name = \"\"\ndevices = 8",
            "lot name must not be empty",
        ),
        (
            "lot-long",
            LOT,
            &format!("name = \"{}\"\ndevices = 8", "L".repeat(65)),
            "lot name is 65 characters; at most 64 fit a device record",
        ),
        (
            "lot-escape",
            LOT,
            "name = \"LOT\\u001b[31m\"\ndevices = 8",
            "lot name must not contain control characters",
        ),
        (
            "lot-carriage-return",
            LOT,
            "name = \"LOT\\r# fake\"\ndevices = 8",
            "lot name must not contain control characters",
        ),
        (
            "lot-twice",
            LOT,
            "name = \"LOT-0001\"\ndevices = 4\n\n[[lot]]\nname = \"LOT-0001\"\ndevices = 4",
            "lot name `LOT-0001` is used twice",
        ),
        (
            "customer-rtl-override",
            CUSTOMER,
            "customer = \"Acme \\u202eSensors\"",
            "customer name must not contain invisible or bidirectional formatting characters (U+202E)",
        ),
        (
            "lot-line-separator",
            LOT,
            "name = \"LOT\\u2028x\"\ndevices = 8",
            "lot name must not contain invisible or bidirectional formatting characters (U+2028)",
        ),
        (
            "lot-trailing-space",
            LOT,
            "name = \"LOT-0001 \"\ndevices = 8",
            "lot name must not start or end with spaces",
        ),
    ];
    for (name, from, to, expected) in cases {
        let stderr = refused_variant(dir.path(), name, from, to, expected);
        assert!(
            stderr.contains(&format!("{name}.toml:")),
            "{name}: no position in {stderr}"
        );
    }
}

/// What a scenario's author wrote reaches report.md as text, never as Markdown or HTML.
#[test]
fn a_title_with_markup_is_text_in_the_report() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let titled = variant(
        dir.path(),
        "titled",
        TITLE,
        "title = \"# all 99 claim(s) hold <script>alert(1)</script> [x](javascript:y) | *z*\"",
    );
    let text = std::fs::read_to_string(&titled).expect("the variant is readable");
    let file = dir.path().join("markup.toml");
    std::fs::write(
        &file,
        text.replacen(
            LOT,
            "name = \"<b>LOT</b> | **x** &#x202E;\"\ndevices = 8",
            1,
        )
        .replacen(CUSTOMER, "customer = \"Acme <i>Sensors</i>\"", 1),
    )
    .expect("the markup scenario");
    let out = dir.path().join("out");
    let run = provsim(&["run", &s(&file), "--out", &s(&out)]);
    assert_eq!(code(&run), 0, "{}", common::stderr(&run));
    let markdown = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    let title = markdown.lines().nth(2).expect("the title line");
    assert_eq!(
        title,
        "\\# all 99 claim(s) hold \\<script\\>alert(1)\\</script\\> \\[x\\](javascript:y) \\| \\*z\\*"
    );
    for raw in ["<script>", "<b>", "<i>", "**x**", "&#x202E;"] {
        assert!(!markdown.contains(raw), "{raw} reached report.md raw");
    }
    assert!(markdown.contains("| Customer | Acme \\<i\\>Sensors\\</i\\> |"));
    assert!(
        markdown
            .contains("\\<b\\>LOT\\</b\\> \\| \\*\\*x\\*\\* &amp;\\#x202E;: 8 identity keys made")
    );
}

/// A title that would start a list or a rule on its line starts a paragraph instead.
#[test]
fn a_title_cannot_start_a_block() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let cases = [
        ("- all 99 claim(s) hold", "\\- all 99 claim(s) hold"),
        ("1. all hold", "1\\. all hold"),
        ("=== x", "\\=== x"),
    ];
    for (n, (title, shown)) in cases.into_iter().enumerate() {
        let to = format!("title = \"{title}\"");
        let file = variant(dir.path(), &format!("block{n}"), TITLE, &to);
        let out = dir.path().join(format!("out{n}"));
        let run = provsim(&["run", &s(&file), "--out", &s(&out)]);
        assert_eq!(code(&run), 0, "{}", common::stderr(&run));
        let markdown = std::fs::read_to_string(out.join("report.md")).expect("report.md");
        assert_eq!(markdown.lines().nth(2), Some(shown), "{title}");
    }
}

/// Messages quoting what a file held go out escaped: toml's own, and the audit
/// verifier's.
#[test]
fn what_a_file_held_is_echoed_escaped() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let field = format!("{CUSTOMER}\n\"\\u001b]0;owned\\u0007\" = 1");
    let file = variant(dir.path(), "escape-field", CUSTOMER, &field);
    let run = provsim(&["run", &s(&file), "--out", &s(&dir.path().join("out"))]);
    let stderr = common::stderr(&run);
    assert_eq!(code(&run), 2, "{stderr}");
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
    let log = dir.path().join("audit.jsonl");
    // JSON's own escapes: the verifier reads ESC and BEL out of them.
    std::fs::write(&log, "{\"\\u001b]0;owned\\u0007\":1}\n").expect("a log");
    let audit = provsim(&["audit", "verify", &s(&log)]);
    let stdout = common::stdout(&audit);
    assert_eq!(code(&audit), 1, "{stdout}");
    assert!(
        !stdout.contains('\u{1b}') && stdout.contains("\\u{1b}"),
        "{stdout:?}"
    );
}

/// An unknown id is echoed escaped: an escape sequence in it cannot reach a terminal.
#[test]
fn an_unknown_attack_id_is_echoed_escaped() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = variant(
        dir.path(),
        "escape-id",
        "id = \"debug-port-readout\"",
        "id = \"probe\\u001b]0;owned\\u0007\\u202e\"",
    );
    let run = provsim(&["run", &s(&file), "--out", &s(&dir.path().join("out"))]);
    let stderr = common::stderr(&run);
    assert_eq!(code(&run), 2, "{stderr}");
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{202e}'),
        "{stderr:?}"
    );
    assert!(
        stderr.contains("unknown attack `probe\\u{1b}]0;owned\\u{7}\\u{202e}`"),
        "{stderr}"
    );
}

/// Checks a folder that has a `report.json` is the whole run that report describes: the
/// audit log ends at the report's head, the manifest verifies under the folder's vault
/// certificate and the records under its key, each with as many entries as the report's
/// devices, and the CRL is the one the report names.
fn assert_whole_run(out: &Path, context: &str) {
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("report.json"))
            .unwrap_or_else(|e| panic!("{context}: report.json is not JSON: {e}"));
    let head = report["line"]["audit"]["head"]
        .as_str()
        .expect("the audit head");
    let audit = provsim(&[
        "audit",
        "verify",
        "--head",
        head,
        &s(&out.join("audit.jsonl")),
    ]);
    assert_eq!(code(&audit), 0, "{context}: {}", common::stdout(&audit));
    let manifest = provsim(&[
        "manifest",
        "verify",
        &s(&out.join("manifest.jsonl")),
        "--signer",
        &s(&out.join("pki/vault-certificate.pem")),
    ]);
    assert_eq!(
        code(&manifest),
        0,
        "{context}: {}",
        common::stdout(&manifest)
    );
    let shipped = report["devices"]["count"].as_u64().expect("a device count");
    assert!(
        common::stdout(&manifest).contains(&format!(": {shipped} entr")),
        "{context}: {}",
        common::stdout(&manifest)
    );
    let records = provsim(&[
        "records",
        "verify",
        &s(&out.join("records.jsonl")),
        "--signer",
        &s(&out.join("pki/vault.pem")),
        "--expect",
        &shipped.to_string(),
    ]);
    assert_eq!(code(&records), 0, "{context}: {}", common::stdout(&records));
    let crl = Command::new("openssl")
        .args(["crl", "-outform", "DER", "-in"])
        .arg(out.join("pki/customer-ca.crl.pem"))
        .output()
        .expect("openssl runs: install it or run `bash .ci/test`");
    assert!(crl.status.success(), "{context}: the CRL is not readable");
    assert_eq!(
        provsim_sim::to_hex(&provsim_sim::crypto::Sha256::digest(&crl.stdout)),
        report["line"]["crl"]["sha256"]
            .as_str()
            .expect("the CRL's digest"),
        "{context}: the CRL is not the report's"
    );
}

/// A second run into a folder another run holds is refused, and the holder's output is
/// whole. The other run is this test holding the folder's lock, as a running provsim
/// does, so the overlap is certain rather than a race the test might lose.
#[test]
fn a_second_run_into_a_folder_in_use_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).expect("the folder");
    let lock = std::fs::File::create(out.join(".provsim.lock")).expect("the lock file");
    lock.try_lock().expect("the test holds the folder");
    let second = provsim(&["run", "--out", &s(&out)]);
    refused(&second, "is in use by another provsim run");
    assert!(!out.join("report.json").exists());
    drop(lock);
    let first = provsim(&["run", "--out", &s(&out)]);
    assert_eq!(code(&first), 0, "{}", common::stderr(&first));
    assert_whole_run(&out, "after the lock was released");
}

/// A run killed at any point never leaves a folder whose `report.json` describes other
/// files than the ones beside it: it leaves the previous whole run, or no report.
#[test]
fn a_run_killed_at_any_point_never_leaves_a_report_over_other_files() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let scenario = variant(
        dir.path(),
        "forty",
        LOT,
        "name = \"LOT-0001\"\ndevices = 40",
    );
    let out = dir.path().join("out");
    let whole = provsim(&["run", &s(&scenario), "--out", &s(&out)]);
    assert_eq!(code(&whole), 0, "{}", common::stderr(&whole));
    for kill in 0..20u64 {
        // Seeds differ so each run's files differ from the last whole run's.
        let seed = (kill + 2).to_string();
        let mut child = Command::new(env!("CARGO_BIN_EXE_provsim"))
            .args(["run", &s(&scenario), "--seed", &seed, "--out", &s(&out)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("provsim starts");
        std::thread::sleep(Duration::from_millis(kill * 13));
        let _ = child.kill();
        let _ = child.wait();
        let context = format!("killed after {} ms", kill * 13);
        if out.join("report.json").exists() {
            assert_whole_run(&out, &context);
        } else {
            assert!(
                out.join("INCOMPLETE").exists(),
                "{context}: no report and no marker"
            );
        }
    }
}

/// Error messages speak the scenario author's vocabulary: numbers and their ranges, not
/// the Rust types fields are read into.
#[test]
fn errors_name_ranges_not_rust_types() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let cases = [
        (
            "custodians",
            CUSTOMER,
            "customer = \"Acme Sensors\"\ncustodians = 300",
            "expected an integer from 0 to 255",
        ),
        (
            "quorum",
            CUSTOMER,
            "customer = \"Acme Sensors\"\nquorum = true",
            "expected an integer from 0 to 255",
        ),
        (
            "huge",
            LOT,
            "name = \"LOT-0001\"\ndevices = 99999999999999999999",
            "integer `99999999999999999999`, expected an integer from 0 to 4294967295",
        ),
    ];
    for (name, from, to, expected) in cases {
        let stderr = refused_variant(dir.path(), name, from, to, expected);
        for rust in ["u8", "u32", "i128", "f64"] {
            assert!(
                !stderr.contains(&format!("expected {rust}"))
                    && !stderr.contains(&format!("as {rust}")),
                "{name}: {stderr}"
            );
        }
    }
}

/// `provsim run | head -1`: the reader goes away before the verdict is printed. The
/// verdict is decided by then, so the exit code is the verdict's, not an error's.
#[test]
fn a_reader_that_leaves_early_does_not_change_the_exit_code() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().expect("a temporary folder");
    // Long enough (a second or so) that the reader is gone before the summary.
    let file = variant(
        dir.path(),
        "long",
        LOT,
        "name = \"LOT-0001\"\ndevices = 300",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_provsim"))
        .args(["run", &s(&file), "--out", &s(&dir.path().join("out"))])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("provsim starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("the first line");
    // The reader (and its end of the pipe) is dropped here, as `head -1` exits.
    assert!(first.starts_with("provsim: scenario"), "{first}");
    let output = child.wait_with_output().expect("provsim ends");
    assert_eq!(code(&output), 0, "{}", common::stderr(&output));
}
