//! The provisioning link between the vault side and a station, as sans-IO state
//! machines: bytes in, events and bytes out, no sockets or timers inside.
//!
//! Each end ([`Endpoint`], in `endpoint`) is certified for its role by the site's link
//! CA (`certificate`); a three-message handshake authenticates both and agrees the keys
//! of an authenticated, replay-protected record layer (`record`); `messages` holds what
//! crosses the wire. [`LinkSession`] (`session`) keeps a session up between the two ends
//! across devices and runs one request/answer exchange per device over a simulated
//! faulty network, configured by [`LinkConfig`] (`config`), with its randomness from
//! whoever runs it ([`LinkStreams`]), and reports what happened ([`ExchangeReport`],
//! [`LinkStats`], in `report`).

pub(crate) mod certificate;
pub(crate) mod config;
pub(crate) mod endpoint;
pub(crate) mod error;
pub(crate) mod messages;
pub(crate) mod record;
pub(crate) mod report;
pub(crate) mod session;
pub(crate) mod streams;

pub use certificate::{LinkIdentity, Role, link_certificate};
pub use config::{LinkConfig, OnLinkFailure, RetryPolicy};
pub use endpoint::{Endpoint, Event};
pub use error::LinkError;
pub use messages::{ANSWER, DATA, FINISH, HELLO, REQUEST, WELCOME, message, parse};
pub use report::{DeliveryLog, ExchangeReport, FateCounts, LinkStats};
pub use session::{LinkSession, LinkTap};
pub use streams::LinkStreams;

#[cfg(test)]
mod tests;
