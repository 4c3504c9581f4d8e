//! The set of identities the books and the registrar each keep for a whole run, at 16
//! bytes a device: a B-tree of the same tags costs nearly twice that, and a million
//! devices would carry the difference.

use provsim_sim::crypto::Fingerprint;
use std::collections::BTreeSet;

/// How an identity is filed: its fingerprint's first 128 bits. Two different keys
/// sharing them turn up by chance only after some 2^64 devices, and finding a key that
/// shares them with a given one takes some 2^128 tries.
pub(crate) type Tag = [u8; 16];

/// The tag of `identity`.
pub(crate) fn tag(identity: &Fingerprint) -> Tag {
    let mut out = [0u8; 16];
    out.copy_from_slice(&identity.0[..16]);
    out
}

/// The fewest recent tags held apart before they are merged into the sorted array.
const MERGE_AT_LEAST: usize = 1024;

/// A set of tags: a sorted array, 16 bytes a tag and nothing more, and the tags added
/// since its last merge in a small B-tree (at most 1/64 of the set, or 1,024). A merge
/// moves the array's tags once, in place, so adding n tags moves about 64 n of them in
/// all: about a second for a million.
#[derive(Debug, Clone, Default)]
pub(crate) struct TagSet {
    /// Sorted, no tag twice, none of `recent`'s.
    sorted: Vec<Tag>,
    recent: BTreeSet<Tag>,
}

impl TagSet {
    /// Makes room for `tags` more in the array at once, so it is sized to the run
    /// instead of doubling (and carrying up to twice what it holds).
    pub(crate) fn reserve(&mut self, tags: usize) {
        self.sorted.reserve_exact(tags);
    }

    pub(crate) fn contains(&self, tag: &Tag) -> bool {
        self.sorted.binary_search(tag).is_ok() || self.recent.contains(tag)
    }

    /// Adds `tag`; false if it was there already.
    pub(crate) fn insert(&mut self, tag: Tag) -> bool {
        if self.sorted.binary_search(&tag).is_ok() || !self.recent.insert(tag) {
            return false;
        }
        if self.recent.len() >= (self.sorted.len() / 64).max(MERGE_AT_LEAST) {
            self.merge();
        }
        true
    }

    /// Moves the recent tags into the array: it grows by exactly their number, and is
    /// filled from its end, the largest recent tag first, each block of larger array
    /// tags moved once.
    fn merge(&mut self) {
        let old = self.sorted.len();
        self.sorted.reserve_exact(self.recent.len());
        self.sorted.resize(old + self.recent.len(), [0; 16]);
        // `sorted[..from]` is not yet moved, `sorted[to..]` is in place, and the gap
        // between them holds as many slots as recent tags are left.
        let (mut from, mut to) = (old, self.sorted.len());
        for &tag in self.recent.iter().rev() {
            let larger = self.sorted[..from].partition_point(|t| *t < tag);
            let gap = to - from;
            self.sorted.copy_within(larger..from, larger + gap);
            to = larger + gap - 1;
            from = larger;
            self.sorted[to] = tag;
        }
        self.recent.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tags from a small range, so some come twice, spread over the first bytes.
    fn tags(count: u64, range: u64) -> impl Iterator<Item = Tag> {
        (0..count).map(move |i| {
            let v = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) % range;
            let mut tag = [0u8; 16];
            tag[..8].copy_from_slice(&v.wrapping_mul(0xbf58_476d_1ce4_e5b9).to_be_bytes());
            tag[8..].copy_from_slice(&v.to_le_bytes());
            tag
        })
    }

    #[test]
    fn it_answers_as_a_b_tree_would_across_merges() {
        let mut set = TagSet::default();
        let mut model = BTreeSet::new();
        for tag in tags(20_000, 15_000) {
            assert_eq!(set.insert(tag), model.insert(tag));
            assert!(set.contains(&tag));
        }
        assert_eq!(set.sorted.len() + set.recent.len(), model.len());
        assert!(set.sorted.windows(2).all(|w| w[0] < w[1]));
        assert!(set.recent.len() < MERGE_AT_LEAST);
        for tag in tags(30_000, 40_000) {
            assert_eq!(set.contains(&tag), model.contains(&tag));
        }
    }

    /// The ledger's budget: a tag is 16 bytes, and an array reserved for the run never
    /// grows past the tags it holds.
    #[test]
    fn a_reserved_set_costs_sixteen_bytes_a_tag() {
        assert_eq!(size_of::<Tag>(), 16);
        let mut set = TagSet::default();
        set.reserve(5_000);
        let reserved = set.sorted.capacity();
        for tag in tags(5_000, u64::MAX) {
            set.insert(tag);
        }
        assert_eq!(set.sorted.capacity(), reserved);
        assert!(set.sorted.capacity() * size_of::<Tag>() <= 5_000 * 16 + 16);
        let mut unreserved = TagSet::default();
        for tag in tags(5_000, u64::MAX) {
            unreserved.insert(tag);
        }
        assert_eq!(unreserved.sorted.capacity(), unreserved.sorted.len());
    }
}
