//! What an attacker holds after an attempt.

use provsim_sim::crypto::Sha256;
use provsim_sim::to_hex;
use std::fmt;

/// How the attacker came to hold some bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MaterialKind {
    /// Bytes the attacker believes are a private key (e.g. a key-store slot read by the
    /// public format). Whether they are is for an oracle to check.
    KeyCandidate,
    /// Bytes the attacker believes are a symmetric key (a key-store slot of that kind).
    SecretCandidate,
    /// A raw memory image.
    MemoryDump,
    /// A firmware image the attacker made and tried to get a device to run.
    ForgedImage,
    /// A firmware image the maker publishes (its update server's archive): public, and
    /// held by every attacker from the start.
    PublishedImage,
    /// A certificate (DER) the attacker obtained for a key of its choosing. Whether it
    /// is a valid identity is for an oracle to check.
    Certificate,
}

/// One piece of obtained material. Its `Debug` shows a digest, never the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Material {
    pub kind: MaterialKind,
    /// Where it came from, for the report ("flash.keystore slot 0").
    pub source: String,
    bytes: Vec<u8>,
}

impl Material {
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for Material {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Material {{ kind: {:?}, source: {:?}, len: {}, sha256: {} }}",
            self.kind,
            self.source,
            self.bytes.len(),
            to_hex(&Sha256::digest(&self.bytes))
        )
    }
}

/// Everything one attempt obtained, in the order it was obtained.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Knowledge {
    materials: Vec<Material>,
}

impl Knowledge {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn learn(&mut self, kind: MaterialKind, source: impl Into<String>, bytes: Vec<u8>) {
        self.materials.push(Material {
            kind,
            source: source.into(),
            bytes,
        });
    }

    pub fn materials(&self) -> &[Material] {
        &self.materials
    }

    pub fn is_empty(&self) -> bool {
        self.materials.is_empty()
    }

    pub fn of_kind(&self, kind: MaterialKind) -> impl Iterator<Item = &Material> {
        self.materials.iter().filter(move |m| m.kind == kind)
    }

    /// Bytes held in all.
    pub fn total_bytes(&self) -> usize {
        self.materials.iter().map(|m| m.bytes.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_bytes() {
        let mut k = Knowledge::new();
        k.learn(MaterialKind::KeyCandidate, "slot 0", vec![0xab; 32]);
        let shown = format!("{k:?}");
        assert!(!shown.contains("abababab"), "{shown}");
        assert_eq!(k.total_bytes(), 32);
        assert_eq!(k.of_kind(MaterialKind::KeyCandidate).count(), 1);
        assert_eq!(k.of_kind(MaterialKind::MemoryDump).count(), 0);
    }
}
