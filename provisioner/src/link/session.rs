//! A link session between the vault and one station, kept up across devices, and the
//! request/answer exchange that carries each device's secrets over it.
//!
//! The station asks (its request carries the chip's transport key) and the vault
//! answers with the secrets sealed to that key. The station resends its request when the
//! link stays quiet; after `resends_per_link` resends it drops the session and makes a
//! fresh handshake, up to `handshakes` of them, and then reports the exchange failed.
//! The vault answers each request number once: a repeated request (a resend, or one
//! asked again over a new session) gets the same answer from its cache, so nothing is
//! wrapped twice. The station takes the first answer to its request and ignores every
//! other, so nothing is applied twice.
//!
//! Each exchange runs on its own simulated network, drawn from the streams its caller
//! hands in (the station hands in the device's own, whose labels carry the device's
//! index: see `DeviceStreams`), and starts on an established session:
//! what happens to one device's secrets on the link depends only on that device's
//! streams, never on the devices before it, so any device can be re-created alone.

use crate::link::certificate::LinkIdentity;
use crate::link::config::LinkConfig;
use crate::link::endpoint::{Endpoint, Event};
use crate::link::messages::{ANSWER, REQUEST, message, parse};
use crate::link::report::{DeliveryLog, ExchangeReport};
use crate::link::streams::LinkStreams;
use provsim_sim::crypto::{Crypto, PublicKey, Sha256};
use provsim_sim::network::{End, Network};
use provsim_sim::{SimDuration, SimTime};

/// The link between the vault and a station: both ends' identities, the trust anchor
/// their certificates chain to, and the session while it is up.
pub struct LinkSession {
    vault_identity: LinkIdentity,
    station_identity: LinkIdentity,
    trust: PublicKey,
    config: LinkConfig,
    /// (station, vault) while the session is established.
    ends: Option<(Endpoint, Endpoint)>,
    /// The last request number the vault answered, and its answer.
    vault_answered: Option<(u64, Vec<u8>)>,
    /// The last exchange's report, until the line takes it.
    last: Option<ExchangeReport>,
    /// The number the station's next hello carries.
    next_hello: u64,
    /// The lowest hello number the vault still answers.
    vault_hello_floor: u64,
    /// Whether the ends authenticate each other (off: the
    /// `link-unauthenticated-key-agreement` weakness).
    authenticate: bool,
    /// What sits on the wire between the ends, in an attack copy only.
    tap: Option<Box<dyn LinkTap>>,
}

/// Something on the network between the station and the vault that sees every datagram
/// in flight and may put other bytes in its place (a man in the middle). Only an attack
/// copy's session carries one.
pub trait LinkTap: std::any::Any + Send + Sync {
    /// The datagram heading to the vault (`to_vault`) or to the station, as it arrives
    /// instead.
    fn in_flight(&mut self, crypto: &Crypto, to_vault: bool, bytes: Vec<u8>) -> Vec<u8>;
}

impl LinkSession {
    pub fn new(
        vault: LinkIdentity,
        station: LinkIdentity,
        trust: PublicKey,
        config: LinkConfig,
    ) -> Self {
        LinkSession {
            vault_identity: vault,
            station_identity: station,
            trust,
            config,
            ends: None,
            vault_answered: None,
            last: None,
            next_hello: 0,
            vault_hello_floor: 0,
            authenticate: true,
            tap: None,
        }
    }

    /// The ends no longer check each other's certificates or handshake signatures.
    pub(crate) fn without_peer_authentication(mut self) -> Self {
        self.authenticate = false;
        self
    }

    /// Puts `tap` on the wire between the ends, for the exchanges to come.
    pub(crate) fn tap_with(&mut self, tap: Box<dyn LinkTap>) {
        self.tap = Some(tap);
    }

    /// Takes the tap back off the wire.
    pub(crate) fn untap(&mut self) -> Option<Box<dyn LinkTap>> {
        self.tap.take()
    }

    /// The same two ends and configuration, with no session yet: for a re-created
    /// device, which must not disturb the line's own session.
    pub fn detached(&self) -> LinkSession {
        let mut detached = LinkSession::new(
            self.vault_identity.clone(),
            self.station_identity.clone(),
            self.trust.clone(),
            self.config,
        );
        detached.authenticate = self.authenticate;
        detached
    }

    /// The last exchange's report, once.
    pub fn take_last(&mut self) -> Option<ExchangeReport> {
        self.last.take()
    }

    pub fn config(&self) -> &LinkConfig {
        &self.config
    }

    pub fn is_established(&self) -> bool {
        self.ends.is_some()
    }

    /// Makes a session over the configured (faulty) network, up to the policy's
    /// handshakes: before the first device, and after an exchange that failed.
    pub fn establish(&mut self, crypto: &Crypto, streams: &dyn LinkStreams) -> ExchangeReport {
        self.run(crypto, streams, None, &mut |_| Vec::new())
    }

    /// Makes a session over a network that loses and alters nothing, with a clean
    /// network's streams drawn from `streams`: how a re-created device gets the
    /// established session its exchange starts on.
    pub fn establish_clean(
        &mut self,
        crypto: &Crypto,
        streams: &dyn LinkStreams,
    ) -> ExchangeReport {
        let config = self.config;
        self.config = LinkConfig {
            on_failure: config.on_failure,
            ..LinkConfig::CLEAN
        };
        let report = self.establish(crypto, streams);
        self.config = config;
        report
    }

    /// Sends request number `id` and returns the vault's answer, made by `respond`
    /// (called at most once for that number). Starts on the established session, or
    /// with a handshake when there is none.
    pub fn exchange(
        &mut self,
        crypto: &Crypto,
        streams: &dyn LinkStreams,
        id: u64,
        request: &[u8],
        respond: &mut dyn FnMut(&[u8]) -> Vec<u8>,
    ) -> &ExchangeReport {
        let report = self.run(crypto, streams, Some((id, request)), respond);
        self.last.insert(report)
    }

    fn run(
        &mut self,
        crypto: &Crypto,
        streams: &dyn LinkStreams,
        request: Option<(u64, &[u8])>,
        respond: &mut dyn FnMut(&[u8]) -> Vec<u8>,
    ) -> ExchangeReport {
        let policy = self.config.policy;
        let mut network = Network::new(streams.network(), self.config.faults, self.config.latency);
        let mut report = ExchangeReport::default();
        let mut now = SimTime::ZERO;
        let request_message = request.map(|(id, payload)| message(REQUEST, id, payload));
        loop {
            if self.ends.is_none() {
                if report.handshakes >= policy.handshakes {
                    break;
                }
                report.handshakes += 1;
                let k = report.handshakes;
                let (mut station, hello) = Endpoint::client(
                    crypto,
                    self.station_identity.clone(),
                    self.trust.clone(),
                    streams.station(k),
                    self.next_hello,
                );
                self.next_hello += 1;
                let mut vault = Endpoint::server(
                    self.vault_identity.clone(),
                    self.trust.clone(),
                    streams.vault(k),
                    self.vault_hello_floor,
                );
                if !self.authenticate {
                    (station, vault) = (station.unauthenticated(), vault.unauthenticated());
                }
                report.hellos.push(Sha256::digest(&hello));
                network.send(now, End::A, hello);
                self.ends = Some((station, vault));
                // Not up until both ends say so; the loop below finishes the handshake.
                if !self.drive(crypto, &mut network, &mut now, &mut report, None, respond) {
                    self.drop_session();
                    // What is still in flight belongs to the session given up.
                    while network.deliver().is_some() {}
                    continue;
                }
            }
            let Some(request_message) = &request_message else {
                break;
            };
            if self.drive(
                crypto,
                &mut network,
                &mut now,
                &mut report,
                Some(request_message),
                respond,
            ) {
                break;
            }
            self.drop_session();
            while network.deliver().is_some() {}
        }
        report.elapsed = now - SimTime::ZERO;
        report
    }

    /// Gives the session up; the vault keeps the number of the last hello it answered.
    fn drop_session(&mut self) {
        if let Some((_, vault)) = self.ends.take() {
            self.vault_hello_floor = vault.hello_floor();
        }
    }

    /// Runs the network until the session is established (`request` None) or the
    /// request is answered; false when the policy gives up on this session.
    #[allow(clippy::too_many_arguments)]
    fn drive(
        &mut self,
        crypto: &Crypto,
        network: &mut Network,
        now: &mut SimTime,
        report: &mut ExchangeReport,
        request: Option<&Vec<u8>>,
        respond: &mut dyn FnMut(&[u8]) -> Vec<u8>,
    ) -> bool {
        let policy = self.config.policy;
        let Some((station, vault)) = self.ends.as_mut() else {
            return false;
        };
        let mut resends = 0;
        if let Some(request) = request
            && !send_request(crypto, station, network, *now, request, report)
        {
            return false;
        }
        // A handshake waits a round trip and a half (hello, welcome, finish) on top of
        // the resend timer before it is given up.
        let handshake_wait = SimDuration::from_nanos(
            (self.config.latency.as_nanos() + self.config.faults.jitter.as_nanos())
                .saturating_mul(3),
        );
        loop {
            if request.is_none() && station.is_established() && vault.is_established() {
                self.vault_hello_floor = vault.hello_floor();
                return true;
            }
            let quiet_until = *now
                + policy.resend_after
                + if request.is_none() {
                    handshake_wait
                } else {
                    SimDuration::ZERO
                };
            let delivery = match network.next_at() {
                Some(at) if at <= quiet_until => network.deliver(),
                _ => None,
            };
            let Some(delivery) = delivery else {
                *now = quiet_until;
                let Some(request) = request else {
                    return false;
                };
                if resends >= policy.resends_per_link {
                    return false;
                }
                resends += 1;
                if !send_request(crypto, station, network, *now, request, report) {
                    return false;
                }
                continue;
            };
            *now = delivery.at;
            let kind = delivery.bytes.first().copied().unwrap_or(0);
            let to_station = delivery.to == End::A;
            let endpoint = if to_station {
                &mut *station
            } else {
                &mut *vault
            };
            // The log names what was sent; a tap may put something else in its place.
            let digest = Sha256::digest(&delivery.bytes);
            let bytes = match &mut self.tap {
                Some(tap) => tap.in_flight(crypto, !to_station, delivery.bytes),
                None => delivery.bytes,
            };
            let result = endpoint.receive(crypto, &bytes);
            report.deliveries.push(DeliveryLog {
                fate: delivery.fate,
                kind,
                accepted: result.is_ok(),
                digest,
                handshake: report.handshakes,
            });
            let Ok(events) = result else { continue };
            for event in events {
                match event {
                    Event::Send(bytes) => {
                        let from = if to_station { End::A } else { End::B };
                        network.send(*now, from, bytes);
                    }
                    Event::Established => {}
                    Event::Data(data) if to_station => {
                        if let (Some(request), Some((ANSWER, id, answer))) = (request, parse(&data))
                            && parse(request).is_some_and(|(_, asked, _)| asked == id)
                        {
                            report.answer = Some(answer.to_vec());
                            return true;
                        }
                    }
                    Event::Data(data) => {
                        let Some((REQUEST, id, payload)) = parse(&data) else {
                            continue;
                        };
                        let answer = match &self.vault_answered {
                            Some((answered, answer)) if *answered == id => answer.clone(),
                            _ => {
                                report.responder_runs += 1;
                                let answer = respond(payload);
                                self.vault_answered = Some((id, answer.clone()));
                                answer
                            }
                        };
                        if let Ok(record) = vault.seal(crypto, &message(ANSWER, id, &answer)) {
                            network.send(*now, End::B, record);
                        }
                    }
                }
            }
        }
    }
}

fn send_request(
    crypto: &Crypto,
    station: &mut Endpoint,
    network: &mut Network,
    now: SimTime,
    request: &[u8],
    report: &mut ExchangeReport,
) -> bool {
    match station.seal(crypto, request) {
        Ok(record) => {
            network.send(now, End::A, record);
            report.requests += 1;
            true
        }
        Err(_) => false,
    }
}
