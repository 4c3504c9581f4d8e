//! Why an image was refused or could not be built. Messages name the rule broken and
//! the values involved, so a report reader can tell a corrupted image from a forged
//! one without a hex dump.

use super::format::{HEADER_LEN, IMAGE_MAGIC, TlvArea, flags, kind};
use crate::fault::FaultPoint;
use provsim_sim::Hex;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error(
        "invalid version {text:?}: {reason} (expected maj.min.rev+build, later parts optional)"
    )]
    InvalidVersion { text: String, reason: &'static str },

    #[error("image truncated: the {what} needs {needed} bytes, only {available} are there")]
    Truncated {
        what: &'static str,
        needed: usize,
        available: usize,
    },

    #[error("not an MCUboot image: magic {found:#010x}, expected {IMAGE_MAGIC:#010x}")]
    BadMagic { found: u32 },

    #[error("header size {hdr_size} is smaller than the {HEADER_LEN}-byte image header")]
    HeaderTooSmall { hdr_size: u16 },

    #[error("image runs past the end of its slot: it ends at byte {end}, the slot holds {slot}")]
    ExceedsSlot { end: usize, slot: usize },

    #[error(
        "{area} TLV area at offset {offset:#x} starts with magic {found:#06x}, expected {:#06x}",
        .area.magic()
    )]
    BadTlvInfoMagic {
        area: TlvArea,
        offset: usize,
        found: u16,
    },

    #[error(
        "the header declares a {header}-byte protected TLV area but the area's info says {info}"
    )]
    ProtectedSizeMismatch { header: u16, info: u16 },

    #[error("{area} TLV area total {total} is smaller than its own 4-byte info")]
    TlvAreaTooSmall { area: TlvArea, total: u16 },

    #[error("{area} TLV record at offset {offset:#x} runs past the end of its area")]
    TlvOverrun { area: TlvArea, offset: usize },

    #[error("image flags {flags:#x} ({}) are not supported: only plain in-place images boot", flags::describe(*.flags))]
    UnsupportedFlags { flags: u32 },

    #[error("image has no {} TLV", kind_name(*.kind))]
    MissingTlv { kind: u16 },

    #[error("image has more than one {} TLV in its {area} area", kind_name(*.kind))]
    DuplicateTlv { kind: u16, area: TlvArea },

    #[error("{} TLV is not allowed in the {area} TLV area", kind_name(*.kind))]
    MisplacedTlv { kind: u16, area: TlvArea },

    #[error("{} TLV is {len} bytes long, expected {expected}", kind_name(*.kind))]
    BadTlvLength {
        kind: u16,
        len: usize,
        expected: usize,
    },

    #[error("image hash does not match the SHA256 TLV (computed {}, TLV holds {})", Hex(.computed), Hex(.stored))]
    HashMismatch {
        computed: [u8; 32],
        stored: [u8; 32],
    },

    #[error("image signed by a different key (key hash {}, expected {})", Hex(.found), Hex(.expected))]
    KeyHashMismatch { found: [u8; 32], expected: [u8; 32] },

    #[error("no KEYHASH TLV precedes the ECDSA signature: the image does not name its signing key")]
    NoKeyHashForSignature,

    #[error("ECDSA signature TLV is malformed: {reason}")]
    MalformedSignature { reason: &'static str },

    #[error("ECDSA signature does not verify under the expected key")]
    BadSignature,

    #[error("check {at} failed although its condition held (an injected fault)")]
    FaultInjected { at: FaultPoint },

    #[error("body of {len} bytes does not fit the header's 32-bit size field")]
    BodyTooLarge { len: usize },

    #[error(
        "load address {load_addr:#010x}: imgtool marks any non-zero load address RAM_LOAD, \
         which this boot ROM does not support (use 0)"
    )]
    UnsupportedLoadAddress { load_addr: u32 },

    #[error("TLV {kind:#06x} value of {len} bytes does not fit its 16-bit length field")]
    TlvTooLarge { kind: u16, len: usize },

    #[error("{area} TLV area of {len} bytes does not fit its 16-bit total field")]
    TlvAreaTooLarge { area: TlvArea, len: usize },
}

/// `imgtool`'s name for a type, or its number.
fn kind_name(value: u16) -> String {
    match kind::name(value) {
        Some(name) => name.to_owned(),
        None => format!("{value:#06x}"),
    }
}
