//! Why the line stopped.

use crate::books::manifest::jws::ManifestError;
use crate::cloud::error::CloudError;
use crate::pki::error::PkiError;
use crate::station::error::StationError;
use crate::vault::error::HsmError;
use provsim_devices::image::ImageError;
use provsim_sim::KernelError;

/// Why the line stopped.
#[derive(Debug, thiserror::Error)]
pub enum LineError {
    #[error(transparent)]
    Kernel(#[from] KernelError),
    #[error("establishing the site: {0}")]
    Establish(#[from] PkiError),
    #[error(transparent)]
    Hsm(#[from] HsmError),
    #[error(transparent)]
    Station(#[from] StationError),
    #[error("building the firmware image: {0}")]
    Firmware(#[from] ImageError),
    #[error("writing the line's output: {0}")]
    Sink(#[from] std::io::Error),
    #[error("keeping the run's ledger: {0}")]
    Ledger(std::io::Error),
    #[error("device index {index} is not in any lot of this run")]
    NoSuchDevice { index: u64 },
    /// An attack copy of the device's pass (`Line::site_during`) never made a key. The
    /// text still says "replay", the room's old name, so outputs stay byte-identical.
    #[error("the replay of device {index} never made a key, so there is no moment to copy")]
    NoKeyInFlight { index: u64 },
    #[error("device {index} could not be put in service in a copy of the field: {why}")]
    Field { index: u64, why: String },
    #[error("the line's configuration cannot run: {0}")]
    Config(String),
    #[error("issuing the customer CA's revocation list: {0}")]
    Revocation(PkiError),
    #[error("writing a manifest entry: {0}")]
    Manifest(#[from] ManifestError),
}

/// A failed registration of the customer CA stops the line as it always has: the vault
/// failing to issue is a failure establishing the site, the registrar refusing a
/// configuration that cannot run.
impl From<CloudError> for LineError {
    fn from(error: CloudError) -> Self {
        match error {
            CloudError::Pki(error) => LineError::Establish(error),
            refused @ CloudError::Registration(_) => LineError::Config(refused.to_string()),
        }
    }
}
