//! The run's ledger: the lots it is asked for, the order they fill, and the small
//! fixed-size entry each device leaves (shipped, rejected or returned). Plain values at
//! the bottom of the house, importing no room: the books read returns back as these,
//! and the line writes them. The whole run's entries are kept by the [`book`] (in a
//! scratch file when the sink offers one), and the identities the books and the
//! registrar each hold for the whole run as [`tags`], 16 bytes a device.

pub(crate) mod book;
pub(crate) mod tags;

use provsim_devices::DeviceId;
use provsim_sim::SimTime;
use provsim_sim::crypto::Fingerprint;

/// The customer's order the lots are run for: its number and the devices ordered. Lots
/// are started with allowance for yield loss; shipping more than ordered is
/// over-production, which the books report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The purchase-order number (letters, digits, '.', '-', '_').
    pub number: String,
    pub devices: u64,
}

impl Order {
    /// Whether `number` can be an order number: 1 to 64 letters, digits, '.', '-' or
    /// '_', so it reads the same in an audit detail.
    pub fn is_number(number: &str) -> bool {
        (1..=64).contains(&number.len())
            && number
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    }
}

/// A production lot: a number of devices provisioned one after another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lot {
    pub name: String,
    pub devices: u32,
}

/// A device that left the line provisioned, as its ledger entry reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShippedDevice {
    pub index: u64,
    pub device_id: DeviceId,
    /// Fingerprint of the identity key the HSM made and the device installed.
    pub identity: Fingerprint,
}

/// A device the station could not finish (its key was destroyed; it does not ship).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedDevice {
    pub index: u64,
    pub device_id: DeviceId,
    pub reason: String,
    /// Virtual time it left the station, rejected.
    pub at: SimTime,
    /// Its certificate had been issued: the CRL revokes it.
    pub certificate_issued: bool,
}

/// A shipped device that came back through the RMA desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedDevice {
    pub index: u64,
    pub device_id: DeviceId,
    pub identity: Fingerprint,
    pub outcome: ReturnOutcome,
    /// What the chip said, in words.
    pub detail: String,
    /// Virtual time the desk finished with it: when its identity was revoked.
    pub at: SimTime,
}

/// What became of a returned device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnOutcome {
    /// It entered RMA and its key store read back empty.
    RmaWiped,
    /// It entered RMA but key material was still readable: a finding.
    RmaNotWiped,
    /// It entered RMA, which wipes the key store, but the desk could not read the store
    /// back to confirm (a secure region still hides it).
    RmaUnverified,
    /// It refused RMA (its debug port is fused shut) and was destroyed physically.
    PhysicallyDestroyed,
}

impl ReturnOutcome {
    pub fn name(self) -> &'static str {
        match self {
            ReturnOutcome::RmaWiped => "rma-wiped",
            ReturnOutcome::RmaNotWiped => "rma-not-wiped",
            ReturnOutcome::RmaUnverified => "rma-unverified",
            ReturnOutcome::PhysicallyDestroyed => "physically-destroyed",
        }
    }

    pub fn parse(name: &str) -> Option<ReturnOutcome> {
        [
            ReturnOutcome::RmaWiped,
            ReturnOutcome::RmaNotWiped,
            ReturnOutcome::RmaUnverified,
            ReturnOutcome::PhysicallyDestroyed,
        ]
        .into_iter()
        .find(|o| o.name() == name)
    }
}
