//! Running the lots: each device arrives at the station in virtual time and leaves
//! shipped or rejected, its records streamed to the sink as it goes; after the lots come
//! the returns, and the books are closed and reconciled.

use crate::books::audit::record::{AuditRecord, detail_hex};
use crate::books::manifest::closing::ManifestChain;
use crate::books::reconcile::reconciler::Reconciler;
use crate::books::record_closing::RecordsChain;
use crate::device_streams::DeviceStreams;
use crate::labels::LinkOccasion;
use crate::ledger::book::{Ledger, LedgerBook, LedgerEntry};
use crate::ledger::{RejectedDevice, ShippedDevice};
use crate::line::error::LineError;
use crate::line::establish::Line;
use crate::line::prefetch::{JobsSummary, NoPrefetch, Prefetch, Progress};
use crate::line::revocation::IssuedWatch;
use crate::line::rma::RMA_DESK_TIME;
use crate::line::sink::{AuthorityRole, LineSink};
use crate::line::summary::LineSummary;
use crate::link::config::OnLinkFailure;
use crate::link::report::LinkStats;
use crate::station::error::StationError;
use crate::station::provision::StationCycle;
use crate::vault::secrets::IdentityOrigin;
use provsim_devices::{DeviceId, Target};
use provsim_sim::crypto::memo::{self, MemoUse};
use provsim_sim::{Ctx, EventQueue, Field, SimTime, Trace};

enum LineEvent {
    Arrive { index: u64 },
}

/// What the run has produced so far.
pub(super) struct Tally {
    /// Every started device's entry, shipped or not.
    ledger: LedgerBook,
    rejected: Vec<RejectedDevice>,
    refused_at_first_connection: Vec<(u64, String)>,
    /// When the last device left the station.
    finished_at: SimTime,
    pub(super) link: LinkStats,
    /// The audit records of the device on the station, until it leaves.
    audit: Vec<AuditRecord>,
    /// The lots opened so far, and the index of the first die of the next one.
    lots_opened: usize,
    next_lot_starts_at: u64,
    /// The manifest's entries so far: their count and running chain.
    manifest: ManifestChain,
    /// The device records so far: their count and running chain.
    records: RecordsChain,
}

impl Tally {
    /// Nothing yet; `ledger` takes the started devices' entries.
    pub(super) fn new(ledger: LedgerBook) -> Tally {
        Tally {
            ledger,
            rejected: Vec::new(),
            refused_at_first_connection: Vec::new(),
            finished_at: SimTime::ZERO,
            link: LinkStats::default(),
            audit: Vec::new(),
            lots_opened: 0,
            next_lot_starts_at: 0,
            manifest: ManifestChain::new(),
            records: RecordsChain::new(),
        }
    }

    /// Forgets the devices taken so far, keeping the lots opened and the chains' counts,
    /// and makes ready for device `next`: a shadow line (`jobs`) runs ahead of the line
    /// through the devices its worker claims and keeps no per-device state.
    pub(super) fn forget_devices_before(&mut self, next: u64) {
        self.ledger = LedgerBook::from_device(next);
        self.rejected.clear();
        self.refused_at_first_connection.clear();
        self.audit.clear();
    }

    /// Sets the next manifest entry's number: a shadow line's guess of the line's.
    pub(super) fn number_manifest_from(&mut self, next: u64) {
        self.manifest = ManifestChain::stated(next.saturating_sub(1), self.manifest.head());
    }
}

impl Line {
    /// Runs every lot through the station, streaming certificates and audit records to
    /// `sink`, on this thread alone.
    pub fn run(&mut self, sink: &mut dyn LineSink) -> Result<LineSummary, LineError> {
        self.run_with(sink, &mut NoPrefetch)
    }

    /// Runs every lot with `prefetch` working out devices' cryptography ahead of the
    /// line (`jobs`); what the run writes is the same whatever `prefetch` does.
    pub(super) fn run_with(
        &mut self,
        sink: &mut dyn LineSink,
        prefetch: &mut dyn Prefetch,
    ) -> Result<LineSummary, LineError> {
        let total = self.device_count();
        let ordered = self.config.order.as_ref().map(|o| o.devices);
        // Sized once, for the dies the run will take: the identities the books and the
        // registrar keep are the only per-device state held for the whole run (the
        // ledger goes to the sink's scratch file if it offers one), and a doubling
        // array would carry up to twice that.
        let dies = usize::try_from(ordered.map_or(total, |n| n.min(total))).unwrap_or(0);
        let mut reconciler = Reconciler::for_devices(dies);
        self.cloud.registrar_mut().expect_devices(dies);
        self.open_books(sink, &mut reconciler)?;
        let mut queue = EventQueue::new(self.limits);
        let mut tally = Tally::new(LedgerBook::new(sink.ledger_file()?, dies));
        let needs_link = self.needs_link();
        if total > 0 {
            let first_arrival = if needs_link {
                self.bring_link_up(SimTime::ZERO, LinkOccasion::Start, &mut tally.link)
            } else {
                Some(SimTime::ZERO)
            };
            match first_arrival {
                Some(at) => queue.schedule(at, LineEvent::Arrive { index: 0 })?,
                None => tally.link.stopped_before = Some(0),
            }
        }
        self.cloud
            .register_customer_ca(&mut self.site, &self.crypto, self.seed)?;
        let mut memo_use = MemoUse::default();
        while let Some((now, LineEvent::Arrive { index })) = queue.pop()? {
            let results = prefetch.take(index);
            let (next, used) = memo::replay(results, || -> Result<Option<SimTime>, LineError> {
                let leaves = self.pass_device(index, now, sink, &mut reconciler, &mut tally)?;
                // A filled order stops the line: the dies left are not provisioned, so an
                // honest line never makes an identity beyond the order.
                let filled = ordered.is_some_and(|n| tally.ledger.shipped() >= n);
                if index + 1 >= total || filled {
                    return Ok(None);
                }
                let next = self.next_arrival(index, leaves, needs_link, &mut tally.link);
                if next.is_none() {
                    tally.link.stopped_before = Some(index + 1);
                }
                Ok(next)
            });
            let next = next?;
            memo_use.add(used);
            if let Some(at) = next {
                prefetch.progress(Progress {
                    next_index: index + 1,
                    arrives: at,
                    next_manifest_number: tally.manifest.next_number(),
                    spacing: at - now,
                });
                queue.schedule(at, LineEvent::Arrive { index: index + 1 })?;
            }
        }
        let closing = self.manifest_closing(tally.manifest, tally.finished_at)?;
        sink.manifest_closing(&closing)?;
        let closing = self.records_closing(tally.records, tally.finished_at)?;
        sink.records_closing(&closing)?;
        let ledger = tally.ledger.close().map_err(LineError::Ledger)?;
        let returns = self.process_returns(&ledger, tally.finished_at, &mut reconciler, sink)?;
        let closed_at = tally.finished_at + RMA_DESK_TIME.saturating_mul(returns.len() as u64);
        let crl = self.publish_crl(&returns, &tally.rejected, closed_at, &mut reconciler, sink)?;
        let rejected = tally.rejected.len() as u64;
        self.close_books(&ledger, rejected, total, closed_at, &mut reconciler, sink)?;
        let mut reconciliation = reconciler.finish();
        reconciliation.check_vault_counters(&self.site.hsm, self.config.secrets.identity);
        Ok(LineSummary {
            ledger,
            rejected: tally.rejected,
            site_trace: self.site_trace.digest(),
            audit_head: self.site.audit.head(),
            audit_records: self.site.audit.records(),
            reconciliation,
            hsm: self.site.hsm.stats(),
            crypto: self.crypto.counts(),
            cloud_crypto: self.cloud.counts(),
            finished_at: tally.finished_at,
            events: queue.delivered(),
            returns,
            registrar: self.cloud.registrar().stats(),
            refused_at_first_connection: tally.refused_at_first_connection,
            link: tally.link,
            crl,
            jobs: JobsSummary {
                devices_by_job: Vec::new(),
                ready: memo_use.ready,
                computed: memo_use.computed,
            },
        })
    }

    /// Only secrets made in the vault cross the link: a line whose chips make every key
    /// themselves never needs it.
    pub(super) fn needs_link(&self) -> bool {
        self.config.secrets.identity == IdentityOrigin::Vault
            || !self.config.secrets.symmetric_keys.is_empty()
    }

    /// The run's first output: the CA and vault certificates, the vault's key, then the
    /// audit records of the site's setting up and the order's opening.
    pub(super) fn open_books(
        &mut self,
        sink: &mut dyn LineSink,
        reconciler: &mut Reconciler,
    ) -> Result<(), LineError> {
        sink.authority(AuthorityRole::Root, self.site.pki.root().certificate())?;
        sink.authority(
            AuthorityRole::CustomerCa,
            self.site.pki.customer().certificate(),
        )?;
        sink.authority(AuthorityRole::Vault, self.site.pki.vault())?;
        sink.vault(&self.site.vault_key)?;
        if let Some(order) = &self.config.order {
            let record = self.site.audit.append(
                &self.crypto,
                SimTime::ZERO,
                "site",
                "order-opened",
                None,
                format!("number={} devices={}", order.number, order.devices),
            );
            self.pending_audit.push(record);
        }
        for record in self.pending_audit.drain(..) {
            reconciler.record(&record);
            sink.audit(&record)?;
        }
        self.checkpoint_if_due(SimTime::ZERO, sink)
    }

    /// Takes device `index`, arrived at `now`, through the station; it ships or is
    /// rejected, and its records, audit lines and link exchange go to the sink. Returns
    /// when it left.
    pub(super) fn pass_device(
        &mut self,
        index: u64,
        now: SimTime,
        sink: &mut dyn LineSink,
        reconciler: &mut Reconciler,
        tally: &mut Tally,
    ) -> Result<SimTime, LineError> {
        self.open_lot(index, now, tally);
        let (device_id, mut target) = self.fresh_device(index)?;
        let mut device_trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &self.crypto, &mut device_trace);
        let mut issued = IssuedWatch::default();
        let outcome = self.station.provision(
            &mut self.site,
            &mut self.link,
            &mut ctx,
            DeviceStreams::new(self.seed, index),
            now,
            target.as_mut(),
            &mut tally.audit,
            &mut issued,
        );
        let leaves = now + (ctx.now - SimTime::ZERO);
        let identity = match outcome {
            Ok(cycle) => {
                let record = ShippedDevice {
                    index,
                    device_id,
                    identity: cycle.identity.fingerprint(),
                };
                self.ship(record, &cycle, target.as_mut(), leaves, sink, tally)?;
                Some(record.identity)
            }
            Err(error) => {
                let certificate = issued.take();
                self.reject(
                    index,
                    device_id,
                    &error,
                    leaves,
                    tally,
                    certificate.is_some(),
                );
                if let Some(certificate) = certificate {
                    sink.unshipped_certificate(index, &certificate)?;
                }
                None
            }
        };
        // The device's audit records, shipped or rejected, leave with the device.
        for record in tally.audit.drain(..) {
            reconciler.record(&record);
            sink.audit(&record)?;
        }
        self.checkpoint_if_due(leaves, sink)?;
        let entry = LedgerEntry {
            index,
            device_id,
            identity,
            trace: device_trace.digest(),
        };
        tally.ledger.push(&entry).map_err(LineError::Ledger)?;
        sink.device_trace(index, device_id, &entry.trace)?;
        tally.finished_at = leaves;
        if let Some(report) = self.link.take_last() {
            tally.link.exchange(&report);
            sink.link_exchange(index, &report)?;
        }
        Ok(leaves)
    }

    /// A device leaves provisioned: its certificate, signed record and manifest entry go
    /// to the sink, and it meets the registrar.
    fn ship(
        &mut self,
        record: ShippedDevice,
        cycle: &StationCycle,
        target: &mut dyn Target,
        leaves: SimTime,
        sink: &mut dyn LineSink,
        tally: &mut Tally,
    ) -> Result<(), LineError> {
        let index = record.index;
        sink.certificate(&record, &cycle.certificate)?;
        let signed = self.device_record(&record, cycle, target, leaves, &mut tally.records)?;
        sink.record(&signed)?;
        let entry = self.manifest_entry(&record, cycle, leaves, &mut tally.manifest)?;
        sink.manifest(&entry)?;
        let device = DeviceStreams::new(self.seed, index);
        if let Err(refused) =
            self.cloud
                .first_connection(&self.site, device, &entry, &cycle.certificate, target)
        {
            tally.refused_at_first_connection.push((index, refused));
        }
        tally.audit.push(self.site.audit.append(
            &self.crypto,
            leaves,
            "station",
            "device-shipped",
            Some(record.device_id),
            detail_hex("key", &record.identity.0),
        ));
        self.site_trace.record(
            leaves,
            "device-shipped",
            &[
                ("index", Field::U64(index)),
                ("identity", Field::Bytes(&record.identity.0)),
            ],
        );
        Ok(())
    }

    /// When die `index` is the first of a lot, the lot opens: an audit record and a trace
    /// record name it, for its name reaches every device record (lot, wafer) and the
    /// books must show it too. A lot the line never reaches (an order filled before it)
    /// is never opened.
    fn open_lot(&mut self, index: u64, now: SimTime, tally: &mut Tally) {
        while index >= tally.next_lot_starts_at {
            let Some(lot) = self.lots.get(tally.lots_opened) else {
                return;
            };
            tally.lots_opened += 1;
            tally.next_lot_starts_at += u64::from(lot.devices);
            let number = tally.lots_opened as u64;
            // The name goes last: it may hold spaces and `=`, and a reader of `key=value`
            // details takes the first match of a key.
            tally.audit.push(self.site.audit.append(
                &self.crypto,
                now,
                "station",
                "lot-opened",
                None,
                format!("number={number} devices={} name={}", lot.devices, lot.name),
            ));
            self.site_trace.record(
                now,
                "lot-opened",
                &[
                    ("number", Field::U64(number)),
                    ("name", Field::Str(&lot.name)),
                    ("devices", Field::U64(u64::from(lot.devices))),
                ],
            );
        }
    }

    /// A device the station could not finish leaves rejected, its reason audited.
    fn reject(
        &mut self,
        index: u64,
        device_id: DeviceId,
        error: &StationError,
        leaves: SimTime,
        tally: &mut Tally,
        certificate_issued: bool,
    ) {
        let reason = error.to_string();
        tally.audit.push(self.site.audit.append(
            &self.crypto,
            leaves,
            "station",
            "device-rejected",
            Some(device_id),
            format!("reason={}", reason.replace(' ', "_")),
        ));
        self.site_trace
            .record(leaves, "device-rejected", &[("index", Field::U64(index))]);
        tally.rejected.push(RejectedDevice {
            index,
            device_id,
            reason,
            at: leaves,
            certificate_issued,
        });
    }

    /// When the device after `index` may arrive, `leaves` being when `index` left. A
    /// failed exchange leaves the link down: the line brings it back up before the next
    /// device, or stops (`None`), as configured.
    fn next_arrival(
        &mut self,
        index: u64,
        leaves: SimTime,
        needs_link: bool,
        link: &mut LinkStats,
    ) -> Option<SimTime> {
        if !needs_link || self.link.is_established() {
            Some(leaves)
        } else if self.config.link.on_failure == OnLinkFailure::StopLine {
            None
        } else {
            self.bring_link_up(leaves, LinkOccasion::AfterDevice(index), link)
        }
    }

    /// Closes the books at `closed_at`, once the returns are through and revoked: the
    /// order's closing record, the audit log's closing record (signed by the vault), and
    /// the site trace's last.
    fn close_books(
        &mut self,
        ledger: &Ledger,
        rejected: u64,
        total: u64,
        closed_at: SimTime,
        reconciler: &mut Reconciler,
        sink: &mut dyn LineSink,
    ) -> Result<(), LineError> {
        if let Some(order) = &self.config.order {
            let record = self.site.audit.append(
                &self.crypto,
                closed_at,
                "site",
                "order-closed",
                None,
                format!(
                    "number={} shipped={} dies-not-started={}",
                    order.number,
                    ledger.shipped(),
                    total - ledger.started()
                ),
            );
            reconciler.record(&record);
            sink.audit(&record)?;
        }
        let closed = self.site.hsm.licence_mut().map(|licence| {
            let before = *licence;
            licence.close();
            before
        });
        if let Some(licence) = closed {
            let record = self.site.audit.append(
                &self.crypto,
                closed_at,
                "hsm",
                "licence-closed",
                None,
                format!(
                    "used={} lapsed={}",
                    licence.used,
                    licence.units.saturating_sub(licence.used)
                ),
            );
            sink.audit(&record)?;
        }
        let closing = self.close_audit(closed_at)?;
        sink.audit(&closing)?;
        self.site_trace.record(
            closed_at,
            "line-finished",
            &[
                ("shipped", Field::U64(ledger.shipped())),
                ("rejected", Field::U64(rejected)),
                ("audit-head", Field::Bytes(&self.site.audit.head().0)),
            ],
        );
        Ok(())
    }
}
