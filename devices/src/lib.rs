//! provsim's targets: the chips secrets are provisioned into.
//!
//! [`Target`] is the only view the provisioning line, the attackers and the claims get of
//! a chip: the surfaces a real station or attacker reaches (the debug port, the
//! programming protocol behind it), never the model's fields. Each target kind is a
//! module of its own ([`mcu`] for now; secure element and ASIC follow), built through
//! [`build_target`] from the seed alone, so any device of any lot can be re-created
//! exactly for an attack or a replay.
//!
//! This crate knows nothing of factories or attacks.
#![forbid(unsafe_code)]

pub mod asic;
mod countermeasures;
mod error;
pub mod fault;
pub mod first_connection;
pub mod image;
pub mod keystore;
pub mod labels;
pub mod leakage;
pub mod mcu;
pub mod probe;
pub mod puf;
pub mod se;
mod target;

pub use countermeasures::Countermeasures;
pub use error::{BootError, DeviceError, PortError};
pub use target::{
    Command, DeviceId, DeviceInfo, Fuse, LifeCycle, MemoryRegion, RegionKind, Response,
    RunningImage, Target, TargetKind, TokenKind, build_target, build_target_with,
};

/// A symmetric key's check value: the first four bytes of SHA-256 over a fixed label and
/// the key. A chip reports it after an injection, so the station can tell the right key
/// arrived without the key itself ever being echoed; 32 bits reveal nothing usable of a
/// 256-bit key.
pub fn key_check_value(crypto: &provsim_sim::crypto::Crypto, key: &[u8]) -> [u8; 4] {
    let mut input = b"provsim key check value v1".to_vec();
    input.extend_from_slice(key);
    let digest = crypto.sha256(&input);
    [digest[0], digest[1], digest[2], digest[3]]
}
