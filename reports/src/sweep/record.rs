//! One seed of a sweep, as its line in `seeds.jsonl` says it: the run's verdict, each
//! claim's verdict and lowest breaking total, and the trace digest that lets anyone
//! check a rerun of that seed came out the same.

use provsim_scenarios::RunReport;
use serde::{Deserialize, Serialize};

/// A claim's outcome on one seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedClaim {
    pub id: String,
    /// `holds`, `broken` or `inconclusive`.
    pub verdict: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lowest_breaking_total: Option<u32>,
}

/// One seed's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedRecord {
    pub seed: u64,
    pub verdict: String,
    /// The run's trace digest.
    pub digest: String,
    pub claims: Vec<SeedClaim>,
}

impl SeedRecord {
    /// What a run at one seed came to.
    pub fn of(report: &RunReport) -> SeedRecord {
        SeedRecord {
            seed: report.seed,
            verdict: report.verdict.name().to_owned(),
            digest: report.trace_digest.clone(),
            claims: report
                .claims
                .iter()
                .map(|claim| SeedClaim {
                    id: claim.id.clone(),
                    verdict: claim.verdict.name().to_owned(),
                    lowest_breaking_total: claim.lowest_breaking_total,
                })
                .collect(),
        }
    }

    /// The line `seeds.jsonl` holds for it (no newline).
    pub fn to_line(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    /// A line of `seeds.jsonl`, read back.
    pub fn from_line(line: &str) -> Result<SeedRecord, serde_json::Error> {
        serde_json::from_str(line)
    }

    /// Whether any claim broke on this seed.
    pub fn broke(&self) -> bool {
        self.verdict == "broken"
    }
}
