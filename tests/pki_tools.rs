//! Device certificates checked by outside tools, as a relying party would: OpenSSL's
//! strict chain verification and pkilint's RFC 5280 linter. These tests fail, never
//! skip, when a tool is missing: `.ci/run` installs both.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn openssl() -> PathBuf {
    let found = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`openssl` is not installed: install it (Debian: apt-get install openssl) or run `bash .ci/run`"
    );
    PathBuf::from("openssl")
}

/// pkilint's `lint_pkix_cert`: $PROVSIM_PKILINT, then the virtual environment `.ci/test`
/// makes, then PATH.
fn pkilint() -> PathBuf {
    venv_tool(
        "PROVSIM_PKILINT",
        "lint_pkix_cert",
        &["--help"],
        "`python3 -m venv .ci/venv && .ci/venv/bin/pip install pkilint==0.13.3`",
    )
}

fn verify(openssl: &Path, pki: &Path, cert: &Path) -> (bool, String) {
    let out = Command::new(openssl)
        .args(["verify", "-x509_strict", "-CAfile"])
        .arg(pki.join("root.pem"))
        .arg("-untrusted")
        .arg(pki.join("customer-ca.pem"))
        .arg(cert)
        .output()
        .expect("openssl runs");
    let text = format!("{}{}", stdout(&out), stderr(&out));
    (out.status.success() && text.contains(": OK"), text)
}

fn device_certificates(dir: &Path) -> Vec<PathBuf> {
    let bundle = std::fs::read_to_string(dir.join("devices.pem")).unwrap();
    let certs = split_pem(&bundle);
    assert!(!certs.is_empty());
    certs
        .iter()
        .enumerate()
        .map(|(i, pem)| {
            let path = dir.join(format!("device-{i}.pem"));
            std::fs::write(&path, pem).unwrap();
            path
        })
        .collect()
}

/// Every shipped scenario that ships devices, at every level.
const LINES: [&str; 3] = ["mcu-board-hsm", "mcu-wafer-hsm", "mcu-package-hsm"];

#[test]
fn openssl_verifies_every_device_certificate_of_every_level_strictly() {
    let openssl = openssl();
    for scenario in LINES {
        let (dir, out) = run_into(Some(scenario), Some(1));
        assert_eq!(code(&out), 0, "{scenario}: {}", stderr(&out));
        let pki = dir.path().join("pki");
        let certs = device_certificates(dir.path());
        let shipped = report_json(dir.path())["devices"]["count"]
            .as_u64()
            .unwrap();
        assert_eq!(certs.len() as u64, shipped, "{scenario}");
        assert!(shipped > 0);
        for cert in &certs {
            let (ok, text) = verify(&openssl, &pki, cert);
            assert!(ok, "{scenario}: {text}");
        }
    }
    for seed in [1, 2] {
        let (dir, out) = run_into(Some("scenarios/mcu-board-hsm.toml"), Some(seed));
        assert_eq!(code(&out), 0);
        let pki = dir.path().join("pki");
        let certs = device_certificates(dir.path());
        assert_eq!(certs.len(), 8);

        // The check can fail: a certificate with one bit of its signature flipped does not verify.
        let pem = std::fs::read_to_string(&certs[0]).unwrap();
        let der = Command::new(&openssl)
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&certs[0])
            .output()
            .unwrap()
            .stdout;
        assert!(!der.is_empty(), "{pem}");
        let mut tampered = der.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 0x01;
        let tampered_der = dir.path().join("tampered.der");
        std::fs::write(&tampered_der, &tampered).unwrap();
        let tampered_pem = dir.path().join("tampered.pem");
        let converted = Command::new(&openssl)
            .args(["x509", "-inform", "DER", "-in"])
            .arg(&tampered_der)
            .arg("-out")
            .arg(&tampered_pem)
            .status()
            .unwrap();
        assert!(converted.success());
        let (ok, text) = verify(&openssl, &pki, &tampered_pem);
        assert!(!ok, "a tampered certificate verified: {text}");
    }
}

#[test]
fn pkilint_finds_no_error_in_any_certificate() {
    let pkilint = pkilint();
    let mut certs = Vec::new();
    let mut dirs = Vec::new();
    for scenario in LINES {
        let (dir, out) = run_into(Some(scenario), Some(1));
        assert_eq!(code(&out), 0);
        let devices = device_certificates(dir.path());
        // Every certificate of the default line; the first and last of the others,
        // whose profile is the same (pkilint takes about half a second a file).
        if scenario == LINES[0] {
            certs.extend(devices);
        } else {
            certs.extend(devices.first().cloned());
            certs.extend(devices.last().cloned());
        }
        certs.push(dir.path().join("pki/root.pem"));
        certs.push(dir.path().join("pki/customer-ca.pem"));
        dirs.push(dir);
    }
    for cert in &certs {
        let out = Command::new(&pkilint)
            .args(["lint", "-s", "ERROR"])
            .arg(cert)
            .output()
            .expect("pkilint runs");
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(
            out.status.success() && !text.contains("(ERROR)") && !text.contains("(FATAL)"),
            "{}: {text}",
            cert.display()
        );
    }
}
