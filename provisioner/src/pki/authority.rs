//! A certificate authority of the hierarchy.

use crate::pki::certificate::IssuedCertificate;
use crate::pki::error::PkiError;
use crate::pki::profile::{device_profile, encoding};
use crate::vault::hsm::KeyHandle;
use provsim_devices::DeviceId;
use provsim_sim::Stream;
use provsim_sim::crypto::{Crypto, Fingerprint, PublicKey, SecretKey};
use rcgen::{CertificateParams, Issuer};

/// A CA. Its key is held in the HSM, or, for the offline root, only as custodians'
/// shares between ceremonies (`handle` is `None`).
#[derive(Clone)]
pub struct CertificateAuthority {
    pub(super) handle: Option<KeyHandle>,
    pub(super) params: CertificateParams,
    pub(super) certificate: IssuedCertificate,
    pub(super) public_key: PublicKey,
}

impl CertificateAuthority {
    pub fn certificate(&self) -> &IssuedCertificate {
        &self.certificate
    }

    /// Fingerprint of the CA's public key.
    pub fn key_fingerprint(&self) -> Fingerprint {
        self.public_key.fingerprint()
    }

    /// The CA's public key, as its certificate carries it.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// A device certificate signed with `key`, which must be this CA's private key: what
    /// anyone who holds that key can make, since the profile is public (every device
    /// carries a certificate in it). The line never calls this; an attacker who has
    /// recovered the key does.
    pub fn certify_with_key(
        &self,
        key: &SecretKey,
        crypto: &Crypto,
        customer: &str,
        device: DeviceId,
        public_key: &PublicKey,
        serial_stream: &mut Stream,
    ) -> Result<IssuedCertificate, PkiError> {
        let params = device_profile(customer, device, public_key, serial_stream)?;
        let issuer = Issuer::from_params(&self.params, crypto.cert_signer(key));
        Ok(params
            .signed_by(public_key, &issuer)
            .map_err(encoding)?
            .into())
    }
}
