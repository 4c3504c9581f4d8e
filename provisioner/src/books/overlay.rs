//! An attack copy's books, as an overlay on the run's: the vault's counters and the
//! audit log's length frozen where the copy was handed over, and every audit record the
//! copy's own components (the station, the vault behind the console) wrote since. Only
//! those components append, as side effects of the calls an attacker makes; nothing
//! here is reachable from an attack. Nothing per device is copied: an overlay costs
//! the same on a run of a thousand devices as of a million.
//!
//! After the attack the overlay is reconciled as an auditor reconciles a shift: every
//! identity key made must have shipped as its device or been destroyed, every
//! certificate the customer CA signed must be a shipped device's own, and the vault's
//! counters must agree with the records. Each disagreement is named by its record and
//! its identity, so a detective claim can ask whether the books caught what an insider
//! did.

use crate::books::audit::record::AuditRecord;
use crate::vault::hsm::HsmStats;
use provsim_devices::DeviceId;
use provsim_sim::crypto::Fingerprint;
use std::collections::BTreeMap;

/// The books of one attack copy.
#[derive(Debug, Clone)]
pub struct OverlayBooks {
    /// The vault's counters when the copy was handed over.
    frozen: HsmStats,
    /// Every record the copy's components wrote since, in order.
    delta: Vec<AuditRecord>,
}

/// One disagreement the books show, named as an auditor names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BooksFinding {
    /// The audit record that shows it (its sequence number), where one does.
    pub record: Option<u64>,
    /// The identity (the key's SHA-256 fingerprint, in hex) it is about, if any.
    pub identity: Option<String>,
    /// What disagrees, in one sentence.
    pub what: String,
}

/// The value of `name=` in an audit detail.
fn detail_value<'a>(detail: &'a str, name: &str) -> Option<&'a str> {
    detail
        .split(' ')
        .find_map(|part| part.strip_prefix(name)?.strip_prefix('='))
}

/// An identity key made in the overlay, not yet accounted for.
struct Made {
    device: DeviceId,
    record: u64,
    certified: bool,
}

impl OverlayBooks {
    /// Books that start from the vault's counters `frozen`.
    pub(crate) fn new(frozen: HsmStats) -> Self {
        OverlayBooks {
            frozen,
            delta: Vec::new(),
        }
    }

    /// Where the copy's components write their records.
    pub(crate) fn records_mut(&mut self) -> &mut Vec<AuditRecord> {
        &mut self.delta
    }

    /// The records written since the copy was handed over.
    pub fn records(&self) -> &[AuditRecord] {
        &self.delta
    }

    /// Reconciles the overlay against the vault's counters `now` and the run's shipped
    /// identities (`shipped` gives the device that shipped with an identity): every
    /// disagreement, in record order, then the counters'.
    pub fn reconcile(
        &self,
        now: HsmStats,
        shipped: &dyn Fn(&Fingerprint) -> Option<DeviceId>,
    ) -> Vec<BooksFinding> {
        let shipped_as = |hex: &str| parse_fingerprint(hex).and_then(|fp| shipped(&fp));
        let mut findings = Vec::new();
        let mut made: BTreeMap<String, Made> = BTreeMap::new();
        let (mut certificates, mut vault_keys) = (0u64, 0u64);
        for record in &self.delta {
            let Some(device) = record.device else {
                continue;
            };
            let key = detail_value(&record.detail, "key");
            match (record.action, key) {
                ("identity-key-generated", Some(key)) => {
                    vault_keys += u64::from(record.actor == "hsm");
                    made.insert(
                        key.to_owned(),
                        Made {
                            device,
                            record: record.sequence,
                            certified: false,
                        },
                    );
                }
                ("identity-key-destroyed", Some(key)) => {
                    made.remove(key);
                }
                // A certificate issued at the console names the key it certifies.
                ("certificate-issued", Some(key)) => {
                    certificates += 1;
                    if shipped_as(key) != Some(device) {
                        findings.push(BooksFinding {
                            record: Some(record.sequence),
                            identity: Some(key.to_owned()),
                            what: format!(
                                "a certificate for key {key} was issued as device {device} at the {}, and no device shipped with that identity",
                                record.actor
                            ),
                        });
                    }
                }
                // The station's names the pass's device: its key was made in the pass.
                ("certificate-issued", None) => {
                    certificates += 1;
                    for entry in made.values_mut().filter(|m| m.device == device) {
                        entry.certified = true;
                    }
                }
                _ => {}
            }
        }
        for (key, entry) in &made {
            if shipped_as(key) == Some(entry.device) {
                continue;
            }
            findings.push(BooksFinding {
                record: Some(entry.record),
                identity: Some(key.clone()),
                what: format!(
                    "identity key {key} was made for device {}{}, and neither shipped nor destroyed",
                    entry.device,
                    if entry.certified {
                        " and certified"
                    } else {
                        ""
                    }
                ),
            });
        }
        let signed = now
            .certificates_signed
            .saturating_sub(self.frozen.certificates_signed);
        if signed != certificates {
            findings.push(BooksFinding {
                record: None,
                identity: None,
                what: format!(
                    "the vault signed {signed} certificate(s), the audit log records {certificates}"
                ),
            });
        }
        let generated = now
            .identity_generated
            .saturating_sub(self.frozen.identity_generated);
        if generated != vault_keys {
            findings.push(BooksFinding {
                record: None,
                identity: None,
                what: format!(
                    "the vault made {generated} device identity key(s), the audit log records {vault_keys}"
                ),
            });
        }
        findings
    }
}

/// A fingerprint written in hex (64 digits).
fn parse_fingerprint(hex: &str) -> Option<Fingerprint> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(Fingerprint(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::audit::log::AuditLog;
    use provsim_sim::crypto::Crypto;
    use provsim_sim::{SimTime, to_hex};

    /// A key made and shipped is accounted for; one made and destroyed too; a console
    /// certificate for a key nobody shipped, and a key neither shipped nor destroyed,
    /// are each named by record and identity; counters that disagree are named.
    #[test]
    fn the_overlay_names_what_no_order_accounts_for() {
        let crypto = Crypto::new();
        let mut log = AuditLog::new();
        let mut books = OverlayBooks::new(HsmStats::default());
        let (shipped, scrapped, extra, operator) = ([1u8; 32], [2u8; 32], [3u8; 32], [4u8; 32]);
        let d = |n: u32| DeviceId::new(1, 1, n);
        let mut write = |actor, action, device, detail: String| {
            let record = log.append(&crypto, SimTime::ZERO, actor, action, Some(device), detail);
            books.records_mut().push(record);
        };
        let key = |fp: [u8; 32]| format!("key={}", to_hex(&fp));
        write("hsm", "identity-key-generated", d(0), key(shipped));
        write("ca", "certificate-issued", d(0), "sha256=00".to_owned());
        write("hsm", "identity-key-generated", d(1), key(scrapped));
        write("hsm", "identity-key-destroyed", d(1), key(scrapped));
        write("hsm", "identity-key-generated", d(9), key(extra));
        write("ca", "certificate-issued", d(9), "sha256=01".to_owned());
        write(
            "console",
            "certificate-issued",
            d(0),
            format!("sha256=02 {}", key(operator)),
        );
        let now = HsmStats {
            certificates_signed: 4,
            identity_generated: 3,
            ..HsmStats::default()
        };
        let lookup = |fp: &Fingerprint| (fp.0 == shipped).then_some(d(0));
        let findings = books.reconcile(now, &lookup);
        let named: Vec<_> = findings
            .iter()
            .map(|f| (f.record, f.identity.clone()))
            .collect();
        assert_eq!(
            named,
            [
                (Some(6), Some(to_hex(&operator))),
                (Some(4), Some(to_hex(&extra))),
                (None, None),
            ],
            "{findings:#?}"
        );
        assert!(findings[1].what.contains("and certified"), "{findings:#?}");
        assert_eq!(
            findings[2].what,
            "the vault signed 4 certificate(s), the audit log records 3"
        );
        // With the counters in agreement, only the two identities are named.
        let agreeing = HsmStats {
            certificates_signed: 3,
            ..now
        };
        assert_eq!(books.reconcile(agreeing, &lookup).len(), 2);
        // Nothing written, nothing found.
        let quiet = OverlayBooks::new(now);
        assert!(quiet.reconcile(now, &lookup).is_empty());
        assert_eq!(parse_fingerprint("zz"), None);
    }
}
