//! The provisioning link over a faulty network: whatever the seeded faults, no altered
//! or replayed record is accepted, every request ends answered once or reported
//! failed, and the vault never answers a request twice.

use proptest::prelude::*;
mod common;

use common::delivery_violation;
use provsim_provisioner::link::{
    ExchangeReport, LinkConfig, LinkIdentity, LinkSession, LinkStreams, OnLinkFailure, RetryPolicy,
    Role, link_certificate,
};
use provsim_sim::crypto::{Crypto, PublicKey};
use provsim_sim::network::{Fate, Faults};
use provsim_sim::{Seed, SimDuration, Stream};

/// The vault's and the station's identities, certified for their roles by a link CA.
fn identities(crypto: &Crypto) -> (LinkIdentity, LinkIdentity, PublicKey) {
    let seed = Seed::new(77);
    let anchor = crypto.generate_key(&mut seed.stream("test/link-ca"));
    let mut serials = seed.stream("test/serials");
    let mut identity = |role: Role| {
        let key = crypto.generate_key(&mut seed.stream(&format!("test/{role:?}")));
        LinkIdentity {
            certificate: link_certificate(crypto, &anchor, key.public_key(), role, &mut serials)
                .unwrap(),
            key,
        }
    };
    let vault = identity(Role::Vault);
    let station = identity(Role::Station);
    (vault, station, anchor.public_key().clone())
}

/// A run's link streams under `prefix`: `{prefix}/network`, `{prefix}/station/{k}` and
/// `{prefix}/vault/{k}`, as the line names its own.
struct Streams(Seed, String);

impl LinkStreams for Streams {
    fn network(&self) -> Stream {
        self.0.stream(&format!("{}/network", self.1))
    }
    fn station(&self, k: u32) -> Stream {
        self.0.stream(&format!("{}/station/{k}", self.1))
    }
    fn vault(&self, k: u32) -> Stream {
        self.0.stream(&format!("{}/vault/{k}", self.1))
    }
}

const POLICY: RetryPolicy = RetryPolicy {
    resend_after: SimDuration::from_millis(50),
    resends_per_link: 6,
    handshakes: 8,
};

/// What one run of exchanges did: each request's report, and how often the vault's
/// responder ran for each request number.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    established: bool,
    reports: Vec<(u64, ExchangeReport)>,
    responder_calls: Vec<u64>,
}

fn answer_for(id: u64) -> Vec<u8> {
    format!("sealed key for device {id}").into_bytes()
}

/// A session between the test's two ends over a network with `faults`, not yet made.
fn session(crypto: &Crypto, faults: Faults) -> LinkSession {
    let (vault, station, trust) = identities(crypto);
    let config = LinkConfig {
        faults,
        latency: SimDuration::from_millis(2),
        policy: POLICY,
        on_failure: OnLinkFailure::RejectDevice,
    };
    LinkSession::new(vault, station, trust, config)
}

/// Establishes a session, then sends `requests` requests over it, each on its own
/// network drawn from the seed, as the line does for its devices.
fn exchanges(faults: Faults, seed: u64, requests: u64) -> Run {
    let crypto = Crypto::new();
    let mut session = session(&crypto, faults);
    let seed = Seed::new(seed);
    session.establish(&crypto, &Streams(seed, "test/establish".to_owned()));
    let established = session.is_established();
    let mut responder_calls = vec![0u64; requests as usize];
    let mut reports = Vec::new();
    for id in 0..requests {
        let request = id.to_be_bytes();
        let report = session
            .exchange(
                &crypto,
                &Streams(seed, format!("device/{id}/link")),
                id,
                &request,
                &mut |asked: &[u8]| {
                    let asked = u64::from_be_bytes(asked.try_into().unwrap());
                    responder_calls[asked as usize] += 1;
                    answer_for(asked)
                },
            )
            .clone();
        reports.push((id, report));
    }
    Run {
        established,
        reports,
        responder_calls,
    }
}

/// The invariants every run keeps, whatever the network did.
fn check(run: &Run) -> Result<(), String> {
    for (id, calls) in run.responder_calls.iter().enumerate() {
        if *calls > 1 {
            return Err(format!("the vault answered request {id} {calls} times"));
        }
    }
    for (id, report) in &run.reports {
        match &report.answer {
            Some(answer) if *answer != answer_for(*id) => {
                return Err(format!(
                    "request {id} was answered with bytes not sent for it"
                ));
            }
            Some(_) if run.responder_calls[*id as usize] != 1 => {
                return Err(format!("request {id} answered without the vault answering"));
            }
            _ => {}
        }
        if report.answer.is_none() && report.handshakes != POLICY.handshakes {
            return Err(format!(
                "request {id} given up before its handshakes ran out"
            ));
        }
    }
    match delivery_violation(run.reports.iter().map(|(_, r)| r)) {
        Some(violation) => Err(violation),
        None => Ok(()),
    }
}

fn answered(run: &Run) -> usize {
    run.reports
        .iter()
        .filter(|(_, r)| r.answer.is_some())
        .count()
}

#[test]
fn a_clean_network_answers_every_request_over_one_handshake() {
    let run = exchanges(Faults::default(), 1, 12);
    check(&run).unwrap();
    assert!(run.established);
    assert_eq!(answered(&run), 12);
    assert!(
        run.reports
            .iter()
            .all(|(_, r)| r.handshakes == 0 && r.requests == 1)
    );
    assert!(run.reports.iter().all(|(_, r)| r.refused() == 0));
    // Request, answer: one round trip of 2 ms each way.
    assert!(
        run.reports
            .iter()
            .all(|(_, r)| r.elapsed == SimDuration::from_millis(4))
    );
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let faults = Faults {
        drop_ppm: 200_000,
        tamper_ppm: 200_000,
        jitter: SimDuration::from_millis(7),
        ..Faults::default()
    };
    assert_eq!(exchanges(faults, 9, 10), exchanges(faults, 9, 10));
    assert_ne!(exchanges(faults, 9, 10), exchanges(faults, 10, 10));
}

#[test]
fn a_dead_network_answers_nothing_and_says_so() {
    let faults = Faults {
        drop_ppm: 1_000_000,
        ..Faults::default()
    };
    let run = exchanges(faults, 2, 5);
    check(&run).unwrap();
    assert!(!run.established);
    assert_eq!(answered(&run), 0);
    assert!(run.responder_calls.iter().all(|&c| c == 0));
    assert!(
        run.reports
            .iter()
            .all(|(_, r)| r.handshakes == POLICY.handshakes)
    );
}

#[test]
fn tampered_and_replayed_records_are_refused() {
    let faults = Faults {
        tamper_ppm: 300_000,
        replay_ppm: 300_000,
        duplicate_ppm: 300_000,
        ..Faults::default()
    };
    let run = exchanges(faults, 3, 20);
    check(&run).unwrap();
    let refused = |fate: Fate| {
        run.reports
            .iter()
            .flat_map(|(_, r)| &r.deliveries)
            .filter(|d| d.fate == fate && !d.accepted)
            .count()
    };
    assert!(
        refused(Fate::Tampered) > 0 && refused(Fate::Replayed) > 0 && refused(Fate::Duplicate) > 0
    );
}

/// What one device's secrets go through on the link depends on that device's streams
/// alone: an exchange on a session that served other devices first, and one on a fresh
/// session over a clean network, see the same deliveries and take the same time.
#[test]
fn an_exchange_does_not_depend_on_the_devices_before_it() {
    let faults = Faults {
        drop_ppm: 150_000,
        duplicate_ppm: 150_000,
        tamper_ppm: 150_000,
        replay_ppm: 150_000,
        jitter: SimDuration::from_millis(3),
    };
    let run = exchanges(faults, 5, 8);
    let crypto = Crypto::new();
    let seed = Seed::new(5);
    for (id, report) in run.reports.iter().filter(|(_, r)| r.answer.is_some()) {
        let mut fresh = session(&crypto, faults);
        fresh.establish_clean(&crypto, &Streams(seed, "test/clean".to_owned()));
        let alone = fresh
            .exchange(
                &crypto,
                &Streams(seed, format!("device/{id}/link")),
                *id,
                &id.to_be_bytes(),
                &mut |_| answer_for(*id),
            )
            .clone();
        let shape = |r: &ExchangeReport| {
            (
                r.answer.clone(),
                r.elapsed,
                r.handshakes,
                r.requests,
                r.deliveries
                    .iter()
                    .map(|d| (d.fate, d.kind, d.accepted))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(shape(&alone), shape(report), "request {id}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn no_fault_schedule_gets_a_bad_record_accepted_or_a_request_answered_twice(
        seed in any::<u64>(),
        requests in 1u64..12,
        drop_ppm in prop_oneof![Just(0u32), 0u32..400_000],
        duplicate_ppm in 0u32..400_000,
        tamper_ppm in prop_oneof![Just(0u32), 0u32..400_000],
        replay_ppm in 0u32..400_000,
        jitter_ms in 0u64..20,
    ) {
        let faults = Faults {
            drop_ppm,
            duplicate_ppm,
            tamper_ppm,
            replay_ppm,
            jitter: SimDuration::from_millis(jitter_ms),
        };
        let run = exchanges(faults, seed, requests);
        prop_assert!(check(&run).is_ok(), "{:?}", check(&run));
        // With nothing lost or altered, duplicates, replays and reordering alone never
        // stop a request: every one is answered.
        if drop_ppm == 0 && tamper_ppm == 0 {
            prop_assert_eq!(answered(&run), requests as usize);
        }
    }
}
