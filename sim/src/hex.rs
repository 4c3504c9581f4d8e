use std::fmt;

/// Lower-case hexadecimal of `bytes`, the one spelling reports and traces use.
pub fn to_hex(bytes: &[u8]) -> String {
    Hex(bytes).to_string()
}

/// 32 bytes from exactly 64 lower-case hex digits, the spelling [`to_hex`] writes; any
/// other spelling is refused, so a digest has one written form.
pub fn from_hex32(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Displays a byte slice as lower-case hexadecimal without allocating.
pub struct Hex<'a>(pub &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn spells_lower_case_with_leading_zeros() {
        assert_eq!(super::to_hex(&[0x00, 0x0a, 0xff]), "000aff");
    }

    #[test]
    fn reads_back_only_its_own_spelling() {
        let bytes: [u8; 32] = std::array::from_fn(|i| i as u8 * 7);
        assert_eq!(super::from_hex32(&super::to_hex(&bytes)), Some(bytes));
        assert_eq!(
            super::from_hex32(&super::to_hex(&bytes).to_uppercase()),
            None
        );
        assert_eq!(super::from_hex32("ab"), None);
        assert_eq!(super::from_hex32(&"g".repeat(64)), None);
    }
}
