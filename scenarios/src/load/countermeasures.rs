//! `[countermeasures]`: the target's fault and leakage countermeasures (and an ASIC's
//! PUF and key store), each checked against the target kind it tunes.

use super::locator::{Expected, Locator};
use crate::error::ScenarioError;
use provsim_devices::fault::{Detector, FaultPoint, GlitchMethod, Ratio};
use provsim_devices::leakage::PowerModel as PowerModelConfig;
use provsim_devices::{Countermeasures, TargetKind, Weakness};
use serde::Deserialize;
use toml::Spanned;

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
    /// Protections the model leaves out, by name (`provsim list weaknesses`).
    pub weaknesses: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PowerModel {
    HammingWeight,
    HammingDistance,
}

/// A fraction from 0 to 1 as parts per million, or where it is written and why not.
fn fraction_ppm(value: &Spanned<f64>, what: &str, at: &Locator<'_>) -> Result<u32, ScenarioError> {
    let x = *value.get_ref();
    if !(0.0..=1.0).contains(&x) {
        return Err(at.at(value, format!("{what} {x} is not a fraction from 0 to 1")));
    }
    Ok((x * 1e6).round() as u32)
}

/// The `[countermeasures]` section, checked against the target it tunes.
pub fn countermeasures(
    section: Option<&CountermeasuresSection>,
    target: TargetKind,
    at: &Locator<'_>,
) -> Result<Countermeasures, ScenarioError> {
    let Some(section) = section else {
        return Ok(Countermeasures::default());
    };
    let detectors = detectors(section, at)?;
    let redundant = redundant_checks(section, target, at)?;
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
    let puf_bit_error_ppm = puf(section, target, at)?;
    let weaknesses = weaknesses(section, target, at)?;
    Ok(Countermeasures {
        detectors,
        redundant,
        hardened_booleans: section.hardened_booleans,
        power: section.power_model.map(|p| match p {
            PowerModel::HammingWeight => PowerModelConfig::HammingWeight,
            PowerModel::HammingDistance => PowerModelConfig::HammingDistance,
        }),
        noise_milli,
        masking_order: section.masking_order.as_ref().map(|o| *o.get_ref()),
        shield,
        puf_bit_error_ppm,
        puf_repetition: section.puf_repetition.as_ref().map(|r| *r.get_ref()),
        sealed_key_store: section.sealed_key_store.as_ref().map(|s| *s.get_ref()),
        weaknesses,
    })
}

/// The glitch detectors, each named once, all catching `detector_catch` of their
/// method's glitches.
fn detectors(
    section: &CountermeasuresSection,
    at: &Locator<'_>,
) -> Result<Option<Vec<Detector>>, ScenarioError> {
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
    let Some(list) = &section.glitch_detectors else {
        return Ok(None);
    };
    let known = GlitchMethod::ALL.map(GlitchMethod::name);
    list.get_ref()
        .iter()
        .map(|name| {
            GlitchMethod::parse(name.get_ref())
                .map(|senses| Detector { senses, catches })
                .ok_or_else(|| at.unknown(name, "glitch method", Expected::Known(&known)))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The fault points whose check is computed twice: each must be one of the target's.
fn redundant_checks(
    section: &CountermeasuresSection,
    target: TargetKind,
    at: &Locator<'_>,
) -> Result<Option<Vec<FaultPoint>>, ScenarioError> {
    let Some(list) = &section.redundant_checks else {
        return Ok(None);
    };
    let points = target.fault_points();
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
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The weaknesses named, each known, once, and implemented by the target's model.
fn weaknesses(
    section: &CountermeasuresSection,
    target: TargetKind,
    at: &Locator<'_>,
) -> Result<Vec<Weakness>, ScenarioError> {
    let Some(list) = &section.weaknesses else {
        return Ok(Vec::new());
    };
    let known: Vec<&str> = Weakness::ALL.iter().map(|w| w.name()).collect();
    let mut out: Vec<Weakness> = Vec::new();
    for name in list.get_ref() {
        let Some(weakness) = Weakness::from_name(name.get_ref()) else {
            return Err(at.unknown(name, "weakness", Expected::OneOf(&known)));
        };
        if out.contains(&weakness) {
            return Err(at.at(name, format!("weakness {} is named twice", weakness.name())));
        }
        if !weakness.applies_to(target) {
            return Err(at.at(
                name,
                format!(
                    "a {} does not implement what {} weakens ({})",
                    target.name(),
                    weakness.name(),
                    weakness.disables()
                ),
            ));
        }
        out.push(weakness);
    }
    Ok(out)
}

/// The ASIC's PUF settings: refused on other targets, and refused where written when
/// the PUF would lose its key in the field. Returns the bit-error rate, if given.
fn puf(
    section: &CountermeasuresSection,
    target: TargetKind,
    at: &Locator<'_>,
) -> Result<Option<u32>, ScenarioError> {
    let asic_only = [
        section.puf_bit_error.as_ref().map(Spanned::span),
        section.puf_repetition.as_ref().map(Spanned::span),
        section.sealed_key_store.as_ref().map(Spanned::span),
    ];
    if !target.profile().has_puf_key_store()
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
    Ok(puf_bit_error_ppm)
}
