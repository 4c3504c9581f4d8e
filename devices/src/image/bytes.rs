//! Little-endian field readers over untrusted bytes: `None` instead of a panic when
//! the field would run past the end, so a short or lying image becomes an error.

/// The `N` bytes at `offset`, if they are all there.
pub(super) fn array_at<const N: usize>(bytes: &[u8], offset: usize) -> Option<[u8; N]> {
    let end = offset.checked_add(N)?;
    bytes.get(offset..end)?.try_into().ok()
}

pub(super) fn u16_at(bytes: &[u8], offset: usize) -> Option<u16> {
    array_at(bytes, offset).map(u16::from_le_bytes)
}

pub(super) fn u32_at(bytes: &[u8], offset: usize) -> Option<u32> {
    array_at(bytes, offset).map(u32::from_le_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_little_endian_and_refuses_short_input() {
        let bytes = [0x3d, 0xb8, 0xf3, 0x96, 0x07];
        assert_eq!(u32_at(&bytes, 0), Some(0x96f3_b83d));
        assert_eq!(u16_at(&bytes, 3), Some(0x0796));
        assert_eq!(u16_at(&bytes, 4), None);
        assert_eq!(u32_at(&bytes, usize::MAX), None);
    }
}
