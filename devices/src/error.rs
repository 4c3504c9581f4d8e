use crate::life_cycle::{LifeCycle, TokenKind};
use provsim_sim::crypto::CryptoError;

/// Why the debug port refused an access.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// The debug-lock fuse is blown: the port no longer answers.
    #[error("debug port locked by fuse: access refused")]
    Locked,
    #[error("debug port disabled for good by readout protection level 2")]
    Disabled,
    #[error("the chip is scrapped: the debug port does not answer")]
    Scrapped,
    #[error(
        "readout protection level 1: flash at {addr:#010x} cannot be read while a debugger is attached"
    )]
    ReadProtected { addr: u32 },
    #[error("{addr:#010x} lies in the secure region: only the boot ROM reads it")]
    SecureRegion { addr: u32 },
    #[error("no firmware is running: the chip has not started an image since its last reset")]
    NotRunning,
    #[error("address range {addr:#010x}+{len:#x} is not mapped")]
    Unmapped { addr: u32, len: u32 },
    #[error("no identity key is installed")]
    NoIdentity,
    #[error("no key of that kind is installed in slot {slot}")]
    NoKey { slot: u8 },
    #[error("the part has no debug port: its only interface is APDUs")]
    NoPort,
    #[error("the part speaks no APDUs: it has no card interface")]
    NoCardInterface,
    #[error(
        "no bus to probe: the part's memories sit under an active shield and its buses are encrypted"
    )]
    ShieldedBus,
    #[error("the part has no PUF, or its PUF is not enrolled: no helper data to read")]
    NoPuf,
    #[error("the card's rules do not let the requester use the key in object {slot}")]
    UseRefused { slot: u8 },
}

/// Why a device refused a command of the programming protocol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    #[error(transparent)]
    Port(#[from] PortError),
    #[error("key envelope rejected: {0}")]
    Envelope(CryptoError),
    #[error("injected key is not a valid P-256 private key")]
    InvalidKey,
    #[error("the key store is sealed and its key is not loaded (the PUF did not read back)")]
    KeyStoreClosed,
    #[error("the secure element answered {sw:04X} to instruction {ins:02X}")]
    Apdu { ins: u8, sw: u16 },
    #[error("the secure element holds objects the station did not put there: {ids:?}")]
    UnexpectedObjects { ids: Vec<u8> },
    #[error("a {target} has no {what}")]
    Unsupported {
        target: &'static str,
        what: &'static str,
    },
    #[error("the certificate request could not be encoded: {0}")]
    RequestEncoding(CryptoError),
    #[error("public key rejected: {0}")]
    InvalidPublicKey(CryptoError),
    #[error("key slot {slot} does not exist (the key store has {slots})")]
    NoSuchSlot { slot: u8, slots: u8 },
    #[error("key slot {0} is already occupied")]
    SlotOccupied(u8),
    #[error("{what} of {len} bytes does not fit its {capacity}-byte area")]
    TooLarge {
        what: &'static str,
        len: usize,
        capacity: usize,
    },
    #[error("flash at {addr:#010x} is not erased: NOR flash only programs erased cells")]
    NotErased { addr: u32 },
    #[error("{action} is not allowed in life-cycle state {state}")]
    LifeCycle {
        state: LifeCycle,
        action: &'static str,
    },
    #[error("no life-cycle transition from {from} to {to}")]
    Transition { from: LifeCycle, to: LifeCycle },
    #[error("the transition needs the {} token", .0.name())]
    TokenRequired(TokenKind),
    #[error("the {} token was never provisioned, so the transition is closed", .0.name())]
    TokenNotProvisioned(TokenKind),
    #[error("wrong {} token", .0.name())]
    TokenMismatch(TokenKind),
    #[error("the {} token hash is already in fuses", .0.name())]
    TokenAlreadySet(TokenKind),
    #[error("readout protection level 2 freezes the option bytes")]
    OptionsFrozen,
    #[error("readout protection level {0} does not exist (0, 1 or 2)")]
    NoSuchRdpLevel(u8),
    #[error("readout protection level 1: the debugger cannot program flash or fuses")]
    ProgrammingProtected,
    #[error("the image does not fit the {capacity}-byte slot ({len} bytes)")]
    ImageTooLarge { len: usize, capacity: usize },
}

/// Why the boot ROM did not start firmware.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BootError {
    #[error("life-cycle state {0} does not boot")]
    LifeCycle(LifeCycle),
    #[error("secure boot is on but no firmware key matching the root of trust in fuses is stored")]
    NoRootOfTrust,
    #[error("image rejected: {0}")]
    Image(#[from] crate::image::ImageError),
    #[error(
        "primary slot image has security counter {image}, below the anti-rollback fuses ({fuses})"
    )]
    Rollback { image: u32, fuses: u32 },
    #[error(
        "security counter {image} exceeds what the anti-rollback fuses can record ({capacity})"
    )]
    CounterExhausted { image: u32, capacity: u32 },
    #[error("no image in the primary slot")]
    Empty,
}
