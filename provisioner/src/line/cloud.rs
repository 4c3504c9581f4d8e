//! The line's side of the cloud registrar: registering the customer CA, and each
//! shipped device's first connection as it ships.

use super::*;

impl Line {
    /// The customer registers its device CA with the registrar, proving possession with
    /// a verification certificate the vault issues under the CA for the registrar's code.
    pub(super) fn register_customer_ca(&mut self) -> Result<(), LineError> {
        let code = self
            .registrar
            .verification_code(&mut crate::labels::registrar_code(self.seed));
        let certificate = self.site.pki.issue_verification_certificate(
            &mut self.site.hsm,
            &self.crypto,
            &code,
            &self.site.vault_key,
            &mut crate::labels::registrar_verification_serial(self.seed),
        )?;
        self.registrar
            .register_ca(
                &self.cloud,
                self.site.pki.customer().public_key(),
                &certificate.der,
            )
            .map_err(|refused| LineError::Config(format!("registering the customer CA: {refused}")))
    }

    /// A shipped device meets the registrar: its manifest entry is imported, it answers
    /// a fresh challenge from its endpoint (its index), and both sides agree a session
    /// key; then it disconnects.
    pub(super) fn first_connection(
        &mut self,
        index: u64,
        entry: &str,
        cycle: &crate::station::StationCycle,
        target: &mut dyn Target,
    ) -> Result<(), String> {
        let signer_der = &self.site.pki.vault().der;
        let verified =
            crate::manifest::verify_entry(&self.cloud, entry, &self.site.vault_key, signer_der)
                .map_err(|e| e.to_string())?;
        self.registrar.enroll(&verified);
        let mut rng = crate::labels::registrar_challenge(self.seed, index);
        let challenge = self.registrar.challenge(&self.cloud, &mut rng);
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &self.cloud, &mut trace);
        let (answer, device_key) = target
            .authenticate(&mut ctx, &challenge.nonce, &challenge.server)
            .map_err(|e| e.to_string())?;
        let session = self
            .registrar
            .connect(
                &self.cloud,
                index,
                &cycle.certificate.der,
                challenge,
                &answer,
            )
            .map_err(|e| e.to_string())?;
        if session.key != device_key {
            return Err("the device and the registrar derived different session keys".to_owned());
        }
        // The device goes quiet until it is installed: its session ends, so the
        // registrar holds no per-device session for the whole lot.
        self.registrar.disconnect(&session.identity, index);
        Ok(())
    }

    /// The registrar, as the run left it: every shipped device enrolled, none connected.
    /// For tests and the report.
    pub fn registrar_mut(&mut self) -> &mut Registrar {
        &mut self.registrar
    }
}
