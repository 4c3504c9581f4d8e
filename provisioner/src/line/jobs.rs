//! `--jobs`: the line's devices' cryptography worked out in parallel, ahead of the line.
//!
//! The line itself stays one thread: the clock, the link session, the audit chain, the
//! order stop and the streamed files are sequential by nature, and keeping them on one
//! thread keeps every output byte what a one-job run writes. Each other job is a worker
//! thread with a *shadow* of the line: a second line established from the same
//! configuration and seed. A worker claims a device a little ahead of the line, takes
//! it through the station on its shadow, and records the results of its
//! elliptic-curve operations in a [`Memo`]. When the line reaches a claimed device it
//! runs it for real with the memo installed: every operation whose inputs the shadow
//! got right is looked up instead of computed (see `provsim_sim::crypto::memo`). A
//! device no worker claimed the line works out itself as it runs it.
//!
//! Workers claim devices at least [`LEAD`] ahead of the line, so the line's thread,
//! which also has every device's stitching to do, works out the devices the workers
//! leave between: the share each job takes follows how fast it runs, which on a shared
//! machine changes from moment to moment. Which job took which device therefore depends
//! on the threads' timing, and so does how many of its operations were ready: a shadow
//! guesses a device's arrival and manifest number from the line's [`Progress`] after a
//! device fixed by the device's number, but the rest of its state (its link session,
//! its chains' heads) comes from whichever devices it ran before.
//!
//! A shadow has not seen the devices in between, so it guesses what depends on them:
//! when its device arrives (the spacing it read repeated) and the number of its manifest
//! entry. A wrong guess (a rejected die, a link fault in between) costs only misses,
//! which the line computes itself. Nothing the line writes comes from a shadow but
//! memoised results, which are the same whoever computed them.

use crate::books::reconcile::reconciler::Reconciler;
use crate::labels::LinkOccasion;
use crate::ledger::book::LedgerBook;
use crate::line::claims::{Claims, Slot};
use crate::line::error::LineError;
use crate::line::establish::Line;
use crate::line::prefetch::{Prefetch, Progress};
use crate::line::run::Tally;
use crate::line::sink::LineSink;
use crate::line::summary::LineSummary;
use crate::link::config::OnLinkFailure;
use provsim_sim::SimTime;
use provsim_sim::crypto::memo::{self, Memo};

/// How many devices ahead of the line a worker claims its next device at least: far
/// enough that the line rarely reaches a device still being worked out.
pub(super) const LEAD: u64 = 6;

/// How far ahead of the line a worker may claim: what the workers hold for the line is
/// bounded by this many devices.
pub(super) const WINDOW: u64 = 48;

/// A shadow guesses device `i` from the line's progress after device
/// `i - GUESS_LAG` (after device 0 for the first ones). More than [`WINDOW`], so the
/// line has always published it by the time a worker claims `i`.
pub(super) const GUESS_LAG: u64 = 64;

/// The shadows' results, and what the line took from them.
struct Shadows<'c> {
    claims: &'c Claims,
    /// Devices each job worked out: the line itself, then each worker.
    taken: Vec<u64>,
    /// The device the line finished last.
    finished: u64,
}

impl Prefetch for Shadows<'_> {
    fn take(&mut self, index: u64) -> Memo {
        self.finished = index;
        match self.claims.line_takes(index) {
            Slot::Done { worker, memo } => {
                self.taken[worker] += 1;
                memo
            }
            // Unclaimed, or abandoned by a worker that failed: the line's own.
            // (`line_takes` never returns a device still being worked out.)
            Slot::Unclaimed | Slot::Abandoned | Slot::Working => {
                self.taken[0] += 1;
                Memo::default()
            }
        }
    }

    fn progress(&mut self, progress: Progress) {
        self.claims.publish(self.finished, progress);
    }
}

impl Drop for Shadows<'_> {
    fn drop(&mut self) {
        self.claims.close();
    }
}

impl Line {
    /// Runs every lot as [`Line::run`] does, with `jobs - 1` workers working out the
    /// devices' cryptography ahead of the line. Every output byte is the same for any
    /// `jobs`; 0 or 1 runs on this thread alone.
    pub fn run_jobs(
        &mut self,
        sink: &mut dyn LineSink,
        jobs: usize,
    ) -> Result<LineSummary, LineError> {
        let total = self.device_count();
        // No more workers than can hold a claim at once: workers claim only devices
        // `LEAD` or more ahead of the line and less than `WINDOW` ahead, and a worker
        // without a device would only set a shadow up.
        let most = total.saturating_sub(LEAD).min(WINDOW - LEAD);
        let workers = jobs
            .saturating_sub(1)
            .min(usize::try_from(most).unwrap_or(usize::MAX));
        let jobs = workers + 1;
        if jobs <= 1 {
            return self.run(sink);
        }
        // The progress ring must keep the entry a claimed device's guess reads until the
        // worker has read it: the line cannot pass the device, so `GUESS_LAG` entries on.
        let claims = Claims::new(total, GUESS_LAG as usize + 8);
        std::thread::scope(|scope| {
            let mut workers = Vec::with_capacity(jobs - 1);
            for worker in 1..jobs {
                let claims = &claims;
                let (config, seed, lots) = (self.config.clone(), self.seed, self.lots.clone());
                workers.push(scope.spawn(move || {
                    // Set up on the worker's own thread, and worked out ahead like all
                    // it does: not the run's operations. A shadow that cannot be set up
                    // claims nothing; the line then computes every device itself.
                    let (shadow, _) = memo::record(|| Line::establish(config, seed, lots));
                    if let Ok(shadow) = shadow {
                        shadow.run_ahead(worker, claims);
                    }
                }));
            }
            let mut prefetch = Shadows {
                claims: &claims,
                taken: vec![0; jobs],
                finished: 0,
            };
            // On return `prefetch` closes the claims, which stops the shadows.
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

    /// A shadow's work: it claims devices ahead of the line, takes each through the
    /// station on this line, and hands the results to the line. Stops when the line
    /// has finished or its setting up fails (the line then computes everything itself).
    fn run_ahead(mut self, worker: usize, claims: &Claims) {
        let mut sink = ();
        let mut tally = Tally::new(LedgerBook::from_device(0));
        let needs_link = self.needs_link();
        let (start, _) = memo::record(|| self.set_up_shadow(&mut tally.link, needs_link));
        let Some(start) = start else {
            return;
        };
        while let Some(claim) = claims.claim(worker, LEAD, WINDOW) {
            let index = claim.device();
            let Some(latest) = claims.progress_after(index.saturating_sub(GUESS_LAG)) else {
                return;
            };
            let (arrives, number) = guess(index, latest, start);
            tally.number_manifest_from(number);
            tally.forget_devices_before(index);
            let ((), results) = memo::record(|| {
                let mut reconciler = Reconciler::new();
                let Ok(leaves) =
                    self.pass_device(index, arrives, &mut sink, &mut reconciler, &mut tally)
                else {
                    return;
                };
                if needs_link
                    && !self.link.is_established()
                    && self.config.link.on_failure != OnLinkFailure::StopLine
                {
                    let occasion = LinkOccasion::AfterDevice(index);
                    self.bring_link_up(leaves, occasion, &mut tally.link);
                }
            });
            self.cloud.registrar_mut().forget_devices();
            claim.done(results);
        }
    }
}

impl Line {
    /// A shadow's books opened, link up and customer CA registered, as the line's own
    /// run does them; when the first device arrives, or `None` when that failed.
    fn set_up_shadow(
        &mut self,
        link: &mut crate::link::report::LinkStats,
        needs_link: bool,
    ) -> Option<SimTime> {
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
/// shadow can tell from the line's `latest` progress: every device in between taking
/// the spacing it read and shipping. Device 0 (never a worker's) arrives at `start`.
fn guess(index: u64, latest: Progress, start: SimTime) -> (SimTime, u64) {
    if index == 0 || latest.next_index > index {
        return (start, 1);
    }
    let between = index - latest.next_index;
    (
        latest.arrives + latest.spacing.saturating_mul(between),
        latest.next_manifest_number + between,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_sim::SimDuration;

    #[test]
    fn a_guess_counts_on_from_the_latest_progress() {
        let start = SimTime::ZERO + SimDuration::from_millis(1);
        let latest = Progress {
            next_index: 5,
            arrives: SimTime::ZERO + SimDuration::from_millis(100),
            next_manifest_number: 4,
            spacing: SimDuration::from_millis(3),
        };
        assert_eq!(guess(0, latest, start), (start, 1));
        assert_eq!(guess(5, latest, start), (latest.arrives, 4));
        assert_eq!(
            guess(7, latest, start),
            (SimTime::ZERO + SimDuration::from_millis(106), 6)
        );
        // Progress past the device (it cannot happen: a worker reads progress from
        // before its device) is not counted back from.
        assert_eq!(guess(3, latest, start), (start, 1));
    }

    #[test]
    fn the_guess_lag_covers_the_window() {
        const { assert!(GUESS_LAG > WINDOW && WINDOW > LEAD) };
    }
}
