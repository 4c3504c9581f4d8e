//! Making images, byte for byte as `imgtool sign --pad-header` does:
//!
//! - the header area is `hdr_size` bytes: the 32-byte header, then `0xff` padding
//!   (`imgtool` pads with the erased-flash value although its help says "zeroed");
//! - the protected area holds SEC_CNT when a security counter is given, and is absent
//!   otherwise;
//! - the unprotected area holds SHA256, KEYHASH, ECDSA_SIG, in that order.
//!
//! Signing is split in two ([`prepare`], then [`UnsignedImage::finish`]) so the
//! signature can come from elsewhere: an HSM, or `imgtool` in the interop test, which
//! signs with a random nonce where we use RFC 6979.

use super::error::ImageError;
use super::header::{HEADER_LEN, IMAGE_MAGIC, ImageHeader};
use super::tlv::{AreaWriter, TlvArea, kind};
use super::version::ImageVersion;
use provsim_sim::crypto::{Crypto, PublicKey, SecretKey, Signature};

/// What `imgtool sign` takes on its command line, for the parts this simulator uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOptions {
    /// `--version`.
    pub version: ImageVersion,
    /// `--security-counter`; `None` writes no protected area.
    pub security_counter: Option<u32>,
    /// `--header-size` (with `--pad-header`): at least 32.
    pub header_size: u16,
    /// `--load-addr`. Must be 0: `imgtool` marks any other value RAM_LOAD, which the
    /// simulated boot ROM does not implement, so [`sign`] refuses it rather than build
    /// an image `verify` would reject.
    pub load_addr: u32,
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            version: ImageVersion::default(),
            security_counter: None,
            header_size: HEADER_LEN as u16,
            load_addr: 0,
        }
    }
}

/// An image up to its signature: header, body and protected area are final, and so is
/// their hash, which is what gets signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsignedImage {
    signed_region: Vec<u8>,
    digest: [u8; 32],
    key_hash: [u8; 32],
}

impl UnsignedImage {
    /// SHA-256 of the signed region: the SHA256 TLV, and the prehash to sign.
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// Header, body and protected area.
    pub fn signed_region(&self) -> &[u8] {
        &self.signed_region
    }

    /// The finished image with `signature` (DER, optionally zero-padded) in its
    /// ECDSA_SIG TLV. The signature is not checked here.
    pub fn finish(self, signature: &Signature) -> Result<Vec<u8>, ImageError> {
        let mut area = AreaWriter::new(TlvArea::Unprotected);
        area.push(kind::SHA256, &self.digest)?;
        area.push(kind::KEYHASH, &self.key_hash)?;
        area.push(kind::ECDSA_SIG, signature.as_der())?;
        let mut image = self.signed_region;
        image.extend_from_slice(&area.finish()?);
        Ok(image)
    }
}

/// Lays out header, body and protected area for an image to be signed by the private
/// half of `signer`, and hashes them (two counted SHA-256: the region and the key).
pub fn prepare(
    crypto: &Crypto,
    signer: &PublicKey,
    body: &[u8],
    options: &SignOptions,
) -> Result<UnsignedImage, ImageError> {
    prepare_naming(crypto, crypto.sha256(&signer.spki_der()), body, options)
}

/// Lays out an image as [`prepare`] does, naming its key by `key_hash` alone: what a
/// forger builds who copies the genuine key hash out of a published image without
/// holding the key it names.
pub fn prepare_naming(
    crypto: &Crypto,
    key_hash: [u8; 32],
    body: &[u8],
    options: &SignOptions,
) -> Result<UnsignedImage, ImageError> {
    if usize::from(options.header_size) < HEADER_LEN {
        return Err(ImageError::HeaderTooSmall {
            hdr_size: options.header_size,
        });
    }
    if options.load_addr != 0 {
        return Err(ImageError::UnsupportedLoadAddress {
            load_addr: options.load_addr,
        });
    }
    let img_size =
        u32::try_from(body.len()).map_err(|_| ImageError::BodyTooLarge { len: body.len() })?;

    let mut protected = AreaWriter::new(TlvArea::Protected);
    if let Some(counter) = options.security_counter {
        protected.push(kind::SEC_CNT, &counter.to_le_bytes())?;
    }
    let protected = protected.finish()?;
    let protect_tlv_size =
        u16::try_from(protected.len()).map_err(|_| ImageError::TlvAreaTooLarge {
            area: TlvArea::Protected,
            len: protected.len(),
        })?;

    let header = ImageHeader {
        magic: IMAGE_MAGIC,
        load_addr: options.load_addr,
        hdr_size: options.header_size,
        protect_tlv_size,
        img_size,
        flags: 0,
        version: options.version,
        pad: 0,
    };
    let header_area = usize::from(options.header_size);
    let capacity = header_area
        .saturating_add(body.len())
        .saturating_add(protected.len());
    let mut region = Vec::with_capacity(capacity);
    region.extend_from_slice(&header.encode());
    region.resize(header_area, 0xff);
    region.extend_from_slice(body);
    region.extend_from_slice(&protected);

    Ok(UnsignedImage {
        digest: crypto.sha256(&region),
        key_hash,
        signed_region: region,
    })
}

/// Builds and signs an image from a raw body, as `imgtool sign --pad-header
/// --header-size H --version V [--security-counter C]` does with an ECDSA P-256 key.
/// The signature is RFC 6979, so the same inputs give the same bytes.
pub fn sign(
    crypto: &Crypto,
    key: &SecretKey,
    body: &[u8],
    options: &SignOptions,
) -> Result<Vec<u8>, ImageError> {
    let unsigned = prepare(crypto, key.public_key(), body, options)?;
    let signature = crypto.sign_digest(key, unsigned.digest());
    unsigned.finish(&signature)
}
