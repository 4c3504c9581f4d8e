//! The catalogue of attacks a scenario can name.

use crate::attack::Attack;
use crate::bus_probing::BusProbing;
use crate::co_tenant_memory_scrape::CoTenantMemoryScrape;
use crate::console_firmware_signing::ConsoleFirmwareSigning;
use crate::counterfeit_part::CounterfeitPart;
use crate::cpa_storage_key::CpaStorageKey;
use crate::debug_port_readout::DebugPortReadout;
use crate::foreign_firmware_update::ForeignFirmwareUpdate;
use crate::glitch_debug_readout::GlitchDebugReadout;
use crate::glitch_rollback_check::GlitchRollbackCheck;
use crate::glitch_secure_boot::GlitchSecureBoot;
use crate::identity_cloning::IdentityCloning;
use crate::link_man_in_the_middle::LinkManInTheMiddle;
use crate::operator_console_certificate::OperatorConsoleCertificate;
use crate::overproduction::Overproduction;
use crate::puf_helper_data::PufHelperData;
use crate::rdp_downgrade::RdpDowngrade;
use crate::returned_part_resale::ReturnedPartResale;
use crate::rollback_older_image::RollbackOlderImage;
use crate::scrap_bin_recovery::ScrapBinRecovery;
use crate::se_apdu_glitch::SeApduGlitch;
use crate::se_apdu_replay::SeApduReplay;
use crate::se_instruction_scan::SeInstructionScan;
use crate::test_mode_reentry::TestModeReentry;
use crate::vault_backup_theft::VaultBackupTheft;

static CATALOGUE: &[&dyn Attack] = &[
    &BusProbing,
    &CoTenantMemoryScrape,
    &ConsoleFirmwareSigning,
    &CounterfeitPart,
    &CpaStorageKey,
    &DebugPortReadout,
    &ForeignFirmwareUpdate,
    &GlitchDebugReadout,
    &GlitchRollbackCheck,
    &GlitchSecureBoot,
    &IdentityCloning,
    &LinkManInTheMiddle,
    &OperatorConsoleCertificate,
    &Overproduction,
    &PufHelperData,
    &RdpDowngrade,
    &ReturnedPartResale,
    &RollbackOlderImage,
    &ScrapBinRecovery,
    &SeApduGlitch,
    &SeApduReplay,
    &SeInstructionScan,
    &TestModeReentry,
    &VaultBackupTheft,
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

    /// Every attack has a ladder on every kind it can act on, its labels unique (a
    /// scenario pins a rung by label), sorted by rated total.
    #[test]
    fn every_attack_has_a_rated_ladder_with_unique_labels() {
        for attack in catalogue() {
            assert!(!attack.title().is_empty());
            for kind in [TargetKind::Mcu, TargetKind::Asic, TargetKind::Se] {
                let ladder = crate::ladder(*attack, kind);
                assert!(!ladder.is_empty(), "{} on {kind:?}", attack.id());
                let mut labels: Vec<_> = ladder.iter().map(|r| r.rung.label.clone()).collect();
                labels.sort();
                labels.dedup();
                assert_eq!(labels.len(), ladder.len(), "{}", attack.id());
                let totals: Vec<_> = ladder.iter().map(|r| r.planned.cost()).collect();
                assert!(totals.windows(2).all(|w| w[0] <= w[1]));
                assert!(ladder.iter().all(|r| !r.planned.reasons.elapsed.is_empty()));
            }
        }
    }
}
