//! `manifest.jsonl`: the customer's manifest, one signed entry per shipped device, in
//! device order. Checked entry by entry with an independent JOSE library (jwcrypto, in
//! the virtual environment `.ci/test` makes) and with `provsim manifest verify`.

mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A Python that has jwcrypto: $PROVSIM_PYTHON, then `.ci/venv/bin/python`, then PATH.
fn jwcrypto_python() -> PathBuf {
    venv_tool(
        "PROVSIM_PYTHON",
        "python",
        &["-c", "import jwcrypto, cryptography"],
        "`python3 -m venv .ci/venv && .ci/venv/bin/pip install jwcrypto==1.5.6`",
    )
}

/// The uniqueIds jwcrypto verified, in order, or its complaint.
fn jwcrypto_verify(manifest: &Path, signer: &Path) -> Result<Vec<String>, String> {
    let out = Command::new(jwcrypto_python())
        .arg(repo().join("tests/tools/verify_manifest.py"))
        .arg(manifest)
        .arg(signer)
        .output()
        .expect("python runs");
    if out.status.success() {
        Ok(stdout(&out).lines().map(str::to_owned).collect())
    } else {
        Err(stderr(&out))
    }
}

/// The shipped devices' ids, in device order, from the signed records.
fn shipped_ids(dir: &Path) -> Vec<String> {
    fs::read_to_string(dir.join("records.jsonl"))
        .unwrap()
        .lines()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            record["device"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn the_manifest_lists_exactly_the_shipped_devices_and_jwcrypto_verifies_each_entry() {
    for scenario in [
        "mcu-board-provisioner-hsm",
        "mcu-wafer-customer-hsm",
        "mcu-board-on-chip-keys",
    ] {
        let (dir, out) = run_into(Some(scenario), Some(1));
        assert!(matches!(code(&out), 0 | 1), "{scenario}: {}", stderr(&out));
        let manifest = dir.path().join("manifest.jsonl");
        let signer = dir.path().join("pki/vault-certificate.pem");
        let listed = jwcrypto_verify(&manifest, &signer)
            .unwrap_or_else(|e| panic!("{scenario}: jwcrypto rejected the manifest: {e}"));
        let shipped = shipped_ids(dir.path());
        let count = report_json(dir.path())["devices"]["count"]
            .as_u64()
            .unwrap();
        assert_eq!(listed.len() as u64, count, "{scenario}");
        assert_eq!(
            listed, shipped,
            "{scenario}: the manifest is the shipped devices"
        );

        let ours = provsim(&[
            "manifest",
            "verify",
            manifest.to_str().unwrap(),
            "--signer",
            signer.to_str().unwrap(),
        ]);
        assert_eq!(code(&ours), 0, "{}", stderr(&ours));
        assert!(stdout(&ours).contains(&format!("{count} entries verified")));
    }
}

#[test]
fn a_changed_or_foreign_entry_is_rejected_by_both_verifiers() {
    let (dir, _) = run_into(None, Some(1));
    let manifest = fs::read_to_string(dir.path().join("manifest.jsonl")).unwrap();
    let signer = dir.path().join("pki/vault-certificate.pem");
    let lines: Vec<&str> = manifest.lines().collect();
    let work = tempfile::tempdir().unwrap();

    // One character of the second entry's payload changed.
    let entry: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    let payload = entry["payload"].as_str().unwrap();
    let flipped = if payload.as_bytes()[10] == b'A' {
        "B"
    } else {
        "A"
    };
    let changed_payload = format!("{}{flipped}{}", &payload[..10], &payload[11..]);
    let changed = lines[1].replace(payload, &changed_payload);
    // The right header (this signer's kid and x5t#S256), signed by another key.
    assert_eq!(base64url(b"hello"), "aGVsbG8");
    assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    let jws: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    let input = format!(
        "{}.{}",
        jws["protected"].as_str().unwrap(),
        jws["payload"].as_str().unwrap()
    );
    let crypto = provsim_sim::crypto::Crypto::new();
    let other = crypto.generate_key(&mut provsim_sim::Seed::new(1).stream("test/other"));
    let fixed = crypto.sign(&other, input.as_bytes()).to_fixed().unwrap();
    let mut forged = jws.clone();
    forged["signature"] = serde_json::Value::String(base64url(&fixed));
    // The root certificate as the signer: the right signatures, the wrong signer.
    let cases = [
        ("changed", [lines[0], &changed].join("\n"), signer.clone()),
        ("signed by another key", forged.to_string(), signer.clone()),
        (
            "foreign signer",
            manifest.clone(),
            dir.path().join("pki/root.pem"),
        ),
    ];
    for (what, text, signer) in cases {
        let path = work.path().join(format!("{what}.jsonl"));
        fs::write(&path, text).unwrap();
        assert!(
            jwcrypto_verify(&path, &signer).is_err(),
            "{what}: jwcrypto accepted it"
        );
        let ours = provsim(&[
            "manifest",
            "verify",
            path.to_str().unwrap(),
            "--signer",
            signer.to_str().unwrap(),
        ]);
        assert_eq!(code(&ours), 1, "{what}: {}", stdout(&ours));
    }

    // Bad input is exit code 2, with the file named.
    let missing = provsim(&[
        "manifest",
        "verify",
        "no-such-manifest.jsonl",
        "--signer",
        signer.to_str().unwrap(),
    ]);
    assert_eq!(code(&missing), 2);
    assert!(stderr(&missing).contains("no-such-manifest.jsonl"));
}

/// Base64url without padding (RFC 4648, 5), for building a forged entry by hand.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}
