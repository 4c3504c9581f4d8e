//! provsim's provisioning line: where secrets are made and put into chips.
//!
//! A [`Line`] is one site configuration (who holds the secrets, at which level devices are
//! provisioned, which target they are) established from the seed: an [`Hsm`] that makes
//! and keeps keys, a [`Pki`] with a root CA and the customer's device CA, a station that
//! takes each device of a [`Lot`] through its steps, and an [`AuditLog`] of every step.
//!
//! It streams: each device's certificate and audit records go to a [`LineSink`] as the
//! device leaves the station, and only a small fixed-size entry per device is kept for
//! the whole run, in the run's [`Ledger`] (in a scratch file the sink offers, or in
//! memory), plus 16 bytes of its identity in the books and in the registrar each. Any
//! device can be re-provisioned alone, identically, with [`Line::rebuild_device`]: that
//! is what attacks target.
//!
//! The crate is in rooms, one concept each, every room's errors its own. They are listed
//! from the bottom of the house up: each room imports only rooms listed before it, never
//! one after (a workspace test, `tests/module_graph.rs`, fails on any circle between
//! files, or between the rooms of any folder):
//!
//! | room | what it holds |
//! |---|---|
//! | `weakness` | the site's protections a scenario can switch off by name |
//! | `level` | production levels, yields and wafer maps |
//! | `labels` | every stream the crate draws, by its label |
//! | `ledger` | the lots and the order a run is asked for, each device's small ledger entry (shipped, rejected, returned), the run's whole ledger (in memory or a scratch file), and the compact set of identities the books and the registrar keep |
//! | `device_streams` | a device's own streams ([`DeviceStreams`]), carried by every room that works for one device |
//! | `vault` | custody, the HSM and its key policy, the root ceremony, the secrets profile, and the vault's side of the delivery exchange |
//! | `cost` | what each custody configuration costs |
//! | `pki` | the certificate hierarchy, its CAs and profile, the customer CA's revocation list, the check of a chip's certificate request |
//! | `books` | the audit log and its signed checkpoints, reconciliation (with the vault's counters), device records, the manifest, the running chain both signed files close with, and their checks |
//! | `link` | the provisioning link: messages, records, the endpoints' handshake, the session |
//! | `site` | the site's state ([`Site`]): the vault, the PKI and the audit log a station works with |
//! | `station` | a device's pass: making its keys, injection, locking, testing, scrapping |
//! | `cloud` | the registrar and each device's first connection |
//! | `copies` | attack copies: a device or the site rebuilt for one attack path, and ground truth |
//! | `line` | the line's configuration (and its builder), establishing the site, running the lots, the sink, returns through the RMA desk and their revocation, and the line's doors to the copies |
//!
//! This crate knows nothing of attacks or scenario files.
#![forbid(unsafe_code)]

mod books;
mod cloud;
mod copies;
mod cost;
mod device_streams;
pub mod labels;
mod ledger;
mod level;
mod line;
pub mod link;
mod pki;
mod site;
mod station;
mod vault;
mod weakness;

pub use books::audit::{
    AuditBreak, AuditError, AuditLog, AuditRecord, AuditSummary, CHECKPOINT_ACTION,
    CHECKPOINT_EVERY, CLOSING_ACTION, MAX_RECORD_BYTES, RUN_OPENED_ACTION, Stamp, Vouch,
    parse_head, signed_message, verify_log,
};
pub use books::exports::{Exports, ExportsCheck, check_exports};
pub use books::manifest::{
    CLOSING_TYP, ManifestChain, ManifestCheck, ManifestClosing, ManifestError, ManifestExpect,
    ManifestFields, ManifestRejection, ManifestSummary, VerifiedClosing, VerifiedEntry, jws_shaped,
    signer_from_pem, timestamp, verify_entry,
};
pub use books::overlay::{BooksFinding, OverlayBooks};
pub use books::reconcile::{LotBalance, OrderTally, Reconciler, Reconciliation, ReturnTally};
pub use books::record::{DeviceRecord, ParsedRecord, RecordFields, verify_record};
pub use books::record_closing::{
    RECORDS_CLOSING_START, RecordsChain, RecordsClosing, VerifiedRecordsClosing,
    verify_records_closing,
};
pub use books::record_verify::{
    RecordBreak, RecordsError, RecordsExpected, RecordsSummary, record_signer_from_pem,
    verify_records,
};
pub use cloud::error::CloudError;
pub use cloud::registrar::{Challenge, Refusal, Registrar, RegistrarStats, Session};
pub use copies::{BoardAccess, ExtraDie, FieldAccess, LinkAccess, SiteAccess};
pub use cost::{CostModel, MAX_EXACT_MICRO, MICRO, format_amount};
pub use device_streams::DeviceStreams;
pub use ledger::book::{ENTRY_BYTES, Entries, Ledger, LedgerEntry};
pub use ledger::{Lot, Order, ReturnOutcome, ReturnedDevice, ShippedDevice};
pub use level::{DieSite, Level, PERFECT_YIELD_PPM, WaferMap, Yields};
pub use line::{
    AuthorityRole, CrlSummary, JobsSummary, Line, LineConfig, LineConfigBuilder, LineError,
    LineSink, LineSummary, ReturnPlan,
};
pub use pki::authority::CertificateAuthority;
pub use pki::certificate::{ECDSA_WITH_SHA256, IssuedCertificate, signed_by};
pub use pki::crl::IssuedCrl;
pub use pki::csr::{CsrError, check_request};
pub use pki::error::PkiError;
pub use pki::hierarchy::{Pki, PkiNames};
pub use pki::testing;
pub use site::Site;
pub use station::{LockStage, LockStep, PassObserver, Station, StationConfig, StationError};
pub use vault::backup::{BackupError, restore_backup};
pub use vault::ceremony::{KeyShare, Quorum};
pub use vault::custody::{Custody, KeyResidence};
pub use vault::delivery::{IDENTITY_SLOT, SecretsRequest, VaultAnswer};
pub use vault::error::HsmError;
pub use vault::hsm::{Hsm, HsmStats, KeyHandle, KeyUse};
pub use vault::secrets::{IdentityOrigin, MAX_SYMMETRIC_KEYS, SecretsProfile, is_key_name};
pub use weakness::{SiteWeakness, SiteWeaknesses};
