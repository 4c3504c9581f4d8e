//! Where a scenario error points, and the wording shared by every section's errors.

use crate::error::ScenarioError;
use std::ops::Range;
use toml::Spanned;

/// Turns byte offsets into 1-based line and column (in characters).
pub struct Locator<'a> {
    pub text: &'a str,
    pub file: &'a str,
}

/// What an "unknown" value could have been, as its error says it.
#[derive(Debug, Clone, Copy)]
pub enum Expected<'a> {
    /// `unknown X `v`, expected one of: a, b, c`: for lists that grow (the catalogues).
    OneOf(&'a [&'a str]),
    /// `unknown X `v`, expected <words>`: for a short fixed list or a range.
    Words(&'a str),
    /// `unknown X "v"; known: a, b, c`: the countermeasures' own wording.
    Known(&'a [&'a str]),
}

impl Locator<'_> {
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> ScenarioError {
        let offset = span.start.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        ScenarioError::At {
            file: self.file.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    pub fn at<T>(&self, value: &Spanned<T>, message: impl Into<String>) -> ScenarioError {
        self.error(value.span(), message)
    }

    /// The one error for a name that is not on its list: `what` is the kind of thing
    /// (`attack`, `lock step`), `expected` what would have been accepted.
    pub fn unknown(
        &self,
        value: &Spanned<String>,
        what: &str,
        expected: Expected<'_>,
    ) -> ScenarioError {
        let given = value.get_ref();
        let message = match expected {
            Expected::OneOf(known) => {
                format!(
                    "unknown {what} `{}`, expected one of: {}",
                    given.escape_debug(),
                    known.join(", ")
                )
            }
            Expected::Words(words) => {
                format!(
                    "unknown {what} `{}`, expected {words}",
                    given.escape_debug()
                )
            }
            Expected::Known(known) => {
                format!("unknown {what} {given:?}; known: {}", known.join(", "))
            }
        };
        self.at(value, message)
    }

    /// A name that goes into a certificate subject: not empty, at most `max`
    /// characters, no control characters, no invisible or bidirectional formatting.
    pub fn check_name(
        &self,
        value: &Spanned<String>,
        what: &str,
        max: usize,
    ) -> Result<(), ScenarioError> {
        self.check_text(value, what, max, "fit a certificate subject")
    }

    /// Text a user wrote that reports, records or certificates carry: not empty, at
    /// most `max` characters (`fits` says what the bound is for), and nothing that
    /// could change what a reader sees around it: no control characters (a newline
    /// would start a heading of its own in a report), no invisible or bidirectional
    /// formatting (a right-to-left override reorders what follows it).
    pub fn check_text(
        &self,
        value: &Spanned<String>,
        what: &str,
        max: usize,
        fits: &str,
    ) -> Result<(), ScenarioError> {
        let name = value.get_ref();
        if name.trim().is_empty() {
            return Err(self.at(value, format!("{what} must not be empty")));
        }
        if name.trim() != name {
            return Err(self.at(
                value,
                format!("{what} must not start or end with spaces (two names would look the same)"),
            ));
        }
        if name.chars().count() > max {
            return Err(self.at(
                value,
                format!(
                    "{what} is {} characters; at most {max} {fits}",
                    name.chars().count()
                ),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(self.at(value, format!("{what} must not contain control characters")));
        }
        if let Some(c) = name
            .chars()
            .find(|c| crate::unseen::is_invisible_format(*c))
        {
            return Err(self.at(
                value,
                format!(
                    "{what} must not contain invisible or bidirectional formatting characters (U+{:04X})",
                    u32::from(c)
                ),
            ));
        }
        Ok(())
    }
}
