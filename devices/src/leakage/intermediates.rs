//! What an operation computes on the way, one byte-wide value at a time, in the order
//! the hardware handles them: the values a power trace leaks. Each target reports them
//! for the operations an attacker can make it run; the secret goes in here and only
//! samples come out of the leakage model.

/// An operation an attacker can have a chip run while measuring its power.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeasuredOperation {
    /// One AES-256 block encryption with the symmetric key in `slot`, on a plaintext
    /// the attacker chooses (the running firmware's crypto service).
    AesEncrypt { slot: u8, plaintext: [u8; 16] },
    /// A scalar multiplication with the private key in `slot` (the key service's ECDH
    /// or signature at first connection).
    ScalarMultiply { slot: u8 },
}

/// The AES S-box, built from its definition (FIPS-197 5.1.1): the multiplicative
/// inverse in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1, then the affine map.
pub const SBOX: [u8; 256] = build_sbox();

const fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        let carry = a & 0x80;
        a <<= 1;
        if carry != 0 {
            a ^= 0x1b;
        }
        b >>= 1;
    }
    product
}

const fn build_sbox() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut x = 0usize;
    while x < 256 {
        // x^254 is the inverse of x (and 0 for 0).
        let mut inverse = 1u8;
        let mut i = 0;
        while i < 254 {
            inverse = gf_mul(inverse, x as u8);
            i += 1;
        }
        if x == 0 {
            inverse = 0;
        }
        let b = inverse;
        table[x] =
            b ^ b.rotate_left(1) ^ b.rotate_left(2) ^ b.rotate_left(3) ^ b.rotate_left(4) ^ 0x63;
        x += 1;
    }
    table
}

/// The first round's S-box outputs, `S(plaintext[i] ^ key[i])` for the 16 state bytes:
/// the classic target of a correlation power analysis, since each depends on one key
/// byte and a known plaintext byte.
pub fn aes_first_round(key: &[u8], plaintext: &[u8; 16]) -> Vec<u8> {
    plaintext
        .iter()
        .zip(key.iter().chain(std::iter::repeat(&0)))
        .map(|(p, k)| SBOX[usize::from(p ^ k)])
        .collect()
}

/// The steps of a constant-time ladder over `scalar` (big-endian), most significant
/// bit first: at each step the conditional-swap mask is all ones or all zeros as the
/// scalar's bit is 1 or 0. The code runs the same instructions either way; the mask's
/// value is what leaks.
pub fn ladder_steps(scalar: &[u8]) -> Vec<u8> {
    scalar
        .iter()
        .flat_map(|byte| (0..8).rev().map(move |bit| (byte >> bit) & 1))
        .map(|bit| 0u8.wrapping_sub(bit))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sbox_is_the_aes_sbox() {
        // FIPS-197: S(00) = 63, S(01) = 7c, S(53) = ed, S(ff) = 16; and it is a
        // permutation.
        assert_eq!(
            (SBOX[0x00], SBOX[0x01], SBOX[0x53], SBOX[0xff]),
            (0x63, 0x7c, 0xed, 0x16)
        );
        let mut seen = [false; 256];
        for v in SBOX {
            assert!(!seen[usize::from(v)]);
            seen[usize::from(v)] = true;
        }
    }

    #[test]
    fn the_first_round_and_the_ladder_leak_what_they_should() {
        let key = [0x2bu8; 32];
        let plaintext = [0x32u8; 16];
        assert_eq!(
            aes_first_round(&key, &plaintext),
            vec![SBOX[0x2b ^ 0x32]; 16]
        );
        assert_eq!(ladder_steps(&[0b1010_0000]), [0xff, 0, 0xff, 0, 0, 0, 0, 0]);
    }
}
