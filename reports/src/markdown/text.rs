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

/// A title or other author's text that sits on a line of its own: [`inline`], and what
/// would start a block there (a list, a numbered list, a rule or setext heading) is
/// escaped too.
pub fn paragraph(text: &str) -> String {
    let text = inline(text.trim_start());
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    match text.chars().next() {
        Some('-' | '+' | '=') => format!("\\{text}"),
        Some(_) if digits > 0 && matches!(text[digits..].chars().next(), Some('.' | ')')) => {
            format!("{}\\{}", &text[..digits], &text[digits..])
        }
        _ => text,
    }
}

/// `text` as a Markdown code span in a table cell: the fence is one backtick longer
/// than the longest run inside, so the text cannot close it, and pipes are escaped as a
/// table needs even inside code.
pub fn code(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if longest > 0 { " " } else { "" };
    format!("{fence}{pad}{}{pad}{fence}", cell(text))
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
