//! TLV areas: a 4-byte info (`magic u16, total u16` where `total` counts the info
//! itself) followed by type-length-value records (`type u16, len u16, value`), all
//! little-endian.
//!
//! `imgtool` writes the type as one byte and a zero byte (`<BBH`); MCUboot reads a
//! `u16`. We read and write a `u16`: identical for every type below 256, and a
//! non-zero high byte is then a different (unknown) type, as MCUboot sees it.

use super::bytes::u16_at;
use super::error::ImageError;

pub use super::format::{INFO_LEN, RECORD_HEADER_LEN, TlvArea, kind};

/// One record, borrowed from the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub kind: u16,
    /// Offset of the record (its type field) from the image start.
    pub offset: usize,
    pub value: &'a [u8],
}

impl Tlv<'_> {
    /// Bytes the record takes, header included.
    pub fn encoded_len(&self) -> usize {
        RECORD_HEADER_LEN.saturating_add(self.value.len())
    }
}

/// A parsed area: its records and where it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Area<'a> {
    pub records: Vec<Tlv<'a>>,
    /// The `total` of the info.
    pub total: u16,
}

/// Reads an area's info at `start`: its magic and total, unchecked.
pub(super) fn read_info(image: &[u8], start: usize) -> Option<(u16, u16)> {
    let total_offset = start.checked_add(2)?;
    Some((u16_at(image, start)?, u16_at(image, total_offset)?))
}

/// Parses the area starting at `start`. The records must tile the area exactly: a
/// record running past the area's end, or slack after the last one, is refused,
/// because bytes nobody accounts for are where a parser differential hides.
pub(super) fn parse_area(
    image: &[u8],
    start: usize,
    area: TlvArea,
) -> Result<Area<'_>, ImageError> {
    let (magic, total) = read_info(image, start).ok_or(ImageError::Truncated {
        what: "TLV info",
        needed: start.saturating_add(INFO_LEN),
        available: image.len(),
    })?;
    if magic != area.magic() {
        return Err(ImageError::BadTlvInfoMagic {
            area,
            offset: start,
            found: magic,
        });
    }
    if usize::from(total) < INFO_LEN {
        return Err(ImageError::TlvAreaTooSmall { area, total });
    }
    let end = start.saturating_add(usize::from(total));
    let mut records = Vec::new();
    let mut offset = start.saturating_add(INFO_LEN);
    while offset < end {
        let overrun = ImageError::TlvOverrun { area, offset };
        let value_start = offset.saturating_add(RECORD_HEADER_LEN);
        if value_start > end {
            return Err(overrun);
        }
        let (kind, len) = read_info(image, offset).ok_or(ImageError::Truncated {
            what: "TLV record header",
            needed: value_start,
            available: image.len(),
        })?;
        let value_end = value_start.saturating_add(usize::from(len));
        if value_end > end {
            return Err(overrun);
        }
        let value = image
            .get(value_start..value_end)
            .ok_or(ImageError::Truncated {
                what: "TLV value",
                needed: value_end,
                available: image.len(),
            })?;
        records.push(Tlv {
            kind,
            offset,
            value,
        });
        offset = value_end;
    }
    Ok(Area { records, total })
}

/// Builds one area in `imgtool`'s layout.
#[derive(Debug, Clone)]
pub(super) struct AreaWriter {
    area: TlvArea,
    records: Vec<u8>,
}

impl AreaWriter {
    pub fn new(area: TlvArea) -> Self {
        AreaWriter {
            area,
            records: Vec::new(),
        }
    }

    pub fn push(&mut self, kind: u16, value: &[u8]) -> Result<(), ImageError> {
        let len = u16::try_from(value.len()).map_err(|_| ImageError::TlvTooLarge {
            kind,
            len: value.len(),
        })?;
        self.records.extend_from_slice(&kind.to_le_bytes());
        self.records.extend_from_slice(&len.to_le_bytes());
        self.records.extend_from_slice(value);
        Ok(())
    }

    /// The total the info will carry: records plus the info itself.
    pub fn total(&self) -> Result<u16, ImageError> {
        let total = self.records.len().saturating_add(INFO_LEN);
        u16::try_from(total).map_err(|_| ImageError::TlvAreaTooLarge {
            area: self.area,
            len: total,
        })
    }

    /// The encoded area; empty when no record was pushed, as `imgtool` writes no info
    /// for an area without records.
    pub fn finish(self) -> Result<Vec<u8>, ImageError> {
        if self.records.is_empty() {
            return Ok(Vec::new());
        }
        let total = self.total()?;
        let mut out = Vec::with_capacity(usize::from(total));
        out.extend_from_slice(&self.area.magic().to_le_bytes());
        out.extend_from_slice(&total.to_le_bytes());
        out.extend_from_slice(&self.records);
        Ok(out)
    }
}
