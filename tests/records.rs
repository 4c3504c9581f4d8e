//! `records.jsonl`: one record per shipped device, in device order, each signed (low-S)
//! by the vault's identity key (`pki/vault.pem`), then the signed closing record (their
//! count, chain and run id). Checked with provsim's verifier and, independently, with
//! `openssl dgst -verify`; and `provsim records verify`, which accepts a whole run and
//! rejects every change at its line.

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
    let (records, closing) = text.trim_end().rsplit_once('\n').unwrap();
    for (i, line) in records.lines().enumerate() {
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
    let closed: serde_json::Value = serde_json::from_str(closing).unwrap();
    assert_eq!(closed["closing"], "records");
    assert_eq!(closed["records"].as_u64(), Some(count));
    assert_eq!(closed["run"], report["run_id"]);
    // The chain, recomputed here from its definition.
    let mut head = [0u8; 32];
    for line in records.lines() {
        let mut link = head.to_vec();
        link.extend_from_slice(line.as_bytes());
        head.copy_from_slice(&Sha256::digest(&link));
    }
    assert_eq!(closed["chain"], provsim_sim::to_hex(&head));
    assert_eq!(
        provsim_sim::to_hex(&all.finalize()),
        report["devices"]["identities_digest"].as_str().unwrap()
    );

    // An outside check of the signatures: openssl over the signed prefix.
    let work = tempfile::tempdir().unwrap();
    let vault_pem_path = dir.path().join("pki/vault.pem");
    for (i, line) in text.lines().enumerate() {
        // Every signed line, the closing record too.
        let (cut, der) = signed_parts(line);
        assert!(
            provsim_sim::crypto::Signature::from_der_bytes(der.clone())
                .is_low_s()
                .unwrap(),
            "line {i}: not low-S"
        );
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
    verify_edited_run(dir, edit, signer, expect, None)
}

fn verify_edited_run(
    dir: &std::path::Path,
    edit: impl FnOnce(&mut Vec<String>),
    signer: &str,
    expect: Option<u64>,
    run: Option<&str>,
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
    verify_file_run(&edited, &dir.join(signer), expect, run)
}

fn verify_file(
    file: &std::path::Path,
    signer: &std::path::Path,
    expect: Option<u64>,
) -> (i32, String) {
    verify_file_run(file, signer, expect, None)
}

fn verify_file_run(
    file: &std::path::Path,
    signer: &std::path::Path,
    expect: Option<u64>,
    run: Option<&str>,
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
    if let Some(run) = run {
        args.extend(["--run", run]);
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
        let report = report_json(dir.path());
        let count = report["devices"]["count"].as_u64().unwrap();
        let run = report["run_id"].as_str().unwrap();
        for signer in ["pki/vault.pem", "pki/vault-certificate.pem"] {
            let (code, text) = verify_file_run(
                &dir.path().join("records.jsonl"),
                &dir.path().join(signer),
                Some(count),
                Some(run),
            );
            assert_eq!(code, 0, "{scenario}: {text}");
            assert!(
                text.contains(&format!("intact, {count} record(s) of run {run} signed by")),
                "{text}"
            );
            assert!(!text.contains("no --run given"), "{text}");
        }
        let (code, text) = verify_file(
            &dir.path().join("records.jsonl"),
            &dir.path().join("pki/vault.pem"),
            None,
        );
        assert_eq!(code, 0, "{scenario}: {text}");
        assert!(text.contains("(no --run given"), "{text}");
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
            // No --expect: the closing record's signed count tells, though record 5's
            // gap looks like a rejected device's.
            "deleted middle line",
            Box::new(|l: &mut Vec<String>| {
                l.remove(4);
            }),
            None,
            "REJECTED at line 8: the closing record signs 8 record(s), but 7 precede it: 1 record(s) were deleted",
        ),
        (
            "deleted last record",
            Box::new(|l: &mut Vec<String>| {
                l.remove(7);
            }),
            None,
            "REJECTED at line 8: the closing record signs 8 record(s), but 7 precede it",
        ),
        (
            "closing record removed",
            Box::new(|l: &mut Vec<String>| {
                l.pop();
            }),
            None,
            "REJECTED at line 9: the file ends without its closing record after 8 record(s): it was cut",
        ),
        (
            "line after the closing record",
            Box::new(|l: &mut Vec<String>| {
                let again = l[7].clone();
                l.push(again);
            }),
            None,
            "REJECTED at line 10: a line after the closing record (line 9)",
        ),
        (
            "fewer expected",
            Box::new(|_: &mut Vec<String>| {}),
            Some(5),
            "REJECTED at line 6: the file holds 8 record(s), 5 expected: records were added",
        ),
        (
            "uppercase signature",
            Box::new(|l: &mut Vec<String>| {
                let cut = l[1].rfind("\"signature\":\"").unwrap() + 13;
                l[1] = format!("{}{}", &l[1][..cut], l[1][cut..].to_uppercase());
            }),
            None,
            "REJECTED at line 2: the signature is not lowercase hex",
        ),
        (
            "high-S signature",
            Box::new(|l: &mut Vec<String>| l[2] = malleated(&l[2])),
            None,
            "REJECTED at line 3: the signature is high-S (malleated)",
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
    assert!(
        text.contains("REJECTED at line 1: it names signer key")
            && text.contains("the --signer is another key"),
        "{text}"
    );

    let records = fs::read(dir.join("records.jsonl")).unwrap();
    let cut = dir.join("cut.jsonl");
    fs::write(&cut, &records[..records.len() - 20]).unwrap();
    let (code, text) = verify_file(&cut, &dir.join(vault), None);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("REJECTED at line 9: the last line is not terminated"),
        "{text}"
    );

    let empty = dir.join("empty.jsonl");
    fs::write(&empty, "").unwrap();
    let (code, text) = verify_file(&empty, &dir.join(vault), None);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("REJECTED at line 1: the file ends without its closing record after 0"),
        "{text}"
    );

    // A byte that is not UTF-8 inside the first record: a broken record (exit 1), not
    // some other kind of file, for the line does begin as a record.
    let mut bytes = records.clone();
    let at = bytes.iter().position(|&b| b == b'L').unwrap();
    bytes[at] = 0xff;
    let bad = dir.join("not-utf8.jsonl");
    fs::write(&bad, &bytes).unwrap();
    let (code, text) = verify_file(&bad, &dir.join(vault), None);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("REJECTED at line 1: not UTF-8"), "{text}");

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

/// The order of P-256's group, big-endian.
const P256_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// A DER INTEGER's content as 32 bytes, big-endian.
fn int32(content: &[u8]) -> [u8; 32] {
    let content = &content[content.len().saturating_sub(32)..];
    let mut out = [0u8; 32];
    out[32 - content.len()..].copy_from_slice(content);
    out
}

/// A DER INTEGER for a 32-byte unsigned value.
fn der_int(value: &[u8; 32]) -> Vec<u8> {
    let start = value.iter().position(|&b| b != 0).unwrap_or(31);
    let mut content = value[start..].to_vec();
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    let mut out = vec![0x02, content.len() as u8];
    out.extend(content);
    out
}

/// Where a signed line's signature field starts (the signed bytes end there), and the
/// signature's DER.
fn signed_parts(line: &str) -> (usize, Vec<u8>) {
    let cut = line.rfind(",\"signature\":\"").unwrap();
    let record: serde_json::Value = serde_json::from_str(line).unwrap();
    let hex = record["signature"].as_str().unwrap();
    let der = (0..hex.len() / 2)
        .map(|j| u8::from_str_radix(&hex[2 * j..2 * j + 2], 16).unwrap())
        .collect();
    (cut, der)
}

/// The record line with its signature `(r, s)` replaced by the other valid form,
/// `(r, n - s)`: the same signature over the same bytes, malleated.
fn malleated(line: &str) -> String {
    let (cut, der) = signed_parts(line);
    // SEQUENCE { INTEGER r, INTEGER s }, short lengths (a P-256 signature is < 128 bytes).
    let r_len = der[3] as usize;
    let r = &der[4..4 + r_len];
    let s = int32(&der[6 + r_len..]);
    let mut twin = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(P256_ORDER[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        twin[i] = (d + 256 * borrow) as u8;
    }
    let mut body = vec![0x02, r_len as u8];
    body.extend_from_slice(r);
    body.extend(der_int(&twin));
    let mut high = vec![0x30, body.len() as u8];
    high.extend(body);
    let signature = provsim_sim::crypto::Signature::from_der_bytes(high.clone());
    assert!(
        !signature.is_low_s().unwrap(),
        "the twin of a low-S signature is high-S"
    );
    format!(
        "{},\"signature\":\"{}\"}}",
        &line[..cut],
        provsim_sim::to_hex(&high)
    )
}

/// The vault's key signs every run's records (it is the site's, drawn from the seed):
/// another run's whole file verifies under it, but `--run` names the run the customer
/// means, and the closing record names another.
#[test]
fn another_runs_records_under_the_same_key_fail_the_run_check() {
    let scenario =
        fs::read_to_string(repo().join("scenarios/mcu-board-provisioner-hsm.toml")).unwrap();
    let other = scenario.replace("devices = 8", "devices = 9");
    assert_ne!(scenario, other, "the scenario no longer says `devices = 8`");
    let folder = tempfile::tempdir().unwrap();
    let other_path = folder.path().join("other.toml");
    fs::write(&other_path, &other).unwrap();
    let (ours, out) = run_into(Some("mcu-board-provisioner-hsm"), Some(1));
    assert!(matches!(code(&out), 0 | 1), "{}", stderr(&out));
    let (theirs, out) = run_into(Some(other_path.to_str().unwrap()), Some(1));
    assert!(matches!(code(&out), 0 | 1), "{}", stderr(&out));
    let (ours, theirs) = (ours.path(), theirs.path());
    assert_eq!(
        fs::read(ours.join("pki/vault.pem")).unwrap(),
        fs::read(theirs.join("pki/vault.pem")).unwrap(),
        "the two runs no longer share the vault key: the test proves nothing"
    );
    let our_run = report_json(ours)["run_id"].as_str().unwrap().to_owned();
    let their_run = report_json(theirs)["run_id"].as_str().unwrap().to_owned();
    assert_ne!(our_run, their_run);
    let their_records = theirs.join("records.jsonl");
    let signer = ours.join("pki/vault.pem");
    let (code, text) = verify_file(&their_records, &signer, None);
    assert_eq!(
        code, 0,
        "without --run, any run's records under the key pass: {text}"
    );
    let (code, text) = verify_file_run(&their_records, &signer, None, Some(&our_run));
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(&format!(
            "REJECTED at line 10: the closing record names run {their_run}, not run {our_run}"
        )),
        "{text}"
    );
    // A --run that is not a run id is a usage error.
    let (code, text) = verify_file_run(&their_records, &signer, None, Some("xyz"));
    assert_eq!(code, 2, "{text}");
}
