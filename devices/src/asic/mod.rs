//! A custom ASIC: the device maker's own chip, as strong as the security IP designed
//! into it. Its CPU subsystem (flash, fuses, boot ROM, the test port that doubles as
//! the debug port) is the same core as the stock MCU's; around it sit the blocks a
//! security team chooses ([`AsicIp`]):
//!
//! - an SRAM PUF: enrolled when the die first enters manufacturing test (only its
//!   public helper data is kept), re-derived at every power-up;
//! - a key ladder that turns the PUF key into the key-store key, one step at a time
//!   (each a fault point: a skipped step leaves the register as it was), loaded into a
//!   volatile register, never written to flash or fuses;
//! - a sealed key store: every key the station injects is sealed under that key, so a
//!   dump of the store (through an open or glitched test port) yields only ciphertext;
//! - the test port, locked by the debug-lock fuse and reopened only through RMA with
//!   the token whose hash is fused (the key store is wiped first);
//! - fault countermeasures (detectors, redundant and hardened checks) and leakage
//!   countermeasures (masking, shielding) for the physical models.

mod chip;
mod ip;
pub(crate) mod profile;
mod target;

pub use chip::{Asic, ladder_key};
pub use ip::AsicIp;

#[cfg(test)]
mod tests;
