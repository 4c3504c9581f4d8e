//! Ground truth for oracles: any device's keys re-derived from the seed, from the same
//! streams the line drew them from. Never part of any output.

use crate::device_streams::DeviceStreams;
use crate::vault::secrets::{IdentityOrigin, SecretsProfile};
use provsim_sim::Seed;
use provsim_sim::crypto::{Crypto, SecretKey};

/// Device `index`'s identity key, made by the vault or by the chip as `identity` says,
/// re-derived from the seed (charged to `crypto`, the oracle's own facade).
pub(crate) fn identity_key(
    seed: Seed,
    identity: IdentityOrigin,
    index: u64,
    crypto: &Crypto,
) -> SecretKey {
    let mut stream = match identity {
        IdentityOrigin::Vault => DeviceStreams::new(seed, index).identity_key(),
        IdentityOrigin::Device => provsim_devices::mcu::on_chip_key_stream(seed, index),
    };
    crypto.generate_key(&mut stream)
}

/// Device `index`'s symmetric keys, by name, as the vault made them from each key's
/// stream (the 32 bytes the HSM draws for a secret).
pub(crate) fn symmetric_keys(
    seed: Seed,
    secrets: &SecretsProfile,
    index: u64,
) -> Vec<(String, [u8; 32])> {
    let device = DeviceStreams::new(seed, index);
    secrets
        .symmetric_keys
        .iter()
        .map(|name| (name.clone(), device.symmetric_key(name).bytes()))
        .collect()
}
