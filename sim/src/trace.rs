//! Canonical traces and the run digest.
//!
//! A trace is not kept in memory: each record is encoded one fixed way and folded into a
//! running SHA-256, so a trace costs the same whatever the lot size. Two runs did the same
//! thing exactly when their digests are equal.

use crate::hash::Sha256;
use crate::hex::Hex;
use crate::time::SimTime;
use std::fmt;

/// A SHA-256 digest of a trace or of a whole run.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest(pub [u8; 32]);

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Hex(&self.0).fmt(f)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

/// One field of a trace record. Only public material belongs here: a key appears as its
/// fingerprint, never as its bytes.
#[derive(Debug, Clone, Copy)]
pub enum Field<'a> {
    U64(u64),
    Bool(bool),
    Str(&'a str),
    Bytes(&'a [u8]),
}

/// The canonical, streamed trace of one actor (the site, or one device).
///
/// Record encoding: time (u64 BE), kind (u16 BE length + UTF-8), field count (u16 BE),
/// then per field its name (u16 BE length + UTF-8), a tag byte and the value (u64 BE;
/// one byte; u32 BE length + bytes). Lengths are written, so no two different records
/// encode the same.
#[derive(Clone)]
pub struct Trace {
    hasher: Sha256,
    records: u64,
    journal: Option<Vec<String>>,
}

impl Default for Trace {
    fn default() -> Self {
        Self::new()
    }
}

fn put_short(hasher: &mut Sha256, bytes: &[u8]) {
    // Kinds and field names are short identifiers chosen in code; longer ones are cut
    // rather than allowed to wrap the length.
    let len = bytes.len().min(u16::MAX as usize);
    hasher.update(&(len as u16).to_be_bytes());
    hasher.update(&bytes[..len]);
}

fn put_long(hasher: &mut Sha256, bytes: &[u8]) {
    let len = bytes.len().min(u32::MAX as usize);
    hasher.update(&(len as u32).to_be_bytes());
    hasher.update(&bytes[..len]);
}

impl Trace {
    pub fn new() -> Self {
        Trace {
            hasher: Sha256::new(),
            records: 0,
            journal: None,
        }
    }

    /// A trace that also keeps the kind of every record, in order, for tests and
    /// debugging that ask "did the wipe come before the state change?". Normal runs keep
    /// only the digest, so memory does not grow with the run.
    pub fn journaling() -> Self {
        Trace {
            journal: Some(Vec::new()),
            ..Trace::new()
        }
    }

    /// The kinds recorded so far, if this trace keeps a journal.
    pub fn kinds(&self) -> impl Iterator<Item = &str> {
        self.journal.iter().flatten().map(String::as_str)
    }

    /// Appends one record.
    pub fn record(&mut self, at: SimTime, kind: &str, fields: &[(&str, Field<'_>)]) {
        let h = &mut self.hasher;
        h.update(&at.as_nanos().to_be_bytes());
        put_short(h, kind.as_bytes());
        h.update(&(fields.len().min(u16::MAX as usize) as u16).to_be_bytes());
        for (name, value) in fields.iter().take(u16::MAX as usize) {
            put_short(h, name.as_bytes());
            match *value {
                Field::U64(v) => {
                    h.update(&[0]);
                    h.update(&v.to_be_bytes());
                }
                Field::Bool(v) => h.update(&[1, u8::from(v)]),
                Field::Str(s) => {
                    h.update(&[2]);
                    put_long(h, s.as_bytes());
                }
                Field::Bytes(b) => {
                    h.update(&[3]);
                    put_long(h, b);
                }
            }
        }
        self.records += 1;
        if let Some(journal) = &mut self.journal {
            journal.push(kind.to_owned());
        }
    }

    /// Records appended so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// The digest of everything recorded so far, over the record count and the records.
    pub fn digest(&self) -> Digest {
        let mut h = self.hasher.clone();
        h.update(&self.records.to_be_bytes());
        Digest(h.finalize())
    }
}

impl fmt::Debug for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Trace {{ records: {}, digest: {} }}",
            self.records,
            self.digest()
        )
    }
}

/// The run's digest: SHA-256 over the site's trace digest followed by each device's trace
/// digest in device order. Each part can be computed on its own (in parallel, in shards)
/// and folded here in order.
pub fn run_digest<'a>(site: &Digest, devices: impl IntoIterator<Item = &'a Digest>) -> Digest {
    let mut digest = RunDigest::new(site);
    for device in devices {
        digest.device(device);
    }
    digest.finish()
}

/// [`run_digest`], fed one device at a time: for a run whose device digests are read
/// back from its ledger instead of held in memory. The site's digest comes first, so
/// the devices' can only be folded once it is known.
pub struct RunDigest(Sha256);

impl RunDigest {
    pub fn new(site: &Digest) -> Self {
        let mut h = Sha256::new();
        h.update(&site.0);
        RunDigest(h)
    }

    /// Folds in the next device's trace digest, in device order.
    pub fn device(&mut self, device: &Digest) {
        self.0.update(&device.0);
    }

    pub fn finish(self) -> Digest {
        Digest(self.0.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(trace: &mut Trace, value: u64) {
        trace.record(
            SimTime::from_nanos(5),
            "fuse-write",
            &[("bit", Field::U64(value))],
        );
    }

    #[test]
    fn equal_histories_have_equal_digests() {
        let (mut a, mut b) = (Trace::new(), Trace::new());
        sample(&mut a, 1);
        sample(&mut b, 1);
        assert_eq!(a.digest(), b.digest());
        assert_eq!(a.records(), 1);
    }

    #[test]
    fn any_change_changes_the_digest() {
        let mut base = Trace::new();
        sample(&mut base, 1);
        let mut other_value = Trace::new();
        sample(&mut other_value, 2);
        let mut other_time = Trace::new();
        other_time.record(
            SimTime::from_nanos(6),
            "fuse-write",
            &[("bit", Field::U64(1))],
        );
        let mut empty_and_more = Trace::new();
        sample(&mut empty_and_more, 1);
        sample(&mut empty_and_more, 1);
        let digests = [
            base.digest(),
            other_value.digest(),
            other_time.digest(),
            empty_and_more.digest(),
            Trace::new().digest(),
        ];
        for (i, a) in digests.iter().enumerate() {
            for b in &digests[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        let mut a = Trace::new();
        a.record(SimTime::ZERO, "k", &[("ab", Field::Str("c"))]);
        let mut b = Trace::new();
        b.record(SimTime::ZERO, "k", &[("a", Field::Str("bc"))]);
        assert_ne!(a.digest(), b.digest());
    }

    #[test]
    fn the_run_digest_is_the_sha256_of_the_site_then_each_device() {
        let site = Digest([9; 32]);
        let devices: Vec<Digest> = (0..5u8).map(|i| Digest([i; 32])).collect();
        let mut whole = site.0.to_vec();
        for device in &devices {
            whole.extend_from_slice(&device.0);
        }
        let expected = Digest(Sha256::digest(&whole));
        assert_eq!(run_digest(&site, &devices), expected);
        let mut folded = RunDigest::new(&site);
        for device in &devices {
            folded.device(device);
        }
        assert_eq!(folded.finish(), expected);
        assert_eq!(run_digest(&site, &[]), Digest(Sha256::digest(&site.0)));
    }

    #[test]
    fn run_digest_depends_on_device_order() {
        let site = Digest([0; 32]);
        let (d1, d2) = (Digest([1; 32]), Digest([2; 32]));
        assert_ne!(run_digest(&site, [&d1, &d2]), run_digest(&site, [&d2, &d1]));
    }
}
