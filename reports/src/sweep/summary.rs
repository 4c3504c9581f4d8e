//! A sweep's summary: per claim, on how many seeds it broke, with a Wilson 95%
//! interval, the lowest seed that broke it and how to rerun that seed, and how the
//! lowest breaking totals are spread. Built from the seeds' records alone, in seed
//! order, so a sweep run with any number of jobs, or in shards merged afterwards,
//! gives the same bytes.

use super::record::SeedRecord;
use super::wilson::wilson;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a sweep is of, as its summary and each shard's manifest say it: two shards
/// merge only if these agree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepHeader {
    /// `provsim` and its version.
    pub tool: String,
    pub scenario: String,
    /// The canonical digest of the scenario's values.
    pub input_digest: String,
    /// The scenario argument as given (a path or a built-in's name); none for the
    /// built-in default.
    pub argument: Option<String>,
    /// The seeds, as `--seeds` gave them (normalised: `A..B` or `A,B,C`).
    pub seeds: String,
    pub claims: Vec<ClaimHeader>,
}

/// A claim as the scenario makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimHeader {
    pub id: String,
    pub requirement: String,
    pub resistance: String,
}

/// How many seeds each run verdict had.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerdictCounts {
    pub holds: u64,
    pub broken: u64,
    pub inconclusive: u64,
}

impl VerdictCounts {
    fn count(&mut self, verdict: &str) {
        match verdict {
            "holds" => self.holds += 1,
            "broken" => self.broken += 1,
            _ => self.inconclusive += 1,
        }
    }
}

/// How many seeds broke a claim at one lowest breaking total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TotalCount {
    pub total: u32,
    pub seeds: u64,
}

/// One claim over the sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimSweep {
    pub id: String,
    pub requirement: String,
    pub resistance: String,
    pub verdicts: VerdictCounts,
    /// Broken seeds over all seeds, to six places.
    pub break_rate: f64,
    /// The Wilson 95% interval of the break rate, to six places.
    pub wilson95: [f64; 2],
    pub broken_seeds: Vec<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lowest_breaking_seed: Option<u64>,
    /// The command that reruns that seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reproduce: Option<String>,
    /// The lowest breaking total of each broken seed, counted by total, lowest first.
    pub lowest_breaking_totals: Vec<TotalCount>,
}

/// The whole summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepSummary {
    #[serde(flatten)]
    pub header: SweepHeader,
    /// Seeds run.
    pub runs: u64,
    pub verdicts: VerdictCounts,
    pub claims: Vec<ClaimSweep>,
}

fn six_places(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The command that reruns `seed` of the sweep's scenario.
pub fn reproduce_line(argument: Option<&str>, seed: u64) -> String {
    match argument {
        Some(scenario) => format!("provsim run {} --seed {seed}", shell_word(scenario)),
        None => format!("provsim run --seed {seed}"),
    }
}

/// `word` as a shell reads it back: bare when it is plain, else single-quoted.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:+=@%,".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

impl SweepSummary {
    /// The summary of `records` (any order: they are taken in seed order).
    pub fn of(header: SweepHeader, records: &[SeedRecord]) -> SweepSummary {
        let mut records: Vec<&SeedRecord> = records.iter().collect();
        records.sort_by_key(|r| r.seed);
        let mut verdicts = VerdictCounts::default();
        for record in &records {
            verdicts.count(&record.verdict);
        }
        let runs = records.len() as u64;
        let claims = header
            .claims
            .iter()
            .map(|claim| claim_sweep(claim, &records, header.argument.as_deref()))
            .collect();
        SweepSummary {
            header,
            runs,
            verdicts,
            claims,
        }
    }

    /// Whether any seed broke any claim.
    pub fn any_broken(&self) -> bool {
        self.verdicts.broken > 0
    }
}

fn claim_sweep(claim: &ClaimHeader, records: &[&SeedRecord], argument: Option<&str>) -> ClaimSweep {
    let mut verdicts = VerdictCounts::default();
    let mut broken_seeds = Vec::new();
    let mut totals: BTreeMap<u32, u64> = BTreeMap::new();
    for record in records {
        let Some(outcome) = record.claims.iter().find(|c| c.id == claim.id) else {
            verdicts.count("inconclusive");
            continue;
        };
        verdicts.count(&outcome.verdict);
        if outcome.verdict == "broken" {
            broken_seeds.push(record.seed);
            if let Some(total) = outcome.lowest_breaking_total {
                *totals.entry(total).or_default() += 1;
            }
        }
    }
    let n = records.len() as u64;
    let k = broken_seeds.len() as u64;
    let (low, high) = wilson(k, n);
    let lowest = broken_seeds.first().copied();
    ClaimSweep {
        id: claim.id.clone(),
        requirement: claim.requirement.clone(),
        resistance: claim.resistance.clone(),
        verdicts,
        break_rate: if n == 0 {
            0.0
        } else {
            six_places(k as f64 / n as f64)
        },
        wilson95: [six_places(low), six_places(high)],
        broken_seeds,
        lowest_breaking_seed: lowest,
        reproduce: lowest.map(|seed| reproduce_line(argument, seed)),
        lowest_breaking_totals: totals
            .into_iter()
            .map(|(total, seeds)| TotalCount { total, seeds })
            .collect(),
    }
}
