//! What each custody configuration costs: a set-up cost, a cost per unit and the weeks
//! it takes to set up, in whole micro-units of the scenario's currency so that every
//! figure is exact and the same on every machine. The defaults are placeholders of the
//! right order, not quotes: a scenario gives its own figures where it has them.

use crate::vault::custody::Custody;

/// Micro-units in one unit of currency.
pub const MICRO: u64 = 1_000_000;

/// The largest amount a report states, in micro-units: 2^53 - 1 (about 9 billion units
/// of currency), the largest integer every JSON reader holds exactly (JavaScript and
/// other readers keep numbers as doubles). A larger total is refused, not rounded.
pub const MAX_EXACT_MICRO: u64 = (1 << 53) - 1;

/// One configuration's costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostModel {
    /// One-off: the VM or HSM, its certification, the key ceremony.
    pub setup_micro: u64,
    /// Per provisioned unit: tester time, HSM operations, the licence.
    pub per_unit_micro: u64,
    /// Weeks from order to the first provisioned unit.
    pub setup_weeks: u32,
}

impl CostModel {
    /// The default figures for `custody`: cheaper and faster for the shared VM, dearer
    /// and slower for an HSM the customer owns (bought, certified, shipped to the site).
    pub fn default_for(custody: Custody) -> CostModel {
        match custody {
            Custody::SharedVm => CostModel {
                setup_micro: 5_000 * MICRO,
                per_unit_micro: 20_000,
                setup_weeks: 2,
            },
            Custody::ProvisionerHsm => CostModel {
                setup_micro: 25_000 * MICRO,
                per_unit_micro: 50_000,
                setup_weeks: 6,
            },
            Custody::CustomerHsm => CostModel {
                setup_micro: 150_000 * MICRO,
                per_unit_micro: 80_000,
                setup_weeks: 16,
            },
        }
    }

    /// Set-up plus `volume` units, or `None` when that is over [`MAX_EXACT_MICRO`]:
    /// such figures are not costs, and the loader refuses them rather than report a
    /// total a reader would round, or one that stopped growing.
    pub fn total_micro(&self, volume: u64) -> Option<u64> {
        self.per_unit_micro
            .checked_mul(volume)?
            .checked_add(self.setup_micro)
            .filter(|total| *total <= MAX_EXACT_MICRO)
    }

    /// The total spread over `volume` units (0 for no units); `None` as for
    /// [`CostModel::total_micro`].
    pub fn per_device_micro(&self, volume: u64) -> Option<u64> {
        Some(self.total_micro(volume)?.checked_div(volume).unwrap_or(0))
    }
}

/// Micro-units as a decimal amount with two places (rounded half up): `1234.50`.
pub fn format_amount(micro: u64) -> String {
    let cents = micro / 10_000 + u64::from(micro % 10_000 >= 5_000);
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_are_exact_and_cheapest_at_low_volume_for_the_shared_vm() {
        let vm = CostModel::default_for(Custody::SharedVm);
        assert_eq!(vm.total_micro(10_000), Some(5_200 * MICRO));
        assert_eq!(vm.per_device_micro(10_000), Some(520_000));
        assert_eq!(vm.per_device_micro(0), Some(0));
        let own = CostModel::default_for(Custody::CustomerHsm);
        assert!(own.total_micro(1_000) > vm.total_micro(1_000));
        assert!(own.setup_weeks > vm.setup_weeks);
        assert_eq!(
            CostModel {
                setup_micro: u64::MAX,
                per_unit_micro: 1,
                setup_weeks: 0
            }
            .total_micro(5),
            None
        );
        let dear = CostModel {
            setup_micro: 3,
            per_unit_micro: (MAX_EXACT_MICRO - 3) / 4,
            setup_weeks: 0,
        };
        assert_eq!(dear.total_micro(4), Some(MAX_EXACT_MICRO));
        assert_eq!(dear.total_micro(5), None);
        assert_eq!(dear.per_device_micro(5), None);
        // A product that wraps 64 bits is refused too, not wrapped.
        let wraps = CostModel {
            setup_micro: 0,
            per_unit_micro: u64::MAX / 2,
            setup_weeks: 0,
        };
        assert_eq!(wraps.total_micro(3), None);
        assert_eq!(format_amount(1_234_567_890), "1234.57");
        assert_eq!(format_amount(20_000), "0.02");
        assert_eq!(format_amount(0), "0.00");
    }
}
