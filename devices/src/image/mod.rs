//! MCUboot's signed-image format: building and signing images, parsing them, and
//! verifying them as MCUboot's `bootutil_img_validate` does.
//!
//! An image is `header || body || protected TLVs || unprotected TLVs`:
//!
//! - the [`ImageHeader`] (32 bytes, padded to `hdr_size`) names the body's size, the
//!   protected area's size and the version;
//! - the optional protected TLV area carries statements the signature covers (here the
//!   security counter);
//! - the unprotected TLV area carries what cannot cover itself: the SHA-256 of header,
//!   body and protected area, the hash of the signer's key and the ECDSA signature.
//!
//! The byte layout matches MCUboot's `imgtool` 2.5 exactly (the interop test in
//! `devices/tests/imgtool.rs` holds us to it), so an image signed here is one a real
//! MCUboot boots and one `imgtool` signed is one the simulated boot ROM boots.
//!
//! Every input byte is treated as attacker-controlled: parsing never indexes past a
//! slice and never trusts a length before checking it against the slot, and every
//! security decision goes through a [`FaultGate`](crate::fault::FaultGate) so a glitch
//! can be aimed at exactly one check.
//!
//! One job per module: [`version`] (the version number), [`header`] (the fixed header),
//! [`tlv`] (TLV areas), [`build`] (making images), [`parse`](mod@parse) (structure),
//! [`verify`](mod@verify) (the security checks), [`error`] (why an image was refused),
//! `format` (the fixed numbers all of them name).

pub mod build;
mod bytes;
pub mod error;
mod format;
pub mod fuzzing;
mod gate;
pub mod header;
pub mod parse;
pub mod tlv;
pub mod verify;
pub mod version;

#[cfg(test)]
mod tests;

pub use build::{SignOptions, UnsignedImage, prepare, prepare_naming, sign};
pub use error::ImageError;
pub use header::{HEADER_LEN, IMAGE_MAGIC, ImageHeader};
pub use parse::{ParsedImage, parse};
pub use tlv::{Tlv, TlvArea};
pub use verify::{VerifiedImage, key_hash, verify};
pub use version::ImageVersion;
