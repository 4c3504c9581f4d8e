//! The card: its own life cycle, its objects, its PIN and its secure channel, and the
//! APDU dispatch that decides, rule by rule, what each instruction may do.

use super::apdu::{Command, Response, Sw};
use super::applet::*;
use super::channel::{self, CHALLENGE_LEN, CardChannel, SECURE_MESSAGING};
use super::channel_log::ChannelLog;
use super::objects::{Object, ObjectKind, ObjectState, Rule, Rules};
use crate::fault::{FaultGate, FaultPoint, FaultState};
use crate::target::DeviceId;
use crate::weakness::Weaknesses;
use provsim_sim::crypto::{Crypto, PublicKey, SecretKey};
use provsim_sim::{Ctx, Field, Seed, Stream};
use std::collections::BTreeMap;

/// The card's own life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CardState {
    /// Objects may be created and keys generated or imported over the channel.
    Personalisation,
    /// Personalisation is closed: no object is created and no key goes in any more.
    Secured,
    /// End of life: every object terminated, every command refused.
    Terminated,
}

/// A secure element.
pub struct SecureElement {
    pub(super) device_id: DeviceId,
    /// The static channel key, diversified from the batch's transport key by the SE
    /// vendor before the card ships.
    pub(super) static_key: [u8; 32],
    pub(super) state: CardState,
    pub(super) selected: bool,
    pub(super) objects: BTreeMap<u8, Object>,
    pub(super) pin_hash: Option<[u8; 32]>,
    pub(super) pin_tries: u8,
    pub(super) pin_verified: bool,
    /// The channel being opened or open; closed by a command that does not open.
    pub(super) channel: Option<CardChannel>,
    /// The key envelopes are sealed to in personalisation: in RAM, made at first use
    /// after power-up.
    pub(super) transport: Option<SecretKey>,
    pub(super) trng: Stream,
    pub(super) faults: FaultState,
    /// Protections this card's applet was built without.
    pub(super) weaknesses: Weaknesses,
    pub(super) log: ChannelLog,
}

impl Clone for SecureElement {
    /// An identical card, its TRNG's position included: only for what-if copies.
    fn clone(&self) -> Self {
        SecureElement {
            device_id: self.device_id,
            static_key: self.static_key,
            state: self.state,
            selected: self.selected,
            objects: self.objects.clone(),
            pin_hash: self.pin_hash,
            pin_tries: self.pin_tries,
            pin_verified: self.pin_verified,
            channel: self.channel.clone(),
            transport: self.transport.clone(),
            trng: self.trng.duplicate(),
            faults: self.faults.clone(),
            weaknesses: self.weaknesses.clone(),
            log: self.log.clone(),
        }
    }
}

impl SecureElement {
    /// Device `index`'s card as the SE vendor ships it: blank, in personalisation,
    /// keyed for its batch.
    pub fn new(
        seed: Seed,
        index: u64,
        device_id: DeviceId,
        batch_key: &[u8; 32],
        crypto: &Crypto,
    ) -> Self {
        SecureElement {
            device_id,
            static_key: channel::card_static_key(crypto, batch_key, device_id),
            state: CardState::Personalisation,
            selected: false,
            objects: BTreeMap::new(),
            pin_hash: None,
            pin_tries: PIN_TRIES,
            pin_verified: false,
            channel: None,
            transport: None,
            trng: crate::labels::se_trng(seed, index),
            faults: FaultState::default(),
            weaknesses: Weaknesses::default(),
            log: ChannelLog::default(),
        }
    }

    /// The card with its applet built without `weaknesses`.
    pub fn with_weaknesses(mut self, weaknesses: Weaknesses) -> Self {
        self.weaknesses = weaknesses;
        self
    }

    pub fn device_id(&self) -> DeviceId {
        self.device_id
    }

    pub fn state(&self) -> CardState {
        self.state
    }

    /// Object `id`'s kind, state and rules, as the card's data sheet lets anyone list
    /// them (no content).
    pub fn object(&self, id: u8) -> Option<(ObjectKind, ObjectState, Rules)> {
        self.objects.get(&id).map(|o| (o.kind, o.state, o.rules))
    }

    pub fn faults_mut(&mut self) -> &mut FaultState {
        &mut self.faults
    }

    pub fn faults(&self) -> &FaultState {
        &self.faults
    }

    /// Power cycle: the selection, the PIN's verification and the channel are gone.
    pub fn reset(&mut self) {
        self.selected = false;
        self.pin_verified = false;
        self.channel = None;
        self.transport = None;
    }

    /// Takes one command APDU and answers.
    pub fn transmit(&mut self, ctx: &mut Ctx<'_>, bytes: &[u8]) -> Vec<u8> {
        let response = match Command::parse(bytes) {
            Ok(command) => self.process(ctx, &command),
            Err(_) => {
                // A secured command that does not even parse was altered on the way.
                if bytes.first().is_some_and(|cla| cla & SECURE_MESSAGING != 0) {
                    self.channel = None;
                }
                Response::status(Sw::WRONG_LENGTH)
            }
        };
        // A glitch is timed on one command: one that has not acted by its end is gone.
        self.faults.end_operation();
        ctx.record(
            "apdu",
            &[
                ("ins", Field::U64(bytes.get(1).copied().unwrap_or(0).into())),
                ("sw", Field::U64(response.sw.0.into())),
            ],
        );
        response.encode()
    }

    pub(super) fn process(&mut self, ctx: &mut Ctx<'_>, command: &Command) -> Response {
        let crypto = ctx.crypto;
        if command.cla & SECURE_MESSAGING != 0 {
            if !matches!(command.cla, 0x04 | 0x84) {
                self.channel = None;
                return Response::status(Sw::CLA_NOT_SUPPORTED);
            }
            // Secured: opens under the channel or closes it.
            let Some(channel) = self.channel.as_mut() else {
                return Response::status(Sw::SECURITY_STATUS);
            };
            let Some(data) = channel.open(crypto, command) else {
                self.channel = None;
                return Response::status(Sw::SECURITY_STATUS);
            };
            self.log.opened(crypto, command);
            let plain = Command {
                cla: command.cla & !SECURE_MESSAGING,
                data,
                ..command.clone()
            };
            // Selecting and opening channels happen outside a channel.
            let answer = if matches!(
                plain.ins,
                ins::SELECT | ins::INITIALIZE_UPDATE | ins::EXTERNAL_AUTHENTICATE
            ) {
                Response::status(Sw::CONDITIONS)
            } else {
                self.dispatch(ctx, &plain, true)
            };
            let sealed = match self.channel.as_mut() {
                Some(channel) => channel.seal(crypto, command, answer.sw, &answer.data),
                None => Vec::new(),
            };
            return Response {
                data: sealed,
                sw: answer.sw,
            };
        }
        if !matches!(command.cla, 0x00 | 0x80) {
            return Response::status(Sw::CLA_NOT_SUPPORTED);
        }
        self.dispatch(ctx, command, false)
    }

    pub(super) fn dispatch(&mut self, ctx: &mut Ctx<'_>, c: &Command, secured: bool) -> Response {
        if self.state == CardState::Terminated {
            return Response::status(Sw::CONDITIONS);
        }
        if c.ins == ins::SELECT {
            return self.select(c);
        }
        if !self.selected {
            return Response::status(Sw::NOT_ALLOWED);
        }
        let result = match c.ins {
            // P2 4F: the object directory (ids, public metadata); otherwise the card's id.
            ins::GET_DATA if c.p2 == OBJECT_DIRECTORY => Ok(self.objects.keys().copied().collect()),
            ins::GET_DATA => Ok(self.device_id.0.to_be_bytes().to_vec()),
            ins::INITIALIZE_UPDATE => self.initialize_update(ctx.crypto, c),
            ins::EXTERNAL_AUTHENTICATE => self.external_authenticate(ctx.crypto, c),
            ins::VERIFY => self.verify_pin(ctx.crypto, c),
            ins::READ_OBJECT => self.read_object(c, secured),
            ins::WRITE_OBJECT => self.write_object(c, secured),
            ins::INTERNAL_AUTHENTICATE => self.sign(ctx.crypto, c, secured),
            ins::GENERAL_AUTHENTICATE => self.ecdh(ctx.crypto, c, secured),
            ins::CHANGE_PIN => self.change_pin(ctx.crypto, c, secured),
            ins::GET_TRANSPORT_KEY => self.transport_key(ctx),
            ins::IMPORT_SEALED_KEY => self.import_sealed(ctx, c),
            ins::ESTABLISH_SESSION => self.establish_session(ctx.crypto, c, secured),
            ins::SET_STATUS => self.set_status(ctx, c, secured),
            ins::PERFORM_SECURITY_OPERATION => self.encipher(ctx.crypto, c, secured),
            VENDOR_DIAGNOSTIC => self.vendor_diagnostic(c),
            ins::CREATE_OBJECT
            | ins::GENERATE_KEY
            | ins::PUT_KEY
            | ins::SET_ACCESS
            | ins::ACTIVATE
            | ins::TERMINATE => self.manage(ctx, c, secured),
            _ => Err(Sw::INS_NOT_SUPPORTED),
        };
        match result {
            Ok(data) => Response::ok(data),
            Err(sw) => Response::status(sw),
        }
    }

    pub(super) fn select(&mut self, c: &Command) -> Response {
        if c.p1 != 0x04 {
            return Response::status(Sw::WRONG_P1P2);
        }
        // Any selection starts afresh: no PIN verified, no channel.
        self.pin_verified = false;
        self.channel = None;
        self.selected = c.data == AID;
        if self.selected {
            Response::ok(Vec::new())
        } else {
            Response::status(Sw::NOT_FOUND)
        }
    }

    pub(super) fn initialize_update(
        &mut self,
        crypto: &Crypto,
        c: &Command,
    ) -> Result<Vec<u8>, Sw> {
        let host: [u8; CHALLENGE_LEN] =
            c.data.as_slice().try_into().map_err(|_| Sw::WRONG_LENGTH)?;
        let card: [u8; CHALLENGE_LEN] = self.card_challenge(crypto);
        let (channel, cryptogram) = CardChannel::initialize(crypto, &self.static_key, host, card);
        self.channel = Some(channel);
        let mut out = self.device_id.0.to_be_bytes().to_vec();
        out.extend_from_slice(&card);
        out.extend_from_slice(&cryptogram);
        Ok(out)
    }

    pub(super) fn external_authenticate(
        &mut self,
        crypto: &Crypto,
        c: &Command,
    ) -> Result<Vec<u8>, Sw> {
        let channel = self.channel.as_mut().ok_or(Sw::CONDITIONS)?;
        if channel.is_authenticated() {
            return Err(Sw::CONDITIONS);
        }
        if channel.authenticate(crypto, &c.data) {
            Ok(Vec::new())
        } else {
            self.channel = None;
            Err(Sw::SECURITY_STATUS)
        }
    }

    /// Whether `rule` is met now; through the APDU access check's fault point.
    pub(super) fn allowed(&mut self, rule: Rule, secured: bool) -> bool {
        let met = self.rule_met(rule, secured);
        self.channel_check(met, rule.channel, secured)
    }

    /// Whether `rule` is met now, as computed (before the fault gate).
    pub(super) fn rule_met(&self, rule: Rule, secured: bool) -> bool {
        !rule.never && (!rule.pin || self.pin_verified) && (!rule.channel || secured)
    }

    /// An access check through its fault point. One that a command needing the secure
    /// channel got past while sent in plain is counted in the channel's log: whatever
    /// the command then does, the rule meant to keep it to the key holder did not.
    pub(super) fn channel_check(
        &mut self,
        holds: bool,
        needs_channel: bool,
        secured: bool,
    ) -> bool {
        let passed = self.faults.check(FaultPoint::ApduAccess, holds);
        if passed && !holds && needs_channel && !secured {
            self.log.unsealed();
        }
        passed
    }

    pub(super) fn verify_pin(&mut self, crypto: &Crypto, c: &Command) -> Result<Vec<u8>, Sw> {
        let stored = self.pin_hash.ok_or(Sw::CONDITIONS)?;
        if self.pin_tries == 0 {
            return Err(Sw::BLOCKED);
        }
        // The counter is decremented before the comparison, as cards do, so cutting
        // power mid-check cannot buy a free try.
        self.pin_tries -= 1;
        if crypto.sha256(&c.data) == stored {
            self.pin_tries = PIN_TRIES;
            self.pin_verified = true;
            Ok(Vec::new())
        } else {
            self.pin_verified = false;
            Err(Sw::tries_left(self.pin_tries))
        }
    }

    pub(super) fn change_pin(
        &mut self,
        crypto: &Crypto,
        c: &Command,
        secured: bool,
    ) -> Result<Vec<u8>, Sw> {
        let may = match self.state {
            CardState::Personalisation => secured,
            CardState::Secured => self.pin_verified,
            CardState::Terminated => false,
        };
        let needs_channel = self.state == CardState::Personalisation;
        if !self.channel_check(may, needs_channel, secured) {
            return Err(Sw::SECURITY_STATUS);
        }
        if !(4..=8).contains(&c.data.len()) {
            return Err(Sw::WRONG_DATA);
        }
        self.pin_hash = Some(crypto.sha256(&c.data));
        self.pin_tries = PIN_TRIES;
        Ok(Vec::new())
    }

    pub(super) fn object_mut(&mut self, id: u8) -> Result<&mut Object, Sw> {
        self.objects.get_mut(&id).ok_or(Sw::NOT_FOUND)
    }

    pub(super) fn read_object(&mut self, c: &Command, secured: bool) -> Result<Vec<u8>, Sw> {
        let object = self.objects.get(&c.p2).ok_or(Sw::NOT_FOUND)?;
        let (rule, state) = (object.rules.read, object.state);
        if !self.allowed(rule, secured) {
            return Err(Sw::SECURITY_STATUS);
        }
        if matches!(state, ObjectState::Creation | ObjectState::Termination) {
            return Err(Sw::CONDITIONS);
        }
        Ok(self
            .objects
            .get(&c.p2)
            .map(Object::readable)
            .unwrap_or_default())
    }

    pub(super) fn write_object(&mut self, c: &Command, secured: bool) -> Result<Vec<u8>, Sw> {
        // In personalisation a write makes the public object it names (a certificate
        // or data), readable by all and updatable by no one once the card is closed.
        let kind = ObjectKind::from_code(c.p1 & !APPEND);
        if !self.objects.contains_key(&c.p2)
            && self.state == CardState::Personalisation
            && matches!(kind, Some(ObjectKind::Certificate | ObjectKind::Data))
        {
            if self.objects.len() >= MAX_OBJECTS {
                return Err(Sw::NO_MEMORY);
            }
            let rules = Rules {
                read: Rule::ALWAYS,
                use_: Rule::NEVER,
                update: Rule::ALWAYS,
            };
            if let Some(mut object) = kind.and_then(|k| Object::create(k, rules)) {
                object.frozen_on_close = true;
                self.objects.insert(c.p2, object);
            }
        }
        let object = self.objects.get(&c.p2).ok_or(Sw::NOT_FOUND)?;
        let (rule, state, kind) = (object.rules.update, object.state, object.kind);
        if matches!(kind, ObjectKind::PrivateKey | ObjectKind::SymmetricKey) {
            return Err(Sw::CONDITIONS);
        }
        if state == ObjectState::Termination {
            return Err(Sw::CONDITIONS);
        }
        if !self.allowed(rule, secured) {
            return Err(Sw::SECURITY_STATUS);
        }
        let object = self.object_mut(c.p2)?;
        if c.p1 & APPEND != 0 {
            if object.content.len() + c.data.len() > MAX_CONTENT {
                return Err(Sw::NO_MEMORY);
            }
            object.content.extend_from_slice(&c.data);
        } else {
            if c.data.len() > MAX_CONTENT {
                return Err(Sw::NO_MEMORY);
            }
            object.content = c.data.clone();
        }
        object.advance(ObjectState::Initialisation);
        Ok(Vec::new())
    }

    /// The private key of an operational key object, if its use rule is met now.
    pub(super) fn usable_key(
        &mut self,
        id: u8,
        secured: bool,
    ) -> Result<provsim_sim::crypto::SecretKey, Sw> {
        let object = self.objects.get(&id).ok_or(Sw::NOT_FOUND)?;
        let (rule, state, kind) = (object.rules.use_, object.state, object.kind);
        if kind != ObjectKind::PrivateKey {
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
        let object = self.objects.get(&id).ok_or(Sw::NOT_FOUND)?;
        object.key().ok_or(Sw::CONDITIONS)
    }

    pub(super) fn sign(
        &mut self,
        crypto: &Crypto,
        c: &Command,
        secured: bool,
    ) -> Result<Vec<u8>, Sw> {
        let digest: [u8; 32] = c.data.as_slice().try_into().map_err(|_| Sw::WRONG_LENGTH)?;
        let key = self.usable_key(c.p2, secured)?;
        Ok(crypto.sign_digest(&key, &digest).as_der().to_vec())
    }

    pub(super) fn ecdh(
        &mut self,
        crypto: &Crypto,
        c: &Command,
        secured: bool,
    ) -> Result<Vec<u8>, Sw> {
        let peer = PublicKey::from_sec1(&c.data).map_err(|_| Sw::WRONG_DATA)?;
        let key = self.usable_key(c.p2, secured)?;
        Ok(crypto.ecdh(&key, &peer).to_vec())
    }

    /// Card management: only over the authenticated channel.
    pub(super) fn manage(
        &mut self,
        ctx: &mut Ctx<'_>,
        c: &Command,
        secured: bool,
    ) -> Result<Vec<u8>, Sw> {
        if !self.channel_check(secured, true, secured) {
            return Err(Sw::SECURITY_STATUS);
        }
        let personalising = self.state == CardState::Personalisation;
        match c.ins {
            ins::CREATE_OBJECT | ins::GENERATE_KEY | ins::PUT_KEY
                if !self.faults.check(FaultPoint::LifeCycleGate, personalising) =>
            {
                Err(Sw::CONDITIONS)
            }
            ins::CREATE_OBJECT => self.create_object(c),
            ins::GENERATE_KEY => {
                self.key_slot(c.p2)?;
                let key = ctx.crypto.generate_key(&mut self.trng);
                self.object_mut(c.p2)?.install_key(&key);
                ctx.record("se-key-generated", &[("object", Field::U64(c.p2.into()))]);
                Ok(key.public_key().sec1().to_vec())
            }
            ins::PUT_KEY => {
                self.key_slot(c.p2)?;
                let key = ctx
                    .crypto
                    .import_secret(&c.data)
                    .map_err(|_| Sw::WRONG_DATA)?;
                self.object_mut(c.p2)?.install_key(&key);
                ctx.record("se-key-imported", &[("object", Field::U64(c.p2.into()))]);
                Ok(key.public_key().sec1().to_vec())
            }
            ins::SET_ACCESS => {
                let rules = Rules::decode(&c.data).ok_or(Sw::WRONG_DATA)?;
                let object = self.object_mut(c.p2)?;
                object.set_rules(rules)?;
                Ok(Vec::new())
            }
            ins::ACTIVATE => {
                let object = self.object_mut(c.p2)?;
                if object.state != ObjectState::Initialisation {
                    return Err(Sw::CONDITIONS);
                }
                object.advance(ObjectState::Operational);
                Ok(Vec::new())
            }
            ins::TERMINATE => {
                let object = self.object_mut(c.p2)?;
                object.terminate();
                Ok(Vec::new())
            }
            _ => Err(Sw::INS_NOT_SUPPORTED),
        }
    }

    pub(super) fn create_object(&mut self, c: &Command) -> Result<Vec<u8>, Sw> {
        let kind = ObjectKind::from_code(c.p1).ok_or(Sw::WRONG_P1P2)?;
        let rules = Rules::decode(&c.data).ok_or(Sw::WRONG_DATA)?;
        if self.objects.contains_key(&c.p2) {
            return Err(Sw::EXISTS);
        }
        if self.objects.len() >= MAX_OBJECTS {
            return Err(Sw::NO_MEMORY);
        }
        let object = Object::create(kind, rules).ok_or(Sw::WRONG_DATA)?;
        self.objects.insert(c.p2, object);
        Ok(Vec::new())
    }

    /// A private-key object still waiting for its key.
    pub(super) fn key_slot(&self, id: u8) -> Result<(), Sw> {
        let object = self.objects.get(&id).ok_or(Sw::NOT_FOUND)?;
        if object.kind != ObjectKind::PrivateKey || object.state != ObjectState::Creation {
            return Err(Sw::CONDITIONS);
        }
        Ok(())
    }

    /// Whether object `id` holds a key: for tests.
    #[cfg(test)]
    pub(crate) fn holds_key(&self, id: u8) -> bool {
        self.objects.get(&id).is_some_and(|o| o.key().is_some())
    }

    /// Test and oracle access to the card's secrets: never reachable by an APDU.
    #[cfg(test)]
    pub(crate) fn private_keys(&self) -> Vec<Vec<u8>> {
        self.objects
            .values()
            .filter_map(Object::key)
            .map(|k| k.expose_secret_bytes().to_vec())
            .collect()
    }
}
