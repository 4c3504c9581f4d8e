//! The vault: where the customer's secrets are made, kept and sealed for one device.
//!
//! Who holds the keys ([`custody`]), the HSM and its key policy ([`hsm`]), the offline
//! root's ceremony ([`ceremony`]), the off-site backup of its keys ([`backup`]), the
//! order's count licence ([`licence`]), what goes into each device ([`secrets`]), and
//! the vault's side of the delivery exchange: the messages that cross the link for one
//! device ([`delivery`]) and the answer the vault makes to a station's request
//! ([`answer`]), sealing each key to the chip once and destroying its own copy.

pub(crate) mod answer;
pub(crate) mod backup;
pub(crate) mod ceremony;
pub(crate) mod custody;
pub(crate) mod delivery;
pub(crate) mod error;
pub(crate) mod hsm;
pub(crate) mod licence;
pub(crate) mod secrets;
