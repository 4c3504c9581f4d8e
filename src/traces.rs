//! `provsim traces`: a device's simulated power traces out to the side-channel tools
//! evaluators trust (`export`: NumPy `.npy`), and provsim's CPA engine run on such
//! files (`cpa`), so the two can be set side by side on the same traces.

use crate::npy::{NpyReader, NpyWriter};
use anyhow::Context;
use provsim_attacks::cpa::{
    BLOCK, Guess, PairSums, TraceSource, accumulate, pairs_within, sbox_weight_table,
};

/// The longest trace `cpa` takes: its sums keep 16 x 256 `f64` a sample (32 KiB), per
/// thread and in total, so 20,000 samples is 640 MiB each.
const MOST_SAMPLES: usize = 20_000;

/// The most sample pairs second order takes: 4,096 pairs is 128 MiB of sums.
const MOST_PAIRS: usize = 4_096;
use provsim_scenarios::{Recording, TraceSink, record_traces};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum TracesCommand {
    /// Record device I's power traces of AES encryptions of chosen plaintexts, as an
    /// attacker's probe records them, into DIR/traces.npy (float32 [N, samples]: each
    /// value of the first two rounds' S-box outputs, one sample per share) and
    /// DIR/plaintexts.npy (uint8 [N, 16]), for lascar, scared or ChipWhisperer. The
    /// same scenario, seed and device give the same files. Exit code 0, or 2 (bad
    /// input, a device without a key to encrypt with).
    Export {
        /// Scenario file (TOML) or the name of a built-in scenario.
        scenario: PathBuf,
        /// The device (its index in the lots, from 0).
        #[arg(long, value_name = "I")]
        device: u64,
        /// How many traces.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
        traces: u64,
        /// The folder to write the two files into (made if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Seed; defaults to the scenario's own.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Correlation power analysis of DIR/traces.npy against DIR/plaintexts.npy (as
    /// `export` writes them): for each of the 16 plaintext bytes, the key byte whose
    /// S-box output's Hamming weight correlates best with a sample (--order 2: with the
    /// centered product of a pair of samples). Prints the SHA-256 fingerprint of the 16
    /// bytes found (never the bytes) and each byte's peak. The same files give the
    /// same output for any --threads.
    Cpa {
        /// The folder holding traces.npy and plaintexts.npy.
        dir: PathBuf,
        /// Threads summing the traces (first order; second order runs on one).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
        threads: u16,
        /// 1: each sample against the model; 2: the centered product of each pair of
        /// samples at most --distance apart, for a masked design whose shares leak at
        /// different samples. A byte's peak then names its pair.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
        order: u8,
        /// Second order: how far apart the two samples of a pair may be (unused at
        /// first order).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
        distance: u16,
    },
    /// Single-run fixed-vs-random t-test (as TVLA and ISO/IEC 17825): device I encrypts, in a
    /// random interleave from the seed, one fixed plaintext or a random one, N times;
    /// Welch's t of the two sets at every sample. Exit code 0 when no |t| exceeds 4.5,
    /// 1 when one does (a first-order leak), 2 for bad input.
    Tvla {
        /// Scenario file (TOML) or the name of a built-in scenario.
        scenario: PathBuf,
        /// The device (its index in the lots, from 0).
        #[arg(long, value_name = "I")]
        device: u64,
        /// How many traces, both sets together.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(100..=100_000_000))]
        traces: u64,
        /// The fixed plaintext, 32 hex digits (default: TVLA's
        /// da39a3ee5e6b4b0d3255bfef95601890).
        #[arg(long, value_name = "HEX")]
        fixed: Option<String>,
        /// Seed; defaults to the scenario's own.
        #[arg(long)]
        seed: Option<u64>,
    },
}

pub fn command(command: TracesCommand) -> ExitCode {
    let done = match command {
        TracesCommand::Tvla {
            scenario,
            device,
            traces,
            fixed,
            seed,
        } => return crate::tvla::run(&scenario, device, traces, fixed.as_deref(), seed),
        TracesCommand::Export {
            scenario,
            device,
            traces,
            out,
            seed,
        } => export(&scenario, device, traces, &out, seed),
        TracesCommand::Cpa {
            dir,
            threads,
            order,
            distance,
        } => cpa(&dir, usize::from(threads), order, usize::from(distance)),
    };
    match done.and_then(|text| crate::say(&text)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => crate::fail(e),
    }
}

fn export(
    scenario: &Path,
    device: u64,
    traces: u64,
    out: &Path,
    seed: Option<u64>,
) -> anyhow::Result<String> {
    let scenario = crate::load(Some(&scenario.to_path_buf()))?;
    let seed = seed.unwrap_or(scenario.default_seed);
    std::fs::create_dir_all(out).with_context(|| format!("cannot create `{}`", out.display()))?;
    let mut files = NpyFiles {
        dir: out.to_path_buf(),
        rows: traces,
        open: None,
    };
    let recording = record_traces(&scenario, seed, device, traces, &mut files)?;
    if let Some((trace_file, plaintext_file)) = files.open {
        trace_file.finish()?;
        plaintext_file.finish()?;
    }
    // Written under `.partial` names and put in place only whole, so a failed export
    // never leaves (or overwrites with) files whose headers promise rows they lack.
    for name in ["traces.npy", "plaintexts.npy"] {
        let partial = out.join(format!("{name}.partial"));
        std::fs::rename(&partial, out.join(name))
            .with_context(|| format!("cannot move `{}` into place", partial.display()))?;
    }
    Ok(format!(
        "provsim traces: {traces} trace(s) of device {device} of {} at seed {seed} (key slot {}, {} samples each) in {}: traces.npy, plaintexts.npy\n",
        scenario.name,
        recording.slot,
        recording.samples,
        out.display()
    ))
}

/// The two `.npy` files `export` writes, opened once the samples a trace has are known.
struct NpyFiles {
    dir: PathBuf,
    rows: u64,
    open: Option<(NpyWriter, NpyWriter)>,
}

impl TraceSink for NpyFiles {
    fn start(&mut self, recording: Recording) -> std::io::Result<()> {
        let open = |name: &str, descr, columns| {
            NpyWriter::create(
                &self.dir.join(format!("{name}.partial")),
                descr,
                self.rows,
                columns,
            )
            .map_err(std::io::Error::other)
        };
        self.open = Some((
            open("traces.npy", "<f4", recording.samples)?,
            open("plaintexts.npy", "|u1", 16)?,
        ));
        Ok(())
    }

    fn trace(&mut self, plaintext: &[u8; 16], samples: &[f64]) -> std::io::Result<()> {
        if let Some((trace_file, plaintext_file)) = &mut self.open {
            trace_file.f32_row(samples)?;
            plaintext_file.u8_row(plaintext)?;
        }
        Ok(())
    }
}

/// Traces and plaintexts read from two `.npy` files in step.
struct Files {
    traces: NpyReader,
    plaintexts: NpyReader,
    left: u64,
    bytes: Vec<u8>,
    error: Option<std::io::Error>,
}

impl TraceSource for Files {
    fn read(&mut self, inputs: &mut [u8], samples: &mut [f32]) -> usize {
        let columns = self.traces.columns;
        let n = (inputs.len() / 16).min(samples.len() / columns);
        let n = n.min(usize::try_from(self.left).unwrap_or(usize::MAX));
        if n == 0 || self.error.is_some() {
            return 0;
        }
        self.bytes.resize(n * columns * 4, 0);
        let read = self
            .plaintexts
            .read_exact(&mut inputs[..n * 16])
            .and_then(|()| self.traces.read_exact(&mut self.bytes));
        if let Err(e) = read {
            self.error = Some(e);
            return 0;
        }
        for (out, raw) in samples.iter_mut().zip(self.bytes.chunks_exact(4)) {
            *out = f32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
        }
        self.left -= n as u64;
        n
    }
}

fn cpa(dir: &Path, threads: usize, order: u8, distance: usize) -> anyhow::Result<String> {
    let traces = NpyReader::open(&dir.join("traces.npy"), "<f4")?;
    let plaintexts = NpyReader::open(&dir.join("plaintexts.npy"), "|u1")?;
    if plaintexts.columns != 16 || plaintexts.rows != traces.rows {
        anyhow::bail!(
            "plaintexts.npy is [{}, {}]: expected [{}, 16], a plaintext for each trace",
            plaintexts.rows,
            plaintexts.columns,
            traces.rows
        );
    }
    let (rows, columns) = (traces.rows, traces.columns);
    if rows < 2 {
        anyhow::bail!("traces.npy holds {rows} trace(s): a correlation needs at least 2");
    }
    if !(1..=MOST_SAMPLES).contains(&columns) {
        anyhow::bail!(
            "traces.npy has {columns} samples a trace: expected 1 to {MOST_SAMPLES} (cut a longer trace to the window of interest)"
        );
    }
    // No more threads than blocks of traces to give them.
    let threads = threads.min(
        usize::try_from(rows.div_ceil(BLOCK as u64))
            .unwrap_or(1)
            .max(1),
    );
    let mut files = Files {
        traces,
        plaintexts,
        left: rows,
        bytes: Vec::new(),
        error: None,
    };
    let model = sbox_weight_table();
    let (guesses, at): (Vec<Guess>, Vec<String>) = if order == 1 {
        let sums = accumulate(16, columns, threads, &mut files);
        let guesses: Vec<_> = (0..16).map(|byte| sums.best_guess(byte, &model)).collect();
        let at = guesses
            .iter()
            .map(|g| format!("sample {}", g.sample))
            .collect();
        (guesses, at)
    } else {
        let pairs = pairs_within(columns, distance);
        if pairs.is_empty() {
            anyhow::bail!("second order needs traces of at least 2 samples");
        }
        // Each pair keeps 16 x 256 f64 sums (32 KiB) and is ranked over every guess.
        if pairs.len() > MOST_PAIRS {
            anyhow::bail!(
                "{} pairs of samples ({columns} samples, --distance {distance}): at most {MOST_PAIRS}; cut the traces to the window of interest or lower --distance",
                pairs.len()
            );
        }
        let mut sums = PairSums::new(16, columns, pairs.clone());
        let (mut inputs, mut samples) = (vec![0u8; BLOCK * 16], vec![0f32; BLOCK * columns]);
        loop {
            let n = files.read(&mut inputs, &mut samples);
            if n == 0 {
                break;
            }
            let traces = inputs.chunks_exact(16).zip(samples.chunks_exact(columns));
            for (input, trace) in traces.take(n) {
                sums.add(input, trace);
            }
        }
        let guesses: Vec<_> = (0..16).map(|byte| sums.best_guess(byte, &model)).collect();
        let at = guesses
            .iter()
            .map(|g| {
                let (i, j) = pairs[g.sample];
                format!("samples {i} x {j}")
            })
            .collect();
        (guesses, at)
    };
    if let Some(e) = files.error {
        return Err(anyhow::Error::new(e).context(format!("reading `{}`", dir.display())));
    }
    let key: Vec<u8> = guesses.iter().map(|g| g.key).collect();
    let fingerprint = provsim_sim::to_hex(&provsim_sim::crypto::Sha256::digest(&key));
    let order_name = if order == 1 { "first" } else { "second" };
    let mut text = format!(
        "provsim traces cpa: {rows} trace(s) of {columns} samples, {order_name} order; the 16 key bytes found have SHA-256 fingerprint {fingerprint}\n"
    );
    for (byte, (guess, at)) in guesses.iter().zip(&at).enumerate() {
        text += &format!("  byte {byte:2}: peak |r| = {:.4} at {at}\n", guess.peak);
    }
    Ok(text)
}
