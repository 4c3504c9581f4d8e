//! Reading and validating a scenario file.

use crate::claims::ClaimKind;
use crate::error::ScenarioError;
use crate::format::{self, File};
use crate::scenario::{AttackPlan, ClaimSpec, Scenario, Targets};
use provsim_attacks::AvaVan;
use provsim_devices::fault::{Detector, GlitchMethod, Ratio};
use provsim_devices::leakage::PowerModel;
use provsim_devices::{Countermeasures, Fuse, TargetKind};
use provsim_provisioner::link::{LinkConfig, OnLinkFailure, RetryPolicy};
use provsim_provisioner::{
    CostModel, Custody, IdentityOrigin, Level, LineConfig, LockStep, Lot, MAX_SYMMETRIC_KEYS,
    MICRO, Order, PERFECT_YIELD_PPM, PkiNames, Quorum, ReturnPlan, SecretsProfile, StationConfig,
    Yields, is_key_name,
};
use provsim_sim::SimDuration;
use provsim_sim::network::Faults;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// Most devices one run provisions. A run keeps a small ledger record per device
/// (about 100 bytes), so this bounds its memory to about a gigabyte.
pub const MAX_DEVICES: u64 = 10_000_000;

/// Longest site name: "{site} Root CA" must fit X.520's 64-character upper bound.
const MAX_SITE_NAME: usize = 64 - " Root CA".len();
/// Longest customer name: "{customer} Device CA" must fit the same bound.
const MAX_CUSTOMER_NAME: usize = 64 - " Device CA".len();

/// Loads and validates the scenario at `path`.
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioError> {
    if path.is_dir() {
        return Err(ScenarioError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|error| ScenarioError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    parse_str(&text, &path.display().to_string())
}

/// Parses and validates scenario text; `source` names it in errors and in the report.
pub fn parse_str(text: &str, source: &str) -> Result<Scenario, ScenarioError> {
    let at = Locator { text, file: source };
    let file: File = toml::from_str(text).map_err(|e| {
        let message = plain_types(e.message().trim_end());
        match e.span() {
            Some(span) => at.error(span, message),
            None => ScenarioError::Whole {
                file: source.to_owned(),
                message,
            },
        }
    })?;
    validate(file, source, &at)
}

/// Says Rust integer types in words a scenario author uses.
fn plain_types(message: &str) -> String {
    message
        .replace("expected u16", "expected an integer from 0 to 65535")
        .replace("expected u32", "expected an integer from 0 to 4294967295")
        .replace("expected u64", "expected a non-negative integer")
}

/// Turns byte offsets into 1-based line and column (in characters).
struct Locator<'a> {
    text: &'a str,
    file: &'a str,
}

impl Locator<'_> {
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> ScenarioError {
        let offset = span.start.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        ScenarioError::At {
            file: self.file.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    fn at<T>(&self, value: &Spanned<T>, message: impl Into<String>) -> ScenarioError {
        self.error(value.span(), message)
    }
}

fn check_name(
    at: &Locator<'_>,
    value: &Spanned<String>,
    what: &str,
    max: usize,
) -> Result<(), ScenarioError> {
    let name = value.get_ref();
    if name.trim().is_empty() {
        return Err(at.at(value, format!("{what} must not be empty")));
    }
    if name.chars().count() > max {
        return Err(at.at(
            value,
            format!(
                "{what} is {} characters; at most {max} fit a certificate subject",
                name.chars().count()
            ),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(at.at(value, format!("{what} must not contain control characters")));
    }
    Ok(())
}

/// The secrets profile: where the identity is made, and the symmetric keys by name
/// (lower-case letters, digits and '-', each once, at most `MAX_SYMMETRIC_KEYS`).
fn secrets_profile(
    section: Option<&format::SecretsSection>,
    at: &Locator<'_>,
) -> Result<SecretsProfile, ScenarioError> {
    let Some(section) = section else {
        return Ok(SecretsProfile::default());
    };
    let identity = match section.identity {
        None | Some(format::IdentityOrigin::Vault) => IdentityOrigin::Vault,
        Some(format::IdentityOrigin::Device) => IdentityOrigin::Device,
    };
    let mut symmetric_keys: Vec<String> = Vec::new();
    if let Some(list) = &section.symmetric_keys {
        if list.get_ref().len() > MAX_SYMMETRIC_KEYS {
            return Err(at.at(
                list,
                format!("at most {MAX_SYMMETRIC_KEYS} symmetric keys fit the key store"),
            ));
        }
        for name in list.get_ref() {
            let text = name.get_ref();
            if !is_key_name(text) {
                return Err(at.at(
                    name,
                    "a symmetric key name is 1 to 32 lower-case letters, digits or '-'",
                ));
            }
            if symmetric_keys.contains(text) {
                return Err(at.at(name, format!("symmetric key `{text}` is named twice")));
            }
            symmetric_keys.push(text.clone());
        }
    }
    Ok(SecretsProfile {
        identity,
        symmetric_keys,
    })
}

fn validate(file: File, source: &str, at: &Locator<'_>) -> Result<Scenario, ScenarioError> {
    check_name(at, &file.scenario.name, "scenario name", 128)?;
    check_name(at, &file.site.name, "site name", MAX_SITE_NAME)?;
    check_name(at, &file.site.customer, "customer name", MAX_CUSTOMER_NAME)?;
    let lock_steps = lock_sequence(&file, at)?;
    let secrets = secrets_profile(file.secrets.as_ref(), at)?;
    let (costs, currency) = cost_models(file.cost.as_ref(), at)?;
    let order = match &file.order {
        None => None,
        Some(section) => {
            let number = section.number.get_ref();
            if !Order::is_number(number) {
                return Err(at.at(
                    &section.number,
                    "an order number is 1 to 64 letters, digits, '.', '-' or '_'",
                ));
            }
            let devices = *section.devices.get_ref();
            if !(1..=MAX_DEVICES).contains(&devices) {
                return Err(at.at(
                    &section.devices,
                    format!("an order is for 1 to {MAX_DEVICES} devices"),
                ));
            }
            Some(Order {
                number: number.clone(),
                devices,
            })
        }
    };
    let quorum = Quorum {
        custodians: file
            .site
            .custodians
            .as_ref()
            .map_or(Quorum::DEFAULT.custodians, |c| *c.get_ref()),
        threshold: file
            .site
            .quorum
            .as_ref()
            .map_or(Quorum::DEFAULT.threshold, |q| *q.get_ref()),
    };
    if !quorum.is_valid() {
        let span = file
            .site
            .quorum
            .as_ref()
            .or(file.site.custodians.as_ref())
            .map_or(0..0, Spanned::span);
        return Err(at.error(
            span,
            format!(
                "a quorum of {} out of {} custodians is not a ceremony: it takes 2 to 16 custodians and a quorum from 2 to their number",
                quorum.threshold, quorum.custodians
            ),
        ));
    }
    let yields = yields(&file, at)?;
    let dies_per_wafer = match &file.line.dies_per_wafer {
        None => DEFAULT_DIES_PER_WAFER,
        Some(dies) if (1..=MAX_DIES_PER_WAFER).contains(dies.get_ref()) => *dies.get_ref(),
        Some(dies) => {
            return Err(at.at(
                dies,
                format!("dies_per_wafer must be from 1 to {MAX_DIES_PER_WAFER}"),
            ));
        }
    };

    let lots_span = file.lots.span();
    let lot_sections = file.lots.into_inner();
    if lot_sections.is_empty() {
        return Err(at.error(lots_span, "a scenario needs at least one [[lot]]"));
    }
    if lot_sections.len() > usize::from(u16::MAX) {
        return Err(at.error(
            lots_span,
            format!(
                "{} lots; at most {} are supported",
                lot_sections.len(),
                u16::MAX
            ),
        ));
    }
    let mut lots = Vec::with_capacity(lot_sections.len());
    let mut device_count = 0u64;
    for lot in lot_sections {
        let devices = *lot.devices.get_ref();
        if devices == 0 {
            return Err(at.at(&lot.devices, "a lot needs at least 1 device"));
        }
        device_count += u64::from(devices);
        if device_count > MAX_DEVICES {
            return Err(at.at(
                &lot.devices,
                format!("the lots hold more than {MAX_DEVICES} devices, the most one run takes"),
            ));
        }
        lots.push(Lot {
            name: lot.name,
            devices,
        });
    }

    let returns = match &file.returns {
        None => ReturnPlan::default(),
        Some(section) => {
            if let Some(sample) = &section.sample
                && u64::from(*sample.get_ref()) > MAX_RETURNS
            {
                return Err(at.at(
                    sample,
                    format!("at most {MAX_RETURNS} returns are sampled in one run"),
                ));
            }
            if let Some(devices) = &section.devices
                && devices.get_ref().len() as u64 > MAX_RETURNS
            {
                return Err(at.at(
                    devices,
                    format!("at most {MAX_RETURNS} devices can be returned in one run"),
                ));
            }
            if let Some(devices) = &section.devices
                && let Some(bad) = devices.get_ref().iter().find(|&&i| i >= device_count)
            {
                return Err(at.at(
                    devices,
                    format!(
                        "device index {bad} is out of range: the lots hold {device_count} devices (0..{device_count})"
                    ),
                ));
            }
            ReturnPlan {
                devices: section
                    .devices
                    .as_ref()
                    .map_or_else(Vec::new, |d| d.get_ref().clone()),
                sample: section.sample.as_ref().map_or(0, |s| *s.get_ref()),
            }
        }
    };

    let link = link_config(file.link.as_ref(), at)?;
    let target = match file.line.target.get_ref() {
        format::TargetKind::Mcu => TargetKind::Mcu,
        format::TargetKind::Asic => TargetKind::Asic,
        format::TargetKind::Se => TargetKind::Se,
    };
    if !target.runs_firmware() {
        // A secure element is personalised and closed: no firmware, no fuses, no lock
        // sequence, and (on this line) no keys of its own making.
        if let Some(lock) = file.line.lock_debug.as_ref().filter(|l| *l.get_ref()) {
            return Err(at.at(
                lock,
                "a secure element has no debug port to lock: closing personalisation is its lock",
            ));
        }
        if file.mcu.is_some() || file.locks.is_some() {
            return Err(at.at(
                &file.line.target,
                "[mcu] and [[lock]] configure a microcontroller's fuses and option bytes; a secure element has neither",
            ));
        }
        if secrets.identity == IdentityOrigin::Device {
            return Err(at.at(
                &file.line.target,
                "a secure element on this line takes the vault's identity key: identity = \"device\" is not offered for it yet",
            ));
        }
    }
    let countermeasures = countermeasures(file.countermeasures.as_ref(), target, at)?;

    let mut attacks = Vec::with_capacity(file.attacks.len());
    for section in file.attacks {
        let Some(attack) = provsim_attacks::find(section.id.get_ref()) else {
            let known: Vec<_> = provsim_attacks::catalogue()
                .iter()
                .map(|a| a.id())
                .collect();
            return Err(at.at(
                &section.id,
                format!(
                    "unknown attack `{}`, expected one of: {}",
                    section.id.get_ref(),
                    known.join(", ")
                ),
            ));
        };
        let targets = match (section.devices, section.sample) {
            (Some(_), Some(sample)) => {
                return Err(at.at(&sample, "give either `devices` or `sample`, not both"));
            }
            (Some(devices), None) => {
                if devices.get_ref().is_empty() {
                    return Err(at.at(
                        &devices,
                        "`devices` lists no device; omit it to attack every device",
                    ));
                }
                if let Some(bad) = devices.get_ref().iter().find(|&&i| i >= device_count) {
                    return Err(at.at(
                        &devices,
                        format!("device index {bad} is out of range: the lots hold {device_count} devices (0..{device_count})"),
                    ));
                }
                Targets::Devices(devices.into_inner())
            }
            (None, Some(sample)) => {
                if *sample.get_ref() == 0 {
                    return Err(at.at(&sample, "`sample` must be at least 1"));
                }
                Targets::Sample(*sample.get_ref())
            }
            (None, None) => Targets::All,
        };
        attacks.push(AttackPlan { attack, targets });
    }

    let claims_span = file.claims.span();
    let claim_sections = file.claims.into_inner();
    if claim_sections.is_empty() {
        return Err(at.error(claims_span, "a scenario needs at least one [[claim]]"));
    }
    let mut claims: Vec<ClaimSpec> = Vec::with_capacity(claim_sections.len());
    for section in claim_sections {
        let Some(kind) = ClaimKind::parse(section.id.get_ref()) else {
            let known: Vec<_> = ClaimKind::ALL.iter().map(|c| c.id()).collect();
            return Err(at.at(
                &section.id,
                format!(
                    "unknown claim `{}`, expected one of: {}",
                    section.id.get_ref(),
                    known.join(", ")
                ),
            ));
        };
        if claims.iter().any(|c| c.kind == kind) {
            return Err(at.at(&section.id, format!("claim `{}` is given twice", kind.id())));
        }
        let Some(resistance) = AvaVan::parse(section.resistance.get_ref()) else {
            return Err(at.at(
                &section.resistance,
                format!(
                    "unknown resistance `{}`, expected AVA_VAN.1 to AVA_VAN.5",
                    section.resistance.get_ref()
                ),
            ));
        };
        claims.push(ClaimSpec { kind, resistance });
    }

    Ok(Scenario {
        name: file.scenario.name.into_inner(),
        title: file.scenario.title,
        source: source.to_owned(),
        default_seed: file.scenario.seed,
        line: LineConfig {
            custody: match file.site.custody {
                format::Custody::SharedVm => Custody::SharedVm,
                format::Custody::ProvisionerHsm => Custody::ProvisionerHsm,
                format::Custody::CustomerHsm => Custody::CustomerHsm,
            },
            level: match file.line.level {
                format::Level::Wafer => Level::Wafer,
                format::Level::Package => Level::Package,
                format::Level::Board => Level::Board,
            },
            target,
            countermeasures,
            station: StationConfig {
                what_if: file.locks.is_some(),
                lock_steps,
            },
            names: PkiNames {
                site: file.site.name.into_inner(),
                customer: file.site.customer.into_inner(),
            },
            product: file.line.product,
            dies_per_wafer,
            yields,
            quorum,
            secrets,
            returns,
            order,
            link,
        },
        lots,
        attacks,
        claims,
        costs,
        currency,
    })
}

/// The most a cost figure may be: a trillion units of currency.
const MAX_AMOUNT: f64 = 1e12;

/// An amount of currency as micro-units, or where it is written and why it is not one.
fn amount(value: &Spanned<f64>, at: &Locator<'_>) -> Result<u64, ScenarioError> {
    let x = *value.get_ref();
    if !x.is_finite() || !(0.0..=MAX_AMOUNT).contains(&x) {
        return Err(at.at(value, format!("an amount is from 0 to {MAX_AMOUNT:e}")));
    }
    // Exact for every amount with up to six decimals; the same on every machine.
    Ok((x * MICRO as f64).round() as u64)
}

/// Each configuration's costs: the defaults, with the scenario's figures over them.
fn cost_models(
    section: Option<&format::CostSection>,
    at: &Locator<'_>,
) -> Result<([(Custody, CostModel); 3], String), ScenarioError> {
    let default = format::CostSection::default();
    let section = section.unwrap_or(&default);
    let currency = match &section.currency {
        None => "USD".to_owned(),
        Some(c)
            if (1..=8).contains(&c.get_ref().len())
                && c.get_ref().chars().all(|ch| ch.is_ascii_uppercase()) =>
        {
            c.get_ref().clone()
        }
        Some(c) => return Err(at.at(c, "a currency is 1 to 8 upper-case letters, e.g. \"USD\"")),
    };
    let mut models = Custody::ALL.map(|custody| (custody, CostModel::default_for(custody)));
    for (custody, model) in &mut models {
        let entry = match custody {
            Custody::SharedVm => &section.shared_vm,
            Custody::ProvisionerHsm => &section.provisioner_hsm,
            Custody::CustomerHsm => &section.customer_hsm,
        };
        let Some(entry) = entry else { continue };
        if let Some(setup) = &entry.setup {
            model.setup_micro = amount(setup, at)?;
        }
        if let Some(per_unit) = &entry.per_unit {
            model.per_unit_micro = amount(per_unit, at)?;
        }
        if let Some(weeks) = &entry.weeks {
            model.setup_weeks = *weeks.get_ref();
        }
    }
    Ok((models, currency))
}

/// Returns are analysed one by one on re-created devices: a bound keeps a run's cost
/// close to its lots'.
const MAX_RETURNS: u64 = 10_000;

/// Dies on a wafer when a scenario does not say.
const DEFAULT_DIES_PER_WAFER: u32 = 64;
/// A 300 mm wafer holds a few thousand small dies; this leaves room.
const MAX_DIES_PER_WAFER: u32 = 100_000;

/// A fraction from 0 to 1 as parts per million, or where it is written and why not.
fn fraction_ppm(value: &Spanned<f64>, what: &str, at: &Locator<'_>) -> Result<u32, ScenarioError> {
    let x = *value.get_ref();
    if !(0.0..=1.0).contains(&x) {
        return Err(at.at(value, format!("{what} {x} is not a fraction from 0 to 1")));
    }
    Ok((x * 1e6).round() as u32)
}

/// The `[countermeasures]` section, checked against the target it tunes.
fn countermeasures(
    section: Option<&format::CountermeasuresSection>,
    target: TargetKind,
    at: &Locator<'_>,
) -> Result<Countermeasures, ScenarioError> {
    let Some(section) = section else {
        return Ok(Countermeasures::default());
    };
    let catches = match &section.detector_catch {
        Some(value) => Ratio::per_million(fraction_ppm(value, "detector_catch", at)?),
        None => Ratio::new(3, 4).unwrap_or(Ratio::NEVER),
    };
    if let (Some(catch), None) = (&section.detector_catch, &section.glitch_detectors) {
        return Err(at.at(
            catch,
            "detector_catch says how well the glitch_detectors catch; name them too",
        ));
    }
    if let Some(list) = &section.glitch_detectors
        && let Some(again) = list
            .get_ref()
            .iter()
            .enumerate()
            .find(|(i, name)| {
                list.get_ref()[..*i]
                    .iter()
                    .any(|n| n.get_ref() == name.get_ref())
            })
            .map(|(_, name)| name)
    {
        return Err(at.at(
            again,
            format!("glitch detector {:?} is named twice", again.get_ref()),
        ));
    }
    let detectors = match &section.glitch_detectors {
        None => None,
        Some(list) => Some(
            list.get_ref()
                .iter()
                .map(|name| {
                    GlitchMethod::parse(name.get_ref())
                        .map(|senses| Detector { senses, catches })
                        .ok_or_else(|| {
                            at.at(
                                name,
                                format!(
                                    "unknown glitch method {:?}; known: {}",
                                    name.get_ref(),
                                    GlitchMethod::ALL.map(GlitchMethod::name).join(", ")
                                ),
                            )
                        })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let points = target.fault_points();
    let redundant = match &section.redundant_checks {
        None => None,
        Some(list) => Some(
            list.get_ref()
                .iter()
                .map(|name| {
                    points
                        .iter()
                        .copied()
                        .find(|p| p.name() == name.get_ref())
                        .ok_or_else(|| {
                            at.at(
                                name,
                                format!(
                                    "a {} has no fault point {:?}; it has: {}",
                                    target.name(),
                                    name.get_ref(),
                                    points
                                        .iter()
                                        .map(|p| p.name())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            )
                        })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    if let Some(order) = &section.masking_order
        && *order.get_ref() > 3
    {
        return Err(at.at(order, "masking_order is from 0 to 3"));
    }
    let noise_milli = match &section.noise {
        None => None,
        Some(value) => {
            let x = *value.get_ref();
            if !(0.0..=100.0).contains(&x) {
                return Err(at.at(
                    value,
                    format!("noise {x} is not from 0 to 100 (bits of leakage)"),
                ));
            }
            Some((x * 1000.0).round() as u32)
        }
    };
    let shield = match &section.shield {
        None => None,
        Some(value) => Some(Ratio::per_million(fraction_ppm(value, "shield", at)?)),
    };
    let asic_only = [
        section.puf_bit_error.as_ref().map(Spanned::span),
        section.puf_repetition.as_ref().map(Spanned::span),
        section.sealed_key_store.as_ref().map(Spanned::span),
    ];
    if target != TargetKind::Asic
        && let Some(span) = asic_only.into_iter().flatten().next()
    {
        return Err(at.error(
            span,
            format!(
                "a PUF and a sealed key store are ASIC blocks; a {} has neither",
                target.name()
            ),
        ));
    }
    let puf_bit_error_ppm = match &section.puf_bit_error {
        None => None,
        Some(value) => {
            let ppm = fraction_ppm(value, "puf_bit_error", at)?;
            if ppm >= 500_000 {
                return Err(at.at(
                    value,
                    "puf_bit_error must be below 0.5: at 0.5 a cell has no preferred value",
                ));
            }
            Some(ppm)
        }
    };
    if let Some(repetition) = &section.puf_repetition
        && (repetition.get_ref().is_multiple_of(2) || !(3..=255).contains(repetition.get_ref()))
    {
        return Err(at.at(
            repetition,
            "puf_repetition is odd (so a majority always decides), from 3 to 255",
        ));
    }
    // A PUF that would lose its key in the field is refused where it is written.
    let puf = provsim_devices::puf::PufConfig {
        bit_error_ppm: puf_bit_error_ppm
            .unwrap_or(provsim_devices::puf::PufConfig::DEFAULT.bit_error_ppm),
        repetition: section
            .puf_repetition
            .as_ref()
            .map_or(provsim_devices::puf::PufConfig::DEFAULT.repetition, |r| {
                *r.get_ref()
            }),
    };
    if let Some(problem) = puf.problem() {
        let span = section
            .puf_repetition
            .as_ref()
            .map(Spanned::span)
            .or(section.puf_bit_error.as_ref().map(Spanned::span))
            .unwrap_or(0..0);
        return Err(at.error(span, problem));
    }
    Ok(Countermeasures {
        detectors,
        redundant,
        hardened_booleans: section.hardened_booleans,
        power: section.power_model.map(|p| match p {
            format::PowerModel::HammingWeight => PowerModel::HammingWeight,
            format::PowerModel::HammingDistance => PowerModel::HammingDistance,
        }),
        noise_milli,
        masking_order: section.masking_order.as_ref().map(|o| *o.get_ref()),
        shield,
        puf_bit_error_ppm,
        puf_repetition: section.puf_repetition.as_ref().map(|r| *r.get_ref()),
        sealed_key_store: section.sealed_key_store.as_ref().map(|s| *s.get_ref()),
    })
}

/// The most a link delay or timer may be, in milliseconds: a minute.
const MAX_LINK_MS: u64 = 60_000;
/// The most resends or handshakes a scenario may allow.
const MAX_LINK_TRIES: u32 = 100;

/// The `[link]` section, or a clean network with the default retries.
fn link_config(
    section: Option<&format::LinkSection>,
    at: &Locator<'_>,
) -> Result<LinkConfig, ScenarioError> {
    let clean = LinkConfig::CLEAN;
    let Some(section) = section else {
        return Ok(clean);
    };
    let millis = |value: &Option<Spanned<u64>>,
                  default: SimDuration,
                  least: u64,
                  what: &str|
     -> Result<SimDuration, ScenarioError> {
        let Some(value) = value else {
            return Ok(default);
        };
        let ms = *value.get_ref();
        if !(least..=MAX_LINK_MS).contains(&ms) {
            return Err(at.at(
                value,
                format!("{what} is from {least} to {MAX_LINK_MS} milliseconds"),
            ));
        }
        Ok(SimDuration::from_millis(ms))
    };
    let ppm = |value: &Option<Spanned<f64>>, what: &str| -> Result<u32, ScenarioError> {
        let Some(value) = value else {
            return Ok(0);
        };
        let x = *value.get_ref();
        if !(0.0..=1.0).contains(&x) {
            return Err(at.at(
                value,
                format!("{what} {x} is not a fraction from 0 to 1 (0.05 means 5 % of datagrams)"),
            ));
        }
        Ok((x * 1e6).round() as u32)
    };
    let tries = |value: &Option<Spanned<u32>>,
                 default: u32,
                 least: u32,
                 what: &str|
     -> Result<u32, ScenarioError> {
        let Some(value) = value else {
            return Ok(default);
        };
        let n = *value.get_ref();
        if !(least..=MAX_LINK_TRIES).contains(&n) {
            return Err(at.at(value, format!("{what} is from {least} to {MAX_LINK_TRIES}")));
        }
        Ok(n)
    };
    let config = LinkConfig {
        faults: Faults {
            drop_ppm: ppm(&section.drop, "drop")?,
            duplicate_ppm: ppm(&section.duplicate, "duplicate")?,
            tamper_ppm: ppm(&section.tamper, "tamper")?,
            replay_ppm: ppm(&section.replay, "replay")?,
            jitter: millis(&section.jitter_ms, SimDuration::ZERO, 0, "jitter_ms")?,
        },
        latency: millis(&section.latency_ms, clean.latency, 0, "latency_ms")?,
        policy: RetryPolicy {
            resend_after: millis(
                &section.resend_after_ms,
                clean.policy.resend_after,
                1,
                "resend_after_ms",
            )?,
            resends_per_link: tries(
                &section.resends,
                clean.policy.resends_per_link,
                0,
                "resends",
            )?,
            handshakes: tries(
                &section.handshakes,
                clean.policy.handshakes,
                1,
                "handshakes",
            )?,
        },
        on_failure: match section.on_failure {
            None | Some(format::OnLinkFailure::RejectDevice) => OnLinkFailure::RejectDevice,
            Some(format::OnLinkFailure::StopLine) => OnLinkFailure::StopLine,
        },
    };
    if let Some(problem) = config.problem() {
        // Pointed at the timer if it is written, else at what makes the round trip.
        let span = [
            &section.resend_after_ms,
            &section.latency_ms,
            &section.jitter_ms,
        ]
        .into_iter()
        .find_map(|v| v.as_ref().map(Spanned::span))
        .unwrap_or(0..0);
        return Err(at.error(span, problem));
    }
    Ok(config)
}

/// Each level's test yield, from fractions to whole parts per million.
fn yields(file: &File, at: &Locator<'_>) -> Result<Yields, ScenarioError> {
    let Some(section) = &file.yields else {
        return Ok(Yields::PERFECT);
    };
    let ppm = |value: &Option<Spanned<f64>>| -> Result<u32, ScenarioError> {
        let Some(value) = value else {
            return Ok(PERFECT_YIELD_PPM);
        };
        let y = *value.get_ref();
        if !(0.0..=1.0).contains(&y) {
            return Err(at.at(
                value,
                format!("yield {y} is not a fraction from 0 to 1 (0.97 means 97 % pass)"),
            ));
        }
        // Converted once, here: everything after works in whole parts per million.
        Ok((y * f64::from(PERFECT_YIELD_PPM)).round() as u32)
    };
    Ok(Yields {
        wafer: ppm(&section.wafer)?,
        package: ppm(&section.package)?,
        board: ppm(&section.board)?,
    })
}

/// The station's lock sequence: the `[[lock]]` steps as written, or the safe order
/// derived from `[mcu]` and `lock_debug`.
fn lock_sequence(file: &File, at: &Locator<'_>) -> Result<Vec<LockStep>, ScenarioError> {
    let mcu = file.mcu.as_ref();
    let lock_debug = file.line.lock_debug.as_ref();
    let Some(locks) = &file.locks else {
        let mut steps = Vec::new();
        let boot = mcu.and_then(|m| m.boot.as_ref()).map(|b| *b.get_ref());
        if boot != Some(format::Boot::Unverified) {
            steps.push(LockStep::Fuse(Fuse::SecureBoot));
        }
        if mcu
            .and_then(|m| m.secure_region.as_ref())
            .is_some_and(|s| *s.get_ref())
        {
            steps.push(LockStep::SecureRegion);
        }
        if let Some(rdp) = mcu.and_then(|m| m.rdp.as_ref()) {
            match *rdp.get_ref() {
                0 => {}
                level @ (1 | 2) => steps.push(LockStep::Rdp(level)),
                level => {
                    return Err(at.at(
                        rdp,
                        format!("rdp {level} does not exist, expected 0, 1 or 2"),
                    ));
                }
            }
        }
        if let Some(lock) = lock_debug.filter(|l| *l.get_ref()) {
            if let Some(LockStep::Rdp(level)) = steps.last() {
                // Each closes the debug port, and each shuts the other out: at RDP 1 or 2
                // the debugger can no longer blow fuses, and a blown lock fuse leaves no
                // port to set RDP through. A line must pick one.
                return Err(at.at(
                    lock,
                    format!(
                        "`lock_debug = true` cannot follow `rdp = {level}`: at RDP {level} the debugger \
                         can no longer blow the debug-lock fuse; choose one (rdp = 2 is the \
                         permanent lock), or give [[lock]] steps to see what each order does"
                    ),
                ));
            }
            steps.push(LockStep::Fuse(Fuse::DebugLock));
        }
        return Ok(steps);
    };
    // One way to say it: an explicit sequence replaces the derived one whole.
    let derived_too = [
        mcu.and_then(|m| m.boot.as_ref()).map(Spanned::span),
        mcu.and_then(|m| m.rdp.as_ref()).map(Spanned::span),
        mcu.and_then(|m| m.secure_region.as_ref())
            .map(Spanned::span),
        lock_debug.filter(|l| *l.get_ref()).map(Spanned::span),
    ];
    if let Some(span) = derived_too.into_iter().flatten().next() {
        return Err(at.error(
            span,
            "[[lock]] steps give the whole lock sequence; remove this setting or the [[lock]] steps",
        ));
    }
    let mut steps = Vec::with_capacity(locks.get_ref().len());
    for lock in locks.get_ref() {
        let step = match lock.step.get_ref().as_str() {
            "rdp" => {
                if let Some(fuse) = &lock.fuse {
                    return Err(at.at(fuse, "an `rdp` step takes `level`, not `fuse`"));
                }
                let Some(level) = &lock.level else {
                    return Err(at.at(&lock.step, "an `rdp` step needs `level` (0, 1 or 2)"));
                };
                if *level.get_ref() > 2 {
                    return Err(at.at(
                        level,
                        format!("rdp {} does not exist, expected 0, 1 or 2", level.get_ref()),
                    ));
                }
                LockStep::Rdp(*level.get_ref())
            }
            "fuse" => {
                if let Some(level) = &lock.level {
                    return Err(at.at(level, "a `fuse` step takes `fuse`, not `level`"));
                }
                let Some(fuse) = &lock.fuse else {
                    return Err(at.at(
                        &lock.step,
                        "a `fuse` step needs `fuse` (debug-lock or secure-boot)",
                    ));
                };
                let Some(parsed) = Fuse::parse(fuse.get_ref()) else {
                    return Err(at.at(
                        fuse,
                        format!(
                            "unknown fuse `{}`, expected debug-lock or secure-boot",
                            fuse.get_ref()
                        ),
                    ));
                };
                LockStep::Fuse(parsed)
            }
            "secure-region" => {
                if let Some(extra) = lock
                    .level
                    .as_ref()
                    .map(Spanned::span)
                    .or(lock.fuse.as_ref().map(Spanned::span))
                {
                    return Err(at.error(extra, "a `secure-region` step takes no other setting"));
                }
                LockStep::SecureRegion
            }
            other => {
                return Err(at.at(
                    &lock.step,
                    format!("unknown lock step `{other}`, expected rdp, secure-region or fuse"),
                ));
            }
        };
        steps.push(step);
    }
    Ok(steps)
}

#[cfg(test)]
mod tests;
