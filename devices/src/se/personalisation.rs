//! What the line asks of a secure element: its transport key and sealed key imports
//! while personalising, closing (or terminating) the card, and the first-connection
//! answer its identity key gives in the field; and the keys its own AES and scalar
//! multiplications use, for power measurements.

use super::apdu::{Command, Sw};
use super::applet::*;
use super::card::{CardState, SecureElement};
use super::objects::{Object, ObjectKind, ObjectState, Rule, Rules};
use crate::fault::{FaultGate, FaultPoint};
use provsim_sim::crypto::{Crypto, PublicKey};
use provsim_sim::{Ctx, Field};

impl SecureElement {
    /// Closing personalisation only takes rights away, so it needs no channel: a
    /// station without the static key may close what it personalised (and terminate a
    /// card it spoils). Once closed, terminating the card is the key holder's decision,
    /// over the channel only. Closing activates every object that is initialised.
    pub(super) fn set_status(
        &mut self,
        ctx: &mut Ctx<'_>,
        c: &Command,
        secured: bool,
    ) -> Result<Vec<u8>, Sw> {
        match c.p1 {
            CLOSE_PERSONALISATION => {
                let personalising = self.state == CardState::Personalisation;
                if !self.faults.check(FaultPoint::LifeCycleGate, personalising) {
                    return Err(Sw::CONDITIONS);
                }
                self.state = CardState::Secured;
                for object in self.objects.values_mut() {
                    if object.state == ObjectState::Initialisation {
                        object.advance(ObjectState::Operational);
                    }
                    if object.frozen_on_close {
                        object.rules.update = Rule::NEVER;
                    }
                }
                self.transport = None;
                ctx.record("se-personalisation-closed", &[]);
                Ok(Vec::new())
            }
            TERMINATE_CARD => {
                // In the field, ending the card is the key holder's decision: over the
                // channel only, so host firmware cannot brick the identity.
                let may = self.state == CardState::Personalisation || secured;
                let needs_channel = self.state != CardState::Personalisation;
                if !self.channel_check(may, needs_channel, secured) {
                    return Err(Sw::SECURITY_STATUS);
                }
                for object in self.objects.values_mut() {
                    object.terminate();
                }
                self.state = CardState::Terminated;
                self.channel = None;
                self.transport = None;
                ctx.record("se-terminated", &[]);
                Ok(Vec::new())
            }
            _ => Err(Sw::WRONG_P1P2),
        }
    }

    pub(super) fn transport_key(&mut self, ctx: &mut Ctx<'_>) -> Result<Vec<u8>, Sw> {
        if self.state != CardState::Personalisation {
            return Err(Sw::CONDITIONS);
        }
        let trng = &mut self.trng;
        let key = self
            .transport
            .get_or_insert_with(|| ctx.crypto.generate_key(trng));
        Ok(key.public_key().sec1().to_vec())
    }

    /// A key sealed to the transport key for one object of this card (the envelope's
    /// context names the card and the object), taken in only while personalising. The
    /// object is made with the vendor's rules for injected keys: usable by all, its
    /// public half readable, never updated.
    pub(super) fn import_sealed(&mut self, ctx: &mut Ctx<'_>, c: &Command) -> Result<Vec<u8>, Sw> {
        let personalising = self.state == CardState::Personalisation;
        if !self.faults.check(FaultPoint::LifeCycleGate, personalising) {
            return Err(Sw::CONDITIONS);
        }
        // The vendor's object map fixes what each object may hold (the identity key
        // in 0, symmetric keys in 1 to 8), so an envelope cannot be taken in as a key
        // of another kind than it was sealed for.
        let kind = match c.p2 {
            0 => ObjectKind::PrivateKey,
            1..=8 => ObjectKind::SymmetricKey,
            _ => return Err(Sw::WRONG_P1P2),
        };
        if ObjectKind::from_code(c.p1) != Some(kind) {
            return Err(Sw::WRONG_P1P2);
        }
        if self.objects.contains_key(&c.p2) {
            return Err(Sw::EXISTS);
        }
        if self.objects.len() >= MAX_OBJECTS {
            return Err(Sw::NO_MEMORY);
        }
        let transport = self.transport.clone().ok_or(Sw::CONDITIONS)?;
        let aad = crate::mcu::injection_context(self.device_id, c.p2);
        let envelope = provsim_sim::crypto::Envelope::from_bytes(c.data.clone());
        let secret = ctx
            .crypto
            .open_envelope(&transport, &aad, &envelope)
            .map_err(|_| Sw::WRONG_DATA)?;
        let rules = Rules {
            read: Rule::ALWAYS,
            use_: Rule::ALWAYS,
            update: Rule::NEVER,
        };
        let mut object = Object::create(kind, rules).ok_or(Sw::WRONG_DATA)?;
        let answer = match kind {
            ObjectKind::PrivateKey => {
                let key = ctx
                    .crypto
                    .import_secret(&secret)
                    .map_err(|_| Sw::WRONG_DATA)?;
                object.install_key(&key);
                key.public_key().sec1().to_vec()
            }
            _ => {
                if secret.len() != 32 {
                    return Err(Sw::WRONG_DATA);
                }
                object.install_secret(&secret);
                crate::check_value::key_check_value(ctx.crypto, &secret).to_vec()
            }
        };
        self.objects.insert(c.p2, object);
        ctx.record("se-key-imported", &[("object", Field::U64(c.p2.into()))]);
        Ok(answer)
    }

    /// The first-connection answer (see [`crate::first_connection`]): a fresh ephemeral
    /// key from the card's TRNG, the transcript signed with private-key object P2, and
    /// the session key from ECDH with the server's key. Data: challenge (32) || server
    /// key (65); answer: ephemeral key (65) || session key (32) || signature (DER).
    pub(super) fn establish_session(
        &mut self,
        crypto: &Crypto,
        c: &Command,
        secured: bool,
    ) -> Result<Vec<u8>, Sw> {
        let (challenge, server) = c.data.split_at_checked(32).ok_or(Sw::WRONG_LENGTH)?;
        let challenge: [u8; 32] = challenge.try_into().map_err(|_| Sw::WRONG_LENGTH)?;
        let server = PublicKey::from_sec1(server).map_err(|_| Sw::WRONG_DATA)?;
        let identity = self.usable_key(c.p2, secured)?;
        let ephemeral = crypto.generate_key(&mut self.trng);
        let transcript =
            crate::first_connection::transcript(&challenge, &server, ephemeral.public_key());
        let signature = crypto.sign(&identity, &transcript);
        let shared = crypto.ecdh(&ephemeral, &server);
        let session = crate::first_connection::session_key(crypto, &shared, &transcript);
        let mut out = ephemeral.public_key().sec1().to_vec();
        out.extend_from_slice(&session);
        out.extend_from_slice(signature.as_der());
        Ok(out)
    }

    /// The private key in object `id`, for the card's own scalar multiplications.
    pub(crate) fn private_key(&self, id: u8) -> Option<provsim_sim::crypto::SecretKey> {
        let object = self.objects.get(&id)?;
        (object.kind == ObjectKind::PrivateKey && object.state == ObjectState::Operational)
            .then(|| object.key())
            .flatten()
    }
}
