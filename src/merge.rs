//! `provsim merge DIR...`: a sweep's shards put back together. Each shard's folder says
//! what it is of (`sweep.json`) and what each of its seeds came to (`seeds.jsonl`);
//! the merge checks they are shards of one sweep (the same scenario values, provsim
//! version, seeds and claims), that no seed was run twice and none is missing, and
//! writes the summary an unsharded run of the sweep writes, byte for byte.

use crate::seeds::SeedSpec;
use crate::sweep::{SweepManifest, exit_code, summary_lines, write_sweep};
use anyhow::Context;
use provsim_reports::sweep::SeedRecord;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct MergeArgs {
    /// The shards' folders (`provsim sweep --shard K/N --out DIR`).
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Folder for the merged seeds.jsonl, summary.json, summary.md and sweep.json.
    #[arg(long, default_value = "provsim-merged")]
    out: PathBuf,
    /// As for `provsim sweep`: exit 1 only if some claim's Wilson 95% lower bound on
    /// its break rate exceeds R.
    #[arg(long, value_name = "R")]
    fail_above: Option<f64>,
}

pub fn command(args: MergeArgs) -> ExitCode {
    match merge(&args) {
        Ok(code) => code,
        Err(e) => crate::fail(e),
    }
}

/// One shard's folder, read.
struct ShardFolder {
    dir: PathBuf,
    manifest: SweepManifest,
    records: Vec<SeedRecord>,
}

fn read_shard(dir: &Path) -> anyhow::Result<ShardFolder> {
    let path = dir.join("sweep.json");
    let text = fs::read_to_string(&path).with_context(|| {
        format!(
            "{}: not a sweep's folder (no readable sweep.json)",
            dir.display()
        )
    })?;
    let manifest: SweepManifest = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: not a sweep manifest: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    let path = dir.join("seeds.jsonl");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let records = text
        .lines()
        .enumerate()
        .map(|(at, line)| {
            SeedRecord::from_line(line).map_err(|e| {
                anyhow::anyhow!(
                    "{}:{}:{}: not a seed's record: {e}",
                    path.display(),
                    at + 1,
                    e.column()
                )
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(ShardFolder {
        dir: dir.to_owned(),
        manifest,
        records,
    })
}

/// How two shards' manifests differ, named field by field.
fn differences(a: &SweepManifest, b: &SweepManifest) -> Vec<String> {
    let (a, b) = (&a.header, &b.header);
    let mut found = Vec::new();
    let mut differ = |what: &str, x: &str, y: &str| {
        if x != y {
            found.push(format!("{what} ({x} / {y})"));
        }
    };
    differ("provsim version", &a.tool, &b.tool);
    differ("scenario", &a.scenario, &b.scenario);
    differ("scenario digest", &a.input_digest, &b.input_digest);
    differ("seeds", &a.seeds, &b.seeds);
    // Where each machine found the scenario file may differ; its values may not.
    if a.claims != b.claims {
        found.push("claims".to_owned());
    }
    found
}

/// This provsim, as sweep manifests name it.
fn this_tool() -> String {
    format!("provsim {}", env!("CARGO_PKG_VERSION"))
}

/// Checks a shard's records are exactly its slice of the seeds, in order, each stating
/// every claim of the sweep once with a verdict its run verdict agrees with.
fn check_records(shard: &ShardFolder, spec: &SeedSpec) -> anyhow::Result<()> {
    let file = shard.dir.join("seeds.jsonl");
    let expected = match shard.manifest.shard {
        Some(slice) => slice.pick(spec),
        None => spec.all(),
    };
    let slice = shard
        .manifest
        .shard
        .map_or("the whole sweep".to_owned(), |s| {
            format!("shard {}/{}", s.index, s.count)
        });
    let claims: Vec<&str> = shard
        .manifest
        .header
        .claims
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    for (at, record) in shard.records.iter().enumerate() {
        let line = at + 1;
        match expected.get(at) {
            Some(&seed) if seed == record.seed => {}
            Some(&seed) => anyhow::bail!(
                "{}:{line}: seed {} where {slice} of {} runs seed {seed}",
                file.display(),
                record.seed,
                spec.text
            ),
            None => anyhow::bail!(
                "{}:{line}: seed {}, beyond the {} seed(s) {slice} of {} runs",
                file.display(),
                record.seed,
                expected.len(),
                spec.text
            ),
        }
        let ids: Vec<&str> = record.claims.iter().map(|c| c.id.as_str()).collect();
        if ids != claims {
            anyhow::bail!(
                "{}:{line}: seed {} states the claims {ids:?}, the sweep makes {claims:?}",
                file.display(),
                record.seed
            );
        }
        let verdicts: Vec<&str> = record.claims.iter().map(|c| c.verdict.as_str()).collect();
        if let Some(bad) = verdicts
            .iter()
            .find(|v| !["holds", "broken", "inconclusive"].contains(v))
        {
            anyhow::bail!("{}:{line}: `{bad}` is not a verdict", file.display());
        }
        let run = if verdicts.contains(&"broken") {
            "broken"
        } else if verdicts.contains(&"inconclusive") {
            "inconclusive"
        } else {
            "holds"
        };
        if record.verdict != run {
            anyhow::bail!(
                "{}:{line}: seed {}'s run verdict `{}` disagrees with its claims' ({run})",
                file.display(),
                record.seed,
                record.verdict
            );
        }
    }
    if let Some(seed) = expected.get(shard.records.len()) {
        anyhow::bail!(
            "{}: ends after {} record(s): seed {seed} of {slice} is missing (a cut or edited file)",
            file.display(),
            shard.records.len()
        );
    }
    Ok(())
}

fn merge(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    let fail_above = match args.fail_above {
        Some(r) if !(0.0..=1.0).contains(&r) => {
            anyhow::bail!("--fail-above {r}: a break rate is from 0 to 1")
        }
        other => other,
    };
    let out = fs::canonicalize(&args.out).ok();
    if let Some(input) = args
        .shards
        .iter()
        .find(|dir| out.is_some() && fs::canonicalize(dir).ok() == out)
    {
        anyhow::bail!(
            "--out {} is one of the shards given: merge into another folder",
            input.display()
        );
    }
    let shards = args
        .shards
        .iter()
        .map(|dir| read_shard(dir))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let first = &shards[0];
    if first.manifest.header.tool != this_tool() {
        anyhow::bail!(
            "{} was swept by {}, and this is {}: merge with the provsim that swept it",
            first.dir.display(),
            first.manifest.header.tool,
            this_tool()
        );
    }
    for shard in &shards[1..] {
        let differ = differences(&first.manifest, &shard.manifest);
        if !differ.is_empty() {
            anyhow::bail!(
                "{} and {} are not shards of one sweep: they differ in {}",
                first.dir.display(),
                shard.dir.display(),
                differ.join(", ")
            );
        }
    }
    let spec = SeedSpec::parse(&first.manifest.header.seeds).map_err(anyhow::Error::msg)?;
    for shard in &shards {
        check_records(shard, &spec)?;
    }
    // Every seed once, from one shard.
    let mut by_seed: BTreeMap<u64, (&Path, &SeedRecord)> = BTreeMap::new();
    for shard in &shards {
        for record in &shard.records {
            if let Some((other, _)) = by_seed.insert(record.seed, (&shard.dir, record)) {
                anyhow::bail!(
                    "seed {} was run in two shards: {} and {} (overlapping shards)",
                    record.seed,
                    other.display(),
                    shard.dir.display()
                );
            }
        }
    }
    if by_seed.len() as u64 != spec.len() {
        let missing: Vec<String> = spec
            .all()
            .into_iter()
            .filter(|seed| !by_seed.contains_key(seed))
            .take(10)
            .map(|seed| seed.to_string())
            .collect();
        let count = spec.len() - by_seed.len() as u64;
        anyhow::bail!(
            "{count} seed(s) of {} are in no shard given (a gap): {}{}",
            spec.text,
            missing.join(", "),
            if count > 10 { ", ..." } else { "" }
        );
    }
    let records: Vec<SeedRecord> = by_seed.values().map(|(_, r)| (*r).clone()).collect();
    let manifest = SweepManifest {
        header: first.manifest.header.clone(),
        shard: None,
    };
    let _held = crate::sweep::prepare_folder(&args.out)?;
    let summary = write_sweep(&args.out, &manifest, &records)?;
    crate::note(&summary_lines(&summary, &args.out))?;
    Ok(exit_code(&summary, fail_above))
}
