//! The provisioning link between the vault side and a station, as sans-IO state
//! machines: bytes in, events and bytes out, no sockets or timers inside.
//!
//! A three-message handshake authenticates both ends by certificates under the site's
//! trust anchor and agrees keys: the station (client) sends its certificate, an
//! ephemeral P-256 key and a nonce, signed; the vault (server) answers with the same and
//! a signature over both messages; the station signs the whole exchange. A replayed
//! hello can only make a fresh vault answer: the handshake it starts never completes,
//! since the finish must sign the vault's new nonce. Each direction
//! then has its own AES-256-GCM key from HKDF-SHA256 over the ephemeral ECDH secret,
//! salted with the transcript's hash. Records carry a sequence number that makes the
//! nonce and is authenticated; the receiver keeps a 64-record replay window, and checks
//! a record before it counts its number as seen, so an altered copy cannot burn one.
//!
//! [`LinkSession`] keeps a session up between the two ends across devices and runs
//! one request/answer exchange per device over a simulated faulty network.

mod session;

pub use session::{
    DeliveryLog, ExchangeReport, FateCounts, LinkConfig, LinkSession, LinkStats, LinkStreams,
    OnLinkFailure, RetryPolicy,
};

use provsim_sim::Stream;
use provsim_sim::crypto::{Crypto, PublicKey, SecretKey, Sha256, Signature};

const HELLO: u8 = 1;
const WELCOME: u8 = 2;
const FINISH: u8 = 3;
const DATA: u8 = 4;
/// Records a receiver remembers below the highest it has seen.
const WINDOW: u64 = 64;

/// An end's identity on the link: its key and its certificate (DER) under the anchor.
#[derive(Clone)]
pub struct LinkIdentity {
    pub key: SecretKey,
    pub certificate: Vec<u8>,
}

/// Why a datagram was refused. The endpoint's state is unchanged by a refusal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("malformed message")]
    Malformed,
    #[error("unexpected {0} message in this state")]
    Unexpected(&'static str),
    #[error("the peer's certificate does not verify under the trust anchor")]
    Certificate,
    #[error("the handshake signature does not verify")]
    Signature,
    #[error("the record does not authenticate")]
    Record,
    #[error("record {0} was already received or is too old")]
    Replayed(u64),
    #[error("the link is not established")]
    NotEstablished,
    #[error("hello {0} is older than one the vault already answered")]
    StaleHello(u64),
}

/// What an endpoint asks its driver to do after a datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Send(Vec<u8>),
    Established,
    Data(Vec<u8>),
}

struct Keys {
    send: [u8; 32],
    receive: [u8; 32],
    send_direction: u8,
}

/// What the vault keeps between its welcome and the station's finish.
struct ServerPending {
    /// The hello, then the welcome that answered it.
    transcript: Vec<u8>,
    hello_len: usize,
    ephemeral: SecretKey,
    peer_ephemeral: PublicKey,
    peer_key: PublicKey,
}

enum State {
    /// Client: hello sent, waiting for the welcome.
    HelloSent {
        hello: Vec<u8>,
        ephemeral: Box<SecretKey>,
    },
    /// Server: waiting for a hello.
    Waiting,
    /// Server: welcome sent, waiting for the finish.
    WelcomeSent(Box<ServerPending>),
    Established(Keys),
}

/// One end of the link.
pub struct Endpoint {
    identity: LinkIdentity,
    trust: PublicKey,
    rng: Stream,
    state: State,
    next_send: u64,
    /// Highest sequence number received, and which of the `WINDOW` below it were.
    highest: Option<u64>,
    seen: u64,
    /// Server: the lowest hello number it still answers (one above the last it took).
    hello_floor: u64,
}

fn put(out: &mut Vec<u8>, field: &[u8]) {
    out.extend_from_slice(&(field.len() as u16).to_be_bytes());
    out.extend_from_slice(field);
}

/// Reads length-prefixed fields after the tag.
fn fields(bytes: &[u8], count: usize) -> Result<Vec<&[u8]>, LinkError> {
    let mut at = 1;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let len = bytes.get(at..at + 2).ok_or(LinkError::Malformed)?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        out.push(
            bytes
                .get(at + 2..at + 2 + len)
                .ok_or(LinkError::Malformed)?,
        );
        at += 2 + len;
    }
    if at != bytes.len() {
        return Err(LinkError::Malformed);
    }
    Ok(out)
}

/// Which end of the link a certificate is for: its extended key usage says so (the
/// station is the TLS-style client, the vault the server), so a certificate for one end,
/// or for anything else under the same anchor, cannot stand in for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Station,
    Vault,
}

impl Role {
    fn eku(self) -> rcgen::ExtendedKeyUsagePurpose {
        match self {
            Role::Station => rcgen::ExtendedKeyUsagePurpose::ClientAuth,
            Role::Vault => rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        }
    }
}

/// A link certificate for `key` in `role`, signed by the link anchor `anchor` (the
/// site's link CA): end-entity, digital signature, and the role's extended key usage.
pub fn link_certificate(
    crypto: &Crypto,
    anchor: &SecretKey,
    key: &PublicKey,
    role: Role,
    serial: &mut Stream,
) -> Result<Vec<u8>, crate::error::PkiError> {
    let encoding = |e: rcgen::Error| crate::error::PkiError::Encoding(e.to_string());
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, format!("provsim link {role:?}"));
    let mut bytes: [u8; 16] = serial.bytes();
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&bytes));
    params.is_ca = rcgen::IsCa::ExplicitNoCa;
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![role.eku()];
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(9999, 12, 31);
    let mut anchor_params = rcgen::CertificateParams::default();
    anchor_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "provsim link CA");
    let issuer = rcgen::Issuer::from_params(&anchor_params, crypto.cert_signer(anchor));
    Ok(params
        .signed_by(key, &issuer)
        .map_err(encoding)?
        .der()
        .to_vec())
}

/// The key of `certificate` if the anchor `trust` signed it (ecdsa-with-SHA256) for an
/// end entity in `role`.
fn certified_key(
    crypto: &Crypto,
    certificate: &[u8],
    trust: &PublicKey,
    role: Role,
) -> Result<PublicKey, LinkError> {
    let (rest, cert) =
        x509_parser::parse_x509_certificate(certificate).map_err(|_| LinkError::Certificate)?;
    let signed = crate::pki::signed_by(crypto, &cert, trust);
    let for_role = matches!(
        cert.extended_key_usage(),
        Ok(Some(eku)) if match role {
            Role::Station => eku.value.client_auth,
            Role::Vault => eku.value.server_auth,
        }
    );
    if !signed || !rest.is_empty() || cert.is_ca() || !for_role {
        return Err(LinkError::Certificate);
    }
    PublicKey::from_sec1(&cert.public_key().subject_public_key.data)
        .map_err(|_| LinkError::Certificate)
}

fn derive(
    crypto: &Crypto,
    ours: &SecretKey,
    theirs: &PublicKey,
    transcript: &[u8],
    client: bool,
) -> Keys {
    let shared = crypto.ecdh(ours, theirs);
    let salt = Sha256::digest(transcript);
    let to_server = crypto.hkdf_sha256(&salt, &shared, b"provsim link station->vault");
    let to_station = crypto.hkdf_sha256(&salt, &shared, b"provsim link vault->station");
    if client {
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
    }
}

fn nonce(direction: u8, seq: u64) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    nonce[3] = direction;
    nonce[4..].copy_from_slice(&seq.to_be_bytes());
    nonce
}

impl Endpoint {
    fn new(identity: LinkIdentity, trust: PublicKey, rng: Stream, state: State) -> Self {
        Endpoint {
            identity,
            trust,
            rng,
            state,
            next_send: 0,
            highest: None,
            seen: 0,
            hello_floor: 0,
        }
    }

    /// The station's end, with the hello to send. `number` counts the station's hellos
    /// to this vault, so the vault can refuse an old one replayed to it.
    pub fn client(
        crypto: &Crypto,
        identity: LinkIdentity,
        trust: PublicKey,
        mut rng: Stream,
        number: u64,
    ) -> (Endpoint, Vec<u8>) {
        let ephemeral = crypto.generate_key(&mut rng);
        let nonce: [u8; 32] = rng.bytes();
        let mut hello = vec![HELLO];
        put(&mut hello, &identity.certificate);
        put(&mut hello, ephemeral.public_key().sec1());
        put(&mut hello, &nonce);
        put(&mut hello, &number.to_be_bytes());
        let signature = crypto.sign(&identity.key, &hello);
        put(&mut hello, signature.as_der());
        let state = State::HelloSent {
            hello: hello.clone(),
            ephemeral: Box::new(ephemeral),
        };
        (Endpoint::new(identity, trust, rng, state), hello)
    }

    /// The vault's end, waiting for a hello numbered `hello_floor` or above: the vault
    /// remembers, across its ends, the last hello it answered.
    pub fn server(
        identity: LinkIdentity,
        trust: PublicKey,
        rng: Stream,
        hello_floor: u64,
    ) -> Endpoint {
        let mut end = Endpoint::new(identity, trust, rng, State::Waiting);
        end.hello_floor = hello_floor;
        end
    }

    /// Server: the lowest hello number it will still answer.
    pub fn hello_floor(&self) -> u64 {
        self.hello_floor
    }

    pub fn is_established(&self) -> bool {
        matches!(self.state, State::Established(_))
    }

    /// Takes one datagram. A refused one leaves the endpoint as it was.
    pub fn receive(&mut self, crypto: &Crypto, bytes: &[u8]) -> Result<Vec<Event>, LinkError> {
        match (bytes.first().copied(), &self.state) {
            // A newer verified hello replaces a handshake the vault has not finished; an
            // older one (a replay) is refused by its number, so it can neither hold the
            // vault nor displace the handshake in progress.
            (Some(HELLO), State::Waiting | State::WelcomeSent(_)) => self.on_hello(crypto, bytes),
            (Some(WELCOME), State::HelloSent { .. }) => self.on_welcome(crypto, bytes),
            (Some(FINISH), State::WelcomeSent(_)) => self.on_finish(crypto, bytes),
            (Some(DATA), State::Established(_)) => self.on_data(crypto, bytes),
            (Some(DATA), _) => Err(LinkError::NotEstablished),
            (Some(HELLO), _) => Err(LinkError::Unexpected("hello")),
            (Some(WELCOME), _) => Err(LinkError::Unexpected("welcome")),
            (Some(FINISH), _) => Err(LinkError::Unexpected("finish")),
            _ => Err(LinkError::Malformed),
        }
    }

    fn on_hello(&mut self, crypto: &Crypto, hello: &[u8]) -> Result<Vec<Event>, LinkError> {
        // A copy of the hello being answered (the network duplicated it, or the station's
        // hello came again) gets the same welcome: a new one would strand the station,
        // which finishes the first welcome it takes.
        if let State::WelcomeSent(pending) = &self.state
            && pending.transcript[..pending.hello_len] == *hello
        {
            return Ok(vec![Event::Send(
                pending.transcript[pending.hello_len..].to_vec(),
            )]);
        }
        let f = fields(hello, 5)?;
        let number = <[u8; 8]>::try_from(f[3])
            .map(u64::from_be_bytes)
            .map_err(|_| LinkError::Malformed)?;
        let peer_key = certified_key(crypto, f[0], &self.trust, Role::Station)?;
        let body_len = hello.len() - 2 - f[4].len();
        crypto
            .verify(
                &peer_key,
                &hello[..body_len],
                &Signature::from_der_bytes(f[4].to_vec()),
            )
            .map_err(|_| LinkError::Signature)?;
        if number < self.hello_floor {
            return Err(LinkError::StaleHello(number));
        }
        let peer_ephemeral = PublicKey::from_sec1(f[1]).map_err(|_| LinkError::Malformed)?;
        if f[2].len() != 32 {
            return Err(LinkError::Malformed);
        }
        self.hello_floor = number.saturating_add(1);
        let ephemeral = crypto.generate_key(&mut self.rng);
        let nonce: [u8; 32] = self.rng.bytes();
        let mut welcome = vec![WELCOME];
        put(&mut welcome, &self.identity.certificate);
        put(&mut welcome, ephemeral.public_key().sec1());
        put(&mut welcome, &nonce);
        let mut signed = b"vault".to_vec();
        signed.extend_from_slice(hello);
        signed.extend_from_slice(&welcome);
        let signature = crypto.sign(&self.identity.key, &signed);
        put(&mut welcome, signature.as_der());
        let mut transcript = hello.to_vec();
        transcript.extend_from_slice(&welcome);
        self.state = State::WelcomeSent(Box::new(ServerPending {
            transcript,
            hello_len: hello.len(),
            ephemeral,
            peer_ephemeral,
            peer_key,
        }));
        Ok(vec![Event::Send(welcome)])
    }

    fn on_welcome(&mut self, crypto: &Crypto, welcome: &[u8]) -> Result<Vec<Event>, LinkError> {
        let State::HelloSent { hello, ephemeral } = &self.state else {
            return Err(LinkError::Unexpected("welcome"));
        };
        let f = fields(welcome, 4)?;
        let peer_key = certified_key(crypto, f[0], &self.trust, Role::Vault)?;
        let peer_ephemeral = PublicKey::from_sec1(f[1]).map_err(|_| LinkError::Malformed)?;
        if f[2].len() != 32 {
            return Err(LinkError::Malformed);
        }
        let body_len = welcome.len() - 2 - f[3].len();
        let mut signed = b"vault".to_vec();
        signed.extend_from_slice(hello);
        signed.extend_from_slice(&welcome[..body_len]);
        crypto
            .verify(
                &peer_key,
                &signed,
                &Signature::from_der_bytes(f[3].to_vec()),
            )
            .map_err(|_| LinkError::Signature)?;
        let mut transcript = hello.clone();
        transcript.extend_from_slice(welcome);
        let mut proof = b"station".to_vec();
        proof.extend_from_slice(&transcript);
        let mut finish = vec![FINISH];
        put(
            &mut finish,
            crypto.sign(&self.identity.key, &proof).as_der(),
        );
        let keys = derive(crypto, ephemeral, &peer_ephemeral, &transcript, true);
        self.state = State::Established(keys);
        Ok(vec![Event::Send(finish), Event::Established])
    }

    fn on_finish(&mut self, crypto: &Crypto, finish: &[u8]) -> Result<Vec<Event>, LinkError> {
        let State::WelcomeSent(pending) = &self.state else {
            return Err(LinkError::Unexpected("finish"));
        };
        let f = fields(finish, 1)?;
        let mut proof = b"station".to_vec();
        proof.extend_from_slice(&pending.transcript);
        crypto
            .verify(
                &pending.peer_key,
                &proof,
                &Signature::from_der_bytes(f[0].to_vec()),
            )
            .map_err(|_| LinkError::Signature)?;
        let keys = derive(
            crypto,
            &pending.ephemeral,
            &pending.peer_ephemeral,
            &pending.transcript,
            false,
        );
        self.state = State::Established(keys);
        Ok(vec![Event::Established])
    }

    fn on_data(&mut self, crypto: &Crypto, record: &[u8]) -> Result<Vec<Event>, LinkError> {
        let State::Established(keys) = &self.state else {
            return Err(LinkError::NotEstablished);
        };
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
                &keys.receive,
                &nonce(1 - keys.send_direction, seq),
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
        Ok(vec![Event::Data(plaintext)])
    }

    /// Seals `payload` as the next record.
    pub fn seal(&mut self, crypto: &Crypto, payload: &[u8]) -> Result<Vec<u8>, LinkError> {
        let State::Established(keys) = &self.state else {
            return Err(LinkError::NotEstablished);
        };
        let seq = self.next_send;
        self.next_send += 1;
        let mut record = vec![DATA];
        record.extend_from_slice(&seq.to_be_bytes());
        let sealed = crypto.aead_seal(
            &keys.send,
            &nonce(keys.send_direction, seq),
            &record,
            payload,
        );
        record.extend_from_slice(&sealed);
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_sim::Seed;

    fn identity(crypto: &Crypto, anchor: &SecretKey, role: Role) -> LinkIdentity {
        let label = format!("{role:?}");
        let key = crypto.generate_key(&mut Seed::new(1).stream(&label));
        LinkIdentity {
            certificate: link_certificate(
                crypto,
                anchor,
                key.public_key(),
                role,
                &mut Seed::new(1).stream("serial"),
            )
            .unwrap(),
            key,
        }
    }

    /// A completed handshake: (station, vault).
    fn pair(crypto: &Crypto, anchor: &SecretKey) -> (Endpoint, Endpoint) {
        let trust = anchor.public_key().clone();
        let (mut station, hello) = Endpoint::client(
            crypto,
            identity(crypto, anchor, Role::Station),
            trust.clone(),
            Seed::new(2).stream("s"),
            1,
        );
        let mut vault = Endpoint::server(
            identity(crypto, anchor, Role::Vault),
            trust,
            Seed::new(2).stream("v"),
            0,
        );
        let Event::Send(welcome) = vault.receive(crypto, &hello).unwrap().remove(0) else {
            panic!("no welcome");
        };
        let Event::Send(finish) = station.receive(crypto, &welcome).unwrap().remove(0) else {
            panic!("no finish");
        };
        assert_eq!(
            vault.receive(crypto, &finish).unwrap(),
            [Event::Established]
        );
        assert!(station.is_established() && vault.is_established());
        (station, vault)
    }

    #[test]
    fn records_flow_once_each_way_and_the_window_refuses_old_ones() {
        let crypto = Crypto::new();
        let anchor = crypto.generate_key(&mut Seed::new(1).stream("anchor"));
        let (mut station, mut vault) = pair(&crypto, &anchor);
        let records: Vec<Vec<u8>> = (0..80u8)
            .map(|i| vault.seal(&crypto, &[i]).unwrap())
            .collect();
        // Out of order within the window is fine; each only once.
        assert_eq!(
            station.receive(&crypto, &records[5]).unwrap(),
            [Event::Data(vec![5])]
        );
        assert_eq!(
            station.receive(&crypto, &records[3]).unwrap(),
            [Event::Data(vec![3])]
        );
        assert_eq!(
            station.receive(&crypto, &records[3]),
            Err(LinkError::Replayed(3))
        );
        assert_eq!(
            station.receive(&crypto, &records[79]).unwrap(),
            [Event::Data(vec![79])]
        );
        // 4 is now more than 64 below the highest: too old, even though never seen.
        assert_eq!(
            station.receive(&crypto, &records[4]),
            Err(LinkError::Replayed(4))
        );
        assert!(station.receive(&crypto, &records[20]).is_ok());
        // An altered record is refused and does not burn its number.
        let mut altered = records[21].clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert_eq!(station.receive(&crypto, &altered), Err(LinkError::Record));
        assert!(station.receive(&crypto, &records[21]).is_ok());
        // A record for the other direction does not open.
        let down = vault.seal(&crypto, b"mine").unwrap();
        assert_eq!(vault.receive(&crypto, &down), Err(LinkError::Record));
        let up = station.seal(&crypto, b"ack").unwrap();
        assert_eq!(
            vault.receive(&crypto, &up).unwrap(),
            [Event::Data(b"ack".to_vec())]
        );
    }

    /// The window holds exactly 64 numbers: 63 below the highest is still taken, 64
    /// below is too old, and a jump of 64 or more starts it afresh.
    #[test]
    fn the_replay_window_edges() {
        let crypto = Crypto::new();
        let anchor = crypto.generate_key(&mut Seed::new(1).stream("anchor"));
        let (mut station, mut vault) = pair(&crypto, &anchor);
        let records: Vec<Vec<u8>> = (0..200u8)
            .map(|i| vault.seal(&crypto, &[i]).unwrap())
            .collect();
        assert!(station.receive(&crypto, &records[100]).is_ok());
        assert!(station.receive(&crypto, &records[37]).is_ok(), "100 - 63");
        assert_eq!(
            station.receive(&crypto, &records[36]),
            Err(LinkError::Replayed(36))
        );
        assert!(
            station.receive(&crypto, &records[164]).is_ok(),
            "a jump of 64"
        );
        assert_eq!(
            station.receive(&crypto, &records[100]),
            Err(LinkError::Replayed(100))
        );
        assert!(station.receive(&crypto, &records[101]).is_ok(), "164 - 63");
        assert!(
            station.receive(&crypto, &records[199]).is_ok(),
            "a jump of 35"
        );
        assert!(
            station.receive(&crypto, &records[136]).is_ok(),
            "199 - 63, never seen"
        );
        assert_eq!(
            station.receive(&crypto, &records[164]),
            Err(LinkError::Replayed(164))
        );
    }

    /// A certificate under the right anchor for the wrong end, or a CA's, is refused.
    #[test]
    fn a_certificate_for_the_other_end_cannot_stand_in() {
        let crypto = Crypto::new();
        let anchor = crypto.generate_key(&mut Seed::new(1).stream("anchor"));
        let trust = anchor.public_key().clone();
        // A "station" that presents the vault's certificate (and holds its key).
        let (_, hello) = Endpoint::client(
            &crypto,
            identity(&crypto, &anchor, Role::Vault),
            trust.clone(),
            Seed::new(4).stream("s"),
            1,
        );
        let mut vault = Endpoint::server(
            identity(&crypto, &anchor, Role::Vault),
            trust.clone(),
            Seed::new(4).stream("v"),
            0,
        );
        assert_eq!(vault.receive(&crypto, &hello), Err(LinkError::Certificate));
        // A "vault" answering with a station certificate.
        let (mut station, hello) = Endpoint::client(
            &crypto,
            identity(&crypto, &anchor, Role::Station),
            trust.clone(),
            Seed::new(5).stream("s"),
            1,
        );
        let mut impostor = Endpoint::server(
            identity(&crypto, &anchor, Role::Station),
            trust.clone(),
            Seed::new(5).stream("v"),
            0,
        );
        // The impostor answers, but the station checks the role of what answers.
        let Event::Send(forged) = impostor.receive(&crypto, &hello).unwrap().remove(0) else {
            panic!("no welcome");
        };
        assert_eq!(
            station.receive(&crypto, &forged),
            Err(LinkError::Certificate)
        );
        let mut genuine = Endpoint::server(
            identity(&crypto, &anchor, Role::Vault),
            trust,
            Seed::new(5).stream("v"),
            0,
        );
        let Event::Send(welcome) = genuine.receive(&crypto, &hello).unwrap().remove(0) else {
            panic!("no welcome");
        };
        assert!(station.receive(&crypto, &welcome).is_ok());
    }

    /// A hello the network delivers twice gets the same welcome twice, so the station's
    /// finish still matches what the vault holds and the handshake completes.
    #[test]
    fn a_duplicated_hello_does_not_strand_the_handshake() {
        let crypto = Crypto::new();
        let anchor = crypto.generate_key(&mut Seed::new(1).stream("anchor"));
        let trust = anchor.public_key().clone();
        let (mut station, hello) = Endpoint::client(
            &crypto,
            identity(&crypto, &anchor, Role::Station),
            trust.clone(),
            Seed::new(6).stream("s"),
            1,
        );
        let mut vault = Endpoint::server(
            identity(&crypto, &anchor, Role::Vault),
            trust,
            Seed::new(6).stream("v"),
            0,
        );
        let first = vault.receive(&crypto, &hello).unwrap();
        let again = vault.receive(&crypto, &hello).unwrap();
        assert_eq!(first, again);
        let Event::Send(welcome) = &again[0] else {
            panic!("no welcome");
        };
        let Event::Send(finish) = station.receive(&crypto, welcome).unwrap().remove(0) else {
            panic!("no finish");
        };
        assert_eq!(
            vault.receive(&crypto, &finish).unwrap(),
            [Event::Established]
        );
    }

    /// A hello older than one the vault has answered (a replay from an earlier
    /// handshake) is refused, so it cannot displace the handshake in progress; the
    /// vault's floor carries over to its next end.
    #[test]
    fn an_old_hello_cannot_displace_a_newer_handshake() {
        let crypto = Crypto::new();
        let anchor = crypto.generate_key(&mut Seed::new(1).stream("anchor"));
        let trust = anchor.public_key().clone();
        let station = || identity(&crypto, &anchor, Role::Station);
        let (_, old) = Endpoint::client(
            &crypto,
            station(),
            trust.clone(),
            Seed::new(7).stream("s1"),
            4,
        );
        let (mut current, hello) = Endpoint::client(
            &crypto,
            station(),
            trust.clone(),
            Seed::new(7).stream("s2"),
            5,
        );
        let mut vault = Endpoint::server(
            identity(&crypto, &anchor, Role::Vault),
            trust.clone(),
            Seed::new(7).stream("v"),
            0,
        );
        let Event::Send(welcome) = vault.receive(&crypto, &hello).unwrap().remove(0) else {
            panic!("no welcome");
        };
        assert_eq!(vault.receive(&crypto, &old), Err(LinkError::StaleHello(4)));
        let Event::Send(finish) = current.receive(&crypto, &welcome).unwrap().remove(0) else {
            panic!("no finish");
        };
        assert_eq!(
            vault.receive(&crypto, &finish).unwrap(),
            [Event::Established]
        );
        assert_eq!(vault.hello_floor(), 6);
        let mut next = Endpoint::server(
            identity(&crypto, &anchor, Role::Vault),
            trust,
            Seed::new(7).stream("v2"),
            vault.hello_floor(),
        );
        assert_eq!(next.receive(&crypto, &hello), Err(LinkError::StaleHello(5)));
    }

    #[test]
    fn an_end_not_certified_by_the_anchor_is_refused() {
        let crypto = Crypto::new();
        let anchor = crypto.generate_key(&mut Seed::new(1).stream("anchor"));
        let rogue = crypto.generate_key(&mut Seed::new(1).stream("rogue"));
        let (_, hello) = Endpoint::client(
            &crypto,
            identity(&crypto, &rogue, Role::Station),
            anchor.public_key().clone(),
            Seed::new(3).stream("s"),
            1,
        );
        let mut vault = Endpoint::server(
            identity(&crypto, &anchor, Role::Vault),
            anchor.public_key().clone(),
            Seed::new(3).stream("v"),
            0,
        );
        assert_eq!(vault.receive(&crypto, &hello), Err(LinkError::Certificate));
        assert_eq!(vault.seal(&crypto, b"x"), Err(LinkError::NotEstablished));
        // Every truncation of a genuine hello is refused without a panic.
        let (_, hello) = Endpoint::client(
            &crypto,
            identity(&crypto, &anchor, Role::Station),
            anchor.public_key().clone(),
            Seed::new(3).stream("s"),
            1,
        );
        for cut in 0..hello.len() {
            assert!(vault.receive(&crypto, &hello[..cut]).is_err());
        }
        assert!(vault.receive(&crypto, &hello).is_ok());
    }
}
