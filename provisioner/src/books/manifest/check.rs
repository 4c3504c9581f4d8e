//! Checking a whole `manifest.jsonl`, a line at a time: every entry verified, numbered
//! 1, 2, 3, … in order, and the closing record last, signing their count and chain.
//! The check keeps a count, the running chain and at most one gap, never anything per
//! entry, so a manifest of any size is checked in the same small memory.
//!
//! Where the order breaks it says so at that line: an entry's signed `entryNumber` is
//! its place, so line 3 holding entry 5 is where entries went missing or moved. To tell
//! which, the check reads on for entry 3: found further down, the entries were
//! reordered; never found, it was removed. Entries removed from the end, or the closing
//! record with them, are caught by the closing record's count, or by its absence.

use crate::books::manifest::closing::{
    CLOSING_TYP, ManifestChain, VerifiedClosing, verify_closing,
};
use crate::books::manifest::entry::verify_parsed;
use crate::books::manifest::jws::SignedLine;
use provsim_sim::Digest;
use provsim_sim::crypto::{Crypto, PublicKey};
use std::fmt;

/// Why a manifest is rejected, and where: a line, or (`None`) its end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ManifestRejection {
    pub line: Option<u64>,
    pub reason: String,
}

impl fmt::Display for ManifestRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.reason),
            None => write!(f, "the end: {}", self.reason),
        }
    }
}

fn at(line: u64, reason: String) -> ManifestRejection {
    ManifestRejection {
        line: Some(line),
        reason,
    }
}

/// A manifest that verified: its entries, the line of its closing record and the run
/// that record names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManifestSummary {
    pub entries: u64,
    pub closing_line: u64,
    pub run: Digest,
}

/// What the caller knows the manifest must be: how many entries it holds (e.g.
/// `devices.count` in report.json), and which run wrote it (`run_id`). Every run at one
/// seed signs with the same vault key, so without the run another run's manifest passes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ManifestExpect {
    pub entries: Option<u64>,
    pub run: Option<Digest>,
}

/// The first line whose entry is not the next one: it holds entry `found` where
/// `expected` belongs.
#[derive(Debug, Clone, Copy)]
struct Gap {
    line: u64,
    expected: u64,
    found: u64,
}

impl Gap {
    fn moved_to(self, line: u64) -> ManifestRejection {
        at(
            self.line,
            format!(
                "entries out of order: entry {} belongs here but is at line {line} (line {} holds entry {})",
                self.expected, self.line, self.found
            ),
        )
    }

    fn missing(self) -> ManifestRejection {
        at(
            self.line,
            format!(
                "entry {} is missing (removed): line {} holds entry {}",
                self.expected, self.line, self.found
            ),
        )
    }
}

/// The state of a manifest being checked line by line.
pub struct ManifestCheck<'a> {
    crypto: &'a Crypto,
    signer: &'a PublicKey,
    signer_der: &'a [u8],
    chain: ManifestChain,
    lines: u64,
    closing: Option<(u64, VerifiedClosing)>,
    gap: Option<Gap>,
}

impl<'a> ManifestCheck<'a> {
    /// A check against the signer's key and certificate (DER).
    pub fn new(crypto: &'a Crypto, signer: &'a PublicKey, signer_der: &'a [u8]) -> Self {
        ManifestCheck {
            crypto,
            signer,
            signer_der,
            chain: ManifestChain::new(),
            lines: 0,
            closing: None,
            gap: None,
        }
    }

    /// Checks the next line (without its line break, `\n`). `Some` when the manifest is
    /// rejected: reading on would not change that.
    pub fn line(&mut self, text: &str) -> Option<ManifestRejection> {
        self.lines += 1;
        let number = self.lines;
        if let Some(gap) = self.gap {
            return self.look_for(gap, number, text);
        }
        if let Some((closing, _)) = self.closing {
            return Some(at(
                number,
                format!(
                    "a line after the closing record (line {closing}): the closing record is the last line, so this was added"
                ),
            ));
        }
        if text.ends_with('\r') {
            // JSON takes the CR for white space, but the line never writes one: a CRLF
            // line is a rewritten one.
            return Some(at(
                number,
                "the line ends in CR (a CRLF line break): not the bytes the line wrote".to_owned(),
            ));
        }
        let jws = match SignedLine::parse(text) {
            Ok(jws) => jws,
            Err(e) => return Some(at(number, e.to_string())),
        };
        if jws.typ() == Some(CLOSING_TYP) {
            return match verify_closing(self.crypto, &jws, self.signer, self.signer_der) {
                Ok(closing) => self.close(number, closing),
                Err(e) => Some(at(number, format!("the closing record: {e}"))),
            };
        }
        let entry = match verify_parsed(self.crypto, &jws, self.signer, self.signer_der) {
            Ok(entry) => entry,
            Err(e) => return Some(at(number, e.to_string())),
        };
        let expected = self.chain.next_number();
        if entry.number > expected {
            self.gap = Some(Gap {
                line: number,
                expected,
                found: entry.number,
            });
            return None;
        }
        if entry.number < expected {
            // Every entry before this line was in its place: entry n is at line n.
            return Some(at(
                number,
                format!(
                    "entry {} again (it is at line {}): an entry repeated or moved back",
                    entry.number, entry.number
                ),
            ));
        }
        self.chain.push(self.crypto, &jws.signing_input());
        None
    }

    /// Marks the current line as unreadable text (not UTF-8).
    pub fn unreadable(&mut self) -> Option<ManifestRejection> {
        self.lines += 1;
        match self.gap {
            Some(_) => None,
            None => Some(at(self.lines, "not UTF-8".to_owned())),
        }
    }

    /// Past a gap, only the entry that belongs there matters: found, the entries were
    /// reordered; the closing record reached first, it was removed.
    fn look_for(&self, gap: Gap, number: u64, text: &str) -> Option<ManifestRejection> {
        let jws = SignedLine::parse(text).ok()?;
        if jws.typ() == Some(CLOSING_TYP) {
            return Some(gap.missing());
        }
        match verify_parsed(self.crypto, &jws, self.signer, self.signer_der) {
            Ok(entry) if entry.number == gap.expected => Some(gap.moved_to(number)),
            _ => None,
        }
    }

    /// The closing record at line `number`: it must sign exactly the entries before it.
    fn close(&mut self, number: u64, closing: VerifiedClosing) -> Option<ManifestRejection> {
        let read = self.chain.count();
        if closing.entries > read {
            let removed = if closing.entries == read + 1 {
                format!("entry {} was removed", closing.entries)
            } else {
                format!("entries {} to {} were removed", read + 1, closing.entries)
            };
            return Some(at(
                number,
                format!(
                    "the closing record signs {} entries, but the entries before it end at entry {read}: {removed}",
                    closing.entries
                ),
            ));
        }
        if closing.entries < read {
            return Some(at(
                number,
                format!(
                    "the closing record signs {} entries, but {read} come before it: it closes another manifest, or entries were added",
                    closing.entries
                ),
            ));
        }
        if closing.chain != self.chain.head() {
            return Some(at(
                number,
                format!(
                    "the {read} entries before the closing record are not the ones it signs (the chain differs): an entry was replaced by one signed for another manifest"
                ),
            ));
        }
        self.closing = Some((number, closing));
        None
    }

    /// The verdict once every line is read, against what the caller knows.
    pub fn finish(self, expect: ManifestExpect) -> Result<ManifestSummary, ManifestRejection> {
        if let Some(gap) = self.gap {
            return Err(gap.missing());
        }
        let no_entry = "the manifest holds no entry, so it vouches for no device".to_owned();
        let Some((line, closing)) = self.closing else {
            return Err(match self.lines {
                0 => at(1, no_entry),
                lines => ManifestRejection {
                    line: None,
                    reason: format!(
                        "no closing record after line {lines}: the manifest was cut, or its closing record removed"
                    ),
                },
            });
        };
        if closing.entries == 0 {
            return Err(at(line, no_entry));
        }
        if let Some(expected) = expect.run.filter(|&run| run != closing.run) {
            return Err(at(
                line,
                format!(
                    "the closing record names run {} where run {expected} was expected: another run's manifest",
                    closing.run
                ),
            ));
        }
        if let Some(expected) = expect.entries.filter(|&n| n != closing.entries) {
            return Err(at(
                line,
                format!(
                    "the closing record signs {} entries where {expected} were expected",
                    closing.entries
                ),
            ));
        }
        Ok(ManifestSummary {
            entries: closing.entries,
            closing_line: line,
            run: closing.run,
        })
    }
}

#[cfg(test)]
#[path = "check_tests.rs"]
mod tests;
