//! `provsim traces tvla`: a single-run fixed-vs-random t-test (the non-specific test
//! TVLA and ISO/IEC 17825 build on) on a scenario's device, for a chip team to run in
//! CI against its countermeasure settings. Exit code 0 when no sample's |t| exceeds
//! 4.5, 1 when one does (the device leaks at first order), 2 for bad input (and for a
//! run whose sets are too small to judge).

use provsim_attacks::cpa::tvla::{THRESHOLD, Tvla};
use provsim_scenarios::{Inputs, Recording, TraceSink, record};
use std::path::Path;
use std::process::ExitCode;

/// The fixed input when none is given: the one TVLA's published AES test vectors use.
pub const FIXED: [u8; 16] = [
    0xda, 0x39, 0xa3, 0xee, 0x5e, 0x6b, 0x4b, 0x0d, 0x32, 0x55, 0xbf, 0xef, 0x95, 0x60, 0x18, 0x90,
];

/// Runs the test and says what it found; exit 1 for a leak.
pub fn run(
    scenario: &Path,
    device: u64,
    traces: u64,
    fixed: Option<&str>,
    seed: Option<u64>,
) -> ExitCode {
    let result = (|| -> anyhow::Result<(String, bool)> {
        let fixed = match fixed {
            None => FIXED,
            Some(hex) => parse_fixed(hex)?,
        };
        let scenario = crate::load(Some(&scenario.to_path_buf()))?;
        let seed = seed.unwrap_or(scenario.default_seed);
        let mut sink = Sets { fixed, test: None };
        let recording = record(
            &scenario,
            seed,
            device,
            traces,
            Inputs::FixedVsRandom(fixed),
            &mut sink,
        )?;
        let test = sink.test.unwrap_or_else(|| Tvla::new(recording.samples));
        let (in_fixed, in_random) = test.counts();
        if !test.enough() {
            anyhow::bail!(
                "{in_fixed} fixed and {in_random} random trace(s): each set needs at least two to judge; record more"
            );
        }
        let peak = test.peak();
        // A t that is not a number (samples that are not) is no pass.
        let leaks = peak.is_some_and(|p| p.t.abs() > THRESHOLD || p.t.is_nan());
        let at = peak.map_or_else(
            || "no samples".to_owned(),
            |p| format!("max |t| = {:.2} at sample {}", p.t.abs(), p.sample),
        );
        Ok((
            format!(
                "provsim traces tvla: device {device} of {} at seed {seed}, key slot {}: {in_fixed} fixed and {in_random} random trace(s) of {} samples; {at}: {}\n",
                scenario.name,
                recording.slot,
                recording.samples,
                if leaks {
                    format!("LEAKS (above {THRESHOLD})")
                } else {
                    format!("no first-order leak shows (at most {THRESHOLD})")
                }
            ),
            leaks,
        ))
    })();
    match result {
        Ok((text, leaks)) => {
            let code = if leaks {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
            crate::say_verdict(&text, code)
        }
        Err(e) => crate::fail(e),
    }
}

/// Sixteen bytes as 32 hex digits.
fn parse_fixed(hex: &str) -> anyhow::Result<[u8; 16]> {
    let digits: Vec<u8> = hex
        .chars()
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()
        .ok_or_else(|| anyhow::anyhow!("--fixed takes 32 hex digits; `{hex}` is not hex"))?;
    if digits.len() != 32 {
        anyhow::bail!(
            "--fixed takes 32 hex digits (16 bytes), not {}",
            digits.len()
        );
    }
    Ok(std::array::from_fn(|i| {
        digits[2 * i] << 4 | digits[2 * i + 1]
    }))
}

/// The two sets, told apart by the plaintext (a random one equal to the fixed has
/// probability 2^-128).
struct Sets {
    fixed: [u8; 16],
    test: Option<Tvla>,
}

impl TraceSink for Sets {
    fn start(&mut self, recording: Recording) -> std::io::Result<()> {
        self.test = Some(Tvla::new(recording.samples));
        Ok(())
    }

    fn trace(&mut self, plaintext: &[u8; 16], samples: &[f64]) -> std::io::Result<()> {
        if let Some(test) = &mut self.test {
            test.add(*plaintext == self.fixed, samples);
        }
        Ok(())
    }
}
