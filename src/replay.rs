//! `provsim replay report.json`: the run a report describes, run again from the report
//! alone. The report embeds the scenario's text and the seed; the run's `digests.jsonl`
//! beside it holds each device's trace digest. The replay streams its own devices'
//! digests against that file as they come (memory stays flat in the lot), then
//! compares the run's trace digest: exit 0 when it is reproduced, 1 naming the first
//! device whose trace differs (or, with every device the same, what else did), 2 when
//! the report cannot be read. `--scenario FILE` replays an edited scenario against the
//! report instead, to see where the edit first shows.

use anyhow::Context;
use provsim_devices::DeviceId;
use provsim_provisioner::{AuthorityRole, IssuedCertificate, LineSink, ShippedDevice};
use provsim_scenarios::RunOptions;
use provsim_sim::Digest;
use serde_json::Value;
use std::fs::File;
use std::io::{BufRead, BufReader, Lines};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ReplayArgs {
    /// A run's report.json (its digests.jsonl beside it).
    report: PathBuf,
    /// Run this scenario file instead of the one the report embeds, against the
    /// report's seed and digests.
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
}

pub fn command(args: ReplayArgs) -> ExitCode {
    match replay(&args) {
        Ok((text, code)) => crate::say_verdict(&text, code),
        Err(e) => crate::fail(e),
    }
}

/// The first difference found between the recorded and the replayed devices.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Difference {
    /// Device `index` traced differently.
    Trace {
        index: u64,
        device: DeviceId,
        recorded: String,
        replayed: String,
    },
    /// The replay took device `index`, which the recording never did.
    Extra { index: u64, device: DeviceId },
    /// The recording's device `index` never came in the replay.
    Missing { index: u64, device: String },
}

/// A sink that keeps nothing but checks each device's trace digest against the
/// recording, line by line.
struct Compare {
    /// `digests.jsonl`, when it is beside the report: without it only the run's trace
    /// digest is compared, and a difference is not traced to a device.
    recorded: Option<Lines<BufReader<File>>>,
    file: PathBuf,
    line: u64,
    devices: u64,
    first: Option<Difference>,
    /// A recording line that could not be read: the replay is refused (exit 2).
    unreadable: Option<String>,
    /// The devices going through the line again (see [`crate::progress`]).
    progress: crate::progress::Progress,
}

impl Compare {
    /// The next recorded device: (index, device id, trace digest).
    fn next_recorded(&mut self) -> Option<(u64, String, String)> {
        let line = loop {
            match self.recorded.as_mut()?.next()? {
                Ok(line) => {
                    self.line += 1;
                    if !line.trim().is_empty() {
                        break line;
                    }
                }
                Err(e) => {
                    self.unreadable = Some(format!("{}: {e}", self.file.display()));
                    return None;
                }
            }
        };
        let parsed: Option<(u64, String, String)> =
            serde_json::from_str::<Value>(&line).ok().and_then(|v| {
                Some((
                    v["index"].as_u64()?,
                    v["device"].as_str()?.to_owned(),
                    v["trace"].as_str()?.to_owned(),
                ))
            });
        if parsed.is_none() && self.unreadable.is_none() {
            self.unreadable = Some(format!(
                "{}:{}:1: not a device's trace digest (expected {{\"index\":N,\"device\":\"...\",\"trace\":\"...\"}})",
                self.file.display(),
                self.line
            ));
        }
        parsed
    }
}

impl LineSink for Compare {
    fn authority(&mut self, _: AuthorityRole, _: &IssuedCertificate) -> std::io::Result<()> {
        Ok(())
    }

    fn certificate(&mut self, _: &ShippedDevice, _: &IssuedCertificate) -> std::io::Result<()> {
        Ok(())
    }

    fn audit(&mut self, _: &provsim_provisioner::AuditRecord) -> std::io::Result<()> {
        Ok(())
    }

    fn device_trace(
        &mut self,
        index: u64,
        device: DeviceId,
        digest: &Digest,
    ) -> std::io::Result<()> {
        self.devices += 1;
        self.progress.tick(None);
        if self.recorded.is_none() {
            return Ok(());
        }
        let replayed = digest.to_string();
        let difference = match self.next_recorded() {
            None => Some(Difference::Extra { index, device }),
            Some((at, id, recorded))
                if at != index || id != device.to_string() || recorded != replayed =>
            {
                Some(Difference::Trace {
                    index,
                    device,
                    recorded,
                    replayed,
                })
            }
            Some(_) => None,
        };
        if self.first.is_none() {
            self.first = difference;
        }
        Ok(())
    }
}

fn read_report(path: &Path) -> anyhow::Result<Value> {
    let kind = provsim_scenarios::input::InputKind::Report;
    let text = provsim_scenarios::input::read_text(path, kind)?;
    serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: not a provsim report: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })
}

/// A string field of the report, or an error naming it.
fn field<'v>(report: &'v Value, path: &Path, pointer: &str) -> anyhow::Result<&'v str> {
    report.pointer(pointer).and_then(Value::as_str).ok_or_else(|| {
        anyhow::anyhow!(
            "{}: no `{pointer}` in the report: it was not written by a provsim that embeds its scenario (0.1.0 of this release or later)",
            path.display()
        )
    })
}

fn replay(args: &ReplayArgs) -> anyhow::Result<(String, ExitCode)> {
    let report = read_report(&args.report)?;
    let embedded = field(&report, &args.report, "/scenario/text")?;
    let recorded_digest = field(&report, &args.report, "/trace_digest")?.to_owned();
    let seed = report["seed"]
        .as_u64()
        .ok_or_else(|| anyhow::anyhow!("{}: no `seed` in the report", args.report.display()))?;
    // A damaged report is not replayed: the text must be the one its hash names.
    let recorded_hash = field(&report, &args.report, "/scenario/sha256")?;
    let hash = provsim_sim::to_hex(&provsim_sim::crypto::Sha256::digest(embedded.as_bytes()));
    if hash != recorded_hash {
        anyhow::bail!(
            "{}: the embedded scenario's SHA-256 is {hash}, not the {recorded_hash} the report states: the report is damaged",
            args.report.display()
        );
    }
    let (text, source) = match &args.scenario {
        Some(path) => {
            let kind = provsim_scenarios::input::InputKind::Scenario;
            let text = provsim_scenarios::input::read_text(path, kind)?;
            (text, path.display().to_string())
        }
        None => (
            embedded.to_owned(),
            format!("{} (embedded)", args.report.display()),
        ),
    };
    let scenario = provsim_scenarios::parse_str(&text, &source)?;
    let digests = args
        .report
        .parent()
        .unwrap_or(Path::new("."))
        .join("digests.jsonl");
    // A report copied alone still replays: its trace digest covers every device's.
    let recorded = match File::open(&digests) {
        Ok(file) => Some(BufReader::new(file).lines()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read `{}`", digests.display()));
        }
    };
    let against = if recorded.is_some() {
        format!("the device digests in {}", digests.display())
    } else {
        format!(
            "its trace digest (no {} beside it: a difference cannot be traced to a device)",
            digests.display()
        )
    };
    let mut compare = Compare {
        recorded,
        file: digests.clone(),
        line: 0,
        devices: 0,
        first: None,
        unreadable: None,
        progress: crate::progress::Progress::new(crate::dies(&scenario), "devices", false),
    };
    crate::note(&format!(
        "provsim: replaying scenario {} ({source}) at seed {seed} against {against}\nprovsim: what seed {seed} decides:\n{}\n",
        scenario.name,
        provsim_scenarios::seeded_choices(&scenario, seed).join("\n")
    ))?;
    let jobs = crate::jobs::jobs_or_cores(None);
    let options = RunOptions::new(seed, None).with_jobs(jobs);
    let rerun = provsim_scenarios::run(&scenario, &options, &mut compare);
    compare.progress.finish();
    let rerun = rerun?;
    if compare.first.is_none()
        && let Some((index, device, _)) = compare.next_recorded()
    {
        compare.first = Some(Difference::Missing { index, device });
    }
    if let Some(why) = compare.unreadable.take() {
        anyhow::bail!(why);
    }
    let replayed = rerun.trace_digest.clone();
    let verdicts = verdict_differences(&report, &rerun);
    Ok(match compare.first {
        None if replayed == recorded_digest && !verdicts.is_empty() => (
            format!(
                "provsim replay: the run reproduced (trace digest {replayed}) but the report states otherwise: {}\n",
                verdicts.join("; ")
            ),
            ExitCode::from(1),
        ),
        None if replayed == recorded_digest => (
            format!(
                "provsim replay: reproduced: trace digest {replayed} over {} device(s)\n",
                compare.devices
            ),
            ExitCode::SUCCESS,
        ),
        None if compare.recorded.is_none() => (
            format!(
                "provsim replay: differs: the run's trace digest was {recorded_digest}, replayed {replayed} (put the run's digests.jsonl beside the report to name the first differing device)\n"
            ),
            ExitCode::from(1),
        ),
        None => (
            format!(
                "provsim replay: every device traced the same, but the run's trace digest differs \
                 (the attacks or the claims): recorded {recorded_digest}, replayed {replayed}\n"
            ),
            ExitCode::from(1),
        ),
        Some(difference) => (
            format!("provsim replay: differs: {}\n", describe(&difference)),
            ExitCode::from(1),
        ),
    })
}

/// Where the report's own statements (the tool, the run's and each claim's verdict)
/// differ from the rerun's: a report edited after the run.
fn verdict_differences(report: &Value, rerun: &provsim_scenarios::RunReport) -> Vec<String> {
    let mut found = Vec::new();
    if report["tool"].as_str() != Some(rerun.tool.as_str()) {
        found.push(format!(
            "written by {}, replayed by {}",
            report["tool"].as_str().unwrap_or("an unnamed tool"),
            rerun.tool
        ));
    }
    if report["verdict"].as_str() != Some(rerun.verdict.name()) {
        found.push(format!(
            "run verdict `{}`, replayed `{}`",
            report["verdict"].as_str().unwrap_or("none"),
            rerun.verdict.name()
        ));
    }
    let stated: Vec<(String, String)> = report["claims"]
        .as_array()
        .map(|claims| {
            claims
                .iter()
                .map(|c| {
                    let text = |key: &str| c[key].as_str().unwrap_or("").to_owned();
                    (text("id"), text("verdict"))
                })
                .collect()
        })
        .unwrap_or_default();
    let replayed: Vec<(String, String)> = rerun
        .claims
        .iter()
        .map(|c| (c.id.clone(), c.verdict.name().to_owned()))
        .collect();
    if stated != replayed {
        let first = stated
            .iter()
            .zip(&replayed)
            .find(|(a, b)| a != b)
            .map_or("the list of claims".to_owned(), |((id, v), (_, w))| {
                format!("claim `{id}` stated `{v}`, replayed `{w}`")
            });
        found.push(first);
    }
    found
}

fn describe(difference: &Difference) -> String {
    match difference {
        Difference::Trace {
            index,
            device,
            recorded,
            replayed,
        } => format!(
            "first differing device: {index} `{device}` (recorded trace {recorded}, replayed {replayed})"
        ),
        Difference::Extra { index, device } => {
            format!("first differing device: {index} `{device}`, which the recorded run never took")
        }
        Difference::Missing { index, device } => {
            format!("first differing device: {index} `{device}`, which the replay never took")
        }
    }
}
