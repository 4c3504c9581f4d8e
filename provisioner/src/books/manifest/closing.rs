//! The manifest's closing record: the signed count of its entries and a digest that
//! chains them in order (see the [module above](super) for the format). Without it a
//! manifest whose last entries were removed reads like a shorter one, and entries moved
//! or swapped for others signed by the same key read like the original.

use crate::books::audit::verify::parse_head;
use crate::books::chain::LineChain;
use crate::books::manifest::entry::timestamp;
use crate::books::manifest::jws::{
    ManifestError, SignedLine, b64url, decode, field, protected_header, signed_line,
};
use provsim_sim::Digest;
use provsim_sim::crypto::{Crypto, PublicKey, Signature};
use serde_json::{Value, json};

/// The closing record's `typ`: no entry has one, so neither passes for the other.
pub const CLOSING_TYP: &str = "provsim-manifest-closing";

/// The manifest's entries so far, by their signing inputs (`protected.payload`).
pub type ManifestChain = LineChain;

/// The closing record of a manifest whose entries made `chain`, in run `run`, signed at
/// `closed_at_ns` of virtual time.
#[derive(Debug, Clone, Copy)]
pub struct ManifestClosing {
    pub chain: ManifestChain,
    /// The run whose manifest this is ([`crate::LineConfig::run`]): every run at one
    /// seed has the same vault key, so only this tells their manifests apart.
    pub run: Digest,
    pub closed_at_ns: u64,
}

impl ManifestClosing {
    fn payload(&self) -> Value {
        json!({
            "version": 1,
            "entries": self.chain.count(),
            "chain": b64url(&self.chain.head()),
            "closedTimestamp": timestamp(self.closed_at_ns),
            "run": self.run.to_string(),
        })
    }

    /// What the signer signs: `protected.payload`.
    pub fn signing_input(&self, signer: &PublicKey, signer_der: &[u8]) -> String {
        format!(
            "{}.{}",
            protected_header(signer, signer_der, Some(CLOSING_TYP)),
            b64url(self.payload().to_string().as_bytes())
        )
    }

    /// The finished record, one line of JSON, its signature written low-S.
    pub fn record(
        &self,
        signer: &PublicKey,
        signer_der: &[u8],
        signature: &Signature,
    ) -> Result<String, ManifestError> {
        signed_line(&self.signing_input(signer, signer_der), None, signature)
    }
}

/// What a verified closing record says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedClosing {
    pub entries: u64,
    pub chain: [u8; 32],
    /// The run it names.
    pub run: Digest,
}

/// Verifies a closing record: this signer, its `typ`, a low-S signature, no unprotected
/// header, and a payload that states a count, a chain and a run.
pub(crate) fn verify_closing(
    crypto: &Crypto,
    jws: &SignedLine,
    signer: &PublicKey,
    signer_der: &[u8],
) -> Result<VerifiedClosing, ManifestError> {
    jws.check_header(signer, signer_der, Some(CLOSING_TYP))?;
    jws.check_signature(crypto, signer)?;
    if jws.unprotected.is_some() {
        return Err(ManifestError::Closing(
            "it has an unprotected header".to_owned(),
        ));
    }
    let body = jws.body()?;
    let entries = body
        .get("entries")
        .and_then(Value::as_u64)
        .ok_or_else(|| ManifestError::Closing("it states no count of entries".to_owned()))?;
    let chain = <[u8; 32]>::try_from(decode(field(&body, "chain")?, "chain")?)
        .map_err(|_| ManifestError::Closing("its chain is not 32 bytes".to_owned()))?;
    let run = field(&body, "run")
        .ok()
        .and_then(|text| parse_head(text).filter(|run| run.to_string() == text))
        .ok_or_else(|| {
            ManifestError::Closing("it names no run (64 lowercase hex digits)".to_owned())
        })?;
    Ok(VerifiedClosing {
        entries,
        chain,
        run,
    })
}
