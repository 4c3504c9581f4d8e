//! `[mcu]`: what the station configures on an MCU, from which the lock sequence is
//! derived when no `[[lock]]` steps are given (see `lock.rs`).

use serde::Deserialize;
use toml::Spanned;

/// What the station configures on an MCU. The station runs these locks in the one safe
/// order (fuses, then option bytes, then RDP, then the debug-lock fuse); `[[lock]]`
/// steps instead give an order of the author's choosing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McuSection {
    /// `"verified"` (the station blows the secure-boot fuse) or `"unverified"`.
    pub boot: Option<Spanned<Boot>>,
    /// Readout-protection level the station sets: 0, 1 or 2.
    pub rdp: Option<Spanned<u8>>,
    /// Hide the key store from the debugger.
    pub secure_region: Option<Spanned<bool>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Boot {
    Verified,
    Unverified,
}
