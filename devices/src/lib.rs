//! provsim's targets: the chips secrets are provisioned into.
//!
//! [`Target`] is the only view the provisioning line, the attackers and the claims get of
//! a chip: the surfaces a real station or attacker reaches (the debug port, the
//! programming protocol behind it, APDUs), never the model's fields.
//!
//! Three kinds are modelled, each in a folder of its own: a stock microcontroller
//! ([`mcu`]), a custom ASIC built around the same core with a PUF-sealed key store
//! ([`asic`]), and a secure element behind APDUs ([`se`]). Each folder gives one
//! [`TargetProfile`]: the kind's name and summary, its memory map, its fault points,
//! the countermeasures it ships with, the facts an attack's potential is rated by
//! (how public its documentation is, what a probe or a glitch meets), and its builder.
//! The registry (`registry.rs`) holds the profiles; [`TargetKind::profile`] finds one,
//! [`TargetKind::ALL`] lists them, [`TargetKind::from_name`] reads a scenario's name. So
//! nothing above this crate asks which kind a chip is: it asks the profile, and a new
//! kind is a new folder, its variant, and one registry line.
//!
//! [`build_target`] makes device number `index` of a run from the seed alone, through
//! the kind's builder, so any device of any lot can be re-created exactly for an attack
//! or a replay. Every random draw comes from a stream whose label is made in
//! [`labels`].
//!
//! This crate knows nothing of factories, and of attacks only what a rating needs from a
//! kind: the facts in its profile (how public its documentation is) and the words that
//! explain them. The attacks themselves, and how they rate, live above it.
#![forbid(unsafe_code)]

pub mod asic;
mod check_value;
mod countermeasures;
mod device_id;
pub mod die;
mod error;
mod factory;
pub mod fault;
pub mod first_connection;
pub mod image;
pub mod keystore;
pub mod labels;
pub mod leakage;
mod life_cycle;
pub mod mcu;
pub mod probe;
mod profile;
mod protections;
pub mod puf;
mod registry;
pub mod se;
mod target;
mod weakness;

pub use check_value::key_check_value;
pub use countermeasures::Countermeasures;
pub use die::{ChipMaker, DieAttestation, DieCertificate};
pub use error::{BootError, DeviceError, PortError};
pub use factory::{build_target, build_target_with};
pub use life_cycle::{LifeCycle, TokenKind};
pub use profile::{AttackFacts, Documentation, TargetProfile};
pub use protections::{Protections, PufKeyStore};
pub use target::{
    ApduExchange, ChannelBreaches, Command, DeviceId, DeviceInfo, Fuse, MemoryRegion, RegionKind,
    Response, RunningImage, StartedImage, Target, TargetKind,
};
pub use weakness::{Weakness, Weaknesses};
