//! Messages in the words of whoever reads them: the parsers provsim uses (toml, serde)
//! name the Rust type a value is read into, and a scenario's author or an auditor
//! reading a verifier's verdict knows numbers and their ranges, not `u8` or `i128`.

/// Says Rust integer types in words a scenario author uses.
/// serde's messages name the Rust type a field is read into; a scenario's author knows
/// numbers, not `u8` or `i128`. Each name is replaced by what the field accepts.
pub fn plain_types(message: &str) -> String {
    const PLAIN: &[(&str, &str)] = &[
        ("expected u8", "expected an integer from 0 to 255"),
        ("expected u16", "expected an integer from 0 to 65535"),
        ("expected u32", "expected an integer from 0 to 4294967295"),
        ("expected u64", "expected a non-negative integer"),
        ("expected usize", "expected a non-negative integer"),
        ("expected i64", "expected an integer"),
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
        // toml reads an integer too large for any field as i128 first.
        (" as i128", ""),
    ];
    PLAIN
        .iter()
        .fold(message.to_owned(), |text, (rust, plain)| {
            text.replace(rust, plain)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_types_become_ranges() {
        assert_eq!(
            plain_types("invalid value: integer `300`, expected u8"),
            "invalid value: integer `300`, expected an integer from 0 to 255"
        );
        assert_eq!(
            plain_types("invalid type: integer `-1` as i128, expected u64"),
            "invalid type: integer `-1`, expected a non-negative integer"
        );
        assert_eq!(plain_types("nothing to say"), "nothing to say");
    }
}
