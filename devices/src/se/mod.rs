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
//! | 2A | PERFORM SECURITY OPERATION, P1 86: ENCIPHER one AES-256 block with a symmetric key (P2) | the key's use rule |

pub mod apdu;
mod applet;
mod card;
pub mod channel;
mod channel_log;
mod encipher;
mod integrity;
mod objects;
mod personalisation;
pub(crate) mod profile;
mod target;

pub use applet::{
    AID, APPEND, CLOSE_PERSONALISATION, MAX_CONTENT, MAX_OBJECTS, OBJECT_DIRECTORY, PIN_TRIES,
    TERMINATE_CARD, VENDOR_DIAGNOSTIC, ins,
};
pub use card::{CardState, SecureElement};
pub use encipher::ENCIPHER;
pub use objects::{ObjectKind, ObjectState, Rule, Rules};
pub use target::SeChip;

#[cfg(test)]
mod model_tests;
