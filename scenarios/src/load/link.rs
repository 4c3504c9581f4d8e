//! `[link]`: the provisioning link between the vault and the station: what the network
//! does to datagrams, the retry policy, and what a failed exchange costs the line.

use super::locator::Locator;
use crate::error::ScenarioError;
use provsim_provisioner::link::{LinkConfig, OnLinkFailure as OnFailureConfig, RetryPolicy};
use provsim_sim::SimDuration;
use provsim_sim::network::Faults;
use serde::Deserialize;
use toml::Spanned;

/// The most a link delay or timer may be, in milliseconds: a minute.
const MAX_LINK_MS: u64 = 60_000;
/// The most resends or handshakes a scenario may allow.
const MAX_LINK_TRIES: u32 = 100;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSection {
    /// One-way delay of every datagram, in milliseconds (default 1).
    pub latency_ms: Option<Spanned<u64>>,
    /// Extra delay up to this many milliseconds, drawn per datagram: reorders them.
    pub jitter_ms: Option<Spanned<u64>>,
    /// Fraction of datagrams the network loses.
    pub drop: Option<Spanned<f64>>,
    /// Fraction it delivers twice.
    pub duplicate: Option<Spanned<f64>>,
    /// Fraction it alters (one bit flipped).
    pub tamper: Option<Spanned<f64>>,
    /// Fraction of sends on which an attacker injects an old datagram again.
    pub replay: Option<Spanned<f64>>,
    /// Quiet time before the station sends its request again (default 50).
    pub resend_after_ms: Option<Spanned<u64>>,
    /// Resends on one session before a fresh handshake (default 3).
    pub resends: Option<Spanned<u32>>,
    /// Handshakes one device's exchange may make before it fails (default 3).
    pub handshakes: Option<Spanned<u32>>,
    /// `"reject-device"` (default) or `"stop-line"`.
    pub on_failure: Option<OnLinkFailure>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnLinkFailure {
    RejectDevice,
    StopLine,
}

/// The `[link]` section, or a clean network with the default retries.
pub fn link_config(
    section: Option<&LinkSection>,
    at: &Locator<'_>,
) -> Result<LinkConfig, ScenarioError> {
    let clean = LinkConfig::CLEAN;
    let Some(section) = section else {
        return Ok(clean);
    };
    let millis = |value: &Option<Spanned<u64>>,
                  default: SimDuration,
                  least: u64,
                  what: &str|
     -> Result<SimDuration, ScenarioError> {
        let Some(value) = value else {
            return Ok(default);
        };
        let ms = *value.get_ref();
        if !(least..=MAX_LINK_MS).contains(&ms) {
            return Err(at.at(
                value,
                format!("{what} is from {least} to {MAX_LINK_MS} milliseconds"),
            ));
        }
        Ok(SimDuration::from_millis(ms))
    };
    let ppm = |value: &Option<Spanned<f64>>, what: &str| -> Result<u32, ScenarioError> {
        let Some(value) = value else {
            return Ok(0);
        };
        let x = *value.get_ref();
        if !(0.0..=1.0).contains(&x) {
            return Err(at.at(
                value,
                format!("{what} {x} is not a fraction from 0 to 1 (0.05 means 5 % of datagrams)"),
            ));
        }
        Ok((x * 1e6).round() as u32)
    };
    let tries = |value: &Option<Spanned<u32>>,
                 default: u32,
                 least: u32,
                 what: &str|
     -> Result<u32, ScenarioError> {
        let Some(value) = value else {
            return Ok(default);
        };
        let n = *value.get_ref();
        if !(least..=MAX_LINK_TRIES).contains(&n) {
            return Err(at.at(value, format!("{what} is from {least} to {MAX_LINK_TRIES}")));
        }
        Ok(n)
    };
    let config = LinkConfig {
        faults: Faults {
            drop_ppm: ppm(&section.drop, "drop")?,
            duplicate_ppm: ppm(&section.duplicate, "duplicate")?,
            tamper_ppm: ppm(&section.tamper, "tamper")?,
            replay_ppm: ppm(&section.replay, "replay")?,
            jitter: millis(&section.jitter_ms, SimDuration::ZERO, 0, "jitter_ms")?,
        },
        latency: millis(&section.latency_ms, clean.latency, 0, "latency_ms")?,
        policy: RetryPolicy {
            resend_after: millis(
                &section.resend_after_ms,
                clean.policy.resend_after,
                1,
                "resend_after_ms",
            )?,
            resends_per_link: tries(
                &section.resends,
                clean.policy.resends_per_link,
                0,
                "resends",
            )?,
            handshakes: tries(
                &section.handshakes,
                clean.policy.handshakes,
                1,
                "handshakes",
            )?,
        },
        on_failure: match section.on_failure {
            None | Some(OnLinkFailure::RejectDevice) => OnFailureConfig::RejectDevice,
            Some(OnLinkFailure::StopLine) => OnFailureConfig::StopLine,
        },
    };
    if let Some(problem) = config.problem() {
        // Pointed at the timer if it is written, else at what makes the round trip.
        let span = [
            &section.resend_after_ms,
            &section.latency_ms,
            &section.jitter_ms,
        ]
        .into_iter()
        .find_map(|v| v.as_ref().map(Spanned::span))
        .unwrap_or(0..0);
        return Err(at.error(span, problem));
    }
    Ok(config)
}
