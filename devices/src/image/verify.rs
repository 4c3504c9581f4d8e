//! The security checks, in the order MCUboot's `bootutil_img_validate` makes them:
//! the hash of header, body and protected TLVs against the SHA256 TLV; the KEYHASH TLV
//! against the expected key; the ECDSA signature over the computed hash. The security
//! counter is returned, not judged: comparing it with the fuses is the chip's job.
//!
//! Each check is one [`FaultGate`] decision. As in MCUboot the signature is checked
//! against the hash the ROM computed, not the one the image carries, so skipping the
//! hash comparison alone does not let a modified body through.
//!
//! TLV rules are stricter than MCUboot's where MCUboot is merely lenient: one SHA256,
//! one ECDSA_SIG, at most one SEC_CNT and only in the protected area, and the hash, key
//! hash and signature only in the unprotected area. Unknown types are skipped in either
//! area, as MCUboot skips them (in the protected area they are signed, so skipping them
//! is safe; in the unprotected area they are not trusted for anything).

use super::error::ImageError;
use super::gate::enforce;
use super::header::ImageHeader;
use super::parse::parse;
use super::tlv::{Tlv, TlvArea, kind};
use super::version::ImageVersion;
use crate::fault::{FaultGate, FaultPoint};
use provsim_sim::crypto::{Crypto, PublicKey, Sha256, Signature};

/// The longest ECDSA signature TLV accepted: `imgtool --pad-sig` pads P-256 DER
/// signatures with zeros up to 72 bytes (for MCUboot before 1.5).
pub const MAX_SIGNATURE_TLV_LEN: usize = 72;

/// What a verified image tells the boot ROM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedImage {
    pub version: ImageVersion,
    /// The protected SEC_CNT, for the caller to compare with its anti-rollback fuses.
    pub security_counter: Option<u32>,
    /// SHA-256 of header, body and protected TLVs (equal to the SHA256 TLV).
    pub hash: [u8; 32],
    /// The KEYHASH that named the verifying key.
    pub key_hash: [u8; 32],
    pub body_len: u32,
    /// Bytes of the image including its TLVs: where it ends in the slot.
    pub total_len: usize,
}

/// MCUboot's name for a key: SHA-256 of its DER SubjectPublicKeyInfo. Computed outside
/// the facade (uncounted), for tools and tests; the verifier's own hashing is counted.
pub fn key_hash(key: &PublicKey) -> [u8; 32] {
    Sha256::digest(&key.spki_der())
}

/// The records verification acts on, after the placement and multiplicity rules.
struct Records<'a> {
    sha256: Option<[u8; 32]>,
    /// The KEYHASH in force when the signature is reached: the last one before it, as
    /// MCUboot pairs each signature with the key named just before it. Without a
    /// signature, the last one in the area.
    key_hash: Option<[u8; 32]>,
    /// Whether any KEYHASH appeared at all.
    any_key_hash: bool,
    signature: Option<&'a [u8]>,
    security_counter: Option<u32>,
}

fn fixed<const N: usize>(record: &Tlv<'_>) -> Result<[u8; N], ImageError> {
    record
        .value
        .try_into()
        .map_err(|_| ImageError::BadTlvLength {
            kind: record.kind,
            len: record.value.len(),
            expected: N,
        })
}

impl<'a> Records<'a> {
    fn collect(protected: &[Tlv<'a>], unprotected: &[Tlv<'a>]) -> Result<Self, ImageError> {
        let mut records = Records {
            sha256: None,
            key_hash: None,
            any_key_hash: false,
            signature: None,
            security_counter: None,
        };
        for record in protected {
            match record.kind {
                kind::SEC_CNT => {
                    if records.security_counter.is_some() {
                        return Err(ImageError::DuplicateTlv {
                            kind: kind::SEC_CNT,
                            area: TlvArea::Protected,
                        });
                    }
                    records.security_counter = Some(u32::from_le_bytes(fixed(record)?));
                }
                // The hash cannot cover itself, and a key hash or signature inside the
                // signed region is not where any signer puts them.
                kind::SHA256 | kind::KEYHASH | kind::ECDSA_SIG => {
                    return Err(ImageError::MisplacedTlv {
                        kind: record.kind,
                        area: TlvArea::Protected,
                    });
                }
                _ => {}
            }
        }
        for record in unprotected {
            let duplicate = ImageError::DuplicateTlv {
                kind: record.kind,
                area: TlvArea::Unprotected,
            };
            match record.kind {
                kind::SHA256 => {
                    if records.sha256.is_some() {
                        return Err(duplicate);
                    }
                    records.sha256 = Some(fixed(record)?);
                }
                kind::KEYHASH => {
                    let hash = fixed(record)?;
                    records.any_key_hash = true;
                    if records.signature.is_none() {
                        records.key_hash = Some(hash);
                    }
                }
                kind::ECDSA_SIG => {
                    if records.signature.is_some() {
                        return Err(duplicate);
                    }
                    records.signature = Some(record.value);
                }
                // A counter outside the signed region is whatever an attacker wrote.
                kind::SEC_CNT => {
                    return Err(ImageError::MisplacedTlv {
                        kind: kind::SEC_CNT,
                        area: TlvArea::Unprotected,
                    });
                }
                _ => {}
            }
        }
        Ok(records)
    }
}

/// The DER signature inside a signature TLV: `imgtool --pad-sig` appends zero bytes
/// after the DER SEQUENCE, so trailing zeros (and nothing else) are dropped.
fn der_signature(value: &[u8]) -> Result<&[u8], ImageError> {
    let malformed = |reason| ImageError::MalformedSignature { reason };
    if value.len() > MAX_SIGNATURE_TLV_LEN {
        return Err(malformed(
            "longer than the 72 bytes a padded P-256 signature takes",
        ));
    }
    // SEQUENCE with a short-form length: the only form a P-256 signature takes.
    let (tag, len) = match value {
        [tag, len, ..] => (*tag, *len),
        _ => return Err(malformed("too short to be a DER SEQUENCE")),
    };
    if tag != 0x30 || len >= 0x80 {
        return Err(malformed("not a DER SEQUENCE with a short-form length"));
    }
    let der_len = usize::from(len) + 2;
    let (der, padding) = match (value.get(..der_len), value.get(der_len..)) {
        (Some(der), Some(padding)) => (der, padding),
        _ => return Err(malformed("DER length runs past the TLV")),
    };
    if padding.iter().any(|&b| b != 0) {
        return Err(malformed("non-zero bytes after the DER signature"));
    }
    Ok(der)
}

fn check_flags(header: &ImageHeader) -> Result<(), ImageError> {
    match header.unsupported_flags() {
        0 => Ok(()),
        flags => Err(ImageError::UnsupportedFlags { flags }),
    }
}

/// Validates the image at the start of `bytes` (a whole slot may be passed) as MCUboot's
/// `bootutil_img_validate` does for an ECDSA P-256 key named by its hash: the hash
/// matches, the key hash names `key`, the signature verifies under `key`.
///
/// Gated checks: [`FaultPoint::ImageMagic`] and [`FaultPoint::ImageBounds`] (in
/// [`parse`]), then [`FaultPoint::ImageHash`], [`FaultPoint::ImageKeyHash`] and
/// [`FaultPoint::ImageSignature`]. Unsupported header flags and TLV placement rules are
/// format errors, refused before any of these.
pub fn verify(
    crypto: &Crypto,
    bytes: &[u8],
    key: &PublicKey,
    gate: &mut dyn FaultGate,
) -> Result<VerifiedImage, ImageError> {
    let image = parse(bytes, gate)?;
    check_flags(&image.header)?;
    let records = Records::collect(&image.protected, &image.unprotected)?;

    let hash = crypto.sha256(image.signed_region);
    let hash_verdict = match records.sha256 {
        None => Err(ImageError::MissingTlv { kind: kind::SHA256 }),
        Some(stored) if stored == hash => Ok(()),
        Some(stored) => Err(ImageError::HashMismatch {
            computed: hash,
            stored,
        }),
    };
    enforce(gate, FaultPoint::ImageHash, hash_verdict)?;

    let expected = crypto.sha256(&key.spki_der());
    let key_verdict = match records.key_hash {
        Some(found) if found == expected => Ok(()),
        Some(found) => Err(ImageError::KeyHashMismatch { found, expected }),
        None if records.any_key_hash => Err(ImageError::NoKeyHashForSignature),
        None => Err(ImageError::MissingTlv {
            kind: kind::KEYHASH,
        }),
    };
    enforce(gate, FaultPoint::ImageKeyHash, key_verdict)?;

    let signature_verdict = match records.signature {
        None => Err(ImageError::MissingTlv {
            kind: kind::ECDSA_SIG,
        }),
        Some(value) => der_signature(value).and_then(|der| {
            let signature = Signature::from_der_bytes(der.to_vec());
            crypto
                .verify_digest(key, &hash, &signature)
                .map_err(|error| match error {
                    provsim_sim::crypto::CryptoError::MalformedSignature => {
                        ImageError::MalformedSignature {
                            reason: "not a DER ECDSA-Sig-Value",
                        }
                    }
                    _ => ImageError::BadSignature,
                })
        }),
    };
    enforce(gate, FaultPoint::ImageSignature, signature_verdict)?;

    Ok(VerifiedImage {
        version: image.header.version,
        security_counter: records.security_counter,
        hash,
        key_hash: expected,
        body_len: image.header.img_size,
        total_len: image.len,
    })
}
