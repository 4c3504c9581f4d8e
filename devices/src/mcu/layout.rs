//! The MCU's memory map: a small Cortex-M-style part with 16 KiB of NOR flash and
//! 512 bits of OTP fuses.

use crate::keystore::{SLOT_SIZE, SLOTS};
use crate::target::{MemoryRegion, RegionKind};

pub const FLASH_BASE: u32 = 0x0800_0000;
pub const FLASH_SIZE: u32 = 0x4000;
pub const APP_BASE: u32 = FLASH_BASE;
pub const CERT_BASE: u32 = 0x0800_3000;
pub const CERT_SIZE: u32 = 0x800;
pub const FW_KEY_BASE: u32 = 0x0800_3800;
pub const FW_KEY_SIZE: u32 = 0x400;
pub const KEYSTORE_BASE: u32 = 0x0800_3c00;
pub const KEYSTORE_SIZE: u32 = SLOT_SIZE as u32 * SLOTS as u32;

pub const OTP_BASE: u32 = 0x1fff_7800;
pub const OTP_SIZE: u32 = 64;
/// OTP bit that, once blown, closes the debug port for good.
pub const OTP_DEBUG_LOCK_BIT: u32 = 0;
/// OTP bytes holding SHA-256 of the firmware-verification key (secure-boot root of trust).
pub const OTP_ROT_HASH_OFFSET: u32 = 32;

pub const MEMORY_MAP: &[MemoryRegion] = &[
    MemoryRegion {
        name: "flash.app",
        base: APP_BASE,
        len: CERT_BASE - APP_BASE,
        kind: RegionKind::Code,
    },
    MemoryRegion {
        name: "flash.certificates",
        base: CERT_BASE,
        len: CERT_SIZE,
        kind: RegionKind::Data,
    },
    MemoryRegion {
        name: "flash.firmware-key",
        base: FW_KEY_BASE,
        len: FW_KEY_SIZE,
        kind: RegionKind::Data,
    },
    MemoryRegion {
        name: "flash.keystore",
        base: KEYSTORE_BASE,
        len: KEYSTORE_SIZE,
        kind: RegionKind::KeyStore,
    },
    MemoryRegion {
        name: "otp",
        base: OTP_BASE,
        len: OTP_SIZE,
        kind: RegionKind::Otp,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flash_regions_tile_the_flash_without_overlap() {
        let flash: Vec<_> = MEMORY_MAP
            .iter()
            .filter(|r| r.kind != RegionKind::Otp)
            .collect();
        let mut next = FLASH_BASE;
        for region in flash {
            assert_eq!(region.base, next, "{} does not follow on", region.name);
            next = region.base + region.len;
        }
        assert_eq!(next, FLASH_BASE + FLASH_SIZE);
    }
}
