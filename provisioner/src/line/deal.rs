//! How `--jobs` deals a line's devices out to its jobs.
//!
//! Job 0 is the line's own thread; it works its devices out as it runs them, and it
//! also does every device's stitching (the non-curve work of the devices the workers
//! worked out ahead). A worker runs its devices on a shadow line, which costs it a
//! little more per device than the line pays for one of its own. So the line takes
//! fewer devices a round than a worker: as the number of workers grows, the line's
//! stitching for their devices grows, and its own share shrinks to one device a round.
//!
//! Within a round the jobs take turns, each while it has devices left in the round, so
//! the first devices go one to each job and a short lot still reaches every job.

/// Devices each worker takes in a round.
const WORKER_SHARE: u64 = 5;

/// The dealing pattern: which job takes each device of a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Deal {
    round: Vec<usize>,
}

impl Deal {
    /// The deal for `jobs` jobs (at least 1).
    pub(super) fn new(jobs: usize) -> Deal {
        let jobs = jobs.max(1);
        let workers = (jobs - 1) as u64;
        // The line's own devices a round: a worker's share less one per worker (alone,
        // it takes every device, one a round).
        let line_share = match workers {
            0 => 1,
            _ => WORKER_SHARE.saturating_sub(workers).max(1),
        };
        let mut left: Vec<u64> = (0..jobs)
            .map(|job| if job == 0 { line_share } else { WORKER_SHARE })
            .collect();
        let mut round = Vec::new();
        while left.iter().any(|&n| n > 0) {
            for (job, n) in left.iter_mut().enumerate() {
                if *n > 0 {
                    *n -= 1;
                    round.push(job);
                }
            }
        }
        Deal { round }
    }

    /// Devices in a round.
    pub(super) fn round_len(&self) -> u64 {
        self.round.len() as u64
    }

    /// The job that works device `index` out.
    pub(super) fn job_of(&self, index: u64) -> usize {
        self.round[(index % self.round_len()) as usize]
    }

    /// The first device after `index` (or `index` itself when `inclusive`) that `job`
    /// takes.
    pub(super) fn next_for(&self, job: usize, index: u64, inclusive: bool) -> u64 {
        let mut at = if inclusive { index } else { index + 1 };
        // Every job has a device in each round, so this looks at most one round on.
        while self.job_of(at) != job {
            at += 1;
        }
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_jobs_give_the_line_four_devices_of_nine() {
        let deal = Deal::new(2);
        assert_eq!(deal.round, vec![0, 1, 0, 1, 0, 1, 0, 1, 1]);
        assert_eq!(deal.job_of(9), 0);
        assert_eq!(deal.job_of(17), 1);
        assert_eq!(deal.next_for(1, 0, true), 1);
        assert_eq!(deal.next_for(1, 7, false), 8);
        assert_eq!(deal.next_for(1, 8, false), 10);
        assert_eq!(deal.next_for(0, 8, false), 9);
    }

    #[test]
    fn the_first_devices_go_one_to_each_job() {
        for jobs in 1..40 {
            let deal = Deal::new(jobs);
            let first: Vec<usize> = (0..jobs as u64).map(|i| deal.job_of(i)).collect();
            assert_eq!(first, (0..jobs).collect::<Vec<_>>(), "{jobs} jobs");
            let line = deal.round.iter().filter(|&&job| job == 0).count();
            assert!(line >= 1 && line as u64 <= WORKER_SHARE, "{jobs} jobs");
            for worker in 1..jobs {
                let taken = deal.round.iter().filter(|&&job| job == worker).count();
                assert_eq!(taken as u64, WORKER_SHARE, "{jobs} jobs");
            }
        }
    }

    #[test]
    fn one_job_takes_every_device() {
        let deal = Deal::new(1);
        assert_eq!(deal.round_len(), 1);
        assert_eq!(deal.next_for(0, 5, false), 6);
    }
}
