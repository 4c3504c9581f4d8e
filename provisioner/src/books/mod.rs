//! The books: what the line writes down and what an auditor or the customer checks it
//! against. The tamper-evident audit log ([`audit`]), the reconciliation that reads it
//! as an auditor would and checks it against the vault's counters ([`reconcile`]), the
//! signed record of each shipped device ([`record`]) and the records file's signed
//! closing record ([`record_closing`]) and the check of a whole records
//! file ([`record_verify`]), the customer's signed manifest ([`manifest`]), an attack copy's own books over the
//! run's ([`overlay`]), and the cross-check of a line's exported books ([`exports`]). The
//! manifest and the records both close with a signed statement of their running chain
//! ([`chain`]).

pub(crate) mod audit;
pub(crate) mod chain;
pub(crate) mod exports;
pub(crate) mod manifest;
pub(crate) mod overlay;
pub(crate) mod reconcile;
pub(crate) mod record;
pub(crate) mod record_closing;
pub(crate) mod record_verify;
