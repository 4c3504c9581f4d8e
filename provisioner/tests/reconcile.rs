//! Reconciliation over random lines: whatever the volumes, seeds, final-test yields and
//! lock sequences (some of which make the chip refuse a step, so its device is rejected
//! after its key went in), every key made ends shipped or destroyed, lot by lot, every
//! part that fails its final test twice has its secrets destroyed, no identity ships
//! twice, and every shipped device's certificate verifies; on the MCU and on the ASIC.

use proptest::prelude::*;
use provsim_devices::{Fuse, TargetKind};
use provsim_provisioner::{AuditRecord, AuthorityRole, IssuedCertificate, LineSink, ShippedDevice};
use provsim_provisioner::{
    Custody, IdentityOrigin, Level, Line, LineConfig, LockStep, Lot, ReturnPlan, StationConfig,
    Yields,
};
use provsim_sim::Seed;
use provsim_sim::crypto::{Crypto, PublicKey, Signature};
use x509_parser::prelude::*;

/// Keeps each shipped device's certificate.
#[derive(Default)]
struct Certificates(Vec<(ShippedDevice, Vec<u8>)>);

impl LineSink for Certificates {
    fn authority(&mut self, _: AuthorityRole, _: &IssuedCertificate) -> std::io::Result<()> {
        Ok(())
    }
    fn certificate(&mut self, d: &ShippedDevice, c: &IssuedCertificate) -> std::io::Result<()> {
        self.0.push((*d, c.der.clone()));
        Ok(())
    }
    fn audit(&mut self, _: &AuditRecord) -> std::io::Result<()> {
        Ok(())
    }
}
use std::collections::BTreeSet;

fn sequences() -> Vec<(Vec<LockStep>, bool)> {
    vec![
        // Ships.
        (
            vec![
                LockStep::Fuse(Fuse::SecureBoot),
                LockStep::Fuse(Fuse::DebugLock),
            ],
            false,
        ),
        // RDP 1 then a fuse: refused, the port still answers, the chip is scrapped.
        (
            vec![LockStep::Rdp(1), LockStep::Fuse(Fuse::SecureBoot)],
            false,
        ),
        // Debug lock then RDP: refused, the port is gone, the chip is destroyed.
        (
            vec![LockStep::Fuse(Fuse::DebugLock), LockStep::Rdp(1)],
            false,
        ),
        // RDP 1 then back to 0: the mass erase takes the firmware, the boot fails.
        (vec![LockStep::Rdp(1), LockStep::Rdp(0)], true),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn keys_made_equal_shipped_plus_destroyed_in_every_lot(
        seed in any::<u64>(),
        sizes in prop::collection::vec(0u32..5, 1..4),
        which in 0usize..4,
        yield_ppm in prop_oneof![Just(1_000_000u32), 0u32..=1_000_000],
        wafer_ppm in prop_oneof![Just(1_000_000u32), 500_000u32..=1_000_000],
        board_ppm in prop_oneof![Just(1_000_000u32), 500_000u32..=1_000_000],
        level in prop::sample::select(Level::ALL.to_vec()),
        custody in prop::sample::select(Custody::ALL.to_vec()),
        on_chip in any::<bool>(),
        symmetric in 0usize..3,
        returns in 0u32..3,
        // The parts whose lock sequences these are (a secure element has none).
        target in prop::sample::select(vec![TargetKind::Mcu, TargetKind::Asic]),
    ) {
        let (lock_steps, what_if) = sequences()[which].clone();
        let total: u64 = sizes.iter().map(|&n| u64::from(n)).sum();
        let identity = if on_chip { IdentityOrigin::Device } else { IdentityOrigin::Vault };
        let config = LineConfig::builder(target)
            .custody(custody)
            .level(level)
            .station(StationConfig { lock_steps, what_if })
            .dies_per_wafer(5)
            .yields(Yields { wafer: wafer_ppm, package: yield_ppm, board: board_ppm })
            .secrets(identity, (0..symmetric).map(|i| format!("key-{i}")))
            .returns(ReturnPlan { devices: Vec::new(), sample: returns })
            // Ordered exactly what was started: yield loss leaves it short, never over.
            .order("PO-1", total)
            .build();
        let lots: Vec<Lot> = sizes
            .iter()
            .enumerate()
            .map(|(i, &devices)| Lot { name: format!("L{i}"), devices })
            .collect();
        let mut line = Line::establish(config, Seed::new(seed), lots).unwrap();
        let mut sink = Certificates::default();
        let summary = line.run(&mut sink).unwrap();
        let books = &summary.reconciliation;

        prop_assert!(books.findings.is_empty(), "{:?}", books.findings);
        prop_assert_eq!(books.duplicate_identities, 0);
        prop_assert!(books.lots.iter().all(|l| l.balanced()));
        let made: u64 = books.lots.iter().map(|l| l.keys_made).sum();
        let shipped: u64 = books.lots.iter().map(|l| l.shipped).sum();
        let destroyed: u64 = books.lots.iter().map(|l| l.destroyed).sum();
        prop_assert_eq!(shipped, summary.ledger.shipped());
        let ledger = summary.ledger.all_shipped().unwrap();
        // Every return is a shipped identity that ended wiped or destroyed.
        prop_assert_eq!(summary.returns.len() as u64, u64::from(returns).min(shipped));
        prop_assert_eq!(books.returns.returned, summary.returns.len() as u64);
        let order = books.order.clone().unwrap();
        prop_assert_eq!((order.ordered, order.shipped), (total, shipped));
        prop_assert_eq!(
            books.returns.rma_wiped + books.returns.physically_destroyed,
            books.returns.returned
        );
        // Ground truth re-derives each shipped key, wherever the profile made it.
        let oracle = provsim_sim::crypto::Crypto::new();
        for device in &ledger {
            let key = line.identity_key(device.index, &oracle);
            prop_assert_eq!(key.public_key().fingerprint(), device.identity);
        }
        let lost_early: u64 = books
            .tests
            .iter()
            .filter(|t| t.level < level)
            .map(|t| t.failed)
            .sum();
        prop_assert_eq!(made + lost_early, total);
        prop_assert_eq!(destroyed + lost_early, summary.rejected.len() as u64);
        prop_assert_eq!(shipped + destroyed, made);
        // Only the first sequence ships anything, and only what passes every test.
        let perfect = [wafer_ppm, yield_ppm, board_ppm].iter().all(|&p| p == 1_000_000);
        if total > 0 && perfect {
            prop_assert_eq!(shipped == total, which == 0);
        }
        if which != 0 {
            prop_assert_eq!(shipped, 0);
        }
        // A part that failed a test before the provisioning level took no key; one that
        // failed at or after it had its key destroyed.
        if which == 0 {
            let failed_after: u64 = books
                .tests
                .iter()
                .filter(|t| t.level >= level)
                .map(|t| t.failed)
                .sum();
            prop_assert_eq!(destroyed, failed_after);
            let board = books.tests[2];
            prop_assert_eq!(board.first_pass + board.retest_pass, shipped);
        }
        // Every shipped device's certificate verifies under the customer CA and names
        // its device and identity key; nothing else got one.
        prop_assert_eq!(sink.0.len(), ledger.len());
        let (_, customer) =
            X509Certificate::from_der(&line.pki().customer().certificate().der).unwrap();
        let ca_key = PublicKey::from_sec1(&customer.public_key().subject_public_key.data).unwrap();
        let crypto = Crypto::new();
        for (device, der) in &sink.0 {
            let (_, cert) = X509Certificate::from_der(der).unwrap();
            let signature = Signature::from_der_bytes(cert.signature_value.data.to_vec());
            prop_assert!(crypto.verify(&ca_key, cert.tbs_certificate.as_ref(), &signature).is_ok());
            prop_assert_eq!(cert.issuer(), customer.subject());
            let key = PublicKey::from_sec1(&cert.public_key().subject_public_key.data).unwrap();
            prop_assert_eq!(key.fingerprint(), device.identity);
        }
        let identities: BTreeSet<_> = ledger.iter().map(|d| d.identity).collect();
        prop_assert_eq!(identities.len(), ledger.len());
        // The HSM holds nothing afterwards.
        // The customer CA, firmware signing and vault identity stay; the root left as
        // shares and came back once for the ceremony.
        prop_assert_eq!(summary.hsm.restored, 1);
        prop_assert_eq!(summary.hsm.generated + summary.hsm.restored, summary.hsm.destroyed + 3);
    }
}
