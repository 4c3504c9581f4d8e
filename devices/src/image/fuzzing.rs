//! The harness of the `image` fuzz target (`fuzz/fuzz_targets/image.rs`), here so the
//! tests can replay its seeds without a nightly toolchain.

use super::parse::parse;
use super::verify::{key_hash, verify};
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
