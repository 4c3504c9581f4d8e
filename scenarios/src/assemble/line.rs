//! The line as it ran: lots, time, books, registrar, link, returns, shipped devices.

use crate::model::{
    AuditInfo, CrlInfo, CryptoOps, DevicesInfo, FateInfo, HsmInfo, LISTED_IDENTITIES,
    LevelTestInfo, LineInfo, LinkInfo, LotBalanceInfo, LotInfo, OrderInfo, ReconciliationInfo,
    RefusedInfo, RegistrarInfo, RejectedInfo, ReturnInfo, ReturnTallyInfo,
};
use crate::scenario::Scenario;
use provsim_provisioner::LineSummary;
use provsim_provisioner::link::{FateCounts, LinkConfig, LinkStats};
use provsim_sim::crypto::OpCounts;

/// The shipped identities, read once from the ledger: their digest and the first few.
pub fn devices_info(summary: &LineSummary) -> std::io::Result<DevicesInfo> {
    let mut all = provsim_sim::crypto::Sha256::new();
    let mut first_identities = Vec::new();
    for device in summary.ledger.shipped_devices() {
        let identity = device?.identity;
        all.update(&identity.0);
        if first_identities.len() < LISTED_IDENTITIES {
            first_identities.push(identity.to_string());
        }
    }
    Ok(DevicesInfo {
        count: summary.ledger.shipped(),
        identities_digest: provsim_sim::to_hex(&all.finalize()),
        first_identities,
    })
}

fn reconciliation_info(
    scenario: &Scenario,
    books: &provsim_provisioner::Reconciliation,
) -> ReconciliationInfo {
    let lots: Vec<LotBalanceInfo> = books
        .lots
        .iter()
        .map(|b| LotBalanceInfo {
            // Device ids number lots from 1 in scenario order.
            lot: scenario
                .lots
                .get(usize::from(b.lot).wrapping_sub(1))
                .map_or_else(|| format!("lot {}", b.lot), |lot| lot.name.clone()),
            keys_made: b.keys_made,
            shipped: b.shipped,
            destroyed: b.destroyed,
            secrets_made: b.secrets_made,
            secrets_shipped: b.secrets_shipped,
            secrets_destroyed: b.secrets_destroyed,
            balanced: b.balanced(),
        })
        .collect();
    ReconciliationInfo {
        balanced: books.findings.is_empty() && lots.iter().all(|l| l.balanced),
        tests: books
            .tests
            .iter()
            .map(|t| LevelTestInfo {
                level: t.level.name().to_owned(),
                yield_ppm: scenario.line.yields.at(t.level),
                first_pass: t.first_pass,
                retest_pass: t.retest_pass,
                failed: t.failed,
            })
            .collect(),
        lots,
        duplicate_identities: books.duplicate_identities,
        order: books.order.as_ref().map(|o| OrderInfo {
            number: o.number.clone(),
            ordered: o.ordered,
            shipped: o.shipped,
            short: o.ordered.saturating_sub(o.shipped),
            over: o.shipped.saturating_sub(o.ordered),
        }),
        returns: ReturnTallyInfo {
            returned: books.returns.returned,
            rma_wiped: books.returns.rma_wiped,
            rma_unverified: books.returns.rma_unverified,
            physically_destroyed: books.returns.physically_destroyed,
        },
        findings: books.findings.clone(),
    }
}

pub fn line_info(scenario: &Scenario, summary: &LineSummary) -> LineInfo {
    let ops: OpCounts = summary.crypto;
    LineInfo {
        lots: scenario
            .lots
            .iter()
            .map(|lot| LotInfo {
                name: lot.name.clone(),
                devices: lot.devices,
            })
            .collect(),
        devices_started: summary.ledger.started(),
        virtual_time_ns: summary.finished_at.as_nanos(),
        events: summary.events,
        audit: AuditInfo {
            records: summary.audit_records,
            head: summary.audit_head.to_string(),
        },
        hsm: HsmInfo {
            keys_generated: summary.hsm.generated,
            keys_restored: summary.hsm.restored,
            keys_wrapped: summary.hsm.wrapped,
            keys_destroyed: summary.hsm.destroyed,
            certificates_signed: summary.hsm.certificates_signed,
            crls_signed: summary.hsm.crls_signed,
            secrets_generated: summary.hsm.secrets_generated,
            secrets_destroyed: summary.hsm.secrets_destroyed,
        },
        crypto_ops: CryptoOps {
            keygen: ops.keygen,
            key_import: ops.key_import,
            sign: ops.sign,
            verify: ops.verify,
            ecdh: ops.ecdh,
            sha256: ops.sha256,
            kdf: ops.kdf,
            aead_seal: ops.aead_seal,
            aead_open: ops.aead_open,
        },
        reconciliation: reconciliation_info(scenario, &summary.reconciliation),
        rejected: summary
            .rejected
            .iter()
            .map(|r| RejectedInfo {
                device: r.index,
                device_id: r.device_id.to_string(),
                reason: r.reason.clone(),
            })
            .collect(),
        registrar: RegistrarInfo {
            enrolled: summary.registrar.enrolled,
            authenticated: summary.registrar.authenticated,
            refused: summary.registrar.refused,
            refused_devices: summary
                .refused_at_first_connection
                .iter()
                .map(|(device, reason)| RefusedInfo {
                    device: *device,
                    reason: reason.clone(),
                })
                .collect(),
        },
        link: link_info(&scenario.line.link, &summary.link),
        returns: summary
            .returns
            .iter()
            .map(|r| ReturnInfo {
                device: r.index,
                device_id: r.device_id.to_string(),
                identity: r.identity.to_string(),
                outcome: r.outcome.name().to_owned(),
                detail: r.detail.clone(),
            })
            .collect(),
        crl: CrlInfo {
            number: summary.crl.number,
            entries: summary.crl.entries,
            sha256: provsim_sim::to_hex(&summary.crl.sha256),
        },
    }
}

fn link_info(config: &LinkConfig, stats: &LinkStats) -> LinkInfo {
    let fate = |c: FateCounts| FateInfo {
        accepted: c.accepted,
        refused: c.refused,
    };
    LinkInfo {
        drop_ppm: config.faults.drop_ppm,
        duplicate_ppm: config.faults.duplicate_ppm,
        tamper_ppm: config.faults.tamper_ppm,
        replay_ppm: config.faults.replay_ppm,
        latency_ns: config.latency.as_nanos(),
        jitter_ns: config.faults.jitter.as_nanos(),
        resend_after_ns: config.policy.resend_after.as_nanos(),
        resends_per_session: config.policy.resends_per_link,
        handshakes_per_exchange: config.policy.handshakes,
        on_failure: config.on_failure.name().to_owned(),
        sessions_made: stats.sessions_made,
        exchanges: stats.exchanges,
        answered: stats.answered,
        failed: stats.failed,
        handshakes: stats.handshakes,
        requests: stats.requests,
        intact: fate(stats.intact),
        duplicated: fate(stats.duplicate),
        tampered: fate(stats.tampered),
        replayed: fate(stats.replayed),
        stopped_before: stats.stopped_before,
    }
}
