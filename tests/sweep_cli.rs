//! `provsim sweep` and `provsim merge`: the summary is the same bytes for any number of
//! jobs and for shards merged back; shards are disjoint and cover the seeds; a merge
//! refuses overlapping, missing and foreign shards; a glitch tuned near its threshold
//! breaks its claim on some seeds and not others; exit codes follow the verdicts.

mod common;

use common::{code, provsim, repo, stderr, stdout};
use serde_json::Value;
use std::fs;
use std::path::Path;

fn scenario(name: &str) -> String {
    repo()
        .join(format!("scenarios/{name}.toml"))
        .display()
        .to_string()
}

fn sweep(args: &[&str], out: &Path) -> std::process::Output {
    let out = out.display().to_string();
    let mut all = vec!["sweep"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", &out]);
    provsim(&all)
}

/// `provsim merge` of `shards` into `out`.
fn merge(shards: &[&str], out: &Path) -> std::process::Output {
    let out = out.display().to_string();
    let mut args = vec!["merge"];
    args.extend_from_slice(shards);
    args.extend_from_slice(&["--out", &out]);
    provsim(&args)
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn seeds_of(dir: &Path) -> Vec<u64> {
    String::from_utf8(read(&dir.join("seeds.jsonl")))
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["seed"]
                .as_u64()
                .unwrap()
        })
        .collect()
}

/// The command was refused (exit 2), saying `says` on standard error.
fn refused(output: &std::process::Output, says: &str) {
    assert_eq!(code(output), 2, "{}", stderr(output));
    assert!(stderr(output).contains(says), "{}", stderr(output));
}

#[test]
fn the_summary_is_the_same_for_any_number_of_jobs_and_for_merged_shards() {
    let dir = tempfile::tempdir().unwrap();
    let insider = scenario("mcu-board-insider");
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    let output = sweep(&[&insider, "--seeds", "1..9", "--jobs", "1"], &one);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let output = sweep(&[&insider, "--seeds", "1..9", "--jobs", "2"], &two);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    for file in ["summary.json", "summary.md", "seeds.jsonl"] {
        assert_eq!(read(&one.join(file)), read(&two.join(file)), "{file}");
    }

    // Three shards: disjoint, together every seed, and merged the same bytes again.
    let mut shards = Vec::new();
    let mut covered = Vec::new();
    for k in 0..3 {
        let shard = dir.path().join(format!("shard{k}"));
        let slice = format!("{k}/3");
        let args = [
            insider.as_str(),
            "--seeds",
            "1..9",
            "--shard",
            &slice,
            "--keep",
            "none",
        ];
        assert_eq!(code(&sweep(&args, &shard)), 1);
        let seeds = seeds_of(&shard);
        assert_eq!(seeds.len(), 3, "shard {k}");
        assert!(
            seeds.iter().all(|s| !covered.contains(s)),
            "shard {k} overlaps"
        );
        covered.extend(seeds);
        shards.push(shard);
    }
    covered.sort_unstable();
    assert_eq!(covered, (1..=9).collect::<Vec<u64>>());
    let merged = dir.path().join("merged");
    let mut args: Vec<String> = vec!["merge".into()];
    args.extend(shards.iter().map(|s| s.display().to_string()));
    args.extend(["--out".into(), merged.display().to_string()]);
    let output = provsim(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    for file in ["summary.json", "summary.md", "seeds.jsonl"] {
        assert_eq!(read(&one.join(file)), read(&merged.join(file)), "{file}");
    }

    // A gap (shard 2 missing) and an overlap (a shard twice) are refused, named.
    let (s0, s1) = (
        shards[0].display().to_string(),
        shards[1].display().to_string(),
    );
    let gap = merge(&[&s0, &s1], &dir.path().join("g"));
    refused(
        &gap,
        "3 seed(s) of 1..9 are in no shard given (a gap): 3, 6, 9",
    );
    let s2 = shards[2].display().to_string();
    let copy = dir.path().join("copy-of-0");
    fs::create_dir(&copy).unwrap();
    for file in ["sweep.json", "seeds.jsonl"] {
        fs::copy(shards[0].join(file), copy.join(file)).unwrap();
    }
    let c = copy.display().to_string();
    let overlap = merge(&[&s0, &s1, &s2, &c], &dir.path().join("o"));
    refused(&overlap, "seed 1 was run in two shards");

    // A shard of another scenario is no shard of this sweep.
    let other = dir.path().join("other");
    let args = [
        scenario("mcu-board-provisioner-hsm"),
        "--seeds".into(),
        "1..9".into(),
        "--shard".into(),
        "2/3".into(),
        "--keep".into(),
        "none".into(),
    ];
    sweep(&args.iter().map(String::as_str).collect::<Vec<_>>(), &other);
    let o = other.display().to_string();
    let foreign = merge(&[&s0, &s1, &o], &dir.path().join("f"));
    assert_eq!(code(&foreign), 2);
    let says = stderr(&foreign);
    assert!(
        says.contains("are not shards of one sweep") && says.contains("scenario digest"),
        "{says}"
    );
}

#[test]
fn a_glitch_near_its_threshold_breaks_on_some_seeds_and_not_others() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    let near = scenario("mcu-glitch-near-threshold");
    let output = sweep(&[&near, "--seeds", "1..200", "--keep", "broken"], &out);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let summary: Value = serde_json::from_slice(&read(&out.join("summary.json"))).unwrap();
    let claim = &summary["claims"][0];
    assert_eq!(claim["id"], "firmware-authenticity");
    let broken = claim["verdicts"]["broken"].as_u64().unwrap();
    assert!(0 < broken && broken < 200, "{broken} of 200");
    let rate = claim["break_rate"].as_f64().unwrap();
    let [low, high] = [0, 1].map(|i| claim["wilson95"][i].as_f64().unwrap());
    assert!(
        0.0 < low && low < rate && rate < high && high < 1.0,
        "{low} {rate} {high}"
    );
    assert_eq!(
        claim["broken_seeds"].as_array().unwrap().len() as u64,
        broken
    );
    // The lowest breaking seed's rerun line, and its kept run, which came out as the
    // sweep recorded it.
    let lowest = claim["lowest_breaking_seed"].as_u64().unwrap();
    let line = claim["reproduce"].as_str().unwrap();
    assert!(line.ends_with(&format!("--seed {lowest}")), "{line}");
    let kept: Value =
        serde_json::from_slice(&read(&out.join(format!("seed-{lowest}/report.json")))).unwrap();
    let records = String::from_utf8(read(&out.join("seeds.jsonl"))).unwrap();
    let recorded: Value = records
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["seed"] == lowest)
        .unwrap();
    assert_eq!(kept["trace_digest"], recorded["digest"]);
    // Only broken seeds' runs are kept.
    let kept_runs = fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("seed-")
        })
        .count() as u64;
    assert_eq!(kept_runs, broken);
    // The sweep's own folder holds no run's books.
    assert!(!out.join("pki").exists());

    // With --fail-above, only a claim whose Wilson lower bound exceeds the bar fails.
    let quiet = dir.path().join("quiet");
    let high_bar = sweep(
        &[
            &near,
            "--seeds",
            "1..20",
            "--keep",
            "none",
            "--fail-above",
            "0.9",
        ],
        &quiet,
    );
    // Below the bar nothing fails; the seeds the one pinned rung did not break are
    // inconclusive, not held (200 tries is short of the ladder AVA_VAN.4 covers): 3.
    assert_eq!(code(&high_bar), 3, "{}", stderr(&high_bar));
    let quiet_summary: Value = serde_json::from_slice(&read(&quiet.join("summary.json"))).unwrap();
    let verdicts = &quiet_summary["claims"][0]["verdicts"];
    assert_eq!(verdicts["holds"], 0, "{verdicts}");
    assert!(verdicts["inconclusive"].as_u64().unwrap() > 0, "{verdicts}");
    let low_bar = sweep(
        &[
            &near,
            "--seeds",
            "1..20",
            "--keep",
            "none",
            "--fail-above",
            "0.01",
        ],
        &quiet,
    );
    assert_eq!(code(&low_bar), 1, "{}", stderr(&low_bar));
}

#[test]
fn bad_seeds_shards_and_folders_are_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    for (args, says) in [
        (vec!["--seeds", "9..1"], "runs backwards"),
        (vec!["--seeds", "1,2,2"], "seed 2 twice"),
        (vec!["--seeds", "1..4", "--shard", "3/3"], "does not exist"),
        (
            vec!["--seeds", "1..4", "--fail-above", "1.5"],
            "from 0 to 1",
        ),
    ] {
        let output = sweep(&args, &out);
        assert_eq!(code(&output), 2, "{args:?}");
        assert!(
            stderr(&output).contains(says),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    // A folder of someone else's files is not written into.
    let theirs = dir.path().join("theirs");
    fs::create_dir(&theirs).unwrap();
    fs::write(theirs.join("notes.txt"), "mine").unwrap();
    let output = sweep(&["--seeds", "1..2"], &theirs);
    refused(&output, "is not a provsim output folder");
    // A shard folder that is not one: named, with the file.
    let output = provsim(&["merge", &theirs.display().to_string()]);
    refused(&output, "no readable sweep.json");
}

#[test]
fn merge_checks_each_shard_is_its_own_slice_from_this_provsim() {
    let dir = tempfile::tempdir().unwrap();
    let insider = scenario("mcu-board-insider");
    let shard = |k: u64| {
        let out = dir.path().join(format!("s{k}"));
        let slice = format!("{k}/2");
        let args = [
            insider.as_str(),
            "--seeds",
            "1..6",
            "--shard",
            &slice,
            "--keep",
            "none",
        ];
        assert_eq!(code(&sweep(&args, &out)), 1);
        out
    };
    let (s0, s1) = (shard(0), shard(1));
    let (a, b) = (s0.display().to_string(), s1.display().to_string());
    let merge_both = |out: &Path| merge(&[&a, &b], out);
    let merged = dir.path().join("m");
    assert_eq!(code(&merge_both(&merged)), 1);
    // Merging into one of the shards would clear it: refused.
    let into_input = merge_both(&s0);
    refused(&into_input, "is one of the shards given");

    // A record moved from shard 1 into shard 0 is outside shard 0's slice.
    let lines0 = fs::read_to_string(s0.join("seeds.jsonl")).unwrap();
    let lines1 = fs::read_to_string(s1.join("seeds.jsonl")).unwrap();
    let moved = format!("{lines0}{}\n", lines1.lines().next().unwrap());
    fs::write(s0.join("seeds.jsonl"), &moved).unwrap();
    let output = merge_both(&merged);
    refused(
        &output,
        "seeds.jsonl:4: seed 2, beyond the 3 seed(s) shard 0/2",
    );
    // A record cut off: the missing seed is named.
    let cut: String = lines0.lines().take(2).map(|l| format!("{l}\n")).collect();
    fs::write(s0.join("seeds.jsonl"), &cut).unwrap();
    let output = merge_both(&merged);
    refused(&output, "seed 5 of shard 0/2 is missing");
    // A verdict edited into something else.
    fs::write(
        s0.join("seeds.jsonl"),
        lines0.replacen("\"broken\"", "\"brokn\"", 1),
    )
    .unwrap();
    let output = merge_both(&merged);
    assert_eq!(code(&output), 2);
    fs::write(s0.join("seeds.jsonl"), &lines0).unwrap();

    // A shard swept by another provsim.
    let manifest = fs::read_to_string(s0.join("sweep.json")).unwrap();
    let other = manifest.replace(
        &format!("\"provsim {}\"", env!("CARGO_PKG_VERSION")),
        "\"provsim 0.0.1\"",
    );
    assert_ne!(other, manifest);
    fs::write(s0.join("sweep.json"), other).unwrap();
    let output = merge_both(&merged);
    refused(&output, "was swept by provsim 0.0.1");
}

#[test]
fn a_sweep_reruns_into_its_own_folder_and_says_inconclusive_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    // Only a device attack: the site's books are never tried, so that claim is
    // inconclusive on every seed; the device claim holds.
    let text = fs::read_to_string(repo().join("scenarios/mcu-board-provisioner-hsm.toml"))
        .unwrap()
        .replace(
            "[[attack]]\nid = \"co-tenant-memory-scrape\"\nsample = 2\n",
            "",
        )
        .replace(
            "id = \"device-identity-authenticity\"",
            "id = \"illegitimate-identities-detected\"",
        );
    let file = dir.path().join("untried.toml");
    fs::write(&file, text).unwrap();
    let out = dir.path().join("sweep");
    let untried = file.display().to_string();
    let output = sweep(&[&untried, "--seeds", "1..3"], &out);
    assert_eq!(code(&output), 3, "{}{}", stdout(&output), stderr(&output));
    let summary: Value = serde_json::from_slice(&read(&out.join("summary.json"))).unwrap();
    assert_eq!(summary["verdicts"]["inconclusive"], 3);
    // A sweep stopped part way (its kept runs there, no summary yet) runs again into
    // the same folder, as a retried cluster job does.
    fs::remove_file(out.join("sweep.json")).unwrap();
    fs::create_dir(out.join("seed-2")).unwrap();
    let output = sweep(&[&untried, "--seeds", "1..3", "--keep", "none"], &out);
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    assert!(out.join("sweep.json").exists());
    assert!(!out.join("seed-2").exists());
}
