//! Device certificates and the customer CA's revocation list checked by outside tools,
//! as a relying party would: OpenSSL's strict chain verification (with and without the
//! CRL) and pkilint's RFC 5280 linters. These tests fail, never skip, when a tool is
//! missing: `.ci/run` installs both.

mod common;

use common::*;
use provsim_provisioner::{AuditRecord, AuthorityRole, IssuedCertificate, LineSink, ShippedDevice};
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

/// A Python that has pkilint: $PROVSIM_PYTHON, then the virtual environment `.ci/test`
/// makes, then PATH.
fn pkilint_python() -> PathBuf {
    venv_tool(
        "PROVSIM_PYTHON",
        "python",
        &[
            "-c",
            "import pkilint.bin.lint_pkix_cert, pkilint.bin.lint_crl",
        ],
        "`python3 -m venv .ci/venv && .ci/venv/bin/pip install pkilint==0.13.3`",
    )
}

/// pkilint's command-line linter `linter` (`lint_pkix_cert`, `lint_crl`) run as
/// `linter ARGS FILE` on every file, all in one Python process
/// (`tests/tools/pkilint_each.py`): per file, whether it exited 0, and what it printed.
fn pkilint_each(linter: &str, args: &[&str], files: &[PathBuf]) -> Vec<(bool, String)> {
    let out = Command::new(pkilint_python())
        .arg(repo().join("tests/tools/pkilint_each.py"))
        .arg(linter)
        .args(args)
        .arg("--")
        .args(files)
        .output()
        .expect("python runs");
    assert!(out.status.success(), "pkilint_each.py: {}", stderr(&out));
    let printed = stdout(&out);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), files.len(), "{printed}");
    lines
        .iter()
        .zip(files)
        .map(|(line, file)| {
            let result: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(result["file"].as_str(), file.to_str(), "{line}");
            let output = result["output"].as_str().unwrap().to_owned();
            (result["exit"] == 0, output)
        })
        .collect()
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

/// Every shipped scenario: all three custody configurations, all three levels.
const SHIPPED: [&str; 13] = [
    "mcu-board-provisioner-hsm",
    "mcu-board-debug-open",
    "mcu-wafer-customer-hsm",
    "mcu-package-shared-vm",
    "mcu-board-insider",
    "mcu-board-supply-chain",
    "mcu-board-security-target",
    "mcu-board-on-chip-keys",
    "mcu-lock-what-if",
    "mcu-board-glitch-hardened",
    "mcu-glitch-near-threshold",
    "asic-board-test-port-open",
    "se-board-provisioner-hsm",
];

/// Runs every shipped scenario at seed 1 (exit 0 or 1: a broken claim still ships
/// devices) and returns its output folder.
fn shipped_runs() -> Vec<(&'static str, tempfile::TempDir)> {
    SHIPPED
        .iter()
        .map(|&scenario| {
            let (dir, out) = run_into(Some(scenario), Some(1));
            assert!(matches!(code(&out), 0 | 1), "{scenario}: {}", stderr(&out));
            (scenario, dir)
        })
        .collect()
}

/// The devices (ids, as the audit log writes them) rejected after their certificate was
/// issued, read from a run's audit log: a `certificate-issued` record, then
/// `device-rejected`.
fn rejected_after_issue(dir: &Path) -> Vec<String> {
    let audit = std::fs::read_to_string(dir.join("audit.jsonl")).unwrap();
    let mut certified = std::collections::BTreeSet::new();
    let mut rejected = Vec::new();
    for line in audit.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let Some(device) = record["device"].as_str() else {
            continue;
        };
        match record["action"].as_str().unwrap() {
            "certificate-issued" => {
                certified.insert(device.to_owned());
            }
            "device-rejected" if certified.contains(device) => rejected.push(device.to_owned()),
            _ => {}
        }
    }
    rejected
}

/// The certificates of devices rejected after issue, as the line issued them.
#[derive(Default)]
struct Unshipped {
    certificates: Vec<(u64, IssuedCertificate)>,
}

impl LineSink for Unshipped {
    fn authority(&mut self, _: AuthorityRole, _: &IssuedCertificate) -> std::io::Result<()> {
        Ok(())
    }
    fn certificate(&mut self, _: &ShippedDevice, _: &IssuedCertificate) -> std::io::Result<()> {
        Ok(())
    }
    fn audit(&mut self, _: &AuditRecord) -> std::io::Result<()> {
        Ok(())
    }
    fn unshipped_certificate(
        &mut self,
        index: u64,
        certificate: &IssuedCertificate,
    ) -> std::io::Result<()> {
        self.certificates.push((index, certificate.clone()));
        Ok(())
    }
}

/// A device rejected after its certificate was issued never ships, but its certificate
/// exists, signed by the customer CA: the run's CRL revokes it. In
/// mcu-wafer-customer-hsm seed 1, 23 certificates are issued and 20 devices ship; each
/// of the other 3 is refused by `openssl verify -crl_check` as revoked (and verifies
/// without the CRL: it is a real certificate of the CA's).
#[test]
fn devices_rejected_after_issue_are_revoked() {
    let openssl = openssl();
    let scenario = "mcu-wafer-customer-hsm";
    let (dir, out) = run_into(Some(scenario), Some(1));
    assert!(matches!(code(&out), 0 | 1), "{}", stderr(&out));
    let dir = dir.path();
    let rejected = rejected_after_issue(dir);
    assert_eq!(rejected.len(), 3, "{rejected:?}");
    // The same run in this process, to hold the certificates nobody receives.
    let loaded = provsim_scenarios::builtin(scenario)
        .unwrap()
        .load()
        .unwrap();
    let mut unshipped = Unshipped::default();
    provsim_scenarios::run(
        &loaded,
        &provsim_scenarios::RunOptions::new(1, None),
        &mut unshipped,
    )
    .unwrap();
    assert_eq!(unshipped.certificates.len(), rejected.len());

    let pki = dir.join("pki");
    let crl = pki.join("customer-ca.crl.pem");
    let chain = dir.join("chain.pem");
    let chain_text = std::fs::read_to_string(pki.join("root.pem")).unwrap()
        + &std::fs::read_to_string(pki.join("customer-ca.pem")).unwrap();
    std::fs::write(&chain, chain_text).unwrap();
    for (index, certificate) in &unshipped.certificates {
        let path = dir.join(format!("rejected-{index}.pem"));
        std::fs::write(&path, &certificate.pem).unwrap();
        let plain = Command::new(&openssl)
            .args(["verify", "-x509_strict", "-CAfile"])
            .arg(&chain)
            .arg(&path)
            .output()
            .expect("openssl runs");
        assert!(
            plain.status.success(),
            "device {index}: {}{}",
            stdout(&plain),
            stderr(&plain)
        );
        let (ok, text) = verify_with_crl(&openssl, &chain, &crl, &path);
        assert!(!ok, "rejected device {index} verified with the CRL: {text}");
        assert!(text.contains("certificate revoked"), "{text}");
    }
    // And openssl reads the reason as the line wrote it.
    let listed = Command::new(&openssl)
        .args(["crl", "-noout", "-text", "-in"])
        .arg(&crl)
        .output()
        .expect("openssl runs");
    assert_eq!(
        stdout(&listed).matches("Cessation Of Operation").count(),
        3,
        "{}",
        stdout(&listed)
    );
}

#[test]
fn the_list_of_shipped_scenarios_is_complete_and_covers_every_custody_and_level() {
    let out = provsim(&["list", "scenarios"]);
    let listed: Vec<String> = stdout(&out)
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect();
    assert_eq!(listed, SHIPPED, "add new scenarios to SHIPPED");
    let mut seen = std::collections::BTreeSet::new();
    for scenario in SHIPPED {
        let (dir, _) = run_into(Some(scenario), Some(1));
        let report = report_json(dir.path());
        seen.insert((
            "custody",
            report["site"]["custody"].as_str().unwrap().to_owned(),
        ));
        seen.insert((
            "level",
            report["site"]["level"].as_str().unwrap().to_owned(),
        ));
    }
    for custody in ["shared-vm", "provisioner-hsm", "customer-hsm"] {
        assert!(seen.contains(&("custody", custody.to_owned())), "{custody}");
    }
    for level in ["wafer", "package", "board"] {
        assert!(seen.contains(&("level", level.to_owned())), "{level}");
    }
}

#[test]
fn openssl_verifies_every_device_certificate_of_every_scenario_strictly() {
    let openssl = openssl();
    for (scenario, dir) in shipped_runs() {
        let pki = dir.path().join("pki");
        let certs = device_certificates(dir.path());
        let shipped = report_json(dir.path())["devices"]["count"]
            .as_u64()
            .unwrap();
        assert_eq!(certs.len() as u64, shipped, "{scenario}");
        assert!(shipped > 0);
        // The vault's certificate (the manifest's signer) chains to the root too.
        let vault = pki.join("vault-certificate.pem");
        for cert in certs.iter().chain([&vault]) {
            let (ok, text) = verify(&openssl, &pki, cert);
            assert!(ok, "{scenario}: {text}");
        }
    }
    for seed in [1, 2] {
        let (dir, out) = run_into(Some("scenarios/mcu-board-provisioner-hsm.toml"), Some(seed));
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

/// `openssl crl -verify` of `crl` under the CA certificate `ca`: passed, and what it said.
fn crl_verifies(openssl: &Path, crl: &Path, ca: &Path, der: bool) -> (bool, String) {
    let out = Command::new(openssl)
        .args(["crl", "-inform", if der { "DER" } else { "PEM" }, "-in"])
        .arg(crl)
        .arg("-CAfile")
        .arg(ca)
        .args(["-verify", "-noout"])
        .output()
        .expect("openssl runs");
    let text = format!("{}{}", stdout(&out), stderr(&out));
    (out.status.success() && text.contains("verify OK"), text)
}

/// `openssl verify -x509_strict -crl_check` of a device certificate against the root and
/// the customer CA as trusted, with the run's CRL.
fn verify_with_crl(openssl: &Path, chain: &Path, crl: &Path, cert: &Path) -> (bool, String) {
    let out = Command::new(openssl)
        .args(["verify", "-x509_strict", "-crl_check", "-CAfile"])
        .arg(chain)
        .arg("-CRLfile")
        .arg(crl)
        .arg(cert)
        .output()
        .expect("openssl runs");
    let text = format!("{}{}", stdout(&out), stderr(&out));
    (out.status.success() && text.contains(": OK"), text)
}

/// Every scenario's CRL verifies under the customer CA (and not under the root, nor
/// with one bit of its signature flipped), and `openssl verify -crl_check` refuses the
/// certificate of every returned device, and of no other shipped one, as revoked. The
/// CRL holds one entry more for every device rejected after its certificate was issued
/// (the audit log shows those).
#[test]
fn the_crl_is_the_customer_cas_and_revokes_exactly_the_returned_devices() {
    let openssl = openssl();
    let mut revoked_somewhere = 0;
    for (scenario, dir) in shipped_runs() {
        let pki = dir.path().join("pki");
        let crl = pki.join("customer-ca.crl.pem");
        let (ok, text) = crl_verifies(&openssl, &crl, &pki.join("customer-ca.pem"), false);
        assert!(ok, "{scenario}: {text}");
        let (ok, text) = crl_verifies(&openssl, &crl, &pki.join("root.pem"), false);
        assert!(
            !ok,
            "{scenario}: the root verified the customer CA's CRL: {text}"
        );
        let der = Command::new(&openssl)
            .args(["crl", "-outform", "DER", "-in"])
            .arg(&crl)
            .output()
            .expect("openssl runs")
            .stdout;
        let mut tampered = der.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 0x01;
        let tampered_path = dir.path().join("tampered.crl");
        std::fs::write(&tampered_path, &tampered).unwrap();
        let (ok, text) = crl_verifies(&openssl, &tampered_path, &pki.join("customer-ca.pem"), true);
        assert!(!ok, "{scenario}: a tampered CRL verified: {text}");

        let report = report_json(dir.path());
        let returned: Vec<u64> = report["line"]["returns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["device"].as_u64().unwrap())
            .collect();
        assert_eq!(
            report["line"]["crl"]["entries"].as_u64(),
            Some(returned.len() as u64 + rejected_after_issue(dir.path()).len() as u64),
            "{scenario}"
        );
        // Both CAs trusted, so the CRL is checked for the device certificate only.
        let chain = dir.path().join("chain.pem");
        let chain_text = std::fs::read_to_string(pki.join("root.pem")).unwrap()
            + &std::fs::read_to_string(pki.join("customer-ca.pem")).unwrap();
        std::fs::write(&chain, chain_text).unwrap();
        // devices.pem and records.jsonl are both in shipped order: the record names
        // each certificate's device index.
        let records = std::fs::read_to_string(dir.path().join("records.jsonl")).unwrap();
        let records: Vec<&str> = records
            .lines()
            .filter(|l| l.starts_with("{\"device\":\""))
            .collect();
        let certs = device_certificates(dir.path());
        assert_eq!(records.len(), certs.len());
        for (line, cert) in records.iter().zip(&certs) {
            let index = serde_json::from_str::<serde_json::Value>(line).unwrap()["index"]
                .as_u64()
                .unwrap();
            let (ok, text) = verify_with_crl(&openssl, &chain, &crl, cert);
            if returned.contains(&index) {
                revoked_somewhere += 1;
                assert!(!ok, "{scenario}: returned device {index} verified: {text}");
                assert!(text.contains("certificate revoked"), "{scenario}: {text}");
            } else {
                assert!(ok, "{scenario}: device {index}: {text}");
            }
        }
    }
    // The shipped scenarios return devices: 2 + 2 + 1 + 1 + 1 of them.
    assert_eq!(revoked_somewhere, 7);
}

#[test]
fn pkilint_finds_no_error_in_any_certificate_or_crl_of_any_scenario() {
    let mut certs = Vec::new();
    let runs = shipped_runs();
    for (_, dir) in &runs {
        certs.extend(device_certificates(dir.path()));
        certs.push(dir.path().join("pki/root.pem"));
        certs.push(dir.path().join("pki/customer-ca.pem"));
        certs.push(dir.path().join("pki/vault-certificate.pem"));
    }
    let linted = pkilint_each("lint_pkix_cert", &["lint", "-s", "ERROR"], &certs);
    for (cert, (ok, text)) in certs.iter().zip(linted) {
        assert!(
            ok && !text.contains("(ERROR)") && !text.contains("(FATAL)"),
            "{}: {text}",
            cert.display()
        );
    }
    // RFC 5280's CRL profile (PKIX): the CA/B Forum's server-auth profile (BR) does not
    // apply to a device CA, whose CRL stands as long as its certificates.
    let crls: Vec<PathBuf> = runs
        .iter()
        .map(|(_, dir)| dir.path().join("pki/customer-ca.crl.pem"))
        .collect();
    let args = ["lint", "-t", "CRL", "-p", "PKIX", "-s", "WARNING"];
    for ((scenario, _), (ok, text)) in runs.iter().zip(pkilint_each("lint_crl", &args, &crls)) {
        assert!(ok && text.trim().is_empty(), "{scenario}: {text}");
    }
}
