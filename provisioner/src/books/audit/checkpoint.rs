//! The vault's word on the log so far: what a checkpoint or the closing record states,
//! the one message the vault signs for it, and the check a verifier holding the vault's
//! certificate makes of it.
//!
//! Both state `records=K head=H signature=S`: `head` is the chain head before the
//! record (its own `prev`), `signature` the vault's low-S ECDSA P-256 signature (DER,
//! hex) over the ASCII message `<domain> records=K head=H`. A checkpoint's `records` is
//! the count of records before it (its own `seq`); the closing record's counts the
//! whole log, itself included, as it always has. The two domains differ, so a
//! checkpoint's signature never passes for a closing record's: a log cut at a
//! checkpoint cannot be closed again with it.

use provsim_sim::crypto::{Crypto, PublicKey, Signature};
use provsim_sim::{Digest, to_hex};

/// The action of a checkpoint record.
pub const CHECKPOINT_ACTION: &str = "audit-checkpoint";

/// The line writes a checkpoint once this many records have been written since the last
/// one (or since the log began), at the next point where no device is on the station.
/// A device leaves about 14 records, so a 300-device lot (about 4,200 records) gets
/// some 16 checkpoints, one vault signature per 18 devices or so against the four or
/// more each device costs; eight devices (about 120 records) get none, only the signed
/// closing record.
pub const CHECKPOINT_EVERY: u64 = 256;

/// Signed message domain of a checkpoint.
const CHECKPOINT_DOMAIN: &str = "provsim audit checkpoint v1";
/// Signed message domain of the closing record.
const CLOSING_DOMAIN: &str = "provsim audit closed v1";

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

    /// The record, in messages.
    pub(super) fn name(self) -> &'static str {
        match self {
            Vouch::Checkpoint => "the checkpoint",
            Vouch::Closing => "the closing record",
        }
    }
}

/// What the vault signs for a record of kind `vouch` stating `records` and `head`.
pub fn signed_message(vouch: Vouch, records: u64, head: &Digest) -> String {
    format!(
        "{} records={records} head={}",
        vouch.domain(),
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
    let records = field("records").and_then(|n| n.parse().ok());
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

/// The count a closing record states (`records=N`, first), signed or not: what a
/// verifier without the signer checks.
pub(super) fn closing_count(detail: &str) -> Option<u64> {
    detail
        .split(' ')
        .next()?
        .strip_prefix("records=")?
        .parse()
        .ok()
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

/// Checks a statement of kind `vouch`, in a record's `detail`, that must count
/// `records` and whose chain head before it is `head`, against the signer's key.
/// Returns why not, completing "<the checkpoint> ...".
pub(super) fn check(
    crypto: &Crypto,
    signer: &PublicKey,
    vouch: Vouch,
    detail: &str,
    records: u64,
    head: &Digest,
) -> Result<(), String> {
    let stated = parse(detail)?;
    if stated.records != records {
        return Err(match vouch {
            Vouch::Checkpoint => format!(
                "counts {} record(s) before it, but {records} precede it",
                stated.records
            ),
            Vouch::Closing => format!(
                "counts {} record(s), but the log has {records}",
                stated.records
            ),
        });
    }
    if stated.head != to_hex(&head.0) {
        return Err(format!(
            "states head {}, but the records before it hash to {}",
            stated.head,
            to_hex(&head.0)
        ));
    }
    let signature = from_hex(&stated.signature)
        .map(Signature::from_der_bytes)
        .ok_or_else(|| "has a signature that is not hex".to_owned())?;
    match signature.is_low_s() {
        Err(_) => return Err("has a signature that is not a DER ECDSA signature".to_owned()),
        Ok(false) => {
            return Err(
                "has a high-S (malleated) signature: the vault signs low-S only".to_owned(),
            );
        }
        Ok(true) => {}
    }
    let message = signed_message(vouch, records, head);
    crypto
        .verify(signer, message.as_bytes(), &signature)
        .map_err(|_| "has a signature that does not verify under the signer's key".to_owned())
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
        assert_eq!(closing_count("records=12"), Some(12));
        assert_eq!(closing_count(&text), Some(3));
        assert_eq!(closing_count("head=1"), None);
        assert_eq!(from_hex("0aff"), Some(vec![0x0a, 0xff]));
        assert_eq!(from_hex("0AFF"), None);
        assert_eq!(from_hex("0"), None);
    }

    #[test]
    fn the_domains_keep_the_two_statements_apart() {
        let head = Digest([1; 32]);
        assert_ne!(
            signed_message(Vouch::Checkpoint, 5, &head),
            signed_message(Vouch::Closing, 5, &head)
        );
        assert_eq!(
            signed_message(Vouch::Closing, 5, &head),
            format!("provsim audit closed v1 records=5 head={}", "01".repeat(32))
        );
        // A checkpoint's signature does not pass for the same statement closing the log.
        let crypto = Crypto::new();
        let key = crypto.import_secret(&[1; 32]).unwrap();
        let signed = |vouch| {
            let message = signed_message(vouch, 5, &head);
            detail(5, &head, &crypto.sign_low_s(&key, message.as_bytes()))
        };
        let public = key.public_key();
        check(
            &crypto,
            public,
            Vouch::Checkpoint,
            &signed(Vouch::Checkpoint),
            5,
            &head,
        )
        .unwrap();
        check(
            &crypto,
            public,
            Vouch::Closing,
            &signed(Vouch::Closing),
            5,
            &head,
        )
        .unwrap();
        let replayed = check(
            &crypto,
            public,
            Vouch::Closing,
            &signed(Vouch::Checkpoint),
            5,
            &head,
        );
        assert!(replayed.unwrap_err().contains("does not verify"));
    }
}
