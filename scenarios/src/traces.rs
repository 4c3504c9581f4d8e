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

/// Records `traces` traces of device `index` of `scenario` at `seed` into `sink`.
pub fn record_traces(
    scenario: &Scenario,
    seed: u64,
    index: u64,
    traces: u64,
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
    line.run_jobs(&mut (), 1).map_err(RunError::from)?;
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
        let plaintext: [u8; 16] = rng.bytes();
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
