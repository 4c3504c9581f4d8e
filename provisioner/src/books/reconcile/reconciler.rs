//! The reconciler: reads the audit log record by record, as an auditor would, and keeps
//! the books.

use crate::books::audit::record::AuditRecord;
use crate::books::reconcile::tally::{LotBalance, OrderTally, Reconciliation};
use crate::ledger::ReturnOutcome;
use crate::ledger::tags::TagSet;
use provsim_devices::DeviceId;
use std::collections::{BTreeMap, BTreeSet};

/// A device's symmetric keys so far: made by the vault, and acknowledged by the chip.
#[derive(Debug, Clone, Copy, Default)]
struct SecretsInFlight {
    made: u64,
    injected: u64,
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
    /// that grows with the lot, kept at half a fingerprint (16 bytes) a device. Two
    /// different keys sharing 128 bits would be reported as a duplicate (never missed);
    /// by chance that takes some 2^64 devices.
    shipped_identities: TagSet,
    /// Identities returned so far: a handful, never the lot.
    returned_identities: BTreeSet<[u8; 16]>,
    /// Devices whose certificate was issued, until they ship or are rejected (the one
    /// on the station).
    certified: BTreeSet<DeviceId>,
    /// Devices rejected after their certificate was issued: the CRL revokes them.
    rejected_after_issue: u64,
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

    /// Books for a run of about `devices` devices: the shipped identities are sized for
    /// them at once, 16 bytes a device.
    pub fn for_devices(devices: usize) -> Self {
        let mut books = Self::default();
        books.shipped_identities.reserve(devices);
        books
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
            return self.order_opened(record);
        }
        if record.action == "crl-issued" {
            return self.crl_issued(record);
        }
        let Some(device) = record.device else {
            return;
        };
        let key = detail_value(&record.detail, "key");
        match record.action {
            "part-tested" => return self.part_tested(record),
            "certificate-issued" => {
                self.certified.insert(device);
                return;
            }
            "device-rejected" => {
                if self.certified.remove(&device) {
                    self.rejected_after_issue += 1;
                }
                return;
            }
            _ => {}
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
                self.certified.remove(&device);
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

    fn order_opened(&mut self, record: &AuditRecord) {
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
    }

    /// The customer CA's revocation list must revoke every identity returned before it
    /// and every certificate issued to a device then rejected, and nothing else.
    fn crl_issued(&mut self, record: &AuditRecord) {
        let entries = detail_value(&record.detail, "entries").and_then(|n| n.parse::<u64>().ok());
        let due = self.done.returns.returned + self.rejected_after_issue;
        match entries {
            Some(entries) if entries == due => {}
            Some(entries) => self.done.findings.push(format!(
                "the CRL revokes {entries} certificate(s), but {} device(s) were returned and \
                 {} rejected after their certificate was issued",
                self.done.returns.returned, self.rejected_after_issue
            )),
            None => self
                .done
                .findings
                .push(format!("unreadable CRL record: {}", record.detail)),
        }
    }

    fn part_tested(&mut self, record: &AuditRecord) {
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
        match result.and_then(ReturnOutcome::parse) {
            Some(ReturnOutcome::RmaWiped) => self.done.returns.rma_wiped += 1,
            Some(ReturnOutcome::RmaUnverified) => {
                self.done.returns.rma_unverified += 1;
            }
            Some(ReturnOutcome::PhysicallyDestroyed) => {
                self.done.returns.physically_destroyed += 1;
            }
            Some(ReturnOutcome::RmaNotWiped) => self.done.findings.push(format!(
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
#[path = "reconciler_tests.rs"]
mod tests;
