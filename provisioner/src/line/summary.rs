//! What a run of the line produced.

use crate::books::reconcile::tally::Reconciliation;
use crate::cloud::registrar::RegistrarStats;
use crate::ledger::book::Ledger;
use crate::ledger::{RejectedDevice, ReturnedDevice};
use crate::line::prefetch::JobsSummary;
use crate::link::report::LinkStats;
use crate::vault::hsm::HsmStats;
use provsim_sim::crypto::OpCounts;
use provsim_sim::{Digest, SimTime};

/// What a run of the line produced.
#[derive(Debug)]
pub struct LineSummary {
    /// Every started device's entry, in device order: its trace digest, and its
    /// identity if it shipped. A filled order stops the line, so dies after it are not
    /// started.
    pub ledger: Ledger,
    pub rejected: Vec<RejectedDevice>,
    pub site_trace: Digest,
    pub audit_head: Digest,
    /// Keys made against devices shipped and keys destroyed, lot by lot, from the
    /// audit records alone, checked against the HSM's own counters.
    pub reconciliation: Reconciliation,
    pub audit_records: u64,
    pub hsm: HsmStats,
    /// The factory's cryptography: vault, stations, devices on the line.
    pub crypto: OpCounts,
    /// The cloud's, at first connection (the registrar and the devices' answers).
    pub cloud_crypto: OpCounts,
    /// Virtual time when the last device left the station.
    pub finished_at: SimTime,
    pub events: u64,
    /// Devices that came back, in device order, and what became of them.
    pub returns: Vec<ReturnedDevice>,
    /// The cloud registrar's counts: every shipped device meets it once, as it ships.
    pub registrar: RegistrarStats,
    /// Shipped devices the registrar turned away at their first connection, and why
    /// (none on a sound line).
    pub refused_at_first_connection: Vec<(u64, String)>,
    /// The provisioning link's sessions, exchanges and what the network did.
    pub link: LinkStats,
    /// The customer CA's revocation list, issued once the returns were through.
    pub crl: CrlSummary,
    /// How `--jobs` shared the work: for the command line, never for a file.
    pub jobs: JobsSummary,
}

/// The CRL a run issued, in brief (the list itself went to the sink).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrlSummary {
    /// Its CRL Number.
    pub number: u64,
    /// The certificates it revokes: one per returned device.
    pub entries: u64,
    /// SHA-256 of its DER encoding.
    pub sha256: [u8; 32],
}
