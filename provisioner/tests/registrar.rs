//! The cloud registrar at first connection: every shipped device authenticates and gets
//! a session key; a scrapped die's identity, a clone on a second device, a revoked and a
//! returned identity are refused, and the genuine device keeps working.

use provsim_devices::TargetKind;
use provsim_devices::first_connection::{DeviceAuth, session_key, transcript};
use provsim_provisioner::{
    AuditRecord, AuthorityRole, IssuedCertificate, Level, Line, LineConfig, LineSink, Lot, Refusal,
    ReturnPlan, ShippedDevice, Yields,
};
use provsim_sim::crypto::{Crypto, SecretKey};
use provsim_sim::{Seed, Stream};
use std::collections::BTreeMap;

#[derive(Default)]
struct Certificates(BTreeMap<u64, Vec<u8>>);

impl LineSink for Certificates {
    fn authority(&mut self, _: AuthorityRole, _: &IssuedCertificate) -> std::io::Result<()> {
        Ok(())
    }
    fn certificate(&mut self, d: &ShippedDevice, c: &IssuedCertificate) -> std::io::Result<()> {
        self.0.insert(d.index, c.der.clone());
        Ok(())
    }
    fn audit(&mut self, _: &AuditRecord) -> std::io::Result<()> {
        Ok(())
    }
}

const SEED: u64 = 41;

/// Wafer-level provisioning with test losses after the keys went in, so some dies are
/// scrapped holding a certified key; one shipped device comes back.
fn run() -> (Line, provsim_provisioner::LineSummary, Certificates) {
    let config = LineConfig::builder(TargetKind::Mcu)
        .level(Level::Wafer)
        .product(3)
        .dies_per_wafer(8)
        .yields(Yields {
            wafer: 1_000_000,
            package: 600_000,
            board: 700_000,
        })
        .returns(ReturnPlan {
            devices: Vec::new(),
            sample: 1,
        })
        .build();
    let lots = vec![Lot {
        name: "L".into(),
        devices: 16,
    }];
    let mut line = Line::establish(config, Seed::new(SEED), lots).unwrap();
    let mut sink = Certificates::default();
    let summary = line.run(&mut sink).unwrap();
    (line, summary, sink)
}

/// A device emulated from a key: what a cloner or a thief holding the key can do.
fn answer(
    crypto: &Crypto,
    key: &SecretKey,
    nonce: &[u8; 32],
    server: &provsim_sim::crypto::PublicKey,
    rng: &mut Stream,
) -> (DeviceAuth, [u8; 32]) {
    let ephemeral = crypto.generate_key(rng);
    let signed = transcript(nonce, server, ephemeral.public_key());
    let shared = crypto.ecdh(&ephemeral, server);
    (
        DeviceAuth {
            ephemeral: ephemeral.public_key().clone(),
            signature: crypto.sign(key, &signed),
        },
        session_key(crypto, &shared, &signed),
    )
}

/// Connects as `key` with `certificate` from `endpoint`.
fn connect(
    line: &mut Line,
    crypto: &Crypto,
    rng: &mut Stream,
    endpoint: u64,
    certificate: &[u8],
    key: &SecretKey,
) -> Result<[u8; 32], Refusal> {
    let challenge = line.registrar_mut().challenge(crypto, rng);
    let (auth, device_key) = answer(crypto, key, &challenge.nonce, &challenge.server, rng);
    let session = line
        .registrar_mut()
        .connect(crypto, endpoint, certificate, challenge, &auth)?;
    assert_eq!(session.key, device_key, "both sides derive the same key");
    Ok(session.key)
}

#[test]
fn every_shipped_device_authenticates_and_impostors_are_refused() {
    let (mut line, summary, certificates) = run();
    let shipped = summary.ledger.shipped();
    let ledger = summary.ledger.all_shipped().unwrap();
    assert!(shipped > 2 && !summary.rejected.is_empty());
    // Every shipped device met the registrar as it shipped, and holds a session.
    assert!(
        summary.refused_at_first_connection.is_empty(),
        "{:?}",
        summary.refused_at_first_connection
    );
    assert_eq!(summary.registrar.enrolled, shipped);
    assert_eq!(summary.registrar.authenticated, shipped);

    let crypto = Crypto::new();
    let mut rng = Seed::new(7).stream("test/registrar");
    let seed = Seed::new(SEED);

    // A scrapped die: its key made and certified, then it failed a later test. With its
    // real key and a certificate the CA really signed for it, it is still unknown.
    let scrapped = summary
        .rejected
        .iter()
        .find(|d| d.reason.contains("package") || d.reason.contains("board"))
        .expect("a die scrapped after its key went in");
    let die_key = line.identity_key(scrapped.index, &crypto);
    let ca_key = crypto.generate_key(&mut seed.stream("site/customer-ca"));
    let die_cert = line
        .pki()
        .customer()
        .certify_with_key(
            &ca_key,
            &crypto,
            "Customer",
            scrapped.device_id,
            die_key.public_key(),
            &mut rng,
        )
        .unwrap();
    assert_eq!(
        connect(
            &mut line,
            &crypto,
            &mut rng,
            10_000,
            &die_cert.der,
            &die_key
        ),
        Err(Refusal::NotInManifest)
    );

    // A clone: a shipped device's key and certificate on a second device.
    let returned: Vec<u64> = summary.returns.iter().map(|r| r.index).collect();
    let genuine = ledger
        .iter()
        .find(|d| !returned.contains(&d.index))
        .unwrap();
    let key = line.identity_key(genuine.index, &crypto);
    let cert = certificates.0[&genuine.index].clone();
    assert_eq!(
        line.registrar_mut().sessions(),
        0,
        "devices disconnect after first connection"
    );
    // The genuine device is in use...
    assert!(connect(&mut line, &crypto, &mut rng, genuine.index, &cert, &key).is_ok());
    // ...so the same identity from another device is a clone.
    assert_eq!(
        connect(&mut line, &crypto, &mut rng, 20_000, &cert, &key),
        Err(Refusal::Clone)
    );
    // The genuine device, reconnecting from its own endpoint, keeps working.
    assert!(connect(&mut line, &crypto, &mut rng, genuine.index, &cert, &key).is_ok());
    // A wrong answer (another key) for the genuine certificate is refused.
    let other = line.identity_key(ledger.last().unwrap().index, &crypto);
    assert_eq!(
        connect(&mut line, &crypto, &mut rng, genuine.index, &cert, &other),
        Err(Refusal::BadAnswer)
    );

    // Revoked by the customer: refused, even from its own endpoint.
    line.registrar_mut().revoke(&genuine.identity);
    assert_eq!(
        connect(&mut line, &crypto, &mut rng, genuine.index, &cert, &key),
        Err(Refusal::Revoked)
    );

    // The returned device: its record says it left the field.
    let back = &summary.returns[0];
    let back_key = line.identity_key(back.index, &crypto);
    let back_cert = certificates.0[&back.index].clone();
    assert!(matches!(
        connect(
            &mut line, &crypto, &mut rng, back.index, &back_cert, &back_key
        ),
        Err(Refusal::LifeCycle(_))
    ));

    // A certificate from another CA is not a device of this customer.
    let rogue = crypto.generate_key(&mut rng);
    let rogue_cert = line
        .pki()
        .customer()
        .certify_with_key(
            &rogue,
            &crypto,
            "Customer",
            genuine.device_id,
            key.public_key(),
            &mut rng,
        )
        .unwrap();
    assert_eq!(
        connect(&mut line, &crypto, &mut rng, 30_000, &rogue_cert.der, &key),
        Err(Refusal::UnknownChain)
    );
}
