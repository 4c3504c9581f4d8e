//! `records.jsonl`: one record per shipped device, in device order, each signed by the
//! vault's identity key (`pki/vault.pem`). Checked with provsim's verifier and,
//! independently, with `openssl dgst -verify`; and `provsim records verify`, which
//! accepts a whole run and rejects every change at its line.

mod common;

use common::*;
use provsim_sim::crypto::{Crypto, PublicKey, Sha256};
use std::fs;
use std::process::Command;

#[test]
fn every_shipped_device_has_one_record_signed_by_the_vault() {
    let (dir, out) = run_into(None, Some(1));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report = report_json(dir.path());
    let vault_pem = fs::read_to_string(dir.path().join("pki/vault.pem")).unwrap();
    let vault = PublicKey::from_pem(&vault_pem).unwrap();
    let text = fs::read_to_string(dir.path().join("records.jsonl")).unwrap();
    let crypto = Crypto::new();

    let mut all = Sha256::new();
    let mut count = 0u64;
    for (i, line) in text.lines().enumerate() {
        let record = provsim_provisioner::verify_record(&crypto, line, &vault)
            .unwrap_or_else(|e| panic!("record {i}: {e}"));
        assert_eq!(record.index, i as u64);
        assert_eq!(record.level, "board");
        assert_eq!(record.lot, "LOT-0001");
        assert_eq!(record.life_cycle, "provisioned");
        let fp: Vec<u8> = (0..32)
            .map(|j| u8::from_str_radix(&record.identity[2 * j..2 * j + 2], 16).unwrap())
            .collect();
        all.update(&fp);
        count += 1;
    }
    assert_eq!(count, report["devices"]["count"].as_u64().unwrap());
    assert_eq!(
        provsim_sim::to_hex(&all.finalize()),
        report["devices"]["identities_digest"].as_str().unwrap()
    );

    // An outside check of the signatures: openssl over the signed prefix.
    let work = tempfile::tempdir().unwrap();
    let vault_pem_path = dir.path().join("pki/vault.pem");
    for (i, line) in text.lines().enumerate() {
        let cut = line.rfind(",\"signature\":\"").unwrap();
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let hex = record["signature"].as_str().unwrap();
        let der: Vec<u8> = (0..hex.len() / 2)
            .map(|j| u8::from_str_radix(&hex[2 * j..2 * j + 2], 16).unwrap())
            .collect();
        let (data, sig) = (work.path().join("data"), work.path().join("sig"));
        fs::write(&data, &line.as_bytes()[..cut]).unwrap();
        fs::write(&sig, &der).unwrap();
        assert!(
            openssl_verifies(&vault_pem_path, &sig, &data),
            "record {i}: openssl does not verify it"
        );
        // A control: the same signature over altered bytes does not verify.
        let mut altered = line.as_bytes()[..cut].to_vec();
        altered[10] ^= 1;
        fs::write(&data, &altered).unwrap();
        assert!(
            !openssl_verifies(&vault_pem_path, &sig, &data),
            "record {i}: altered bytes verified"
        );
    }
}

/// `openssl dgst -sha256 -verify KEY -signature SIG DATA` says "Verified OK".
fn openssl_verifies(key: &std::path::Path, sig: &std::path::Path, data: &std::path::Path) -> bool {
    let check = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(key)
        .arg("-signature")
        .arg(sig)
        .arg(data)
        .output()
        .expect("openssl runs: install it or run `bash .ci/test`");
    check.status.success() && stdout(&check).contains("Verified OK")
}

/// `provsim records verify FILE --signer KEY` on a copy of `records.jsonl` rewritten by
/// `edit`: its exit code and what it said.
fn verify_edited(
    dir: &std::path::Path,
    edit: impl FnOnce(&mut Vec<String>),
    signer: &str,
    expect: Option<u64>,
) -> (i32, String) {
    let text = fs::read_to_string(dir.join("records.jsonl")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    edit(&mut lines);
    let edited = dir.join("edited.jsonl");
    fs::write(
        &edited,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
    verify_file(&edited, &dir.join(signer), expect)
}

fn verify_file(
    file: &std::path::Path,
    signer: &std::path::Path,
    expect: Option<u64>,
) -> (i32, String) {
    let expect = expect.map(|n| n.to_string());
    let mut args = vec![
        "records",
        "verify",
        file.to_str().unwrap(),
        "--signer",
        signer.to_str().unwrap(),
    ];
    if let Some(n) = &expect {
        args.extend(["--expect", n]);
    }
    let out = provsim(&args);
    (code(&out), format!("{}{}", stdout(&out), stderr(&out)))
}

/// A change made to the lines of a records file.
type Edit = Box<dyn FnOnce(&mut Vec<String>)>;

/// A whole run's records verify under the vault's key and under its certificate, with
/// the report's count.
#[test]
fn records_verify_accepts_a_whole_run() {
    for scenario in ["mcu-board-provisioner-hsm", "mcu-package-shared-vm"] {
        let (dir, out) = run_into(Some(scenario), Some(1));
        assert!(matches!(code(&out), 0 | 1), "{}", stderr(&out));
        let count = report_json(dir.path())["devices"]["count"]
            .as_u64()
            .unwrap();
        for signer in ["pki/vault.pem", "pki/vault-certificate.pem"] {
            let (code, text) = verify_file(
                &dir.path().join("records.jsonl"),
                &dir.path().join(signer),
                Some(count),
            );
            assert_eq!(code, 0, "{scenario}: {text}");
            assert!(
                text.contains(&format!("intact, {count} record(s) signed by")),
                "{text}"
            );
        }
    }
}

/// Every way a records file can be broken is rejected (exit 1) at the first bad line,
/// with the reason; what is not a records file at all gets no verdict (exit 2).
#[test]
fn records_verify_rejects_each_change_at_its_line() {
    let (dir, out) = run_into(None, Some(1));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let dir = dir.path();
    let vault = "pki/vault.pem";
    let cases: Vec<(&str, Edit, Option<u64>, &str)> = vec![
        (
            "altered field",
            Box::new(|l: &mut Vec<String>| l[2] = l[2].replace("\"y\":", "\"y\":1")),
            None,
            "REJECTED at line 3: signature",
        ),
        (
            "unknown field",
            Box::new(|l: &mut Vec<String>| {
                l[1] = l[1].replacen("{\"device\"", "{\"device\":\"0\",\"device\"", 1)
            }),
            None,
            "REJECTED at line 2: not a well-formed record",
        ),
        (
            "deleted line",
            Box::new(|l: &mut Vec<String>| {
                l.remove(4);
            }),
            Some(8),
            "REJECTED at line 8: the file holds 7 record(s), 8 expected: records were deleted",
        ),
        (
            "reordered lines",
            Box::new(|l: &mut Vec<String>| l.swap(3, 5)),
            None,
            "REJECTED at line 5: index 4 (device 5053000100000004) comes after index 5 (line 4)",
        ),
        (
            "duplicated line",
            Box::new(|l: &mut Vec<String>| {
                let again = l[6].clone();
                l.insert(7, again);
            }),
            None,
            "REJECTED at line 8: device 5053000100000006 (index 6) again: line 7 is its record already",
        ),
    ];
    for (case, edit, expect, expected) in cases {
        let (code, text) = verify_edited(dir, edit, vault, expect);
        assert_eq!(code, 1, "{case}: {text}");
        assert!(text.contains(expected), "{case}: {text}");
    }
    // The right file, the wrong signer.
    let (code, text) = verify_edited(dir, |_| {}, "pki/root.pem", None);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("REJECTED at line 1: signed by key"), "{text}");

    let records = fs::read(dir.join("records.jsonl")).unwrap();
    let cut = dir.join("cut.jsonl");
    fs::write(&cut, &records[..records.len() - 20]).unwrap();
    let (code, text) = verify_file(&cut, &dir.join(vault), None);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("REJECTED at line 8: the last line is not terminated"),
        "{text}"
    );

    let empty = dir.join("empty.jsonl");
    fs::write(&empty, "").unwrap();
    let (code, text) = verify_file(&empty, &dir.join(vault), None);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("REJECTED at line 1: the file holds no record"),
        "{text}"
    );

    // Not a records file: no verdict.
    let (code, text) = verify_file(&dir.join("audit.jsonl"), &dir.join(vault), None);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains(
            "line 1 does not begin `{\"device\":\"` as every device record does: not a records file"
        ),
        "{text}"
    );
    let (code, text) = verify_file(&dir.join("records.jsonl"), &dir.join("audit.jsonl"), None);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("the signer is not PEM"), "{text}");
}
