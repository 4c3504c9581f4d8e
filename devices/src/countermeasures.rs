//! How a scenario tunes a target's physical countermeasures: glitch detectors,
//! redundant and hardened checks, the leakage model's masking, shield and noise, and an
//! ASIC's PUF and key-store sealing. Each field left out keeps the target kind's own.

use crate::fault::{Detector, FaultModel, FaultPoint, Ratio};
use crate::leakage::{LeakageModel, PowerModel};
use crate::protections::{Protections, PufKeyStore};
use crate::puf::PufConfig;
use crate::target::TargetKind;
use crate::weakness::{Weakness, Weaknesses};

/// How a scenario tunes a target's countermeasures, field by field; each `None` keeps
/// what the kind has by default (a stock MCU: none; the ASIC: its full IP).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Countermeasures {
    pub detectors: Option<Vec<Detector>>,
    pub redundant: Option<Vec<FaultPoint>>,
    pub hardened_booleans: Option<bool>,
    pub power: Option<PowerModel>,
    pub noise_milli: Option<u32>,
    pub masking_order: Option<u8>,
    pub shield: Option<Ratio>,
    /// Only for a kind with a PUF-sealed key store.
    pub puf_bit_error_ppm: Option<u32>,
    /// Only for a kind with a PUF-sealed key store.
    pub puf_repetition: Option<u16>,
    /// Only for a kind with a PUF-sealed key store.
    pub sealed_key_store: Option<bool>,
    /// Protections the scenario leaves out of the model (none unless named).
    pub weaknesses: Vec<Weakness>,
}

impl Countermeasures {
    /// Why these cannot apply to `kind`, if they cannot.
    pub fn problem(&self, kind: TargetKind) -> Option<String> {
        let profile = kind.profile();
        let tunes_puf = self.puf_bit_error_ppm.is_some()
            || self.puf_repetition.is_some()
            || self.sealed_key_store.is_some();
        if tunes_puf && !profile.has_puf_key_store() {
            return Some(format!(
                "a PUF and a sealed key store are ASIC blocks; a {} has neither",
                profile.name
            ));
        }
        if let Some(w) = self.weaknesses.iter().find(|w| !w.applies_to(kind)) {
            return Some(format!(
                "a {} does not implement what {} weakens ({})",
                profile.name,
                w.name(),
                w.disables()
            ));
        }
        if let Some(problem) = self.puf(PufConfig::DEFAULT).problem() {
            return Some(problem);
        }
        self.redundant
            .iter()
            .flatten()
            .find(|p| !profile.fault_points.contains(p))
            .map(|p| {
                format!(
                    "a {} has no {} check to make redundant",
                    profile.name,
                    p.name()
                )
            })
    }

    /// `shipped` (a kind's countermeasures as it ships) with every field these set in
    /// place of its own.
    pub fn apply(&self, shipped: Protections) -> Protections {
        Protections {
            faults: self.faults(shipped.faults),
            leakage: self.leakage(shipped.leakage),
            puf_key_store: shipped.puf_key_store.map(|blocks| PufKeyStore {
                puf: self.puf(blocks.puf),
                sealed: self.sealed_key_store.unwrap_or(blocks.sealed),
            }),
            weaknesses: Weaknesses::new(self.weaknesses.iter().copied()),
        }
    }

    /// What a part of `kind` built with these has, in words, block by block: for
    /// reports.
    pub fn describe(&self, kind: TargetKind) -> Vec<String> {
        let Protections {
            faults,
            leakage,
            puf_key_store,
            weaknesses,
        } = self.apply((kind.profile().shipped)());
        let c = &faults.countermeasures;
        let mut out = vec![
            match c.detectors.as_slice() {
                [] => "glitch detectors: none".to_owned(),
                detectors => format!(
                    "glitch detectors: {}",
                    detectors
                        .iter()
                        .map(|d| format!("{} (catches {})", d.senses.name(), percent(d.catches)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
            format!(
                "redundant checks: {}",
                if c.redundant.is_empty() {
                    "none".to_owned()
                } else {
                    c.redundant
                        .iter()
                        .map(|p| p.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
            format!(
                "hardened booleans: {}",
                if c.hardened_booleans { "yes" } else { "no" }
            ),
            format!(
                "leakage: {} with noise {} bits, masking order {}, shield passes {}",
                match leakage.power {
                    PowerModel::HammingWeight => "Hamming weight",
                    PowerModel::HammingDistance => "Hamming distance",
                },
                decimal(u128::from(leakage.noise_milli), 3),
                leakage.masking_order,
                percent(leakage.shield)
            ),
        ];
        if let Some(PufKeyStore { puf, sealed }) = puf_key_store {
            out.push(format!(
                "PUF: {} ppm bit errors, {}-cell repetition code",
                puf.bit_error_ppm, puf.repetition
            ));
            out.push(format!(
                "sealed key store: {}",
                if sealed { "yes" } else { "no" }
            ));
        }
        for weakness in weaknesses.iter() {
            out.push(format!(
                "weakness {}: disables {}",
                weakness.name(),
                weakness.disables()
            ));
        }
        out
    }

    fn faults(&self, mut model: FaultModel) -> FaultModel {
        let c = &mut model.countermeasures;
        if let Some(detectors) = &self.detectors {
            c.detectors = detectors.clone();
        }
        if let Some(redundant) = &self.redundant {
            c.redundant = redundant.clone();
        }
        if let Some(hardened) = self.hardened_booleans {
            c.hardened_booleans = hardened;
        }
        model
    }

    fn leakage(&self, mut model: LeakageModel) -> LeakageModel {
        model.power = self.power.unwrap_or(model.power);
        model.noise_milli = self.noise_milli.unwrap_or(model.noise_milli);
        model.masking_order = self.masking_order.unwrap_or(model.masking_order);
        model.shield = self.shield.unwrap_or(model.shield);
        model
    }

    fn puf(&self, mut puf: PufConfig) -> PufConfig {
        puf.bit_error_ppm = self.puf_bit_error_ppm.unwrap_or(puf.bit_error_ppm);
        puf.repetition = self.puf_repetition.unwrap_or(puf.repetition);
        puf
    }
}

/// A ratio as a percentage, for reports: computed in integers (parts per million,
/// rounded down), so the text is the same everywhere.
fn percent(ratio: Ratio) -> String {
    let ppm = u128::from(ratio.numerator()) * 1_000_000 / u128::from(ratio.denominator().max(1));
    format!("{}%", decimal(ppm, 4))
}

/// `value / 10^digits` written out, trailing zeros dropped.
fn decimal(value: u128, digits: u32) -> String {
    let scale = 10u128.pow(digits);
    let (whole, fraction) = (value / scale, value % scale);
    if fraction == 0 {
        return whole.to_string();
    }
    let fraction = format!("{fraction:0width$}", width = digits as usize);
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_write_ratios_and_decimals_without_floats() {
        assert_eq!(percent(Ratio::new(3, 4).unwrap()), "75%");
        assert_eq!(percent(Ratio::per_million(290_000)), "29%");
        assert_eq!(percent(Ratio::per_million(70_000)), "7%");
        assert_eq!(percent(Ratio::new(1, 3).unwrap()), "33.3333%");
        assert_eq!(decimal(2_500, 3), "2.5");
        assert_eq!(decimal(1_000, 3), "1");
    }
}
