//! The secure channel, in the GlobalPlatform SCP03 style: the host sends a challenge
//! (INITIALIZE UPDATE), the card answers with its own challenge and a cryptogram that
//! proves it holds the static key, the host proves the same (EXTERNAL AUTHENTICATE),
//! and both derive session keys from the static key and the two challenges. Every
//! command after that is encrypted and authenticated under the command key with a
//! counter as nonce, every response under the response key with its own counter, so a
//! replayed, re-ordered or altered command does not open and the card closes the
//! channel (as SCP03 does on a MAC failure).
//!
//! Structure as SCP03, primitives from the crypto facade: HKDF-SHA256 in place of the
//! CMAC-based KDF, AES-256-GCM in place of CMAC plus CBC encryption. The static key is
//! the batch's transport key diversified by the card's id, so a key leaked from one
//! card opens no other.

use super::apdu::{Command, Response, Sw};
use crate::target::DeviceId;
use provsim_sim::crypto::Crypto;

/// Bytes of a challenge.
pub const CHALLENGE_LEN: usize = 8;
/// Bytes of a cryptogram.
pub const CRYPTOGRAM_LEN: usize = 8;
/// CLA bit that says a command is secured.
pub const SECURE_MESSAGING: u8 = 0x04;

/// The card's static channel key: `batch_key` diversified by the card's id.
pub fn card_static_key(crypto: &Crypto, batch_key: &[u8; 32], device: DeviceId) -> [u8; 32] {
    crypto.hkdf_sha256(
        &device.0.to_be_bytes(),
        batch_key,
        b"provsim scp03-style static key",
    )
}

#[derive(Clone)]
struct SessionKeys {
    command: [u8; 32],
    response: [u8; 32],
    cryptogram: [u8; 32],
}

fn session_keys(
    crypto: &Crypto,
    static_key: &[u8; 32],
    host: &[u8; CHALLENGE_LEN],
    card: &[u8; CHALLENGE_LEN],
) -> SessionKeys {
    let mut context = host.to_vec();
    context.extend_from_slice(card);
    let derive = |label: &[u8]| crypto.hkdf_sha256(&context, static_key, label);
    SessionKeys {
        command: derive(b"provsim scp session command key"),
        response: derive(b"provsim scp session response key"),
        cryptogram: derive(b"provsim scp session cryptogram key"),
    }
}

fn cryptogram(
    crypto: &Crypto,
    keys: &SessionKeys,
    label: &[u8],
    host: &[u8; CHALLENGE_LEN],
    card: &[u8; CHALLENGE_LEN],
) -> [u8; CRYPTOGRAM_LEN] {
    let mut context = host.to_vec();
    context.extend_from_slice(card);
    let full = crypto.hkdf_sha256(&context, &keys.cryptogram, label);
    let mut out = [0u8; CRYPTOGRAM_LEN];
    out.copy_from_slice(&full[..CRYPTOGRAM_LEN]);
    out
}

fn nonce(direction: u8, counter: u64) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    nonce[3] = direction;
    nonce[4..].copy_from_slice(&counter.to_be_bytes());
    nonce
}

/// What a secured command's sealing binds besides its data: the header with the
/// secure-messaging bit, and Le (SCP03 leaves Le unprotected; binding it costs nothing
/// and leaves no byte of the command alterable).
fn bound_header(command: &Command) -> Vec<u8> {
    let mut header = command.header().to_vec();
    header[0] |= SECURE_MESSAGING;
    match command.le {
        Some(le) => header.extend_from_slice(&[1, le]),
        None => header.push(0),
    }
    header
}

/// What a response's sealing binds besides its data: the command's header and Le,
/// and the status word.
fn response_binding(command: &Command, sw: Sw) -> Vec<u8> {
    let mut aad = b"response".to_vec();
    aad.extend_from_slice(&bound_header(command));
    aad.extend_from_slice(&sw.0.to_be_bytes());
    aad
}

/// The card's end of a channel.
#[derive(Clone)]
pub struct CardChannel {
    keys: SessionKeys,
    host: [u8; CHALLENGE_LEN],
    card: [u8; CHALLENGE_LEN],
    authenticated: bool,
    next_command: u64,
    next_response: u64,
}

impl CardChannel {
    /// INITIALIZE UPDATE: the channel-to-be and the card's cryptogram.
    pub fn initialize(
        crypto: &Crypto,
        static_key: &[u8; 32],
        host: [u8; CHALLENGE_LEN],
        card: [u8; CHALLENGE_LEN],
    ) -> (CardChannel, [u8; CRYPTOGRAM_LEN]) {
        let keys = session_keys(crypto, static_key, &host, &card);
        let card_cryptogram = cryptogram(crypto, &keys, b"card", &host, &card);
        (
            CardChannel {
                keys,
                host,
                card,
                authenticated: false,
                next_command: 0,
                next_response: 0,
            },
            card_cryptogram,
        )
    }

    /// EXTERNAL AUTHENTICATE: true when the host's cryptogram proves the static key.
    pub fn authenticate(&mut self, crypto: &Crypto, host_cryptogram: &[u8]) -> bool {
        let expected = cryptogram(crypto, &self.keys, b"host", &self.host, &self.card);
        self.authenticated = host_cryptogram == expected;
        self.authenticated
    }

    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// The plaintext of a secured command, if it opens under the next command counter.
    pub fn open(&mut self, crypto: &Crypto, command: &Command) -> Option<Vec<u8>> {
        if !self.authenticated {
            return None;
        }
        let plain = crypto
            .aead_open(
                &self.keys.command,
                &nonce(0, self.next_command),
                &bound_header(command),
                &command.data,
            )
            .ok()?;
        self.next_command += 1;
        Some(plain)
    }

    /// Seals a response's data under the next response counter, bound to the command
    /// it answers and to its status word (so neither can be changed on the way).
    pub fn seal(&mut self, crypto: &Crypto, command: &Command, sw: Sw, data: &[u8]) -> Vec<u8> {
        let sealed = crypto.aead_seal(
            &self.keys.response,
            &nonce(1, self.next_response),
            &response_binding(command, sw),
            data,
        );
        self.next_response += 1;
        sealed
    }
}

/// The host's end of a channel: what a provisioning station (or an attacker who holds
/// the static key) runs.
#[derive(Clone)]
pub struct HostChannel {
    keys: SessionKeys,
    next_command: u64,
    next_response: u64,
}

impl HostChannel {
    /// Checks the card's cryptogram from its INITIALIZE UPDATE answer; returns the
    /// channel and the host cryptogram for EXTERNAL AUTHENTICATE, or `None` when the card
    /// does not hold the static key.
    pub fn open(
        crypto: &Crypto,
        static_key: &[u8; 32],
        host: [u8; CHALLENGE_LEN],
        card: [u8; CHALLENGE_LEN],
        card_cryptogram: &[u8],
    ) -> Option<(HostChannel, [u8; CRYPTOGRAM_LEN])> {
        let keys = session_keys(crypto, static_key, &host, &card);
        if cryptogram(crypto, &keys, b"card", &host, &card) != card_cryptogram {
            return None;
        }
        let host_cryptogram = cryptogram(crypto, &keys, b"host", &host, &card);
        Some((
            HostChannel {
                keys,
                next_command: 0,
                next_response: 0,
            },
            host_cryptogram,
        ))
    }

    /// The command secured: CLA with the secure-messaging bit, data sealed.
    pub fn wrap(&mut self, crypto: &Crypto, command: &Command) -> Command {
        let header = bound_header(command);
        let data = crypto.aead_seal(
            &self.keys.command,
            &nonce(0, self.next_command),
            &header,
            &command.data,
        );
        self.next_command += 1;
        Command {
            cla: command.cla | SECURE_MESSAGING,
            data,
            ..command.clone()
        }
    }

    /// A secured response's data, if it opens under the next response counter as the
    /// answer to `command` (as wrapped) with the status word it carries.
    pub fn unwrap(
        &mut self,
        crypto: &Crypto,
        command: &Command,
        response: &Response,
    ) -> Option<Vec<u8>> {
        let plain = crypto
            .aead_open(
                &self.keys.response,
                &nonce(1, self.next_response),
                &response_binding(command, response.sw),
                &response.data,
            )
            .ok()?;
        self.next_response += 1;
        Some(plain)
    }
}

/// The challenge a card with a frozen sequence counter makes: the SCP03 pseudo-random
/// card challenge, derived from the static key and a counter that never moves from 0,
/// so it is the same at every INITIALIZE UPDATE.
pub fn frozen_challenge(crypto: &Crypto, static_key: &[u8; 32]) -> [u8; 8] {
    let full = crypto.hkdf_sha256(&0u32.to_be_bytes(), static_key, b"provsim card challenge");
    let mut out = [0u8; 8];
    out.copy_from_slice(&full[..8]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The session keys depend on both challenges: a host that reuses its challenge
    /// still gets a new session from the card's fresh one, and what it sealed for an
    /// earlier session does not open in the new one.
    #[test]
    fn a_session_is_bound_to_both_challenges_and_to_the_status_word() {
        let crypto = Crypto::new();
        let key = [5u8; 32];
        let host = [1u8; CHALLENGE_LEN];
        let (mut first, cryptogram) = CardChannel::initialize(&crypto, &key, host, [2; 8]);
        let (mut host_end, host_cryptogram) =
            HostChannel::open(&crypto, &key, host, [2; 8], &cryptogram).unwrap();
        assert!(first.authenticate(&crypto, &host_cryptogram));
        let (mut second, other) = CardChannel::initialize(&crypto, &key, host, [3; 8]);
        assert_ne!(cryptogram, other);
        assert!(!second.authenticate(&crypto, &host_cryptogram));
        let command = Command::new(0x00, 0xb0, 0, 1, vec![], Some(0));
        let wrapped = host_end.wrap(&crypto, &command);
        assert!(second.open(&crypto, &wrapped).is_none());
        assert!(first.open(&crypto, &wrapped).is_some());
        // The answer is bound to its status word.
        let sealed = first.seal(&crypto, &command, Sw::CONDITIONS, b"");
        let forged = Response {
            data: sealed.clone(),
            sw: Sw::OK,
        };
        assert!(
            host_end
                .clone()
                .unwrap(&crypto, &wrapped, &forged)
                .is_none()
        );
        let real = Response {
            data: sealed,
            sw: Sw::CONDITIONS,
        };
        assert_eq!(host_end.unwrap(&crypto, &wrapped, &real), Some(Vec::new()));
    }
}
