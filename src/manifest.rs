//! `provsim manifest verify`: checks a customer manifest entry by entry against the
//! signer's certificate, streaming, so a manifest of any size is checked in bounded
//! memory (but for the set of device ids, to catch one listed twice).

use crate::{fail, say};
use provsim_provisioner::{signer_from_pem, verify_entry};
use provsim_scenarios::escape_unseen;
use provsim_scenarios::input::{InputKind, open_regular, read_text};
use provsim_sim::crypto::Crypto;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::ExitCode;

/// No entry is anywhere near this long (a few KiB); a longer line is not an entry.
const MAX_ENTRY_BYTES: u64 = InputKind::Manifest.bound();

pub fn verify(file: &Path, signer: &Path) -> ExitCode {
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
    let mut seen = BTreeSet::new();
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
        let Ok(text) = std::str::from_utf8(&line) else {
            break Some(format!("line {number}: not UTF-8"));
        };
        match verify_entry(&crypto, text.trim_end_matches(['\n', '\r']), &key, &der) {
            Ok(entry) if !seen.insert(entry.unique_id.clone()) => {
                break Some(format!(
                    "line {number}: device {} listed twice",
                    entry.unique_id
                ));
            }
            Ok(_) => {}
            Err(e) => break Some(format!("line {number}: {e}")),
        }
    };
    // A manifest with no entry vouches for no device: verifying it proves nothing.
    let rejected = rejected.or_else(|| {
        (number == 0)
            .then(|| "line 1: the manifest holds no entry, so it vouches for no device".to_owned())
    });
    let (text, code) = match rejected {
        None => (
            format!(
                "provsim: {}: {} entr{} verified under `{}`\n",
                file.display(),
                number,
                if number == 1 { "y" } else { "ies" },
                signer.display()
            ),
            ExitCode::SUCCESS,
        ),
        Some(why) => (
            format!(
                "provsim: {}\n",
                escape_unseen(&format!("{}: REJECTED at {why}", file.display()))
            ),
            ExitCode::from(1),
        ),
    };
    match say(&text) {
        Ok(()) => code,
        Err(e) => fail(e),
    }
}
