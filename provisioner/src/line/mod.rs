//! The line: a site configuration, the lots it runs, and the event loop that takes each
//! device through the station in virtual time.

mod cloud;
mod outputs;
mod replay;
mod rma;
mod sink;

pub use sink::{AuthorityRole, LineSink};

use crate::audit::{AuditLog, AuditRecord, detail_hex};
use crate::ceremony::Quorum;
use crate::custody::Custody;
use crate::error::LineError;
use crate::firmware::build_firmware;
use crate::hsm::{Hsm, HsmStats, KeyHandle, KeyUse};
use crate::labels::{self, LinkOccasion};
use crate::level::{Level, WaferMap, Yields};
use crate::link::{
    LinkConfig, LinkIdentity, LinkSession, LinkStats, LinkStreams, OnLinkFailure, Role,
    link_certificate,
};
use crate::manifest::ManifestFields;
use crate::pki::{Pki, PkiNames};
use crate::reconcile::{Reconciler, Reconciliation};
use crate::record::{DeviceRecord, RecordFields};
use crate::registrar::{Registrar, RegistrarStats};
use crate::returns::{ReturnOutcome, ReturnPlan, process_return};
use crate::secrets::{IdentityOrigin, SecretsProfile};
use crate::site_access::SiteAccess;
use crate::station::{PassObserver, Station, StationConfig};
use provsim_devices::{
    Countermeasures, DeviceId, Target, TargetKind, TokenKind, build_target_with,
};
use provsim_sim::crypto::{Crypto, Fingerprint, OpCounts, PublicKey, SecretKey};
use provsim_sim::{Ctx, Digest, EventQueue, Field, Limits, Seed, SimTime, Stream, Trace};

/// A line's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineConfig {
    pub custody: Custody,
    pub level: Level,
    pub target: TargetKind,
    /// The scenario's tuning of the target's fault and leakage countermeasures (and,
    /// on an ASIC, its PUF and key store).
    pub countermeasures: Countermeasures,
    pub station: StationConfig,
    pub names: PkiNames,
    /// The product number in every device id.
    pub product: u16,
    /// Dies on one wafer: how a lot's devices map to wafers and die sites.
    pub dies_per_wafer: u32,
    /// Each level's test yield. Every part is tested at every level in order.
    pub yields: Yields,
    /// Custodians of the offline root key, and how many must meet to use it.
    pub quorum: Quorum,
    /// What goes into each device, and where it is made.
    pub secrets: SecretsProfile,
    /// Shipped devices that come back from the field (RMA), after the lots.
    pub returns: ReturnPlan,
    /// The order the lots fill, if the scenario gives one.
    pub order: Option<Order>,
    /// The provisioning link between the vault and the station: its network's faults,
    /// the station's retries, and what a failed exchange does to the line.
    pub link: LinkConfig,
}

/// The customer's order the lots are run for: its number and the devices ordered. Lots
/// are started with allowance for yield loss; shipping more than ordered is
/// over-production, which the books report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The purchase-order number (letters, digits, '.', '-', '_').
    pub number: String,
    pub devices: u64,
}

impl Order {
    /// Whether `number` can be an order number: 1 to 64 letters, digits, '.', '-' or
    /// '_', so it reads the same in an audit detail.
    pub fn is_number(number: &str) -> bool {
        (1..=64).contains(&number.len())
            && number
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    }
}

/// A production lot: a number of devices provisioned one after another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lot {
    pub name: String,
    pub devices: u32,
}

/// The ledger entry of a device that left the line provisioned: small and fixed-size,
/// the only per-device state kept for the whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShippedDevice {
    pub index: u64,
    pub device_id: DeviceId,
    /// Fingerprint of the identity key the HSM made and the device installed.
    pub identity: Fingerprint,
}

/// A device the station could not finish (its key was destroyed; it does not ship).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedDevice {
    pub index: u64,
    pub device_id: DeviceId,
    pub reason: String,
}

/// What a run of the line produced.
#[derive(Debug, Clone)]
pub struct LineSummary {
    /// Shipped devices, in device order.
    pub shipped: Vec<ShippedDevice>,
    pub rejected: Vec<RejectedDevice>,
    /// Every started device's trace digest, in device order (shipped or not). A filled
    /// order stops the line, so dies after it are not started.
    pub device_traces: Vec<Digest>,
    pub site_trace: Digest,
    pub audit_head: Digest,
    /// Keys made against devices shipped and keys destroyed, lot by lot, from the
    /// audit records alone.
    pub reconciliation: Reconciliation,
    pub audit_records: u64,
    pub hsm: HsmStats,
    /// The factory's cryptography: vault, stations, devices on the line.
    pub crypto: OpCounts,
    /// The cloud's, at first connection (the registrar and the devices' answers).
    pub cloud_crypto: OpCounts,
    /// Virtual time when the last device left the station.
    pub finished_at: SimTime,
    pub events: u64,
    /// Devices that came back, in device order, and what became of them.
    pub returns: Vec<ReturnedDevice>,
    /// The cloud registrar's counts: every shipped device meets it once, as it ships.
    pub registrar: RegistrarStats,
    /// Shipped devices the registrar turned away at their first connection, and why
    /// (none on a sound line).
    pub refused_at_first_connection: Vec<(u64, String)>,
    /// The provisioning link's sessions, exchanges and what the network did.
    pub link: LinkStats,
}

/// A shipped device that came back through the RMA desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedDevice {
    pub index: u64,
    pub device_id: DeviceId,
    pub identity: Fingerprint,
    pub outcome: ReturnOutcome,
    /// What the chip said, in words.
    pub detail: String,
}

/// Time the return desk spends on one part.
const RMA_DESK_TIME: provsim_sim::SimDuration = provsim_sim::SimDuration::from_millis(500);

/// The site's state: vault, PKI, audit log and the keys every device receives.
#[derive(Clone)]
pub struct Site {
    pub(crate) hsm: Hsm,
    pub(crate) pki: Pki,
    pub(crate) audit: AuditLog,
    pub(crate) names: PkiNames,
    pub(crate) firmware_key: PublicKey,
    /// The firmware every device receives, in MCUboot's format, signed once by the HSM.
    pub(crate) firmware_image: Vec<u8>,
    /// Its MCUboot hash: what a device must report it booted.
    pub(crate) firmware_hash: [u8; 32],
    /// The vault's identity key, which signs device records.
    pub(crate) vault_handle: KeyHandle,
    pub(crate) vault_key: PublicKey,
}

enum LineEvent {
    Arrive { index: u64 },
}

/// One provisioning line, established from a seed.
pub struct Line {
    config: LineConfig,
    seed: Seed,
    lots: Vec<Lot>,
    site: Site,
    station: Station,
    wafer_map: WaferMap,
    crypto: Crypto,
    site_trace: Trace,
    pending_audit: Vec<AuditRecord>,
    limits: Limits,
    /// The customer's cloud registrar, which each shipped device meets as it ships.
    /// Not part of the site: attack copies of the site never clone it.
    registrar: Registrar,
    /// The cloud's facade (and the devices' at first connection): kept apart so the
    /// line's counts are the factory's alone.
    cloud: Crypto,
    /// The link between the vault and the station, kept up across devices.
    link: LinkSession,
}

impl Line {
    /// Sets up the site: CA keys and certificates and the firmware-signing key, all made
    /// in the HSM from the seed's `site/...` streams.
    pub fn establish(config: LineConfig, seed: Seed, lots: Vec<Lot>) -> Result<Line, LineError> {
        if let Some(problem) = config
            .secrets
            .problem()
            .or_else(|| config.link.problem())
            .or_else(|| config.countermeasures.problem(config.target))
        {
            return Err(LineError::Config(problem));
        }
        if let Some(order) = config
            .order
            .as_ref()
            .filter(|o| !Order::is_number(&o.number))
        {
            return Err(LineError::Config(format!(
                "order number {:?}: 1 to 64 letters, digits, '.', '-' or '_'",
                order.number
            )));
        }
        let crypto = Crypto::new();
        let mut site_trace = Trace::new();
        let mut hsm = Hsm::new(config.custody, config.secrets.identity);
        let mut audit = AuditLog::new();
        let mut pending_audit = Vec::new();
        let lock_steps = config
            .station
            .lock_steps
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let (pki, firmware_key, firmware_image, firmware_hash, vault_handle, vault_key) = {
            let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut site_trace);
            ctx.record(
                "site-established",
                &[
                    ("custody", Field::Str(config.custody.name())),
                    (
                        "identity-origin",
                        Field::Str(config.secrets.identity.name()),
                    ),
                    ("level", Field::Str(config.level.name())),
                    ("target", Field::Str(config.target.name())),
                    ("lock-steps", Field::Str(&lock_steps)),
                    ("what-if", Field::Bool(config.station.what_if)),
                ],
            );
            // The vault's identity is made first, so the root ceremony certifies it.
            let mut vault_stream = crate::labels::vault_identity_key(seed);
            let (vault_handle, vault_key) =
                hsm.generate(&mut ctx, KeyUse::VaultIdentity, &mut vault_stream);
            let (pki, custodian_shares, attendees) = Pki::establish(
                &mut hsm,
                &mut ctx,
                seed,
                &config.names,
                config.quorum,
                &vault_key,
            )?;
            let shares: Vec<String> = custodian_shares
                .iter()
                .map(|s| format!("{}:{}", s.custodian, provsim_sim::to_hex(&s.digest()[..8])))
                .collect();
            pending_audit.push(audit.append(
                &crypto,
                SimTime::ZERO,
                "ceremony",
                "root-key-split",
                None,
                format!(
                    "custodians={} threshold={} shares={}",
                    config.quorum.custodians,
                    config.quorum.threshold,
                    shares.join(",")
                ),
            ));
            pending_audit.push(audit.append(
                &crypto,
                SimTime::ZERO,
                "ceremony",
                "root-key-used",
                None,
                format!(
                    "present={} purpose=customer-ca,vault-certificate",
                    attendees
                        .iter()
                        .map(u8::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            ));
            let mut fw_stream = crate::labels::firmware_signing_key(seed);
            let (handle, key) = hsm.generate(&mut ctx, KeyUse::FirmwareSigning, &mut fw_stream);
            for (action, fp) in [
                ("root-ca-established", pki.root().key_fingerprint()),
                ("customer-ca-established", pki.customer().key_fingerprint()),
                ("firmware-key-established", key.fingerprint()),
            ] {
                pending_audit.push(audit.append(
                    &crypto,
                    SimTime::ZERO,
                    "hsm",
                    action,
                    None,
                    detail_hex("key", &fp.0),
                ));
            }
            let (image, hash) = build_firmware(&hsm, &mut ctx, handle, &key, config.product)?;
            pending_audit.push(audit.append(
                &crypto,
                SimTime::ZERO,
                "hsm",
                "firmware-signed",
                None,
                detail_hex("image-hash", &hash),
            ));
            pending_audit.push(audit.append(
                &crypto,
                SimTime::ZERO,
                "hsm",
                "vault-identity-established",
                None,
                detail_hex("key", &vault_key.fingerprint().0),
            ));
            (pki, key, image, hash, vault_handle, vault_key)
        };
        let link = establish_link_ends(&crypto, seed, config.link)?;
        Ok(Line {
            station: Station::new(
                config.station.clone(),
                config.level,
                config.yields,
                config.secrets.clone(),
            ),
            wafer_map: WaferMap::new(config.dies_per_wafer),
            site: Site {
                hsm,
                pki,
                audit,
                names: config.names.clone(),
                firmware_key,
                firmware_image,
                firmware_hash,
                vault_handle,
                vault_key,
            },
            config,
            seed,
            lots,
            crypto,
            site_trace,
            pending_audit,
            limits: Limits::default(),
            registrar: Registrar::new(),
            cloud: Crypto::new(),
            link,
        })
    }

    pub fn config(&self) -> &LineConfig {
        &self.config
    }

    pub fn pki(&self) -> &Pki {
        &self.site.pki
    }

    /// The MCUboot hash of the firmware the line installs: the only image the vault
    /// signed, so the only one a shipped device may start.
    pub fn firmware_hash(&self) -> &[u8; 32] {
        &self.site.firmware_hash
    }

    /// The vault's identity key: what a device record's signature verifies under.
    pub fn vault_key(&self) -> &PublicKey {
        &self.site.vault_key
    }

    pub fn firmware_key(&self) -> &PublicKey {
        &self.site.firmware_key
    }

    /// Devices in all lots.
    pub fn device_count(&self) -> u64 {
        self.lots.iter().map(|lot| u64::from(lot.devices)).sum()
    }

    /// The id of device `index` of the run: product, lot number (from 1) and number
    /// within the lot.
    pub fn device_id(&self, index: u64) -> Option<DeviceId> {
        let mut first = 0u64;
        for (lot_index, lot) in self.lots.iter().enumerate() {
            let end = first + u64::from(lot.devices);
            if index < end {
                let lot_number = u16::try_from(lot_index + 1).unwrap_or(u16::MAX);
                return Some(DeviceId::new(
                    self.config.product,
                    lot_number,
                    (index - first) as u32,
                ));
            }
            first = end;
        }
        None
    }

    /// Runs every lot through the station, streaming certificates and audit records to
    /// `sink`.
    pub fn run(&mut self, sink: &mut dyn LineSink) -> Result<LineSummary, LineError> {
        sink.authority(AuthorityRole::Root, self.site.pki.root().certificate())?;
        sink.authority(
            AuthorityRole::CustomerCa,
            self.site.pki.customer().certificate(),
        )?;
        sink.authority(AuthorityRole::Vault, self.site.pki.vault())?;
        sink.vault(&self.site.vault_key)?;
        let mut reconciler = Reconciler::new();
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
        let total = self.device_count();
        let ordered = self.config.order.as_ref().map(|o| o.devices);
        let mut queue = EventQueue::new(self.limits);
        let mut link = LinkStats::default();
        // Only secrets made in the vault cross the link: a line whose chips make every
        // key themselves never needs it.
        let needs_link = self.config.secrets.identity == IdentityOrigin::Vault
            || !self.config.secrets.symmetric_keys.is_empty();
        if total > 0 {
            let first_arrival = if needs_link {
                self.bring_link_up(SimTime::ZERO, LinkOccasion::Start, &mut link)
            } else {
                Some(SimTime::ZERO)
            };
            match first_arrival {
                Some(at) => queue.schedule(at, LineEvent::Arrive { index: 0 })?,
                None => link.stopped_before = Some(0),
            }
        }
        // Sized once: the ledger and the trace digests are the only per-device state
        // kept for the whole run, and a doubling vector would carry up to twice that.
        let capacity = usize::try_from(total).unwrap_or(0);
        let mut shipped = Vec::with_capacity(capacity);
        let mut rejected = Vec::new();
        let mut refused_at_first_connection = Vec::new();
        self.register_customer_ca()?;
        let mut device_traces = Vec::with_capacity(capacity);
        let mut audit = Vec::new();
        let mut finished_at = SimTime::ZERO;
        while let Some((now, LineEvent::Arrive { index })) = queue.pop()? {
            let (device_id, mut target) = self.fresh_device(index)?;
            let mut device_trace = Trace::new();
            let mut ctx = Ctx::new(SimTime::ZERO, &self.crypto, &mut device_trace);
            let outcome = self.station.provision(
                &mut self.site,
                &mut self.link,
                &mut ctx,
                self.seed,
                index,
                now,
                target.as_mut(),
                &mut audit,
                &mut (),
            );
            let spent = ctx.now - SimTime::ZERO;
            let leaves = now + spent;
            match outcome {
                Ok(cycle) => {
                    let record = ShippedDevice {
                        index,
                        device_id,
                        identity: cycle.identity.fingerprint(),
                    };
                    sink.certificate(&record, &cycle.certificate)?;
                    let signed = self.device_record(&record, &cycle, target.as_ref(), leaves)?;
                    sink.record(&signed)?;
                    let entry = self.manifest_entry(&record, &cycle, leaves)?;
                    sink.manifest(&entry)?;
                    if let Err(refused) =
                        self.first_connection(index, &entry, &cycle, target.as_mut())
                    {
                        refused_at_first_connection.push((index, refused));
                    }
                    audit.push(self.site.audit.append(
                        &self.crypto,
                        leaves,
                        "station",
                        "device-shipped",
                        Some(device_id),
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
                    shipped.push(record);
                }
                Err(error) => {
                    let reason = error.to_string();
                    audit.push(self.site.audit.append(
                        &self.crypto,
                        leaves,
                        "station",
                        "device-rejected",
                        Some(device_id),
                        format!("reason={}", reason.replace(' ', "_")),
                    ));
                    self.site_trace.record(
                        leaves,
                        "device-rejected",
                        &[("index", Field::U64(index))],
                    );
                    rejected.push(RejectedDevice {
                        index,
                        device_id,
                        reason,
                    });
                }
            }
            // The device's audit records, shipped or rejected, leave with the device.
            for record in audit.drain(..) {
                reconciler.record(&record);
                sink.audit(&record)?;
            }
            device_traces.push(device_trace.digest());
            finished_at = leaves;
            if let Some(report) = self.link.take_last() {
                link.exchange(&report);
                sink.link_exchange(index, &report)?;
            }
            // A filled order stops the line: the dies left are not provisioned, so an
            // honest line never makes an identity beyond the order.
            let filled = ordered.is_some_and(|n| shipped.len() as u64 >= n);
            if index + 1 < total && !filled {
                // A failed exchange leaves the link down: the line brings it back up
                // before the next device, or stops, as configured.
                let next = if !needs_link || self.link.is_established() {
                    Some(leaves)
                } else if self.config.link.on_failure == OnLinkFailure::StopLine {
                    None
                } else {
                    self.bring_link_up(leaves, LinkOccasion::AfterDevice(index), &mut link)
                };
                match next {
                    Some(at) => queue.schedule(at, LineEvent::Arrive { index: index + 1 })?,
                    None => link.stopped_before = Some(index + 1),
                }
            }
        }
        let returns = self.process_returns(&shipped, finished_at, &mut reconciler, sink)?;
        let closed_at = finished_at + RMA_DESK_TIME.saturating_mul(returns.len() as u64);
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
                    shipped.len(),
                    total - device_traces.len() as u64
                ),
            );
            reconciler.record(&record);
            sink.audit(&record)?;
        }
        let closing = self.site.audit.close(&self.crypto, closed_at);
        sink.audit(&closing)?;
        self.site_trace.record(
            closed_at,
            "line-finished",
            &[
                ("shipped", Field::U64(shipped.len() as u64)),
                ("rejected", Field::U64(rejected.len() as u64)),
                ("audit-head", Field::Bytes(&self.site.audit.head().0)),
            ],
        );
        Ok(LineSummary {
            shipped,
            rejected,
            device_traces,
            site_trace: self.site_trace.digest(),
            audit_head: self.site.audit.head(),
            audit_records: self.site.audit.records(),
            reconciliation: {
                // The books from the audit log, checked against the HSM's own counters:
                // a key the HSM made without an audit line, or still holds, is a finding.
                let mut books = reconciler.finish();
                let made: u64 = books.lots.iter().map(|l| l.keys_made).sum();
                let hsm = self.site.hsm.stats();
                // Keys made on chip are in the log but were never the vault's.
                let made_in_vault = match self.config.secrets.identity {
                    IdentityOrigin::Vault => made,
                    IdentityOrigin::Device => 0,
                };
                let secrets_made: u64 = books.lots.iter().map(|l| l.secrets_made).sum();
                for (what, logged, counted, live) in [
                    (
                        "device identity key(s)",
                        made_in_vault,
                        hsm.identity_generated,
                        self.site.hsm.live_identity_keys(),
                    ),
                    (
                        "symmetric key(s)",
                        secrets_made,
                        hsm.secrets_generated,
                        self.site.hsm.live_secrets(),
                    ),
                ] {
                    if logged != counted {
                        books.findings.push(format!(
                            "the audit log shows {logged} {what} made in the vault, the HSM counts {counted}"
                        ));
                    }
                    if live != 0 {
                        books
                            .findings
                            .push(format!("the HSM still holds {live} {what}"));
                    }
                }
                books
            },
            hsm: self.site.hsm.stats(),
            crypto: self.crypto.counts(),
            cloud_crypto: self.cloud.counts(),
            finished_at,
            events: queue.delivered(),
            returns,
            registrar: self.registrar.stats(),
            refused_at_first_connection,
            link,
        })
    }

    /// Device `index` as the fab made it, with the scenario's countermeasures: its id
    /// and the blank chip. The line and every re-creation start from here.
    fn fresh_device(&self, index: u64) -> Result<(DeviceId, Box<dyn Target>), LineError> {
        let device_id = self
            .device_id(index)
            .ok_or(LineError::NoSuchDevice { index })?;
        let target = build_target_with(
            self.config.target,
            &self.config.countermeasures,
            self.seed,
            index,
            device_id,
        );
        Ok((device_id, target))
    }

    /// Makes a link session from `at`, over the configured network, with the site's
    /// streams for `occasion`; records it in the site trace and returns when the next
    /// device may arrive, or `None` if the link could not be made.
    fn bring_link_up(
        &mut self,
        at: SimTime,
        occasion: LinkOccasion,
        stats: &mut LinkStats,
    ) -> Option<SimTime> {
        let streams = SiteLinkStreams {
            seed: self.seed,
            occasion,
        };
        let report = self.link.establish(&self.crypto, &streams);
        let up = self.link.is_established();
        stats.establishment(&report, up);
        let done = at + report.elapsed;
        self.site_trace.record(
            done,
            if up { "link-established" } else { "link-down" },
            &[
                ("handshakes", Field::U64(u64::from(report.handshakes))),
                ("deliveries", Field::U64(report.deliveries.len() as u64)),
                ("refused", Field::U64(report.refused())),
            ],
        );
        up.then_some(done)
    }
}

/// The link's two ends, certified for their roles by the site's link CA (keys from the
/// seed's `site/link/...` streams), with no session yet.
fn establish_link_ends(
    crypto: &Crypto,
    seed: Seed,
    config: LinkConfig,
) -> Result<LinkSession, LineError> {
    let anchor = crypto.generate_key(&mut labels::link_ca_key(seed));
    let mut serials = labels::link_certificate_serials(seed);
    let mut identity = |role: Role, mut stream: Stream| -> Result<LinkIdentity, LineError> {
        let key = crypto.generate_key(&mut stream);
        let certificate = link_certificate(crypto, &anchor, key.public_key(), role, &mut serials)?;
        Ok(LinkIdentity { key, certificate })
    };
    let vault = identity(Role::Vault, labels::link_vault_key(seed))?;
    let station = identity(Role::Station, labels::link_station_key(seed))?;
    Ok(LinkSession::new(
        vault,
        station,
        anchor.public_key().clone(),
        config,
    ))
}

/// The streams of a session the line makes on `occasion`.
struct SiteLinkStreams {
    seed: Seed,
    occasion: LinkOccasion,
}

impl LinkStreams for SiteLinkStreams {
    fn network(&self) -> Stream {
        labels::site_link_network(self.seed, self.occasion)
    }
    fn station(&self, k: u32) -> Stream {
        labels::site_link_station(self.seed, self.occasion, k)
    }
    fn vault(&self, k: u32) -> Stream {
        labels::site_link_vault(self.seed, self.occasion, k)
    }
}
