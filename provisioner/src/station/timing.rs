//! Modelled duration of each station step: programmer and HSM round trips at board
//! level.

use provsim_sim::SimDuration;

pub(super) const CONNECT: SimDuration = SimDuration::from_millis(40);
pub(super) const ATTEST: SimDuration = SimDuration::from_millis(15);
pub(super) const KEYGEN: SimDuration = SimDuration::from_millis(20);
pub(super) const ISSUE: SimDuration = SimDuration::from_millis(8);
pub(super) const INJECT: SimDuration = SimDuration::from_millis(30);
pub(super) const WRITE_CERTIFICATE: SimDuration = SimDuration::from_millis(25);
pub(super) const WRITE_FIRMWARE_KEY: SimDuration = SimDuration::from_millis(15);
pub(super) const TEST_ENTRY: SimDuration = SimDuration::from_millis(5);
pub(super) const TOKENS: SimDuration = SimDuration::from_millis(10);
pub(super) const WRITE_IMAGE: SimDuration = SimDuration::from_millis(120);
pub(super) const TEST_EXIT: SimDuration = SimDuration::from_millis(5);
pub(super) const LOCK: SimDuration = SimDuration::from_millis(10);
pub(super) const VERIFY_LOCK: SimDuration = SimDuration::from_millis(5);
pub(super) const BOOT: SimDuration = SimDuration::from_millis(60);
pub(super) const SCRAP: SimDuration = SimDuration::from_millis(5);
pub(super) const FINAL_TEST: SimDuration = SimDuration::from_millis(200);
