//! Small wordings every section shares.

use provsim_scenarios::Verdict;

/// Escapes text for a Markdown table cell.
pub fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace(|c: char| c.is_control(), " ")
}

/// Text a scenario's author wrote (a title, a name), as plain Markdown text: every
/// character Markdown or HTML would act on is escaped, and line breaks become spaces,
/// so it can neither start a heading nor close a table, a tag or a link. The loader
/// already refuses control characters there; this holds even if it did not.
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn seconds(nanos: u64) -> String {
    format!(
        "{}.{:03} s",
        nanos / 1_000_000_000,
        (nanos % 1_000_000_000) / 1_000_000
    )
}

pub fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Holds => "holds",
        Verdict::Broken => "**BROKEN**",
        Verdict::Inconclusive => "inconclusive",
    }
}

pub fn or_dash(list: &[String]) -> String {
    if list.is_empty() {
        "-".to_owned()
    } else {
        list.join(", ")
    }
}

pub fn open_closed(open: bool) -> &'static str {
    if open { "**open**" } else { "closed" }
}
