//! `provsim bench`: one run timed from inside its own process, against its crypto floor.
//!
//! The run goes through [`crate::pipeline`], the code `provsim run` runs, and writes
//! every output file. Around it the bench reads the process's CPU time and peak RSS
//! (getrusage) and the wall clock, and every cryptographic operation the process's
//! facades counted; then it times those operations back to back on the fast path
//! ([`provsim_sim::crypto::floor`]). Only its printed figures hold wall-clock time:
//! nothing of it goes into a report file.
#![allow(clippy::disallowed_methods)] // Instant::now: this is the benchmark's own clock.

use anyhow::Context;
use nix::sys::resource::{UsageWho, getrusage};
use nix::time::{ClockId, clock_gettime};
use provsim_sim::crypto::floor::{DEFAULT_CAP, Floor, time_operations};
use provsim_sim::crypto::{OpCounts, process_counts};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// `provsim bench --help`: what it does and the fields it prints.
pub const ABOUT: &str = "\
Time a run: the pipeline exactly as `provsim run` runs it (the same code, every output \
file written), measured from inside the process. Prints the devices, wall time and \
devices per second, the process's CPU time (user + sys, getrusage) and CPU per device, \
the crypto floor (every cryptographic operation the run counted, timed back to back on \
the crypto facade's fast path with fixed inputs: the least a run of that cryptography \
can cost), the ratio of the CPU time to the floor, and the peak RSS. Past 20000 \
operations of one kind the floor times 20000 and scales (it says so).

The run's CPU time is the process's, the floor's that of the thread timing it, so other \
work on a busy machine counts in neither (it does in the wall time). The run's CPU and \
RSS include its file writing; the floor does not. Wall time appears only in what bench \
prints, never in a report file.

--format json prints one object with these fields: scenario, source, seed, devices \
(the dies the line takes: the lots' total, or the order's size if smaller), jobs, \
verdict, wall_seconds, devices_per_second, cpu_seconds, cpu_user_seconds, \
cpu_sys_seconds, cpu_us_per_device, floor_seconds, floor_us_per_device, floor_cap, \
floor_scaled (true when a kind was timed on floor_cap operations and scaled), \
cpu_floor_ratio, peak_rss_kib, and operations: for each kind (keygen, key_import, sign, \
verify, ecdh, sha256, kdf, aead_seal, aead_open, aes_block) its count, how many were timed, and \
floor_seconds.

Exit code 0 when the run completed, whatever its verdict (the output says it); 2 for bad \
input or usage.";

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Scenario file (TOML) or the name of a built-in scenario. Without it, the built-in
    /// default scenario, as `provsim run` runs it.
    scenario: Option<PathBuf>,
    /// Run N devices: the scenario's lots resized to hold N in all (one device each, the
    /// rest spread in proportion to the sizes the file gives; a scenario of one lot gets
    /// them all). At least the number of lots, at most 10000000. Without it, the lots
    /// as the file gives them. The report is the one a file with those lot sizes gives
    /// (its input digest is theirs); it names the scenario as given.
    #[arg(long, value_name = "N", value_parser = parse_devices)]
    devices: Option<u64>,
    /// Jobs that share the devices' cryptography, as `provsim run --jobs` (default: the
    /// machine's cores). The workers' work is in the CPU time; the floor counts the
    /// run's operations once.
    #[arg(long, value_name = "J", value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: Option<u16>,
    /// `text` for people, `json` for one JSON object (fields in --help).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the run's outputs here, as `provsim run --out` does. Without it they go to
    /// a fresh temporary folder, removed afterwards.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
}

fn parse_devices(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(0) => Err("a run needs at least 1 device".to_owned()),
        Ok(n) => Ok(n),
        Err(_) => Err("expected a number of devices".to_owned()),
    }
}

/// The process's CPU time and peak RSS so far.
struct Usage {
    user: Duration,
    sys: Duration,
    max_rss_kib: u64,
}

fn duration(t: nix::sys::time::TimeVal) -> Duration {
    Duration::from_secs(u64::try_from(t.tv_sec()).unwrap_or(0))
        + Duration::from_micros(u64::try_from(t.tv_usec()).unwrap_or(0))
}

/// The CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID, to the nanosecond):
/// the floor's clock, the same kind of time the run is measured in, which other
/// processes on a busy machine do not take.
fn thread_cpu() -> anyhow::Result<Duration> {
    let now = clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID).context("clock_gettime")?;
    Ok(Duration::from(now))
}

impl Usage {
    fn now() -> anyhow::Result<Usage> {
        let usage = getrusage(UsageWho::RUSAGE_SELF).context("getrusage")?;
        Ok(Usage {
            user: duration(usage.user_time()),
            sys: duration(usage.system_time()),
            // Linux gives kilobytes.
            max_rss_kib: u64::try_from(usage.max_rss()).unwrap_or(0),
        })
    }
}

/// What one bench run measured.
struct Measured {
    scenario: String,
    source: String,
    seed: u64,
    devices: u64,
    jobs: u64,
    verdict: &'static str,
    wall: Duration,
    user: Duration,
    sys: Duration,
    max_rss_kib: u64,
    operations: OpCounts,
    floor: Floor,
}

pub fn command(args: BenchArgs) -> ExitCode {
    let printed = measure(&args).and_then(|measured| {
        let text = match args.format {
            Format::Text => text(&measured),
            Format::Json => format!("{}\n", json(&measured)),
        };
        crate::say(&text)
    });
    match printed {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => crate::fail(e),
    }
}

fn measure(args: &BenchArgs) -> anyhow::Result<Measured> {
    let (text, source) = crate::scenario_text(args.scenario.as_ref())?;
    let scenario = match args.devices {
        Some(devices) => provsim_scenarios::parse_resized(&text, &source, devices)?,
        None => provsim_scenarios::parse_str(&text, &source)?,
    };
    let seed = scenario.default_seed;
    let mut temporary = None;
    let out = match &args.out {
        Some(out) => out.clone(),
        None => {
            let dir = tempfile::Builder::new()
                .prefix("provsim-bench-")
                .tempdir()
                .context("cannot make a temporary output folder")?;
            temporary.insert(dir).path().to_owned()
        }
    };

    let operations_before = process_counts();
    let before = Usage::now()?;
    let started = Instant::now();
    let jobs = crate::jobs::jobs_or_cores(args.jobs);
    let report = crate::pipeline(
        &scenario,
        (args.scenario.as_ref(), args.devices),
        (seed, jobs),
        &out,
        &mut |notice| {
            // Standard output is the bench's figures alone (one JSON object with --format json).
            let _ = std::io::stderr().write_all(notice.as_bytes());
            Ok(())
        },
        // The one rule for progress: a bar on a terminal's standard error only (its
        // drawing is rate-limited, and a measured run in CI has no terminal).
        true,
    )?;
    let wall = started.elapsed();
    let after = Usage::now()?;
    let operations = process_counts().since(&operations_before);
    if let Some(dir) = temporary {
        let path = dir.path().display().to_string();
        dir.close()
            .with_context(|| format!("cannot remove the temporary output folder `{path}`"))?;
    }
    // After the run's figures are taken: the floor's own operations and time are not
    // the run's.
    thread_cpu()?;
    // The clock worked just above; should it fail now, a zero reads as no time spent
    // and shows as an absurd ratio rather than a wrong but plausible one.
    let floor = time_operations(&operations, DEFAULT_CAP, &mut || {
        thread_cpu().unwrap_or_default()
    });
    Ok(Measured {
        scenario: scenario.name.clone(),
        source: scenario.source.clone(),
        seed,
        // The dies the line started: an order, or a line stopped by its link, takes fewer
        // than the lots hold, and the figures per device are per device run.
        devices: report.line.devices_started,
        jobs: jobs as u64,
        verdict: report.verdict.name(),
        wall,
        user: after.user.saturating_sub(before.user),
        sys: after.sys.saturating_sub(before.sys),
        max_rss_kib: after.max_rss_kib,
        operations,
        floor,
    })
}

impl Measured {
    fn cpu(&self) -> Duration {
        self.user + self.sys
    }

    fn per_device_us(&self, time: Duration) -> f64 {
        time.as_secs_f64() * 1e6 / self.devices.max(1) as f64
    }

    fn devices_per_second(&self) -> f64 {
        self.devices as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    fn ratio(&self) -> f64 {
        self.cpu().as_secs_f64() / self.floor.total.as_secs_f64().max(1e-9)
    }
}

fn text(m: &Measured) -> String {
    let mut out = format!(
        "provsim bench: scenario {} ({}), seed {}\n",
        m.scenario, m.source, m.seed
    );
    out += &format!(
        "  devices       {} ({} job{}), verdict {}\n",
        m.devices,
        m.jobs,
        if m.jobs == 1 { "" } else { "s" },
        m.verdict
    );
    out += &format!(
        "  wall          {:.3} s, {:.1} devices/s\n",
        m.wall.as_secs_f64(),
        m.devices_per_second()
    );
    out += &format!(
        "  CPU           {:.3} s (user {:.3}, sys {:.3}), {:.1} us a device\n",
        m.cpu().as_secs_f64(),
        m.user.as_secs_f64(),
        m.sys.as_secs_f64(),
        m.per_device_us(m.cpu())
    );
    out += &format!(
        "  crypto floor  {:.3} s, {:.1} us a device: {} operations back to back on the fast path{}\n",
        m.floor.total.as_secs_f64(),
        m.per_device_us(m.floor.total),
        m.operations.total(),
        if m.floor.scaled() {
            format!(" (past {DEFAULT_CAP} of a kind, timed on {DEFAULT_CAP} and scaled)")
        } else {
            String::new()
        }
    );
    out += &format!("  CPU / floor   {:.3}\n", m.ratio());
    out += &format!("  peak RSS      {:.1} MiB\n", m.max_rss_kib as f64 / 1024.0);
    let kinds: Vec<String> = m
        .floor
        .kinds
        .iter()
        .filter(|k| k.count > 0)
        .map(|k| {
            let each = k.time.as_secs_f64() * 1e6 / k.count as f64;
            format!("{} {} x {each:.2} us", k.op.name(), k.count)
        })
        .collect();
    out + &format!("  floor by kind {}\n", kinds.join(", "))
}

fn json(m: &Measured) -> serde_json::Value {
    let operations: serde_json::Map<String, serde_json::Value> = m
        .floor
        .kinds
        .iter()
        .map(|kind| {
            let entry = serde_json::json!({
                "count": kind.count,
                "timed": kind.timed,
                "floor_seconds": kind.time.as_secs_f64(),
            });
            (kind.op.name().to_owned(), entry)
        })
        .collect();
    serde_json::json!({
        "scenario": m.scenario,
        "source": m.source,
        "seed": m.seed,
        "devices": m.devices,
        "jobs": m.jobs,
        "verdict": m.verdict,
        "wall_seconds": m.wall.as_secs_f64(),
        "devices_per_second": m.devices_per_second(),
        "cpu_seconds": m.cpu().as_secs_f64(),
        "cpu_user_seconds": m.user.as_secs_f64(),
        "cpu_sys_seconds": m.sys.as_secs_f64(),
        "cpu_us_per_device": m.per_device_us(m.cpu()),
        "floor_seconds": m.floor.total.as_secs_f64(),
        "floor_us_per_device": m.per_device_us(m.floor.total),
        "floor_cap": DEFAULT_CAP,
        "floor_scaled": m.floor.scaled(),
        "cpu_floor_ratio": m.ratio(),
        "peak_rss_kib": m.max_rss_kib,
        "operations": operations,
    })
}
