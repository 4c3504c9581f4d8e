//! The deterministic kernel at the bottom of provsim.
//!
//! Everything above this crate gets its randomness, its clock and its cryptography from
//! here, so that one scenario and one seed always produce the same world:
//!
//! - [`Seed`] turns the scenario seed into independent, labelled ChaCha20 [`Stream`]s.
//!   Everything done for one device draws from streams whose label carries the device's
//!   index, so any device can be recomputed alone and adding a stream never shifts another.
//! - [`SimTime`] is integer virtual time; [`EventQueue`] orders events by (time, sequence)
//!   and stops a run that exceeds its event or time cap instead of hanging.
//! - [`Trace`] is a canonical, streamed record of what an actor did; [`run_digest`] folds
//!   the site's and every device's trace digest into the one digest a report carries.
//! - [`crypto::Crypto`] is the only door to cryptography: it counts every operation and
//!   hides the backend, so a faster backend can replace one operation at a time.
//!
//! Nothing here knows about devices, factories or files.
#![forbid(unsafe_code)]

pub mod crypto;
mod ctx;
mod error;
mod hash;
mod hex;
pub mod label;
pub mod network;
mod queue;
mod seed;
mod time;
mod trace;

pub use ctx::Ctx;
pub use error::KernelError;
pub use hex::{Hex, from_hex32, to_hex};
pub use queue::{EventQueue, Limits};
pub use seed::{Seed, Stream};
pub use time::{SimDuration, SimTime};
pub use trace::{Digest, Field, RunDigest, Trace, run_digest};
