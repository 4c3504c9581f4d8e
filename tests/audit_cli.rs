//! `provsim audit verify` on a real run's `audit.jsonl`: intact is exit 0; every single
//! altered byte, and a dropped last line, is exit 1 naming the record that broke.

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
        log.close(&crypto, SimTime::from_nanos(9)),
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
    assert!(stdout(&ok).contains(&format!("intact, {records} record(s)")));

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
