//! What crosses the provisioning link for one device: the station's request (which
//! device, and the chip's transport key, read from the chip) and the vault's answer
//! (the device's secrets, each sealed to that transport key for its key-store slot, or
//! the reason the vault refused). The link authenticates and encrypts both; these are
//! the plaintexts.

use provsim_devices::DeviceId;
use provsim_sim::crypto::{Envelope, PublicKey};

/// The key-store slot a device's identity key is sealed for; its symmetric keys take
/// the slots after it, in the secrets profile's order.
pub const IDENTITY_SLOT: u8 = 0;

/// The station asks for device `index`'s secrets, sealed to `transport_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretsRequest {
    pub index: u64,
    pub device: DeviceId,
    pub transport_key: PublicKey,
}

impl SecretsRequest {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + 65);
        out.extend_from_slice(&self.index.to_be_bytes());
        out.extend_from_slice(&self.device.0.to_be_bytes());
        out.extend_from_slice(self.transport_key.sec1());
        out
    }

    /// `None` when the bytes are not a request.
    pub fn decode(bytes: &[u8]) -> Option<SecretsRequest> {
        let index = u64::from_be_bytes(bytes.get(0..8)?.try_into().ok()?);
        let device = DeviceId(u64::from_be_bytes(bytes.get(8..16)?.try_into().ok()?));
        let transport_key = PublicKey::from_sec1(bytes.get(16..)?).ok()?;
        Some(SecretsRequest {
            index,
            device,
            transport_key,
        })
    }
}

/// The vault's answer to a [`SecretsRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VaultAnswer {
    /// The device's secrets, one envelope per key-store slot.
    Sealed(Vec<(u8, Envelope)>),
    Refused(String),
}

const SEALED: u8 = 0;
const REFUSED: u8 = 1;

impl VaultAnswer {
    pub fn encode(&self) -> Vec<u8> {
        match self {
            VaultAnswer::Sealed(envelopes) => {
                let mut out = vec![SEALED];
                for (slot, envelope) in envelopes {
                    out.push(*slot);
                    let bytes = envelope.as_bytes();
                    out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
                    out.extend_from_slice(bytes);
                }
                out
            }
            VaultAnswer::Refused(reason) => {
                let mut out = vec![REFUSED];
                out.extend_from_slice(reason.as_bytes());
                out
            }
        }
    }

    /// `None` when the bytes are not an answer.
    pub fn decode(bytes: &[u8]) -> Option<VaultAnswer> {
        match bytes.split_first()? {
            (&SEALED, mut rest) => {
                let mut envelopes = Vec::new();
                while let Some((&slot, after)) = rest.split_first() {
                    let len = usize::from(u16::from_be_bytes(after.get(0..2)?.try_into().ok()?));
                    let envelope = after.get(2..2 + len)?;
                    envelopes.push((slot, Envelope::from_bytes(envelope.to_vec())));
                    rest = &after[2 + len..];
                }
                Some(VaultAnswer::Sealed(envelopes))
            }
            (&REFUSED, reason) => Some(VaultAnswer::Refused(
                String::from_utf8_lossy(reason).into_owned(),
            )),
            _ => None,
        }
    }

    /// The envelope for `slot`, if the answer has one.
    pub fn envelope(&self, slot: u8) -> Option<&Envelope> {
        match self {
            VaultAnswer::Sealed(envelopes) => envelopes
                .iter()
                .find(|(s, _)| *s == slot)
                .map(|(_, envelope)| envelope),
            VaultAnswer::Refused(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_sim::Seed;
    use provsim_sim::crypto::Crypto;

    #[test]
    fn requests_and_answers_read_back_and_truncations_do_not() {
        let crypto = Crypto::new();
        let key = crypto.generate_key(&mut Seed::new(1).stream("transport"));
        let request = SecretsRequest {
            index: 7,
            device: DeviceId(0x5053_0001_0000_0007),
            transport_key: key.public_key().clone(),
        };
        let bytes = request.encode();
        assert_eq!(SecretsRequest::decode(&bytes), Some(request));
        for cut in 0..bytes.len() {
            assert_eq!(SecretsRequest::decode(&bytes[..cut]), None);
        }
        let answer = VaultAnswer::Sealed(vec![
            (0, Envelope::from_bytes(vec![1; 125])),
            (1, Envelope::from_bytes(vec![2; 125])),
        ]);
        let bytes = answer.encode();
        assert_eq!(VaultAnswer::decode(&bytes), Some(answer.clone()));
        assert_eq!(
            answer.envelope(1),
            Some(&Envelope::from_bytes(vec![2; 125]))
        );
        assert_eq!(answer.envelope(2), None);
        // A cut inside an envelope is not an answer; a cut between two is a shorter one.
        assert_eq!(VaultAnswer::decode(&bytes[..100]), None);
        assert_eq!(
            VaultAnswer::decode(&bytes[..1 + 3 + 125]),
            Some(VaultAnswer::Sealed(vec![(
                0,
                Envelope::from_bytes(vec![1; 125])
            )]))
        );
        let refused = VaultAnswer::Refused("no keys for device 3".into());
        assert_eq!(VaultAnswer::decode(&refused.encode()), Some(refused));
        assert_eq!(VaultAnswer::decode(&[9]), None);
    }
}
