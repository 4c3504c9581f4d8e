//! The line's side of the cloud: registering the customer CA, and each shipped device's
//! first connection as it ships.

use crate::books::manifest::entry::verify_entry;
use crate::cloud::error::CloudError;
use crate::cloud::registrar::Registrar;
use crate::device_streams::DeviceStreams;
use crate::labels;
use crate::pki::certificate::IssuedCertificate;
use crate::site::Site;
use crate::weakness::SiteWeaknesses;
use provsim_devices::Target;
use provsim_sim::crypto::{Crypto, OpCounts};
use provsim_sim::{Ctx, Seed, SimTime, Trace};

/// The customer's cloud as the line meets it: the registrar, and the cloud's own
/// facade (which also counts the devices' answers at first connection), kept apart so
/// the line's counts are the factory's alone. Not part of the site: attack copies of
/// the site never clone it.
pub(crate) struct Cloud {
    registrar: Registrar,
    crypto: Crypto,
}

impl Cloud {
    pub(crate) fn new(weaknesses: SiteWeaknesses) -> Self {
        Cloud {
            registrar: Registrar::with_weaknesses(weaknesses),
            crypto: Crypto::new(),
        }
    }

    /// The registrar, as the run left it.
    pub(crate) fn registrar(&self) -> &Registrar {
        &self.registrar
    }

    pub(crate) fn registrar_mut(&mut self) -> &mut Registrar {
        &mut self.registrar
    }

    /// The cloud's cryptography so far.
    pub(crate) fn counts(&self) -> OpCounts {
        self.crypto.counts()
    }

    /// The customer registers its device CA with the registrar, proving possession with
    /// a verification certificate the vault issues under the CA for the registrar's code
    /// (charged to the factory's facade, `factory`).
    pub(crate) fn register_customer_ca(
        &mut self,
        site: &mut Site,
        factory: &Crypto,
        seed: Seed,
    ) -> Result<(), CloudError> {
        let code = self
            .registrar
            .verification_code(&mut labels::registrar_code(seed));
        let certificate = site.pki.issue_verification_certificate(
            &mut site.hsm,
            factory,
            &code,
            &site.vault_key,
            &mut labels::registrar_verification_serial(seed),
        )?;
        self.registrar
            .register_ca(
                &self.crypto,
                site.pki.customer().public_key(),
                &certificate.der,
            )
            .map_err(CloudError::Registration)
    }

    /// A shipped device meets the registrar: its manifest entry is imported, it answers
    /// a fresh challenge from its endpoint (its index), and both sides agree a session
    /// key; then it disconnects.
    pub(crate) fn first_connection(
        &mut self,
        site: &Site,
        device: DeviceStreams,
        entry: &str,
        certificate: &IssuedCertificate,
        target: &mut dyn Target,
    ) -> Result<(), String> {
        let index = device.index();
        let signer_der = &site.pki.vault().der;
        let verified = verify_entry(&self.crypto, entry, &site.vault_key, signer_der)
            .map_err(|e| e.to_string())?;
        self.registrar.enroll(&verified);
        let mut rng = device.registrar_challenge();
        let challenge = self.registrar.challenge(&self.crypto, &mut rng);
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &self.crypto, &mut trace);
        let (answer, device_key) = target
            .authenticate(&mut ctx, &challenge.nonce, &challenge.server)
            .map_err(|e| e.to_string())?;
        let session = self
            .registrar
            .connect(&self.crypto, index, &certificate.der, challenge, &answer)
            .map_err(|e| e.to_string())?;
        if session.key != device_key {
            return Err("the device and the registrar derived different session keys".to_owned());
        }
        // The device goes quiet until it is installed: its session ends, so the
        // registrar holds no per-device session for the whole lot.
        self.registrar.disconnect(&session.identity, index);
        Ok(())
    }
}
