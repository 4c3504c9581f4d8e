//! An SRAM physical unclonable function and the fuzzy extractor that turns its noisy
//! power-up state into a key that is reproducible on the same die and stored nowhere.
//!
//! Each die's SRAM cells settle to a preferred value at power-up, fixed by manufacturing
//! variation (here: the die's own seed stream), but each read flips a fraction of them
//! (the bit-error rate). Enrolment reads the cells several times and takes each cell's
//! majority, draws a 256-bit secret from the chip's TRNG, encodes every bit as a block
//! of `repetition` equal bits (a repetition code), and stores only the code-offset
//! helper data: the codeword XOR the enrolled cell values, plus a hash
//! that lets reconstruction tell a right answer from a wrong one. Reconstruction XORs a
//! fresh readout with the helper data and decodes each block by majority; the key is a
//! hash of the recovered secret. Past the code's budget the check fails and the chip
//! reports an unreliable PUF instead of using a wrong key.
//!
//! The helper data is public. With unbiased cells each block hides its secret bit
//! behind one cell's value; biased cells would leak through it (a known weakness of the
//! repetition code that real designs counter with debiasing).

use provsim_sim::crypto::Sha256;
use provsim_sim::{Seed, Stream};

/// Bits of the secret the key is derived from.
const SECRET_BITS: usize = 256;
/// Readouts enrolment takes the majority of: a single noisy readout would count
/// against the code twice (at enrolment and at every power-up).
const ENROLMENT_READS: usize = 9;

/// A PUF's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PufConfig {
    /// Cells that read differently from their preferred value, per million reads.
    pub bit_error_ppm: u32,
    /// Cells per secret bit (odd): the repetition code's length.
    pub repetition: u16,
}

impl PufConfig {
    /// 15% bit errors (worse than typical SRAM at nominal conditions, to leave margin
    /// for temperature and ageing) and a 63-cell repetition code over 2 KiB of SRAM: a
    /// block decodes wrong only if 32 of its 63 cells flip, so a key fails to come back
    /// about once in 10^8 power-ups at 15% (binomial tail), and far less often below.
    pub const DEFAULT: PufConfig = PufConfig {
        bit_error_ppm: 150_000,
        repetition: 63,
    };

    /// Cells the PUF must have.
    pub fn cells(self) -> usize {
        SECRET_BITS * usize::from(self.repetition)
    }

    /// Why this configuration cannot work, if it cannot.
    pub fn problem(self) -> Option<String> {
        if self.repetition.is_multiple_of(2) {
            return Some(format!(
                "the repetition code needs an odd length, not {}",
                self.repetition
            ));
        }
        if self.bit_error_ppm >= 500_000 {
            return Some(format!(
                "a bit-error rate of {} ppm leaves no preferred value to read",
                self.bit_error_ppm
            ));
        }
        // The shortest code that brings a key back at least 999,999 power-ups in a
        // million at this error rate (binomial tails of the majority decoder, 256
        // blocks, enrolment from nine reads): a PUF that would not is refused, not
        // built to fail in the field.
        let shortest = match self.bit_error_ppm {
            0..=50_000 => 21,
            50_001..=100_000 => 35,
            100_001..=150_000 => 63,
            150_001..=200_000 => 127,
            200_001..=250_000 => 255,
            _ => u16::MAX,
        };
        (self.repetition < shortest).then(|| {
            if shortest == u16::MAX {
                format!(
                    "a bit-error rate of {} ppm is beyond what a repetition code brings back; design for 25% or less",
                    self.bit_error_ppm
                )
            } else {
                format!(
                    "at {} ppm bit errors a {}-cell code loses the key too often: it takes at least {shortest} cells",
                    self.bit_error_ppm, self.repetition
                )
            }
        })
    }
}

/// Why reconstruction gave no key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PufError {
    #[error("the PUF read back too noisy for its code: the key check failed")]
    Unreliable,
    #[error("the helper data does not fit this PUF's configuration")]
    HelperMismatch,
}

/// One die's SRAM PUF: its cells' preferred values and the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SramPuf {
    preferred: Vec<bool>,
    config: PufConfig,
}

/// What enrolment stores (public: fuses or flash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelperData {
    /// The repetition codeword of the secret XOR the enrolment readout.
    pub offset: Vec<bool>,
    /// SHA-256 over a label and the secret: tells a recovered secret right from wrong.
    pub check: [u8; 32],
}

impl SramPuf {
    /// Die `index`'s PUF: its cells' preferred values are the die's, from the seed.
    pub fn new(seed: Seed, index: u64, config: PufConfig) -> Self {
        let mut cells = crate::labels::puf_cells(seed, index);
        let mut preferred = Vec::with_capacity(config.cells());
        while preferred.len() < config.cells() {
            let word = cells.next_u64();
            preferred.extend((0..64).map(|bit| word >> bit & 1 == 1));
        }
        preferred.truncate(config.cells());
        SramPuf { preferred, config }
    }

    /// Die `index`'s PUF with its cells' manufacturing bias left in: four cells in five
    /// prefer 1 (drawn from the same stream as [`SramPuf::new`]'s).
    pub fn biased(seed: Seed, index: u64, config: PufConfig) -> Self {
        let mut cells = crate::labels::puf_cells(seed, index);
        let mut preferred = Vec::with_capacity(config.cells());
        while preferred.len() < config.cells() {
            let word = cells.next_u64();
            preferred.extend(word.to_le_bytes().iter().map(|byte| byte % 5 != 0));
        }
        preferred.truncate(config.cells());
        SramPuf { preferred, config }
    }

    pub fn config(&self) -> PufConfig {
        self.config
    }

    /// One power-up readout: each cell flips with the bit-error rate, drawn from
    /// `noise` (the die's own noise stream) as a 32-bit draw per cell against the rate
    /// scaled to 2^32 (within 2^-32 of it).
    pub fn read(&self, noise: &mut Stream) -> Vec<bool> {
        let threshold = (u64::from(self.config.bit_error_ppm) << 32) / 1_000_000;
        let mut draws = vec![0u8; self.preferred.len() * 4];
        noise.fill(&mut draws);
        self.preferred
            .iter()
            .zip(draws.chunks_exact(4))
            .map(|(&cell, draw)| {
                let draw = u32::from_le_bytes([draw[0], draw[1], draw[2], draw[3]]);
                cell ^ (u64::from(draw) < threshold)
            })
            .collect()
    }

    /// Enrols the PUF with a secret from `trng`: the helper data to store and the key.
    pub fn enroll(&self, noise: &mut Stream, trng: &mut Stream) -> (HelperData, [u8; 32]) {
        let secret: [u8; 32] = trng.bytes();
        let mut ones = vec![0usize; self.config.cells()];
        for _ in 0..ENROLMENT_READS {
            for (count, cell) in ones.iter_mut().zip(self.read(noise)) {
                *count += usize::from(cell);
            }
        }
        let enrolled = ones.iter().map(|&n| n * 2 > ENROLMENT_READS);
        let offset = codeword(&secret, self.config.repetition)
            .zip(enrolled)
            .map(|(code, cell)| code ^ cell)
            .collect();
        let helper = HelperData {
            offset,
            check: check(&secret),
        };
        (helper, key(&secret))
    }

    /// Re-derives the key from a fresh readout and the helper data.
    pub fn reconstruct(
        &self,
        helper: &HelperData,
        noise: &mut Stream,
    ) -> Result<[u8; 32], PufError> {
        if helper.offset.len() != self.config.cells() {
            return Err(PufError::HelperMismatch);
        }
        let readout = self.read(noise);
        let noisy: Vec<bool> = helper
            .offset
            .iter()
            .zip(&readout)
            .map(|(offset, cell)| offset ^ cell)
            .collect();
        let mut secret = [0u8; 32];
        for (bit, block) in noisy
            .chunks(usize::from(self.config.repetition))
            .enumerate()
        {
            let ones = block.iter().filter(|&&b| b).count();
            if ones * 2 > block.len() {
                secret[bit / 8] |= 0x80 >> (bit % 8);
            }
        }
        if check(&secret) != helper.check {
            return Err(PufError::Unreliable);
        }
        Ok(key(&secret))
    }
}

/// The repetition codeword of `secret`, most significant bit first.
fn codeword(secret: &[u8; 32], repetition: u16) -> impl Iterator<Item = bool> + '_ {
    secret
        .iter()
        .flat_map(|byte| (0..8).rev().map(move |bit| byte >> bit & 1 == 1))
        .flat_map(move |bit| std::iter::repeat_n(bit, usize::from(repetition)))
}

fn labelled(label: &[u8], secret: &[u8; 32]) -> [u8; 32] {
    let mut input = label.to_vec();
    input.extend_from_slice(secret);
    Sha256::digest(&input)
}

/// The helper data's check over a secret. The derivation is the design's, and public
/// (Kerckhoffs): only the secret is not.
pub fn check(secret: &[u8; 32]) -> [u8; 32] {
    labelled(b"provsim puf check v1", secret)
}

/// The PUF key a secret gives (public derivation, as [`check`]).
pub fn key(secret: &[u8; 32]) -> [u8; 32] {
    labelled(b"provsim puf key v1", secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn enrolled(seed: u64, die: u64, config: PufConfig) -> (SramPuf, HelperData, [u8; 32]) {
        let seed = Seed::new(seed);
        let puf = SramPuf::new(seed, die, config);
        let (helper, key) = puf.enroll(
            &mut seed.device_stream(die, "puf/noise/0"),
            &mut seed.device_stream(die, "trng"),
        );
        (puf, helper, key)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

        /// At 10 to 15 % bit errors every power-up re-derives the enrolled key.
        #[test]
        fn the_same_die_re_derives_its_key(
            seed in any::<u64>(),
            die in 0u64..1_000,
            bit_error_ppm in 100_000u32..=150_000,
        ) {
            let config = PufConfig { bit_error_ppm, ..PufConfig::DEFAULT };
            let (puf, helper, key) = enrolled(seed, die, config);
            for power_up in 1..=4 {
                let mut noise = Seed::new(seed).device_stream(die, &format!("puf/noise/{power_up}"));
                prop_assert_eq!(puf.reconstruct(&helper, &mut noise), Ok(key));
            }
        }

        /// Two dies never share a key, and one die's helper data gives another die no
        /// key at all (it fails its check), never the first die's.
        #[test]
        fn different_dies_have_different_keys(
            seed in any::<u64>(),
            a in 0u64..1_000,
            b in 0u64..1_000,
        ) {
            prop_assume!(a != b);
            let (_, helper_a, key_a) = enrolled(seed, a, PufConfig::DEFAULT);
            let (puf_b, _, key_b) = enrolled(seed, b, PufConfig::DEFAULT);
            prop_assert_ne!(key_a, key_b);
            let mut noise = Seed::new(seed).device_stream(b, "puf/noise/9");
            prop_assert_eq!(puf_b.reconstruct(&helper_a, &mut noise), Err(PufError::Unreliable));
        }

        /// Beyond the code's budget the PUF says it failed; it never hands out a key
        /// other than the enrolled one.
        #[test]
        fn too_much_noise_fails_detectably(
            seed in any::<u64>(),
            die in 0u64..1_000,
            bit_error_ppm in 380_000u32..500_000,
        ) {
            let enrolment = PufConfig { bit_error_ppm: 100_000, ..PufConfig::DEFAULT };
            let (_, helper, key) = enrolled(seed, die, enrolment);
            // The same die, read at a temperature far outside its rating.
            let hot = SramPuf::new(Seed::new(seed), die, PufConfig { bit_error_ppm, ..PufConfig::DEFAULT });
            let mut noise = Seed::new(seed).device_stream(die, "puf/noise/hot");
            match hot.reconstruct(&helper, &mut noise) {
                Ok(k) => prop_assert_eq!(k, key),
                Err(e) => prop_assert_eq!(e, PufError::Unreliable),
            }
        }
    }

    #[test]
    fn far_past_the_budget_it_always_fails_and_configs_are_checked() {
        let (_, helper, _) = enrolled(1, 0, PufConfig::DEFAULT);
        let hot = SramPuf::new(
            Seed::new(1),
            0,
            PufConfig {
                bit_error_ppm: 450_000,
                ..PufConfig::DEFAULT
            },
        );
        for i in 0..20 {
            let mut noise = Seed::new(1).device_stream(0, &format!("hot/{i}"));
            assert_eq!(
                hot.reconstruct(&helper, &mut noise),
                Err(PufError::Unreliable)
            );
        }
        let short = SramPuf::new(
            Seed::new(1),
            0,
            PufConfig {
                repetition: 31,
                ..PufConfig::DEFAULT
            },
        );
        let mut noise = Seed::new(1).stream("n");
        assert_eq!(
            short.reconstruct(&helper, &mut noise),
            Err(PufError::HelperMismatch)
        );
        assert!(
            PufConfig {
                repetition: 30,
                ..PufConfig::DEFAULT
            }
            .problem()
            .is_some()
        );
        // Odd but too short for 15%, and a rate no repetition code brings back.
        assert!(
            PufConfig {
                repetition: 31,
                ..PufConfig::DEFAULT
            }
            .problem()
            .is_some()
        );
        assert!(
            PufConfig {
                bit_error_ppm: 300_000,
                repetition: 255
            }
            .problem()
            .is_some()
        );
        assert!(
            PufConfig {
                bit_error_ppm: 500_000,
                ..PufConfig::DEFAULT
            }
            .problem()
            .is_some()
        );
        assert_eq!(PufConfig::DEFAULT.problem(), None);
    }

    /// The budget in numbers: at 10 % errors a power-up's readout differs from the
    /// enrolment's in about a fifth of the cells (each may flip either time), and the
    /// key still comes back.
    #[test]
    fn a_readout_differs_from_enrolment_in_many_cells() {
        let config = PufConfig {
            bit_error_ppm: 100_000,
            ..PufConfig::DEFAULT
        };
        let puf = SramPuf::new(Seed::new(2), 5, config);
        let a = puf.read(&mut Seed::new(2).stream("a"));
        let b = puf.read(&mut Seed::new(2).stream("b"));
        let differing = a.iter().zip(&b).filter(|(x, y)| x != y).count();
        let share = differing as f64 / a.len() as f64;
        assert!((0.16..0.20).contains(&share), "{share}");
    }
}
