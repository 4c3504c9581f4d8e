//! The vault's word on the log so far: what a checkpoint or the closing record states,
//! the one message the vault signs for it, and the check a verifier holding the vault's
//! certificate makes of it.
//!
//! Both state `records=K head=H signature=S`: `head` is the chain head before the
//! record (its own `prev`), `signature` the vault's low-S ECDSA P-256 signature (DER,
//! hex) over the ASCII message `<domain> seq=N at_ns=T records=K head=H`, `N` and `T`
//! being the record's own `seq` and `at_ns`. A checkpoint's `records` is the count of
//! records before it (its own `seq`); the closing record's counts the whole log, itself
//! included, as it always has. The two domains differ, so a checkpoint's signature
//! never passes for a closing record's: a log cut at a checkpoint cannot be closed
//! again with it.
//!
//! Every field of a signed record's line is fixed by signed data: `seq`, `at_ns`,
//! `prev` and the statement are signed, the actor (`vault` for a checkpoint, `site`
//! for the closing record) and the null device are fixed, and the detail must be the
//! one canonical text, so nothing in the line can be edited (and re-hashed) unnoticed.

use provsim_sim::crypto::{Crypto, PublicKey, Signature};
use provsim_sim::{Digest, to_hex};

/// The action of a checkpoint record.
pub const CHECKPOINT_ACTION: &str = "audit-checkpoint";

/// The line writes a checkpoint once this many records have been written since the last
/// one (or since the log began), at the next point where no device is on the station.
/// A device leaves about 14 records, so a 300-device lot (about 4,200 records) gets
/// about 15 checkpoints, one vault signature per 20 devices or so against the four or
/// more each device costs; eight devices (about 120 records) get none, only the signed
/// closing record.
pub const CHECKPOINT_EVERY: u64 = 256;

/// Signed message domain of a checkpoint.
const CHECKPOINT_DOMAIN: &str = "provsim audit checkpoint v2";
/// Signed message domain of the closing record.
const CLOSING_DOMAIN: &str = "provsim audit closed v2";

/// Which of the two signed records a statement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vouch {
    Checkpoint,
    Closing,
}

impl Vouch {
    fn domain(self) -> &'static str {
        match self {
            Vouch::Checkpoint => CHECKPOINT_DOMAIN,
            Vouch::Closing => CLOSING_DOMAIN,
        }
    }

    /// The actor the record is written by: nothing else passes.
    pub fn actor(self) -> &'static str {
        match self {
            Vouch::Checkpoint => "vault",
            Vouch::Closing => "site",
        }
    }

    /// The record, in messages.
    pub(super) fn name(self) -> &'static str {
        match self {
            Vouch::Checkpoint => "the checkpoint",
            Vouch::Closing => "the closing record",
        }
    }
}

/// Where a signed record stands: its own `seq` and `at_ns`, both signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub seq: u64,
    pub at_ns: u64,
}

/// What the vault signs for a record of kind `vouch` at `stamp` stating `records` and
/// `head`.
pub fn signed_message(vouch: Vouch, stamp: Stamp, records: u64, head: &Digest) -> String {
    format!(
        "{} seq={} at_ns={} records={records} head={}",
        vouch.domain(),
        stamp.seq,
        stamp.at_ns,
        to_hex(&head.0)
    )
}

/// The record's detail, its statement and the signature over it.
pub(super) fn detail(records: u64, head: &Digest, signature: &Signature) -> String {
    format!(
        "records={records} head={} signature={}",
        to_hex(&head.0),
        to_hex(signature.as_der())
    )
}

/// A statement as a record's detail gives it.
struct Statement {
    records: u64,
    head: String,
    signature: String,
}

/// A count as the log writes one: decimal digits, no sign, no leading zero (but `0`).
fn parse_count(text: &str) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten()
}

/// `records=K head=H signature=S`, exactly. The closing record of a log written before
/// the books were signed says only `records=N`: it reads as unsigned.
fn parse(detail: &str) -> Result<Statement, String> {
    let mut fields = detail.split(' ');
    let mut field = |name: &str| {
        fields
            .next()
            .and_then(|f| f.strip_prefix(name)?.strip_prefix('='))
            .map(str::to_owned)
    };
    let records = field("records").and_then(|n| parse_count(&n));
    let (head, signature) = (field("head"), field("signature"));
    match (records, head, signature, fields.next()) {
        (Some(records), Some(head), Some(signature), None) => Ok(Statement {
            records,
            head,
            signature,
        }),
        (Some(_), None, None, None) => Err("carries no signature".to_owned()),
        _ => Err("is not `records=K head=H signature=S`".to_owned()),
    }
}

/// The count a closing record states (`records=N`, first, written as the log writes
/// counts), signed or not: what a verifier without the signer checks.
pub(super) fn closing_count(detail: &str) -> Option<u64> {
    parse_count(detail.split(' ').next()?.strip_prefix("records=")?)
}

/// Lower-case hex to bytes; `None` for anything else.
fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2)
        || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A signed record's line, as the verifier read it.
#[derive(Debug, Clone, Copy)]
pub(super) struct SignedLine<'a> {
    pub stamp: Stamp,
    pub actor: &'a str,
    pub device: Option<&'a str>,
    pub detail: &'a str,
}

/// Why a signed record does not hold, completing "<the checkpoint> ...".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Refusal {
    pub why: String,
    /// The signature verified over the statement, so the records before the record are
    /// vouched for; only the record's own line is wrong.
    pub signed: bool,
}

fn unsigned(why: impl Into<String>) -> Refusal {
    Refusal {
        why: why.into(),
        signed: false,
    }
}

/// Checks a signed record of kind `vouch` (`line`), that must count `records` and whose
/// chain head before it is `head`, against the signer's key: its signature over its
/// statement, then every other field of its line.
pub(super) fn check(
    crypto: &Crypto,
    signer: &PublicKey,
    vouch: Vouch,
    line: SignedLine<'_>,
    records: u64,
    head: &Digest,
) -> Result<(), Refusal> {
    let stated = parse(line.detail).map_err(unsigned)?;
    if stated.records != records {
        return Err(unsigned(match vouch {
            Vouch::Checkpoint => format!(
                "counts {} record(s) before it, but {records} precede it",
                stated.records
            ),
            Vouch::Closing => format!(
                "counts {} record(s), but the log has {records}",
                stated.records
            ),
        }));
    }
    if stated.head != to_hex(&head.0) {
        return Err(unsigned(format!(
            "states head {}, but the records before it hash to {}",
            stated.head,
            to_hex(&head.0)
        )));
    }
    let signature = from_hex(&stated.signature)
        .map(Signature::from_der_bytes)
        .ok_or_else(|| unsigned("has a signature that is not hex"))?;
    match signature.is_low_s() {
        Err(_) => {
            return Err(unsigned(
                "has a signature that is not a DER ECDSA signature",
            ));
        }
        Ok(false) => {
            return Err(unsigned(
                "has a high-S (malleated) signature: the vault signs low-S only",
            ));
        }
        Ok(true) => {}
    }
    let message = signed_message(vouch, line.stamp, records, head);
    crypto
        .verify(signer, message.as_bytes(), &signature)
        .map_err(|_| unsigned("has a signature that does not verify under the signer's key"))?;
    fixed_fields(vouch, line, &detail(records, head, &signature))
        .map_err(|why| Refusal { why, signed: true })
}

/// The fields of a signed record's line that its signature does not cover: each has
/// the one value the line writes.
fn fixed_fields(vouch: Vouch, line: SignedLine<'_>, canonical: &str) -> Result<(), String> {
    if line.actor != vouch.actor() {
        return Err(format!(
            "is written by `{}`, but only `{}` writes it",
            line.actor,
            vouch.actor()
        ));
    }
    if let Some(device) = line.device {
        return Err(format!("names device `{device}`, but it names none"));
    }
    if line.detail != canonical {
        return Err(format!(
            "has the detail `{}`, not the canonical `{canonical}`",
            line.detail
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_parse_exactly() {
        let head = Digest([7; 32]);
        let text = detail(3, &head, &Signature::from_der_bytes(vec![0x30, 0x01]));
        assert_eq!(
            text,
            format!("records=3 head={} signature=3001", "07".repeat(32))
        );
        let stated = parse(&text).unwrap();
        assert_eq!((stated.records, stated.signature.as_str()), (3, "3001"));
        assert_eq!(parse("records=3").err().unwrap(), "carries no signature");
        for bad in ["", "records=x", "head=00 records=1", &format!("{text} x=1")] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        // Counts as the log writes them, and nothing `parse()` would also take.
        for bad in ["+3", "03", "00", "", " 3", "3 ", "-0", "1_0", "٣"] {
            assert_eq!(parse_count(bad), None, "{bad:?}");
            let detail = text.replacen("records=3", &format!("records={bad}"), 1);
            assert!(parse(&detail).is_err(), "{detail}");
            if !bad.contains(' ') {
                assert_eq!(closing_count(&format!("records={bad}")), None, "{bad:?}");
            }
        }
        assert_eq!(parse_count("0"), Some(0));
        assert_eq!(parse_count("4226"), Some(4226));
        assert_eq!(parse_count("99999999999999999999"), None);
        assert_eq!(closing_count("records=12"), Some(12));
        assert_eq!(closing_count(&text), Some(3));
        assert_eq!(closing_count("head=1"), None);
        assert_eq!(from_hex("0aff"), Some(vec![0x0a, 0xff]));
        assert_eq!(from_hex("0AFF"), None);
        assert_eq!(from_hex("0"), None);
    }

    const STAMP: Stamp = Stamp { seq: 4, at_ns: 90 };

    fn line(detail: &str) -> SignedLine<'_> {
        SignedLine {
            stamp: STAMP,
            actor: "vault",
            device: None,
            detail,
        }
    }

    fn signed(crypto: &Crypto, vouch: Vouch, stamp: Stamp, head: &Digest) -> String {
        let key = crypto.import_secret(&[1; 32]).unwrap();
        let message = signed_message(vouch, stamp, 5, head);
        detail(5, head, &crypto.sign_low_s(&key, message.as_bytes()))
    }

    #[test]
    fn the_domains_keep_the_two_statements_apart() {
        let head = Digest([1; 32]);
        assert_ne!(
            signed_message(Vouch::Checkpoint, STAMP, 5, &head),
            signed_message(Vouch::Closing, STAMP, 5, &head)
        );
        assert_eq!(
            signed_message(Vouch::Closing, STAMP, 5, &head),
            format!(
                "provsim audit closed v2 seq=4 at_ns=90 records=5 head={}",
                "01".repeat(32)
            )
        );
        // A checkpoint's signature does not pass for the same statement closing the log.
        let crypto = Crypto::new();
        let public = crypto.import_secret(&[1; 32]).unwrap().public_key().clone();
        let checkpoint = signed(&crypto, Vouch::Checkpoint, STAMP, &head);
        let closing = signed(&crypto, Vouch::Closing, STAMP, &head);
        check(
            &crypto,
            &public,
            Vouch::Checkpoint,
            line(&checkpoint),
            5,
            &head,
        )
        .unwrap();
        let site = SignedLine {
            actor: "site",
            ..line(&closing)
        };
        check(&crypto, &public, Vouch::Closing, site, 5, &head).unwrap();
        let replayed = SignedLine {
            actor: "site",
            ..line(&checkpoint)
        };
        let refused = check(&crypto, &public, Vouch::Closing, replayed, 5, &head).unwrap_err();
        assert!(refused.why.contains("does not verify") && !refused.signed);
    }

    #[test]
    fn the_signature_fixes_seq_and_time_and_the_line_fixes_the_rest() {
        let head = Digest([1; 32]);
        let crypto = Crypto::new();
        let public = crypto.import_secret(&[1; 32]).unwrap().public_key().clone();
        let text = signed(&crypto, Vouch::Checkpoint, STAMP, &head);
        let check = |line| check(&crypto, &public, Vouch::Checkpoint, line, 5, &head);
        // Moved in time or renumbered: the signature no longer verifies.
        for stamp in [Stamp { at_ns: 91, ..STAMP }, Stamp { seq: 5, ..STAMP }] {
            let refused = check(SignedLine {
                stamp,
                ..line(&text)
            })
            .unwrap_err();
            assert!(refused.why.contains("does not verify"), "{refused:?}");
        }
        // Blamed on another actor or a device: signed, but not the line's record.
        let refused = check(SignedLine {
            actor: "site",
            ..line(&text)
        })
        .unwrap_err();
        assert!(refused.signed, "{refused:?}");
        assert_eq!(
            refused.why,
            "is written by `site`, but only `vault` writes it"
        );
        let refused = check(SignedLine {
            device: Some("5053000100000002"),
            ..line(&text)
        })
        .unwrap_err();
        assert!(
            refused.signed && refused.why.contains("names device"),
            "{refused:?}"
        );
        // A count written another way is not the statement.
        let padded = text.replacen("records=5", "records=+05", 1);
        assert!(!check(line(&padded)).unwrap_err().signed);
    }
}
