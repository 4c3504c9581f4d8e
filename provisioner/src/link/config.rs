//! The link's configuration: the network it runs over, how the station retries, and
//! what the line does when that is not enough.

use provsim_sim::SimDuration;
use provsim_sim::network::Faults;

/// How the station retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Quiet time after which the request is sent again.
    pub resend_after: SimDuration,
    /// Resends before the session is dropped and a fresh handshake started.
    pub resends_per_link: u32,
    /// Handshakes one exchange (or one re-establishment) may make before it fails.
    pub handshakes: u32,
}

impl RetryPolicy {
    /// 50 ms of quiet before a resend, 3 resends a session, 3 handshakes.
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        resend_after: SimDuration::from_millis(50),
        resends_per_link: 3,
        handshakes: 3,
    };
}

/// What the line does when a device's exchange fails: the device is rejected either
/// way (its keys destroyed); then the line re-establishes the link and goes on, or
/// stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnLinkFailure {
    RejectDevice,
    StopLine,
}

impl OnLinkFailure {
    pub fn name(self) -> &'static str {
        match self {
            OnLinkFailure::RejectDevice => "reject-device",
            OnLinkFailure::StopLine => "stop-line",
        }
    }
}

/// The network the link runs over, how the station retries on it, and what the line
/// does when that is not enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkConfig {
    pub faults: Faults,
    /// One-way delay of every datagram, before jitter.
    pub latency: SimDuration,
    pub policy: RetryPolicy,
    pub on_failure: OnLinkFailure,
}

impl LinkConfig {
    /// A clean network with 1 ms latency and the default retry policy.
    pub const CLEAN: LinkConfig = LinkConfig {
        faults: Faults {
            drop_ppm: 0,
            duplicate_ppm: 0,
            tamper_ppm: 0,
            replay_ppm: 0,
            jitter: SimDuration::ZERO,
        },
        latency: SimDuration::from_millis(1),
        policy: RetryPolicy::DEFAULT,
        on_failure: OnLinkFailure::RejectDevice,
    };

    /// Why this configuration cannot work, if it cannot: a request resent before its
    /// answer could come back is resent every time.
    pub fn problem(&self) -> Option<String> {
        let round_trip =
            (self.latency.as_nanos() + self.faults.jitter.as_nanos()).saturating_mul(2);
        if self.policy.resend_after.as_nanos() <= round_trip {
            return Some(format!(
                "the station resends after {} ms, within a round trip of up to {} ms: resend_after must exceed twice the latency plus the jitter",
                self.policy.resend_after.as_nanos() / 1_000_000,
                round_trip / 1_000_000
            ));
        }
        (self.policy.handshakes == 0).then(|| "a link with no handshakes never comes up".to_owned())
    }
}
