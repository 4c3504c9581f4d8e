//! Why a certificate could not be made.

use crate::vault::error::HsmError;

/// Why a certificate could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkiError {
    #[error(transparent)]
    Hsm(#[from] HsmError),
    #[error("certificate encoding failed: {0}")]
    Encoding(String),
}
