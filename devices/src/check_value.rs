//! The check value a chip answers a symmetric-key injection with.

/// A symmetric key's check value: the first four bytes of SHA-256 over a fixed label and
/// the key. A chip reports it after an injection, so the station can tell the right key
/// arrived without the key itself ever being echoed; 32 bits reveal nothing usable of a
/// 256-bit key.
pub fn key_check_value(crypto: &provsim_sim::crypto::Crypto, key: &[u8]) -> [u8; 4] {
    let mut input = b"provsim key check value v1".to_vec();
    input.extend_from_slice(key);
    let digest = crypto.sha256(&input);
    [digest[0], digest[1], digest[2], digest[3]]
}
