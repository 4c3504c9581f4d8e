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

/// The S-box outputs of AES-256's first two rounds for one block: `S(p[i] ^ k[i])` for
/// the 16 state bytes of round 1, then `S(m[i] ^ k[16 + i])` of round 2, where `m` is
/// round 1's output (after ShiftRows and MixColumns). Each depends on one key byte and
/// values an attacker can compute: the plaintext, then (once the first half of the
/// key is known) round 1's output. The classic targets of a correlation power
/// analysis. A key shorter than 32 bytes is padded with zeros.
pub fn aes_first_rounds(key: &[u8], plaintext: &[u8; 16]) -> Vec<u8> {
    let byte = |i: usize| key.get(i).copied().unwrap_or(0);
    let mut round1 = [0u8; 16];
    for (i, out) in round1.iter_mut().enumerate() {
        *out = SBOX[usize::from(plaintext[i] ^ byte(i))];
    }
    let middle = aes_round_output(&round1);
    let mut out = round1.to_vec();
    out.extend((0..16).map(|i| SBOX[usize::from(middle[i] ^ byte(16 + i))]));
    out
}

/// A round's output from its S-box outputs: ShiftRows, then MixColumns (the state is
/// column-major, byte `r + 4c` in row `r`, column `c`), before the next round key.
pub fn aes_round_output(sboxed: &[u8; 16]) -> [u8; 16] {
    let mut shifted = [0u8; 16];
    for r in 0..4 {
        for c in 0..4 {
            shifted[r + 4 * c] = sboxed[r + 4 * ((c + r) % 4)];
        }
    }
    let mut out = [0u8; 16];
    for c in 0..4 {
        let a = &shifted[4 * c..4 * c + 4];
        for r in 0..4 {
            out[r + 4 * c] =
                gf_mul(a[r], 2) ^ gf_mul(a[(r + 1) % 4], 3) ^ a[(r + 2) % 4] ^ a[(r + 3) % 4];
        }
    }
    out
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

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// FIPS-197 appendix C.3 (AES-256): round 1's S-box output, its output after
    /// MixColumns, and round 2's S-box output.
    #[test]
    fn the_two_rounds_match_the_standards_example() {
        let key = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        let plaintext: [u8; 16] = hex("00112233445566778899aabbccddeeff").try_into().unwrap();
        let rounds = aes_first_rounds(&key, &plaintext);
        assert_eq!(rounds[..16], hex("63cab7040953d051cd60e0e7ba70e18c")[..]);
        let round1: [u8; 16] = rounds[..16].try_into().unwrap();
        assert_eq!(
            aes_round_output(&round1)[..],
            hex("5f72641557f5bc92f7be3b291db9f91a")[..]
        );
        assert_eq!(rounds[16..], hex("84fb386f1ae1ac97df5cfd237c49946b")[..]);
        assert_eq!(ladder_steps(&[0b1010_0000]), [0xff, 0, 0xff, 0, 0, 0, 0, 0]);
    }
}
