//! Characters a reader does not see but that change what they read: control characters
//! (an escape sequence drives a terminal, a newline starts a report line of its own)
//! and invisible or bidirectional formatting (a right-to-left override reorders what
//! follows it). Names are refused at the door when they hold any; whatever is echoed
//! back from a file goes out escaped.

/// Characters that change how the text around them reads without being seen: zero
/// widths, joiners, the bidirectional embeddings, overrides, isolates and marks, line
/// and paragraph separators, the soft hyphen and other invisible fillers, interlinear
/// annotation, the byte-order mark and the tag characters.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        // Unicode's default-ignorable code points: drawn as nothing, or not at all.
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
            // The other format characters (general category Cf): marks that change how
            // the text around them is shaped or numbered.
            | '\u{0600}'..='\u{0605}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{FFF9}'..='\u{FFFB}'
            // Line and paragraph separators: they break a line where none shows.
            | '\u{2028}'..='\u{2029}'
    )
}

/// `text` with every control and invisible formatting character written as its escape
/// (`\u{1b}`), so echoing what a user or a file gave cannot drive a terminal or reorder
/// what a reader sees.
pub fn escape_unseen(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || is_invisible_format(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_is_not_seen_and_keeps_the_rest() {
        assert_eq!(escape_unseen("a\u{1b}]0;x\u{7}b"), "a\\u{1b}]0;x\\u{7}b");
        assert_eq!(escape_unseen("L\u{202e}T\u{2028}"), "L\\u{202e}T\\u{2028}");
        assert_eq!(escape_unseen("Acme Sensors: ü ✓"), "Acme Sensors: ü ✓");
        assert!(is_invisible_format('\u{E0041}') && is_invisible_format('\u{00AD}'));
        // The ranges a review found passing: shaping controls, variation selectors,
        // Hangul fillers, Khmer vowels drawn as nothing, musical and shorthand formats.
        for c in [
            '\u{206E}',
            '\u{FE0F}',
            '\u{E0100}',
            '\u{115F}',
            '\u{3164}',
            '\u{FFA0}',
            '\u{17B4}',
            '\u{1D173}',
            '\u{1BCA0}',
            '\u{0600}',
        ] {
            assert!(is_invisible_format(c), "{:?}", c);
        }
        assert!(!is_invisible_format('é') && !is_invisible_format('-'));
        assert!(!is_invisible_format('é'));
    }
}
