//! Ground truth: what the line really shipped, as the oracles look it up.

use provsim_devices::DeviceId;
use provsim_provisioner::ShippedDevice;
use provsim_sim::crypto::Fingerprint;

/// What the line shipped: the ledger, searchable by identity fingerprint. It borrows
/// the ledger and adds a 4-byte index per device, so ground truth costs next to nothing
/// beyond the ledger itself at a million devices.
#[derive(Debug, Default)]
pub struct GroundTruth<'a> {
    shipped: &'a [ShippedDevice],
    /// Positions in `shipped`, ordered by identity.
    by_identity: Vec<u32>,
}

impl<'a> GroundTruth<'a> {
    pub fn new(shipped: &'a [ShippedDevice]) -> Self {
        let mut by_identity: Vec<u32> = (0..shipped.len())
            .filter_map(|i| u32::try_from(i).ok())
            .collect();
        by_identity.sort_unstable_by_key(|&i| shipped[i as usize].identity);
        GroundTruth {
            shipped,
            by_identity,
        }
    }

    /// The shipped device whose identity key has this fingerprint.
    pub fn device(&self, identity: &Fingerprint) -> Option<DeviceId> {
        let found = self
            .by_identity
            .binary_search_by(|&i| self.shipped[i as usize].identity.cmp(identity))
            .ok()?;
        Some(self.shipped[self.by_identity[found] as usize].device_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_found_by_its_identity_only() {
        let ledger = [
            ShippedDevice {
                index: 3,
                device_id: DeviceId(3),
                identity: Fingerprint([0xee; 32]),
            },
            ShippedDevice {
                index: 7,
                device_id: DeviceId(7),
                identity: Fingerprint([0x11; 32]),
            },
        ];
        let truth = GroundTruth::new(&ledger);
        assert_eq!(truth.device(&Fingerprint([0xee; 32])), Some(DeviceId(3)));
        assert_eq!(truth.device(&Fingerprint([0x11; 32])), Some(DeviceId(7)));
        assert_eq!(truth.device(&Fingerprint([0; 32])), None);
    }
}
