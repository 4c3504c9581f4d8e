//! A simulated datagram network between two ends, with seeded faults: datagrams are
//! delayed, dropped, duplicated, reordered, altered and replayed as the fault rates and
//! the network's own stream say. Delivery order is (virtual time, sequence number), a
//! total order, so a run is the same on every machine. Each delivery says what the
//! network did to it, so a test can check that the receiver refused what it had to.

use crate::seed::Stream;
use crate::time::{SimDuration, SimTime};
use std::collections::BTreeMap;

/// One of the two ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum End {
    A,
    B,
}

impl End {
    pub fn other(self) -> End {
        match self {
            End::A => End::B,
            End::B => End::A,
        }
    }
}

/// Fault rates, in parts per million of datagrams sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    pub drop_ppm: u32,
    pub duplicate_ppm: u32,
    /// One byte flipped somewhere in the datagram.
    pub tamper_ppm: u32,
    /// An old datagram from the same sender delivered again later.
    pub replay_ppm: u32,
    /// Extra delay up to this much, drawn per datagram: reorders datagrams.
    pub jitter: SimDuration,
}

/// What the network did to a delivered datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Delivered as sent, the first time.
    Intact,
    /// A second copy of a datagram (the network duplicated it).
    Duplicate,
    /// Altered on the way.
    Tampered,
    /// An old datagram injected again by an attacker (it may never have arrived the
    /// first time, if the network dropped it).
    Replayed,
}

/// A datagram arriving at `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub at: SimTime,
    pub to: End,
    pub bytes: Vec<u8>,
    pub fate: Fate,
}

/// The network.
pub struct Network {
    rng: Stream,
    faults: Faults,
    latency: SimDuration,
    in_flight: BTreeMap<(SimTime, u64), Delivery>,
    next: u64,
    /// A few datagrams each end sent, for replays.
    history: Vec<(End, Vec<u8>)>,
}

/// How many past datagrams a replaying attacker keeps.
const HISTORY: usize = 32;

impl Network {
    pub fn new(rng: Stream, faults: Faults, latency: SimDuration) -> Self {
        Network {
            rng,
            faults,
            latency,
            in_flight: BTreeMap::new(),
            next: 0,
            history: Vec::new(),
        }
    }

    fn chance(&mut self, ppm: u32) -> bool {
        ppm > 0 && self.rng.chance(u64::from(ppm), 1_000_000)
    }

    fn enqueue(&mut self, now: SimTime, to: End, bytes: Vec<u8>, fate: Fate) {
        let jitter = self.faults.jitter.as_nanos();
        let extra = if jitter == 0 {
            0
        } else {
            self.rng.below(jitter + 1)
        };
        let at = now + self.latency + SimDuration::from_nanos(extra);
        self.in_flight.insert(
            (at, self.next),
            Delivery {
                at,
                to,
                bytes,
                fate,
            },
        );
        self.next += 1;
    }

    /// `from` sends `bytes` at `now`. A replay, when the attacker makes one, is of a
    /// datagram sent before this one, and goes out after it.
    pub fn send(&mut self, now: SimTime, from: End, bytes: Vec<u8>) {
        let to = from.other();
        let replay = (!self.history.is_empty() && self.chance(self.faults.replay_ppm)).then(|| {
            let pick = self.rng.below(self.history.len() as u64) as usize;
            self.history[pick].clone()
        });
        if self.history.len() == HISTORY {
            self.history.remove(0);
        }
        self.history.push((from, bytes.clone()));
        self.deliver_or_lose(now, to, bytes);
        if let Some((sender, old)) = replay {
            self.enqueue(now, sender.other(), old, Fate::Replayed);
        }
    }

    fn deliver_or_lose(&mut self, now: SimTime, to: End, bytes: Vec<u8>) {
        if self.chance(self.faults.drop_ppm) {
            return;
        }
        let duplicate = self
            .chance(self.faults.duplicate_ppm)
            .then(|| bytes.clone());
        if !bytes.is_empty() && self.chance(self.faults.tamper_ppm) {
            let mut altered = bytes;
            let at = self.rng.below(altered.len() as u64) as usize;
            let bit = 1u8 << self.rng.below(8);
            altered[at] ^= bit;
            self.enqueue(now, to, altered, Fate::Tampered);
        } else {
            self.enqueue(now, to, bytes, Fate::Intact);
        }
        // The copy follows the original (unless jitter reorders them).
        if let Some(copy) = duplicate {
            self.enqueue(now, to, copy, Fate::Duplicate);
        }
    }

    /// The next delivery, in (time, sequence) order.
    pub fn deliver(&mut self) -> Option<Delivery> {
        self.in_flight.pop_first().map(|(_, delivery)| delivery)
    }

    /// When the next delivery is due, if any is in flight.
    pub fn next_at(&self) -> Option<SimTime> {
        self.in_flight.keys().next().map(|(at, _)| *at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Seed;

    #[test]
    fn a_clean_network_delivers_everything_once_in_order() {
        let mut net = Network::new(
            Seed::new(1).stream("net"),
            Faults::default(),
            SimDuration::from_millis(1),
        );
        for i in 0..5u8 {
            net.send(SimTime::ZERO, End::A, vec![i]);
        }
        let got: Vec<_> = std::iter::from_fn(|| net.deliver()).collect();
        assert_eq!(got.len(), 5);
        assert!(got.iter().all(|d| d.to == End::B && d.fate == Fate::Intact));
        assert_eq!(
            got.iter().map(|d| d.bytes[0]).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4]
        );
    }

    /// A replay is of a datagram sent earlier, never of the one being sent, and goes out
    /// after the original: the first datagram can never be replayed ahead of itself.
    #[test]
    fn a_replay_is_of_an_earlier_datagram_and_follows_the_original() {
        let faults = Faults {
            replay_ppm: 1_000_000,
            ..Faults::default()
        };
        let mut net = Network::new(Seed::new(2).stream("net"), faults, SimDuration::ZERO);
        for i in 0..20u8 {
            net.send(SimTime::ZERO, End::A, vec![i]);
        }
        let got: Vec<_> = std::iter::from_fn(|| net.deliver()).collect();
        assert_eq!(got.len(), 39, "no replay before the first datagram");
        assert_eq!(got[0].fate, Fate::Intact);
        for pair in got[1..].chunks(2) {
            assert_eq!(pair[0].fate, Fate::Intact);
            assert_eq!(pair[1].fate, Fate::Replayed);
            assert!(pair[1].bytes[0] < pair[0].bytes[0], "{pair:?}");
        }
        // Dropped everything: only replays of earlier datagrams arrive, never the first.
        let faults = Faults {
            drop_ppm: 1_000_000,
            replay_ppm: 1_000_000,
            ..Faults::default()
        };
        let mut net = Network::new(Seed::new(2).stream("net"), faults, SimDuration::ZERO);
        net.send(SimTime::ZERO, End::A, vec![0]);
        assert_eq!(net.deliver(), None);
    }

    #[test]
    fn faults_follow_the_seed_and_say_what_they_did() {
        let faults = Faults {
            drop_ppm: 200_000,
            duplicate_ppm: 200_000,
            tamper_ppm: 200_000,
            replay_ppm: 200_000,
            jitter: SimDuration::from_millis(5),
        };
        let run = |seed| {
            let mut net = Network::new(Seed::new(seed).stream("net"), faults, SimDuration::ZERO);
            for i in 0..200u8 {
                net.send(SimTime::ZERO, End::B, vec![i, !i]);
            }
            std::iter::from_fn(|| net.deliver()).collect::<Vec<_>>()
        };
        let a = run(3);
        assert_eq!(a, run(3));
        assert_ne!(a, run(4));
        for fate in [
            Fate::Intact,
            Fate::Duplicate,
            Fate::Tampered,
            Fate::Replayed,
        ] {
            assert!(a.iter().any(|d| d.fate == fate), "{fate:?}");
        }
        // Every datagram sent is [i, !i]; one flipped bit breaks that, and only a
        // tampered delivery has it broken.
        for d in &a {
            let intact = d.bytes[1] == !d.bytes[0];
            assert_eq!(intact, d.fate != Fate::Tampered, "{d:?}");
        }
    }
}
