//! Reconciliation, as an auditor does it from the audit log alone: every identity key
//! the HSM made must end exactly once, either in a shipped device or destroyed (in the
//! HSM, or with the chip it was injected into), and no identity may ship twice. Lots
//! are closed as the log moves past them, so the only state kept for a whole run is a
//! 32-byte fingerprint per shipped device (for duplicates) and the keys in flight.
//! Per-device symmetric keys are counted the same way: each one made ends in a shipped
//! device, having been injected, or with a device that was scrapped.

use crate::audit::AuditRecord;
use crate::level::Level;
use provsim_devices::DeviceId;
use std::collections::{BTreeMap, BTreeSet};

/// One lot's balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotBalance {
    /// The lot number the device ids carry.
    pub lot: u16,
    pub keys_made: u64,
    pub shipped: u64,
    pub destroyed: u64,
    /// Symmetric keys made, gone out in shipped devices, and destroyed with rejected ones.
    pub secrets_made: u64,
    pub secrets_shipped: u64,
    pub secrets_destroyed: u64,
}

impl LotBalance {
    pub fn balanced(&self) -> bool {
        self.keys_made == self.shipped + self.destroyed
            && self.secrets_made == self.secrets_shipped + self.secrets_destroyed
    }
}

/// A device's symmetric keys so far: made by the vault, and acknowledged by the chip.
#[derive(Debug, Clone, Copy, Default)]
struct SecretsInFlight {
    made: u64,
    injected: u64,
}

/// One level's test results, from the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestTally {
    pub level: Level,
    pub first_pass: u64,
    pub retest_pass: u64,
    /// Failed the test and the retest: the part is out.
    pub failed: u64,
}

/// Devices that came back through the RMA desk, from the audit log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReturnTally {
    pub returned: u64,
    /// Entered RMA and read back with an empty key store.
    pub rma_wiped: u64,
    /// Entered RMA (which wipes), but the store could not be read back to confirm.
    pub rma_unverified: u64,
    /// Refused RMA (port fused shut) and destroyed physically.
    pub physically_destroyed: u64,
}

/// The order the run filled, from its audit records. The line stops once it is filled,
/// so shipping more is over-production by someone other than the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderTally {
    pub number: String,
    pub ordered: u64,
    pub shipped: u64,
}

/// The run's reconciliation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    /// The order, when the run had one: over-shipment is a finding.
    pub order: Option<OrderTally>,
    pub lots: Vec<LotBalance>,
    /// Identities that came back: each must have shipped, once, and ended wiped or
    /// destroyed.
    pub returns: ReturnTally,
    /// Wafer, package and board test results, in that order.
    pub tests: [TestTally; 3],
    /// Identities that shipped more than once.
    pub duplicate_identities: u64,
    /// Every difference, in words.
    pub findings: Vec<String>,
}

impl Default for Reconciliation {
    fn default() -> Self {
        Reconciliation {
            order: None,
            lots: Vec::new(),
            returns: ReturnTally::default(),
            tests: Level::ALL.map(|level| TestTally {
                level,
                first_pass: 0,
                retest_pass: 0,
                failed: 0,
            }),
            duplicate_identities: 0,
            findings: Vec::new(),
        }
    }
}

/// Reads audit records in order and keeps the books.
#[derive(Debug, Default)]
pub struct Reconciler {
    current: Option<LotBalance>,
    /// Keys made and not yet accounted for, by fingerprint (hex), with their device.
    in_flight: BTreeMap<String, DeviceId>,
    /// Devices with symmetric keys made and not yet accounted for.
    secrets_in_flight: BTreeMap<DeviceId, SecretsInFlight>,
    /// Every shipped identity, by the first 128 bits of its fingerprint: the one set
    /// that grows with the lot, kept at half a fingerprint a device. Two different keys
    /// sharing 128 bits would be reported as a duplicate (never missed); by chance that
    /// takes some 2^64 devices.
    shipped_identities: BTreeSet<[u8; 16]>,
    /// Identities returned so far: a handful, never the lot.
    returned_identities: BTreeSet<[u8; 16]>,
    done: Reconciliation,
}

fn lot_of(device: DeviceId) -> u16 {
    (device.0 >> 32) as u16
}

/// The value of `name=` in an audit detail.
fn detail_value<'a>(detail: &'a str, name: &str) -> Option<&'a str> {
    detail
        .split(' ')
        .find_map(|part| part.strip_prefix(name)?.strip_prefix('='))
}

/// The first 128 bits of a fingerprint written in hex (64 digits), as the books file it.
fn fingerprint(hex: &str) -> Option<[u8; 16]> {
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

impl Reconciler {
    pub fn new() -> Self {
        Self::default()
    }

    fn lot(&mut self, lot: u16) -> &mut LotBalance {
        if self.current.as_ref().is_some_and(|c| c.lot != lot) {
            self.close_lot();
        }
        self.current.get_or_insert(LotBalance {
            lot,
            keys_made: 0,
            shipped: 0,
            destroyed: 0,
            secrets_made: 0,
            secrets_shipped: 0,
            secrets_destroyed: 0,
        })
    }

    fn close_lot(&mut self) {
        let Some(balance) = self.current.take() else {
            return;
        };
        let open: Vec<_> = self
            .in_flight
            .iter()
            .filter(|(_, device)| lot_of(**device) == balance.lot)
            .map(|(key, device)| format!("{device} (key {key})"))
            .chain(
                self.secrets_in_flight
                    .iter()
                    .filter(|(device, _)| lot_of(**device) == balance.lot)
                    .map(|(device, s)| format!("{device} ({} symmetric key(s))", s.made)),
            )
            .collect();
        if !balance.balanced() || !open.is_empty() {
            self.done.findings.push(format!(
                "lot {}: {} key(s) made, {} shipped, {} destroyed; unaccounted: {}",
                balance.lot,
                balance.keys_made,
                balance.shipped,
                balance.destroyed,
                if open.is_empty() {
                    "-".to_owned()
                } else {
                    open.join(", ")
                }
            ));
        }
        self.done.lots.push(balance);
    }

    /// Takes the next audit record.
    pub fn record(&mut self, record: &AuditRecord) {
        if record.action == "order-opened" {
            let number = detail_value(&record.detail, "number")
                .unwrap_or("")
                .to_owned();
            let ordered = detail_value(&record.detail, "devices").and_then(|n| n.parse().ok());
            match ordered {
                Some(ordered) => {
                    self.done.order = Some(OrderTally {
                        number,
                        ordered,
                        shipped: 0,
                    });
                }
                None => self
                    .done
                    .findings
                    .push(format!("unreadable order record: {}", record.detail)),
            }
            return;
        }
        let Some(device) = record.device else {
            return;
        };
        let key = detail_value(&record.detail, "key");
        if record.action == "part-tested" {
            let level = detail_value(&record.detail, "level");
            let tally = self
                .done
                .tests
                .iter_mut()
                .find(|t| Some(t.level.name()) == level);
            let attempt = detail_value(&record.detail, "attempt");
            match (tally, attempt, detail_value(&record.detail, "result")) {
                (Some(t), Some("1"), Some("pass")) => t.first_pass += 1,
                (Some(t), Some("2"), Some("pass")) => t.retest_pass += 1,
                (Some(t), Some("2"), Some("fail")) => t.failed += 1,
                (Some(_), Some("1"), Some("fail")) => {}
                _ => self
                    .done
                    .findings
                    .push(format!("unreadable test record: {}", record.detail)),
            }
            return;
        }
        match (record.action, key) {
            ("identity-key-generated", Some(key)) => {
                self.lot(lot_of(device)).keys_made += 1;
                let shipped_before =
                    fingerprint(key).is_some_and(|fp| self.shipped_identities.contains(&fp));
                if self.in_flight.insert(key.to_owned(), device).is_some() || shipped_before {
                    self.done
                        .findings
                        .push(format!("key {key} made twice (device {device})"));
                }
            }
            ("device-returned", Some(key)) => self.returned(device, key, record),
            ("symmetric-key-generated", _) => {
                self.lot(lot_of(device)).secrets_made += 1;
                self.secrets_in_flight.entry(device).or_default().made += 1;
            }
            ("symmetric-key-injected", _) => {
                self.secrets_in_flight.entry(device).or_default().injected += 1;
            }
            ("device-shipped", Some(key)) => {
                if let Some(order) = &mut self.done.order {
                    order.shipped += 1;
                }
                let secrets = self.secrets_in_flight.remove(&device).unwrap_or_default();
                if secrets.injected != secrets.made {
                    self.done.findings.push(format!(
                        "device {device} shipped with {} of its {} symmetric key(s) injected",
                        secrets.injected, secrets.made
                    ));
                }
                let lot = self.lot(lot_of(device));
                lot.secrets_shipped += secrets.made;
                lot.shipped += 1;
                match self.in_flight.remove(key) {
                    Some(made_for) if made_for == device => {}
                    Some(made_for) => self.done.findings.push(format!(
                        "device {device} shipped with key {key}, which was made for device {made_for}"
                    )),
                    None => self.done.findings.push(format!(
                        "device {device} shipped with key {key}, which no record shows being made"
                    )),
                }
                match fingerprint(key) {
                    Some(fp) if !self.shipped_identities.insert(fp) => {
                        self.done.duplicate_identities += 1;
                        self.done
                            .findings
                            .push(format!("identity {key} shipped twice (again on {device})"));
                    }
                    Some(_) => {}
                    None => self
                        .done
                        .findings
                        .push(format!("device {device} shipped with a malformed key name")),
                }
            }
            ("identity-key-destroyed", Some(key)) => {
                let secrets = self.secrets_in_flight.remove(&device).unwrap_or_default();
                let lot = self.lot(lot_of(device));
                lot.secrets_destroyed += secrets.made;
                lot.destroyed += 1;
                match self.in_flight.remove(key) {
                    Some(made_for) if made_for == device => {}
                    Some(made_for) => self.done.findings.push(format!(
                        "key {key} destroyed for device {device}, but it was made for device {made_for}"
                    )),
                    None => self.done.findings.push(format!(
                        "key {key} of device {device} destroyed but not in flight"
                    )),
                }
            }
            _ => {}
        }
    }

    fn returned(&mut self, device: DeviceId, key: &str, record: &AuditRecord) {
        self.done.returns.returned += 1;
        let fp = fingerprint(key);
        if !fp.is_some_and(|fp| self.shipped_identities.contains(&fp)) {
            self.done.findings.push(format!(
                "device {device} returned with key {key}, which never shipped"
            ));
        } else if fp.is_some_and(|fp| !self.returned_identities.insert(fp)) {
            self.done
                .findings
                .push(format!("identity {key} returned twice (again on {device})"));
        }
        let result = detail_value(&record.detail, "result");
        match result.and_then(crate::returns::ReturnOutcome::parse) {
            Some(crate::returns::ReturnOutcome::RmaWiped) => self.done.returns.rma_wiped += 1,
            Some(crate::returns::ReturnOutcome::RmaUnverified) => {
                self.done.returns.rma_unverified += 1;
            }
            Some(crate::returns::ReturnOutcome::PhysicallyDestroyed) => {
                self.done.returns.physically_destroyed += 1;
            }
            Some(crate::returns::ReturnOutcome::RmaNotWiped) => self.done.findings.push(format!(
                "returned device {device} entered RMA with key material still in its key store"
            )),
            None => self
                .done
                .findings
                .push(format!("unreadable return record: {}", record.detail)),
        }
    }

    /// Closes the last lot and returns the books.
    pub fn finish(mut self) -> Reconciliation {
        self.close_lot();
        if let Some(order) = &self.done.order
            && order.shipped > order.ordered
        {
            self.done.findings.push(format!(
                "order {}: {} device(s) shipped against {} ordered, {} over-produced",
                order.number,
                order.shipped,
                order.ordered,
                order.shipped - order.ordered
            ));
        }
        for (key, device) in std::mem::take(&mut self.in_flight) {
            self.done.findings.push(format!(
                "key {key} of device {device} was made and never shipped or destroyed"
            ));
        }
        for (device, secrets) in std::mem::take(&mut self.secrets_in_flight) {
            self.done.findings.push(format!(
                "{} symmetric key(s) of device {device} were made and never shipped or destroyed",
                secrets.made
            ));
        }
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditLog;
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
}
