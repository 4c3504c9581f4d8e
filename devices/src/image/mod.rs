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
//! [`verify`](mod@verify) (the security checks), [`error`] (why an image was refused).

pub mod build;
mod bytes;
pub mod error;
mod gate;
pub mod header;
pub mod parse;
pub mod tlv;
pub mod verify;
pub mod version;

#[cfg(test)]
mod tests;

pub use build::{SignOptions, UnsignedImage, prepare, sign};
pub use error::ImageError;
pub use header::{HEADER_LEN, IMAGE_MAGIC, ImageHeader};
pub use parse::{ParsedImage, parse};
pub use tlv::{Tlv, TlvArea};
pub use verify::{VerifiedImage, key_hash, verify};
pub use version::ImageVersion;

/// The harness of the `image` fuzz target (`fuzz/fuzz_targets/image.rs`), here so the
/// tests can replay its seeds without a nightly toolchain.
pub mod fuzzing {
    use super::*;
    use crate::fault::NoFaults;
    use provsim_sim::Seed;
    use provsim_sim::crypto::{Crypto, SecretKey};

    /// The key the harness verifies against; its seeds are signed by it, so mutations
    /// of them reach the hash and signature checks.
    pub fn signer(crypto: &Crypto) -> SecretKey {
        crypto.generate_key(&mut crate::labels::image_signer(Seed::new(0)))
    }

    /// Parses and verifies `data` as a slot's contents. Must never panic; whatever
    /// verifies must parse to the same lengths and carry the signer's key hash.
    pub fn image_bytes(data: &[u8]) {
        // Made once: a key generation per input would cost more than the parsing.
        static SIGNER: std::sync::OnceLock<SecretKey> = std::sync::OnceLock::new();
        let crypto = Crypto::new();
        let key = SIGNER.get_or_init(|| signer(&Crypto::new()));
        let parsed = parse(data, &mut NoFaults).map(|p| (p.len, p.security_counter()));
        if let Ok(verified) = verify(&crypto, data, key.public_key(), &mut NoFaults) {
            assert_eq!(
                parsed,
                Ok((verified.total_len, verified.security_counter)),
                "verify accepted what parse sees differently"
            );
            assert_eq!(verified.key_hash, key_hash(key.public_key()));
        }
    }
}
