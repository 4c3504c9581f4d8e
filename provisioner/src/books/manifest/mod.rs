//! The customer's manifest: one signed entry per shipped device, in the layout of
//! Microchip's secure-element manifests (the Trust Platform "manifest file format"),
//! then one signed closing record that fixes how many entries there are and in which
//! order. The line writes it as each device leaves (`manifest.jsonl`, one line each),
//! so the lot is never held in memory.
//!
//! # Entries ([`entry`])
//!
//! Each entry is what Microchip's format calls a `SignedSecureElement`: a flattened JWS
//! (RFC 7515, 7.2.2), ES256 by the vault's identity key, with members `payload`,
//! `protected`, `header` and `signature`.
//!
//! - `protected` holds exactly what that format's protected header holds: `alg`
//!   (`ES256`), `kid` (the base64url of the signer certificate's subject key identifier,
//!   the bytes of the extension's value) and `x5t#S256` (the base64url SHA-256 of the
//!   signer certificate's DER).
//! - `payload` is the device: `version` 1, `model`, `partNumber`, `manufacturer`,
//!   `provisioner`, `provisioningTimestamp` (RFC 3339), `uniqueId` (the device id in
//!   lower-case hex) and `publicKeySet`, a JWK set whose key `"0"` carries the device
//!   certificate and the customer CA's in `x5c`. One member is provsim's own:
//!   `entryNumber`, the entry's place in the manifest (1, 2, 3, …), so that a removed or
//!   reordered entry is found at the line where it happens. Microchip's readers ignore
//!   members they do not use.
//! - `header` (unprotected) repeats `uniqueId` for searching without decoding.
//! - `signature` is `r || s`, with `s` always in the lower half of the group order
//!   (low-S): the one form a verifier that refuses malleated signatures accepts.
//!
//! A line holds these four members and no other, each once, and `header` holds
//! `uniqueId` alone: what a strict JOSE library accepts. `provsim manifest verify`
//! refuses anything more (`signatures`, an unprotected `alg` or `x5c`, a member twice),
//! which a reader that takes the first of two members, or honours an unprotected
//! parameter, would read differently from one that does not.
//!
//! # The closing record ([`closing`])
//!
//! The last line of `manifest.jsonl`, written once the lots are through: a flattened JWS
//! by the same key, with no unprotected `header` (so no `uniqueId`), whose protected
//! header adds `"typ": "provsim-manifest-closing"` to the entries' three members. Its
//! payload is `{"chain": …, "closedTimestamp": …, "entries": N, "run": …, "version": 1}`:
//! the number of entries, the run that wrote them (its id, 64 lowercase hex digits, as
//! report.json's `run_id`: every run at one seed has the same vault key, so this is what
//! keeps one run's manifest from passing for another's), and the base64url of a SHA-256
//! chain over the entries in order,
//!
//! ```text
//! chain_0 = 32 zero bytes
//! chain_i = SHA-256(chain_{i-1} || protected_i || "." || payload_i)
//! ```
//!
//! where `protected_i.payload_i` is entry `i`'s JWS signing input: the bytes its
//! signature covers, the same in both manifest files and whatever JSON whitespace a
//! reader re-serializes them with. The line keeps only the running chain and the count,
//! never anything per device. An entry can never pass for the closing record or the
//! other way round: the `typ`, inside the signature, tells them apart, and each
//! verifier refuses the other's header.
//!
//! `provsim manifest verify` ([`check`]) needs the closing record: without it a manifest
//! cut after a whole entry, or with its last entries removed, cannot be told from a
//! shorter one.
//!
//! # `manifest.json`: the same entries as Microchip's tools read them
//!
//! Beside `manifest.jsonl` the run writes `manifest.json`, Microchip's
//! `SecureElementManifest`: one JSON array of the very same entry objects, byte for byte,
//! one to a line. It holds no closing record: Microchip's decoders take every array
//! element for a secure element (they read `header.uniqueId` and `publicKeySet` from
//! each), and their format means a manifest to be split or merged freely, so a record
//! about the whole file has no place in it. Its count and order are checked through
//! `manifest.jsonl`, whose closing record covers the same signing inputs.

pub(crate) mod check;
pub(crate) mod closing;
pub(crate) mod entry;
#[cfg(test)]
#[path = "fixture_tests.rs"]
mod fixture;
pub(crate) mod jws;

pub use check::{ManifestCheck, ManifestExpect, ManifestRejection, ManifestSummary};
pub use closing::{CLOSING_TYP, ManifestChain, ManifestClosing, VerifiedClosing};
pub use entry::{ManifestFields, VerifiedEntry, timestamp, verify_entry};
pub use jws::{ManifestError, jws_shaped, signer_from_pem};
