//! `provsim audit verify` on a real run's `audit.jsonl`: intact is exit 0; every single
//! altered byte, and a dropped last line, is exit 1 naming the record that broke; a log
//! rewritten and re-hashed passes the chain but not the vault's signed checkpoints; a
//! log from another run passes the vault's signature but not `--run`.

mod common;

use common::*;
use std::fs;

/// A small closed log, written by the same code the line uses: two device records and
/// the closing record.
fn small_log() -> (Vec<u8>, String) {
    use provsim_devices::DeviceId;
    use provsim_provisioner::AuditLog;
    use provsim_sim::SimTime;
    use provsim_sim::crypto::Crypto;
    let crypto = Crypto::new();
    let mut log = AuditLog::new();
    let mut bytes = Vec::new();
    let records = [
        log.append(
            &crypto,
            SimTime::from_nanos(5),
            "hsm",
            "identity-key-generated",
            Some(DeviceId::new(1, 1, 0)),
            format!("key={}", "5a".repeat(32)),
        ),
        log.append(
            &crypto,
            SimTime::from_nanos(9),
            "station",
            "device-shipped",
            Some(DeviceId::new(1, 1, 0)),
            format!("key={}", "5a".repeat(32)),
        ),
        log.close(&crypto, SimTime::from_nanos(9), |message| {
            let vault = crypto.import_secret(&[1; 32])?;
            Ok::<_, provsim_sim::crypto::CryptoError>(crypto.sign_low_s(&vault, message))
        })
        .unwrap(),
    ];
    for record in &records {
        bytes.extend_from_slice(record.line.as_bytes());
        bytes.push(b'\n');
    }
    (bytes, provsim_sim::to_hex(&log.head().0))
}

fn verify(dir: &std::path::Path, bytes: &[u8], head: &str) -> std::process::Output {
    let path = dir.join("audit.jsonl");
    fs::write(&path, bytes).unwrap();
    provsim(&["audit", "verify", path.to_str().unwrap(), "--head", head])
}

#[test]
fn every_altered_byte_and_a_dropped_last_line_fail_at_the_right_record() {
    let (bytes, head) = small_log();
    let dir = tempfile::tempdir().unwrap();
    let intact = verify(dir.path(), &bytes, &head);
    assert_eq!(code(&intact), 0, "{}{}", stdout(&intact), stderr(&intact));
    assert!(stdout(&intact).contains("intact, 3 record(s)"));

    for offset in 0..bytes.len() {
        let mut altered = bytes.clone();
        altered[offset] ^= 0x04;
        let out = verify(dir.path(), &altered, &head);
        let record = bytes[..offset].iter().filter(|&&b| b == b'\n').count();
        assert_eq!(
            code(&out),
            1,
            "byte {offset}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(
            stdout(&out).contains(&format!(
                "TAMPERED at record {record} (line {})",
                record + 1
            )),
            "byte {offset} is in record {record}: {}",
            stdout(&out)
        );
    }

    let last_start = bytes[..bytes.len() - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap()
        + 1;
    let out = verify(dir.path(), &bytes[..last_start], &head);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("TAMPERED at record 2 (line 3)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_real_runs_log_verifies_and_its_last_line_cannot_go_unnoticed() {
    let (dir, out) = run_into(None, Some(1));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let path = dir.path().join("audit.jsonl");
    let report = report_json(dir.path());
    let head = report["line"]["audit"]["head"].as_str().unwrap();
    let records = report["line"]["audit"]["records"].as_u64().unwrap();
    let ok = provsim(&["audit", "verify", path.to_str().unwrap(), "--head", head]);
    assert_eq!(code(&ok), 0, "{}", stdout(&ok));
    let run = report["run_id"].as_str().unwrap();
    assert!(
        stdout(&ok).contains(&format!(
            "intact, {records} record(s), run {run}, head {head}"
        )),
        "{}",
        stdout(&ok)
    );

    // Without its last line, with or without the head, the log is caught.
    let text = fs::read_to_string(&path).unwrap();
    let cut: String = text
        .lines()
        .take(records as usize - 1)
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(&path, cut).unwrap();
    for args in [vec!["--head", head], vec![]] {
        let mut all = vec!["audit", "verify", path.to_str().unwrap()];
        all.extend(args);
        let out = provsim(&all);
        assert_eq!(code(&out), 1, "{}", stdout(&out));
        assert!(
            stdout(&out).contains(&format!("TAMPERED at record {}", records - 1)),
            "{}",
            stdout(&out)
        );
    }
}

#[test]
fn unreadable_input_exits_2() {
    let out = provsim(&["audit", "verify", "no-such-audit.jsonl"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("no-such-audit.jsonl"));
    // A folder opens but cannot be read: no verdict, exit 2.
    let out = provsim(&["audit", "verify", "tests"]);
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
    let out = provsim(&["audit", "verify", "README.md", "--head", "xyz"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("64 hex digits"), "{}", stderr(&out));
}

fn field(line: &str, name: &str) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(line).unwrap()[name].clone()
}

/// A run with several checkpoints: the default scenario with 48 devices.
fn checkpointed_run() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let scenario = fs::read_to_string(repo().join("scenarios/mcu-board-provisioner-hsm.toml"))
        .unwrap()
        .replacen("devices = 8", "devices = 48", 1);
    let file = dir.path().join("lot48.toml");
    fs::write(&file, scenario).unwrap();
    let out = dir.path().join("out");
    let run = provsim(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&run), 0, "{}{}", stdout(&run), stderr(&run));
    dir
}

/// The finding: the chain alone keys nothing, so a record rewritten with every hash
/// after it recomputed is "intact". The vault's signed checkpoints catch it without the
/// report, naming the first record after the last checkpoint that held.
#[test]
fn a_rewritten_and_rehashed_log_is_caught_by_the_vaults_signature() {
    let dir = checkpointed_run();
    let out = dir.path().join("out");
    let path = out.join("audit.jsonl");
    let signer = out.join("pki/vault-certificate.pem");
    let verify = |extra: &[&str]| {
        let mut args = vec!["audit", "verify", path.to_str().unwrap()];
        args.extend(extra);
        provsim(&args)
    };
    let with_signer = ["--signer", signer.to_str().unwrap()];
    let ok = verify(&with_signer);
    assert_eq!(code(&ok), 0, "{}{}", stdout(&ok), stderr(&ok));
    let lines: Vec<String> = fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let checkpoints: Vec<usize> = (0..lines.len())
        .filter(|&i| field(&lines[i], "action") == "audit-checkpoint")
        .collect();
    assert!(checkpoints.len() >= 2, "{checkpoints:?}");
    assert!(
        stdout(&ok).contains(&format!(
            "{} checkpoint(s) and the closing record signed by",
            checkpoints.len()
        )),
        "{}",
        stdout(&ok)
    );

    // A device-shipped record between the first two checkpoints now names another key.
    let altered = (checkpoints[0]..checkpoints[1])
        .find(|&i| field(&lines[i], "action") == "device-shipped")
        .unwrap();
    let detail = field(&lines[altered], "detail");
    let detail = detail.as_str().unwrap();
    let mut forged = lines.clone();
    forged[altered] = lines[altered].replacen(detail, &format!("key={}", "66".repeat(32)), 1);
    fs::write(&path, rehash_audit(&forged)).unwrap();

    let blind = verify(&[]);
    assert_eq!(code(&blind), 0, "{}{}", stdout(&blind), stderr(&blind));
    assert!(stdout(&blind).contains("intact"), "{}", stdout(&blind));
    assert!(stdout(&blind).contains("--signer"), "{}", stdout(&blind));

    let caught = verify(&with_signer);
    let named = checkpoints[0] + 1;
    assert_eq!(code(&caught), 1, "{}{}", stdout(&caught), stderr(&caught));
    assert!(
        stdout(&caught).contains(&format!(
            "TAMPERED at record {named} (line {}): the signer vouches for no record from here on: the checkpoint at record {} (line {}) states head",
            named + 1,
            checkpoints[1],
            checkpoints[1] + 1
        )),
        "record {altered} was rewritten: {}",
        stdout(&caught)
    );
    assert!(named <= altered);

    // The head from the report catches it too, but only at the last record.
    let report = report_json(&out);
    let head = report["line"]["audit"]["head"].as_str().unwrap();
    let late = verify(&["--head", head]);
    assert_eq!(code(&late), 1);
    assert!(
        stdout(&late).contains(&format!("TAMPERED at record {}", lines.len() - 1)),
        "{}",
        stdout(&late)
    );
}

/// A checkpoint's signature is checked by OpenSSL over the message the module docs
/// give, under the vault's key from `pki/vault.pem`.
#[test]
fn openssl_verifies_the_vaults_checkpoints() {
    let dir = checkpointed_run();
    let out = dir.path().join("out");
    let text = fs::read_to_string(out.join("audit.jsonl")).unwrap();
    let signed: Vec<&str> = text
        .lines()
        .filter(|l| {
            matches!(
                field(l, "action").as_str(),
                Some("audit-checkpoint" | "audit-closed")
            )
        })
        .collect();
    assert!(signed.len() >= 3, "{}", signed.len());
    for line in signed {
        let detail = field(line, "detail");
        let (statement, signature) = detail.as_str().unwrap().rsplit_once(" signature=").unwrap();
        let domain = format!(
            "{} seq={} at_ns={}",
            if field(line, "action") == "audit-closed" {
                "provsim audit closed v2"
            } else {
                "provsim audit checkpoint v2"
            },
            field(line, "seq"),
            field(line, "at_ns")
        );
        let der: Vec<u8> = (0..signature.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&signature[i..i + 2], 16).unwrap())
            .collect();
        let (message, sig) = (dir.path().join("message"), dir.path().join("sig.der"));
        fs::write(&sig, der).unwrap();
        for (text, good) in [
            (format!("{domain} {statement}"), true),
            (format!("{domain} {statement}0"), false),
        ] {
            fs::write(&message, text).unwrap();
            let check = std::process::Command::new("openssl")
                .args(["dgst", "-sha256", "-verify"])
                .arg(out.join("pki/vault.pem"))
                .arg("-signature")
                .arg(&sig)
                .arg(&message)
                .output()
                .expect("openssl runs: install it or run `bash .ci/test`");
            assert_eq!(
                check.status.success() && stdout(&check).contains("Verified OK"),
                good,
                "{line}: {}",
                stdout(&check)
            );
        }
    }
}

#[test]
fn a_signer_that_is_not_a_certificate_exits_2() {
    let (bytes, _) = small_log();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    fs::write(&path, bytes).unwrap();
    for signer in ["no-such-certificate.pem", "README.md", "tests"] {
        let out = provsim(&[
            "audit",
            "verify",
            path.to_str().unwrap(),
            "--signer",
            signer,
        ]);
        assert_eq!(code(&out), 2, "{signer}: {}{}", stdout(&out), stderr(&out));
        assert!(stderr(&out).contains(signer), "{}", stderr(&out));
    }
}

/// A checkpoint's own line (who wrote it, on which device, when) is fixed by signed
/// data: edited and re-hashed, the checkpoint itself is named.
#[test]
fn a_checkpoints_own_line_edited_and_rehashed_is_named_at_the_checkpoint() {
    let dir = checkpointed_run();
    let out = dir.path().join("out");
    let path = out.join("audit.jsonl");
    let signer = out.join("pki/vault-certificate.pem");
    let lines: Vec<String> = fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let at = (0..lines.len())
        .find(|&i| field(&lines[i], "action") == "audit-checkpoint")
        .unwrap();
    for (from, to) in [
        ("\"actor\":\"vault\"", "\"actor\":\"site\""),
        ("\"device\":null", "\"device\":\"5053000100000002\""),
    ] {
        let mut forged = lines.clone();
        forged[at] = lines[at].replacen(from, to, 1);
        assert_ne!(forged[at], lines[at]);
        fs::write(&path, rehash_audit(&forged)).unwrap();
        let blind = provsim(&["audit", "verify", path.to_str().unwrap()]);
        assert_eq!(code(&blind), 0, "{to}: {}", stdout(&blind));
        let caught = provsim(&[
            "audit",
            "verify",
            path.to_str().unwrap(),
            "--signer",
            signer.to_str().unwrap(),
        ]);
        assert_eq!(
            code(&caught),
            1,
            "{to}: {}{}",
            stdout(&caught),
            stderr(&caught)
        );
        assert!(
            stdout(&caught).contains(&format!(
                "TAMPERED at record {at} (line {}): the signer vouches for no record from here on: the checkpoint at record {at} (line {})",
                at + 1,
                at + 1
            )),
            "{to}: {}",
            stdout(&caught)
        );
    }
}

/// The vault's key is the same for every run at a seed: another scenario's log at seed
/// 1 passes `--signer`, but `--run` with this run's id names record 0.
#[test]
fn a_log_from_another_run_is_caught_by_its_run_id() {
    let (first, out) = run_into(None, Some(1));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (second, out) = run_into(Some("scenarios/se-board-provisioner-hsm.toml"), Some(1));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let run = report_json(first.path())["run_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other_run = report_json(second.path())["run_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(run, other_run);
    let signer = first.path().join("pki/vault-certificate.pem");
    let verify = |log: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "audit",
            "verify",
            log.to_str().unwrap(),
            "--signer",
            signer.to_str().unwrap(),
        ];
        args.extend(extra);
        provsim(&args)
    };
    let own = first.path().join("audit.jsonl");
    let ok = verify(&own, &["--run", &run]);
    assert_eq!(code(&ok), 0, "{}{}", stdout(&ok), stderr(&ok));
    assert!(
        stdout(&ok).contains(&format!("run {run}")),
        "{}",
        stdout(&ok)
    );

    let foreign = second.path().join("audit.jsonl");
    let passes = verify(&foreign, &[]);
    assert_eq!(code(&passes), 0, "{}{}", stdout(&passes), stderr(&passes));
    assert!(
        stdout(&passes).contains(&format!("run {other_run}")),
        "{}",
        stdout(&passes)
    );
    let caught = verify(&foreign, &["--run", &run]);
    assert_eq!(code(&caught), 1, "{}{}", stdout(&caught), stderr(&caught));
    assert!(
        stdout(&caught).contains(&format!(
            "TAMPERED at record 0 (line 1): the log opens run {other_run}, not the run {run} given: it is another run's log"
        )),
        "{}",
        stdout(&caught)
    );
    let bad = provsim(&["audit", "verify", own.to_str().unwrap(), "--run", "xyz"]);
    assert_eq!(code(&bad), 2, "{}", stderr(&bad));
    assert!(stderr(&bad).contains("64 hex digits"), "{}", stderr(&bad));
}
