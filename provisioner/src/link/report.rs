//! What the link did: each exchange's report, delivery by delivery, and a line's totals.

use provsim_sim::SimDuration;
use provsim_sim::network::Fate;

/// One datagram delivered during an exchange: what the network did to it, its message
/// type (the first byte; for records, the type inside is not visible on the wire),
/// whether the receiving end took it, its SHA-256 (to find copies), and the handshake
/// of this exchange under way when it arrived (0: the session it started on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryLog {
    pub fate: Fate,
    pub kind: u8,
    pub accepted: bool,
    pub digest: [u8; 32],
    pub handshake: u32,
}

/// How one exchange (or one establishment) went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExchangeReport {
    /// The vault's answer, as the station took it; `None` when the exchange failed.
    pub answer: Option<Vec<u8>>,
    /// Virtual time from the first datagram to the answer (or to giving up).
    pub elapsed: SimDuration,
    pub handshakes: u32,
    /// SHA-256 of the hello of each handshake made, in order.
    pub hellos: Vec<[u8; 32]>,
    /// Requests the station sent: the first and every resend.
    pub requests: u32,
    /// Times the vault's responder ran: once per request number at most.
    pub responder_runs: u32,
    pub deliveries: Vec<DeliveryLog>,
}

impl ExchangeReport {
    /// Deliveries the receiving end refused.
    pub fn refused(&self) -> u64 {
        self.deliveries.iter().filter(|d| !d.accepted).count() as u64
    }
}

/// Deliveries of one fate: how many the receiving end took and refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FateCounts {
    pub accepted: u64,
    pub refused: u64,
}

/// A line's link, added up over every exchange and establishment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Sessions made before the first device and after failed exchanges.
    pub sessions_made: u64,
    /// Device exchanges: answered and failed.
    pub exchanges: u64,
    pub answered: u64,
    pub failed: u64,
    pub handshakes: u64,
    pub requests: u64,
    pub intact: FateCounts,
    pub duplicate: FateCounts,
    pub tampered: FateCounts,
    pub replayed: FateCounts,
    /// The device the line stopped before, when the link could not be re-established
    /// (or the configuration stops the line at a failure).
    pub stopped_before: Option<u64>,
}

impl LinkStats {
    /// Adds a device's exchange.
    pub fn exchange(&mut self, report: &ExchangeReport) {
        self.exchanges += 1;
        if report.answer.is_some() {
            self.answered += 1;
        } else {
            self.failed += 1;
        }
        self.add(report);
    }

    /// Adds an attempt to make a session; `made` says whether it came up.
    pub fn establishment(&mut self, report: &ExchangeReport, made: bool) {
        self.sessions_made += u64::from(made);
        self.add(report);
    }

    fn add(&mut self, report: &ExchangeReport) {
        self.handshakes += u64::from(report.handshakes);
        self.requests += u64::from(report.requests);
        for delivery in &report.deliveries {
            let counts = match delivery.fate {
                Fate::Intact => &mut self.intact,
                Fate::Duplicate => &mut self.duplicate,
                Fate::Tampered => &mut self.tampered,
                Fate::Replayed => &mut self.replayed,
            };
            if delivery.accepted {
                counts.accepted += 1;
            } else {
                counts.refused += 1;
            }
        }
    }
}
