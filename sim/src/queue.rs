//! The event queue: a total order over (virtual time, sequence number).

use crate::error::KernelError;
use crate::time::{SimDuration, SimTime};
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Bounds on one run, so that a livelock or a runaway schedule is a reported failure
/// rather than a hang.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most events the queue will deliver.
    pub max_events: u64,
    /// Latest virtual time an event may be delivered at.
    pub max_time: SimTime,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_events: 100_000_000,
            // A year of virtual time: far beyond any provisioning run.
            max_time: SimTime::ZERO + SimDuration::from_secs(365 * 24 * 3600),
        }
    }
}

struct Entry<E> {
    at: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// Pending events, delivered in (time, sequence) order: two events due at the same time
/// come out in the order they were scheduled, never in an order a hash or a thread chose.
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Entry<E>>>,
    next_seq: u64,
    now: SimTime,
    delivered: u64,
    limits: Limits,
}

impl<E> EventQueue<E> {
    pub fn new(limits: Limits) -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
            now: SimTime::ZERO,
            delivered: 0,
            limits,
        }
    }

    /// The time of the last delivered event.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Events delivered so far.
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Schedules `event` at `at`, which may not lie before the current time.
    pub fn schedule(&mut self, at: SimTime, event: E) -> Result<(), KernelError> {
        if at < self.now {
            return Err(KernelError::ScheduledInPast { at, now: self.now });
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse(Entry { at, seq, event }));
        Ok(())
    }

    /// Schedules `event` `delay` after the current time.
    pub fn schedule_after(&mut self, delay: SimDuration, event: E) -> Result<(), KernelError> {
        self.schedule(self.now + delay, event)
    }

    /// Delivers the next event and advances the clock to it, or `None` when nothing is
    /// pending. Fails, leaving the event queued, once a cap would be exceeded.
    pub fn pop(&mut self) -> Result<Option<(SimTime, E)>, KernelError> {
        let Some(Reverse(next)) = self.heap.peek() else {
            return Ok(None);
        };
        if next.at > self.limits.max_time {
            return Err(KernelError::TimeCapExceeded {
                cap: self.limits.max_time,
                at: next.at,
            });
        }
        if self.delivered >= self.limits.max_events {
            return Err(KernelError::EventCapExceeded {
                cap: self.limits.max_events,
                at: self.now,
            });
        }
        let Some(Reverse(entry)) = self.heap.pop() else {
            return Ok(None);
        };
        self.now = entry.at;
        self.delivered += 1;
        Ok(Some((entry.at, entry.event)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(n: u64) -> SimTime {
        SimTime::from_nanos(n)
    }

    #[test]
    fn equal_times_come_out_in_scheduling_order() {
        let mut q = EventQueue::new(Limits::default());
        q.schedule(t(5), "b").unwrap();
        q.schedule(t(5), "c").unwrap();
        q.schedule(t(1), "a").unwrap();
        let order: Vec<_> = std::iter::from_fn(|| q.pop().unwrap().map(|(_, e)| e)).collect();
        assert_eq!(order, ["a", "b", "c"]);
        assert_eq!(q.now(), t(5));
    }

    #[test]
    fn scheduling_in_the_past_is_refused() {
        let mut q = EventQueue::new(Limits::default());
        q.schedule(t(10), ()).unwrap();
        q.pop().unwrap();
        assert_eq!(
            q.schedule(t(9), ()),
            Err(KernelError::ScheduledInPast {
                at: t(9),
                now: t(10)
            })
        );
    }

    #[test]
    fn a_livelock_hits_the_event_cap() {
        let limits = Limits {
            max_events: 100,
            max_time: SimTime::MAX,
        };
        let mut q = EventQueue::new(limits);
        q.schedule(t(0), ()).unwrap();
        let err = loop {
            match q.pop() {
                Ok(Some(_)) => q.schedule_after(SimDuration::ZERO, ()).unwrap(),
                Ok(None) => panic!("queue drained"),
                Err(e) => break e,
            }
        };
        assert!(matches!(
            err,
            KernelError::EventCapExceeded { cap: 100, .. }
        ));
        assert_eq!(q.delivered(), 100);
    }

    #[test]
    fn an_event_past_the_time_cap_is_not_delivered() {
        let limits = Limits {
            max_events: 10,
            max_time: t(50),
        };
        let mut q = EventQueue::new(limits);
        q.schedule(t(51), ()).unwrap();
        assert!(matches!(q.pop(), Err(KernelError::TimeCapExceeded { .. })));
        assert_eq!(q.len(), 1);
    }

    proptest! {
        /// Delivery order is exactly the order of (time, scheduling index).
        #[test]
        fn delivery_is_sorted_by_time_then_sequence(times in proptest::collection::vec(0u64..20, 0..64)) {
            let mut q = EventQueue::new(Limits::default());
            for (i, &at) in times.iter().enumerate() {
                q.schedule(t(at), i).unwrap();
            }
            let mut expected: Vec<(u64, usize)> = times.iter().copied().zip(0..).collect();
            expected.sort();
            let got: Vec<(u64, usize)> =
                std::iter::from_fn(|| q.pop().unwrap().map(|(at, i)| (at.as_nanos(), i))).collect();
            prop_assert_eq!(got, expected);
        }
    }
}
