//! What the line and its workers share under `--jobs` (see `jobs`): which devices the
//! workers have claimed and their results, and the line's progress the workers guess
//! from. One lock and one condition variable: a few lockings a device, against a
//! device's cryptography of hundreds of microseconds.

use crate::line::prefetch::Progress;
use provsim_sim::crypto::memo::Memo;
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};

/// A device's state as the line takes it.
pub(super) enum Slot {
    /// No worker claimed it: the line works it out.
    Unclaimed,
    /// A worker is working it out.
    Working,
    /// A worker's results.
    Done { worker: usize, memo: Memo },
    /// A worker claimed it and stopped without results (it panicked).
    Abandoned,
}

pub(super) struct Claims {
    total: u64,
    state: Mutex<State>,
    changed: Condvar,
}

struct State {
    /// The device the line is on.
    line_at: u64,
    /// No device below this one is left to claim.
    next_free: u64,
    /// Claimed devices the line has not taken yet, in device order.
    claimed: VecDeque<(u64, Slot)>,
    /// `(device, progress after it)` at `device % len`: the last devices' progress.
    ring: Vec<Option<(u64, Progress)>>,
    /// The line has finished: nothing more will be taken or published.
    closed: bool,
}

impl Claims {
    /// Claims on a line of `total` devices, keeping the progress of the last `keep`.
    pub(super) fn new(total: u64, keep: usize) -> Claims {
        Claims {
            total,
            state: Mutex::new(State {
                line_at: 0,
                next_free: 0,
                claimed: VecDeque::new(),
                ring: vec![None; keep.max(1)],
                closed: false,
            }),
            changed: Condvar::new(),
        }
    }

    /// The state, even if a worker panicked while holding it (nothing here is left
    /// half-changed by a panic: every change is one assignment or push).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wait<'g>(&self, state: MutexGuard<'g, State>) -> MutexGuard<'g, State> {
        self.changed
            .wait(state)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The line takes device `index` (devices in order): a worker's results, waiting for
    /// them if it is still at work, or [`Slot::Unclaimed`].
    pub(super) fn line_takes(&self, index: u64) -> Slot {
        let mut state = self.lock();
        state.line_at = index;
        state.next_free = state.next_free.max(index + 1);
        self.changed.notify_all();
        loop {
            while state
                .claimed
                .front()
                .is_some_and(|(device, _)| *device < index)
            {
                state.claimed.pop_front();
            }
            match state.claimed.front() {
                Some((device, Slot::Working)) if *device == index => state = self.wait(state),
                Some((device, _)) if *device == index => {
                    return state
                        .claimed
                        .pop_front()
                        .map_or(Slot::Unclaimed, |(_, slot)| slot);
                }
                _ => return Slot::Unclaimed,
            }
        }
    }

    /// The line finished `device`; `progress` is where it stands.
    pub(super) fn publish(&self, device: u64, progress: Progress) {
        let mut state = self.lock();
        let slot = (device % state.ring.len() as u64) as usize;
        state.ring[slot] = Some((device, progress));
        self.changed.notify_all();
    }

    /// The line has finished: waiting workers stop.
    pub(super) fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// The progress after `device`, once the line has published it; `None` once the
    /// line has finished (a worker then has nothing left to do).
    pub(super) fn progress_after(&self, device: u64) -> Option<Progress> {
        let mut state = self.lock();
        loop {
            if state.closed {
                return None;
            }
            let slot = (device % state.ring.len() as u64) as usize;
            if let Some((at, progress)) = state.ring[slot]
                && at == device
            {
                return Some(progress);
            }
            state = self.wait(state);
        }
    }

    /// `worker` claims the next device at least `lead` ahead of the line and less than
    /// `window` ahead, waiting while there is none; `None` when the line has finished
    /// or no device is left.
    pub(super) fn claim(&self, worker: usize, lead: u64, window: u64) -> Option<Claim<'_>> {
        let mut state = self.lock();
        loop {
            match state.next_claim(self.total, lead, window) {
                Next::Stop => return None,
                Next::Wait => state = self.wait(state),
                Next::Claim(device) => {
                    state.next_free = device + 1;
                    state.claimed.push_back((device, Slot::Working));
                    return Some(Claim {
                        claims: self,
                        device,
                        worker,
                        done: false,
                    });
                }
            }
        }
    }

    fn settle(&self, device: u64, slot: Slot) {
        let mut state = self.lock();
        if let Some((_, at)) = state.claimed.iter_mut().find(|(d, _)| *d == device) {
            *at = slot;
        }
        self.changed.notify_all();
    }
}

/// What a worker looking for a device does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Claim(u64),
    /// Every device it may claim is claimed: wait for the line to move on.
    Wait,
    /// The line has finished, or no device is left.
    Stop,
}

impl State {
    /// The next device at least `lead` ahead of the line and past every claim, if it is
    /// less than `window` ahead, on a line of `total` devices.
    fn next_claim(&self, total: u64, lead: u64, window: u64) -> Next {
        let device = self.next_free.max(self.line_at + lead);
        if self.closed || device >= total {
            Next::Stop
        } else if device < self.line_at + window {
            Next::Claim(device)
        } else {
            Next::Wait
        }
    }
}

/// A device a worker claimed. Dropped without [`Claim::done`] (a panicking worker), it
/// is abandoned and the line works it out itself.
pub(super) struct Claim<'c> {
    claims: &'c Claims,
    device: u64,
    worker: usize,
    done: bool,
}

impl Claim<'_> {
    pub(super) fn device(&self) -> u64 {
        self.device
    }

    /// The worker's results for the device, for the line.
    pub(super) fn done(mut self, memo: Memo) {
        self.done = true;
        let worker = self.worker;
        self.claims.settle(self.device, Slot::Done { worker, memo });
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.claims.settle(self.device, Slot::Abandoned);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_sim::{SimDuration, SimTime};

    fn progress(next_index: u64) -> Progress {
        Progress {
            next_index,
            arrives: SimTime::ZERO,
            next_manifest_number: next_index + 1,
            spacing: SimDuration::ZERO,
        }
    }

    #[test]
    fn workers_claim_ahead_of_the_line_and_the_line_takes_their_results() {
        let claims = Claims::new(100, 8);
        let first = claims.claim(1, 3, 6).expect("a device");
        assert_eq!(first.device(), 3);
        let second = claims.claim(2, 3, 6).expect("a device");
        assert_eq!(second.device(), 4);
        first.done(Memo::default());
        // Device 0 was not claimed: the line's own.
        assert!(matches!(claims.line_takes(0), Slot::Unclaimed));
        // The line moved: the next claim is at least 3 ahead of it, and after the last.
        assert_eq!(claims.claim(1, 3, 6).map(|c| c.device()), Some(5));
        assert!(matches!(claims.line_takes(3), Slot::Done { worker: 1, .. }));
        drop(second);
        assert!(matches!(claims.line_takes(4), Slot::Abandoned));
        // Device 5's claim was dropped too: abandoned.
        assert!(matches!(claims.line_takes(5), Slot::Abandoned));
        assert!(matches!(claims.line_takes(6), Slot::Unclaimed));
    }

    #[test]
    fn a_full_window_waits_for_the_line_and_a_closed_line_stops_the_workers() {
        let claims = Claims::new(100, 8);
        let mut held: Vec<_> = (0..3)
            .map(|_| claims.claim(1, 1, 4).expect("a device"))
            .collect();
        assert_eq!(
            held.iter().map(Claim::device).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        std::thread::scope(|scope| {
            let waiting = scope.spawn(|| claims.claim(1, 1, 4).map(|c| c.device()));
            assert!(matches!(claims.line_takes(0), Slot::Unclaimed));
            claims.publish(0, progress(1));
            held.remove(0).done(Memo::default());
            assert!(matches!(claims.line_takes(1), Slot::Done { .. }));
            // The line is on device 1: the waiting worker gets device 4.
            assert_eq!(waiting.join().expect("no panic"), Some(4));
        });
        drop(held);
        assert_eq!(claims.progress_after(0), Some(progress(1)));
        claims.close();
        assert!(claims.claim(1, 1, 4).is_none());
        assert!(claims.progress_after(7).is_none());
    }

    #[test]
    fn a_claim_is_lead_to_window_ahead_of_the_line_and_after_every_claim() {
        let state = |line_at, next_free, closed| State {
            line_at,
            next_free,
            claimed: VecDeque::new(),
            ring: Vec::new(),
            closed,
        };
        assert_eq!(state(10, 0, false).next_claim(100, 3, 6), Next::Claim(13));
        assert_eq!(state(10, 14, false).next_claim(100, 3, 6), Next::Claim(14));
        assert_eq!(state(10, 15, false).next_claim(100, 3, 6), Next::Claim(15));
        assert_eq!(state(10, 16, false).next_claim(100, 3, 6), Next::Wait);
        assert_eq!(state(10, 15, false).next_claim(15, 3, 6), Next::Stop);
        assert_eq!(state(10, 0, true).next_claim(100, 3, 6), Next::Stop);
    }

    #[test]
    fn the_line_waits_for_a_device_being_worked_out() {
        let claims = Claims::new(100, 8);
        let claim = claims.claim(1, 1, 4).expect("a device");
        assert_eq!(claim.device(), 1);
        std::thread::scope(|scope| {
            let line = scope.spawn(|| {
                assert!(matches!(claims.line_takes(0), Slot::Unclaimed));
                matches!(claims.line_takes(1), Slot::Done { worker: 1, .. })
            });
            let progress_seen = scope.spawn(|| claims.progress_after(0));
            std::thread::sleep(std::time::Duration::from_millis(20));
            claims.publish(0, progress(1));
            claim.done(Memo::default());
            assert!(line.join().expect("no panic"), "the worker's results");
            assert_eq!(progress_seen.join().expect("no panic"), Some(progress(1)));
        });
    }

    #[test]
    fn no_claim_past_the_last_device() {
        let claims = Claims::new(3, 8);
        assert_eq!(claims.claim(1, 2, 10).map(|c| c.device()), Some(2));
        assert!(claims.claim(1, 2, 10).is_none());
    }
}
