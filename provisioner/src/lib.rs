//! provsim's provisioning line: where secrets are made and put into chips.
//!
//! A [`Line`] is one site configuration (who holds the secrets, at which level devices are
//! provisioned, which target they are) established from the seed: an [`Hsm`] that makes
//! and keeps keys, a [`Pki`] with a root CA and the customer's device CA, a station that
//! takes each device of a [`Lot`] through its steps, and an [`AuditLog`] of every step.
//!
//! It streams: each device's certificate and audit records go to a [`LineSink`] as the
//! device leaves the station, and only a small fixed-size [`ShippedDevice`] record per
//! device (its ledger entry) is kept for the whole run. Any device can be re-provisioned
//! alone, identically, with [`Line::rebuild_device`]: that is what attacks target.
//!
//! This crate knows nothing of attacks or scenario files.
#![forbid(unsafe_code)]

mod audit;
mod ceremony;
mod cost;
mod csr;
mod custody;
pub mod delivery;
mod error;
mod firmware;
mod hsm;
pub mod labels;
mod level;
mod line;
pub mod link;
mod manifest;
mod pki;
mod reconcile;
mod record;
mod registrar;
mod returns;
mod secrets;
mod site_access;
mod station;

pub use audit::{
    AuditBreak, AuditError, AuditLog, AuditRecord, AuditSummary, parse_head, verify_log,
};
pub use ceremony::{KeyShare, Quorum};
pub use cost::{CostModel, MICRO, format_amount};
pub use csr::{CsrError, check_request};
pub use custody::{Custody, KeyResidence};
pub use error::{HsmError, LineError, PkiError, StationError};
pub use hsm::{CertSubject, Hsm, HsmStats, KeyHandle, KeyUse};
pub use level::{DieSite, Level, PERFECT_YIELD_PPM, WaferMap, Yields};
pub use line::{
    AuthorityRole, Line, LineConfig, LineSink, LineSummary, Lot, Order, ReturnedDevice,
    ShippedDevice, Site,
};
pub use manifest::{
    ManifestError, ManifestFields, VerifiedEntry, signer_from_pem, timestamp, verify_entry,
};
pub use pki::{
    CertificateAuthority, ECDSA_WITH_SHA256, IssuedCertificate, Pki, PkiNames, signed_by, testing,
};
pub use reconcile::{LotBalance, OrderTally, Reconciler, Reconciliation, ReturnTally};
pub use record::{DeviceRecord, ParsedRecord, RecordFields, verify_record};
pub use registrar::{Challenge, Refusal, Registrar, RegistrarStats, Session};
pub use returns::{ReturnOutcome, ReturnPlan};
pub use secrets::{IdentityOrigin, MAX_SYMMETRIC_KEYS, SecretsProfile, is_key_name};
pub use site_access::SiteAccess;
pub use station::{LockStage, LockStep, PassObserver, Station, StationConfig, life_cycle_token};
