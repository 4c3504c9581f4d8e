//! The site's tamper-evident audit log: JSON lines chained by SHA-256 over each line's
//! raw bytes, with the chain head signed by the vault at checkpoints and at the close.
//!
//! A record is one line of JSON written one fixed way (field order, no spaces):
//!
//! ```text
//! {"seq":0,"at_ns":0,"actor":"hsm","action":"root-ca-established","device":null,"detail":"key=…","prev":"00…00","hash":"…"}
//! ```
//!
//! `hash` is SHA-256 over the line's bytes up to (not including) `,"hash":"`, so it
//! covers `prev`, the previous line's hash. Altering, removing or reordering a record
//! breaks the chain at that record; cutting the log short is caught by the closing
//! record the log must end with. The log keeps only its head and count; records go to
//! the line's sink as they are made, so its memory does not grow with the lot.
//!
//! The chain is keyed by nothing, so it cannot tell a rewritten log from the real one
//! if every hash after the rewrite is recomputed. The vault's identity key (the
//! manifest's signer, whose certificate is `pki/vault-certificate.pem`) vouches for
//! the chain:
//!
//! - a **checkpoint** (actor `vault`, action `audit-checkpoint`) follows once
//!   [`CHECKPOINT_EVERY`] records have been written since the last, at the next point
//!   where no device is on the station (so a device's records are never split, and an
//!   attack copy's pass never signs one);
//! - the **closing record** (actor `site`, action `audit-closed`) is signed the same way.
//!
//! Both are written on no device with the detail `records=K head=H signature=S`: `H`
//! is the chain head before the record (its own `prev`, in lower-case hex), `S` the
//! vault's ECDSA P-256 / SHA-256 signature, DER in lower-case hex, with `s` in the lower
//! half of the group order. A checkpoint's `K` is its own `seq` (the records before
//! it); the closing record's `K` counts the whole log, itself included. The signed
//! message is the ASCII text (`N` and `T` the record's own `seq` and `at_ns`)
//!
//! ```text
//! provsim audit checkpoint v2 seq=N at_ns=T records=K head=H     (a checkpoint)
//! provsim audit closed v2 seq=N at_ns=T records=K head=H         (the closing record)
//! ```
//!
//! so `openssl dgst -sha256 -verify vault.pem -signature S.der` checks one by hand, and
//! every field of a signed record's line is fixed by signed data (the actor, the null
//! device and the detail's one canonical text by the verifier).
//! `provsim audit verify --signer` checks every one; where one fails, or the chain
//! breaks, the first record after the last checkpoint that held is the first the
//! signer no longer vouches for, and is named.
//!
//! The log's first record (actor `site`, action `run-opened`, detail `run=<hex>`) names
//! the run (the report's `run_id`): the vault's key is the same for every run at a seed,
//! so `--run` is what tells this run's log from another's.

pub(crate) mod checkpoint;
pub(crate) mod log;
pub(crate) mod record;
pub(crate) mod verify;

pub use checkpoint::{CHECKPOINT_ACTION, CHECKPOINT_EVERY, Stamp, Vouch, signed_message};
pub use log::AuditLog;
pub use record::{AuditRecord, CLOSING_ACTION, RUN_OPENED_ACTION};
pub use verify::{AuditBreak, AuditError, AuditSummary, MAX_RECORD_BYTES, parse_head, verify_log};
