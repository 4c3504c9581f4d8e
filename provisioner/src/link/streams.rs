//! Where an exchange's randomness comes from.

use crate::device_streams::DeviceStreams;
use provsim_sim::Stream;

/// Randomness for one exchange (or one establishment): the network's, and each end's
/// for every handshake it may make. Whoever runs the exchange names the streams (the
/// line after the occasion, the station after the device, an attack copy after itself),
/// each opened through [`crate::labels`].
pub trait LinkStreams {
    /// The simulated network's: which datagrams are dropped, copied, altered, delayed.
    fn network(&self) -> Stream;
    /// The station end's for the `k`-th handshake, from 1.
    fn station(&self, k: u32) -> Stream;
    /// The vault end's for the `k`-th handshake, from 1.
    fn vault(&self, k: u32) -> Stream;
}

/// A device's exchange over the provisioning link runs on the device's own network and
/// handshakes (see [`DeviceStreams::link_network`]).
impl LinkStreams for DeviceStreams {
    fn network(&self) -> Stream {
        DeviceStreams::link_network(*self)
    }

    fn station(&self, k: u32) -> Stream {
        DeviceStreams::link_station(*self, k)
    }

    fn vault(&self, k: u32) -> Stream {
        DeviceStreams::link_vault(*self, k)
    }
}
