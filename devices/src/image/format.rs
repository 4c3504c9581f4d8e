//! The MCUboot image format's fixed vocabulary: the header's magic, length and flag
//! bits, and the TLV areas' magics and record types. A leaf, so the parser, the
//! builder and the error messages all name the same numbers without importing each
//! other.

use std::fmt;

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

/// Record types this crate knows, with `imgtool`'s names.
pub mod kind {
    /// SHA-256 of the signer's public key (DER SubjectPublicKeyInfo).
    pub const KEYHASH: u16 = 0x01;
    /// The signer's full public key (`imgtool --public-key-format full`); not used
    /// here: the boot ROM names its key by hash.
    pub const PUBKEY: u16 = 0x02;
    /// SHA-256 of header, body and protected TLV area.
    pub const SHA256: u16 = 0x10;
    /// DER ECDSA-Sig-Value over that SHA-256.
    pub const ECDSA_SIG: u16 = 0x22;
    /// The anti-rollback security counter, u32 LE; only meaningful when protected.
    pub const SEC_CNT: u16 = 0x50;

    /// `imgtool`'s name for a type, or `None` if this crate does not know it.
    pub fn name(kind: u16) -> Option<&'static str> {
        match kind {
            KEYHASH => Some("KEYHASH"),
            PUBKEY => Some("PUBKEY"),
            SHA256 => Some("SHA256"),
            ECDSA_SIG => Some("ECDSASIG"),
            SEC_CNT => Some("SEC_CNT"),
            _ => None,
        }
    }
}

/// Bytes of an area's info and of a record's type-and-length.
pub const INFO_LEN: usize = 4;
pub const RECORD_HEADER_LEN: usize = 4;

/// Which of the two TLV areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TlvArea {
    /// Covered by the hash and the signature.
    Protected,
    /// After the hashed region: holds the hash, key hash and signature themselves.
    Unprotected,
}

impl TlvArea {
    /// The info magic that opens the area.
    pub const fn magic(self) -> u16 {
        match self {
            TlvArea::Protected => 0x6908,
            TlvArea::Unprotected => 0x6907,
        }
    }
}

impl fmt::Display for TlvArea {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlvArea::Protected => "protected",
            TlvArea::Unprotected => "unprotected",
        })
    }
}
