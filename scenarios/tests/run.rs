//! Whole runs of the shipped scenarios: verdicts, attribution and determinism.

use proptest::prelude::*;
use provsim_provisioner::{AuditRecord, AuthorityRole, IssuedCertificate, LineSink, ShippedDevice};
use provsim_scenarios::{Reproduce, RunOptions, RunReport, Verdict, builtin, run};
use provsim_sim::crypto::{Crypto, PublicKey, Signature};
use std::collections::BTreeSet;
use x509_parser::prelude::*;

fn run_builtin(name: &str, seed: u64) -> RunReport {
    let scenario = builtin(name).unwrap().load().unwrap();
    run(
        &scenario,
        &RunOptions::new(seed, Some(&format!("scenarios/{name}.toml"))),
        &mut (),
    )
    .unwrap()
}

#[test]
fn skipping_the_debug_lock_breaks_identity_key_confidentiality() {
    let report = run_builtin("mcu-board-debug-open", 1);
    assert_eq!(report.verdict, Verdict::Broken);
    let claim = &report.claims[0];
    assert_eq!(claim.id, "identity-key-confidentiality");
    assert_eq!(claim.verdict, Verdict::Broken);
    assert_eq!(claim.broken_by, ["debug-port-readout"]);
    assert_eq!(claim.lowest_breaking_total, Some(4));
    assert_eq!(
        claim.demonstrated_resistance.as_deref(),
        Some("none (no rating)")
    );
    assert_eq!(claim.evidence.len(), report.attempts.len());
    for attempt in &report.attempts {
        assert_eq!(attempt.outcome, "obtained");
        assert_eq!(attempt.violates.len(), 1);
    }
    // The library records what reproduces the run; only the command line writes the
    // shell line (tests/cli.rs checks that one).
    assert_eq!(
        report.reproduce,
        Reproduce {
            scenario: Some("scenarios/mcu-board-debug-open.toml".to_owned()),
            seed: 1,
            devices: None,
            command: None,
        }
    );
}

#[test]
fn the_locked_line_holds_against_the_same_attempts() {
    let open = run_builtin("mcu-board-debug-open", 1);
    let locked = run_builtin("mcu-board-provisioner-hsm", 1);
    assert_eq!(locked.verdict, Verdict::Holds);
    assert_eq!(locked.claims[0].verdict, Verdict::Holds);
    assert!(locked.claims[0].broken_by.is_empty());
    let probes = |r: &RunReport| {
        r.attempts
            .iter()
            .filter(|a| a.attack == "debug-port-readout")
            .map(|a| (a.attack.clone(), a.device))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        probes(&locked),
        probes(&open),
        "the same attack on the same devices"
    );
    assert_eq!(probes(&locked).len(), 4);
    for attempt in &locked.attempts {
        if attempt.attack == "debug-port-readout" {
            assert_eq!(attempt.outcome, "blocked");
            assert!(attempt.why.contains("debug port locked"), "{}", attempt.why);
        } else {
            // The co-tenant reads the controller VM and finds no key behind the HSM.
            assert_eq!(attempt.attack, "co-tenant-memory-scrape");
            assert_eq!(attempt.position, provsim_scenarios::ActsOn::Site);
            assert_eq!(attempt.outcome, "failed");
        }
        assert!(attempt.violates.is_empty());
    }
    // The lines differ only in the lock: same keys, different traces.
    assert_eq!(locked.devices, open.devices);
    assert_ne!(locked.trace_digest, open.trace_digest);
}

#[test]
fn a_claim_broken_only_beyond_its_level_is_residual_risk() {
    // debug-port-readout totals 4 points (Basic): within every AVA_VAN level, so a
    // claim at any level breaks. Check the boundary through the report's totals.
    let report = run_builtin("mcu-board-debug-open", 3);
    assert!(report.claims[0].residual_risk.is_empty());
    assert!(report.attempts.iter().all(|a| a.potential.total == Some(4) && a.potential.rating.as_deref() == Some("Basic")));
}

#[test]
fn runs_are_deterministic_across_seeds_and_repeats() {
    let mut digests = BTreeSet::new();
    let mut fingerprints = BTreeSet::new();
    for seed in 0..12 {
        let a = run_builtin("mcu-board-provisioner-hsm", seed);
        let b = run_builtin("mcu-board-provisioner-hsm", seed);
        assert_eq!(a, b, "seed {seed}");
        assert!(
            digests.insert(a.trace_digest.clone()),
            "digest repeated at seed {seed}"
        );
        for fp in &a.devices.first_identities {
            assert!(
                fingerprints.insert(fp.clone()),
                "identity repeated at seed {seed}"
            );
        }
    }
}

#[derive(Default)]
struct Certificates {
    customer_ca: Option<IssuedCertificate>,
    devices: Vec<(ShippedDevice, IssuedCertificate)>,
}

impl LineSink for Certificates {
    fn authority(&mut self, role: AuthorityRole, c: &IssuedCertificate) -> std::io::Result<()> {
        if role == AuthorityRole::CustomerCa {
            self.customer_ca = Some(c.clone());
        }
        Ok(())
    }
    fn certificate(&mut self, d: &ShippedDevice, c: &IssuedCertificate) -> std::io::Result<()> {
        self.devices.push((*d, c.clone()));
        Ok(())
    }
    fn audit(&mut self, _: &AuditRecord) -> std::io::Result<()> {
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// For any seed, every device certificate parses with an independent parser, its
    /// signature verifies under the customer CA key, and identities are distinct.
    #[test]
    fn every_seed_gives_valid_distinct_certificates(seed: u64) {
        let scenario = builtin("mcu-board-provisioner-hsm").unwrap().load().unwrap();
        let mut certs = Certificates::default();
        let report = run(&scenario, &RunOptions::new(seed, None), &mut certs).unwrap();
        prop_assert_eq!(certs.devices.len() as u64, report.devices.count);

        let crypto = Crypto::new();
        let ca_der = certs.customer_ca.clone().unwrap().der;
        let (_, ca) = X509Certificate::from_der(&ca_der).unwrap();
        let ca_key = PublicKey::from_sec1(&ca.public_key().subject_public_key.data).unwrap();
        prop_assert_eq!(ca_key.fingerprint().to_string(), report.site.customer_ca_key.clone());
        let mut keys = BTreeSet::new();
        let mut serials = BTreeSet::new();
        let mut subjects = BTreeSet::new();
        for (device, cert) in &certs.devices {
            let (rest, parsed) = X509Certificate::from_der(&cert.der).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(rest.is_empty());
            let key = PublicKey::from_sec1(&parsed.public_key().subject_public_key.data).unwrap();
            prop_assert_eq!(key.fingerprint(), device.identity);
            prop_assert!(keys.insert(key.fingerprint()));
            prop_assert!(serials.insert(parsed.raw_serial().to_vec()));
            prop_assert!(subjects.insert(parsed.subject().to_string()));
            prop_assert!(parsed.validity().not_after.to_datetime().year() == 9999);
            prop_assert_eq!(parsed.issuer(), ca.subject());
            let signature = Signature::from_der_bytes(parsed.signature_value.data.to_vec());
            prop_assert!(crypto.verify(&ca_key, parsed.tbs_certificate.as_ref(), &signature).is_ok());
        }
    }
}

/// Every stream a whole run opens comes from one family, within its template: no label
/// is drawn by two constructors (once every crate opens its streams through families,
/// this covers them all).
#[test]
fn every_shipped_scenario_draws_each_label_from_one_family() {
    for b in provsim_scenarios::BUILTIN {
        let (report, log) = provsim_sim::label::audit(|| run_builtin(b.name, 1));
        let problems = provsim_sim::label::audit_problems(&log);
        assert!(problems.is_empty(), "{}: {problems:?}", b.name);
        let attempts = log
            .iter()
            .filter(|(family, _)| family.constructor == "scenarios::labels::rung")
            .count();
        let rungs: usize = report.attempts.iter().map(|a| a.rungs.len()).sum();
        assert_eq!(attempts, rungs, "{}", b.name);
    }
}
