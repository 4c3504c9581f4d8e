//! Why a certificate could not be made.

use crate::pki::csr::CsrError;
use crate::vault::error::HsmError;

/// Why a certificate could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkiError {
    #[error(transparent)]
    Hsm(#[from] HsmError),
    /// A chip's certificate request did not pass the check (the text is the one the
    /// vault gave when it read requests itself).
    #[error("the device's certificate request was refused: {0}")]
    Request(#[from] CsrError),
    #[error("certificate encoding failed: {0}")]
    Encoding(String),
}
