//! The card's objects: what each holds, who may read, use and update it, and its life
//! cycle (creation, initialisation, operational, termination), which only moves
//! forward. Once an object is operational its rules only tighten.

use super::apdu::Sw;
use provsim_sim::crypto::SecretKey;

/// What an object holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ObjectKind {
    /// A P-256 private key: used to sign and agree keys, never read (a READ gives its
    /// public half).
    PrivateKey,
    Certificate,
    Data,
    /// A 256-bit symmetric key: used by the card's own AES, never read.
    SymmetricKey,
}

impl ObjectKind {
    pub const ALL: [ObjectKind; 4] = [
        ObjectKind::PrivateKey,
        ObjectKind::Certificate,
        ObjectKind::Data,
        ObjectKind::SymmetricKey,
    ];

    pub fn code(self) -> u8 {
        match self {
            ObjectKind::PrivateKey => 1,
            ObjectKind::Certificate => 2,
            ObjectKind::Data => 3,
            ObjectKind::SymmetricKey => 4,
        }
    }

    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// An object's life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ObjectState {
    /// Created, empty.
    Creation,
    /// Content or key in, not yet in use.
    Initialisation,
    /// In use; its rules only tighten.
    Operational,
    /// Retired: content erased, nothing works on it again.
    Termination,
}

/// What one kind of access needs. Encoded in a byte: bit 0 the PIN, bit 1 the secure
/// channel, bit 7 never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rule {
    pub pin: bool,
    pub channel: bool,
    pub never: bool,
}

impl Rule {
    pub const ALWAYS: Rule = Rule {
        pin: false,
        channel: false,
        never: false,
    };
    pub const PIN: Rule = Rule {
        pin: true,
        channel: false,
        never: false,
    };
    pub const CHANNEL: Rule = Rule {
        pin: false,
        channel: true,
        never: false,
    };
    pub const NEVER: Rule = Rule {
        pin: false,
        channel: false,
        never: true,
    };

    pub fn encode(self) -> u8 {
        u8::from(self.pin) | (u8::from(self.channel) << 1) | (u8::from(self.never) << 7)
    }

    /// `None` for bits the card does not define.
    pub fn decode(byte: u8) -> Option<Rule> {
        (byte & 0x7c == 0).then_some(Rule {
            pin: byte & 1 != 0,
            channel: byte & 2 != 0,
            never: byte & 0x80 != 0,
        })
    }

    /// Whether `self` asks at least what `old` asked.
    pub fn at_least(self, old: Rule) -> bool {
        self.never || (!old.never && self.pin >= old.pin && self.channel >= old.channel)
    }
}

/// An object's rules for reading, using (a key) and updating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rules {
    pub read: Rule,
    pub use_: Rule,
    pub update: Rule,
}

impl Rules {
    pub fn encode(self) -> [u8; 3] {
        [self.read.encode(), self.use_.encode(), self.update.encode()]
    }

    pub fn decode(bytes: &[u8]) -> Option<Rules> {
        match bytes {
            [read, use_, update] => Some(Rules {
                read: Rule::decode(*read)?,
                use_: Rule::decode(*use_)?,
                update: Rule::decode(*update)?,
            }),
            _ => None,
        }
    }

    pub fn at_least(self, old: Rules) -> bool {
        self.read.at_least(old.read)
            && self.use_.at_least(old.use_)
            && self.update.at_least(old.update)
    }
}

/// One object.
#[derive(Clone)]
pub(crate) struct Object {
    pub kind: ObjectKind,
    pub state: ObjectState,
    pub rules: Rules,
    pub content: Vec<u8>,
    key: Option<SecretKey>,
    secret: Option<Vec<u8>>,
    /// Made by a write while personalising: nobody updates it once the card closes.
    pub frozen_on_close: bool,
}

impl Object {
    pub fn create(kind: ObjectKind, rules: Rules) -> Option<Object> {
        Some(Object {
            kind,
            state: ObjectState::Creation,
            rules,
            content: Vec::new(),
            key: None,
            secret: None,
            frozen_on_close: false,
        })
    }

    /// What READ OBJECT returns: the content, or a key's public half.
    pub fn readable(&self) -> Vec<u8> {
        match (&self.key, self.kind) {
            (Some(key), ObjectKind::PrivateKey) => key.public_key().sec1().to_vec(),
            (None, ObjectKind::PrivateKey) => Vec::new(),
            (_, ObjectKind::SymmetricKey) => Vec::new(),
            _ => self.content.clone(),
        }
    }

    /// Moves the life cycle forward to `to`; never back, never out of termination.
    pub fn advance(&mut self, to: ObjectState) {
        if self.state < to && self.state != ObjectState::Termination {
            self.state = to;
        }
    }

    pub fn install_key(&mut self, key: &SecretKey) {
        self.key = Some(key.clone());
        self.advance(ObjectState::Initialisation);
    }

    pub fn key(&self) -> Option<SecretKey> {
        self.key.clone()
    }

    pub fn install_secret(&mut self, secret: &[u8]) {
        self.secret = Some(secret.to_vec());
        self.advance(ObjectState::Initialisation);
    }

    pub fn secret(&self) -> Option<&[u8]> {
        self.secret.as_deref()
    }

    /// Retires the object and erases what it held.
    pub fn terminate(&mut self) {
        self.state = ObjectState::Termination;
        self.key = None;
        self.secret = None;
        self.content.clear();
    }

    /// New rules: anything before the object is operational, only tighter after.
    pub fn set_rules(&mut self, rules: Rules) -> Result<(), Sw> {
        match self.state {
            ObjectState::Termination => Err(Sw::CONDITIONS),
            ObjectState::Operational if !rules.at_least(self.rules) => Err(Sw::CONDITIONS),
            _ => {
                self.rules = rules;
                Ok(())
            }
        }
    }
}
