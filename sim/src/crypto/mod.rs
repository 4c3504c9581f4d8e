//! The crypto facade: every cryptographic operation of the simulated world goes through
//! [`Crypto`], which counts it and hides the backend.
//!
//! Keeping one door means a faster backend can replace one operation at a time (verify
//! and ECDH are the obvious candidates) without touching a device or a station, and the
//! report can say how much cryptography a run cost.
//!
//! Bookkeeping done by the simulator itself (trace hashing, key fingerprints for the
//! ledger) uses [`Sha256`] and [`PublicKey::fingerprint`] directly and is not counted:
//! it is not work the factory or the device does.

mod backend;
mod cert;
mod counters;
mod envelope;
mod error;
pub(crate) mod facade;
#[cfg(feature = "fast")]
mod fast;
pub mod floor;
mod keys;
pub mod memo;
mod reference;

pub use crate::hash::Sha256;
pub use backend::{BACKEND_VARIABLE, Backend};
pub use cert::CertSigner;
pub use counters::{Op, OpCounts, process_counts};
pub use envelope::{ENVELOPE_OVERHEAD, Envelope};
pub use error::CryptoError;
pub use facade::Crypto;
pub use keys::{Fingerprint, PublicKey, SecretKey, Signature};

#[cfg(test)]
mod tests;
