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

/// What a scenario named by a device or descriptor path is told.
const STREAM: &str = "names a stream or a device, not a file a report can name for a rerun: give the scenario file's own path";

fn s(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[test]
fn a_scenario_that_is_a_device_a_fifo_or_a_gigabyte_is_refused() {
    let h = hostile();
    refused(&provsim(&["run", "/dev/zero"]), STREAM);
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
    // Empty: not even the closing record, no success.
    let empty = h.gigabyte.with_extension("records");
    std::fs::write(&empty, b"").expect("an empty file");
    let empty = verify(&s(&empty), &signer);
    assert_eq!(code(&empty), 1, "{}", common::stderr(&empty));
    assert!(
        common::stdout(&empty)
            .contains("REJECTED at line 1: the file ends without its closing record"),
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

/// The runs in `tests/hostile/` that test nothing must never pass: besides their exit
/// code and message (checked with the whole corpus), every claim nothing tried is
/// inconclusive in report.json and report.md, with its reason.
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
        (
            "no-attack",
            "no attack path of the scenario can make it false",
        ),
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

/// One hostile scenario of `tests/hostile/`: what its header says a run of it must do.
struct Case {
    name: String,
    exit: i32,
    /// Texts the run's output (stdout and stderr) must contain.
    messages: Vec<String>,
}

/// Reads a case's header: `# Expected: exit N` and any number of `# Message: TEXT`.
fn case(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).expect("a hostile scenario is readable");
    let name = path
        .file_stem()
        .expect("a file name")
        .to_string_lossy()
        .into_owned();
    let header = || text.lines().take_while(|line| line.starts_with('#'));
    let exit = header()
        .find_map(|line| line.strip_prefix("# Expected: exit "))
        .unwrap_or_else(|| panic!("{name}: no `# Expected: exit N` line"))
        .parse()
        .unwrap_or_else(|_| panic!("{name}: the expected exit code is not a number"));
    let messages: Vec<String> = header()
        .filter_map(|line| line.strip_prefix("# Message: "))
        .map(str::to_owned)
        .collect();
    assert!(!messages.is_empty(), "{name}: no `# Message:` line");
    Case {
        name,
        exit,
        messages,
    }
}

/// The hostile corpus: every scenario in `tests/hostile/` is a finding, run as a user
/// would, checked for its exit code and its message. Whatever the case, nothing it
/// echoes reaches the terminal raw (escape, bell, bidirectional controls) and no message
/// names a Rust type; a refused scenario is named with its position.
#[test]
fn every_hostile_scenario_gets_its_exit_code_and_message() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut files: Vec<PathBuf> = std::fs::read_dir(common::repo().join("tests/hostile"))
        .expect("tests/hostile exists")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 18, "the corpus lost cases: {files:?}");
    for file in files {
        assert_eq!(
            file.extension().and_then(|e| e.to_str()),
            Some("toml"),
            "{} is not a scenario",
            file.display()
        );
        let case = case(&file);
        let relative = format!("tests/hostile/{}.toml", case.name);
        let run = provsim(&["run", &relative, "--out", &s(&dir.path().join(&case.name))]);
        let output = format!("{}{}", common::stdout(&run), common::stderr(&run));
        assert_eq!(code(&run), case.exit, "{}: {output}", case.name);
        for message in &case.messages {
            assert!(
                output.contains(message.as_str()),
                "{}: expected {message:?} in {output}",
                case.name
            );
        }
        let raw = ['\u{1b}', '\u{7}', '\u{202e}', '\u{2028}', '\r'];
        assert!(
            !output.contains(&raw[..]),
            "{}: a control character reached the terminal: {output:?}",
            case.name
        );
        for rust in ["u8", "u16", "u32", "u64", "i64", "i128", "f64", "usize"] {
            assert!(
                !output.contains(&format!("expected {rust}"))
                    && !output.contains(&format!("as {rust}")),
                "{}: a Rust type in {output}",
                case.name
            );
        }
        if case.exit == 2 {
            assert!(
                output.contains(&format!("{relative}:")),
                "{}: the file is not named in {output}",
                case.name
            );
        }
    }
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

/// A manifest rewritten after the run: an entry removed, two swapped, the closing record
/// cut off, or a count other than the report's. The first three used to verify (exit
/// 0), and there was no count to give; each is rejected (exit 1) naming the line where
/// the rewrite is.
#[test]
fn a_rewritten_manifest_is_rejected_where_it_was_rewritten() {
    let h = hostile();
    let run = h.certificate.with_file_name("run");
    let text = std::fs::read_to_string(run.join("manifest.jsonl")).expect("the manifest");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 9, "eight entries and the closing record");
    let join = |lines: &[&str]| lines.iter().map(|l| format!("{l}\n")).collect::<String>();
    let mut removed = lines.clone();
    removed.remove(4);
    let mut swapped = lines.clone();
    swapped.swap(5, 6);
    let cases = [
        (
            "removed",
            join(&removed),
            None,
            "REJECTED at line 5: entry 5 is missing (removed)",
        ),
        (
            "swapped",
            join(&swapped),
            None,
            "REJECTED at line 6: entries out of order: entry 6 belongs here but is at line 7",
        ),
        (
            "cut",
            join(&lines[..8]),
            None,
            "REJECTED at the end: no closing record after line 8",
        ),
        (
            "count",
            text.clone(),
            Some("7"),
            "REJECTED at line 9: the closing record signs 8 entries where 7 were expected",
        ),
    ];
    for (what, manifest, expect, says) in cases {
        let path = run.join(format!("{what}.jsonl"));
        std::fs::write(&path, manifest).expect("the rewritten manifest");
        let mut args = vec![
            "manifest".to_owned(),
            "verify".to_owned(),
            s(&path),
            "--signer".to_owned(),
            s(&h.certificate),
        ];
        if let Some(n) = expect {
            args.extend(["--expect".to_owned(), n.to_owned()]);
        }
        let verify = provsim(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(code(&verify), 1, "{what}: {}", common::stderr(&verify));
        assert!(
            common::stdout(&verify).contains(says),
            "{what}: {}",
            common::stdout(&verify)
        );
    }
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

const TITLE: &str =
    "title = \"MCU at board level, keys in the provisioner's HSM, debug port locked\"";
const LOT: &str = "name = \"LOT-0001\"\ndevices = 8";
const CUSTOMER: &str = "customer = \"Acme Sensors\"";

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

/// What an audit log held is echoed escaped: JSON's own escapes put ESC and BEL in
/// the verifier's hands, and they must not reach the terminal.
#[test]
fn what_a_log_held_is_echoed_escaped() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let log = dir.path().join("audit.jsonl");
    std::fs::write(&log, "{\"\\u001b]0;owned\\u0007\":1,\"prev\":\"\"}\n").expect("a log");
    let audit = provsim(&["audit", "verify", &s(&log)]);
    let stdout = common::stdout(&audit);
    assert_eq!(code(&audit), 1, "{stdout}");
    assert!(
        !stdout.contains('\u{1b}') && stdout.contains("\\u{1b}"),
        "{stdout:?}"
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
    let shipped = report["devices"]["count"].as_u64().expect("a device count");
    let head = report["line"]["audit"]["head"]
        .as_str()
        .expect("the audit head");
    let run_id = report["run_id"].as_str().expect("the run id");
    let audit = provsim(&[
        "audit",
        "verify",
        "--head",
        head,
        "--signer",
        &s(&out.join("pki/vault-certificate.pem")),
        "--run",
        run_id,
        &s(&out.join("audit.jsonl")),
    ]);
    assert_eq!(code(&audit), 0, "{context}: {}", common::stdout(&audit));
    let manifest = provsim(&[
        "manifest",
        "verify",
        &s(&out.join("manifest.jsonl")),
        "--signer",
        &s(&out.join("pki/vault-certificate.pem")),
        "--expect",
        &shipped.to_string(),
        "--run",
        run_id,
    ]);
    assert_eq!(
        code(&manifest),
        0,
        "{context}: {}",
        common::stdout(&manifest)
    );
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
        "--run",
        run_id,
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
    let mut lock = std::fs::File::create(out.join(".provsim.lock")).expect("the lock file");
    lock.try_lock().expect("the test holds the folder");
    // As a run that holds a folder writes it: its process id, for the one turned away.
    std::io::Write::write_all(
        &mut lock,
        format!("pid={}\n", std::process::id()).as_bytes(),
    )
    .expect("the holder is named");
    let second = provsim(&["run", "--out", &s(&out)]);
    refused(
        &second,
        &format!(
            "is in use by another provsim run, process {}",
            std::process::id()
        ),
    );
    assert!(!out.join("report.json").exists());
    drop(lock);
    let first = provsim(&["run", "--out", &s(&out)]);
    assert_eq!(code(&first), 0, "{}", common::stderr(&first));
    assert_whole_run(&out, "after the lock was released");
}

/// A folder that holds someone's files and was never a provsim output folder is left
/// alone: `--out /etc` must not get a report and a `pki/` folder among its files.
#[test]
fn a_run_into_a_folder_of_other_files_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("notes.txt"), "mine").expect("a file of the user's");
    let run = provsim(&["run", "--out", &s(dir.path())]);
    refused(&run, "holds files and is not a provsim output folder");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("the folder")
        .map(|entry| entry.expect("an entry").file_name())
        .collect();
    assert_eq!(
        left,
        ["notes.txt"],
        "nothing was written beside the user's file"
    );
    // A provsim folder from an earlier run is reused as before.
    let out = dir.path().join("out");
    let first = provsim(&["run", "--out", &s(&out)]);
    assert_eq!(code(&first), 0, "{}", common::stderr(&first));
    let again = provsim(&["run", "--out", &s(&out)]);
    assert_eq!(code(&again), 0, "{}", common::stderr(&again));
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

/// Two runs whose lot names differ wrote different device records: their trace digests
/// and their audit logs differ too, so neither can stand for the other's.
#[test]
fn every_input_that_changes_an_output_changes_the_digest_and_the_books() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let renamed = variant(
        dir.path(),
        "renamed",
        LOT,
        "name = \"LOT-0009\"\ndevices = 8",
    );
    // The same values, written another way: not another input.
    let respelled = variant(
        dir.path(),
        "respelled",
        LOT,
        "devices = 8 # the same lot\nname = 'LOT-0001'",
    );
    // A value that reaches the report only: the digest still tells the runs apart.
    let retitled = variant(dir.path(), "retitled", TITLE, "title = \"Another title\"");
    let default = common::repo().join("scenarios/mcu-board-provisioner-hsm.toml");
    let mut digests = Vec::new();
    let mut books = Vec::new();
    for (name, file) in [
        ("default", &default),
        ("renamed", &renamed),
        ("respelled", &respelled),
        ("retitled", &retitled),
    ] {
        let out = dir.path().join(name);
        let run = provsim(&["run", &s(file), "--out", &s(&out)]);
        assert_eq!(code(&run), 0, "{name}: {}", common::stderr(&run));
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("report.json"))
                .expect("report.json is JSON");
        digests.push(
            report["trace_digest"]
                .as_str()
                .expect("a digest")
                .to_owned(),
        );
        let read = |file: &str| std::fs::read(out.join(file)).expect("an output");
        books.push((read("audit.jsonl"), read("records.jsonl")));
    }
    assert_ne!(books[0].1, books[1].1, "the lot name reaches the records");
    assert_ne!(digests[0], digests[1], "same digest for different records");
    assert_ne!(books[0].0, books[1].0, "same audit log for different lots");
    assert_eq!(digests[0], digests[2], "layout alone changed the digest");
    assert_eq!(books[0], books[2]);
    assert_ne!(
        digests[0], digests[3],
        "the title is an input the digest missed"
    );
    // The books name their run, so even a title makes another log, and another closing
    // record of the device records; the records themselves, which do not carry the
    // title, are the same.
    assert_ne!(
        books[0].0, books[3].0,
        "the audit log does not name its run"
    );
    let split = |file: &[u8]| {
        let text = String::from_utf8(file.to_vec()).expect("UTF-8 records");
        let (records, closing) = text.trim_end().rsplit_once('\n').expect("two lines");
        (records.to_owned(), closing.to_owned())
    };
    let (ours, theirs) = (split(&books[0].1), split(&books[3].1));
    assert_eq!(ours.0, theirs.0, "a title is not in the device records");
    assert_ne!(
        ours.1, theirs.1,
        "the records' closing record does not name its run"
    );
}

/// Ten million devices is hours of work and tens of gigabytes: the run says so before it
/// starts. (The run itself is stopped once it has said it.)
#[test]
fn a_run_of_millions_of_devices_states_its_cost_first() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let huge = variant(
        dir.path(),
        "huge",
        LOT,
        "name = \"LOT-0001\"\ndevices = 10000000",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_provsim"))
        .args(["run", &s(&huge), "--out", &s(&dir.path().join("out"))])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the provsim binary starts");
    // Read on another thread: without the notice the line after the header (the run's
    // header, and what the seed decides) would come hours later, and the test must
    // fail, not wait for it.
    let stdout = child.stdout.take().expect("stdout is piped");
    let (sender, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let header = line.as_ref().is_ok_and(|l| {
                l.starts_with("provsim: scenario ")
                    || l.starts_with("provsim: what seed")
                    || l.starts_with("  ")
            });
            if sender.send(line.unwrap_or_default()).is_err() || !header {
                return;
            }
        }
    });
    let deadline = Duration::from_secs(30);
    let lines: Vec<String> = std::iter::from_fn(|| lines.recv_timeout(deadline).ok()).collect();
    let _ = child.kill();
    let _ = child.wait();
    assert!(lines.len() >= 2, "no notice before the run: {lines:?}");
    assert!(lines[0].starts_with("provsim: scenario "), "{lines:?}");
    assert!(lines[1].starts_with("provsim: what seed "), "{lines:?}");
    let notice = lines.last().expect("a line");
    assert!(notice.contains("10000000 devices"), "{notice}");
    assert!(
        notice.contains(" h ") && notice.contains(" GB of output"),
        "{notice}"
    );
}

/// A scenario from a process substitution (`<(…)`, a pipe named `/dev/fd/63`) would
/// give a reproduce line naming a file that is gone once the run ends: it is refused
/// with the reason, so every report's reproduce line names a file that was there.
#[test]
fn a_scenario_from_a_stream_is_refused_so_reproduce_lines_name_files() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let bin = env!("CARGO_BIN_EXE_provsim");
    let out = dir.path().join("out");
    // A pipe (`<(…)`), and a file reached through a descriptor's name: a rerun could
    // use neither name.
    for shell in [
        r#""$0" run <(cat scenarios/mcu-board-provisioner-hsm.toml) --out "$1""#,
        r#""$0" run /dev/stdin --out "$1" < scenarios/mcu-board-provisioner-hsm.toml"#,
        r#"exec 7< scenarios/mcu-board-provisioner-hsm.toml; "$0" run /proc/self/fd/7 --out "$1""#,
    ] {
        let run = Command::new("bash")
            .arg("-c")
            .arg(shell)
            .arg(bin)
            .arg(&out)
            .current_dir(common::repo())
            .output()
            .expect("bash runs");
        refused(&run, STREAM);
        assert!(!out.join("report.json").exists(), "{shell}");
    }
}

/// The books could be rewritten: a record edited, and every hash after it recomputed,
/// left a chain the verifier called intact. The vault's signature on the closing record
/// (and on every checkpoint) now catches it from the log and the vault's certificate
/// alone; so does a log cut short and closed again by hand.
#[test]
fn the_books_cannot_be_rewritten_unseen() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("out");
    let run = provsim(&["run", "--out", &s(&out)]);
    assert_eq!(code(&run), 0, "{}", common::stderr(&run));
    let log = out.join("audit.jsonl");
    let signer = s(&out.join("pki/vault-certificate.pem"));
    let lines: Vec<String> = std::fs::read_to_string(&log)
        .expect("the log")
        .lines()
        .map(str::to_owned)
        .collect();
    let last = lines.len() - 1;
    let shipped = lines
        .iter()
        .position(|l| l.contains("\"action\":\"device-shipped\""))
        .expect("a device shipped");
    let mut rewritten = lines.clone();
    rewritten[shipped] = rewritten[shipped].replacen("\"detail\":\"key=", "\"detail\":\"key=00", 1);
    // A log cut after the first device shipped and closed again by hand, unsigned.
    let mut cut = lines[..shipped + 1].to_vec();
    cut.push(
        lines[last]
            .replacen(
                &format!("{{\"seq\":{last},"),
                &format!("{{\"seq\":{},", shipped + 1),
                1,
            )
            .replacen(
                &lines[last][lines[last].find("\"detail\":").expect("a detail")
                    ..lines[last].find(",\"prev\"").expect("a prev")],
                &format!("\"detail\":\"records={}\"", shipped + 2),
                1,
            ),
    );
    for (case, forged, why) in [
        ("rewritten", &rewritten, "states head"),
        ("cut and closed again", &cut, "carries no signature"),
    ] {
        std::fs::write(&log, common::rehash_audit(forged)).expect("the forged log");
        let blind = provsim(&["audit", "verify", &s(&log)]);
        assert_eq!(code(&blind), 0, "{case}: {}", common::stdout(&blind));
        let caught = provsim(&["audit", "verify", &s(&log), "--signer", &signer]);
        let stdout = common::stdout(&caught);
        assert_eq!(
            code(&caught),
            1,
            "{case}: {stdout}{}",
            common::stderr(&caught)
        );
        // Eight devices make no checkpoint: only the closing record vouches, for all.
        assert!(
            stdout.contains("TAMPERED at record 0 (line 1): the signer vouches for no record from here on: the closing record at record")
                && stdout.contains(why),
            "{case}: {stdout}"
        );
    }
}

/// `provsim … verify | true`: the reader is gone before the verdict is printed; the
/// exit code is still the verdict's (0 intact, 1 rejected), not a write error's.
#[test]
fn a_verifier_whose_reader_left_exits_by_its_verdict() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("run");
    let run = provsim(&["run", "--out", &s(&out)]);
    assert_eq!(code(&run), 0, "{}", common::stderr(&run));
    let certificate = s(&out.join("pki/vault-certificate.pem"));
    let altered = dir.path().join("records.jsonl");
    let records = std::fs::read_to_string(out.join("records.jsonl")).expect("records");
    std::fs::write(&altered, records.replacen("\"index\":0", "\"index\":-1", 1)).expect("a copy");
    let cases: [(Vec<String>, i32); 4] = [
        (
            vec![
                "audit".into(),
                "verify".into(),
                s(&out.join("audit.jsonl")),
                "--signer".into(),
                certificate.clone(),
            ],
            0,
        ),
        (
            vec![
                "manifest".into(),
                "verify".into(),
                s(&out.join("manifest.jsonl")),
                "--signer".into(),
                certificate.clone(),
            ],
            0,
        ),
        (
            vec![
                "records".into(),
                "verify".into(),
                s(&out.join("records.jsonl")),
                "--signer".into(),
                certificate.clone(),
            ],
            0,
        ),
        (
            vec![
                "records".into(),
                "verify".into(),
                s(&altered),
                "--signer".into(),
                certificate,
            ],
            1,
        ),
    ];
    for (args, verdict) in cases {
        let mut child = Command::new(env!("CARGO_BIN_EXE_provsim"))
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the provsim binary starts");
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("provsim ends");
        assert_eq!(
            code(&output),
            verdict,
            "{args:?}: {}",
            common::stderr(&output)
        );
    }
    // And what it says names ranges, not the Rust types of the parser.
    let verify = provsim(&[
        "records",
        "verify",
        &s(&altered),
        "--signer",
        &s(&out.join("pki/vault-certificate.pem")),
    ]);
    let said = common::stdout(&verify);
    assert_eq!(code(&verify), 1, "{said}");
    assert!(
        !said.contains("u64") && said.contains("non-negative integer"),
        "{said}"
    );
}

/// A verifier given another kind of file gives no verdict on it (exit 2, saying what
/// the file is not), whichever of the run's files it is.
#[test]
fn a_verifier_given_another_kind_of_file_says_so() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("run");
    let run = provsim(&["run", "--out", &s(&out)]);
    assert_eq!(code(&run), 0, "{}", common::stderr(&run));
    let certificate = s(&out.join("pki/vault-certificate.pem"));
    let kinds = [
        ("audit", "audit.jsonl", "not an audit log"),
        ("manifest", "manifest.jsonl", "not a manifest"),
        ("records", "records.jsonl", "not a records file"),
    ];
    for (command, own, expected) in kinds {
        for other in [
            "audit.jsonl",
            "manifest.jsonl",
            "records.jsonl",
            "report.json",
            "devices.pem",
        ] {
            if other == own {
                continue;
            }
            let verify = provsim(&[
                command,
                "verify",
                &s(&out.join(other)),
                "--signer",
                &certificate,
            ]);
            refused(&verify, expected);
        }
    }
}
