//! The report: a run's typed results written down as the result model.

use super::applicability::applicability;
use super::attempts::attempt_info;
use super::claims::claim_info;
use super::costs::costs_info;
use super::glitch_map::glitch_map;
use super::line::{devices_info, line_info};
use super::locks::locks_info;
use super::site::site_info;
use crate::error::RunError;
use crate::model::{JobsInfo, Reproduce, RunReport, ScenarioInfo};
use crate::runner::execute::Run;

/// The report of `run`. Its reproduce value carries no shell line: the command line
/// writes that. It reads the shipped identities back from the run's ledger.
pub fn report(run: &Run<'_>) -> Result<RunReport, RunError> {
    let scenario = run.scenario;
    Ok(RunReport {
        tool: format!("provsim {}", env!("CARGO_PKG_VERSION")),
        scenario: ScenarioInfo {
            name: scenario.name.clone(),
            title: scenario.title.clone(),
            source: scenario.source.clone(),
            input_digest: scenario.input.to_string(),
            sha256: provsim_sim::to_hex(&provsim_sim::crypto::Sha256::digest(
                scenario.text.as_bytes(),
            )),
            text: scenario.text.clone(),
        },
        seed: run.options.seed,
        trace_digest: run.digest.to_string(),
        run_id: run.scenario.run_id(run.options.seed).to_string(),
        reproduce: Reproduce {
            scenario: run.options.scenario.clone(),
            seed: run.options.seed,
            devices: None,
            command: None,
        },
        verdict: run.verdict(),
        site: site_info(scenario, &run.keys),
        line: line_info(scenario, &run.line),
        devices: devices_info(&run.line)?,
        locks: locks_info(&run.what_if),
        attempts: run
            .attempts
            .iter()
            .map(|attempt| attempt_info(scenario, attempt))
            .collect(),
        glitch_map: glitch_map(&run.attempts),
        claims: scenario
            .claims
            .iter()
            .zip(&run.judgements)
            .enumerate()
            .map(|(index, (claim, judgement))| claim_info(index, claim, judgement, &run.attempts))
            .collect(),
        applicability: applicability(scenario, &run.attempts),
        costs: costs_info(scenario),
        jobs: JobsInfo {
            devices_by_job: run.line.jobs.devices_by_job.clone(),
            ready: run.line.jobs.ready,
            computed: run.line.jobs.computed,
        },
    })
}
