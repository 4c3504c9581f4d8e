//! Option bytes: the protection settings the chip reads at reset. They live in flash, so
//! they can be rewritten, but the chip guards the rewrite: leaving readout-protection
//! level 1 for level 0 erases all flash first, and level 2 freezes them for good.

/// STM32-style readout protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rdp {
    /// Open: a debugger reads and writes everything.
    Level0,
    /// A debugger attaches but cannot read or program flash; going back to level 0
    /// mass-erases the flash.
    Level1,
    /// Debug is disabled for good and the option bytes are frozen.
    Level2,
}

impl Rdp {
    /// The option byte's encoding: only two patterns mean "not level 1", so a corrupted
    /// byte fails safe to level 1.
    pub fn from_byte(byte: u8) -> Self {
        match byte {
            0xaa => Rdp::Level0,
            0xcc => Rdp::Level2,
            _ => Rdp::Level1,
        }
    }

    pub fn to_byte(self) -> u8 {
        match self {
            Rdp::Level0 => 0xaa,
            Rdp::Level1 => 0xbb,
            Rdp::Level2 => 0xcc,
        }
    }

    pub fn from_level(level: u8) -> Option<Self> {
        match level {
            0 => Some(Rdp::Level0),
            1 => Some(Rdp::Level1),
            2 => Some(Rdp::Level2),
            _ => None,
        }
    }

    pub fn level(self) -> u8 {
        match self {
            Rdp::Level0 => 0,
            Rdp::Level1 => 1,
            Rdp::Level2 => 2,
        }
    }
}

/// The decoded option bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionBytes {
    pub rdp: Rdp,
    /// The key store's sector is readable by the boot ROM only.
    pub secure_region: bool,
}

impl OptionBytes {
    /// As shipped from the fab: level 0, no secure region.
    pub const FACTORY: OptionBytes = OptionBytes {
        rdp: Rdp::Level0,
        secure_region: false,
    };

    pub fn encode(self) -> [u8; 16] {
        let mut bytes = [0xff; 16];
        bytes[0] = self.rdp.to_byte();
        // Stored inverted so the erased state (0xff) means "off".
        bytes[1] = if self.secure_region { 0xfe } else { 0xff };
        bytes
    }

    pub fn decode(bytes: &[u8; 16]) -> Self {
        OptionBytes {
            rdp: Rdp::from_byte(bytes[0]),
            secure_region: bytes[1] & 1 == 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn encodings_round_trip() {
        for rdp in [Rdp::Level0, Rdp::Level1, Rdp::Level2] {
            for secure_region in [false, true] {
                let options = OptionBytes { rdp, secure_region };
                assert_eq!(OptionBytes::decode(&options.encode()), options);
            }
            assert_eq!(Rdp::from_level(rdp.level()), Some(rdp));
        }
        assert_eq!(Rdp::from_level(3), None);
    }

    proptest! {
        /// Any byte but the two exact patterns reads as level 1: corruption never opens
        /// the part, and never makes it permanent either.
        #[test]
        fn corrupted_rdp_bytes_fail_safe_to_level_1(byte in any::<u8>()) {
            let expected = match byte { 0xaa => Rdp::Level0, 0xcc => Rdp::Level2, _ => Rdp::Level1 };
            prop_assert_eq!(Rdp::from_byte(byte), expected);
        }
    }
}
