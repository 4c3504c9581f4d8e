//! Why the customer's CA could not be registered with the cloud.

use crate::cloud::registrar::Refusal;
use crate::pki::error::PkiError;

/// Why the customer's CA could not be registered.
#[derive(Debug, thiserror::Error)]
pub enum CloudError {
    /// The vault could not issue the verification certificate.
    #[error(transparent)]
    Pki(#[from] PkiError),
    /// The registrar turned the CA's proof of possession away.
    #[error("registering the customer CA: {0}")]
    Registration(Refusal),
}
