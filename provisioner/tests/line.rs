//! The line end to end: certificates chain and verify, keys never linger in the HSM, and
//! any device can be rebuilt alone exactly as it shipped.

use provsim_devices::keystore::{SlotKind, parse_slots};
use provsim_devices::mcu::layout::{KEYSTORE_BASE, KEYSTORE_SIZE};
use provsim_devices::{PortError, TargetKind};
use provsim_provisioner::{
    AuditRecord, AuthorityRole, Custody, IssuedCertificate, IssuedCrl, Line, LineConfig, LineSink,
    Lot, ShippedDevice, StationConfig,
};
use provsim_sim::crypto::{Crypto, PublicKey, Signature};
use provsim_sim::{Ctx, Seed, SimTime, Trace};
use x509_parser::prelude::*;

#[derive(Default)]
struct Collect {
    certificates: Vec<(ShippedDevice, IssuedCertificate)>,
    audit: Vec<AuditRecord>,
    crl: Vec<IssuedCrl>,
}

impl LineSink for Collect {
    fn authority(&mut self, _: AuthorityRole, _: &IssuedCertificate) -> std::io::Result<()> {
        Ok(())
    }
    fn certificate(&mut self, d: &ShippedDevice, c: &IssuedCertificate) -> std::io::Result<()> {
        self.certificates.push((*d, c.clone()));
        Ok(())
    }
    fn audit(&mut self, r: &AuditRecord) -> std::io::Result<()> {
        self.audit.push(r.clone());
        Ok(())
    }
    fn crl(&mut self, crl: &IssuedCrl) -> std::io::Result<()> {
        self.crl.push(crl.clone());
        Ok(())
    }
}

fn config(lock_debug: bool) -> LineConfig {
    LineConfig::builder(TargetKind::Mcu)
        .station(StationConfig::secure_boot_then(lock_debug))
        .names("Test House", "Acme Sensors")
        .product(0x5053)
        .build()
}

fn lots() -> Vec<Lot> {
    vec![
        Lot {
            name: "A".into(),
            devices: 3,
        },
        Lot {
            name: "B".into(),
            devices: 2,
        },
    ]
}

/// Checks `cert` is signed by the key in `issuer` (independent parser, facade verify).
fn assert_signed_by(cert: &X509Certificate<'_>, issuer: &X509Certificate<'_>) {
    let crypto = Crypto::new();
    let issuer_key = PublicKey::from_sec1(&issuer.public_key().subject_public_key.data).unwrap();
    let signature = Signature::from_der_bytes(cert.signature_value.data.to_vec());
    crypto
        .verify(&issuer_key, cert.tbs_certificate.as_ref(), &signature)
        .unwrap();
    assert_eq!(cert.issuer(), issuer.subject());
}

#[test]
fn every_device_certificate_chains_to_the_root() {
    let mut line = Line::establish(config(true), Seed::new(5), lots()).unwrap();
    let mut sink = Collect::default();
    let summary = line.run(&mut sink).unwrap();
    assert_eq!(summary.ledger.shipped(), 5);
    assert!(summary.rejected.is_empty());

    let root_der = line.pki().root().certificate().der.clone();
    let customer_der = line.pki().customer().certificate().der.clone();
    let (_, root) = X509Certificate::from_der(&root_der).unwrap();
    let (_, customer) = X509Certificate::from_der(&customer_der).unwrap();
    assert_signed_by(&root, &root);
    assert_signed_by(&customer, &root);
    assert!(customer.basic_constraints().unwrap().unwrap().value.ca);

    for (device, certificate) in &sink.certificates {
        // PEM bytes are the same on every platform: LF only, 64-character lines.
        assert!(!certificate.pem.contains('\r'));
        assert!(certificate.pem.lines().all(|l| l.len() <= 64));
        let (_, cert) = X509Certificate::from_der(&certificate.der).unwrap();
        assert_signed_by(&cert, &customer);
        let key = PublicKey::from_sec1(&cert.public_key().subject_public_key.data).unwrap();
        assert_eq!(key.fingerprint(), device.identity);
        let serial = cert
            .subject()
            .iter_common_name()
            .next()
            .unwrap()
            .as_str()
            .unwrap();
        assert_eq!(serial, device.device_id.to_string());
        assert!(!cert.basic_constraints().unwrap().unwrap().value.ca);
    }
    // Device ids carry the lot: the first device of lot B is number 0 of lot 2.
    assert_eq!(
        sink.certificates[3].0.device_id.to_string(),
        "5053000200000000"
    );
}

#[test]
fn reconciliation_keys_made_equal_keys_destroyed_and_none_linger() {
    let mut line = Line::establish(config(true), Seed::new(6), lots()).unwrap();
    let summary = line.run(&mut ()).unwrap();
    // The customer CA, the firmware key and the vault identity stay; the root went
    // offline as custodians' shares (destroyed, restored for its one ceremony,
    // destroyed again); each device key is made, wrapped once, destroyed. A board-level
    // station authenticates each part: the die's key and certificate are wafer test's work,
    // not the line's; each attestation is one signature by the die and two
    // verifications by the station.
    assert_eq!(summary.hsm.generated, 4 + 5);
    assert_eq!(summary.hsm.restored, 1);
    assert_eq!(summary.hsm.wrapped, 5);
    assert_eq!(summary.hsm.destroyed, 2 + 5);
    assert_eq!(
        summary.crypto.keygen,
        summary.hsm.generated + 5 /* transport */ + 5 /* ephemeral */
            + 3 /* the link's CA and its two ends */ + 2 /* one handshake's ephemerals */
    );
    // One session carried every device's secrets.
    assert_eq!((summary.link.handshakes, summary.link.answered), (1, 5));
}

#[test]
fn audit_chain_is_streamed_in_order_and_ends_at_the_head() {
    let mut line = Line::establish(config(false), Seed::new(7), lots()).unwrap();
    let mut sink = Collect::default();
    let summary = line.run(&mut sink).unwrap();
    assert_eq!(sink.audit.len() as u64, summary.audit_records);
    for (i, record) in sink.audit.iter().enumerate() {
        assert_eq!(record.sequence, i as u64);
    }
    assert_eq!(sink.audit.last().unwrap().head, summary.audit_head);
    let count = |action: &str| sink.audit.iter().filter(|r| r.action == action).count();
    // config(false): the only lock step is the secure-boot fuse.
    assert_eq!(count("lock-step"), 5);
    assert_eq!(count("functional-test-passed"), 5);
    assert!(
        sink.audit
            .iter()
            .filter(|r| r.action == "lock-step")
            .all(|r| r.detail == "step=fuse_secure-boot result=applied")
    );
    // Audit lines name keys by fingerprint; no private key appears in any of them.
    let text: String = sink.audit.iter().map(|r| format!("{r}\n")).collect();
    assert!(text.contains("identity-key-generated"));
    let crypto = Crypto::new();
    for device in summary.ledger.all_shipped().unwrap() {
        let secret = line.identity_key(device.index, &crypto);
        assert!(text.contains(&secret.public_key().fingerprint().to_string()));
        assert!(!text.contains(&provsim_sim::to_hex(&secret.expose_secret_bytes())));
    }
}

#[test]
fn a_rebuilt_device_is_the_shipped_device() {
    let mut line = Line::establish(config(false), Seed::new(8), lots()).unwrap();
    let summary = line.run(&mut ()).unwrap();
    let scratch = Crypto::new();
    for device in summary.ledger.all_shipped().unwrap() {
        let (mut target, trace) = line.rebuild_device(device.index, &scratch).unwrap();
        assert_eq!(Some(trace), summary.ledger.trace(device.index).unwrap());
        // With the debug port left open, the key store shows the installed identity key.
        let mut t = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &scratch, &mut t);
        let dump = target
            .debug_read(&mut ctx, KEYSTORE_BASE, KEYSTORE_SIZE)
            .unwrap();
        let slots = parse_slots(&dump);
        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0].kind, SlotKind::P256Private);
        let key = scratch.import_secret(&slots[0].data).unwrap();
        assert_eq!(key.public_key().fingerprint(), device.identity);
        // The oracles' re-derivation gives the very key that shipped.
        let truth = line.identity_key(device.index, &scratch);
        assert_eq!(
            truth.expose_secret_bytes().as_slice(),
            slots[0].data.as_slice()
        );
    }
    assert!(line.rebuild_device(99, &scratch).is_err());
}

#[test]
fn a_locked_device_refuses_the_debug_port() {
    let mut line = Line::establish(config(true), Seed::new(8), lots()).unwrap();
    line.run(&mut ()).unwrap();
    let scratch = Crypto::new();
    let (mut target, _) = line.rebuild_device(0, &scratch).unwrap();
    let mut t = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, &scratch, &mut t);
    assert_eq!(
        target.debug_read(&mut ctx, KEYSTORE_BASE, KEYSTORE_SIZE),
        Err(PortError::Locked)
    );
}

#[test]
fn the_same_seed_gives_the_same_line_and_another_seed_does_not() {
    let run = |seed| {
        let mut line = Line::establish(config(true), Seed::new(seed), lots()).unwrap();
        line.run(&mut ()).unwrap()
    };
    let (a, b, c) = (run(1), run(1), run(2));
    assert_eq!(a.site_trace, b.site_trace);
    let traces = |s: &provsim_provisioner::LineSummary| -> Vec<_> {
        s.ledger.traces().map(Result::unwrap).collect()
    };
    assert_eq!(traces(&a), traces(&b));
    assert_eq!(
        a.ledger.all_shipped().unwrap(),
        b.ledger.all_shipped().unwrap()
    );
    assert_ne!(a.site_trace, c.site_trace);
    assert_ne!(
        a.ledger.all_shipped().unwrap()[0].identity,
        c.ledger.all_shipped().unwrap()[0].identity
    );
    assert!(a.finished_at > SimTime::ZERO);
}

#[test]
fn shipped_devices_are_provisioned_booted_and_open_to_rma_only_with_their_token() {
    use provsim_devices::{Command, LifeCycle, TokenKind};
    use provsim_provisioner::DeviceStreams;

    let seed = Seed::new(9);
    let mut line = Line::establish(config(false), seed, lots()).unwrap();
    let summary = line.run(&mut ()).unwrap();
    let scratch = Crypto::new();
    let mut t = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, &scratch, &mut t);
    let (mut target, _) = line.rebuild_device(1, &scratch).unwrap();
    assert_eq!(target.life_cycle(), LifeCycle::Provisioned);
    let running = target.boot(&mut ctx).unwrap();
    assert!(running.verified);
    assert_eq!(&running.hash, line.firmware_hash());
    assert_eq!(running.security_counter, Some(1));

    // Another device's RMA token, or the test-exit token, does not open this one.
    let rma = |token: [u8; 32]| Command::Transition {
        to: LifeCycle::Rma,
        token: Some(token.to_vec()),
    };
    let token = |index, kind| DeviceStreams::new(seed, index).life_cycle_token(kind);
    for wrong in [token(0, TokenKind::Rma), token(1, TokenKind::TestExit)] {
        assert!(target.execute(&mut ctx, rma(wrong)).is_err());
    }
    assert_eq!(target.life_cycle(), LifeCycle::Provisioned);
    target
        .execute(&mut ctx, rma(token(1, TokenKind::Rma)))
        .unwrap();
    assert_eq!(target.life_cycle(), LifeCycle::Rma);
    let dump = target
        .debug_read(&mut ctx, KEYSTORE_BASE, KEYSTORE_SIZE)
        .unwrap();
    assert!(parse_slots(&dump).is_empty(), "RMA wiped the key store");
    assert_eq!(summary.ledger.shipped(), 5);
}

#[test]
fn a_lock_step_the_chip_refuses_rejects_the_device_unless_it_is_a_what_if() {
    use provsim_devices::Fuse;
    use provsim_provisioner::LockStep;
    let steps = vec![LockStep::Rdp(1), LockStep::Fuse(Fuse::SecureBoot)];
    let mut strict = config(false);
    strict.station = StationConfig {
        lock_steps: steps.clone(),
        what_if: false,
    };
    let mut line = Line::establish(strict, Seed::new(4), lots()).unwrap();
    let summary = line.run(&mut ()).unwrap();
    assert_eq!(summary.ledger.shipped(), 0);
    assert_eq!(summary.rejected.len(), 5);
    assert!(
        summary.rejected[0]
            .reason
            .contains("lock step `fuse secure-boot` refused"),
        "{}",
        summary.rejected[0].reason
    );
    // Every rejected device's key was destroyed: nothing lingers in the HSM (the root's
    // two destructions, around its ceremony, aside).
    assert_eq!(summary.hsm.destroyed, summary.hsm.wrapped + 2);

    let mut what_if = config(false);
    what_if.station = StationConfig {
        lock_steps: steps,
        what_if: true,
    };
    let mut line = Line::establish(what_if, Seed::new(4), lots()).unwrap();
    assert_eq!(line.run(&mut ()).unwrap().ledger.shipped(), 5);
}

/// A part whose key store stays behind a secure region enters RMA (which wipes it) but
/// cannot be read back: the desk says so rather than claim keys were left.
#[test]
fn a_return_behind_a_secure_region_is_unverified_not_a_finding() {
    use provsim_provisioner::{LockStep, ReturnOutcome, ReturnPlan};
    let mut config = config(false);
    config.station.lock_steps = vec![
        LockStep::Fuse(provsim_devices::Fuse::SecureBoot),
        LockStep::SecureRegion,
    ];
    config.returns = ReturnPlan {
        devices: vec![1],
        sample: 1,
    };
    let mut line = Line::establish(config, Seed::new(15), lots()).unwrap();
    let summary = line.run(&mut ()).unwrap();
    assert_eq!(summary.returns.len(), 2);
    assert!(
        summary
            .returns
            .iter()
            .all(|r| r.outcome == ReturnOutcome::RmaUnverified)
    );
    let books = &summary.reconciliation;
    assert!(books.findings.is_empty(), "{:?}", books.findings);
    assert_eq!(books.returns.rma_unverified, 2);
}

/// Once the returns are through, the customer CA issues one CRL: it revokes exactly the
/// returned devices' certificates, by the serials they were issued with, is signed by
/// the CA, audited before the books close, and counted by the vault. With nothing
/// returned it is still issued, empty.
#[test]
fn the_crl_revokes_exactly_the_returned_devices() {
    use provsim_provisioner::ReturnPlan;
    for (returns, revoked) in [(vec![1, 3], vec![1u64, 3]), (vec![], vec![])] {
        let mut config = config(false);
        config.returns = ReturnPlan {
            devices: returns,
            sample: 0,
        };
        let mut line = Line::establish(config, Seed::new(16), lots()).unwrap();
        let mut sink = Collect::default();
        let summary = line.run(&mut sink).unwrap();
        assert!(
            summary.reconciliation.findings.is_empty(),
            "{:?}",
            summary.reconciliation.findings
        );
        assert_eq!(sink.crl.len(), 1);
        let crl = &sink.crl[0];
        assert_eq!(
            (summary.crl.number, summary.crl.entries),
            (1, revoked.len() as u64)
        );
        assert_eq!(summary.crl.sha256, Crypto::new().sha256(&crl.der));
        assert_eq!(summary.hsm.crls_signed, 1);

        let (_, parsed) = CertificateRevocationList::from_der(&crl.der).unwrap();
        let customer_der = line.pki().customer().certificate().der.clone();
        let (_, customer) = X509Certificate::from_der(&customer_der).unwrap();
        let ca_key = PublicKey::from_sec1(&customer.public_key().subject_public_key.data).unwrap();
        let signature = Signature::from_der_bytes(parsed.signature_value.data.to_vec());
        Crypto::new()
            .verify(&ca_key, parsed.tbs_cert_list.as_ref(), &signature)
            .unwrap();
        let listed: Vec<Vec<u8>> = parsed
            .iter_revoked_certificates()
            .map(|r| r.raw_serial().to_vec())
            .collect();
        let expected: Vec<Vec<u8>> = sink
            .certificates
            .iter()
            .filter(|(d, _)| revoked.contains(&d.index))
            .map(|(_, c)| {
                let (_, cert) = X509Certificate::from_der(&c.der).unwrap();
                cert.raw_serial().to_vec()
            })
            .collect();
        assert_eq!(listed, expected);

        // Audited after the returns, before the order and the log close.
        let actions: Vec<&str> = sink.audit.iter().map(|r| r.action).collect();
        let issued = actions.iter().position(|&a| a == "crl-issued").unwrap();
        assert_eq!(&actions[issued + 1..], ["audit-closed"]);
        assert!(!actions[issued + 1..].contains(&"device-returned"));
        let detail = &sink.audit[issued].detail;
        assert!(
            detail.starts_with(&format!("number=1 entries={} sha256=", revoked.len())),
            "{detail}"
        );
    }
}

/// A profile or order the line cannot run is refused when the line is set up.
#[test]
fn a_line_refuses_a_profile_it_cannot_run() {
    let mut config = config(true);
    config.secrets.symmetric_keys = vec!["a".into(), "a".into()];
    assert!(Line::establish(config, Seed::new(1), lots()).is_err());
    let mut config = self::config(true);
    config.secrets.symmetric_keys = (0..9).map(|i| format!("k{i}")).collect();
    assert!(Line::establish(config, Seed::new(1), lots()).is_err());
    let mut config = self::config(true);
    config.order = Some(provsim_provisioner::Order {
        number: "PO 1".into(),
        devices: 1,
    });
    assert!(Line::establish(config, Seed::new(1), lots()).is_err());
}

/// A filled order stops the line: the dies after it are not started, no identity is
/// made beyond the order, and the books agree.
#[test]
fn the_line_stops_when_the_order_is_filled() {
    let mut config = config(true);
    config.order = Some(provsim_provisioner::Order {
        number: "PO-7".into(),
        devices: 3,
    });
    let mut line = Line::establish(config, Seed::new(14), lots()).unwrap();
    let mut sink = Collect::default();
    let summary = line.run(&mut sink).unwrap();
    assert_eq!(summary.ledger.shipped(), 3);
    assert_eq!(summary.ledger.started(), 3);
    assert_eq!(summary.hsm.identity_generated, 3);
    let books = &summary.reconciliation;
    assert!(books.findings.is_empty(), "{:?}", books.findings);
    let order = books.order.clone().unwrap();
    assert_eq!((order.ordered, order.shipped), (3, 3));
    let closed = sink
        .audit
        .iter()
        .find(|r| r.action == "order-closed")
        .unwrap();
    assert_eq!(closed.detail, "number=PO-7 shipped=3 dies-not-started=2");
}

/// With keys made on chip, the vault never holds an identity key: it certifies the
/// chip's request, and the key in the chip's store is the one the certificate names.
#[test]
fn keys_made_on_chip_never_pass_through_the_vault() {
    for custody in Custody::ALL {
        let mut config = config(false);
        config.custody = custody;
        config.secrets.identity = provsim_provisioner::IdentityOrigin::Device;
        let mut line = Line::establish(config, Seed::new(12), lots()).unwrap();
        let mut sink = Collect::default();
        let summary = line.run(&mut sink).unwrap();
        assert_eq!(summary.ledger.shipped(), 5, "{custody}");
        assert!(
            summary.reconciliation.findings.is_empty(),
            "{:?}",
            summary.reconciliation.findings
        );
        assert_eq!(summary.hsm.identity_generated, 0);
        assert_eq!(summary.hsm.wrapped, 0);
        assert!(
            sink.audit
                .iter()
                .filter(|r| r.action == "identity-key-generated")
                .all(|r| r.actor == "device")
        );
        let scratch = Crypto::new();
        for (device, certificate) in &sink.certificates {
            let (_, cert) = parse_x509_certificate(&certificate.der).unwrap();
            let key = PublicKey::from_sec1(&cert.public_key().subject_public_key.data).unwrap();
            assert_eq!(key.fingerprint(), device.identity);
            let (mut target, _) = line.rebuild_device(device.index, &scratch).unwrap();
            let mut t = Trace::new();
            let mut ctx = Ctx::new(SimTime::ZERO, &scratch, &mut t);
            let dump = target
                .debug_read(&mut ctx, KEYSTORE_BASE, KEYSTORE_SIZE)
                .unwrap();
            let stored = scratch.import_secret(&parse_slots(&dump)[0].data).unwrap();
            assert_eq!(stored.public_key(), &key);
            assert_eq!(
                line.identity_key(device.index, &scratch)
                    .expose_secret_bytes(),
                stored.expose_secret_bytes()
            );
        }
    }
}

/// The chip's request is a real PKCS#10 request: OpenSSL checks its self-signature.
#[test]
fn openssl_accepts_the_chips_certificate_request() {
    let found = std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`openssl` is not installed: install it or run `bash .ci/run`"
    );
    let crypto = Crypto::new();
    let mut t = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut t);
    let device = provsim_devices::DeviceId::new(0x5053, 1, 7);
    let mut chip = provsim_devices::build_target(TargetKind::Mcu, Seed::new(3), 7, device);
    chip.execute(
        &mut ctx,
        provsim_devices::Command::Transition {
            to: provsim_devices::LifeCycle::Test,
            token: None,
        },
    )
    .unwrap();
    let provsim_devices::Response::CertificateRequest { der, .. } = chip
        .execute(
            &mut ctx,
            provsim_devices::Command::GenerateIdentity { slot: 0 },
        )
        .unwrap()
    else {
        panic!("expected a request");
    };
    let mut openssl = std::process::Command::new("openssl")
        .args(["req", "-inform", "DER", "-verify", "-noout", "-subject"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut openssl.stdin.take().unwrap(), &der).unwrap();
    let out = openssl.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&device.to_string()), "{text}");
    assert!(provsim_provisioner::check_request(&crypto, &der, device).is_ok());
}
