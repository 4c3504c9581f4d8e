//! Power traces of a scenario's device, recorded as an attacker with a probe would
//! record them, for side-channel tools outside provsim (`provsim traces export`).
//!
//! The line runs as `provsim run` runs it; then device `index` is re-created exactly
//! as it shipped (the copy every device attack gets) and asked, through
//! `Target::power_trace`, for AES encryptions of chosen plaintexts with the first key
//! slot its crypto service answers with. Plaintexts and noise come from the seed's
//! recording stream for that device, so the same scenario, seed and device give the
//! same traces. Nothing of the key leaves: only plaintexts and samples.

use crate::error::RunError;
use crate::labels;
use crate::scenario::Scenario;
use provsim_devices::keystore::SLOTS;
use provsim_devices::leakage::MeasuredOperation;
use provsim_provisioner::Line;
use provsim_sim::crypto::Crypto;
use provsim_sim::{Ctx, Seed, SimTime, Trace};

/// What was recorded: from which key slot, and how many samples each trace has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recording {
    pub slot: u8,
    pub samples: usize,
}

/// Why traces could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("device {index} is not in the scenario's lots (it has {devices})")]
    NoSuchDevice { index: u64, devices: u64 },
    #[error(
        "device {index} did not ship (rejected, or its die was never started): there is no device to measure"
    )]
    NotShipped { index: u64 },
    #[error("device {index}'s crypto service encrypts with no key ({why})")]
    NoKey { index: u64, why: String },
    #[error("device {index} stopped answering after {recorded} trace(s): {why}")]
    Stopped {
        index: u64,
        recorded: u64,
        why: String,
    },
    #[error("writing the traces: {0}")]
    Write(#[from] std::io::Error),
}

/// Where recorded traces go.
pub trait TraceSink {
    /// Told the slot and the samples a trace has, before the first trace.
    fn start(&mut self, recording: Recording) -> std::io::Result<()>;
    /// Each trace in order: its plaintext and its samples.
    fn trace(&mut self, plaintext: &[u8; 16], samples: &[f64]) -> std::io::Result<()>;
}

/// The plaintexts a recording asks the device to encrypt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inputs {
    /// A fresh random plaintext for every trace (for CPA).
    Random,
    /// For each trace a coin from the recording stream picks this fixed plaintext or a
    /// random one, the two sets interleaved in time as a fixed-vs-random leakage test
    /// (TVLA, ISO/IEC 17825) wants, so drift falls on both alike.
    FixedVsRandom([u8; 16]),
}

/// Records `traces` traces of device `index` of `scenario` at `seed` into `sink`, of
/// random plaintexts.
pub fn record_traces(
    scenario: &Scenario,
    seed: u64,
    index: u64,
    traces: u64,
    sink: &mut dyn TraceSink,
) -> Result<Recording, RecordingError> {
    record(scenario, seed, index, traces, Inputs::Random, sink)
}

/// Records `traces` traces of device `index` of `scenario` at `seed` into `sink`, of
/// the plaintexts `inputs` says.
pub fn record(
    scenario: &Scenario,
    seed: u64,
    index: u64,
    traces: u64,
    inputs: Inputs,
    sink: &mut dyn TraceSink,
) -> Result<Recording, RecordingError> {
    let devices = scenario.device_count();
    if index >= devices {
        return Err(RecordingError::NoSuchDevice { index, devices });
    }
    let mut config = scenario.line.clone();
    config.run = scenario.run_id(seed);
    let mut line =
        Line::establish(config, Seed::new(seed), scenario.lots.clone()).map_err(RunError::from)?;
    let summary = line.run_jobs(&mut (), 1).map_err(RunError::from)?;
    if !summary.ledger.is_shipped(index) {
        return Err(RecordingError::NotShipped { index });
    }
    let crypto = Crypto::new();
    let (mut target, _) = line
        .rebuild_device(index, &crypto)
        .map_err(RunError::from)?;
    let mut trace = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
    let mut rng = labels::recording(Seed::new(seed), index);
    let mut why = String::from("no slot");
    let mut found = None;
    for slot in 0..SLOTS {
        let probe = MeasuredOperation::AesEncrypt {
            slot,
            plaintext: [0; 16],
        };
        match target.power_trace(&mut ctx, &probe, &mut rng) {
            Ok(probe) => {
                found = Some(Recording {
                    slot,
                    samples: probe.samples.len(),
                });
                break;
            }
            Err(e) => why = e.to_string(),
        }
    }
    let recording = found.ok_or(RecordingError::NoKey { index, why })?;
    sink.start(recording)?;
    for recorded in 0..traces {
        let plaintext: [u8; 16] = match inputs {
            Inputs::Random => rng.bytes(),
            Inputs::FixedVsRandom(fixed) => {
                let random: [u8; 16] = rng.bytes();
                if rng.chance(1, 2) { fixed } else { random }
            }
        };
        let operation = MeasuredOperation::AesEncrypt {
            slot: recording.slot,
            plaintext,
        };
        let measured = target
            .power_trace(&mut ctx, &operation, &mut rng)
            .map_err(|e| RecordingError::Stopped {
                index,
                recorded,
                why: e.to_string(),
            })?;
        sink.trace(&plaintext, &measured.samples)?;
    }
    Ok(recording)
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_attacks::cpa::{Sums, sbox_weight_table};

    fn built_in(name: &str) -> Scenario {
        let builtin = crate::builtin(name).expect("a built-in");
        crate::parse_str(builtin.text, &builtin.source()).expect("it loads")
    }

    /// Traces kept in memory.
    struct Kept {
        sums: Option<Sums>,
    }

    impl TraceSink for Kept {
        fn start(&mut self, recording: Recording) -> std::io::Result<()> {
            self.sums = Some(Sums::new(16, recording.samples));
            Ok(())
        }
        fn trace(&mut self, plaintext: &[u8; 16], samples: &[f64]) -> std::io::Result<()> {
            let samples: Vec<f32> = samples.iter().map(|&x| x as f32).collect();
            if let Some(sums) = &mut self.sums {
                sums.add(plaintext, &samples);
            }
            Ok(())
        }
    }

    /// The traces really carry the device's key: CPA on them finds the first 16 bytes
    /// of the AES key the vault made for the device (ground truth, from the seed).
    #[test]
    fn the_recorded_traces_leak_the_devices_own_key() {
        let scenario = built_in("mcu-board-on-chip-keys");
        let mut kept = Kept { sums: None };
        let recording = record_traces(&scenario, 1, 0, 2000, &mut kept).expect("recorded");
        assert_eq!(recording.samples, 32);
        let sums = kept.sums.expect("started");
        let model = sbox_weight_table();
        let found: Vec<u8> = (0..16).map(|b| sums.best_guess(b, &model).key).collect();
        let mut config = scenario.line.clone();
        config.run = scenario.run_id(1);
        let line = Line::establish(config, Seed::new(1), scenario.lots.clone()).expect("a line");
        let keys = line.symmetric_keys(0);
        assert!(
            keys.iter().any(|(_, key)| key[..16] == found[..]),
            "CPA found none of the device's {} keys",
            keys.len()
        );
    }

    #[test]
    fn a_device_that_did_not_ship_is_refused() {
        let scenario = built_in("mcu-package-shared-vm");
        let mut kept = Kept { sums: None };
        let refused = record_traces(&scenario, 1, 0, 10, &mut kept);
        assert!(
            matches!(refused, Err(RecordingError::NotShipped { index: 0 })),
            "{:?}",
            refused.map(|r| r.slot)
        );
    }
}
