//! What a CPA finds for one key byte.

/// A key byte's best guess: the guess, the sample (or, at second order, the pair of
/// samples) where its correlation peaks, and that correlation's magnitude.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Guess {
    pub key: u8,
    pub sample: usize,
    pub peak: f64,
}
