//! `records.jsonl`: one record per shipped device, in device order, each signed by the
//! vault's identity key (`pki/vault.pem`). Checked with provsim's verifier and,
//! independently, with `openssl dgst -verify`.

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
