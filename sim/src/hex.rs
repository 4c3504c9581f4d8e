use std::fmt;

/// Lower-case hexadecimal of `bytes`, the one spelling reports and traces use.
pub fn to_hex(bytes: &[u8]) -> String {
    Hex(bytes).to_string()
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
}
