//! What every room shares, at the bottom of the house: the site's state (vault, PKI,
//! audit log and what every device receives), the line's configuration, the ledger of
//! lots and devices, and a device's own streams. Nothing here imports a room that uses
//! it, so the station, the line, the cloud and the attack copies can all stand on it.

pub(crate) mod builder;
pub(crate) mod config;
pub(crate) mod device;
pub(crate) mod ledger;
pub(crate) mod state;
