//! The provisioning station: a programmer on the part's debug pins (probe card, test
//! socket or board header, by level), driven by the line's HSM. For each device it moves
//! the chip into manufacturing test and fuses the hashes of its life-cycle tokens, has
//! the identity key made, at board level has the part prove it is a genuine die, issues
//! the certificate, asks the vault over the provisioning link for the device's secrets
//! sealed to the chip's transport key and injects them,
//! writes the certificate, the firmware-verification key and the signed firmware image,
//! leaves test for provisioned, runs the configured lock sequence, and boots the chip
//! once as its functional test.
//!
//! [`Station::provision`] (in `provision`) runs the pass in that order over a
//! [`pass::Pass`], which carries the device's own streams; each stage is one file:
//! making the keys (`keygen`, with what they are in `keys`), authenticating the part
//! at board level (`authenticate`), injection (`inject`), locking (`lock`), testing
//! (`test`) and scrapping a device that will not ship (`scrap`). What the station is told is its `config`; who watches a pass, its
//! `observer`.

pub(crate) mod authenticate;
pub(crate) mod config;
pub(crate) mod error;
pub(crate) mod inject;
pub(crate) mod keygen;
pub(crate) mod keys;
pub(crate) mod lock;
pub(crate) mod observer;
pub(crate) mod pass;
pub(crate) mod provision;
pub(crate) mod scrap;
pub(crate) mod test;
pub(crate) mod timing;

pub use config::{LockStep, StationConfig};
pub use error::StationError;
pub use observer::{LockStage, PassObserver};
pub use provision::Station;
