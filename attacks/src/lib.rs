//! provsim's attackers.
//!
//! An [`Attack`] acts only through the interfaces an attacker really has (a device's
//! debug port or update path, the site's shared host or operator console: see
//! [`Surface`]) and puts whatever it obtains into the
//! attacker's [`Knowledge`]. It never reads a model's fields and never declares that a
//! claim is broken: the claims' oracles decide that from ground truth and knowledge.
//!
//! No attack carries points. Each has an effort ladder ([`Attack::rungs`]); each rung
//! run records what it spent ([`effort::Effort`]), and one function,
//! [`effort::rate`], turns that into the Common Criteria attack potential
//! ([`potential`]): the CEM factors with a reason each, from which the total, the
//! rating and the AVA_VAN consequences follow.
//!
//! This crate knows nothing of claims or files.
#![forbid(unsafe_code)]

mod apdu;
mod attack;
mod bus_probing;
mod catalogue;
mod co_tenant_memory_scrape;
mod console_firmware_signing;
mod counterfeit_die;
mod counterfeit_part;
pub mod cpa;
mod cpa_storage_key;
mod debug_port_readout;
mod eal;
pub mod effort;
mod foreign_firmware_update;
pub mod gain;
mod glitch_debug_readout;
mod glitch_rollback_check;
mod glitch_secure_boot;
mod glitching;
mod identity_cloning;
pub mod jil;
mod knowledge;
mod link_man_in_the_middle;
mod minting;
mod operator_console_certificate;
mod outcome;
mod overproduction;
pub mod potential;
mod published;
mod puf_helper_data;
mod rdp_downgrade;
mod readout;
mod returned_part_resale;
mod rollback_older_image;
mod scrap_bin_recovery;
mod se_apdu_glitch;
mod se_apdu_replay;
mod se_instruction_scan;
mod test_mode_reentry;
mod vault_backup_theft;

pub use attack::{Attack, Phase, Position, RatedRung, Surface, ladder};
pub use bus_probing::BusProbing;
pub use catalogue::{catalogue, find};
pub use co_tenant_memory_scrape::CoTenantMemoryScrape;
pub use console_firmware_signing::ConsoleFirmwareSigning;
pub use counterfeit_part::CounterfeitPart;
pub use cpa_storage_key::CpaStorageKey;
pub use debug_port_readout::DebugPortReadout;
pub use eal::{Eal, ResistanceError, parse_resistance};
pub use foreign_firmware_update::ForeignFirmwareUpdate;
pub use gain::Gain;
pub use glitch_debug_readout::GlitchDebugReadout;
pub use glitch_rollback_check::GlitchRollbackCheck;
pub use glitch_secure_boot::GlitchSecureBoot;
pub use identity_cloning::IdentityCloning;
pub use knowledge::{Knowledge, Material, MaterialKind};
pub use link_man_in_the_middle::LinkManInTheMiddle;
pub use operator_console_certificate::OperatorConsoleCertificate;
pub use outcome::Outcome;
pub use overproduction::Overproduction;
pub use potential::{AttackPotential, AvaVan, Rating};
pub use puf_helper_data::PufHelperData;
pub use rdp_downgrade::RdpDowngrade;
pub use returned_part_resale::ReturnedPartResale;
pub use rollback_older_image::RollbackOlderImage;
pub use scrap_bin_recovery::ScrapBinRecovery;
pub use se_apdu_glitch::SeApduGlitch;
pub use se_apdu_replay::SeApduReplay;
pub use se_instruction_scan::SeInstructionScan;
pub use test_mode_reentry::TestModeReentry;
pub use vault_backup_theft::VaultBackupTheft;
