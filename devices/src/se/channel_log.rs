//! The card's own record of its secure channel: the digests of every secured command
//! it opened, and what broke the channel's promise (see `integrity`).

use super::apdu::Command;
use crate::target::ChannelBreaches;
use provsim_sim::crypto::Crypto;
use std::collections::BTreeSet;

/// The card's own record of its channel: the digests of every secured command it opened
/// and what broke the channel's promise.
#[derive(Debug, Clone, Default)]
pub struct ChannelLog {
    opened: BTreeSet<[u8; 32]>,
    breaches: ChannelBreaches,
}

impl ChannelLog {
    /// A secured command (as it arrived, sealed) opened and is about to run.
    pub fn opened(&mut self, crypto: &Crypto, sealed: &Command) {
        if !self.opened.insert(crypto.sha256(&sealed.encode())) {
            self.breaches.replayed += 1;
        }
    }

    /// A command reserved for the channel ran in plain.
    pub fn unsealed(&mut self) {
        self.breaches.unsealed += 1;
    }

    pub fn breaches(&self) -> ChannelBreaches {
        self.breaches
    }
}
