//! Who may have the firmware-signing key sign. Its signature is what every shipped
//! device's boot ROM trusts, for good: an image it signs starts on all of them. So the
//! vault lets it sign only inside the key ceremony that makes it, with the custodians'
//! quorum present, where the line's releases are signed; after the ceremony the key
//! answers nobody, operators included. A vault that lets the line's operators use it
//! afterwards (the `firmware-key-operator-use` weakness) signs whatever they bring.

use super::{FirmwareSigning, Hsm, KeyHandle, KeyUse};
use crate::vault::error::HsmError;
use provsim_sim::Ctx;
use provsim_sim::crypto::Signature;

impl Hsm {
    /// Ends the key ceremony: the firmware-signing key signs nothing more (unless the
    /// vault lets operators use it).
    pub(crate) fn close_firmware_ceremony(&mut self) {
        if self.firmware_signing == FirmwareSigning::Ceremony {
            self.firmware_signing = FirmwareSigning::Closed;
        }
    }

    /// Lets the line's operators have the firmware-signing key sign after the ceremony.
    pub(crate) fn open_firmware_key_to_operators(&mut self) {
        self.firmware_signing = FirmwareSigning::Operators;
    }

    /// Signs a firmware image's SHA-256 (MCUboot signs the image hash, not the image),
    /// where the policy lets it.
    pub fn sign_firmware_digest(
        &self,
        ctx: &mut Ctx<'_>,
        handle: KeyHandle,
        digest: &[u8; 32],
    ) -> Result<Signature, HsmError> {
        let stored = self.require(handle, KeyUse::FirmwareSigning, "firmware signing")?;
        if self.firmware_signing == FirmwareSigning::Closed {
            return Err(HsmError::Refused {
                operation: "firmware signing",
                policy: "the firmware-signing key signs only in its key ceremony, with the custodians' quorum present",
            });
        }
        Ok(ctx.crypto.sign_digest(&stored.key, digest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::custody::Custody;
    use crate::vault::secrets::IdentityOrigin;
    use provsim_sim::crypto::Crypto;
    use provsim_sim::{Seed, SimTime, Trace};

    #[test]
    fn the_key_signs_in_its_ceremony_and_for_operators_only_if_let() {
        let crypto = Crypto::new();
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
        let mut hsm = Hsm::new(Custody::ProvisionerHsm, IdentityOrigin::Vault);
        let mut stream = Seed::new(1).stream("test/firmware-key");
        let (handle, _) = hsm.generate(&mut ctx, KeyUse::FirmwareSigning, &mut stream);
        assert!(hsm.sign_firmware_digest(&mut ctx, handle, &[1; 32]).is_ok());
        hsm.close_firmware_ceremony();
        let refused = hsm.sign_firmware_digest(&mut ctx, handle, &[1; 32]);
        assert!(matches!(
            refused,
            Err(HsmError::Refused {
                operation: "firmware signing",
                ..
            })
        ));
        hsm.open_firmware_key_to_operators();
        hsm.close_firmware_ceremony();
        assert!(hsm.sign_firmware_digest(&mut ctx, handle, &[1; 32]).is_ok());
    }
}
