//! One end of the link and its handshake. Three messages authenticate both ends by
//! certificates under the site's trust anchor and agree keys: the station (client)
//! sends its certificate, an ephemeral P-256 key and a nonce, signed; the vault (server)
//! answers with the same and a signature over both messages; the station signs the
//! whole exchange. A replayed hello can only make a fresh vault answer: the handshake it
//! starts never completes, since the finish must sign the vault's new nonce. An end made
//! [`Endpoint::unauthenticated`] checks no certificate or signature (anonymous ECDH, the
//! `link-unauthenticated-key-agreement` weakness): whoever answers agrees keys with it.

use crate::link::certificate::{LinkIdentity, Role, certified_key};
use crate::link::error::LinkError;
use crate::link::messages::{DATA, FINISH, HELLO, WELCOME, fields, put};
use crate::link::record::Records;
use provsim_sim::Stream;
use provsim_sim::crypto::{Crypto, PublicKey, SecretKey, Signature};

/// What an endpoint asks its driver to do after a datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Send(Vec<u8>),
    Established,
    Data(Vec<u8>),
}

/// What the vault keeps between its welcome and the station's finish.
struct ServerPending {
    /// The hello, then the welcome that answered it.
    transcript: Vec<u8>,
    hello_len: usize,
    ephemeral: SecretKey,
    peer_ephemeral: PublicKey,
    /// The station's certified key (none when the end does not authenticate).
    peer_key: Option<PublicKey>,
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
    Established(Records),
}

/// One end of the link.
pub struct Endpoint {
    identity: LinkIdentity,
    trust: PublicKey,
    rng: Stream,
    state: State,
    /// Server: the lowest hello number it still answers (one above the last it took).
    hello_floor: u64,
    /// Whether it checks the peer's certificate and handshake signatures: off, the key
    /// agreement is anonymous ECDH, and whoever sits between the ends can run one with
    /// each (the `link-unauthenticated-key-agreement` weakness).
    authenticate: bool,
}

impl Endpoint {
    fn new(identity: LinkIdentity, trust: PublicKey, rng: Stream, state: State) -> Self {
        Endpoint {
            identity,
            trust,
            rng,
            state,
            hello_floor: 0,
            authenticate: true,
        }
    }

    /// The same end, taking any peer: no certificate or handshake signature is checked.
    pub fn unauthenticated(mut self) -> Self {
        self.authenticate = false;
        self
    }

    /// The peer's key as its certificate names it, checked under the trust anchor for
    /// `role`; unchecked (any key the certificate names, or none) when the end does not
    /// authenticate.
    fn peer_key(
        &self,
        crypto: &Crypto,
        certificate: &[u8],
        role: Role,
    ) -> Result<Option<PublicKey>, LinkError> {
        if self.authenticate {
            certified_key(crypto, certificate, &self.trust, role).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Checks a handshake signature by `key` (none to check when unauthenticated).
    fn check(
        crypto: &Crypto,
        key: Option<&PublicKey>,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), LinkError> {
        match key {
            Some(key) => crypto
                .verify(key, message, &Signature::from_der_bytes(signature.to_vec()))
                .map_err(|_| LinkError::Signature),
            None => Ok(()),
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
        let peer_key = self.peer_key(crypto, f[0], Role::Station)?;
        let body_len = hello.len() - 2 - f[4].len();
        Self::check(crypto, peer_key.as_ref(), &hello[..body_len], f[4])?;
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
        let peer_key = self.peer_key(crypto, f[0], Role::Vault)?;
        let peer_ephemeral = PublicKey::from_sec1(f[1]).map_err(|_| LinkError::Malformed)?;
        if f[2].len() != 32 {
            return Err(LinkError::Malformed);
        }
        let body_len = welcome.len() - 2 - f[3].len();
        let mut signed = b"vault".to_vec();
        signed.extend_from_slice(hello);
        signed.extend_from_slice(&welcome[..body_len]);
        Self::check(crypto, peer_key.as_ref(), &signed, f[3])?;
        let mut transcript = hello.clone();
        transcript.extend_from_slice(welcome);
        let mut proof = b"station".to_vec();
        proof.extend_from_slice(&transcript);
        let mut finish = vec![FINISH];
        put(
            &mut finish,
            crypto.sign(&self.identity.key, &proof).as_der(),
        );
        let records = Records::derive(crypto, ephemeral, &peer_ephemeral, &transcript, true);
        self.state = State::Established(records);
        Ok(vec![Event::Send(finish), Event::Established])
    }

    fn on_finish(&mut self, crypto: &Crypto, finish: &[u8]) -> Result<Vec<Event>, LinkError> {
        let State::WelcomeSent(pending) = &self.state else {
            return Err(LinkError::Unexpected("finish"));
        };
        let f = fields(finish, 1)?;
        let mut proof = b"station".to_vec();
        proof.extend_from_slice(&pending.transcript);
        Self::check(crypto, pending.peer_key.as_ref(), &proof, f[0])?;
        let records = Records::derive(
            crypto,
            &pending.ephemeral,
            &pending.peer_ephemeral,
            &pending.transcript,
            false,
        );
        self.state = State::Established(records);
        Ok(vec![Event::Established])
    }

    fn on_data(&mut self, crypto: &Crypto, record: &[u8]) -> Result<Vec<Event>, LinkError> {
        let State::Established(records) = &mut self.state else {
            return Err(LinkError::NotEstablished);
        };
        Ok(vec![Event::Data(records.open(crypto, record)?)])
    }

    /// Seals `payload` as the next record.
    pub fn seal(&mut self, crypto: &Crypto, payload: &[u8]) -> Result<Vec<u8>, LinkError> {
        let State::Established(records) = &mut self.state else {
            return Err(LinkError::NotEstablished);
        };
        Ok(records.seal(crypto, payload))
    }
}
