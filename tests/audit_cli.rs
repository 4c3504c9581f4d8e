//! `provsim audit verify` on a real run's `audit.jsonl`: intact is exit 0; every single
//! altered byte, and a dropped last line, is exit 1 naming the record that broke.

mod common;

use common::*;
use std::fs;

/// The first `n` records of a real run's log, and the head they end at.
fn small_log(n: usize) -> (Vec<u8>, String) {
    let (dir, out) = run_into(None, Some(1));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = fs::read_to_string(dir.path().join("audit.jsonl")).expect("audit.jsonl written");
    let report = report_json(dir.path());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len() as u64,
        report["line"]["audit"]["records"].as_u64().unwrap()
    );
    // The whole log ends at the report's head.
    let last: serde_json::Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    assert_eq!(last["hash"], report["line"]["audit"]["head"]);

    let head: serde_json::Value = serde_json::from_str(lines[n - 1]).unwrap();
    let mut bytes = Vec::new();
    for line in &lines[..n] {
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
    }
    (bytes, head["hash"].as_str().unwrap().to_owned())
}

fn verify(dir: &std::path::Path, bytes: &[u8], head: &str) -> std::process::Output {
    let path = dir.join("audit.jsonl");
    fs::write(&path, bytes).unwrap();
    provsim(&["audit", "verify", path.to_str().unwrap(), "--head", head])
}

#[test]
fn every_altered_byte_and_a_dropped_last_line_fail_at_the_right_record() {
    let (bytes, head) = small_log(3);
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
        stdout(&out).contains("TAMPERED at record 2 (line 3)")
            && stdout(&out).contains("records are missing"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn unreadable_input_exits_2() {
    let out = provsim(&["audit", "verify", "no-such-audit.jsonl"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("no-such-audit.jsonl"));
    let out = provsim(&["audit", "verify", "README.md", "--head", "xyz"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("64 hex digits"), "{}", stderr(&out));
}
