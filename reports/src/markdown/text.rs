//! Small wordings every section shares.

use provsim_scenarios::Verdict;

/// Escapes text for a Markdown table cell.
pub fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
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
