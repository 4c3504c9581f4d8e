use super::*;
use crate::books::audit::log::AuditLog;
use crate::books::reconcile::tally::ReturnTally;
use provsim_sim::SimTime;
use provsim_sim::crypto::Crypto;

struct Books {
    crypto: Crypto,
    log: AuditLog,
    reconciler: Reconciler,
}

impl Books {
    fn new() -> Self {
        Books {
            crypto: Crypto::new(),
            log: AuditLog::new(),
            reconciler: Reconciler::new(),
        }
    }

    fn note(&mut self, action: &'static str, lot: u16, n: u32, key: u8) {
        let detail = format!("key={}", format!("{key:02x}").repeat(32));
        let record = self.log.append(
            &self.crypto,
            SimTime::ZERO,
            "x",
            action,
            Some(DeviceId::new(1, lot, n)),
            detail,
        );
        self.reconciler.record(&record);
    }
}

#[test]
fn balanced_lots_have_no_findings() {
    let mut b = Books::new();
    b.note("identity-key-generated", 1, 0, 1);
    b.note("symmetric-key-generated", 1, 0, 0);
    b.note("symmetric-key-injected", 1, 0, 0);
    b.note("device-shipped", 1, 0, 1);
    b.note("identity-key-generated", 1, 1, 2);
    b.note("symmetric-key-generated", 1, 1, 0);
    b.note("identity-key-destroyed", 1, 1, 2);
    b.note("identity-key-generated", 2, 0, 3);
    b.note("identity-key-destroyed", 2, 0, 3);
    let r = b.reconciler.finish();
    assert_eq!(r.findings, Vec::<String>::new());
    assert_eq!(r.lots.len(), 2);
    assert_eq!(
        r.lots[0],
        LotBalance {
            lot: 1,
            keys_made: 2,
            shipped: 1,
            destroyed: 1,
            secrets_made: 2,
            secrets_shipped: 1,
            secrets_destroyed: 1,
        }
    );
    assert!(r.lots.iter().all(LotBalance::balanced));
}

#[test]
fn a_symmetric_key_not_injected_or_not_accounted_for_is_a_finding() {
    let mut b = Books::new();
    b.note("identity-key-generated", 1, 0, 1);
    b.note("symmetric-key-generated", 1, 0, 0);
    b.note("symmetric-key-generated", 1, 0, 0);
    b.note("symmetric-key-injected", 1, 0, 0);
    b.note("device-shipped", 1, 0, 1);
    b.note("identity-key-generated", 1, 1, 2);
    b.note("symmetric-key-generated", 1, 1, 0);
    let r = b.reconciler.finish();
    assert!(
        r.findings[0].contains("shipped with 1 of its 2 symmetric key(s)"),
        "{:?}",
        r.findings
    );
    assert!(
        r.findings.iter().any(|f| f.contains("1 symmetric key(s)")),
        "{:?}",
        r.findings
    );
    assert!(!r.lots[0].balanced());
}

#[test]
fn a_return_must_be_a_shipped_identity_once_and_end_wiped_or_destroyed() {
    let mut b = Books::new();
    b.note("identity-key-generated", 1, 0, 1);
    b.note("device-shipped", 1, 0, 1);
    b.note("identity-key-generated", 1, 1, 2);
    b.note("device-shipped", 1, 1, 2);
    let returned = |b: &mut Books, n: u32, key: u8, result: &str| {
        let detail = format!("key={} result={result}", format!("{key:02x}").repeat(32));
        let record = b.log.append(
            &b.crypto,
            SimTime::ZERO,
            "rma-desk",
            "device-returned",
            Some(DeviceId::new(1, 1, n)),
            detail,
        );
        b.reconciler.record(&record);
    };
    returned(&mut b, 0, 1, "rma-wiped");
    returned(&mut b, 1, 2, "physically-destroyed");
    let clean = b.reconciler.done.clone();
    assert!(clean.findings.is_empty(), "{:?}", clean.findings);
    assert_eq!(
        clean.returns,
        ReturnTally {
            returned: 2,
            rma_wiped: 1,
            rma_unverified: 0,
            physically_destroyed: 1
        }
    );
    returned(&mut b, 0, 1, "rma-wiped");
    returned(&mut b, 2, 3, "rma-wiped");
    returned(&mut b, 1, 2, "rma-not-wiped");
    returned(&mut b, 1, 2, "lost");
    let r = b.reconciler.finish();
    let text = r.findings.join("\n");
    for expected in [
        "returned twice",
        "never shipped",
        "still in its key store",
        "unreadable return",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
}

/// The CRL's entry count, as the audit log records it, must match the returns before it.
#[test]
fn a_crl_that_misses_a_return_is_a_finding() {
    let mut b = Books::new();
    b.note("identity-key-generated", 1, 0, 1);
    b.note("device-shipped", 1, 0, 1);
    let detail = format!("key={} result=rma-wiped", "01".repeat(32));
    let returned = b.log.append(
        &b.crypto,
        SimTime::ZERO,
        "rma-desk",
        "device-returned",
        Some(DeviceId::new(1, 1, 0)),
        detail,
    );
    b.reconciler.record(&returned);
    let crl = |b: &mut Books, detail: &str| {
        let record = b.log.append(
            &b.crypto,
            SimTime::ZERO,
            "ca",
            "crl-issued",
            None,
            detail.to_owned(),
        );
        b.reconciler.record(&record);
    };
    crl(&mut b, "number=1 entries=1 sha256=00");
    assert!(b.reconciler.done.findings.is_empty());
    crl(&mut b, "number=1 entries=0 sha256=00");
    crl(&mut b, "number=1 sha256=00");
    let text = b.reconciler.finish().findings.join("\n");
    assert!(
        text.contains("the CRL revokes 0 certificate(s), but 1 device(s) were returned"),
        "{text}"
    );
    assert!(text.contains("unreadable CRL record"), "{text}");
}

/// A device rejected after its certificate was issued leaves a certificate in the
/// world: the CRL must revoke it as well as the returns. One rejected before its
/// certificate, or shipped, is not due.
#[test]
fn a_crl_that_misses_a_device_rejected_after_issue_is_a_finding() {
    let mut b = Books::new();
    // Device 0: certified, then rejected. Device 1: rejected before its certificate.
    // Device 2: certified and shipped.
    for (n, actions) in [
        (0, &["certificate-issued", "device-rejected"][..]),
        (1, &["device-rejected"][..]),
        (2, &["certificate-issued"][..]),
    ] {
        for action in actions {
            b.note(action, 1, n, n as u8);
        }
    }
    b.note("identity-key-generated", 1, 2, 2);
    b.note("device-shipped", 1, 2, 2);
    let crl = |b: &mut Books, entries: u64| {
        let record = b.log.append(
            &b.crypto,
            SimTime::ZERO,
            "ca",
            "crl-issued",
            None,
            format!("number=1 entries={entries} sha256=00"),
        );
        b.reconciler.record(&record);
    };
    crl(&mut b, 1);
    assert!(
        b.reconciler.done.findings.is_empty(),
        "{:?}",
        b.reconciler.done.findings
    );
    crl(&mut b, 0);
    let text = b.reconciler.finish().findings.join("\n");
    assert!(
        text.contains(
            "the CRL revokes 0 certificate(s), but 0 device(s) were returned and 1 rejected \
             after their certificate was issued"
        ),
        "{text}"
    );
}

#[test]
fn shipping_beyond_the_order_is_over_production() {
    let mut b = Books::new();
    let record = b.log.append(
        &b.crypto,
        SimTime::ZERO,
        "site",
        "order-opened",
        None,
        "number=PO-9 devices=1".to_owned(),
    );
    b.reconciler.record(&record);
    for (n, key) in [(0, 1), (1, 2)] {
        b.note("identity-key-generated", 1, n, key);
        b.note("device-shipped", 1, n, key);
    }
    let r = b.reconciler.finish();
    assert_eq!(
        r.order,
        Some(OrderTally {
            number: "PO-9".to_owned(),
            ordered: 1,
            shipped: 2
        })
    );
    assert!(
        r.findings.iter().any(|f| f.contains("1 over-produced")),
        "{:?}",
        r.findings
    );
}

#[test]
fn keys_swapped_between_devices_are_findings() {
    let mut b = Books::new();
    b.note("identity-key-generated", 1, 0, 1);
    b.note("identity-key-generated", 1, 1, 2);
    b.note("device-shipped", 1, 0, 2);
    b.note("device-shipped", 1, 1, 1);
    let r = b.reconciler.finish();
    assert_eq!(r.findings.len(), 2, "{:?}", r.findings);
    assert!(r.findings[0].contains("which was made for device"));
}

#[test]
fn a_lost_key_and_a_twice_shipped_identity_are_findings() {
    let mut b = Books::new();
    b.note("identity-key-generated", 1, 0, 1);
    b.note("identity-key-generated", 1, 1, 2);
    b.note("device-shipped", 1, 1, 2);
    b.note("identity-key-generated", 2, 0, 2);
    b.note("device-shipped", 2, 0, 2);
    let r = b.reconciler.finish();
    assert_eq!(r.duplicate_identities, 1);
    assert!(!r.lots[0].balanced());
    assert!(
        r.findings.iter().any(|f| f.starts_with("lot 1:")),
        "{:?}",
        r.findings
    );
    assert!(r.findings.iter().any(|f| f.contains("shipped twice")));
    assert!(r.findings.iter().any(|f| f.contains("made twice")));
}
