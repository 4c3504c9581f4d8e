//! The shipped cluster and CI set-ups for sweeps (`deploy/`): each starts as many
//! shards as its `--shard auto/N` or `K/N` says, and the indices its scheduler hands
//! out map to shards that are disjoint and cover every seed, as provsim itself reads
//! them (each index's sweep is run here with the scheduler's variables set).

mod common;

use common::{code, repo, stderr};
use std::collections::BTreeSet;
use std::fs;
use std::process::Command;

fn text(path: &str) -> String {
    fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The number after `key` on the line that holds it (`completions: 8`).
fn number_after(text: &str, key: &str) -> u64 {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(key))
        .unwrap_or_else(|| panic!("no `{key}` line"));
    line.trim_start()[key.len()..]
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("`{line}`: no number after {key}"))
}

/// N of the `--shard auto/N` (or `.../N`) the file runs (comments aside).
fn shard_count(text: &str) -> u64 {
    let line = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find(|l| l.contains("--shard "))
        .expect("no --shard");
    let at = line.find("--shard ").unwrap_or(0) + "--shard ".len();
    // Up to the next option: `${{ matrix.shard }}/4` holds spaces.
    let word = line[at..].split(" --").next().unwrap_or("");
    let word = word.trim().trim_end_matches('\\').trim();
    word.rsplit('/')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("--shard {word}: no N"))
}

/// The seeds shard runs of 1..24 hand out when each is started with `env` (or `shard`).
fn seeds_run(runs: &[(Vec<(&str, String)>, String)]) -> Vec<Vec<u64>> {
    let dir = tempfile::tempdir().unwrap();
    let scenario = repo().join("scenarios/mcu-glitch-near-threshold.toml");
    runs.iter()
        .enumerate()
        .map(|(i, (env, shard))| {
            let out = dir.path().join(format!("s{i}"));
            let mut command = Command::new(env!("CARGO_BIN_EXE_provsim"));
            command
                .arg("sweep")
                .arg(&scenario)
                .args([
                    "--seeds", "1..24", "--keep", "none", "--shard", shard, "--out",
                ])
                .arg(&out);
            for var in [
                "JOB_COMPLETION_INDEX",
                "SLURM_ARRAY_TASK_ID",
                "SLURM_ARRAY_TASK_MIN",
            ] {
                command.env_remove(var);
            }
            for (name, value) in env {
                command.env(name, value);
            }
            let output = command.output().unwrap();
            assert!(matches!(code(&output), 0 | 1 | 3), "{}", stderr(&output));
            fs::read_to_string(out.join("seeds.jsonl"))
                .unwrap()
                .lines()
                .map(|l| {
                    serde_json::from_str::<serde_json::Value>(l).unwrap()["seed"]
                        .as_u64()
                        .unwrap()
                })
                .collect()
        })
        .collect()
}

fn disjoint_and_covering(shards: &[Vec<u64>]) {
    let mut seen = BTreeSet::new();
    for (k, seeds) in shards.iter().enumerate() {
        assert!(!seeds.is_empty(), "shard {k} ran nothing");
        for seed in seeds {
            assert!(seen.insert(*seed), "seed {seed} in two shards");
        }
    }
    assert_eq!(seen, (1..=24).collect::<BTreeSet<u64>>());
}

#[test]
fn the_kubernetes_indexed_job_runs_one_shard_per_completion_index() {
    let job = text("deploy/kubernetes/sweep-job.yaml");
    assert!(job.contains("completionMode: Indexed"));
    assert!(job.contains("--shard auto/"));
    let completions = number_after(&job, "completions:");
    assert_eq!(shard_count(&job), completions);
    assert!(job.contains("shard-$JOB_COMPLETION_INDEX"));
    // Kubernetes hands out completion indices 0 to completions-1.
    let runs: Vec<_> = (0..completions)
        .map(|i| {
            let shard = format!("auto/{completions}");
            (vec![("JOB_COMPLETION_INDEX", i.to_string())], shard)
        })
        .collect();
    disjoint_and_covering(&seeds_run(&runs));
}

#[test]
fn the_slurm_array_runs_one_shard_per_task() {
    let script = text("deploy/slurm/sweep.sbatch");
    let array = script
        .lines()
        .find_map(|l| l.strip_prefix("#SBATCH --array="))
        .expect("no --array");
    let (first, last) = array.split_once('-').expect("--array=A-B");
    let (first, last): (u64, u64) = (first.parse().unwrap(), last.parse().unwrap());
    let count = shard_count(&script);
    assert_eq!(
        last - first + 1,
        count,
        "--array={array} against --shard auto/{count}"
    );
    // Slurm sets the task's id and the array's first id.
    let runs: Vec<_> = (first..=last)
        .map(|task| {
            let env = vec![
                ("SLURM_ARRAY_TASK_ID", task.to_string()),
                ("SLURM_ARRAY_TASK_MIN", first.to_string()),
            ];
            (env, format!("auto/{count}"))
        })
        .collect();
    disjoint_and_covering(&seeds_run(&runs));
}

#[test]
fn the_github_actions_matrix_runs_one_shard_per_entry_and_merges_them() {
    let workflow = text("deploy/github-actions/sweep.yml");
    let entries: Vec<u64> = workflow
        .lines()
        .find_map(|l| l.trim().strip_prefix("shard: ["))
        .and_then(|rest| rest.strip_suffix(']'))
        .expect("no `shard: [...]` matrix")
        .split(',')
        .map(|n| n.trim().parse().unwrap())
        .collect();
    let count = shard_count(&workflow);
    assert!(workflow.contains(&format!("--shard ${{{{ matrix.shard }}}}/{count}")));
    assert_eq!(entries, (0..count).collect::<Vec<u64>>());
    assert!(workflow.contains("provsim merge sweep/shard-*"));
    let runs: Vec<_> = entries
        .iter()
        .map(|k| (Vec::new(), format!("{k}/{count}")))
        .collect();
    disjoint_and_covering(&seeds_run(&runs));
}
