//! `provsim`: the command line. It parses arguments, runs one scenario through the
//! library crates, writes the outputs and chooses the exit code: 0 when every claim
//! holds, 1 when any is broken, 2 for bad input or usage (always with a message), 3
//! when none is broken but some are inconclusive (nothing tested them).
#![forbid(unsafe_code)]

/// The fast build allocates with mimalloc (see `Cargo.toml`); the pure-Rust build with
/// the system's allocator. No output depends on the allocator.
#[cfg(feature = "fast")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod audit;
mod bench;
mod books;
mod estimate;
mod explain;
mod image;
mod jil;
mod jobs;
mod list;
mod manifest;
mod merge;
mod npy;
mod output;
mod progress;
mod rate;
mod records;
mod replay;
mod reproduce;
mod seeds;
mod shard;
mod summary;
mod sweep;
mod targets;
mod traces;
mod tvla;

use clap::{Parser, Subcommand};
use provsim_scenarios::escape_unseen;
use provsim_scenarios::{
    DEFAULT_SCENARIO, RunOptions, RunReport, Scenario, ScenarioError, Verdict,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "provsim",
    version,
    about = "Deterministic simulator of secure IoT chip provisioning: attacks it and checks assurance claims",
    after_help = "Exit codes: 0 all claims hold, 1 a claim is broken, 2 bad input or usage, 3 no claim broken but some inconclusive (nothing tested them)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and write its report.
    Run {
        /// Scenario file (TOML) or the name of a built-in scenario (`provsim list
        /// scenarios`). Without it, the built-in default scenario runs.
        scenario: Option<PathBuf>,
        /// Seed for every random choice; defaults to the scenario's own seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Folder for report.json, report.md, devices.pem, records.jsonl, manifest.jsonl,
        /// manifest.json, audit.jsonl and pki/ (certificates, the vault's key, the CRL).
        #[arg(long, default_value = "provsim-out")]
        out: PathBuf,
        /// Jobs that share the devices' cryptography: the line's own thread and J-1
        /// workers that work devices out ahead of it (default: the machine's cores).
        /// The outputs are the same for any number; how the devices were shared, which
        /// follows the threads' timing, is said on standard error.
        #[arg(long, value_name = "J", value_parser = clap::value_parser!(u16).range(1..=256))]
        jobs: Option<u16>,
    },
    /// Run a scenario over many seeds: per claim, the seeds that broke it with a Wilson
    /// 95% interval, the lowest breaking seed and how to rerun it. Exit 1 when a seed
    /// broke a claim (see --fail-above), 3 when none did but some were inconclusive.
    Sweep(sweep::SweepArgs),
    /// Combine a sweep's shards into the summary an unsharded run writes; refuses
    /// shards of different sweeps, seeds run twice and seeds missing (exit 2).
    Merge(merge::MergeArgs),
    /// Rerun the run a report.json describes, from the report alone, and check it comes
    /// out the same: exit 0 reproduced, 1 naming the first device whose trace differs.
    Replay(replay::ReplayArgs),
    /// Time a run: the pipeline exactly as `run` runs it, every output file written,
    /// and its CPU time per device set against its crypto floor.
    #[command(long_about = bench::ABOUT)]
    Bench(bench::BenchArgs),
    /// A device's power traces out to NumPy files, and CPA on such files.
    Traces {
        #[command(subcommand)]
        command: traces::TracesCommand,
    },
    /// What an attack is and how it is rated on each kind of target.
    Explain(explain::ExplainArgs),
    /// Rate an attack path by the CEM's attack-potential tables.
    #[command(long_about = rate::ABOUT)]
    Rate(rate::RateArgs),
    /// List the built-in scenarios, attacks, claims and targets.
    List {
        /// Only this kind of thing.
        #[arg(value_enum)]
        what: Option<list::ListWhat>,
    },
    /// Check a run's exported books against each other (audit log, manifest, device
    /// records, certificates), as an auditor would.
    Books {
        #[command(subcommand)]
        command: BooksCommand,
    },
    /// Check an audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Check a customer manifest.
    Manifest {
        #[command(subcommand)]
        command: ManifestCommand,
    },
    /// Check the signed device records.
    Records {
        #[command(subcommand)]
        command: RecordsCommand,
    },
    /// Sign and verify firmware images in MCUboot's format.
    Image {
        #[command(subcommand)]
        command: ImageCommand,
    },
}

#[derive(Subcommand)]
enum BooksCommand {
    /// Check every book in a run's output folder, then the books against each other:
    /// every identity the audit log ships has a manifest entry, a device record and a
    /// certificate that agree, and nothing else does. Exit 0 when they agree, 1 naming
    /// each disagreement, 2 when a book cannot be read.
    Check {
        /// The run's output folder (`provsim run --out`).
        outdir: PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check that every record of an `audit.jsonl` is intact and chained to the one
    /// before it, with --signer that the vault signed every checkpoint and the closing
    /// record over the chain as it is, and with --run that the log is that run's. Exit
    /// code 0 intact (naming the run the log opens), 1 altered, reordered, cut, another
    /// run's or not vouched for by the signer (naming the first record that cannot be
    /// trusted), 2 unreadable input or certificate.
    Verify {
        /// The audit log (`audit.jsonl` of a run).
        file: PathBuf,
        /// The vault's certificate, PEM (`pki/vault-certificate.pem` of the run). The
        /// chain alone is keyed by nothing: a record rewritten with every hash after it
        /// recomputed passes without this. With it, the vault's signed checkpoints and
        /// closing record catch that, naming the first record after the last checkpoint
        /// that held.
        #[arg(long)]
        signer: Option<PathBuf>,
        /// The head the log must end at (`line.audit.head` in report.json, which is
        /// not signed): a rewrite shows here too, but only at the last record.
        #[arg(long, value_parser = parse_head)]
        head: Option<provsim_sim::Digest>,
        /// The run the log must be (`run_id` in report.json): its first record,
        /// `run-opened`, must name it. The vault's key is the same for every run at a
        /// seed, so --signer alone accepts another run's log.
        #[arg(long, value_parser = parse_head)]
        run: Option<provsim_sim::Digest>,
    },
}

#[derive(Subcommand)]
enum ManifestCommand {
    /// Check a `manifest.jsonl`: every entry, and their count and order against its
    /// signed closing record.
    ///
    /// Each entry must be a flattened JWS, ES256 by the signer, low-S, its `kid` and
    /// `x5t#S256` naming the signer's certificate, a consistent device entry, numbered
    /// in order; the last line must be the closing record, signing their count and
    /// chain, and naming the run that wrote them. Each line holds exactly the JWS
    /// members the run writes, each once, and ends in LF alone. Exit code 0 intact; 1
    /// rejected, naming the line (an entry removed, reordered or altered, a high-S
    /// (malleated) signature, a member more or twice, a CRLF line, the closing record
    /// missing or not last, a count or run other than expected, no entry at all); 2
    /// unreadable, or not a `manifest.jsonl`: its first line not a flattened JWS (an
    /// audit log, records, a report, a PEM), or a JSON array (`manifest.json`,
    /// Microchip's layout, has no closing record).
    Verify {
        /// The manifest (`manifest.jsonl` of a run).
        file: PathBuf,
        /// The signer's certificate, PEM (`pki/vault-certificate.pem` of the run).
        #[arg(long)]
        signer: PathBuf,
        /// The number of entries there must be (e.g. `devices.count` in report.json).
        #[arg(long, value_name = "N")]
        expect: Option<u64>,
        /// The run that must have written it (`run_id` in report.json, 64 hex
        /// digits). Every run at one seed signs with the same vault key: without this,
        /// another run's manifest passes.
        #[arg(long, value_name = "HEX", value_parser = parse_run)]
        run: Option<provsim_sim::Digest>,
    },
}

#[derive(Subcommand)]
enum RecordsCommand {
    /// Check every line of a `records.jsonl`: a whole record with exactly the record's
    /// fields, signed (low-S) by the vault over its bytes before the signature, in
    /// device order (no record repeated or moved), then the signed closing record, whose
    /// count and chain must be the records' (so one deleted anywhere, or swapped for
    /// another, is caught) and whose run id must be --run's. Exit code 0 intact, 1
    /// rejected (naming the first bad line; a file without its closing record was
    /// cut), 2 unreadable or not a records file.
    Verify {
        /// The device records (`records.jsonl` of a run).
        file: PathBuf,
        /// The vault's key, PEM: `pki/vault.pem` of the run, or its certificate
        /// `pki/vault-certificate.pem`.
        #[arg(long)]
        signer: PathBuf,
        /// How many records the file must hold (`devices.count` in report.json), checked
        /// besides the closing record's signed count.
        #[arg(long)]
        expect: Option<u64>,
        /// The run the records must come from (`run_id` in report.json, 64 hex digits):
        /// the vault's key signs every run's records, so without it another run's whole
        /// file passes.
        #[arg(long, value_name = "HEX", value_parser = parse_head)]
        run: Option<provsim_sim::Digest>,
    },
}

fn parse_head(text: &str) -> Result<provsim_sim::Digest, String> {
    provsim_provisioner::parse_head(text).ok_or_else(|| "expected 64 hex digits".to_owned())
}

fn parse_run(text: &str) -> Result<provsim_sim::Digest, String> {
    provsim_provisioner::parse_head(text)
        .ok_or_else(|| "expected 64 hex digits (`run_id` in report.json)".to_owned())
}

#[derive(Subcommand)]
enum ImageCommand {
    /// Sign a raw firmware body into an MCUboot image, as `imgtool sign --pad-header`
    /// does with an ECDSA P-256 key (RFC 6979 signatures: the same input gives the
    /// same image).
    Sign {
        /// The signing key, PEM (PKCS#8 `PRIVATE KEY` or SEC1 `EC PRIVATE KEY`).
        #[arg(long)]
        key: PathBuf,
        /// Image version, `major[.minor[.revision[+build]]]`.
        #[arg(long, value_parser = image::parse_version)]
        version: provsim_devices::image::ImageVersion,
        /// Security counter for anti-rollback (a protected TLV), or `auto` to derive it
        /// from the version.
        #[arg(long, value_parser = image::parse_counter)]
        security_counter: Option<image::CounterArg>,
        /// Header size in bytes (at least 32); the body starts there.
        #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u16).range(32..))]
        header_size: u16,
        /// The raw firmware body.
        input: PathBuf,
        /// Where the signed image goes.
        output: PathBuf,
    },
    /// Check an image's hash, key hash and signature against a key. Exit code 0 when
    /// valid, 1 when rejected (with the reason), 2 for unreadable input.
    Verify {
        image: PathBuf,
        /// The expected signer: a PEM public key, or a private key whose public half is
        /// used.
        #[arg(long)]
        key: PathBuf,
    },
}

/// A failure that prevents a verdict: always exit code 2.
/// Reports bad input (exit 2). What the message quotes from a file or an argument may
/// hold escape sequences or bidirectional overrides: they go out escaped.
fn fail(error: anyhow::Error) -> ExitCode {
    eprintln!("provsim: error: {}", escape_unseen(&format!("{error:#}")));
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are not errors; everything else is a usage error (2).
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // Every facade reads PROVSIM_CRYPTO when it is made; a misspelt value is refused
    // here, before anything runs, rather than quietly running the fast backend.
    if let Err(e) = provsim_sim::crypto::Backend::from_env() {
        return fail(e.into());
    }
    match cli.command {
        Command::Run {
            scenario,
            seed,
            out,
            jobs,
        } => match run(scenario, seed, out, jobs) {
            Ok(Verdict::Holds) => ExitCode::SUCCESS,
            Ok(Verdict::Broken) => ExitCode::from(1),
            Ok(Verdict::Inconclusive) => ExitCode::from(3),
            Err(e) => fail(e),
        },
        Command::Sweep(args) => sweep::command(args),
        Command::Merge(args) => merge::command(args),
        Command::Replay(args) => replay::command(args),
        Command::Bench(args) => bench::command(args),
        Command::Rate(args) => rate::command(args),
        Command::Explain(args) => explain::command(args),
        Command::Traces { command } => traces::command(command),
        Command::List { what } => match list::list(what) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(anyhow::anyhow!("writing to standard output: {e}")),
        },
        Command::Image { command } => image_command(command),
        Command::Books {
            command: BooksCommand::Check { outdir },
        } => books::check(&outdir),
        Command::Audit {
            command:
                AuditCommand::Verify {
                    file,
                    head,
                    signer,
                    run,
                },
        } => audit::verify(&file, head, signer.as_deref(), run),
        Command::Manifest {
            command:
                ManifestCommand::Verify {
                    file,
                    signer,
                    expect,
                    run,
                },
        } => manifest::verify(
            &file,
            &signer,
            provsim_provisioner::ManifestExpect {
                entries: expect,
                run,
            },
        ),
        Command::Records {
            command:
                RecordsCommand::Verify {
                    file,
                    signer,
                    expect,
                    run,
                },
        } => records::verify(&file, &signer, expect, run),
    }
}

fn image_command(command: ImageCommand) -> ExitCode {
    match command {
        ImageCommand::Sign {
            key,
            version,
            security_counter,
            header_size,
            input,
            output,
        } => match image::sign(
            &key,
            version,
            security_counter,
            header_size,
            &input,
            &output,
        )
        .and_then(|text| say(&text))
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(e),
        },
        ImageCommand::Verify { image, key } => match image::verify(&image, &key) {
            Ok(Ok(text)) => match say(&text) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            },
            Ok(Err(reason)) => match say(&reason) {
                Ok(()) => ExitCode::from(1),
                Err(e) => fail(e),
            },
            Err(e) => fail(e),
        },
    }
}

/// Whether `path` names a stream or a descriptor (`/dev/stdin`, `/dev/fd/N`,
/// `/proc/self/fd/N`) rather than a file: even when what it reaches is a regular file,
/// the name means nothing to a rerun, and the report's reproduce line must name a file.
fn names_a_stream(path: &std::path::Path) -> bool {
    path.starts_with("/dev") || path.starts_with("/proc")
}

/// The text of the scenario `path` names, and how reports name it: a file, a built-in
/// by name (unless a file of that name is here), or without a path the built-in default.
fn scenario_text(path: Option<&PathBuf>) -> Result<(String, String), ScenarioError> {
    if let Some(path) = path.filter(|p| names_a_stream(p)) {
        return Err(ScenarioError::Whole {
            file: path.display().to_string(),
            message: "names a stream or a device, not a file a report can name for a rerun: \
                      give the scenario file's own path"
                .to_owned(),
        });
    }
    let shipped = |b: &provsim_scenarios::Builtin| (b.text.to_owned(), b.source());
    match path {
        // A built-in scenario's name works too, unless a file of that name is here.
        Some(path) => match path
            .to_str()
            .filter(|_| !path.exists())
            .and_then(provsim_scenarios::builtin)
        {
            Some(b) => Ok(shipped(b)),
            None => {
                let kind = provsim_scenarios::input::InputKind::Scenario;
                let text = provsim_scenarios::input::read_text(path, kind)?;
                Ok((text, path.display().to_string()))
            }
        },
        None => match provsim_scenarios::builtin(DEFAULT_SCENARIO) {
            Some(b) => Ok(shipped(b)),
            None => Err(ScenarioError::Whole {
                file: format!("builtin:{DEFAULT_SCENARIO}"),
                message: "the default scenario is missing from this build".to_owned(),
            }),
        },
    }
}

fn load(path: Option<&PathBuf>) -> Result<Scenario, ScenarioError> {
    let (text, source) = scenario_text(path)?;
    provsim_scenarios::parse_str(&text, &source)
}

/// The dies the line takes: an order stops it once filled, so the order's size when it
/// is smaller than the lots'.
fn dies(scenario: &Scenario) -> u64 {
    scenario
        .line
        .order
        .as_ref()
        .map_or(scenario.device_count(), |order| {
            order.devices.min(scenario.device_count())
        })
}

/// The pipeline of a run, as `run` and `bench` both run it: the scenario provisioned,
/// attacked and judged, every output file written into `out`. `notes` receives what the
/// run says before it starts (the large-run notice).
fn pipeline(
    scenario: &Scenario,
    (path, resized): (Option<&PathBuf>, Option<u64>),
    (seed, jobs): (u64, usize),
    out: &Path,
    notes: &mut dyn FnMut(&str) -> anyhow::Result<()>,
    progress: bool,
) -> anyhow::Result<RunReport> {
    let arg = path.map(|p| p.display().to_string());
    let options = RunOptions::new(seed, arg.as_deref()).with_jobs(jobs);
    let folder = output::OutputFolder::claim(out)?;
    if let Some(notice) = estimate::large_run_notice(dies(scenario), out) {
        notes(&notice)?;
    }
    let mut sink = folder.sink()?;
    if progress {
        sink.show_progress(dies(scenario));
    }
    let mut report = provsim_scenarios::run(scenario, &options, &mut sink)?;
    sink.finish()?;
    report.reproduce.devices = resized;
    report.reproduce.command = Some(reproduce::shell_line(&report.reproduce));
    folder.publish(&report)?;
    Ok(report)
}

fn run(
    path: Option<PathBuf>,
    seed: Option<u64>,
    out: PathBuf,
    jobs: Option<u16>,
) -> anyhow::Result<Verdict> {
    let scenario = load(path.as_ref())?;
    let from = if seed.is_some() {
        "--seed"
    } else {
        "the scenario's own"
    };
    let seed = seed.unwrap_or(scenario.default_seed);
    let jobs = jobs::jobs_or_cores(jobs);
    note(&format!(
        "provsim: scenario {} ({}), seed {seed} ({from}), {jobs} job(s)\nprovsim: what seed {seed} decides:\n{}\n",
        scenario.name,
        scenario.source,
        provsim_scenarios::seeded_choices(&scenario, seed).join("\n")
    ))?;
    let report = pipeline(
        &scenario,
        (path.as_ref(), None),
        (seed, jobs),
        &out,
        &mut note,
        true,
    )?;
    // How the jobs shared the devices follows the threads' timing, so it goes to
    // standard error with other diagnostics: standard output stays the same from run
    // to run. A closed standard error (`2>&-`, a reader gone) is no reason to fail.
    if !report.jobs.devices_by_job.is_empty() {
        let _ = std::io::stderr().write_all(jobs::jobs_line(&report.jobs).as_bytes());
    }
    let text = summary::run_summary(&report, &out.join("report.json"));
    // The verdict is decided and the reports are written: a reader that has gone away
    // (`provsim run | head -1`) does not change it, so the exit code still says it.
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        written => written
            .and_then(|()| std::io::stdout().lock().flush())
            .map_err(|e| anyhow::anyhow!("writing to standard output: {e}"))?,
    }
    Ok(report.verdict)
}

/// Writes to standard output. Unlike `print!`, a closed pipe or a full disk is an error
/// (exit code 2), never a panic.
/// Prints a verifier's verdict and exits by it. A reader that has gone away
/// (`| head -1`) does not change a decided verdict; parsers' words for types become
/// ranges a reader knows.
fn say_verdict(text: &str, code: ExitCode) -> ExitCode {
    let text = provsim_scenarios::plain_types(text);
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => code,
        Err(e) => fail(anyhow::anyhow!("writing to standard output: {e}")),
    }
}

/// Prints a line the run goes on after: a reader that has gone away already
/// (`provsim run | head -0`) does not stop the run, whose verdict the exit code gives.
fn note(text: &str) -> anyhow::Result<()> {
    match say(text) {
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(())
        }
        other => other,
    }
}

fn say(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| anyhow::Error::new(e).context("writing to standard output"))
}
