//! `run --jobs`: workers work out the devices' cryptography ahead of the line, and the
//! line's outputs stay the same byte for byte for any number of them. The scenario
//! couples devices every way a line does (link faults that take the link down, rejected
//! dies, an order that stops the line), so a worker's guesses go wrong and the line must
//! compute what they missed.

mod common;

use std::path::Path;
use std::process::Output;

const SCENARIO: &str = "tests/jobs/faults-rejects-order.toml";

fn run(jobs: &str, out: &Path) -> Output {
    let out = out.to_str().expect("UTF-8 path");
    common::provsim(&["run", SCENARIO, "--out", out, "--jobs", jobs])
}

/// The run's summary line about its jobs.
fn workers_line(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|line| line.contains("jobs worked out"))
        .unwrap_or_else(|| panic!("no workers line in:\n{stderr}"))
}

/// The devices each job worked out (the line's thread first), from the summary line.
fn devices_by_job(stderr: &str) -> Vec<u64> {
    let counts = workers_line(stderr)
        .split(" jobs worked out ")
        .nth(1)
        .and_then(|rest| rest.split(" device(s)").next())
        .expect("the workers line names its counts");
    counts
        .split(" + ")
        .map(|n| n.parse().expect("a count"))
        .collect()
}

/// The curve operations the workers had ready for the line, and all it made.
fn ready_of_all(stderr: &str) -> (u64, u64) {
    let line = workers_line(stderr);
    let numbers: Vec<u64> = line
        .rsplit("; ")
        .next()
        .expect("a part after the counts")
        .split(' ')
        .filter_map(|word| word.parse().ok())
        .collect();
    assert_eq!(numbers.len(), 2, "{line}");
    assert!(line.contains("of the workers' devices'"), "{line}");
    (numbers[0], numbers[1])
}

#[test]
fn every_output_byte_is_the_same_for_one_two_and_three_jobs() {
    let dirs: Vec<_> = (0..3)
        .map(|_| tempfile::tempdir().expect("a folder"))
        .collect();
    let outputs: Vec<Output> = ["1", "2", "3"]
        .iter()
        .zip(&dirs)
        .map(|(jobs, dir)| run(jobs, dir.path()))
        .collect();
    for output in &outputs {
        assert_eq!(common::code(output), 0, "{}", common::stderr(output));
    }

    // The scenario does couple the devices: the link went down and came back, dies
    // were rejected, and the order stopped the line before the lot's end.
    let report = common::report_json(dirs[0].path());
    let link = &report["line"]["link"];
    assert!(link["failed"].as_u64() >= Some(1), "{link}");
    assert!(link["sessions_made"].as_u64() >= Some(2), "{link}");
    assert!(report["line"]["rejected"].as_array().map(Vec::len) >= Some(2));
    assert_eq!(report["devices"]["count"], 64);
    let started = report["line"]["devices_started"].as_u64().expect("a count");
    assert!((65..96).contains(&started), "started {started}");

    let one = common::output_files(dirs[0].path());
    assert!(one.len() >= 8, "{:?}", one.keys());
    for (jobs, dir) in [(2, &dirs[1]), (3, &dirs[2])] {
        let many = common::output_files(dir.path());
        assert_eq!(
            one.keys().collect::<Vec<_>>(),
            many.keys().collect::<Vec<_>>(),
            "{jobs} jobs: the same files"
        );
        for (name, bytes) in &one {
            assert!(&many[name] == bytes, "{jobs} jobs: {name} differs");
        }
        let ahead = devices_by_job(&common::stderr(&outputs[jobs - 1]));
        assert_eq!(ahead.len(), jobs, "{ahead:?}");
        // Which job takes which device follows the threads' timing, so only this much
        // is certain: the line and at least one worker both did work.
        assert!(
            ahead[0] > 0 && ahead[1..].iter().any(|&n| n > 0),
            "the line and a worker did work: {ahead:?}"
        );
        assert_eq!(ahead.iter().sum::<u64>(), started, "{ahead:?}");
        // The workers' results were used: most of the operations of the workers'
        // devices were looked up; the rest, after a rejected die or a link fault, were
        // computed.
        let (ready, all) = ready_of_all(&common::stderr(&outputs[jobs - 1]));
        assert!(ready * 4 >= all * 3 && ready <= all, "{ready} of {all}");
    }
    // One job works alone and says nothing of workers.
    assert!(!common::stderr(&outputs[0]).contains("jobs worked out"));
}

#[test]
fn a_jobs_count_of_zero_is_refused() {
    let dir = tempfile::tempdir().expect("a folder");
    let output = run("0", dir.path());
    assert_eq!(common::code(&output), 2);
    assert!(
        common::stderr(&output).contains("--jobs"),
        "{}",
        common::stderr(&output)
    );
}

/// More jobs than devices run with the same files, fewer jobs than asked, and every
/// device is worked out by exactly one job.
#[test]
fn more_jobs_than_devices_write_the_same_files() {
    let dirs: Vec<_> = (0..2)
        .map(|_| tempfile::tempdir().expect("a folder"))
        .collect();
    let default = |jobs: &str, dir: &Path| {
        let out = dir.to_str().expect("UTF-8 path");
        common::provsim(&["run", "--out", out, "--jobs", jobs])
    };
    let one = default("1", dirs[0].path());
    let many = default("50", dirs[1].path());
    assert_eq!(common::code(&many), 0, "{}", common::stderr(&many));
    assert_eq!(common::code(&one), 0);
    let shares = devices_by_job(&common::stderr(&many));
    let devices = common::report_json(dirs[0].path())["line"]["devices_started"]
        .as_u64()
        .expect("a count");
    // Fewer jobs than devices: only as many workers as can claim a device at once.
    assert!((2..devices as usize).contains(&shares.len()), "{shares:?}");
    assert_eq!(shares.iter().sum::<u64>(), devices, "{shares:?}");
    assert_eq!(
        common::output_files(dirs[0].path()),
        common::output_files(dirs[1].path())
    );
}

/// On a line where nothing goes wrong every device takes the same time, so a worker's
/// guesses are right and nearly all its devices' curve operations are ready (the
/// misses: the audit log's checkpoints, signed over the line's own chain).
/// A shadow that failed its devices, or guessed times or numbers wrong, computes
/// nothing the line can use and fails this.
#[test]
fn on_a_clean_line_nearly_every_worker_result_is_ready() {
    let dir = tempfile::tempdir().expect("a folder");
    let scenario =
        common::default_scenario_with(dir.path(), "clean.toml", "devices = 8\n", "devices = 60\n");
    let out = dir.path().join("out");
    let output = common::provsim(&[
        "run",
        scenario.to_str().expect("UTF-8"),
        "--out",
        out.to_str().expect("UTF-8"),
        "--jobs",
        "2",
    ]);
    assert_eq!(common::code(&output), 0, "{}", common::stderr(&output));
    let (ready, all) = ready_of_all(&common::stderr(&output));
    assert!(ready * 100 >= all * 97, "{ready} of {all}");
}
