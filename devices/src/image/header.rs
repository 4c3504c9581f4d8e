//! The fixed 32-byte image header. `hdr_size` may be larger (`imgtool --header-size`):
//! the rest of the header area is padding, covered by the hash like everything else.

use super::bytes::{array_at, u16_at, u32_at};
use super::error::ImageError;
use super::version::ImageVersion;

pub use super::format::{HEADER_LEN, IMAGE_MAGIC, flags};

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
    /// checked; the magic and sizes are judged by `parse`.
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
