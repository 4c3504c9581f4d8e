//! An established session's record layer. Each direction has its own AES-256-GCM key
//! from HKDF-SHA256 over the ephemeral ECDH secret, salted with the transcript's hash.
//! Records carry a sequence number that makes the nonce and is authenticated; the
//! receiver keeps a 64-record replay window, and checks a record before it counts its
//! number as seen, so an altered copy cannot burn one.

use crate::link::error::LinkError;
use crate::link::messages::DATA;
use provsim_sim::crypto::{Crypto, PublicKey, SecretKey, Sha256};

/// Records a receiver remembers below the highest it has seen.
const WINDOW: u64 = 64;

struct Keys {
    send: [u8; 32],
    receive: [u8; 32],
    send_direction: u8,
}

/// One end's record layer: its keys, the next number it sends, and what it has
/// received.
pub(super) struct Records {
    keys: Keys,
    next_send: u64,
    /// Highest sequence number received, and which of the `WINDOW` below it were.
    highest: Option<u64>,
    seen: u64,
}

fn nonce(direction: u8, seq: u64) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    nonce[3] = direction;
    nonce[4..].copy_from_slice(&seq.to_be_bytes());
    nonce
}

impl Records {
    /// The record layer the handshake's ECDH secret and transcript agree, for the
    /// station's end (`client`) or the vault's.
    pub(super) fn derive(
        crypto: &Crypto,
        ours: &SecretKey,
        theirs: &PublicKey,
        transcript: &[u8],
        client: bool,
    ) -> Records {
        let shared = crypto.ecdh(ours, theirs);
        let salt = Sha256::digest(transcript);
        let to_server = crypto.hkdf_sha256(&salt, &shared, b"provsim link station->vault");
        let to_station = crypto.hkdf_sha256(&salt, &shared, b"provsim link vault->station");
        let keys = if client {
            Keys {
                send: to_server,
                receive: to_station,
                send_direction: 0,
            }
        } else {
            Keys {
                send: to_station,
                receive: to_server,
                send_direction: 1,
            }
        };
        Records {
            keys,
            next_send: 0,
            highest: None,
            seen: 0,
        }
    }

    /// Opens a received record. A refused one (replayed, too old, or not authentic)
    /// leaves the window as it was.
    pub(super) fn open(&mut self, crypto: &Crypto, record: &[u8]) -> Result<Vec<u8>, LinkError> {
        let seq = record
            .get(1..9)
            .map(|b| u64::from_be_bytes(b.try_into().unwrap_or([0; 8])))
            .ok_or(LinkError::Malformed)?;
        let fresh = match self.highest {
            None => true,
            Some(high) if seq > high => true,
            Some(high) => high - seq < WINDOW && self.seen & (1 << (high - seq)) == 0,
        };
        if !fresh {
            return Err(LinkError::Replayed(seq));
        }
        let plaintext = crypto
            .aead_open(
                &self.keys.receive,
                &nonce(1 - self.keys.send_direction, seq),
                &record[..9],
                &record[9..],
            )
            .map_err(|_| LinkError::Record)?;
        match self.highest {
            Some(high) if seq <= high => self.seen |= 1 << (high - seq),
            Some(high) => {
                let shift = seq - high;
                self.seen = if shift >= WINDOW {
                    0
                } else {
                    self.seen << shift
                };
                self.seen |= 1;
                self.highest = Some(seq);
            }
            None => {
                self.seen = 1;
                self.highest = Some(seq);
            }
        }
        Ok(plaintext)
    }

    /// Seals `payload` as the next record.
    pub(super) fn seal(&mut self, crypto: &Crypto, payload: &[u8]) -> Vec<u8> {
        let seq = self.next_send;
        self.next_send += 1;
        let mut record = vec![DATA];
        record.extend_from_slice(&seq.to_be_bytes());
        let sealed = crypto.aead_seal(
            &self.keys.send,
            &nonce(self.keys.send_direction, seq),
            &record,
            payload,
        );
        record.extend_from_slice(&sealed);
        record
    }
}
