//! The fast backend: aws-lc-rs (assembly-backed) wherever its result is the reference's
//! result, bit for bit. Only built with the `fast` feature.
//!
//! - Public key from a scalar, ECDH and verification have no nonce: any correct
//!   implementation gives the same point, the same shared x-coordinate and the same
//!   yes/no, so aws-lc-rs does them whole.
//! - Signing must stay RFC 6979. The nonce `k` is computed here in Rust exactly as the
//!   reference computes it (HMAC-DRBG of RFC 6979 over the scalar and the digest); only
//!   the one expensive step, `R = k·G`, runs on aws-lc-rs's fixed-base multiply, and
//!   `s = k⁻¹(z + r·d)` is p256's scalar arithmetic. The DER encoding is p256's.
//!
//! Key, signing and ECDH functions return `None` where aws-lc-rs refuses something the
//! reference accepts (it should never happen for inputs the facade passes); the caller
//! then falls back to the reference. Verification has no such fallback: the facade only
//! passes it points p256 validated and 32-byte digests, which aws-lc-rs takes.

use aws_lc_rs::{agreement, digest, signature};
use p256::ecdsa::Signature as P256Signature;
use p256::elliptic_curve::bigint::U256;
use p256::elliptic_curve::ops::{Invert, Reduce};
use p256::elliptic_curve::{Curve, PrimeField};
use p256::{NistP256, NonZeroScalar, Scalar};

/// The uncompressed SEC1 point for the 32-byte big-endian scalar `d`.
pub(super) fn public_point(d: &[u8; 32]) -> Option<[u8; 65]> {
    let key = agreement::PrivateKey::from_private_key(&agreement::ECDH_P256, d).ok()?;
    let public = key.compute_public_key().ok()?;
    public.as_ref().try_into().ok()
}

/// The RFC 6979 ECDSA signature over the SHA-256 digest `z` (see the module doc).
pub(super) fn sign_digest(secret: &p256::SecretKey, z: &[u8; 32]) -> Option<P256Signature> {
    let d = secret.to_nonzero_scalar();
    let order = NistP256::ORDER;
    let mut kgen = rfc6979::KGenerator::<sha2::Sha256, U256>::new(&d.to_repr(), z, &[], &order);
    let z = reduce(z);
    loop {
        let mut k_bytes = p256::FieldBytes::default();
        kgen.fill_next_k(&mut k_bytes);
        let Some(k) = NonZeroScalar::from_repr(k_bytes).into_option() else {
            continue;
        };
        let big_r = public_point(<&[u8; 32]>::try_from(k_bytes.as_slice()).ok()?)?;
        let r = reduce(big_r[1..33].try_into().ok()?);
        let s = *k.invert() * (z + r * *d);
        // Zero r or s: RFC 6979 draws the next k, as the reference does.
        if let Ok(signature) = P256Signature::from_scalars(r, s) {
            return Some(signature);
        }
    }
}

/// A big-endian 32-byte integer reduced into the scalar field (ECDSA's bits2int for
/// P-256 and SHA-256).
fn reduce(bytes: &[u8; 32]) -> Scalar {
    <Scalar as Reduce<U256>>::reduce(&U256::from_be_slice(bytes))
}

/// Whether `signature` (already parsed, `r` and `s` in range) is valid for the SHA-256
/// digest `z` under the SEC1 point `public`.
pub(super) fn verify_digest(public: &[u8; 65], z: &[u8; 32], signature: &P256Signature) -> bool {
    let Ok(digest) = digest::Digest::import_less_safe(z, &digest::SHA256) else {
        return false;
    };
    signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, public)
        .verify_digest(&digest, &signature.to_bytes())
        .is_ok()
}

/// RFC 5915 ECPrivateKey for P-256 up to the scalar: SEQUENCE (119 bytes) { INTEGER 1,
/// OCTET STRING (32) ...
const EC_PRIVATE_KEY_HEAD: [u8; 7] = [0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20];
/// ... [0] { prime256v1 }, [1] { BIT STRING (65-byte point) } ...
const EC_PRIVATE_KEY_MIDDLE: [u8; 16] = [
    0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0xa1, 0x44, 0x03, 0x42,
];

/// The x-coordinate of `d·Q`. The key is handed over with its public point (as RFC 5915
/// allows), so aws-lc-rs checks it with one fixed-base multiply instead of computing it
/// and then checking it (two).
pub(super) fn ecdh(d: &[u8; 32], ours: &[u8; 65], theirs: &[u8; 65]) -> Option<[u8; 32]> {
    let mut der = [0u8; 121];
    der[..7].copy_from_slice(&EC_PRIVATE_KEY_HEAD);
    der[7..39].copy_from_slice(d);
    der[39..55].copy_from_slice(&EC_PRIVATE_KEY_MIDDLE);
    der[55] = 0x00;
    der[56..].copy_from_slice(ours);
    let key = agreement::PrivateKey::from_private_key_der(&agreement::ECDH_P256, &der).ok()?;
    let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, theirs);
    agreement::agree(&key, peer, (), |shared| shared.try_into().map_err(|_| ())).ok()
}

/// The fast path itself, called directly: a fallback to the reference would make the
/// facade's fast-equals-reference tests compare the reference with itself, so these
/// fail if aws-lc-rs ever stops taking what the facade hands it.
#[cfg(test)]
mod tests {
    use super::super::reference;
    use super::*;

    fn secret(byte: u8) -> p256::SecretKey {
        let mut bytes = [byte; 32];
        bytes[0] = 0x3c;
        p256::SecretKey::from_slice(&bytes).expect("a valid scalar")
    }

    /// Scalars from the small end, the middle and the top of the group order.
    fn secrets() -> Vec<p256::SecretKey> {
        let n_minus = |k: u8| {
            let mut bytes: [u8; 32] = NistP256::ORDER.to_be_bytes().into();
            bytes[31] -= k;
            p256::SecretKey::from_slice(&bytes).expect("n - k is a valid scalar")
        };
        let mut one = [0u8; 32];
        one[31] = 1;
        vec![
            p256::SecretKey::from_slice(&one).expect("1 is a valid scalar"),
            secret(0x11),
            secret(0xa5),
            n_minus(1),
            n_minus(2),
        ]
    }

    #[test]
    fn the_fast_path_runs_and_agrees_with_the_reference() {
        for d in secrets() {
            let scalar: [u8; 32] = d.to_bytes().into();
            let point = public_point(&scalar).expect("aws-lc-rs computes the point");
            assert_eq!(point, reference::public_point(&d));
            for z in [[0u8; 32], [0x5a; 32], [0xff; 32]] {
                let signature = sign_digest(&d, &z).expect("aws-lc-rs signs");
                assert_eq!(signature, reference::sign_digest(&d, &z));
                assert!(verify_digest(&point, &z, &signature));
                let mut other = z;
                other[0] ^= 1;
                assert!(!verify_digest(&point, &other, &signature));
            }
            let peer = secret(0x42);
            let peer_point = reference::public_point(&peer);
            let peer_key = p256::PublicKey::from_sec1_bytes(&peer_point).expect("a point");
            let shared = ecdh(&scalar, &point, &peer_point).expect("aws-lc-rs agrees");
            assert_eq!(shared, reference::ecdh(&d, &peer_key));
        }
    }
}
