use sha2::Digest as _;

/// Streaming SHA-256. The facade's backend for hashing, and the hasher the kernel's own
/// bookkeeping (traces, stream keys, fingerprints) uses without being counted.
///
/// It sits beside the facade rather than inside it because the seed's key schedule needs
/// it and the facade needs the seed's streams: inside, the two rooms would use each other.
#[derive(Clone, Default)]
pub struct Sha256(sha2::Sha256);

impl Sha256 {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    pub fn finalize(self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(&self.0.finalize());
        out
    }

    /// SHA-256 of one buffer.
    pub fn digest(data: &[u8]) -> [u8; 32] {
        let mut h = Self::new();
        h.update(data);
        h.finalize()
    }
}
