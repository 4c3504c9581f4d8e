use std::fmt;

/// Lower-case hexadecimal of `bytes`, the one spelling reports and traces use.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(2 * bytes.len());
    for &byte in bytes {
        let [high, low] = digits(byte);
        text.push(char::from(high));
        text.push(char::from(low));
    }
    text
}

/// The two lower-case hex digits of `byte`. Every audit record, device record and
/// trace spells digests in hex, so this runs tens of times a device: a table lookup
/// rather than the formatter's `{:02x}` machinery.
fn digits(byte: u8) -> [u8; 2] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    [
        DIGITS[usize::from(byte >> 4)],
        DIGITS[usize::from(byte & 0x0f)],
    ]
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
        // In chunks through a stack buffer: one `write_str` per 32 bytes, not two
        // formatter calls per byte.
        let mut buffer = [0u8; 64];
        for chunk in self.0.chunks(32) {
            for (pair, &byte) in buffer.chunks_exact_mut(2).zip(chunk) {
                pair.copy_from_slice(&digits(byte));
            }
            let text = std::str::from_utf8(&buffer[..2 * chunk.len()]).map_err(|_| fmt::Error)?;
            f.write_str(text)?;
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
    fn the_string_and_the_display_spell_every_byte_as_the_formatter_does() {
        let bytes: Vec<u8> = (0..=255u8).chain(0..=40).collect();
        let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(super::to_hex(&bytes), expected);
        assert_eq!(super::Hex(&bytes).to_string(), expected);
        assert_eq!(super::Hex(&[]).to_string(), "");
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
