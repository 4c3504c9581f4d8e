//! `provsim manifest verify`: checks a customer manifest (`manifest.jsonl`) against the
//! signer's certificate: every entry, their count and order against the signed closing
//! record, and optionally the count and the run the caller expects. Streaming, in the same small
//! memory whatever the manifest's size: the check keeps a count and a running chain.

use crate::{fail, say_verdict};
use provsim_provisioner::{ManifestCheck, ManifestExpect, jws_shaped, signer_from_pem};
use provsim_scenarios::escape_unseen;
use provsim_scenarios::input::{InputKind, open_regular, read_text};
use provsim_sim::crypto::Crypto;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::ExitCode;

/// No entry is anywhere near this long (a few KiB); a longer line is not an entry.
const MAX_ENTRY_BYTES: u64 = InputKind::Manifest.bound();

pub fn verify(file: &Path, signer: &Path, expect: ManifestExpect) -> ExitCode {
    let signer_text = match read_text(signer, InputKind::Certificate) {
        Ok(text) => text,
        Err(e) => return fail(e.into()),
    };
    let (key, der) = match signer_from_pem(&signer_text) {
        Ok(signer) => signer,
        Err(e) => return fail(anyhow::anyhow!("`{}`: {e}", signer.display())),
    };
    let mut reader = match open_regular(file, InputKind::Manifest) {
        Ok(f) => BufReader::new(f),
        Err(e) => return fail(e.into()),
    };
    let crypto = Crypto::new();
    let mut check = ManifestCheck::new(&crypto, &key, &der);
    let mut number = 0u64;
    let mut line = Vec::new();
    let rejected = loop {
        line.clear();
        let read = (&mut reader)
            .take(MAX_ENTRY_BYTES + 1)
            .read_until(b'\n', &mut line);
        match read {
            Ok(0) => break None,
            Ok(_) => {}
            Err(e) => return fail(anyhow::anyhow!("cannot read `{}`: {e}", file.display())),
        }
        number += 1;
        if line.len() as u64 > MAX_ENTRY_BYTES {
            // No entry comes near this: the file is not a manifest, so there is no
            // verdict on one.
            return fail(anyhow::anyhow!(
                "`{}`: line {number} is longer than the {MAX_ENTRY_BYTES} bytes any entry takes: not a manifest",
                file.display()
            ));
        }
        if number == 1 && line.trim_ascii_start().starts_with(b"[") {
            // Microchip's layout: the same entries, but no closing record to check
            // their count and order against.
            return fail(anyhow::anyhow!(
                "`{}` is a JSON array (the manifest in Microchip's layout, `manifest.json`): \
                 verify `manifest.jsonl` beside it, whose closing record signs the count and order",
                file.display()
            ));
        }
        // One line break, as the line writes it; a CR before it is the check's to judge.
        let text = std::str::from_utf8(&line).map(|t| t.strip_suffix('\n').unwrap_or(t));
        if number == 1 && !text.is_ok_and(|t| jws_shaped(t.trim_end_matches('\r'))) {
            // Not even meant as a signed line: an audit log, records, a report, a PEM.
            return fail(anyhow::anyhow!(
                "`{}` is not a manifest: its first line is not a flattened JWS (a JSON object \
                 with `protected`, `payload` and `signature`)",
                file.display()
            ));
        }
        let step = match text {
            Ok(text) => check.line(text),
            Err(_) => check.unreadable(),
        };
        if step.is_some() {
            break step;
        }
    };
    let verdict = match rejected {
        Some(rejection) => Err(rejection),
        None => check.finish(expect),
    };
    let (text, code) = match verdict {
        Ok(summary) => (
            format!(
                "provsim: {}: {} entr{} verified under `{}`, in order, as the closing record (line {}) of run {} signs{}\n",
                file.display(),
                summary.entries,
                if summary.entries == 1 { "y" } else { "ies" },
                signer.display(),
                summary.closing_line,
                summary.run,
                if expect != ManifestExpect::default() {
                    ", as expected"
                } else {
                    ""
                },
            ),
            ExitCode::SUCCESS,
        ),
        Err(why) => (
            format!(
                "provsim: {}\n",
                escape_unseen(&format!("{}: REJECTED at {why}", file.display()))
            ),
            ExitCode::from(1),
        ),
    };
    say_verdict(&text, code)
}
