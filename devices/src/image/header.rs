//! The fixed 32-byte image header. `hdr_size` may be larger (`imgtool --header-size`):
//! the rest of the header area is padding, covered by the hash like everything else.

use super::bytes::{array_at, u16_at, u32_at};
use super::error::ImageError;
use super::version::ImageVersion;

/// The header's first word; anything else is not an MCUboot image.
pub const IMAGE_MAGIC: u32 = 0x96f3_b83d;
/// Bytes of the header structure; `hdr_size` is never smaller.
pub const HEADER_LEN: usize = 32;

/// Header flag bits, as `imgtool` sets them.
pub mod flags {
    /// Position-independent code. Obsolete; MCUboot never acted on it.
    pub const PIC: u32 = 0x0000_0001;
    pub const ENCRYPTED_AES128: u32 = 0x0000_0004;
    pub const ENCRYPTED_AES256: u32 = 0x0000_0008;
    pub const NON_BOOTABLE: u32 = 0x0000_0010;
    /// Set by `imgtool` whenever a non-zero load address is given.
    pub const RAM_LOAD: u32 = 0x0000_0020;
    pub const ROM_FIXED: u32 = 0x0000_0100;
    pub const COMPRESSED_LZMA1: u32 = 0x0000_0200;
    pub const COMPRESSED_LZMA2: u32 = 0x0000_0400;
    pub const COMPRESSED_ARM_THUMB: u32 = 0x0000_0800;

    /// Flags this simulator's boot ROM can honour. None: it boots plain, in-place,
    /// unencrypted, uncompressed images, and a flag it does not implement must not be
    /// silently ignored (an encrypted body hashed as plaintext would never run right).
    pub const SUPPORTED: u32 = 0;

    /// Names of the flags set in `bits`, unknown bits as hex, for error messages.
    pub fn describe(bits: u32) -> String {
        const NAMES: [(u32, &str); 9] = [
            (PIC, "PIC"),
            (ENCRYPTED_AES128, "ENCRYPTED_AES128"),
            (ENCRYPTED_AES256, "ENCRYPTED_AES256"),
            (NON_BOOTABLE, "NON_BOOTABLE"),
            (RAM_LOAD, "RAM_LOAD"),
            (ROM_FIXED, "ROM_FIXED"),
            (COMPRESSED_LZMA1, "COMPRESSED_LZMA1"),
            (COMPRESSED_LZMA2, "COMPRESSED_LZMA2"),
            (COMPRESSED_ARM_THUMB, "COMPRESSED_ARM_THUMB"),
        ];
        let mut names: Vec<String> = NAMES
            .iter()
            .filter(|(bit, _)| bits & bit != 0)
            .map(|(_, name)| (*name).to_owned())
            .collect();
        let known = NAMES.iter().fold(0, |acc, (bit, _)| acc | bit);
        if bits & !known != 0 {
            names.push(format!("unknown {:#x}", bits & !known));
        }
        names.join(" | ")
    }
}

/// The header fields, in on-flash order (all little-endian).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageHeader {
    pub magic: u32,
    /// Where a RAM-load image is copied to; 0 for images run in place.
    pub load_addr: u32,
    /// Bytes from the image start to the body (the header plus its padding).
    pub hdr_size: u16,
    /// Bytes of the protected TLV area including its 4-byte info; 0 when absent.
    pub protect_tlv_size: u16,
    /// Bytes of the body, excluding the header.
    pub img_size: u32,
    pub flags: u32,
    pub version: ImageVersion,
    /// Reserved; `imgtool` writes 0. Hashed like the rest, never interpreted.
    pub pad: u32,
}

impl ImageHeader {
    /// Reads the header structure from the start of `bytes`. Only the length is
    /// checked; the magic and sizes are judged by [`parse`](super::parse()).
    pub fn decode(bytes: &[u8]) -> Result<Self, ImageError> {
        let truncated = || ImageError::Truncated {
            what: "image header",
            needed: HEADER_LEN,
            available: bytes.len(),
        };
        let read32 = |offset| u32_at(bytes, offset).ok_or_else(truncated);
        let read16 = |offset| u16_at(bytes, offset).ok_or_else(truncated);
        Ok(ImageHeader {
            magic: read32(0)?,
            load_addr: read32(4)?,
            hdr_size: read16(8)?,
            protect_tlv_size: read16(10)?,
            img_size: read32(12)?,
            flags: read32(16)?,
            version: ImageVersion::from_bytes(array_at(bytes, 20).ok_or_else(truncated)?),
            pad: read32(28)?,
        })
    }

    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = Vec::with_capacity(HEADER_LEN);
        out.extend_from_slice(&self.magic.to_le_bytes());
        out.extend_from_slice(&self.load_addr.to_le_bytes());
        out.extend_from_slice(&self.hdr_size.to_le_bytes());
        out.extend_from_slice(&self.protect_tlv_size.to_le_bytes());
        out.extend_from_slice(&self.img_size.to_le_bytes());
        out.extend_from_slice(&self.flags.to_le_bytes());
        out.extend_from_slice(&self.version.to_bytes());
        out.extend_from_slice(&self.pad.to_le_bytes());
        let mut header = [0u8; HEADER_LEN];
        for (dst, src) in header.iter_mut().zip(out) {
            *dst = src;
        }
        header
    }

    /// The flag bits set that this simulator does not support.
    pub fn unsupported_flags(&self) -> u32 {
        self.flags & !flags::SUPPORTED
    }
}
