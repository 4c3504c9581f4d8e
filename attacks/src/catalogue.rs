//! The catalogue of attacks a scenario can name.

use crate::attack::Attack;
use crate::co_tenant_memory_scrape::CoTenantMemoryScrape;
use crate::cpa_storage_key::CpaStorageKey;
use crate::debug_port_readout::DebugPortReadout;
use crate::foreign_firmware_update::ForeignFirmwareUpdate;
use crate::glitch_debug_readout::GlitchDebugReadout;
use crate::operator_console_certificate::OperatorConsoleCertificate;

static CATALOGUE: &[&dyn Attack] = &[
    &CoTenantMemoryScrape,
    &CpaStorageKey,
    &DebugPortReadout,
    &ForeignFirmwareUpdate,
    &GlitchDebugReadout,
    &OperatorConsoleCertificate,
];

/// Every attack provsim knows, in id order.
pub fn catalogue() -> &'static [&'static dyn Attack] {
    CATALOGUE
}

/// The attack with `id`.
pub fn find(id: &str) -> Option<&'static dyn Attack> {
    CATALOGUE.iter().copied().find(|attack| attack.id() == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_devices::TargetKind;

    #[test]
    fn ids_are_unique_sorted_and_found() {
        let ids: Vec<_> = catalogue().iter().map(|a| a.id()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        for id in ids {
            assert_eq!(find(id).map(|a| a.id()), Some(id));
        }
        assert!(find("no-such-attack").is_none());
    }

    #[test]
    fn every_attack_has_a_rated_potential_with_a_rationale() {
        for attack in catalogue() {
            let potential = attack.potential(TargetKind::Mcu);
            assert!(!potential.rationale.is_empty(), "{}", attack.id());
            assert!(!attack.title().is_empty());
        }
    }
}
