//! The physical countermeasures one part is built with.

use crate::fault::FaultModel;
use crate::leakage::LeakageModel;
use crate::puf::PufConfig;
use crate::weakness::Weaknesses;

/// What one part is built with against faults and side channels: its kind's as shipped
/// (the profile's `shipped`), or those as a scenario tuned them
/// (`Countermeasures::apply`). A kind's builder takes this and nothing else of the
/// scenario's, so every kind is tuned by the same rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protections {
    pub faults: FaultModel,
    pub leakage: LeakageModel,
    /// The PUF and the key store sealed under its key, on a kind that has them (`None`:
    /// the kind has neither, and a scenario may not tune them).
    pub puf_key_store: Option<PufKeyStore>,
    /// The protections this part's model leaves out (none as shipped).
    pub weaknesses: Weaknesses,
}

/// A PUF with the key store it seals: the blocks a custom design adds to a core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PufKeyStore {
    pub puf: PufConfig,
    /// Seal the key store under the key ladder's output (without it, keys sit in clear
    /// as on a stock MCU, though the PUF is still enrolled).
    pub sealed: bool,
}
