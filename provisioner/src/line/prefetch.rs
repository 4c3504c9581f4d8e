//! What the line's run asks of whatever works out devices' cryptography ahead of it
//! (`jobs`), and what it tells it back.

use provsim_sim::crypto::memo::Memo;
use provsim_sim::{SimDuration, SimTime};

/// Where the line stands after a device: the next device, when it arrives, the number
/// its manifest entry would carry, and how long the device just finished took (arrival
/// to the next arrival).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Progress {
    pub next_index: u64,
    pub arrives: SimTime,
    pub next_manifest_number: u64,
    pub spacing: SimDuration,
}

/// How the work was shared, for the command line to say (never written to a file: the
/// files are the same for any number of jobs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobsSummary {
    /// Devices each job worked out: the line's own thread first, then each worker
    /// ahead of it (empty on one thread). Which worker takes which device depends on
    /// the threads' timing; the files never do.
    pub devices_by_job: Vec<u64>,
    /// The line's curve operations (public points, signatures, verifications, ECDH)
    /// a worker had ready, and those the line computed itself.
    pub ready: u64,
    pub computed: u64,
}

/// What the line asks of whatever works ahead of it.
pub(super) trait Prefetch {
    /// The results worked out for device `index`, if any (an empty memo otherwise).
    fn take(&mut self, index: u64) -> Memo;
    /// The line finished a device and schedules the next.
    fn progress(&mut self, progress: Progress);
}

/// One thread, nothing ahead.
pub(super) struct NoPrefetch;

impl Prefetch for NoPrefetch {
    fn take(&mut self, _index: u64) -> Memo {
        Memo::default()
    }
    fn progress(&mut self, _progress: Progress) {}
}
