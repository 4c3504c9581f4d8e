//! The line's secrets over a faulty provisioning link. Whatever the seeded drops,
//! duplicates, alterations, replays and reordering, and whatever the retry policy: no
//! altered or replayed message is accepted, every device the line started ends shipped
//! or reported failed (never both), no device gets a key injected twice, no key stays
//! in the vault, and the books balance lot by lot.

use proptest::prelude::*;
use provsim_devices::{DeviceId, TargetKind};
mod common;

use common::delivery_violation;
use provsim_provisioner::link::{ExchangeReport, LinkConfig, OnLinkFailure, RetryPolicy};
use provsim_provisioner::{
    AuditRecord, AuthorityRole, IdentityOrigin, IssuedCertificate, Line, LineConfig, LineSink,
    LineSummary, Lot, ShippedDevice,
};
use provsim_sim::network::Faults;
use provsim_sim::{Seed, SimDuration};
use std::collections::{BTreeMap, BTreeSet};

/// Keeps the audit log and every exchange the link reported.
#[derive(Default)]
struct Watch {
    audit: Vec<AuditRecord>,
    exchanges: Vec<(u64, ExchangeReport)>,
}

impl LineSink for Watch {
    fn authority(&mut self, _: AuthorityRole, _: &IssuedCertificate) -> std::io::Result<()> {
        Ok(())
    }
    fn certificate(&mut self, _: &ShippedDevice, _: &IssuedCertificate) -> std::io::Result<()> {
        Ok(())
    }
    fn audit(&mut self, record: &AuditRecord) -> std::io::Result<()> {
        self.audit.push(record.clone());
        Ok(())
    }
    fn link_exchange(&mut self, index: u64, report: &ExchangeReport) -> std::io::Result<()> {
        self.exchanges.push((index, report.clone()));
        Ok(())
    }
    /// The ledger goes to a file, as the command line's does: these lines then read it
    /// back with rejected devices and a line stopped early.
    fn ledger_file(&mut self) -> std::io::Result<Option<std::fs::File>> {
        tempfile::tempfile().map(Some)
    }
}

fn config(link: LinkConfig, identity: IdentityOrigin, symmetric: usize) -> LineConfig {
    LineConfig::builder(TargetKind::Mcu)
        .dies_per_wafer(16)
        .secrets(identity, (0..symmetric).map(|i| format!("key-{i}")))
        .link(link)
        .build()
}

fn run(config: LineConfig, seed: u64, sizes: &[u32]) -> (Line, LineSummary, Watch) {
    let lots = sizes
        .iter()
        .enumerate()
        .map(|(i, &devices)| Lot {
            name: format!("L{i}"),
            devices,
        })
        .collect();
    let mut line = Line::establish(config, Seed::new(seed), lots).unwrap();
    let mut watch = Watch::default();
    let summary = line.run(&mut watch).unwrap();
    (line, summary, watch)
}

/// The invariants of a line over any link.
fn check(line: &Line, summary: &LineSummary, watch: &Watch) -> Result<(), String> {
    if let Some(violation) = delivery_violation(watch.exchanges.iter().map(|(_, r)| r)) {
        return Err(violation);
    }
    // Every device started ends shipped or rejected, once.
    let started = summary.ledger.started();
    let ledger = summary.ledger.all_shipped().map_err(|e| e.to_string())?;
    let shipped: BTreeSet<u64> = ledger.iter().map(|d| d.index).collect();
    let rejected: BTreeSet<u64> = summary.rejected.iter().map(|d| d.index).collect();
    if shipped.len() != ledger.len() || rejected.len() != summary.rejected.len() {
        return Err("a device reported twice".into());
    }
    if !shipped.is_disjoint(&rejected) {
        return Err("a device both shipped and rejected".into());
    }
    if shipped.union(&rejected).copied().collect::<Vec<_>>() != (0..started).collect::<Vec<_>>() {
        return Err("a started device neither shipped nor reported failed".into());
    }
    // The line stops only where the link says it did, and starts nothing after.
    let total = line.device_count();
    match summary.link.stopped_before {
        Some(at) if at != started => return Err(format!("stopped before {at}, started {started}")),
        None if started != total => return Err(format!("started {started} of {total}")),
        _ => {}
    }
    // A device whose exchange failed did not ship, and its chip never got a key.
    let answered: BTreeMap<u64, bool> = watch
        .exchanges
        .iter()
        .map(|(i, r)| (*i, r.answer.is_some()))
        .collect();
    if answered.len() != watch.exchanges.len() {
        return Err("a device's secrets were exchanged twice".into());
    }
    let failed: BTreeSet<u64> = answered
        .iter()
        .filter(|(_, a)| !**a)
        .map(|(i, _)| *i)
        .collect();
    if !failed.is_subset(&rejected) {
        return Err("a device shipped without its secrets".into());
    }
    if failed.len() as u64 != summary.link.failed {
        return Err("the link's count of failed exchanges is not the devices'".into());
    }
    // Nothing is injected twice: each key once per device at most, and a shipped device
    // got each of its keys exactly once.
    let device_of = |id: DeviceId| {
        (0..total)
            .find(|&i| line.device_id(i) == Some(id))
            .ok_or_else(|| format!("unknown device {id}"))
    };
    let mut injected: BTreeMap<(u64, String), u32> = BTreeMap::new();
    for record in &watch.audit {
        let what = match record.action {
            "identity-key-injected" => "identity".to_owned(),
            "symmetric-key-injected" => record.detail.clone(),
            "identity-key-destroyed" => {
                let index = device_of(record.device.ok_or("no device")?)?;
                // A key made on chip was there before the link was asked for anything.
                let vault_made = line.config().secrets.identity == IdentityOrigin::Vault;
                if vault_made
                    && failed.contains(&index)
                    && !record.detail.contains("chip=never-received")
                {
                    return Err(format!(
                        "device {index}'s chip held a key its link never sent"
                    ));
                }
                continue;
            }
            _ => continue,
        };
        let index = device_of(record.device.ok_or("no device")?)?;
        *injected.entry((index, what)).or_default() += 1;
    }
    if let Some(((index, what), n)) = injected.iter().find(|(_, n)| **n > 1) {
        return Err(format!("device {index}: {what} injected {n} times"));
    }
    let keys_per_device = line.config().secrets.symmetric_keys.len()
        + usize::from(line.config().secrets.identity == IdentityOrigin::Vault);
    for index in &shipped {
        let got = injected
            .range((*index, String::new())..)
            .take_while(|((i, _), _)| i == index);
        if got.count() != keys_per_device {
            return Err(format!("device {index} shipped without all its keys"));
        }
    }
    for index in &failed {
        if injected
            .range((*index, String::new())..)
            .any(|((i, _), _)| i == index)
        {
            return Err(format!("device {index}'s link failed, yet a key went in"));
        }
    }
    // The books balance and the vault keeps nothing.
    let books = &summary.reconciliation;
    if !books.findings.is_empty() || !books.lots.iter().all(|l| l.balanced()) {
        return Err(format!("books: {:?}", books.findings));
    }
    if summary.hsm.generated + summary.hsm.restored != summary.hsm.destroyed + 3 {
        return Err(format!("the vault still holds keys: {:?}", summary.hsm));
    }
    // Every shipped identity is the one ground truth re-derives.
    let oracle = provsim_sim::crypto::Crypto::new();
    for device in &ledger {
        if line
            .identity_key(device.index, &oracle)
            .public_key()
            .fingerprint()
            != device.identity
        {
            return Err(format!("device {} shipped a key not its own", device.index));
        }
    }
    Ok(())
}

fn lossy(drop: u32, tamper: u32) -> Faults {
    Faults {
        drop_ppm: drop,
        duplicate_ppm: 200_000,
        tamper_ppm: tamper,
        replay_ppm: 200_000,
        jitter: SimDuration::from_millis(4),
    }
}

#[test]
fn a_clean_link_ships_everything_over_one_handshake() {
    let (line, summary, watch) = run(
        config(LinkConfig::CLEAN, IdentityOrigin::Vault, 1),
        3,
        &[4, 2],
    );
    check(&line, &summary, &watch).unwrap();
    assert_eq!(summary.ledger.shipped(), 6);
    assert_eq!(
        (summary.link.sessions_made, summary.link.handshakes),
        (1, 1)
    );
    assert_eq!((summary.link.exchanges, summary.link.answered), (6, 6));
    assert_eq!(summary.link.intact.refused, 0);
}

/// Heavy faults with few retries: some devices fail on the link and are rejected with
/// their keys destroyed, the rest ship, and the network's tampering and replays were
/// there to be refused.
#[test]
fn a_bad_link_rejects_some_devices_and_refuses_every_bad_message() {
    let link = LinkConfig {
        faults: lossy(450_000, 250_000),
        policy: RetryPolicy {
            resend_after: SimDuration::from_millis(20),
            resends_per_link: 1,
            handshakes: 2,
        },
        ..LinkConfig::CLEAN
    };
    let (line, summary, watch) = (0..20)
        .map(|seed| run(config(link, IdentityOrigin::Vault, 2), seed, &[12]))
        .find(|(_, summary, _)| summary.link.failed > 0 && summary.ledger.shipped() > 0)
        .expect("a seed on which the link fails some devices and not all");
    check(&line, &summary, &watch).unwrap();
    assert!(
        summary
            .rejected
            .iter()
            .any(|d| d.reason.contains("never arrived"))
    );
    assert!(summary.link.tampered.refused > 0 && summary.link.replayed.refused > 0);
    assert_eq!(summary.link.tampered.accepted, 0);
}

#[test]
fn a_dead_link_stops_the_line_before_the_first_device() {
    let link = LinkConfig {
        faults: Faults {
            drop_ppm: 1_000_000,
            ..Faults::default()
        },
        ..LinkConfig::CLEAN
    };
    let (line, summary, watch) = run(config(link, IdentityOrigin::Vault, 0), 1, &[3]);
    check(&line, &summary, &watch).unwrap();
    assert_eq!(summary.link.stopped_before, Some(0));
    assert_eq!(summary.ledger.started(), 0);
    assert_eq!(summary.hsm.identity_generated, 0);
}

/// With `stop-line`, the first device whose exchange fails is rejected and the line
/// starts nothing after it.
#[test]
fn stop_line_stops_at_the_first_failed_device() {
    let link = LinkConfig {
        faults: lossy(500_000, 0),
        policy: RetryPolicy {
            resend_after: SimDuration::from_millis(20),
            resends_per_link: 0,
            handshakes: 1,
        },
        on_failure: OnLinkFailure::StopLine,
        ..LinkConfig::CLEAN
    };
    let stopped = (0..20)
        .map(|seed| run(config(link, IdentityOrigin::Vault, 0), seed, &[10]))
        .find(|(_, summary, _)| summary.link.failed > 0)
        .expect("a seed whose link fails");
    let (line, summary, watch) = stopped;
    check(&line, &summary, &watch).unwrap();
    assert_eq!(summary.link.failed, 1);
    let last = summary.ledger.started() - 1;
    assert_eq!(summary.link.stopped_before, Some(last + 1));
    assert_eq!(summary.rejected.last().map(|d| d.index), Some(last));
}

/// The link changes nothing a device's re-creation cannot reproduce: a rebuilt device
/// has the trace the line recorded, however many tries its secrets took.
#[test]
fn a_device_rebuilt_alone_matches_the_line_over_a_faulty_link() {
    let link = LinkConfig {
        faults: lossy(200_000, 150_000),
        ..LinkConfig::CLEAN
    };
    let (line, summary, watch) = run(config(link, IdentityOrigin::Vault, 1), 5, &[8]);
    check(&line, &summary, &watch).unwrap();
    assert!(
        summary.link.requests > summary.link.exchanges,
        "no resend happened"
    );
    let scratch = provsim_sim::crypto::Crypto::new();
    for device in summary.ledger.all_shipped().unwrap() {
        let (_, trace) = line.rebuild_device(device.index, &scratch).unwrap();
        assert_eq!(Some(trace), summary.ledger.trace(device.index).unwrap());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    #[test]
    fn no_fault_schedule_ships_a_device_twice_or_takes_a_bad_message(
        seed in any::<u64>(),
        sizes in prop::collection::vec(1u32..6, 1..3),
        drop_ppm in prop_oneof![Just(0u32), 0u32..500_000],
        duplicate_ppm in 0u32..400_000,
        tamper_ppm in prop_oneof![Just(0u32), 0u32..400_000],
        replay_ppm in 0u32..400_000,
        latency_ms in 0u64..40,
        jitter_ms in 0u64..40,
        slack_ms in 1u64..50,
        resends in 0u32..3,
        handshakes in 1u32..4,
        stop in any::<bool>(),
        on_chip in any::<bool>(),
        symmetric in 0usize..3,
        secure_element in any::<bool>(),
    ) {
        let link = LinkConfig {
            faults: Faults {
                drop_ppm,
                duplicate_ppm,
                tamper_ppm,
                replay_ppm,
                jitter: SimDuration::from_millis(jitter_ms),
            },
            latency: SimDuration::from_millis(latency_ms),
            policy: RetryPolicy {
                // Any timer the line accepts: longer than the worst round trip.
                resend_after: SimDuration::from_millis(2 * (latency_ms + jitter_ms) + slack_ms),
                resends_per_link: resends,
                handshakes,
            },
            on_failure: if stop { OnLinkFailure::StopLine } else { OnLinkFailure::RejectDevice },
        };
        let identity = if on_chip { IdentityOrigin::Device } else { IdentityOrigin::Vault };
        let mut config = config(link, identity, symmetric);
        // The secure element takes vault-made keys only (on this line, for now).
        if secure_element && !on_chip {
            config.target = TargetKind::Se;
        }
        let (line, summary, watch) = run(config, seed, &sizes);
        let verdict = check(&line, &summary, &watch);
        prop_assert!(verdict.is_ok(), "{:?}", verdict);
        // Whatever the link did to a shipped device's secrets, the device re-created
        // alone has the trace the line recorded.
        let scratch = provsim_sim::crypto::Crypto::new();
        for device in summary.ledger.all_shipped().unwrap() {
            let (_, trace) = line.rebuild_device(device.index, &scratch).unwrap();
            prop_assert_eq!(Some(trace), summary.ledger.trace(device.index).unwrap());
        }
        // With nothing lost or altered, the link never stops a device.
        if drop_ppm == 0 && tamper_ppm == 0 {
            prop_assert_eq!(summary.link.failed, 0);
            prop_assert_eq!(summary.ledger.shipped(), line.device_count());
        }
    }
}
