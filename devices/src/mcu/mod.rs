//! A stock microcontroller with its built-in security features, modelled on the
//! STM32 family with an OpenTitan-style fuse life cycle and an MCUboot boot ROM:
//!
//! - 64 KiB of NOR flash in 2 KiB sectors: two MCUboot slots, the certificate, the
//!   firmware-verification key, application data and the key store;
//! - option bytes with readout protection (RDP 0/1/2) and a secure-region bit that
//!   hides the key store from everything but the boot ROM;
//! - OTP fuses: a debug-lock bit, a secure-boot bit, the life-cycle state, an
//!   anti-rollback counter, the root-of-trust key hash and hashed life-cycle tokens;
//! - a debug port (SWD) that serves memory reads and the programming protocol
//!   ([`crate::target::Command`]) as far as the fuses, the RDP level and the life cycle allow.
//!
//! Every protection decision is a [`FaultPoint`](crate::fault::FaultPoint) check, so the
//! fault model can aim at one; every fuse, option-byte and flash write is a counted
//! persistent step.

mod boot;
mod chip;
mod flash;
mod keys;
pub mod layout;
mod life_cycle;
mod ops;
mod options;
mod otp;
mod port;
pub(crate) mod profile;
mod programming;
mod target;

pub use chip::Mcu;
pub use keys::injection_context;
pub use layout::COUNTER_CAPACITY;
pub use options::{OptionBytes, Rdp};

/// The chip's randomness for the identity key it makes itself: the stream oracles
/// re-derive ground truth from (its label is made in `crate::labels`).
pub use crate::labels::on_chip_identity_key as on_chip_key_stream;

#[cfg(test)]
mod model_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod weakness_tests;
