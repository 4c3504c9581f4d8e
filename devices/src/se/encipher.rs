//! PERFORM SECURITY OPERATION: ENCIPHER (INS 2A, P1 86, P2 the key object): one AES-256
//! block under a symmetric key object, for whoever meets its use rule. The one
//! instruction that runs AES under a stored key object (the secure channel and the
//! sealed import run AES-GCM under session and transport keys): what a side-channel
//! attacker at the reader can have it compute under the storage key, and so all they
//! can measure of it.

use super::apdu::{Command, Sw};
use super::card::SecureElement;
use super::objects::{ObjectKind, ObjectState};
use crate::fault::{FaultGate, FaultPoint};
use provsim_sim::crypto::Crypto;

/// ENCIPHER's P1 (ISO/IEC 7816-8: the plain value is in the data, the cipher comes out).
pub const ENCIPHER: u8 = 0x86;

impl SecureElement {
    pub(super) fn encipher(
        &mut self,
        crypto: &Crypto,
        c: &Command,
        secured: bool,
    ) -> Result<Vec<u8>, Sw> {
        if c.p1 != ENCIPHER {
            return Err(Sw::WRONG_P1P2);
        }
        let block: [u8; 16] = c.data.as_slice().try_into().map_err(|_| Sw::WRONG_LENGTH)?;
        let object = self.objects.get(&c.p2).ok_or(Sw::NOT_FOUND)?;
        let (rule, state, kind) = (object.rules.use_, object.state, object.kind);
        if kind != ObjectKind::SymmetricKey {
            return Err(Sw::CONDITIONS);
        }
        if !self
            .faults
            .check(FaultPoint::LifeCycleGate, state == ObjectState::Operational)
        {
            return Err(Sw::CONDITIONS);
        }
        if !self.allowed(rule, secured) {
            return Err(Sw::SECURITY_STATUS);
        }
        let key: [u8; 32] = self
            .objects
            .get(&c.p2)
            .and_then(|o| o.secret())
            .and_then(|s| s.try_into().ok())
            .ok_or(Sw::CONDITIONS)?;
        Ok(crypto.aes256_encrypt_block(&key, &block).to_vec())
    }

    /// The symmetric key in object `id`, for the leakage model of an ENCIPHER the card
    /// just ran (whatever let it run: a terminated object has no secret left).
    pub(crate) fn symmetric_key(&self, id: u8) -> Option<Vec<u8>> {
        let object = self.objects.get(&id)?;
        (object.kind == ObjectKind::SymmetricKey)
            .then(|| object.secret().map(<[u8]>::to_vec))
            .flatten()
    }
}
