//! The MCU's memory map: a small Cortex-M-style part with 64 KiB of NOR flash in 2 KiB
//! sectors, option bytes, and 1024 bits of OTP fuses. All of it is public data-sheet
//! knowledge.

use crate::keystore::{SLOT_SIZE, SLOTS};
use crate::target::{MemoryRegion, RegionKind};

pub const FLASH_BASE: u32 = 0x0800_0000;
pub const FLASH_SIZE: u32 = 0x1_0000;
/// Erase granularity: a sector is the smallest unit that can be returned to 0xff.
pub const SECTOR_SIZE: u32 = 0x800;

/// MCUboot's primary slot: the image the boot ROM starts.
pub const PRIMARY_BASE: u32 = FLASH_BASE;
pub const SLOT_SIZE_BYTES: u32 = 0x6000;
/// MCUboot's secondary slot: where an update waits for the boot ROM's verdict.
pub const SECONDARY_BASE: u32 = PRIMARY_BASE + SLOT_SIZE_BYTES;
pub const CERT_BASE: u32 = 0x0800_c000;
pub const CERT_SIZE: u32 = SECTOR_SIZE;
pub const FW_KEY_BASE: u32 = 0x0800_c800;
pub const FW_KEY_SIZE: u32 = SECTOR_SIZE;
pub const DATA_BASE: u32 = 0x0800_d000;
/// The key store: the last sector, which the secure-region option bit can hide.
pub const KEYSTORE_BASE: u32 = 0x0800_f800;
pub const KEYSTORE_SIZE: u32 = SLOT_SIZE as u32 * SLOTS as u32;
pub const SECURE_REGION_BASE: u32 = KEYSTORE_BASE;
pub const SECURE_REGION_SIZE: u32 = SECTOR_SIZE;

/// Option bytes, STM32-style: byte 0 is the readout-protection level (0xaa level 0,
/// 0xcc level 2, anything else level 1), byte 1 bit 0 enables the secure region.
pub const OPTIONS_BASE: u32 = 0x1fff_c000;
pub const OPTIONS_SIZE: u32 = 16;

pub const OTP_BASE: u32 = 0x1fff_7800;
pub const OTP_SIZE: u32 = 128;
/// OTP bit that, once blown, closes the debug port for good.
pub const OTP_DEBUG_LOCK_BIT: u32 = 0;
/// OTP bit that makes the boot ROM verify images.
pub const OTP_SECURE_BOOT_BIT: u32 = 1;
/// OTP bytes holding the life-cycle state, one bit per transition.
pub const OTP_LIFE_CYCLE_OFFSET: u32 = 4;
/// OTP bytes counting the anti-rollback security counter in unary: value = bits set.
pub const OTP_COUNTER_OFFSET: u32 = 8;
pub const OTP_COUNTER_BYTES: u32 = 16;
/// OTP bytes holding SHA-256 of the firmware key's SubjectPublicKeyInfo: the
/// secure-boot root of trust, as MCUboot's hardware-key mode keeps it.
pub const OTP_ROT_HASH_OFFSET: u32 = 32;
/// SHA-256 of the test-exit token.
pub const OTP_TEST_EXIT_HASH_OFFSET: u32 = 64;
/// SHA-256 of the RMA token.
pub const OTP_RMA_HASH_OFFSET: u32 = 96;

pub const MEMORY_MAP: &[MemoryRegion] = &[
    MemoryRegion {
        name: "flash.primary-slot",
        base: PRIMARY_BASE,
        len: SLOT_SIZE_BYTES,
        kind: RegionKind::Code,
    },
    MemoryRegion {
        name: "flash.secondary-slot",
        base: SECONDARY_BASE,
        len: SLOT_SIZE_BYTES,
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
        name: "flash.data",
        base: DATA_BASE,
        len: KEYSTORE_BASE - DATA_BASE,
        kind: RegionKind::Data,
    },
    MemoryRegion {
        name: "flash.keystore",
        base: KEYSTORE_BASE,
        len: SECURE_REGION_SIZE,
        kind: RegionKind::KeyStore,
    },
    MemoryRegion {
        name: "option-bytes",
        base: OPTIONS_BASE,
        len: OPTIONS_SIZE,
        kind: RegionKind::Options,
    },
    MemoryRegion {
        name: "otp",
        base: OTP_BASE,
        len: OTP_SIZE,
        kind: RegionKind::Otp,
    },
];

/// The sectors `[base, base + len)` covers.
pub fn sectors(base: u32, len: u32) -> std::ops::Range<u32> {
    let first = (base - FLASH_BASE) / SECTOR_SIZE;
    let last = (base - FLASH_BASE + len).div_ceil(SECTOR_SIZE);
    first..last
}

/// How many security-counter values the anti-rollback fuses can record.
pub const COUNTER_CAPACITY: u32 = OTP_COUNTER_BYTES * 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flash_regions_tile_the_flash_in_whole_sectors() {
        let flash: Vec<_> = MEMORY_MAP
            .iter()
            .filter(|r| r.base >= FLASH_BASE && r.base < FLASH_BASE + FLASH_SIZE)
            .collect();
        let mut next = FLASH_BASE;
        for region in flash {
            assert_eq!(region.base, next, "{} does not follow on", region.name);
            assert_eq!(
                region.len % SECTOR_SIZE,
                0,
                "{} splits a sector",
                region.name
            );
            next = region.base + region.len;
        }
        assert_eq!(next, FLASH_BASE + FLASH_SIZE);
        const { assert!(KEYSTORE_SIZE <= SECURE_REGION_SIZE) };
    }

    #[test]
    fn otp_fields_do_not_overlap() {
        let fields = [
            (0, 1),
            (OTP_LIFE_CYCLE_OFFSET, 2),
            (OTP_COUNTER_OFFSET, OTP_COUNTER_BYTES),
            (OTP_ROT_HASH_OFFSET, 32),
            (OTP_TEST_EXIT_HASH_OFFSET, 32),
            (OTP_RMA_HASH_OFFSET, 32),
        ];
        for pair in fields.windows(2) {
            assert!(pair[0].0 + pair[0].1 <= pair[1].0);
        }
        const { assert!(OTP_RMA_HASH_OFFSET + 32 <= OTP_SIZE) };
    }

    #[test]
    fn sector_ranges() {
        assert_eq!(sectors(PRIMARY_BASE, SLOT_SIZE_BYTES), 0..12);
        assert_eq!(sectors(SECONDARY_BASE, SLOT_SIZE_BYTES), 12..24);
        assert_eq!(sectors(KEYSTORE_BASE, SECURE_REGION_SIZE), 31..32);
    }
}
