//! The key-store slot format, as the data sheet documents it.
//!
//! The key store is `SLOTS` slots of `SLOT_SIZE` bytes. A slot is
//! `kind (1) || flags (1) || length (2, big-endian) || data (60)`; an erased slot is all
//! `0xff`. The format is public: a station writes it, and an attacker who dumps the
//! memory can read it.

/// Bytes per slot.
pub const SLOT_SIZE: usize = 64;
/// Slots in a key store.
pub const SLOTS: u8 = 16;
/// Bytes of data a slot holds.
pub const SLOT_DATA: usize = SLOT_SIZE - 4;

/// What a slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    P256Private,
    P256Public,
    /// A 256-bit symmetric key (storage or link encryption).
    Aes256,
    /// A key of the inner kind sealed under the chip's own key-store key (a PUF-derived
    /// key on parts that have one): `nonce (12) || ciphertext || tag (16)`. The kind
    /// byte is the inner kind's with the high bit set.
    Sealed(SealedKind),
    /// A kind byte this format does not define.
    Unknown(u8),
}

/// What a sealed slot holds inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedKind {
    P256Private,
    Aes256,
}

impl SlotKind {
    pub fn code(self) -> u8 {
        match self {
            SlotKind::P256Private => 0x01,
            SlotKind::P256Public => 0x02,
            SlotKind::Aes256 => 0x03,
            SlotKind::Sealed(SealedKind::P256Private) => 0x81,
            SlotKind::Sealed(SealedKind::Aes256) => 0x83,
            SlotKind::Unknown(code) => code,
        }
    }

    fn from_code(code: u8) -> Self {
        match code {
            0x01 => SlotKind::P256Private,
            0x02 => SlotKind::P256Public,
            0x03 => SlotKind::Aes256,
            0x81 => SlotKind::Sealed(SealedKind::P256Private),
            0x83 => SlotKind::Sealed(SealedKind::Aes256),
            other => SlotKind::Unknown(other),
        }
    }
}

/// One occupied slot as read back from memory.
#[derive(Clone, PartialEq, Eq)]
pub struct Slot {
    pub index: u8,
    pub kind: SlotKind,
    pub flags: u8,
    pub data: Vec<u8>,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A slot may hold a private key: never print its data.
        write!(
            f,
            "Slot {{ index: {}, kind: {:?}, len: {} }}",
            self.index,
            self.kind,
            self.data.len()
        )
    }
}

/// Encodes one slot; `None` if `data` does not fit.
pub fn encode_slot(kind: SlotKind, flags: u8, data: &[u8]) -> Option<[u8; SLOT_SIZE]> {
    if data.len() > SLOT_DATA {
        return None;
    }
    let mut slot = [0xffu8; SLOT_SIZE];
    slot[0] = kind.code();
    slot[1] = flags;
    slot[2..4].copy_from_slice(&(data.len() as u16).to_be_bytes());
    slot[4..4 + data.len()].copy_from_slice(data);
    Some(slot)
}

/// Reads every occupied slot from a dump of (part of) a key store. Erased slots are
/// skipped; a length that overruns its slot is clipped to the slot, as a reader of a
/// corrupted dump would.
pub fn parse_slots(dump: &[u8]) -> Vec<Slot> {
    dump.chunks(SLOT_SIZE)
        .enumerate()
        .filter(|(_, raw)| raw.len() >= 4 && raw[0] != 0xff)
        .map(|(i, raw)| {
            let len = usize::from(u16::from_be_bytes([raw[2], raw[3]]));
            let end = (4 + len).min(raw.len());
            Slot {
                index: i.min(usize::from(u8::MAX)) as u8,
                kind: SlotKind::from_code(raw[0]),
                flags: raw[1],
                data: raw[4..end].to_vec(),
            }
        })
        .collect()
}

/// What a sealed slot's AEAD binds: a label, the slot's address and the inner kind, so
/// a sealed key cannot be moved to another slot or read as another kind.
pub fn sealed_slot_binding(addr: u32, inner: SlotKind) -> Vec<u8> {
    let mut aad = b"provsim sealed slot v1".to_vec();
    aad.extend_from_slice(&addr.to_be_bytes());
    aad.push(inner.code());
    aad
}

/// Opens the data of a sealed slot at `addr` under the key-store key `key`: what the
/// chip's key service does, and what anyone who recovers that key can do to a dump.
pub fn unseal_slot(
    crypto: &provsim_sim::crypto::Crypto,
    key: &[u8; 32],
    addr: u32,
    inner: SealedKind,
    data: &[u8],
) -> Option<Vec<u8>> {
    let kind = match inner {
        SealedKind::P256Private => SlotKind::P256Private,
        SealedKind::Aes256 => SlotKind::Aes256,
    };
    let (nonce, sealed) = data.split_at_checked(12)?;
    let nonce: [u8; 12] = nonce.try_into().ok()?;
    crypto
        .aead_open(key, &nonce, &sealed_slot_binding(addr, kind), sealed)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn erased_memory_has_no_slots() {
        assert!(parse_slots(&[0xff; SLOT_SIZE * SLOTS as usize]).is_empty());
    }

    #[test]
    fn oversized_data_is_refused() {
        assert!(encode_slot(SlotKind::P256Private, 0, &[0; SLOT_DATA + 1]).is_none());
    }

    proptest! {
        #[test]
        fn encoded_slots_read_back(data in proptest::collection::vec(any::<u8>(), 0..=SLOT_DATA), flags: u8, at in 0usize..4) {
            let mut dump = vec![0xffu8; SLOT_SIZE * 4];
            let slot = encode_slot(SlotKind::P256Private, flags, &data).unwrap();
            dump[at * SLOT_SIZE..(at + 1) * SLOT_SIZE].copy_from_slice(&slot);
            let slots = parse_slots(&dump);
            prop_assert_eq!(slots.len(), 1);
            prop_assert_eq!(slots[0].index as usize, at);
            prop_assert_eq!(&slots[0].data, &data);
            prop_assert_eq!(slots[0].flags, flags);
        }

        #[test]
        fn any_dump_parses_without_panic(dump in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = parse_slots(&dump);
        }
    }
}
