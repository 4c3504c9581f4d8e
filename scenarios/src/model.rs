//! The result model: one plain tree holding everything a renderer needs. Renderers hold
//! no logic; anything a report says is decided before it gets here (the runner and the
//! judges decide, `assemble` writes it down). Field order is the JSON's key order.
//!
//! Keys appear only as fingerprints (SHA-256 of the uncompressed SEC1 public key, hex).

pub use crate::matrix::{ApplicabilityCell, ApplicabilityRow};
use crate::verdict::Verdict;
use serde::{Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// The tool and version that produced the report.
    pub tool: String,
    pub scenario: ScenarioInfo,
    pub seed: u64,
    /// SHA-256 over the site trace digest and every device's trace digest, in order.
    pub trace_digest: String,
    /// The run's id (the scenario's values and the seed), as its books name it: what
    /// `audit verify`, `manifest verify` and `records verify` check with `--run`.
    pub run_id: String,
    /// What reproduces this run; serialized as the command line's shell line.
    pub reproduce: Reproduce,
    /// "broken" when any claim is, else "inconclusive" when any claim is, else "holds".
    pub verdict: Verdict,
    pub site: SiteInfo,
    pub line: LineInfo,
    pub devices: DevicesInfo,
    /// What the lock sequence leaves reachable, probed stage by stage on one device.
    pub locks: LocksInfo,
    pub attempts: Vec<AttemptInfo>,
    /// What every glitch rung of the run did, by fault point and method, as the chips
    /// recorded it (absent when nothing was glitched).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub glitch_map: Vec<GlitchMapRow>,
    pub claims: Vec<ClaimInfo>,
    /// Claims x attack paths: what each path did to each claim (`broken`, `residual
    /// risk`, `resisted`, `did not act`, `not applicable`).
    pub applicability: Vec<ApplicabilityRow>,
    /// What each custody configuration would cost at this scenario's volume.
    pub costs: CostsInfo,
    /// How `--jobs` shared the line's work: the command line says it, no file holds
    /// it (the files are the same for any number of jobs).
    #[serde(skip)]
    pub jobs: JobsInfo,
}

/// How the line's work was shared between threads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobsInfo {
    /// Devices each job worked out: the line's own thread first, then each worker
    /// ahead of it (empty: one thread).
    pub devices_by_job: Vec<u64>,
    /// The line's curve operations a worker had ready, and those it computed itself.
    pub ready: u64,
    pub computed: u64,
}

/// The three custody configurations' costs side by side, in micro-units of `currency`
/// (exact integers; renderers format them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostsInfo {
    pub currency: String,
    /// The order, or every device of the lots.
    pub volume: u64,
    pub configurations: Vec<CostInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostInfo {
    pub custody: String,
    /// The configuration this scenario runs.
    pub chosen: bool,
    pub setup_micro: u64,
    pub per_unit_micro: u64,
    pub setup_weeks: u32,
    pub total_micro: u64,
    pub per_device_micro: u64,
}

/// The what-if table: the chip probed after provisioning and after each lock step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocksInfo {
    /// The device the sequence was replayed on.
    pub device: u64,
    /// One row per stage: before the locks, then after each step.
    pub stages: Vec<LockStageInfo>,
    /// The interfaces after the whole sequence (the last stage's).
    pub after_run: Vec<InterfaceInfo>,
    /// Why the device did not ship, when it did not.
    pub device_rejected: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockStageInfo {
    /// `provisioned` or the step, e.g. `rdp 1`.
    pub stage: String,
    /// `applied`, `refused: <the chip's reason>`, or empty for the first stage.
    pub result: String,
    pub interfaces: Vec<InterfaceInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterfaceInfo {
    pub interface: String,
    pub open: bool,
    /// What the probe saw.
    pub detail: String,
}

/// What reproduces a run: the scenario as the caller named it and the seed, the one
/// option that changes a result today (any later one joins them here).
///
/// Only the command line knows its own syntax, so only it writes the shell line, into
/// `command`, before the report is rendered; the report carries that line (in JSON,
/// `"reproduce"` is the line itself, so a reader can paste it). Until the command line
/// fills it, it serializes as `null` and Markdown shows `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reproduce {
    /// The scenario argument as given (a path or a built-in's name); `None` for the
    /// built-in default.
    pub scenario: Option<String>,
    pub seed: u64,
    /// The devices the lots were resized to hold (`provsim bench --devices`), which
    /// only the same bench command reproduces; `None` for the lots as the file gives.
    pub devices: Option<u64>,
    /// The shell line, as the command line renders the fields above.
    pub command: Option<String>,
}

impl Serialize for Reproduce {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.command.serialize(serializer)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub title: String,
    pub source: String,
    /// The canonical digest of the scenario's values (layout, comments and the file's
    /// own seed aside): a file with this digest says what this run's file said.
    pub input_digest: String,
    /// SHA-256 of the scenario text the run used (a bench's resized text, for a
    /// resized run).
    pub sha256: String,
    /// The file's text, whole: `provsim replay` reruns it from the report alone.
    pub text: String,
}

/// Where a run's identity keys are made, as the report says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyOrigin {
    /// In the vault, then injected sealed to the chip.
    Vault,
    /// On the chip, certified from its signed request.
    Device,
}

/// What an attack path acted on, as the report says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActsOn {
    /// Its own copy of the device.
    Device,
    /// A copy of the site, while the device was on the station.
    Site,
    /// A copy of the line once the order was done (its station, vault and spare dies).
    Line,
    /// The field around the device: the device in the attacker's hands and in service,
    /// and a copy of the customer's registrar.
    Field,
    /// The site's network between the station and the vault, during the device's pass.
    Link,
    /// The RMA desk as the returned device reached it.
    RmaDesk,
    /// The scrap bin, as the rejected device went into it.
    ScrapBin,
    /// The board assembler's floor, while the device's board waited for the
    /// board-level station.
    BoardAssembly,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteInfo {
    pub name: String,
    pub customer: String,
    pub custody: String,
    /// Where the custody keeps the keys, and who can make the customer CA sign: the
    /// trust boundaries site attacks meet.
    pub key_residence: String,
    pub certification_authorised_by: String,
    /// Where identity keys are made.
    pub identity_origin: KeyOrigin,
    /// The per-device symmetric keys, by name, in key-store slot order.
    pub symmetric_keys: Vec<String>,
    pub level: String,
    pub target: String,
    /// The target's countermeasures, block by block, as the scenario tuned them.
    pub countermeasures: Vec<String>,
    /// The station's lock sequence, in order.
    pub lock_steps: Vec<String>,
    /// The offline root's custodians and the quorum needed to use it.
    pub root_custodians: u8,
    pub root_quorum: u8,
    pub root_ca_key: String,
    pub customer_ca_key: String,
    pub firmware_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineInfo {
    pub lots: Vec<LotInfo>,
    /// Dies the line started (all the lots' unless a filled order stopped it).
    pub devices_started: u64,
    /// Virtual time, in nanoseconds, when the last device left the station.
    pub virtual_time_ns: u64,
    pub events: u64,
    pub audit: AuditInfo,
    pub hsm: HsmInfo,
    pub crypto_ops: CryptoOps,
    /// Keys made against devices shipped and keys destroyed, from the audit log.
    pub reconciliation: ReconciliationInfo,
    pub rejected: Vec<RejectedInfo>,
    /// Shipped devices that came back through the RMA desk, in device order.
    pub returns: Vec<ReturnInfo>,
    /// The cloud registrar: each shipped device met it once, as it shipped.
    pub registrar: RegistrarInfo,
    /// The provisioning link the secrets crossed between the vault and the station.
    pub link: LinkInfo,
    /// The customer CA's revocation list, issued once the returns were through.
    pub crl: CrlInfo,
}

/// The customer CA's CRL (`pki/customer-ca.crl.pem`), in brief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrlInfo {
    /// Its CRL Number.
    pub number: u64,
    /// Certificates it revokes: one per returned device.
    pub entries: u64,
    /// SHA-256 of its DER encoding.
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkInfo {
    /// What the network was set to do, in parts per million of datagrams.
    pub drop_ppm: u32,
    pub duplicate_ppm: u32,
    pub tamper_ppm: u32,
    pub replay_ppm: u32,
    pub latency_ns: u64,
    pub jitter_ns: u64,
    pub resend_after_ns: u64,
    pub resends_per_session: u32,
    pub handshakes_per_exchange: u32,
    /// "reject-device" or "stop-line".
    pub on_failure: String,
    /// Sessions made before the first device and after failed exchanges.
    pub sessions_made: u64,
    /// Device exchanges, answered and failed.
    pub exchanges: u64,
    pub answered: u64,
    pub failed: u64,
    pub handshakes: u64,
    pub requests: u64,
    /// Deliveries the receiving end took and refused, by what the network did.
    pub intact: FateInfo,
    pub duplicated: FateInfo,
    pub tampered: FateInfo,
    pub replayed: FateInfo,
    /// The device the line stopped before, when the link went down for good.
    pub stopped_before: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FateInfo {
    pub accepted: u64,
    pub refused: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistrarInfo {
    /// Devices admitted from the manifest.
    pub enrolled: u64,
    /// First connections that proved the identity and agreed a session key.
    pub authenticated: u64,
    pub refused: u64,
    /// Shipped devices turned away at first connection, and why.
    pub refused_devices: Vec<RefusedInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedInfo {
    pub device: u64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnInfo {
    pub device: u64,
    pub device_id: String,
    /// Fingerprint of the identity the return revokes.
    pub identity: String,
    /// "rma-wiped", "rma-not-wiped" or "physically-destroyed".
    pub outcome: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotInfo {
    pub name: String,
    pub devices: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditInfo {
    pub records: u64,
    /// The hash-chain head after the last record.
    pub head: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HsmInfo {
    pub keys_generated: u64,
    /// Keys rebuilt from custodians' shares: the offline root, once per ceremony.
    pub keys_restored: u64,
    pub keys_wrapped: u64,
    pub keys_destroyed: u64,
    pub certificates_signed: u64,
    /// Certificate revocation lists the customer CA signed (one a run).
    pub crls_signed: u64,
    /// Per-device symmetric keys made and destroyed (each once sealed to its device).
    pub secrets_generated: u64,
    pub secrets_destroyed: u64,
}

/// Cryptographic operations the line performed (attacks and oracles not included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CryptoOps {
    pub keygen: u64,
    pub key_import: u64,
    pub sign: u64,
    pub verify: u64,
    pub ecdh: u64,
    pub sha256: u64,
    pub kdf: u64,
    pub aead_seal: u64,
    pub aead_open: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReconciliationInfo {
    /// True when every lot balances, no identity shipped twice and nothing is open.
    pub balanced: bool,
    /// Each level's test results as the audit log records them: wafer, package, board.
    pub tests: Vec<LevelTestInfo>,
    pub lots: Vec<LotBalanceInfo>,
    pub duplicate_identities: u64,
    /// Returned identities, from the audit log.
    pub returns: ReturnTallyInfo,
    /// The order the lots filled, when the scenario gives one.
    pub order: Option<OrderInfo>,
    pub findings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderInfo {
    pub number: String,
    pub ordered: u64,
    pub shipped: u64,
    /// Ordered devices not shipped (yield loss the lots did not cover).
    pub short: u64,
    /// Devices shipped beyond the order: over-production, also a finding.
    pub over: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReturnTallyInfo {
    pub returned: u64,
    pub rma_wiped: u64,
    /// Entered RMA (which wipes) but the key store could not be read back to confirm.
    pub rma_unverified: u64,
    pub physically_destroyed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelTestInfo {
    pub level: String,
    /// The configured pass rate per attempt, in parts per million.
    pub yield_ppm: u32,
    pub first_pass: u64,
    pub retest_pass: u64,
    /// Failed the test and the retest: lost before the secrets went in, or scrapped
    /// with its secrets destroyed after.
    pub failed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotBalanceInfo {
    pub lot: String,
    pub keys_made: u64,
    pub shipped: u64,
    pub destroyed: u64,
    /// Symmetric keys made, gone out in shipped devices, destroyed with rejected ones.
    pub secrets_made: u64,
    pub secrets_shipped: u64,
    pub secrets_destroyed: u64,
    pub balanced: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedInfo {
    pub device: u64,
    pub device_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DevicesInfo {
    /// Devices shipped.
    pub count: u64,
    /// SHA-256 over every shipped device's 32-byte identity fingerprint, in device
    /// order: one value that names the whole shipped population.
    pub identities_digest: String,
    /// The first shipped devices' identity fingerprints (at most
    /// [`LISTED_IDENTITIES`]); every device's is in `records.jsonl`.
    pub first_identities: Vec<String>,
}

/// How many identity fingerprints the report lists; the rest are in the streamed
/// device records, so the report's size does not grow with the lot.
pub const LISTED_IDENTITIES: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PotentialInfo {
    /// Sum of the CEM factors; `None` when the path is not exploitable.
    pub total: Option<u32>,
    pub rating: Option<String>,
    pub elapsed_time: String,
    pub expertise: String,
    pub knowledge_of_toe: String,
    pub window_of_opportunity: String,
    pub equipment: String,
    /// What was rated: the effort, in counts.
    pub rationale: String,
    /// Why each factor has its level.
    pub reasons: ReasonsInfo,
}

/// One line per CEM factor on why it has its level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonsInfo {
    pub elapsed_time: String,
    pub expertise: String,
    pub knowledge_of_toe: String,
    pub window_of_opportunity: String,
    pub equipment: String,
}

/// One rung of a path's effort ladder, as climbed on one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RungInfo {
    pub rung: String,
    /// What it really spent, in counts.
    pub spent: String,
    /// The total of what it spent; `None` when not exploitable.
    pub total: Option<u32>,
    pub rating: Option<String>,
    /// "obtained", "blocked" or "failed", in the attack's words.
    pub outcome: String,
    pub why: String,
    /// Claims whose oracle this rung made false.
    pub violates: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptInfo {
    pub attack: String,
    pub phase: String,
    /// Where the attack path acted.
    pub position: ActsOn,
    /// Device index within the run.
    pub device: u64,
    pub device_id: String,
    /// "obtained", "blocked" or "failed", in the attack's words.
    pub outcome: String,
    pub why: String,
    pub potential: PotentialInfo,
    /// The cheapest rung that made a claim false, or the most effort resisted.
    pub climb: String,
    /// The rungs climbed, cheapest first.
    pub rungs: Vec<RungInfo>,
    /// Claims whose oracle this attempt made false, with what the oracle found.
    pub violates: Vec<ViolationInfo>,
    /// What the deciding rung's copy of the site's books could not account for, each
    /// named by record and identity (site and line paths only; absent when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub books: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViolationInfo {
    pub claim: String,
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimInfo {
    pub id: String,
    /// `preventive` (the attack is stopped) or `detective` (the books catch it).
    pub control: String,
    pub requirement: String,
    /// Set when the requirement is a free name the scenario gave, not one provsim
    /// lists.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub requirement_free: bool,
    /// The essential element the claim serves (`secure storage`, `site`, ...).
    pub element: String,
    /// The library oracle that decides it.
    pub oracle: String,
    /// The oracle's parameters, when the claim gives any (`lots LOT-0002; secrets
    /// storage; books audit-log`): the part of the world it speaks for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    pub statement: String,
    /// The AVA_VAN level the claim is made at (`AVA_VAN.n`), whatever it was stated as.
    pub resistance: String,
    /// The EAL the scenario stated the resistance as (`EAL5`, `EAL4+AVA_VAN.5`), if it
    /// did; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stated_as: Option<String>,
    pub verdict: Verdict,
    /// Why the claim is inconclusive; absent when it holds or is broken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inconclusive: Option<String>,
    /// Attacks within the claimed attack potential that violated the claim.
    pub broken_by: Vec<String>,
    /// Lowest attack-potential total among attempts that violated the claim.
    pub lowest_breaking_total: Option<u32>,
    /// The resistance that total demonstrates (CEM Table 4: the band below).
    pub demonstrated_resistance: Option<String>,
    /// Attacks beyond the claimed potential that violated the claim: residual risk.
    pub residual_risk: Vec<String>,
    /// What the oracle found, one line per violating attempt (and first, for a process
    /// claim the honest run made false, that).
    pub evidence: Vec<String>,
    /// Attempts that tested the claim at its resistance.
    pub attempts: u64,
    /// For a process claim: what the honest run showed of it (`broken: ...`,
    /// `exercised: ...` or `not exercised: ...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honest_run: Option<String>,
}

impl ClaimInfo {
    /// The resistance for people: the EAL it was stated as, if any, and the AVA_VAN
    /// level it is judged at.
    pub fn resistance_as_stated(&self) -> String {
        match &self.stated_as {
            Some(eal) if !eal.contains("AVA_VAN") => {
                format!("{eal}, judged at {}", self.resistance)
            }
            Some(eal) => eal.clone(),
            None => self.resistance.clone(),
        }
    }
}

/// One row of the glitch map: the run's glitches at one fault point with one method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GlitchMapRow {
    pub fault_point: String,
    pub method: String,
    /// Rungs that aimed there with that method, and the tries they spent.
    pub rungs: u64,
    pub tries: u64,
    /// Glitches fired (two a try for double faults), and what became of them.
    pub glitches: u64,
    pub landed: u64,
    pub detected: u64,
    /// Landed faults that took effect at the check they were aimed at (a duplicated
    /// check may still refuse).
    pub acted: u64,
    /// Rungs that made a claim false (as its oracle found).
    pub successes: u64,
}
