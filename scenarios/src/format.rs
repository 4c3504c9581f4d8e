//! The scenario file as written: serde structs that reject unknown fields. Values that
//! need checking beyond their type keep their position (`Spanned`) so that a bad one is
//! reported at its line and column.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub scenario: ScenarioSection,
    pub site: SiteSection,
    pub line: LineSection,
    /// Each level's test yield: the fraction of parts passing at each attempt.
    #[serde(default, rename = "yield")]
    pub yields: Option<YieldSection>,
    /// What goes into each device; the vault makes the identity key when absent.
    #[serde(default)]
    pub secrets: Option<SecretsSection>,
    /// The MCU's configuration; all defaults when absent.
    #[serde(default)]
    pub mcu: Option<McuSection>,
    /// The target's fault and leakage countermeasures (and an ASIC's PUF and key
    /// store); the target kind's own when absent.
    #[serde(default)]
    pub countermeasures: Option<CountermeasuresSection>,
    /// An explicit lock sequence, in the order the station runs it.
    #[serde(default, rename = "lock")]
    pub locks: Option<Spanned<Vec<LockSection>>>,
    #[serde(rename = "lot")]
    pub lots: Spanned<Vec<LotSection>>,
    /// Each custody configuration's costs, where the defaults do not fit.
    #[serde(default)]
    pub cost: Option<CostSection>,
    /// The customer's order the lots fill.
    #[serde(default)]
    pub order: Option<OrderSection>,
    /// Shipped devices that come back through the RMA desk.
    #[serde(default)]
    pub returns: Option<ReturnsSection>,
    /// The provisioning link between the vault and the station: a clean network with
    /// 1 ms latency when absent.
    #[serde(default)]
    pub link: Option<LinkSection>,
    #[serde(default, rename = "attack")]
    pub attacks: Vec<AttackSection>,
    #[serde(rename = "claim")]
    pub claims: Spanned<Vec<ClaimSection>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSection {
    pub name: Spanned<String>,
    pub title: String,
    /// The seed a run uses when none is given on the command line.
    #[serde(default = "default_seed")]
    pub seed: u64,
}

fn default_seed() -> u64 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSection {
    pub name: Spanned<String>,
    pub customer: Spanned<String>,
    pub custody: Custody,
    /// Custodians holding shares of the offline root key (default 5).
    pub custodians: Option<Spanned<u8>>,
    /// How many of them must meet to use the root (default 3).
    pub quorum: Option<Spanned<u8>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Custody {
    SharedVm,
    ProvisionerHsm,
    CustomerHsm,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineSection {
    pub level: Level,
    pub target: Spanned<TargetKind>,
    /// Blow the debug-lock fuse as the last lock step.
    #[serde(default)]
    pub lock_debug: Option<Spanned<bool>>,
    /// Dies on a wafer (default 64): how devices map to wafers and die sites.
    #[serde(default)]
    pub dies_per_wafer: Option<Spanned<u32>>,
    #[serde(default = "default_product")]
    pub product: u16,
}

fn default_product() -> u16 {
    0x5053
}

/// What the station configures on an MCU. The station runs these locks in the one safe
/// order (fuses, then option bytes, then RDP, then the debug-lock fuse); `[[lock]]`
/// steps instead give an order of the author's choosing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McuSection {
    /// `"verified"` (the station blows the secure-boot fuse) or `"unverified"`.
    pub boot: Option<Spanned<Boot>>,
    /// Readout-protection level the station sets: 0, 1 or 2.
    pub rdp: Option<Spanned<u8>>,
    /// Hide the key store from the debugger.
    pub secure_region: Option<Spanned<bool>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Boot {
    Verified,
    Unverified,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockSection {
    /// `"rdp"`, `"secure-region"` or `"fuse"`.
    pub step: Spanned<String>,
    /// For `rdp`: the level.
    pub level: Option<Spanned<u8>>,
    /// For `fuse`: `"debug-lock"` or `"secure-boot"`.
    pub fuse: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Wafer,
    Package,
    Board,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsSection {
    /// Where the identity key is made: `"vault"` (injected sealed) or `"device"` (made
    /// on chip, certified from its request).
    #[serde(default)]
    pub identity: Option<IdentityOrigin>,
    /// Names of per-device symmetric keys the vault makes and injects sealed.
    #[serde(default)]
    pub symmetric_keys: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityOrigin {
    Vault,
    Device,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YieldSection {
    pub wafer: Option<Spanned<f64>>,
    pub package: Option<Spanned<f64>>,
    pub board: Option<Spanned<f64>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    Mcu,
    Asic,
    Se,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotSection {
    pub name: String,
    pub devices: Spanned<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttackSection {
    pub id: Spanned<String>,
    /// Device indices to attack; absent means every shipped device (or `sample`).
    pub devices: Option<Spanned<Vec<u64>>>,
    /// Attack this many shipped devices, drawn from the seed.
    pub sample: Option<Spanned<u32>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostSection {
    /// The currency the figures are in (default "USD"): a label only.
    pub currency: Option<Spanned<String>>,
    #[serde(rename = "shared-vm")]
    pub shared_vm: Option<CostEntry>,
    #[serde(rename = "provisioner-hsm")]
    pub provisioner_hsm: Option<CostEntry>,
    #[serde(rename = "customer-hsm")]
    pub customer_hsm: Option<CostEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostEntry {
    /// One-off set-up cost.
    pub setup: Option<Spanned<f64>>,
    /// Cost per provisioned unit.
    pub per_unit: Option<Spanned<f64>>,
    /// Weeks to set up.
    pub weeks: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderSection {
    pub number: Spanned<String>,
    pub devices: Spanned<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnsSection {
    /// Device indices that come back.
    #[serde(default)]
    pub devices: Option<Spanned<Vec<u64>>>,
    /// This many more, drawn from the seed.
    #[serde(default)]
    pub sample: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimSection {
    pub id: Spanned<String>,
    pub resistance: Spanned<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSection {
    /// One-way delay of every datagram, in milliseconds (default 1).
    pub latency_ms: Option<Spanned<u64>>,
    /// Extra delay up to this many milliseconds, drawn per datagram: reorders them.
    pub jitter_ms: Option<Spanned<u64>>,
    /// Fraction of datagrams the network loses.
    pub drop: Option<Spanned<f64>>,
    /// Fraction it delivers twice.
    pub duplicate: Option<Spanned<f64>>,
    /// Fraction it alters (one bit flipped).
    pub tamper: Option<Spanned<f64>>,
    /// Fraction of sends on which an attacker injects an old datagram again.
    pub replay: Option<Spanned<f64>>,
    /// Quiet time before the station sends its request again (default 50).
    pub resend_after_ms: Option<Spanned<u64>>,
    /// Resends on one session before a fresh handshake (default 3).
    pub resends: Option<Spanned<u32>>,
    /// Handshakes one device's exchange may make before it fails (default 3).
    pub handshakes: Option<Spanned<u32>>,
    /// `"reject-device"` (default) or `"stop-line"`.
    pub on_failure: Option<OnLinkFailure>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnLinkFailure {
    RejectDevice,
    StopLine,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountermeasuresSection {
    /// Glitch methods the chip senses: "voltage", "clock", "electromagnetic", "laser".
    pub glitch_detectors: Option<Spanned<Vec<Spanned<String>>>>,
    /// The fraction of glitches of its method a detector catches (default 0.75).
    pub detector_catch: Option<Spanned<f64>>,
    /// Fault points whose check two copies compute and compare.
    pub redundant_checks: Option<Spanned<Vec<Spanned<String>>>>,
    /// Decisions held in multi-bit encodings.
    pub hardened_booleans: Option<bool>,
    /// `"hamming-weight"` or `"hamming-distance"`.
    pub power_model: Option<PowerModel>,
    /// Noise standard deviation, in bits of leakage.
    pub noise: Option<Spanned<f64>>,
    /// Shares beyond the first each value is split into (0 to 3).
    pub masking_order: Option<Spanned<u8>>,
    /// The fraction of the signal the shield lets through (1: no shield).
    pub shield: Option<Spanned<f64>>,
    /// ASIC: the PUF's bit-error rate, a fraction below 0.5.
    pub puf_bit_error: Option<Spanned<f64>>,
    /// ASIC: cells per secret bit (odd).
    pub puf_repetition: Option<Spanned<u16>>,
    /// ASIC: seal the key store under the PUF-derived key.
    pub sealed_key_store: Option<Spanned<bool>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PowerModel {
    HammingWeight,
    HammingDistance,
}
