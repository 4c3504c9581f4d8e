//! The provisioning link over a faulty network: whatever the seeded faults, no altered
//! or replayed record is accepted, every job ends applied once and acknowledged, or
//! reported failed, and none is applied twice.

use proptest::prelude::*;
use provsim_provisioner::link::{
    LinkIdentity, RetryPolicy, Role, Transfer, TransferReport, link_certificate,
};
use provsim_sim::crypto::{Crypto, PublicKey};
use provsim_sim::network::{Fate, Faults, Network};
use provsim_sim::{Seed, SimDuration};
use std::collections::BTreeSet;

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

const POLICY: RetryPolicy = RetryPolicy {
    resend_after: SimDuration::from_millis(50),
    resends_per_link: 6,
    handshakes: 8,
};

fn transfer(faults: Faults, seed: u64, jobs: u64) -> (Vec<(u64, Vec<u8>)>, TransferReport) {
    let crypto = Crypto::new();
    let (vault, station, trust) = identities(&crypto);
    let jobs: Vec<(u64, Vec<u8>)> = (0..jobs)
        .map(|id| (id, format!("sealed key for device {id}").into_bytes()))
        .collect();
    let mut network = Network::new(
        Seed::new(seed).stream("test/network"),
        faults,
        SimDuration::from_millis(2),
    );
    let report = Transfer {
        session: 0,
        crypto: &crypto,
        vault,
        station,
        trust,
        policy: POLICY,
    }
    .run(&mut network, Seed::new(seed), &jobs);
    (jobs, report)
}

/// The invariants every transfer keeps, whatever the network did.
fn check(jobs: &[(u64, Vec<u8>)], report: &TransferReport) -> Result<(), String> {
    let acknowledged: BTreeSet<u64> = report.acknowledged.iter().copied().collect();
    let failed: BTreeSet<u64> = report.failed.iter().copied().collect();
    let all: BTreeSet<u64> = jobs.iter().map(|(id, _)| *id).collect();
    if acknowledged.len() != report.acknowledged.len() || !acknowledged.is_disjoint(&failed) {
        return Err("a job acknowledged twice, or both acknowledged and failed".into());
    }
    if acknowledged
        .union(&failed)
        .copied()
        .collect::<BTreeSet<_>>()
        != all
    {
        return Err("a job neither acknowledged nor reported failed".into());
    }
    let mut applied = BTreeSet::new();
    for (id, payload) in &report.applied {
        if !applied.insert(*id) {
            return Err(format!("job {id} applied twice"));
        }
        if jobs.iter().find(|(j, _)| j == id).map(|(_, p)| p) != Some(payload) {
            return Err(format!("job {id} applied with bytes that were not sent"));
        }
    }
    if !acknowledged.is_subset(&applied) {
        return Err("a job acknowledged without being applied".into());
    }
    // A replay or a duplicate is a message whose bytes were accepted before: a copy the
    // network injected of one that never arrived is a late first delivery. Only a hello
    // may be taken twice (by fresh vaults of different handshakes; see the module).
    let mut accepted_before = BTreeSet::new();
    for (fate, kind, accepted, digest) in &report.deliveries {
        if !accepted {
            continue;
        }
        if *fate == Fate::Tampered {
            return Err(format!("an altered message of type {kind} was accepted"));
        }
        if *kind != 1 && !accepted_before.insert(*digest) {
            return Err(format!("a message of type {kind} was accepted twice"));
        }
    }
    Ok(())
}

#[test]
fn a_clean_network_delivers_every_job_once_over_one_handshake() {
    let (jobs, report) = transfer(Faults::default(), 1, 12);
    check(&jobs, &report).unwrap();
    assert_eq!(report.acknowledged.len(), 12);
    assert_eq!(report.handshakes, 1);
    assert!(report.deliveries.iter().all(|d| d.2));
}

#[test]
fn the_same_seed_gives_the_same_transfer() {
    let faults = Faults {
        drop_ppm: 200_000,
        tamper_ppm: 200_000,
        jitter: SimDuration::from_millis(7),
        ..Faults::default()
    };
    assert_eq!(transfer(faults, 9, 10), transfer(faults, 9, 10));
    assert_ne!(transfer(faults, 9, 10).1, transfer(faults, 10, 10).1);
}

#[test]
fn a_dead_network_reports_every_job_failed() {
    let faults = Faults {
        drop_ppm: 1_000_000,
        ..Faults::default()
    };
    let (jobs, report) = transfer(faults, 2, 5);
    check(&jobs, &report).unwrap();
    assert_eq!(report.failed.len(), 5);
    assert!(report.applied.is_empty());
    assert_eq!(report.handshakes, POLICY.handshakes);
}

#[test]
fn tampered_and_replayed_records_are_refused() {
    let faults = Faults {
        tamper_ppm: 300_000,
        replay_ppm: 300_000,
        duplicate_ppm: 300_000,
        ..Faults::default()
    };
    let (jobs, report) = transfer(faults, 3, 20);
    check(&jobs, &report).unwrap();
    let refused = |fate: Fate| {
        report
            .deliveries
            .iter()
            .filter(|d| d.0 == fate && !d.2)
            .count()
    };
    assert!(
        refused(Fate::Tampered) > 0 && refused(Fate::Replayed) > 0 && refused(Fate::Duplicate) > 0
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn no_fault_schedule_gets_a_bad_record_accepted_or_a_job_applied_twice(
        seed in any::<u64>(),
        jobs in 1u64..16,
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
        let (jobs, report) = transfer(faults, seed, jobs);
        prop_assert!(check(&jobs, &report).is_ok(), "{:?}", check(&jobs, &report));
        // With nothing lost or altered, duplicates, replays and reordering alone never
        // stop a job: every one is acknowledged.
        if drop_ppm == 0 && tamper_ppm == 0 {
            prop_assert!(report.failed.is_empty(), "{:?}", report.failed);
        }
    }
}
