//! `--jobs`: the line's devices' cryptography worked out in parallel, ahead of the line.
//!
//! The line itself stays one thread: the clock, the link session, the audit chain, the
//! order stop and the streamed files are sequential by nature, and keeping them on one
//! thread keeps every output byte what a one-job run writes. The devices are dealt out
//! to the jobs in turn. Job 0 is the line's own thread, which works its devices out as
//! it runs them. Each other job is a worker thread with a *shadow* of the line: a
//! second line established from the same configuration and seed, which takes the
//! worker's devices through the station ahead of the line, recording the results of
//! their elliptic-curve operations in a [`Memo`]. When the line reaches such a device,
//! it runs it for real with the memo installed: every operation whose inputs the
//! shadow got right is looked up instead of computed (see `provsim_sim::crypto::memo`).
//! The line's thread has every device's stitching to do besides, so it takes a smaller
//! share of the devices than a worker.
//!
//! A shadow has not seen the other workers' devices, so it guesses what depends on them
//! from the line's latest [`Progress`]: when its device arrives (the last device's
//! duration repeated) and the number of its manifest entry. A wrong guess (a rejected
//! die, a link fault in between) costs only misses, which the line computes itself.

use crate::books::reconcile::reconciler::Reconciler;
use crate::labels::LinkOccasion;
use crate::ledger::book::LedgerBook;
use crate::line::deal::Deal;
use crate::line::error::LineError;
use crate::line::establish::Line;
use crate::line::prefetch::{Prefetch, Progress};
use crate::line::run::Tally;
use crate::line::sink::LineSink;
use crate::line::summary::LineSummary;
use crate::link::config::OnLinkFailure;
use crate::link::report::LinkStats;
use provsim_sim::crypto::memo::{self, Memo};
use provsim_sim::{SimDuration, SimTime};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Condvar, Mutex};

/// How many rounds of devices back a shadow's guesses count from. It is also how far a
/// worker may run ahead of the line, so it is long enough (180 devices for two jobs,
/// about 80 ms of work) to ride out a spell in which one core runs slower than the
/// other: 3 rounds ran 3% slower on this 2-core machine. Guessing from further back
/// costs little: most of a device's curve operations do not depend on when it arrives
/// or on its manifest number.
const LAG: u64 = 20;

/// The line's progress as the shadows read it: the last few devices' [`Progress`] by
/// device, so a shadow reads the entry of exactly the device it counts on, whatever
/// the threads' timing.
struct Board {
    entries: Mutex<Entries>,
    published: Condvar,
}

struct Entries {
    /// `(device, progress after it)`, at `device % len`.
    ring: Vec<Option<(u64, Progress)>>,
    /// The line has finished: nothing more will be published.
    closed: bool,
}

impl Board {
    fn new(len: usize) -> Board {
        Board {
            entries: Mutex::new(Entries {
                ring: vec![None; len],
                closed: false,
            }),
            published: Condvar::new(),
        }
    }

    fn publish(&self, device: u64, progress: Progress) {
        if let Ok(mut entries) = self.entries.lock() {
            let slot = (device % entries.ring.len() as u64) as usize;
            entries.ring[slot] = Some((device, progress));
        }
        self.published.notify_all();
    }

    fn close(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.closed = true;
        }
        self.published.notify_all();
    }

    /// The progress after `device`, once the line has published it; `None` once the
    /// line has finished without reaching it.
    fn wait_for(&self, device: u64) -> Option<Progress> {
        let mut entries = self.entries.lock().ok()?;
        loop {
            let slot = (device % entries.ring.len() as u64) as usize;
            if let Some((at, progress)) = entries.ring[slot]
                && at == device
            {
                return Some(progress);
            }
            if entries.closed {
                return None;
            }
            entries = self.published.wait(entries).ok()?;
        }
    }
}

/// The shadows' results, each worker's in device order.
struct Shadows<'p> {
    /// From workers 1, 2, ... (job 0 is the line's own thread).
    results: Vec<Receiver<(u64, Memo)>>,
    /// Devices each job worked out: the line itself, then each worker.
    taken: Vec<u64>,
    deal: &'p Deal,
    board: &'p Board,
    /// The device the line finished last.
    finished: u64,
}

impl Prefetch for Shadows<'_> {
    fn take(&mut self, index: u64) -> Memo {
        self.finished = index;
        let job = self.deal.job_of(index);
        // Job 0 is the line's own thread: it works its devices out as it runs them.
        let Some(worker) = job.checked_sub(1) else {
            self.taken[0] += 1;
            return Memo::default();
        };
        // A worker sends its devices in order and the line takes every device in
        // order, so the next result from it is this device's, or it has stopped (and
        // the line works the device out itself, not counted as the worker's).
        match self.results[worker].recv() {
            Ok((taken, memo)) if taken == index => {
                self.taken[job] += 1;
                memo
            }
            _ => Memo::default(),
        }
    }

    fn progress(&mut self, progress: Progress) {
        self.board.publish(self.finished, progress);
    }
}

impl Drop for Shadows<'_> {
    fn drop(&mut self) {
        self.board.close();
    }
}

impl Line {
    /// Runs every lot as [`Line::run`] does, with `jobs` workers working out the
    /// devices' cryptography ahead of the line. Every output byte is the same for any
    /// `jobs`; 0 or 1 runs on this thread alone.
    pub fn run_jobs(
        &mut self,
        sink: &mut dyn LineSink,
        jobs: usize,
    ) -> Result<LineSummary, LineError> {
        let total = self.device_count();
        // No more jobs than devices: a job without a device would only set a line up.
        let jobs = jobs.min(usize::try_from(total).unwrap_or(usize::MAX));
        if jobs <= 1 {
            return self.run(sink);
        }
        // A shadow counts on the line's progress `LAG` rounds back: far enough that the
        // workers keep busy, and always the same device, so which results are ready
        // does not depend on the threads' timing. The board keeps more entries than
        // that distance (the line cannot pass a device whose results it waits for), and
        // a worker may hold the results of every device in that distance.
        let deal = Deal::new(jobs);
        let lag = deal.round_len() * LAG;
        let board = Board::new(2 * lag as usize + 8);
        std::thread::scope(|scope| {
            let mut results = Vec::with_capacity(jobs - 1);
            let mut workers = Vec::with_capacity(jobs - 1);
            for worker in 1..jobs as u64 {
                let (send, receive) = sync_channel(lag as usize);
                results.push(receive);
                let (board, deal) = (&board, &deal);
                let (config, seed, lots) = (self.config.clone(), self.seed, self.lots.clone());
                workers.push(scope.spawn(move || {
                    // Set up on the worker's own thread, and worked out ahead like all
                    // it does: not the run's operations. A shadow that cannot be set up
                    // sends nothing; the line then computes its devices itself.
                    let (shadow, _) = memo::record(|| Line::establish(config, seed, lots));
                    if let Ok(shadow) = shadow {
                        shadow.run_ahead(worker, deal, lag, send, board);
                    }
                }));
            }
            let mut prefetch = Shadows {
                results,
                taken: vec![0; jobs],
                deal: &deal,
                board: &board,
                finished: 0,
            };
            // On return `prefetch` drops its receivers, which stops the shadows.
            let summary = self.run_with(sink, &mut prefetch);
            let taken = prefetch.taken.clone();
            drop(prefetch);
            // A shadow that panicked only cost its lookups: the line computed them.
            for worker in workers {
                let _ = worker.join();
            }
            summary.map(|mut summary| {
                summary.jobs.devices_by_job = taken;
                summary
            })
        })
    }

    /// A shadow's work: the devices `deal` gives job `worker`, taken through the
    /// station on this line, each one's results sent to the line. Stops when the line no longer
    /// listens or its setting up fails (the line then computes everything itself).
    fn run_ahead(
        mut self,
        worker: u64,
        deal: &Deal,
        lag: u64,
        send: SyncSender<(u64, Memo)>,
        board: &Board,
    ) {
        let mut sink = ();
        let job = worker as usize;
        let first = deal.next_for(job, 0, true);
        let mut tally = Tally::new(LedgerBook::from_device(first));
        let needs_link = self.needs_link();
        let (start, _) = memo::record(|| self.set_up_shadow(&mut tally.link, needs_link));
        let Some(start) = start else {
            return;
        };
        let total = self.device_count();
        let mut took = SimDuration::ZERO;
        let mut index = first;
        while index < total {
            let latest = match index.checked_sub(lag) {
                Some(device) => match board.wait_for(device) {
                    Some(progress) => Some(progress),
                    None => return,
                },
                None => None,
            };
            let (arrives, number) = guess(index, latest, start, took);
            tally.number_manifest_from(number);
            tally.forget_devices_before(index);
            let ((), results) = memo::record(|| {
                let mut reconciler = Reconciler::new();
                let Ok(leaves) =
                    self.pass_device(index, arrives, &mut sink, &mut reconciler, &mut tally)
                else {
                    return;
                };
                took = leaves - arrives;
                if needs_link
                    && !self.link.is_established()
                    && self.config.link.on_failure != OnLinkFailure::StopLine
                {
                    let occasion = LinkOccasion::AfterDevice(index);
                    self.bring_link_up(leaves, occasion, &mut tally.link);
                }
            });
            self.cloud.registrar_mut().forget_devices();
            if send.send((index, results)).is_err() {
                return;
            }
            index = deal.next_for(job, index, false);
        }
    }
}

impl Line {
    /// A shadow's books opened, link up and customer CA registered, as the line's own
    /// run does them; when the first device arrives, or `None` when that failed.
    fn set_up_shadow(&mut self, link: &mut LinkStats, needs_link: bool) -> Option<SimTime> {
        self.open_books(&mut (), &mut Reconciler::new()).ok()?;
        let start = if needs_link {
            self.bring_link_up(SimTime::ZERO, LinkOccasion::Start, link)?
        } else {
            SimTime::ZERO
        };
        self.cloud
            .register_customer_ca(&mut self.site, &self.crypto, self.seed)
            .ok()?;
        Some(start)
    }
}

/// When device `index` arrives and the number its manifest entry carries, as far as a
/// shadow can tell: from the line's `latest` progress (or from the start, `start`) with
/// every device in between taking `took` and shipping.
fn guess(
    index: u64,
    latest: Option<Progress>,
    start: SimTime,
    took: SimDuration,
) -> (SimTime, u64) {
    let (from, at, number) = match latest {
        Some(p) if p.next_index <= index => (p.next_index, p.arrives, p.next_manifest_number),
        _ => (0, start, 1),
    };
    let between = index - from;
    (at + took.saturating_mul(between), number + between)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guess_counts_on_from_the_latest_progress() {
        let took = SimDuration::from_millis(3);
        let start = SimTime::ZERO + SimDuration::from_millis(1);
        assert_eq!(guess(0, None, start, took), (start, 1));
        assert_eq!(
            guess(2, None, start, took),
            (start + SimDuration::from_millis(6), 3)
        );
        let latest = Progress {
            next_index: 5,
            arrives: SimTime::ZERO + SimDuration::from_millis(100),
            next_manifest_number: 4,
        };
        assert_eq!(
            guess(7, Some(latest), start, took),
            (SimTime::ZERO + SimDuration::from_millis(106), 6)
        );
        // Progress past the device (it cannot happen: the line waits for it) is ignored.
        assert_eq!(guess(3, Some(latest), start, took).1, 4);
    }
}
