//! Ground truth for oracles: any device's keys re-derived from the seed, from the same
//! streams the line drew them from.

use crate::device_streams::DeviceStreams;
use crate::line::establish::Line;
use crate::vault::secrets::IdentityOrigin;
use provsim_sim::crypto::{Crypto, SecretKey};

impl Line {
    /// Ground truth for oracles: device `index`'s identity key, made by the vault or by
    /// the chip as the secrets profile says, re-derived from the seed (charged to
    /// `crypto`, the oracle's own facade). Nothing of the line is touched, and the key
    /// is never part of any output.
    pub fn identity_key(&self, index: u64, crypto: &Crypto) -> SecretKey {
        let mut stream = match self.config.secrets.identity {
            IdentityOrigin::Vault => DeviceStreams::new(self.seed, index).identity_key(),
            IdentityOrigin::Device => provsim_devices::mcu::on_chip_key_stream(self.seed, index),
        };
        crypto.generate_key(&mut stream)
    }

    /// Ground truth for oracles: device `index`'s symmetric keys, by name, as the vault
    /// made them. Never part of any output.
    pub fn symmetric_keys(&self, index: u64) -> Vec<(String, [u8; 32])> {
        let device = DeviceStreams::new(self.seed, index);
        self.config
            .secrets
            .symmetric_keys
            .iter()
            .map(|name| {
                let mut bytes = [0u8; 32];
                device.symmetric_key(name).fill(&mut bytes);
                (name.clone(), bytes)
            })
            .collect()
    }
}
