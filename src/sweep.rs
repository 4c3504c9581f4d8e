//! `provsim sweep`: one scenario over many seeds. Each seed is a whole run (the same as
//! `provsim run --seed S` gives) whose outputs are kept only where asked; what every
//! seed came to goes to `seeds.jsonl`, and the summary over them (per claim: the seeds
//! that broke it, a Wilson 95% interval, the lowest breaking seed and how to rerun it)
//! to `summary.json` and `summary.md`. Seeds run on `--jobs` threads, each seed on one;
//! nothing written depends on which thread ran which seed, so the summary is the same
//! bytes for any number of jobs, and for shards merged afterwards (`provsim merge`).

use crate::output::OutputFolder;
use crate::seeds::SeedSpec;
use crate::shard::Shard;
use anyhow::Context;
use provsim_reports::sweep::{
    ClaimHeader, SeedRecord, SweepHeader, SweepSummary, render_summary_json,
    render_summary_markdown,
};
use provsim_scenarios::{RunOptions, Scenario};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Whose full outputs a sweep keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Keep {
    /// Only seeds that broke a claim.
    Broken,
    /// Every seed.
    All,
    /// None: only the records and the summary.
    None,
}

#[derive(clap::Args)]
pub struct SweepArgs {
    /// Scenario file (TOML) or the name of a built-in scenario. Without it, the built-in
    /// default scenario.
    scenario: Option<PathBuf>,
    /// The seeds: `A..B` (both included) or `A,B,C`.
    #[arg(long, value_name = "A..B|A,B,C")]
    seeds: String,
    /// Seeds run at once, each on its own thread (default: the machine's cores). The
    /// files written are the same for any number.
    #[arg(long, value_name = "J", value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: Option<u16>,
    /// Folder for seeds.jsonl, summary.json, summary.md, sweep.json and the kept runs
    /// (seed-S/).
    #[arg(long, default_value = "provsim-sweep")]
    out: PathBuf,
    /// Whose full outputs to keep.
    #[arg(long, value_enum, default_value = "broken")]
    keep: Keep,
    /// Exit 1 only if some claim's Wilson 95% lower bound on its break rate exceeds R
    /// (0 to 1), instead of whenever any seed broke a claim.
    #[arg(long, value_name = "R")]
    fail_above: Option<f64>,
    /// Run only shard K of N (K from 0): the seeds at positions K, K+N, ... `auto/N`
    /// takes K from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or
    /// SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN (Slurm array).
    #[arg(long, value_name = "K/N|auto/N")]
    shard: Option<String>,
}

/// What `sweep.json` says of the sweep in a folder: what it is of, and which shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepManifest {
    #[serde(flatten)]
    pub header: SweepHeader,
    /// The shard this folder holds; none for the whole sweep.
    pub shard: Option<Shard>,
}

pub fn command(args: SweepArgs) -> ExitCode {
    match sweep(args) {
        Ok(code) => code,
        Err(e) => crate::fail(e),
    }
}

fn sweep(args: SweepArgs) -> anyhow::Result<ExitCode> {
    let spec = SeedSpec::parse(&args.seeds).map_err(anyhow::Error::msg)?;
    let fail_above = fail_above(args.fail_above)?;
    let env = |name: &str| std::env::var(name).ok();
    let shard = match &args.shard {
        Some(text) => Some(Shard::parse(text, &env).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let scenario = crate::load(args.scenario.as_ref())?;
    let argument = args.scenario.as_ref().map(|p| p.display().to_string());
    let seeds = match shard {
        Some(shard) => shard.pick(&spec),
        None => spec.all(),
    };
    let jobs = crate::jobs::jobs_or_cores(args.jobs).min(seeds.len().max(1));
    crate::note(&format!(
        "provsim: sweep of scenario {} ({}): seeds {}{}, {} seed(s) here, {jobs} job(s), keeping {} outputs\n",
        scenario.name,
        scenario.source,
        spec.text,
        shard.map_or(String::new(), |s| format!(
            ", shard {}/{}",
            s.index, s.count
        )),
        seeds.len(),
        match args.keep {
            Keep::Broken => "broken seeds'",
            Keep::All => "every seed's",
            Keep::None => "no",
        }
    ))?;
    crate::note(&format!(
        "provsim: what each seed decides (`provsim run` at one seed also prints its run id):\n{}\n",
        provsim_scenarios::drawn_from_any_seed(&scenario).join("\n")
    ))?;
    let manifest = SweepManifest {
        header: header(&scenario, argument, &spec),
        shard,
    };
    let _held = prepare_folder(&args.out)?;
    let kept = Kept {
        out: &args.out,
        keep: args.keep,
        path: args.scenario.as_ref(),
    };
    let records = run_seeds(
        &scenario,
        manifest.header.argument.as_deref(),
        &seeds,
        jobs,
        &kept,
    )?;
    let summary = write_sweep(&args.out, &manifest, &records)?;
    crate::note(&summary_lines(&summary, &args.out))?;
    Ok(exit_code(&summary, fail_above))
}

/// `--fail-above`, checked.
fn fail_above(given: Option<f64>) -> anyhow::Result<Option<f64>> {
    match given {
        Some(r) if !(0.0..=1.0).contains(&r) => {
            anyhow::bail!("--fail-above {r}: a break rate is from 0 to 1")
        }
        other => Ok(other),
    }
}

/// What the sweep is of, as the summary and the manifest say it.
pub fn header(scenario: &Scenario, argument: Option<String>, spec: &SeedSpec) -> SweepHeader {
    SweepHeader {
        tool: format!("provsim {}", env!("CARGO_PKG_VERSION")),
        scenario: scenario.name.clone(),
        input_digest: scenario.input.to_string(),
        argument,
        seeds: spec.text.clone(),
        claims: scenario
            .claims
            .iter()
            .map(|claim| ClaimHeader {
                id: claim.id.to_owned(),
                requirement: claim.requirement.to_owned(),
                resistance: claim.resistance.name().to_owned(),
            })
            .collect(),
    }
}

/// Where kept runs go.
struct Kept<'a> {
    out: &'a Path,
    keep: Keep,
    path: Option<&'a PathBuf>,
}

impl Kept<'_> {
    /// Writes seed `seed`'s whole run into `seed-S/`, exactly as `provsim run` would,
    /// and returns its record.
    fn write(&self, scenario: &Scenario, seed: u64) -> anyhow::Result<SeedRecord> {
        let folder = self.out.join(format!("seed-{seed}"));
        let quiet = &mut |_: &str| Ok(());
        let report = crate::pipeline(
            scenario,
            (self.path, None),
            (seed, 1),
            &folder,
            quiet,
            false,
        )?;
        Ok(SeedRecord::of(&report))
    }
}

/// Runs every seed, `jobs` at a time, and returns their records in seed order.
fn run_seeds(
    scenario: &Scenario,
    argument: Option<&str>,
    seeds: &[u64],
    jobs: usize,
    kept: &Kept<'_>,
) -> anyhow::Result<Vec<SeedRecord>> {
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<anyhow::Result<SeedRecord>>>> =
        Mutex::new((0..seeds.len()).map(|_| None).collect());
    let progress = Progress::new(seeds.len());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let at = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&seed) = seeds.get(at) else { break };
                    let outcome = run_seed(scenario, argument, seed, kept);
                    let broke = outcome.as_ref().is_ok_and(SeedRecord::broke);
                    if let Ok(mut done) = done.lock() {
                        done[at] = Some(outcome);
                    }
                    progress.tick(broke);
                }
            });
        }
    });
    progress.finish();
    let done = done
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a seed's run stopped the sweep"))?;
    done.into_iter()
        .zip(seeds)
        .map(|(outcome, seed)| {
            outcome
                .unwrap_or_else(|| Err(anyhow::anyhow!("seed {seed} was never run")))
                .with_context(|| format!("seed {seed}"))
        })
        .collect()
}

/// One seed: its run, with outputs kept as asked.
fn run_seed(
    scenario: &Scenario,
    argument: Option<&str>,
    seed: u64,
    kept: &Kept<'_>,
) -> anyhow::Result<SeedRecord> {
    if kept.keep == Keep::All {
        return kept.write(scenario, seed);
    }
    let options = RunOptions::new(seed, argument).with_jobs(1);
    let report = provsim_scenarios::run(scenario, &options, &mut ())?;
    let record = SeedRecord::of(&report);
    // Only a broken seed's run is written: run once more, into its folder (the same
    // run, so the same record).
    if kept.keep == Keep::Broken && record.broke() {
        return kept.write(scenario, seed);
    }
    Ok(record)
}

/// Takes `dir` as `provsim run` takes an output folder (created if need be, refused
/// if it holds files no provsim wrote, locked against another run or sweep for as long
/// as the returned handle lives), then clears what a previous sweep there left: its
/// kept runs and its files. A sweep stopped part way leaves the lock file, so the
/// same command runs again into the same folder.
pub fn prepare_folder(dir: &Path) -> anyhow::Result<OutputFolder> {
    let held = OutputFolder::claim(dir)?;
    let entries: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    for entry in entries {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let earlier_file = ["seeds.jsonl", "summary.json", "summary.md", "sweep.json"]
            .iter()
            .any(|f| name == *f || name == format!("{f}.partial"));
        if name.starts_with("seed-") && entry.is_dir() {
            fs::remove_dir_all(&entry).with_context(|| format!("removing {}", entry.display()))?;
        } else if earlier_file {
            fs::remove_file(&entry).with_context(|| format!("removing {}", entry.display()))?;
        }
    }
    Ok(held)
}

/// Writes `seeds.jsonl`, `summary.json`, `summary.md` and `sweep.json` for `records`,
/// `sweep.json` last: a folder with one holds a whole sweep (or shard).
pub fn write_sweep(
    dir: &Path,
    manifest: &SweepManifest,
    records: &[SeedRecord],
) -> anyhow::Result<SweepSummary> {
    let mut records = records.to_vec();
    records.sort_by_key(|r| r.seed);
    let mut lines = String::new();
    for record in &records {
        lines.push_str(&record.to_line()?);
        lines.push('\n');
    }
    let summary = SweepSummary::of(manifest.header.clone(), &records);
    write(dir, "seeds.jsonl", &lines)?;
    write(dir, "summary.json", &render_summary_json(&summary)?)?;
    write(dir, "summary.md", &render_summary_markdown(&summary))?;
    let mut text = serde_json::to_string_pretty(manifest)?;
    text.push('\n');
    write(dir, "sweep.json", &text)?;
    Ok(summary)
}

fn write(dir: &Path, name: &str, text: &str) -> anyhow::Result<()> {
    let partial = dir.join(format!("{name}.partial"));
    fs::write(&partial, text).with_context(|| format!("writing {}", partial.display()))?;
    fs::rename(&partial, dir.join(name)).with_context(|| format!("writing {name}"))
}

/// What the command line says once the sweep is written.
pub fn summary_lines(summary: &SweepSummary, out: &Path) -> String {
    let mut text = format!(
        "provsim: {} seed(s): {} broken, {} inconclusive, {} hold; summary in {}\n",
        summary.runs,
        summary.verdicts.broken,
        summary.verdicts.inconclusive,
        summary.verdicts.holds,
        out.join("summary.md").display()
    );
    for claim in &summary.claims {
        text.push_str(&format!(
            "  {}: broken on {} of {} seed(s), rate {:.4}, Wilson 95% [{:.4}, {:.4}]",
            claim.id,
            claim.verdicts.broken,
            summary.runs,
            claim.break_rate,
            claim.wilson95[0],
            claim.wilson95[1]
        ));
        if let Some(line) = &claim.reproduce {
            text.push_str(&format!("; rerun the lowest: {line}"));
        }
        text.push('\n');
    }
    text
}

/// 1 when a seed broke a claim (with `fail_above`, only when some claim's Wilson lower
/// bound exceeds it); else 3 when a seed was inconclusive (with `fail_above`, whatever
/// broke below the bar); else 0.
pub fn exit_code(summary: &SweepSummary, fail_above: Option<f64>) -> ExitCode {
    let failed = match fail_above {
        None => summary.any_broken(),
        Some(r) => summary.claims.iter().any(|c| c.wilson95[0] > r),
    };
    if failed {
        ExitCode::from(1)
    } else if summary.verdicts.inconclusive > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}

/// The seeds' progress bar (see [`crate::progress`]), counting breaks across jobs.
struct Progress {
    bar: crate::progress::Progress,
    broken: AtomicUsize,
}

impl Progress {
    fn new(seeds: usize) -> Progress {
        Progress {
            bar: crate::progress::Progress::new(seeds as u64, "seeds", true),
            broken: AtomicUsize::new(0),
        }
    }

    fn tick(&self, broke: bool) {
        let broken =
            self.broken.fetch_add(usize::from(broke), Ordering::Relaxed) + usize::from(broke);
        self.bar.tick(Some(broken));
    }

    fn finish(&self) {
        self.bar.finish();
    }
}
