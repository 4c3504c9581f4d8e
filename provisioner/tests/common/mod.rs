//! What the link tests share: the oracle that judges a run's deliveries against what the
//! network really did.

use provsim_provisioner::link::ExchangeReport;
use provsim_sim::network::Fate;
use std::collections::{BTreeMap, BTreeSet};

/// The hello's message type on the wire (the first byte of a handshake's opening).
const HELLO: u8 = 1;

/// Checks what the ends accepted against what the network did, over `reports` in the
/// order they ran: no altered datagram accepted, no bytes accepted twice (a network
/// copy of a datagram that never arrived is a late first delivery, so this is stated
/// on bytes already taken), and a hello's bytes taken by one handshake only (a copy of
/// the hello being answered is answered again, with the same welcome). The network's
/// fates are ground truth the ends never see, which is why this is an oracle for tests
/// and not part of the link.
pub fn delivery_violation<'a>(
    reports: impl IntoIterator<Item = &'a ExchangeReport>,
) -> Option<String> {
    let mut accepted = BTreeSet::new();
    let mut hellos = BTreeMap::new();
    for (run, report) in reports.into_iter().enumerate() {
        if report.responder_runs > 1 {
            return Some(format!(
                "the vault answered one request {} times",
                report.responder_runs
            ));
        }
        for delivery in report.deliveries.iter().filter(|d| d.accepted) {
            if delivery.fate == Fate::Tampered {
                return Some(format!(
                    "an altered message of type {} was accepted",
                    delivery.kind
                ));
            }
            if delivery.kind == HELLO {
                let taken_by = *hellos
                    .entry(delivery.digest)
                    .or_insert((run, delivery.handshake));
                if taken_by != (run, delivery.handshake) {
                    return Some(
                        "a hello already taken was taken again by a later handshake".to_owned(),
                    );
                }
            } else if !accepted.insert(delivery.digest) {
                return Some(format!(
                    "a message of type {} was accepted twice",
                    delivery.kind
                ));
            }
        }
    }
    None
}
