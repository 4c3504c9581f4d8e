//! The reference backend: pure Rust `p256`, RFC 6979 signatures. Every other backend is
//! checked against this one byte for byte, and `PROVSIM_CRYPTO=reference` runs the whole
//! pipeline on it.
//!
//! It works on the scalar alone: a signature never rebuilds the verifying key (which is
//! what a `p256::ecdsa::SigningKey` would compute on construction).

use p256::NistP256;
use p256::ecdsa::Signature as P256Signature;
use p256::elliptic_curve::sec1::ToSec1Point;

/// The uncompressed SEC1 point `d·G`.
pub(super) fn public_point(secret: &p256::SecretKey) -> [u8; 65] {
    let point = secret.public_key().as_affine().to_sec1_point(false);
    let mut out = [0u8; 65];
    let bytes = point.as_bytes();
    let n = bytes.len().min(65);
    out[..n].copy_from_slice(&bytes[..n]);
    out
}

/// The RFC 6979 ECDSA signature over the SHA-256 digest `z`, as `SigningKey` makes it.
pub(super) fn sign_digest(secret: &p256::SecretKey, z: &[u8; 32]) -> P256Signature {
    ecdsa::hazmat::sign_prehashed_rfc6979::<NistP256, sha2::Sha256>(
        &secret.to_nonzero_scalar(),
        z,
        &[],
    )
    .0
}

/// Whether `signature` is valid for the SHA-256 digest `z` under `public`.
pub(super) fn verify_digest(
    public: &p256::PublicKey,
    z: &[u8; 32],
    signature: &P256Signature,
) -> bool {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    p256::ecdsa::VerifyingKey::from(public)
        .verify_prehash(z, signature)
        .is_ok()
}

/// The x-coordinate of `d·Q`.
pub(super) fn ecdh(secret: &p256::SecretKey, theirs: &p256::PublicKey) -> [u8; 32] {
    let shared =
        p256::elliptic_curve::ecdh::diffie_hellman(secret.to_nonzero_scalar(), theirs.as_affine());
    let mut out = [0u8; 32];
    out.copy_from_slice(shared.raw_secret_bytes());
    out
}
