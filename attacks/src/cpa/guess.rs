//! What a CPA finds for one key byte.

/// A key byte's best guess: the guess, the sample where its correlation peaks (at
/// second order, the index of the pair in the list of pairs), and that correlation's
/// magnitude.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Guess {
    pub key: u8,
    pub sample: usize,
    pub peak: f64,
}
