//! A device on the line, as the run's randomness sees it: every stream drawn for one
//! device, by its index. It stands at the bottom of the house, beside the labels, so the
//! vault, the station, the link, the cloud and the attack copies can all carry it.

use crate::labels;
use crate::level::Level;
use provsim_devices::TokenKind;
use provsim_sim::{Seed, Stream};

/// Device `index` of the run and the seed: every stream drawn for that device (its
/// keys, tokens, certificate serial, test outcomes, its exchange over the link) opens
/// from here, through the labels module, so nothing done for one device draws from
/// another's streams and any device can be re-created alone. The station carries one
/// through a device's pass; ground truth and the attack copies make their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceStreams {
    seed: Seed,
    index: u64,
}

impl DeviceStreams {
    pub fn new(seed: Seed, index: u64) -> Self {
        DeviceStreams { seed, index }
    }

    /// The device's index in the run.
    pub fn index(self) -> u64 {
        self.index
    }

    /// The vault's randomness for the device's identity key (when the vault makes it).
    pub fn identity_key(self) -> Stream {
        labels::identity_key(self.seed, self.index)
    }

    /// The device's life-cycle token of `kind`: random per device, drawn by the vault.
    /// The chip keeps only its hash; the customer keeps the RMA token to open returned
    /// parts.
    pub fn life_cycle_token(self, kind: TokenKind) -> [u8; 32] {
        labels::life_cycle_token(self.seed, self.index, kind).bytes()
    }

    /// The serial of the device's certificate.
    pub fn certificate_serial(self) -> Stream {
        labels::certificate_serial(self.seed, self.index)
    }

    /// The station's test key and challenge, for a secure element's functional test.
    pub fn functional_test(self) -> Stream {
        labels::functional_test(self.seed, self.index)
    }

    /// The station's challenge when it authenticates the part.
    pub fn part_challenge(self) -> Stream {
        labels::part_challenge(self.seed, self.index)
    }

    /// The outcomes of the part's test at `level`: its own stream for each level, so a
    /// part's fate does not depend on where the secrets go in.
    pub fn part_test(self, level: Level) -> Stream {
        labels::part_test(self.seed, self.index, level)
    }

    /// The vault's randomness for sealing the identity key to the chip.
    pub fn identity_injection(self) -> Stream {
        labels::identity_injection(self.seed, self.index)
    }

    /// The vault's randomness for sealing the symmetric key of key-store `slot`.
    pub fn secret_injection(self, slot: u8) -> Stream {
        labels::secret_injection(self.seed, self.index, slot)
    }

    /// The vault's randomness for the symmetric key `name`.
    pub fn symmetric_key(self, name: &str) -> Stream {
        labels::symmetric_key(self.seed, self.index, name)
    }

    /// The registrar's challenge at the device's first connection.
    pub fn registrar_challenge(self) -> Stream {
        labels::registrar_challenge(self.seed, self.index)
    }

    /// The network of the device's exchange over the provisioning link: its own, so what
    /// the link does to one device's secrets depends on nothing else.
    pub fn link_network(self) -> Stream {
        labels::device_link_network(self.seed, self.index)
    }

    /// The station end's randomness for the exchange's `k`-th handshake, from 1.
    pub fn link_station(self, k: u32) -> Stream {
        labels::device_link_station(self.seed, self.index, k)
    }

    /// The vault end's randomness for the exchange's `k`-th handshake, from 1.
    pub fn link_vault(self, k: u32) -> Stream {
        labels::device_link_vault(self.seed, self.index, k)
    }
}
