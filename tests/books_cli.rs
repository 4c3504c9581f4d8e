//! `provsim books check`: a run's exported books agree; a deleted manifest entry, an
//! extra certificate and a device record that disagrees with the audit log are each
//! named, with the identity they concern.

mod common;

use common::{code, provsim, run_into, stdout};
use std::fs;
use std::path::Path;

fn check(dir: &Path) -> (i32, String) {
    let output = provsim(&["books", "check", dir.to_str().expect("a UTF-8 path")]);
    (code(&output), stdout(&output))
}

/// The `identity` field of a device record line.
fn identity_of(record: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(record).expect("a record");
    value["identity"].as_str().expect("an identity").to_owned()
}

#[test]
fn a_runs_books_agree() {
    let (out, run) = run_into(None, Some(1));
    assert!(code(&run) <= 1, "{}", common::stderr(&run));
    let (code, said) = check(out.path());
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("they agree"), "{said}");
    assert!(said.contains("8 identities shipped"), "{said}");
}

#[test]
fn a_deleted_manifest_entry_is_named_by_its_identity() {
    let (out, _) = run_into(None, Some(1));
    let manifest = fs::read_to_string(out.path().join("manifest.jsonl")).unwrap();
    let records = fs::read_to_string(out.path().join("records.jsonl")).unwrap();
    // The manifest and the records list devices in the same order.
    let gone = identity_of(records.lines().nth(2).unwrap());
    let kept: Vec<&str> = manifest
        .lines()
        .enumerate()
        .filter(|(n, _)| *n != 2)
        .map(|(_, l)| l)
        .collect();
    fs::write(out.path().join("manifest.jsonl"), kept.join("\n") + "\n").unwrap();
    let (code, said) = check(out.path());
    assert_eq!(code, 1, "{said}");
    assert!(
        said.contains(&format!(
            "identity {gone}: manifest.jsonl has no entry for it"
        )),
        "{said}"
    );
}

#[test]
fn an_extra_certificate_is_named() {
    let (out, _) = run_into(None, Some(1));
    // The same line at the same seed with one die more: the same customer CA, and a
    // ninth device certificate for a key the eight-device run never shipped.
    let text = fs::read_to_string(common::repo().join("scenarios/mcu-board-provisioner-hsm.toml"))
        .unwrap()
        .replace("devices = 8", "devices = 9");
    let (bigger, _) = common::run_text(&text);
    let ninth = fs::read_to_string(bigger.path().join("out/devices.pem")).unwrap();
    let last = &ninth[ninth.rfind("-----BEGIN CERTIFICATE-----").unwrap()..];
    let path = out.path().join("devices.pem");
    let mut pem = fs::read_to_string(&path).unwrap();
    pem.push_str(last);
    fs::write(&path, pem).unwrap();
    let (code, said) = check(out.path());
    assert_eq!(code, 1, "{said}");
    assert!(
        said.contains("devices.pem certificate 9 is a certificate for device 5053000100000008")
            && said.contains("which the audit log never shipped"),
        "{said}"
    );
    // A certificate under another CA is named as such.
    let (other, _) = run_into(None, Some(2));
    let stranger = fs::read_to_string(other.path().join("devices.pem")).unwrap();
    let first = &stranger[..stranger.find("-----END CERTIFICATE-----").unwrap() + 26];
    let mut pem = fs::read_to_string(&path).unwrap();
    pem.push_str(first);
    fs::write(&path, pem).unwrap();
    let (_, said) = check(out.path());
    assert!(
        said.contains("devices.pem certificate 10 does not verify under the customer CA"),
        "{said}"
    );
}

#[test]
fn a_device_record_that_disagrees_with_the_audit_log_is_named() {
    let (out, _) = run_into(None, Some(1));
    let path = out.path().join("records.jsonl");
    let records = fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = records.lines().collect();
    // Record 1 claims device 2's identity.
    let (mine, theirs) = (identity_of(lines[0]), identity_of(lines[1]));
    let forged = lines[0].replace(&mine, &theirs);
    let mut changed: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    changed[0] = forged;
    fs::write(&path, changed.join("\n") + "\n").unwrap();
    let (code, said) = check(out.path());
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("records.jsonl: REJECTED"), "{said}");
    assert!(
        said.contains(&format!("records.jsonl line 1 names device 5053000100000000 for identity {theirs}, which audit.jsonl line"))
            && said.contains("ships as device 5053000100000001"),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "identity {mine}: records.jsonl has no entry for it"
        )),
        "{said}"
    );
}

#[test]
fn a_missing_book_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _) = check(dir.path());
    assert_eq!(code, 2);
}

#[test]
fn a_certificate_no_audit_record_issued_is_named() {
    let (out, _) = run_into(None, Some(1));
    let path = out.path().join("audit.jsonl");
    let audit = fs::read_to_string(&path).unwrap();
    // The first device's certificate-issued record goes missing.
    let mut gone = false;
    let kept: Vec<&str> = audit
        .lines()
        .filter(|line| {
            let drop = !gone
                && line.contains("\"action\":\"certificate-issued\"")
                && line.contains("\"device\":\"5053000100000000\"");
            gone |= drop;
            !drop
        })
        .collect();
    assert!(gone);
    fs::write(&path, kept.join("\n") + "\n").unwrap();
    let (code, said) = check(out.path());
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("audit.jsonl: REJECTED"), "{said}");
    assert!(
        said.contains(
            "gives a certificate for device 5053000100000000, for which no audit record issued one"
        ),
        "{said}"
    );
}
