//! `provsim audit verify`: checks an audit log from its bytes, streaming, and with the
//! vault's certificate (`--signer`) checks the vault's signed checkpoints and closing
//! record, which is what catches a log rewritten and re-hashed by hand, and with the
//! run's id (`--run`) that the log is that run's.

use crate::{fail, say_verdict};
use provsim_provisioner::{AuditError, signer_from_pem, verify_log};
use provsim_scenarios::escape_unseen;
use provsim_scenarios::input::{InputKind, open_regular, read_text};
use provsim_sim::Digest;
use provsim_sim::crypto::PublicKey;
use std::path::Path;
use std::process::ExitCode;

/// The signer's public key from its PEM certificate: a certificate that cannot be read
/// is bad input (exit 2), not a verdict on the log.
fn signer_key(signer: &Path) -> anyhow::Result<PublicKey> {
    let text = read_text(signer, InputKind::Certificate)?;
    let (key, _) =
        signer_from_pem(&text).map_err(|e| anyhow::anyhow!("`{}`: {e}", signer.display()))?;
    Ok(key)
}

/// What an intact log was checked against, for the verdict line.
fn checked_against(head: Option<Digest>, signer: Option<(&Path, u64)>) -> String {
    match (signer, head) {
        (Some((path, checkpoints)), _) => format!(
            "; {checkpoints} checkpoint(s) and the closing record signed by `{}`{}",
            path.display(),
            if head.is_some() {
                ", and the head given"
            } else {
                ""
            }
        ),
        (None, Some(_)) => String::new(),
        (None, None) => " (no --signer or --head given: a log rewritten and re-hashed by hand \
                          would look the same; --signer with the run's pki/vault-certificate.pem \
                          checks the vault's signed checkpoints)"
            .to_owned(),
    }
}

/// The run the log opens, for the verdict line.
fn run_named(run: Option<Digest>) -> String {
    run.map_or_else(
        || "opens no run (no `run-opened` record)".to_owned(),
        |run| format!("run {run}"),
    )
}

pub fn verify(
    file: &Path,
    head: Option<Digest>,
    signer: Option<&Path>,
    run: Option<Digest>,
) -> ExitCode {
    let key = match signer.map(signer_key).transpose() {
        Ok(key) => key,
        Err(e) => return fail(e),
    };
    let reader = match open_regular(file, InputKind::AuditLog) {
        Ok(f) => std::io::BufReader::new(f),
        Err(e) => return fail(e.into()),
    };
    let (text, code) = match verify_log(reader, head, key.as_ref(), run) {
        Ok(summary) => (
            format!(
                "provsim: {}\n",
                escape_unseen(&format!(
                    "{}: intact, {} record(s), {}, head {}{}",
                    file.display(),
                    summary.records,
                    run_named(summary.run),
                    summary.head,
                    checked_against(head, signer.map(|s| (s, summary.checkpoints)))
                ))
            ),
            ExitCode::SUCCESS,
        ),
        Err(AuditError::Broken(broken)) => (
            format!(
                "provsim: {}\n",
                escape_unseen(&format!("{}: TAMPERED at {broken}", file.display()))
            ),
            ExitCode::from(1),
        ),
        Err(AuditError::Io(e)) => {
            return fail(anyhow::anyhow!("cannot read `{}`: {e}", file.display()));
        }
        Err(e @ (AuditError::NotALog { .. } | AuditError::NotAnAuditLog)) => {
            return fail(anyhow::anyhow!("`{}`: {e}", file.display()));
        }
    };
    say_verdict(&text, code)
}
