//! A secure element: a smart-card-class chip whose only interface is APDUs (ISO/IEC
//! 7816-4 structure). It keeps keys and data in objects, each with its own access
//! rules and life cycle, checks a PIN with a retry counter, and takes keys in only
//! over a secure channel in the GlobalPlatform SCP03 style keyed by the batch's
//! transport key. No command sequence returns a private key: no instruction has a
//! private key as its output, and a private-key object's read rule is "never".
//!
//! Instructions (CLA 00 plain, 80 proprietary, 84 secured):
//!
//! | INS | name | needs |
//! |---|---|---|
//! | A4 | SELECT the applet by AID | |
//! | CA | GET DATA: the card's id | selection |
//! | 50 | INITIALIZE UPDATE (host challenge) | selection |
//! | 82 | EXTERNAL AUTHENTICATE (host cryptogram) | an initialised channel |
//! | E0 | CREATE OBJECT (P1 kind, P2 id, data rules) | channel, personalisation |
//! | 46 | GENERATE KEY in a private-key object | channel, personalisation |
//! | D8 | PUT KEY: import a private key | channel, personalisation |
//! | D6 | WRITE OBJECT (certificate, data) | the object's update rule |
//! | B0 | READ OBJECT (data; a key's public half) | the object's read rule |
//! | 88 | INTERNAL AUTHENTICATE: sign a digest | the key's use rule |
//! | 86 | GENERAL AUTHENTICATE: ECDH with a point | the key's use rule |
//! | 20 | VERIFY the PIN | |
//! | 24 | CHANGE the PIN | channel in personalisation, else the PIN |
//! | DA | SET ACCESS rules | channel; operational objects only tighten |
//! | 44 | ACTIVATE an object | channel |
//! | E6 | TERMINATE an object (its content erased) | channel |
//! | F0 | SET STATUS: close personalisation (P1 00, activates what is initialised) or terminate the card (P1 FF) | |
//! | CB | GET DATA: the transport key (made in RAM at power-up) | personalisation |
//! | DB | IMPORT SEALED KEY (P1 kind, P2 id): an envelope sealed to the transport key | personalisation |
//! | D6 | WRITE OBJECT also creates a certificate or data object (P1 kind) and appends (P1 80) | personalisation |
//! | 87 | ESTABLISH SESSION: the first-connection answer with the identity key | the key's use rule |

pub mod apdu;
pub mod channel;
mod objects;
mod personalisation;
mod target;

pub use target::SeChip;

pub use objects::{ObjectKind, ObjectState, Rule, Rules};

use crate::fault::{FaultGate, FaultPoint, FaultState};
use apdu::{Command, Response, Sw};
use channel::{CHALLENGE_LEN, CardChannel, SECURE_MESSAGING};
use objects::Object;
use provsim_sim::crypto::{Crypto, PublicKey, SecretKey};
use provsim_sim::{Ctx, Field, Seed, Stream};
use std::collections::BTreeMap;

use crate::DeviceId;

/// The applet's AID (a proprietary RID and PIX).
pub const AID: &[u8] = b"\xf0provsim-se";
/// Objects the card holds at most.
pub const MAX_OBJECTS: usize = 16;
/// Tries a PIN gets before it blocks.
pub const PIN_TRIES: u8 = 3;
/// Bytes a certificate or data object holds at most.
pub const MAX_CONTENT: usize = 2048;

/// Instruction bytes.
pub mod ins {
    pub const SELECT: u8 = 0xa4;
    pub const GET_DATA: u8 = 0xca;
    pub const INITIALIZE_UPDATE: u8 = 0x50;
    pub const EXTERNAL_AUTHENTICATE: u8 = 0x82;
    pub const CREATE_OBJECT: u8 = 0xe0;
    pub const GENERATE_KEY: u8 = 0x46;
    pub const PUT_KEY: u8 = 0xd8;
    pub const WRITE_OBJECT: u8 = 0xd6;
    pub const READ_OBJECT: u8 = 0xb0;
    pub const INTERNAL_AUTHENTICATE: u8 = 0x88;
    pub const GENERAL_AUTHENTICATE: u8 = 0x86;
    pub const VERIFY: u8 = 0x20;
    pub const CHANGE_PIN: u8 = 0x24;
    pub const SET_ACCESS: u8 = 0xda;
    pub const ACTIVATE: u8 = 0x44;
    pub const TERMINATE: u8 = 0xe6;
    pub const SET_STATUS: u8 = 0xf0;
    pub const GET_TRANSPORT_KEY: u8 = 0xcb;
    pub const IMPORT_SEALED_KEY: u8 = 0xdb;
    pub const ESTABLISH_SESSION: u8 = 0x87;
}

/// SET STATUS's P1: close personalisation, or terminate the card.
pub const CLOSE_PERSONALISATION: u8 = 0x00;
pub const TERMINATE_CARD: u8 = 0xff;
/// GET DATA's P2 for the object directory.
pub const OBJECT_DIRECTORY: u8 = 0x4f;
/// WRITE OBJECT's P1 bit: append to what the object holds.
pub const APPEND: u8 = 0x80;

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
    device_id: DeviceId,
    /// The static channel key, diversified from the batch's transport key by the SE
    /// vendor before the card ships.
    static_key: [u8; 32],
    state: CardState,
    selected: bool,
    objects: BTreeMap<u8, Object>,
    pin_hash: Option<[u8; 32]>,
    pin_tries: u8,
    pin_verified: bool,
    /// The channel being opened or open; closed by a command that does not open.
    channel: Option<CardChannel>,
    /// The key envelopes are sealed to in personalisation: in RAM, made at first use
    /// after power-up.
    transport: Option<SecretKey>,
    trng: Stream,
    faults: FaultState,
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
        }
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
        ctx.record(
            "apdu",
            &[
                ("ins", Field::U64(bytes.get(1).copied().unwrap_or(0).into())),
                ("sw", Field::U64(response.sw.0.into())),
            ],
        );
        response.encode()
    }

    fn process(&mut self, ctx: &mut Ctx<'_>, command: &Command) -> Response {
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

    fn dispatch(&mut self, ctx: &mut Ctx<'_>, c: &Command, secured: bool) -> Response {
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

    fn select(&mut self, c: &Command) -> Response {
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

    fn initialize_update(&mut self, crypto: &Crypto, c: &Command) -> Result<Vec<u8>, Sw> {
        let host: [u8; CHALLENGE_LEN] =
            c.data.as_slice().try_into().map_err(|_| Sw::WRONG_LENGTH)?;
        let card: [u8; CHALLENGE_LEN] = self.trng.bytes();
        let (channel, cryptogram) = CardChannel::initialize(crypto, &self.static_key, host, card);
        self.channel = Some(channel);
        let mut out = self.device_id.0.to_be_bytes().to_vec();
        out.extend_from_slice(&card);
        out.extend_from_slice(&cryptogram);
        Ok(out)
    }

    fn external_authenticate(&mut self, crypto: &Crypto, c: &Command) -> Result<Vec<u8>, Sw> {
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
    fn allowed(&mut self, rule: Rule, secured: bool) -> bool {
        let met = !rule.never && (!rule.pin || self.pin_verified) && (!rule.channel || secured);
        self.faults.check(FaultPoint::ApduAccess, met)
    }

    fn verify_pin(&mut self, crypto: &Crypto, c: &Command) -> Result<Vec<u8>, Sw> {
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

    fn change_pin(&mut self, crypto: &Crypto, c: &Command, secured: bool) -> Result<Vec<u8>, Sw> {
        let may = match self.state {
            CardState::Personalisation => secured,
            CardState::Secured => self.pin_verified,
            CardState::Terminated => false,
        };
        if !self.faults.check(FaultPoint::ApduAccess, may) {
            return Err(Sw::SECURITY_STATUS);
        }
        if !(4..=8).contains(&c.data.len()) {
            return Err(Sw::WRONG_DATA);
        }
        self.pin_hash = Some(crypto.sha256(&c.data));
        self.pin_tries = PIN_TRIES;
        Ok(Vec::new())
    }

    fn object_mut(&mut self, id: u8) -> Result<&mut Object, Sw> {
        self.objects.get_mut(&id).ok_or(Sw::NOT_FOUND)
    }

    fn read_object(&mut self, c: &Command, secured: bool) -> Result<Vec<u8>, Sw> {
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

    fn write_object(&mut self, c: &Command, secured: bool) -> Result<Vec<u8>, Sw> {
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
    fn usable_key(&mut self, id: u8, secured: bool) -> Result<provsim_sim::crypto::SecretKey, Sw> {
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

    fn sign(&mut self, crypto: &Crypto, c: &Command, secured: bool) -> Result<Vec<u8>, Sw> {
        let digest: [u8; 32] = c.data.as_slice().try_into().map_err(|_| Sw::WRONG_LENGTH)?;
        let key = self.usable_key(c.p2, secured)?;
        Ok(crypto.sign_digest(&key, &digest).as_der().to_vec())
    }

    fn ecdh(&mut self, crypto: &Crypto, c: &Command, secured: bool) -> Result<Vec<u8>, Sw> {
        let peer = PublicKey::from_sec1(&c.data).map_err(|_| Sw::WRONG_DATA)?;
        let key = self.usable_key(c.p2, secured)?;
        Ok(crypto.ecdh(&key, &peer).to_vec())
    }

    /// Card management: only over the authenticated channel.
    fn manage(&mut self, ctx: &mut Ctx<'_>, c: &Command, secured: bool) -> Result<Vec<u8>, Sw> {
        if !self.faults.check(FaultPoint::ApduAccess, secured) {
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

    fn create_object(&mut self, c: &Command) -> Result<Vec<u8>, Sw> {
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
    fn key_slot(&self, id: u8) -> Result<(), Sw> {
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

#[cfg(test)]
mod model_tests;
