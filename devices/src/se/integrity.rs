//! What the card's secure channel let through that it should not have, and the vendor
//! diagnostic a careless applet keeps: the ground truth a secure-channel claim is judged
//! by, and the one instruction that ignores the access rules.
//!
//! The card counts two things as it works, never on anyone's say-so: a secured command
//! whose sealed bytes it had already opened (a replay: the channel's counters and fresh
//! challenges exist to refuse it), and a command its rules reserve for the channel that
//! got past its access check sent in plain (a glitched check), whatever it then did. The counts are numbers, never
//! content, and only an oracle reads them.

use super::apdu::{Command, Sw};
use super::card::SecureElement;
use super::channel::frozen_challenge;
use super::objects::ObjectKind;
use crate::target::ChannelBreaches;
use crate::weakness::Weakness;
use provsim_sim::crypto::Crypto;

impl SecureElement {
    /// The vendor diagnostic (P2 an object id): an object's raw content, keys included,
    /// with no rule consulted. Unknown on a card built without the weakness.
    pub(super) fn vendor_diagnostic(&self, c: &Command) -> Result<Vec<u8>, Sw> {
        if !self.weaknesses.has(Weakness::SeVendorDiagnostic) {
            return Err(Sw::INS_NOT_SUPPORTED);
        }
        let object = self.objects.get(&c.p2).ok_or(Sw::NOT_FOUND)?;
        Ok(match object.kind {
            ObjectKind::PrivateKey => object
                .key()
                .map(|k| k.expose_secret_bytes().to_vec())
                .unwrap_or_default(),
            ObjectKind::SymmetricKey => object.secret().map(<[u8]>::to_vec).unwrap_or_default(),
            _ => object.content.clone(),
        })
    }

    /// The card's challenge for a new channel: fresh from its TRNG, or the same every
    /// time when its sequence counter is frozen.
    pub(super) fn card_challenge(&mut self, crypto: &Crypto) -> [u8; 8] {
        // Drawn either way, so a weak card's later draws (keys, ephemerals) are a sound
        // card's: the pair differs in the challenge only.
        let fresh: [u8; 8] = self.trng.bytes();
        if self.weaknesses.has(Weakness::SeChannelCounterFrozen) {
            frozen_challenge(crypto, &self.static_key)
        } else {
            fresh
        }
    }

    /// What the channel let through so far.
    pub fn channel_breaches(&self) -> ChannelBreaches {
        self.log.breaches()
    }
}

#[cfg(test)]
mod tests {
    use crate::fault::FaultModel;
    use crate::leakage::LeakageModel;
    use crate::se::SeChip;
    use crate::target::{DeviceId, Target};
    use crate::weakness::{Weakness, Weaknesses};
    use provsim_sim::crypto::Crypto;
    use provsim_sim::{Ctx, Seed, SimTime, Trace};

    fn card(weaknesses: &[Weakness]) -> SeChip {
        SeChip::new(
            Seed::new(3),
            1,
            DeviceId::new(3, 1, 1),
            &[7; 32],
            &Crypto::new(),
            LeakageModel::STOCK,
            FaultModel::stock(),
            Weaknesses::new(weaknesses.iter().copied()),
        )
    }

    /// Replays a recorded session on the card; the status word of its last answer.
    fn replay(card: &mut SeChip) -> u16 {
        let crypto = Crypto::new();
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
        let session = card.field_session(&mut ctx).unwrap();
        assert_eq!(
            session.len(),
            4,
            "select, initialise, authenticate, the command"
        );
        let mut last = 0;
        for exchange in &session {
            let answer = card.apdu(&mut ctx, &exchange.command).unwrap();
            last = u16::from_be_bytes([answer[answer.len() - 2], answer[answer.len() - 1]]);
        }
        last
    }

    /// A fresh card challenge per session is what refuses a replayed session: with the
    /// sequence counter frozen the same bytes open again and the card counts the replay.
    #[test]
    fn a_recorded_session_replays_only_when_the_counter_is_frozen() {
        let mut sound = card(&[]);
        assert_eq!(replay(&mut sound), 0x6982);
        assert!(!sound.channel_breaches().any());
        let mut weak = card(&[Weakness::SeChannelCounterFrozen]);
        assert_eq!(replay(&mut weak), 0x9000);
        assert_eq!(weak.channel_breaches().replayed, 1);
        assert_eq!(weak.channel_breaches().unsealed, 0);
    }

    #[test]
    fn the_vendor_diagnostic_is_unknown_on_a_sound_card() {
        let crypto = Crypto::new();
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
        for (weaknesses, sw) in [
            (vec![], [0x6d, 0x00]),
            (vec![Weakness::SeVendorDiagnostic], [0x6a, 0x82]),
        ] {
            let mut chip = card(&weaknesses);
            let mut select = vec![0, 0xa4, 4, 0, crate::se::AID.len() as u8];
            select.extend_from_slice(crate::se::AID);
            chip.apdu(&mut ctx, &select).unwrap();
            // Object 0x41 does not exist: the weak card knows the instruction.
            let answer = chip
                .apdu(&mut ctx, &[0x80, crate::se::VENDOR_DIAGNOSTIC, 0, 0x41, 0])
                .unwrap();
            assert_eq!(answer, sw);
        }
    }

    /// The card's AES runs only through ENCIPHER on a key object it holds: a blank card
    /// gives no trace of one.
    #[test]
    fn no_aes_trace_without_a_key_the_card_would_use() {
        let crypto = Crypto::new();
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
        let mut chip = card(&[]);
        let operation = crate::leakage::MeasuredOperation::AesEncrypt {
            slot: 1,
            plaintext: [0; 16],
        };
        let mut noise = Seed::new(1).stream("test/noise");
        let measured = chip.power_trace(&mut ctx, &operation, &mut noise);
        assert!(
            matches!(measured, Err(crate::error::PortError::NoKey { slot: 1 })),
            "{measured:?}"
        );
    }
}
