//! The scenario as written, reduced to what it says: a digest over its TOML values in
//! one canonical encoding. Comments, spacing, key order, quoting and digit separators
//! (`1_000` or `1000`) do not change it; any value that differs does (so does `1` against
//! `1.0`, or a default written out: the digest errs towards telling inputs apart, never
//! towards taking two for one). The file's own `seed` is left out: the run folds in the
//! seed it actually used. The run folds the digest into the trace digest, so two runs of
//! one build whose inputs differ in anything that can change an output never share one.

use provsim_sim::Digest;
use provsim_sim::crypto::Sha256;
use toml::{Table, Value};

/// The digest of scenario text; an error if it is not TOML (the loader has refused
/// such text before asking).
pub(crate) fn input_digest(text: &str) -> Result<Digest, toml::de::Error> {
    let mut table: Table = toml::from_str(text)?;
    if let Some(Value::Table(scenario)) = table.get_mut("scenario") {
        scenario.remove("seed");
    }
    let mut hash = Sha256::new();
    hash.update(b"provsim scenario v1\0");
    table_into(&mut hash, &table);
    Ok(Digest(hash.finalize()))
}

/// Every item is a type tag and, where its size varies, a length first: no two
/// different documents encode to the same bytes.
fn bytes_into(hash: &mut Sha256, tag: u8, bytes: &[u8]) {
    hash.update(&[tag]);
    hash.update(&(bytes.len() as u64).to_be_bytes());
    hash.update(bytes);
}

fn table_into(hash: &mut Sha256, table: &Table) {
    hash.update(b"t");
    hash.update(&(table.len() as u64).to_be_bytes());
    // A table's keys iterate sorted (toml's map is ordered by key without its
    // `preserve_order` feature), so the order a file writes them in does not count.
    for (key, value) in table {
        bytes_into(hash, b'k', key.as_bytes());
        value_into(hash, value);
    }
}

fn value_into(hash: &mut Sha256, value: &Value) {
    match value {
        Value::String(s) => bytes_into(hash, b's', s.as_bytes()),
        Value::Integer(i) => bytes_into(hash, b'i', &i.to_be_bytes()),
        Value::Float(f) => bytes_into(hash, b'f', &f.to_bits().to_be_bytes()),
        Value::Boolean(b) => bytes_into(hash, b'b', &[u8::from(*b)]),
        Value::Datetime(d) => bytes_into(hash, b'd', d.to_string().as_bytes()),
        Value::Array(items) => {
            hash.update(b"a");
            hash.update(&(items.len() as u64).to_be_bytes());
            for item in items {
                value_into(hash, item);
            }
        }
        Value::Table(table) => table_into(hash, table),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(text: &str) -> Digest {
        input_digest(text).expect("valid TOML")
    }

    #[test]
    fn the_files_seed_is_left_to_the_run() {
        let seeded = digest("[scenario]\nname = \"a\"\nseed = 7\n");
        assert_eq!(seeded, digest("[scenario]\nname = \"a\"\nseed = 1\n"));
        assert_eq!(seeded, digest("[scenario]\nname = \"a\"\n"));
        assert_ne!(seeded, digest("[scenario]\nname = \"b\"\nseed = 7\n"));
        // Only the scenario's own seed: a seed elsewhere is a value like any other.
        assert_ne!(digest("[x]\nseed = 1\n"), digest("[x]\nseed = 2\n"));
    }

    #[test]
    fn layout_does_not_count_and_values_do() {
        let base = digest("[a]\nx = 1000\ny = \"LOT-1\"\n");
        assert_eq!(base, digest("# note\n[a]\ny = 'LOT-1'\nx = 1_000 # same\n"));
        assert_eq!(base, digest("a = { x = 1000, y = \"LOT-1\" }"));
        assert_ne!(base, digest("[a]\nx = 1000\ny = \"LOT-2\"\n"));
        assert_ne!(base, digest("[a]\nx = 1001\ny = \"LOT-1\"\n"));
        assert_ne!(base, digest("[a]\nx = 1000.0\ny = \"LOT-1\"\n"));
        assert_ne!(base, digest("[b]\nx = 1000\ny = \"LOT-1\"\n"));
        // Nesting and splitting are told apart.
        assert_ne!(digest("a = [\"xy\"]"), digest("a = [\"x\", \"y\"]"));
        assert_ne!(digest("a = [[1], []]"), digest("a = [[], [1]]"));
    }
}
