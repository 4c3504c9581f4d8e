//! The running chain a signed file's closing record states: a count of the lines before
//! it and a SHA-256 chain over them in order (starting at 32 zero bytes, each line
//! folded in as SHA-256(head || line)). The manifest and the device records both close
//! this way; a writer or a checker keeps only this, whatever the size of the lot.

use provsim_sim::crypto::Crypto;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineChain {
    count: u64,
    head: [u8; 32],
}

impl Default for LineChain {
    fn default() -> Self {
        LineChain::new()
    }
}

impl LineChain {
    /// No line yet: the head is 32 zero bytes.
    pub fn new() -> LineChain {
        LineChain {
            count: 0,
            head: [0; 32],
        }
    }

    /// The chain a closing record states: `count` lines making `head`.
    pub fn stated(count: u64, head: [u8; 32]) -> LineChain {
        LineChain { count, head }
    }

    /// Lines taken in so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The number the next line carries, counting from 1 (a manifest's `entryNumber`).
    pub fn next_number(&self) -> u64 {
        self.count + 1
    }

    pub fn head(&self) -> [u8; 32] {
        self.head
    }

    /// Takes in the next line's bytes (without its line break).
    pub fn push(&mut self, crypto: &Crypto, line: &str) {
        let mut link = Vec::with_capacity(32 + line.len());
        link.extend_from_slice(&self.head);
        link.extend_from_slice(line.as_bytes());
        self.head = crypto.sha256(&link);
        self.count += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_depends_on_every_line_and_their_order() {
        let crypto = Crypto::new();
        let chain = |lines: &[&str]| {
            let mut chain = LineChain::new();
            for line in lines {
                chain.push(&crypto, line);
            }
            chain
        };
        assert_eq!(chain(&[]).head(), [0; 32]);
        assert_eq!(chain(&["a", "b"]).count(), 2);
        assert_eq!(chain(&["a", "b"]).next_number(), 3);
        assert_ne!(chain(&["a", "b"]).head(), chain(&["b", "a"]).head());
        assert_ne!(chain(&["ab"]).head(), chain(&["a", "b"]).head());
        assert_eq!(chain(&["a", "b"]), chain(&["a", "b"]));
    }
}
