//! The site attacks against lines of each custody configuration: what the co-tenant and
//! the operator get follows from where the vault keeps its keys and whose policy it
//! runs, and nothing else.

use provsim_attacks::{
    Attack, CoTenantMemoryScrape, DebugPortReadout, Knowledge, MaterialKind,
    OperatorConsoleCertificate, Outcome, Surface,
};
use provsim_devices::TargetKind;
use provsim_provisioner::{Custody, IdentityOrigin, Level, Line, LineConfig, Lot, ShippedDevice};
use provsim_sim::crypto::{Crypto, PublicKey, Signature};
use provsim_sim::{Ctx, Seed, SimTime, Trace};
use x509_parser::prelude::*;

fn line(custody: Custody) -> (Line, Vec<ShippedDevice>) {
    line_with(custody, IdentityOrigin::Vault)
}

fn line_with(custody: Custody, identity: IdentityOrigin) -> (Line, Vec<ShippedDevice>) {
    let config = LineConfig::builder(TargetKind::Mcu)
        .custody(custody)
        .level(Level::Package)
        .names("Test House", "Acme")
        .product(1)
        .secrets(identity, ["storage"])
        .build();
    let lots = vec![Lot {
        name: "L".into(),
        devices: 3,
    }];
    let mut line = Line::establish(config, Seed::new(31), lots).unwrap();
    let shipped = line.run(&mut ()).unwrap().ledger.all_shipped().unwrap();
    (line, shipped)
}

fn attempt(attack: &dyn Attack, line: &Line, index: u64) -> (Outcome, Knowledge) {
    let crypto = Crypto::new();
    let mut site = line.site_during(index, &crypto).unwrap();
    let mut trace = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
    let mut knowledge = Knowledge::new();
    let rung = &provsim_attacks::ladder(attack, line.config().target)[0].rung;
    let outcome = attack.run(
        rung,
        Surface::Site(&mut site),
        &mut ctx,
        &mut Seed::new(0).stream("test/attacker"),
        &mut knowledge,
    );
    (outcome.outcome, knowledge)
}

/// The public keys of the key candidates an attempt holds.
fn candidate_keys(knowledge: &Knowledge, crypto: &Crypto) -> Vec<PublicKey> {
    knowledge
        .of_kind(MaterialKind::KeyCandidate)
        .filter_map(|m| crypto.import_secret(m.bytes()).ok())
        .map(|k| k.public_key().clone())
        .collect()
}

/// Checks `der` really verifies under the line's customer CA.
fn verifies_under_customer_ca(line: &Line, der: &[u8], crypto: &Crypto) -> bool {
    let (_, cert) = parse_x509_certificate(der).unwrap();
    let signature = Signature::from_der_bytes(cert.signature_value.data.to_vec());
    crypto
        .verify(
            line.pki().customer().public_key(),
            cert.tbs_certificate.as_ref(),
            &signature,
        )
        .is_ok()
}

#[test]
fn a_co_tenant_reads_every_key_of_a_shared_vm_and_mints_identities() {
    let (line, shipped) = line(Custody::SharedVm);
    let crypto = Crypto::new();
    for device in &shipped {
        let (outcome, knowledge) = attempt(&CoTenantMemoryScrape, &line, device.index);
        assert!(matches!(outcome, Outcome::Obtained { .. }), "{outcome}");
        let keys = candidate_keys(&knowledge, &crypto);
        // The device on the station: its identity key was in the VM, in flight.
        assert!(keys.iter().any(|k| k.fingerprint() == device.identity));
        assert!(keys.iter().any(|k| k == line.pki().customer().public_key()));
        assert!(keys.iter().any(|k| k == line.firmware_key()));
        // And the device's symmetric key, raw, in the dump.
        let storage = &line.symmetric_keys(device.index)[0].1;
        assert!(
            knowledge
                .of_kind(MaterialKind::MemoryDump)
                .any(|m| m.bytes().windows(32).any(|w| w == storage))
        );
        let minted: Vec<_> = knowledge.of_kind(MaterialKind::Certificate).collect();
        assert_eq!(minted.len(), 1);
        assert!(verifies_under_customer_ca(
            &line,
            minted[0].bytes(),
            &crypto
        ));
    }
}

#[test]
fn behind_an_hsm_the_vm_holds_no_private_key() {
    for custody in [Custody::ProvisionerHsm, Custody::CustomerHsm] {
        let (line, shipped) = line(custody);
        let crypto = Crypto::new();
        let device = &shipped[1];
        let (outcome, knowledge) = attempt(&CoTenantMemoryScrape, &line, device.index);
        assert!(
            matches!(outcome, Outcome::Failed { .. }),
            "{custody}: {outcome}"
        );
        assert!(candidate_keys(&knowledge, &crypto).is_empty());
        assert_eq!(knowledge.of_kind(MaterialKind::Certificate).count(), 0);
        // The bytes were read all the same: handles and public keys.
        let dump = knowledge.of_kind(MaterialKind::MemoryDump).next().unwrap();
        assert!(!dump.bytes().is_empty());
        let secret = line
            .identity_key(device.index, &crypto)
            .expose_secret_bytes();
        assert!(!dump.bytes().windows(32).any(|w| w == secret));
        let storage = &line.symmetric_keys(device.index)[0].1;
        assert!(!dump.bytes().windows(32).any(|w| w == storage));
    }
}

#[test]
fn only_the_customers_hsm_refuses_the_operators_key() {
    let crypto = Crypto::new();
    for custody in Custody::ALL {
        let (line, shipped) = line(custody);
        let (outcome, knowledge) = attempt(&OperatorConsoleCertificate, &line, shipped[0].index);
        if custody == Custody::CustomerHsm {
            match outcome {
                Outcome::Blocked { reason } => {
                    assert!(reason.contains("did not generate"), "{reason}")
                }
                other => panic!("{custody}: expected blocked, got {other}"),
            }
            assert!(knowledge.is_empty());
        } else {
            assert!(
                matches!(outcome, Outcome::Obtained { .. }),
                "{custody}: {outcome}"
            );
            let cert = knowledge.of_kind(MaterialKind::Certificate).next().unwrap();
            assert!(verifies_under_customer_ca(&line, cert.bytes(), &crypto));
            // The certified key is the operator's own, not a shipped one.
            let keys = candidate_keys(&knowledge, &crypto);
            assert_eq!(keys.len(), 1);
            assert!(shipped.iter().all(|d| d.identity != keys[0].fingerprint()));
        }
    }
}

#[test]
fn an_attack_given_the_wrong_surface_fails_without_panicking() {
    let (line, shipped) = line(Custody::SharedVm);
    let (outcome, knowledge) = attempt(&DebugPortReadout, &line, shipped[0].index);
    assert!(matches!(outcome, Outcome::Failed { .. }), "{outcome}");
    assert!(knowledge.is_empty());
}

#[test]
fn the_site_copy_leaves_the_line_untouched() {
    let (line, shipped) = line(Custody::ProvisionerHsm);
    let before = line.pki().customer().certificate().clone();
    let (outcome, _) = attempt(&OperatorConsoleCertificate, &line, shipped[0].index);
    assert!(matches!(outcome, Outcome::Obtained { .. }));
    // A second path on a fresh copy sees the same site: nothing carried over.
    let (again, _) = attempt(&OperatorConsoleCertificate, &line, shipped[0].index);
    assert_eq!(outcome, again);
    assert_eq!(line.pki().customer().certificate(), &before);
}

#[test]
fn with_keys_made_on_chip_the_shared_vm_holds_the_ca_key_but_no_identity_key() {
    let (line, shipped) = line_with(Custody::SharedVm, IdentityOrigin::Device);
    let crypto = Crypto::new();
    let device = &shipped[0];
    let (outcome, knowledge) = attempt(&CoTenantMemoryScrape, &line, device.index);
    assert!(matches!(outcome, Outcome::Obtained { .. }), "{outcome}");
    let keys = candidate_keys(&knowledge, &crypto);
    assert!(keys.iter().any(|k| k == line.pki().customer().public_key()));
    assert!(keys.iter().all(|k| k.fingerprint() != device.identity));
    let secret = line
        .identity_key(device.index, &crypto)
        .expose_secret_bytes();
    assert!(
        knowledge
            .materials()
            .iter()
            .all(|m| !m.bytes().windows(32).any(|w| w == secret))
    );
}

/// The customer's HSM cannot tell a chip's request from an operator's: with keys made
/// on chip and no attestation of the chip, the insider gets an identity through it.
#[test]
fn with_keys_made_on_chip_the_customers_hsm_certifies_an_operators_request() {
    let crypto = Crypto::new();
    for (identity, obtained) in [
        (IdentityOrigin::Vault, false),
        (IdentityOrigin::Device, true),
    ] {
        let (line, shipped) = line_with(Custody::CustomerHsm, identity);
        let (outcome, knowledge) = attempt(&OperatorConsoleCertificate, &line, shipped[0].index);
        assert_eq!(
            matches!(outcome, Outcome::Obtained { .. }),
            obtained,
            "{identity:?}: {outcome}"
        );
        if obtained {
            let cert = knowledge.of_kind(MaterialKind::Certificate).next().unwrap();
            assert!(verifies_under_customer_ca(&line, cert.bytes(), &crypto));
        }
    }
}
