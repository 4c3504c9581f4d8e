//! Ground truth: what the line really shipped, as the oracles look it up.

use provsim_devices::DeviceId;
use provsim_provisioner::{Ledger, ShippedDevice};
use provsim_sim::crypto::Fingerprint;

/// How ground truth files an identity: its fingerprint's first 128 bits, as the books
/// and the registrar do. A key the line never shipped matches a shipped one only if its
/// fingerprint shares them, which takes some 2^128 tries to find.
type Tag = [u8; 16];

fn tag(identity: &Fingerprint) -> Tag {
    let mut out = [0u8; 16];
    out.copy_from_slice(&identity.0[..16]);
    out
}

/// What the line shipped, searchable by identity: each shipped device's identity tag
/// and id, sorted, 24 bytes a device. Built once the line is through (the books' own
/// set is gone by then, the registrar's 16 bytes a device remain), it keeps a
/// million-device run's lookups in memory within the ledger's budget of 48 bytes a
/// device.
#[derive(Debug, Default)]
pub struct GroundTruth {
    by_identity: Vec<(Tag, DeviceId)>,
}

impl GroundTruth {
    pub fn new(shipped: impl IntoIterator<Item = ShippedDevice>) -> Self {
        let mut by_identity: Vec<(Tag, DeviceId)> = shipped
            .into_iter()
            .map(|d| (tag(&d.identity), d.device_id))
            .collect();
        by_identity.sort_unstable();
        GroundTruth { by_identity }
    }

    /// Ground truth from the run's ledger, read once, sized to it exactly.
    pub fn from_ledger(ledger: &Ledger) -> std::io::Result<Self> {
        let mut by_identity = Vec::with_capacity(usize::try_from(ledger.shipped()).unwrap_or(0));
        for device in ledger.shipped_devices() {
            let device = device?;
            by_identity.push((tag(&device.identity), device.device_id));
        }
        by_identity.sort_unstable();
        Ok(GroundTruth { by_identity })
    }

    /// The shipped device whose identity key has this fingerprint (of two that shipped
    /// one identity, the one with the lower id).
    pub fn device(&self, identity: &Fingerprint) -> Option<DeviceId> {
        let tag = tag(identity);
        let at = self.by_identity.partition_point(|(t, _)| *t < tag);
        self.by_identity
            .get(at)
            .filter(|(t, _)| *t == tag)
            .map(|&(_, device)| device)
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
            ShippedDevice {
                index: 9,
                device_id: DeviceId(2),
                identity: Fingerprint([0xee; 32]),
            },
        ];
        let truth = GroundTruth::new(ledger);
        assert_eq!(truth.device(&Fingerprint([0xee; 32])), Some(DeviceId(2)));
        assert_eq!(truth.device(&Fingerprint([0x11; 32])), Some(DeviceId(7)));
        assert_eq!(truth.device(&Fingerprint([0; 32])), None);
        assert_eq!(truth.device(&Fingerprint([0xff; 32])), None);
    }

    /// The ledger's budget after the line: 24 bytes a device here, and 16 in the
    /// registrar, within 48.
    #[test]
    fn an_entry_is_twenty_four_bytes() {
        assert_eq!(size_of::<(Tag, DeviceId)>(), 24);
        assert!(size_of::<(Tag, DeviceId)>() + size_of::<Tag>() <= 48);
    }
}
