//! Reconciliation, as an auditor does it from the audit log alone: every identity key
//! the HSM made must end exactly once, either in a shipped device or destroyed (in the
//! HSM, or with the chip it was injected into), and no identity may ship twice. Lots
//! are closed as the log moves past them, so the only state kept for a whole run is a
//! 32-byte fingerprint per shipped device (for duplicates) and the keys in flight.
//! Per-device symmetric keys are counted the same way: each one made ends in a shipped
//! device, having been injected, or with a device that was scrapped.
//! The audit log's counts are then checked against the vault's own counters
//! ([`counters`]): a key the HSM made without an audit line, or still holds, is a
//! finding too.

pub(crate) mod counters;
pub(crate) mod reconciler;
pub(crate) mod tally;

pub use reconciler::Reconciler;
pub use tally::{LotBalance, OrderTally, Reconciliation, ReturnTally};
