//! `provsim records verify`: checks a `records.jsonl` record by record against the
//! vault's key, and its closing record's count, chain and run (the verifier is the
//! provisioner's, beside the record format), streaming, in constant memory.

use crate::{fail, say_verdict};
use provsim_provisioner::{RecordsError, RecordsExpected, record_signer_from_pem, verify_records};
use provsim_scenarios::escape_unseen;
use provsim_scenarios::input::{InputKind, open_regular, read_text};
use provsim_sim::crypto::Crypto;
use provsim_sim::{Digest, to_hex};
use std::io::BufReader;
use std::path::Path;
use std::process::ExitCode;

/// Exit 0 intact, 1 rejected (naming the first bad line), 2 unreadable or not a
/// records file.
pub fn verify(file: &Path, signer: &Path, expect: Option<u64>, run: Option<Digest>) -> ExitCode {
    let signer_text = match read_text(signer, InputKind::Signer) {
        Ok(text) => text,
        Err(e) => return fail(e.into()),
    };
    let key = match record_signer_from_pem(&signer_text) {
        Ok(key) => key,
        Err(e) => return fail(anyhow::anyhow!("`{}`: {e}", signer.display())),
    };
    let reader = match open_regular(file, InputKind::Records) {
        Ok(f) => BufReader::new(f),
        Err(e) => return fail(e.into()),
    };
    let expected = RecordsExpected {
        records: expect,
        run: run.map(|run| run.0),
    };
    let (text, code) = match verify_records(reader, &Crypto::new(), &key, expected) {
        Ok(summary) => (
            format!(
                "{}: intact, {} record(s) of run {} signed by `{}`{}",
                file.display(),
                summary.records,
                to_hex(&summary.run),
                signer.display(),
                if run.is_some() {
                    ""
                } else {
                    " (no --run given: the records are this key's, but any run's under it \
                     would pass; compare the run with `run_id` in the run's report.json)"
                }
            ),
            ExitCode::SUCCESS,
        ),
        Err(RecordsError::Broken(broken)) => (
            format!("{}: REJECTED at {broken}", file.display()),
            ExitCode::from(1),
        ),
        Err(RecordsError::Io(e)) => {
            return fail(anyhow::anyhow!("cannot read `{}`: {e}", file.display()));
        }
        Err(e @ (RecordsError::NotRecords { .. } | RecordsError::Signer(_))) => {
            return fail(anyhow::anyhow!("`{}`: {e}", file.display()));
        }
    };
    // What the file held (a lot name in a reason, say) and the paths go out escaped.
    say_verdict(&format!("provsim: {}\n", escape_unseen(&text)), code)
}
