//! The line: a site configuration, the lots it runs, and the event loop that takes each
//! device through the station in virtual time. The top of the house: it stands on every
//! other room and none stands on it.
//!
//! What a line is told is its [`LineConfig`] (`config`, with one way to spell it in
//! tests and benches in `builder`): every room's settings in one value. A [`Line`] is
//! set up from it and a seed (`establish`, with the site's own making in `setup` and its
//! firmware in `firmware`), runs its lots (`run`, with the link sessions it makes itself
//! in `link_up`, and with workers working out the devices' cryptography ahead of it in
//! `jobs`, through what `prefetch` says they exchange), streams what each device leaves behind to a [`LineSink`] (`sink`; the
//! signed record and manifest entry are made in `outputs`), and takes returned devices
//! through the RMA desk after the lots (`rma`, as the [`ReturnPlan`] in `returns` says),
//! whose certificates the customer CA's revocation list then names (`revocation`). The
//! vault signs the audit log between devices and at its close (`vouch`).
//! Attack copies and ground truth are opened through the line (`copies`). What a run
//! produced is its [`LineSummary`] (`summary`); why it stopped, its [`LineError`]
//! (`error`).

pub(crate) mod builder;
pub(crate) mod claims;
pub(crate) mod config;
pub(crate) mod copies;
pub(crate) mod error;
pub(crate) mod establish;
pub(crate) mod firmware;
pub(crate) mod jobs;
pub(crate) mod link_up;
pub(crate) mod outputs;
pub(crate) mod prefetch;
pub(crate) mod returns;
pub(crate) mod revocation;
pub(crate) mod rma;
pub(crate) mod run;
pub(crate) mod setup;
pub(crate) mod sink;
pub(crate) mod summary;
pub(crate) mod vouch;

pub use builder::LineConfigBuilder;
pub use config::LineConfig;
pub use error::LineError;
pub use establish::Line;
pub use prefetch::JobsSummary;
pub use returns::ReturnPlan;
pub use sink::{AuthorityRole, LineSink};
pub use summary::{CrlSummary, LineSummary};
