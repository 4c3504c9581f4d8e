//! The image version: `major.minor.revision+build`, as `imgtool --version` takes it and
//! the header stores it.

use super::error::ImageError;
use std::fmt;

/// An image's version. Ordered field by field (major first), the order MCUboot
/// compares versions in when it has to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ImageVersion {
    pub major: u8,
    pub minor: u8,
    pub revision: u16,
    pub build: u32,
}

impl ImageVersion {
    /// Bytes the version takes in the header.
    pub const ENCODED_LEN: usize = 8;

    pub const fn new(major: u8, minor: u8, revision: u16, build: u32) -> Self {
        ImageVersion {
            major,
            minor,
            revision,
            build,
        }
    }

    /// Parses a version the way `imgtool` does: `maj[.min[.rev[+build]]]`, decimal
    /// numbers without leading zeros, missing parts zero. A build number is only
    /// accepted after all three dotted parts, as in `imgtool`. Numbers too large for
    /// their header field are refused here rather than failing later.
    pub fn parse(text: &str) -> Result<Self, ImageError> {
        let invalid = |reason: &'static str| ImageError::InvalidVersion {
            text: text.to_owned(),
            reason,
        };
        let (dotted, build) = match text.split_once('+') {
            Some((dotted, build)) => (dotted, Some(build)),
            None => (text, None),
        };
        let parts: Vec<&str> = dotted.split('.').collect();
        if parts.len() > 3 {
            return Err(invalid("more than three dotted parts"));
        }
        if build.is_some() && parts.len() != 3 {
            return Err(invalid("a +build number needs all of major.minor.revision"));
        }
        let mut numbers = [0u64; 3];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            *slot = decimal(part).ok_or_else(|| invalid(NUMBER_RULE))?;
        }
        let build = match build {
            Some(part) => decimal(part).ok_or_else(|| invalid(NUMBER_RULE))?,
            None => 0,
        };
        let [major, minor, revision] = numbers;
        Ok(ImageVersion {
            major: u8::try_from(major).map_err(|_| invalid("major above 255"))?,
            minor: u8::try_from(minor).map_err(|_| invalid("minor above 255"))?,
            revision: u16::try_from(revision).map_err(|_| invalid("revision above 65535"))?,
            build: u32::try_from(build).map_err(|_| invalid("build above 4294967295"))?,
        })
    }

    /// The security counter `imgtool --security-counter auto` derives from the version:
    /// `major << 24 | minor << 16 | revision` (the build number does not count).
    pub fn auto_security_counter(&self) -> u32 {
        (u32::from(self.major) << 24) | (u32::from(self.minor) << 16) | u32::from(self.revision)
    }

    /// The header encoding: major, minor, revision (u16 LE), build (u32 LE).
    pub fn to_bytes(&self) -> [u8; Self::ENCODED_LEN] {
        let mut out = [0u8; Self::ENCODED_LEN];
        let revision = self.revision.to_le_bytes();
        let build = self.build.to_le_bytes();
        let fields = [self.major, self.minor]
            .into_iter()
            .chain(revision)
            .chain(build);
        for (dst, src) in out.iter_mut().zip(fields) {
            *dst = src;
        }
        out
    }

    pub fn from_bytes(bytes: [u8; Self::ENCODED_LEN]) -> Self {
        let [major, minor, r0, r1, b0, b1, b2, b3] = bytes;
        ImageVersion {
            major,
            minor,
            revision: u16::from_le_bytes([r0, r1]),
            build: u32::from_le_bytes([b0, b1, b2, b3]),
        }
    }
}

const NUMBER_RULE: &str = "each part must be a decimal number without leading zeros";

/// A decimal number as `imgtool`'s version pattern accepts it: `0`, or ASCII digits not
/// starting with `0`. `None` for anything else, including overflow of `u64`.
fn decimal(text: &str) -> Option<u64> {
    let digits_only = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = text.len() > 1 && text.starts_with('0');
    if !digits_only || leading_zero {
        return None;
    }
    text.parse().ok()
}

/// Always the full form, `1.2.3+4`, as `imgtool verify` prints it.
impl fmt::Display for ImageVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}.{}+{}",
            self.major, self.minor, self.revision, self.build
        )
    }
}
