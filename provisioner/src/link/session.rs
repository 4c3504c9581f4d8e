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
//! Each exchange runs on its own simulated network, drawn from a stream the caller
//! names (the line names it after the device), and starts on an established session:
//! what happens to one device's secrets on the link depends only on that device's
//! streams, never on the devices before it, so any device can be re-created alone.

use super::{Endpoint, Event, LinkIdentity};
use provsim_sim::crypto::{Crypto, PublicKey, Sha256};
use provsim_sim::network::{End, Fate, Faults, Network};
use provsim_sim::{SimDuration, SimTime, Stream};

const REQUEST: u8 = b'Q';
const ANSWER: u8 = b'R';

/// How the station retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Quiet time after which the request is sent again.
    pub resend_after: SimDuration,
    /// Resends before the session is dropped and a fresh handshake started.
    pub resends_per_link: u32,
    /// Handshakes one exchange (or one re-establishment) may make before it fails.
    pub handshakes: u32,
}

impl RetryPolicy {
    /// 50 ms of quiet before a resend, 3 resends a session, 3 handshakes.
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        resend_after: SimDuration::from_millis(50),
        resends_per_link: 3,
        handshakes: 3,
    };
}

/// What the line does when a device's exchange fails: the device is rejected either
/// way (its keys destroyed); then the line re-establishes the link and goes on, or
/// stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnLinkFailure {
    RejectDevice,
    StopLine,
}

impl OnLinkFailure {
    pub fn name(self) -> &'static str {
        match self {
            OnLinkFailure::RejectDevice => "reject-device",
            OnLinkFailure::StopLine => "stop-line",
        }
    }
}

/// The network the link runs over, how the station retries on it, and what the line
/// does when that is not enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkConfig {
    pub faults: Faults,
    /// One-way delay of every datagram, before jitter.
    pub latency: SimDuration,
    pub policy: RetryPolicy,
    pub on_failure: OnLinkFailure,
}

impl LinkConfig {
    /// A clean network with 1 ms latency and the default retry policy.
    pub const CLEAN: LinkConfig = LinkConfig {
        faults: Faults {
            drop_ppm: 0,
            duplicate_ppm: 0,
            tamper_ppm: 0,
            replay_ppm: 0,
            jitter: SimDuration::ZERO,
        },
        latency: SimDuration::from_millis(1),
        policy: RetryPolicy::DEFAULT,
        on_failure: OnLinkFailure::RejectDevice,
    };

    /// Why this configuration cannot work, if it cannot: a request resent before its
    /// answer could come back is resent every time.
    pub fn problem(&self) -> Option<String> {
        let round_trip =
            (self.latency.as_nanos() + self.faults.jitter.as_nanos()).saturating_mul(2);
        if self.policy.resend_after.as_nanos() <= round_trip {
            return Some(format!(
                "the station resends after {} ms, within a round trip of up to {} ms: resend_after must exceed twice the latency plus the jitter",
                self.policy.resend_after.as_nanos() / 1_000_000,
                round_trip / 1_000_000
            ));
        }
        (self.policy.handshakes == 0).then(|| "a link with no handshakes never comes up".to_owned())
    }
}

/// One datagram delivered during an exchange: what the network did to it, its message
/// type (the first byte; for records, the type inside is not visible on the wire),
/// whether the receiving end took it, its SHA-256 (to find copies), and the handshake
/// of this exchange under way when it arrived (0: the session it started on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryLog {
    pub fate: Fate,
    pub kind: u8,
    pub accepted: bool,
    pub digest: [u8; 32],
    pub handshake: u32,
}

/// How one exchange (or one establishment) went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExchangeReport {
    /// The vault's answer, as the station took it; `None` when the exchange failed.
    pub answer: Option<Vec<u8>>,
    /// Virtual time from the first datagram to the answer (or to giving up).
    pub elapsed: SimDuration,
    pub handshakes: u32,
    /// SHA-256 of the hello of each handshake made, in order.
    pub hellos: Vec<[u8; 32]>,
    /// Requests the station sent: the first and every resend.
    pub requests: u32,
    /// Times the vault's responder ran: once per request number at most.
    pub responder_runs: u32,
    pub deliveries: Vec<DeliveryLog>,
}

impl ExchangeReport {
    /// Deliveries the receiving end refused.
    pub fn refused(&self) -> u64 {
        self.deliveries.iter().filter(|d| !d.accepted).count() as u64
    }
}

/// Deliveries of one fate: how many the receiving end took and refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FateCounts {
    pub accepted: u64,
    pub refused: u64,
}

/// A line's link, added up over every exchange and establishment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Sessions made before the first device and after failed exchanges.
    pub sessions_made: u64,
    /// Device exchanges: answered and failed.
    pub exchanges: u64,
    pub answered: u64,
    pub failed: u64,
    pub handshakes: u64,
    pub requests: u64,
    pub intact: FateCounts,
    pub duplicate: FateCounts,
    pub tampered: FateCounts,
    pub replayed: FateCounts,
    /// The device the line stopped before, when the link could not be re-established
    /// (or the configuration stops the line at a failure).
    pub stopped_before: Option<u64>,
}

impl LinkStats {
    /// Adds a device's exchange.
    pub fn exchange(&mut self, report: &ExchangeReport) {
        self.exchanges += 1;
        if report.answer.is_some() {
            self.answered += 1;
        } else {
            self.failed += 1;
        }
        self.add(report);
    }

    /// Adds an attempt to make a session; `made` says whether it came up.
    pub fn establishment(&mut self, report: &ExchangeReport, made: bool) {
        self.sessions_made += u64::from(made);
        self.add(report);
    }

    fn add(&mut self, report: &ExchangeReport) {
        self.handshakes += u64::from(report.handshakes);
        self.requests += u64::from(report.requests);
        for delivery in &report.deliveries {
            let counts = match delivery.fate {
                Fate::Intact => &mut self.intact,
                Fate::Duplicate => &mut self.duplicate,
                Fate::Tampered => &mut self.tampered,
                Fate::Replayed => &mut self.replayed,
            };
            if delivery.accepted {
                counts.accepted += 1;
            } else {
                counts.refused += 1;
            }
        }
    }
}

/// Randomness for one exchange (or one establishment): the network's, and each end's
/// for every handshake it may make. Whoever runs the exchange names the streams (the
/// line after the occasion, the station after the device, an attack copy after itself),
/// each opened through [`crate::labels`].
pub trait LinkStreams {
    /// The simulated network's: which datagrams are dropped, copied, altered, delayed.
    fn network(&self) -> Stream;
    /// The station end's for the `k`-th handshake, from 1.
    fn station(&self, k: u32) -> Stream;
    /// The vault end's for the `k`-th handshake, from 1.
    fn vault(&self, k: u32) -> Stream;
}

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
        }
    }

    /// The same two ends and configuration, with no session yet: for a re-created
    /// device, which must not disturb the line's own session.
    pub fn detached(&self) -> LinkSession {
        LinkSession::new(
            self.vault_identity.clone(),
            self.station_identity.clone(),
            self.trust.clone(),
            self.config,
        )
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
                let (station, hello) = Endpoint::client(
                    crypto,
                    self.station_identity.clone(),
                    self.trust.clone(),
                    streams.station(k),
                    self.next_hello,
                );
                self.next_hello += 1;
                let vault = Endpoint::server(
                    self.vault_identity.clone(),
                    self.trust.clone(),
                    streams.vault(k),
                    self.vault_hello_floor,
                );
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
            let result = endpoint.receive(crypto, &delivery.bytes);
            report.deliveries.push(DeliveryLog {
                fate: delivery.fate,
                kind,
                accepted: result.is_ok(),
                digest: Sha256::digest(&delivery.bytes),
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

fn message(kind: u8, id: u64, payload: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(9 + payload.len());
    message.push(kind);
    message.extend_from_slice(&id.to_be_bytes());
    message.extend_from_slice(payload);
    message
}

fn parse(message: &[u8]) -> Option<(u8, u64, &[u8])> {
    let kind = *message.first()?;
    let id = u64::from_be_bytes(message.get(1..9)?.try_into().ok()?);
    Some((kind, id, &message[9..]))
}
