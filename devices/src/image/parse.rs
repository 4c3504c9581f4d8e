//! Structure only: where the header, body and TLV areas lie, and that they lie inside
//! the slot. No hashing and no signatures (see `verify`): a boot ROM
//! with secure boot off still parses, and so does a tool that inspects an image.

use super::error::ImageError;
use super::gate::enforce;
use super::header::{HEADER_LEN, IMAGE_MAGIC, ImageHeader};
use super::tlv::{self, INFO_LEN, Tlv, TlvArea, kind};
use crate::fault::{FaultGate, FaultPoint};

/// An image whose layout has been checked, borrowing from the slot it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedImage<'a> {
    pub header: ImageHeader,
    /// `img_size` bytes at offset `hdr_size`.
    pub body: &'a [u8],
    /// Records of the protected area, in order; empty when there is none.
    pub protected: Vec<Tlv<'a>>,
    /// Records of the unprotected area, in order.
    pub unprotected: Vec<Tlv<'a>>,
    /// Header, body and protected area: what the SHA256 TLV hashes and the signature
    /// covers.
    pub signed_region: &'a [u8],
    /// Bytes of the whole image, unprotected TLVs included. Anything after it in the
    /// slot (erased flash, a trailer) is not part of the image.
    pub len: usize,
}

impl<'a> ParsedImage<'a> {
    /// The protected SEC_CNT, if there is exactly one and it is 4 bytes long. For an
    /// unverified boot's report; `verify` applies the strict rules.
    pub fn security_counter(&self) -> Option<u32> {
        let mut counters = self.protected.iter().filter(|t| t.kind == kind::SEC_CNT);
        let first = counters.next()?;
        if counters.next().is_some() {
            return None;
        }
        let bytes: [u8; 4] = first.value.try_into().ok()?;
        Some(u32::from_le_bytes(bytes))
    }

    /// Every record with the area it came from, protected first.
    pub fn records(&self) -> impl Iterator<Item = (TlvArea, &Tlv<'a>)> {
        let protected = self.protected.iter().map(|t| (TlvArea::Protected, t));
        let unprotected = self.unprotected.iter().map(|t| (TlvArea::Unprotected, t));
        protected.chain(unprotected)
    }
}

/// Where the areas lie according to the header, before anything is read from them.
struct Layout {
    body_start: usize,
    body_end: usize,
    /// End of the protected area, i.e. of the hashed region.
    signed_end: usize,
}

impl Layout {
    fn of(header: &ImageHeader) -> Option<Self> {
        let body_start = usize::from(header.hdr_size);
        let body_end = body_start.checked_add(usize::try_from(header.img_size).ok()?)?;
        let signed_end = body_end.checked_add(usize::from(header.protect_tlv_size))?;
        Some(Layout {
            body_start,
            body_end,
            signed_end,
        })
    }
}

/// Parses the image at the start of `bytes` (a whole slot may be passed; trailing bytes
/// are ignored and `len` says where the image ends).
///
/// Two checks go through `gate`, as a boot ROM's would: the header magic
/// ([`FaultPoint::ImageMagic`]) and the layout lying inside the slot with a header no
/// smaller than its structure ([`FaultPoint::ImageBounds`]). A glitched bounds check lets
/// a too-small `hdr_size` through, but cannot make the slot longer: bytes that are not
/// there are still reported as [`ImageError::Truncated`].
///
/// Like MCUboot's TLV iterator, the protected area must be present exactly when the
/// header's `protect_tlv_size` is non-zero and its info must agree with it. Stricter
/// than MCUboot, the records of each area must fill it exactly.
pub fn parse<'a>(bytes: &'a [u8], gate: &mut dyn FaultGate) -> Result<ParsedImage<'a>, ImageError> {
    let header = ImageHeader::decode(bytes)?;
    let magic = if header.magic == IMAGE_MAGIC {
        Ok(())
    } else {
        Err(ImageError::BadMagic {
            found: header.magic,
        })
    };
    enforce(gate, FaultPoint::ImageMagic, magic)?;

    let layout = Layout::of(&header).ok_or(ImageError::ExceedsSlot {
        end: usize::MAX,
        slot: bytes.len(),
    })?;
    // The image ends where the unprotected area's info says; if that info lies beyond
    // the slot the image claims at least the info itself.
    let end = match tlv::read_info(bytes, layout.signed_end) {
        Some((_, total)) => layout.signed_end.checked_add(usize::from(total)),
        None => layout.signed_end.checked_add(INFO_LEN),
    }
    .unwrap_or(usize::MAX);
    let bounds = if usize::from(header.hdr_size) < HEADER_LEN {
        Err(ImageError::HeaderTooSmall {
            hdr_size: header.hdr_size,
        })
    } else if end > bytes.len() {
        Err(ImageError::ExceedsSlot {
            end,
            slot: bytes.len(),
        })
    } else {
        Ok(())
    };
    enforce(gate, FaultPoint::ImageBounds, bounds)?;

    let body = bytes
        .get(layout.body_start..layout.body_end)
        .ok_or(ImageError::Truncated {
            what: "image body",
            needed: layout.body_end,
            available: bytes.len(),
        })?;

    // MCUboot's rule: a protected area is there exactly when the header accounts for
    // it, with the size the header gives; records the header does not account for would
    // lie outside the hash. Judged before walking the area, so a disagreement is
    // reported as one.
    if let Some((magic, info)) = tlv::read_info(bytes, layout.body_end)
        && magic == TlvArea::Protected.magic()
        && info != header.protect_tlv_size
    {
        return Err(ImageError::ProtectedSizeMismatch {
            header: header.protect_tlv_size,
            info,
        });
    }
    let protected = if header.protect_tlv_size == 0 {
        Vec::new()
    } else {
        tlv::parse_area(bytes, layout.body_end, TlvArea::Protected)?.records
    };

    let unprotected = tlv::parse_area(bytes, layout.signed_end, TlvArea::Unprotected)?;
    let signed_region = bytes
        .get(..layout.signed_end)
        .ok_or(ImageError::Truncated {
            what: "signed region",
            needed: layout.signed_end,
            available: bytes.len(),
        })?;
    Ok(ParsedImage {
        header,
        body,
        protected,
        unprotected: unprotected.records,
        signed_region,
        len: layout
            .signed_end
            .saturating_add(usize::from(unprotected.total)),
    })
}
