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
    let none = "the built-in default".to_owned();
    differ(
        "scenario argument",
        a.argument.as_ref().unwrap_or(&none),
        b.argument.as_ref().unwrap_or(&none),
    );
    if a.claims != b.claims {
        found.push("claims".to_owned());
    }
    found
}

fn merge(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    let fail_above = match args.fail_above {
        Some(r) if !(0.0..=1.0).contains(&r) => {
            anyhow::bail!("--fail-above {r}: a break rate is from 0 to 1")
        }
        other => other,
    };
    let shards = args
        .shards
        .iter()
        .map(|dir| read_shard(dir))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let first = &shards[0];
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
    let spec = SeedSpec::parse(&first.manifest.header.seeds).map_err(anyhow::Error::msg)?;
    let missing: Vec<u64> = spec
        .seeds
        .iter()
        .copied()
        .filter(|seed| !by_seed.contains_key(seed))
        .collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(10).map(u64::to_string).collect();
        anyhow::bail!(
            "{} seed(s) of {} are in no shard given (a gap): {}{}",
            missing.len(),
            spec.text,
            shown.join(", "),
            if missing.len() > 10 { ", ..." } else { "" }
        );
    }
    if let Some(stray) = by_seed
        .keys()
        .find(|seed| spec.seeds.binary_search(seed).is_err())
    {
        anyhow::bail!("seed {stray} is not among the sweep's seeds {}", spec.text);
    }
    let records: Vec<SeedRecord> = by_seed.values().map(|(_, r)| (*r).clone()).collect();
    let manifest = SweepManifest {
        header: first.manifest.header.clone(),
        shard: None,
    };
    crate::sweep::prepare_folder(&args.out)?;
    let summary = write_sweep(&args.out, &manifest, &records)?;
    crate::note(&summary_lines(&summary, &args.out))?;
    Ok(exit_code(&summary, fail_above))
}
