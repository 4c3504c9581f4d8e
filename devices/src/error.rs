use provsim_sim::crypto::CryptoError;

/// Why the debug port refused an access.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// The debug-lock fuse is blown: the port no longer answers.
    #[error("debug port locked by fuse: access refused")]
    Locked,
    #[error("address range {addr:#010x}+{len:#x} is not mapped")]
    Unmapped { addr: u32, len: u32 },
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
}
