//! The what-if replay: one device's provisioning replayed, and the chip probed after
//! every step of the lock sequence, so an author sees what a sequence leaves reachable
//! before fusing a real part. Probes act on copies of the chip through its real
//! interfaces and are charged to their own facade, so they change neither the run nor
//! its digest.

use provsim_devices::Target;
use provsim_devices::probe::{Probe, probe_all};
use provsim_provisioner::{Line, LockStage, LockStep, PassObserver};
use provsim_sim::crypto::Crypto;
use provsim_sim::{Ctx, SimTime, Trace};

/// What the lock sequence left reachable on one device, stage by stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatIf {
    /// The device the sequence was replayed on.
    pub device: u64,
    /// Before the locks, then after each step.
    pub stages: Vec<Stage>,
    /// The line's error, as it reads, when the device did not ship.
    pub device_rejected: Option<String>,
}

/// One stage of the sequence and what the probes found after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The step just run; `None` for the provisioned chip before any lock.
    pub step: Option<LockStep>,
    /// The chip's reason when it refused the step.
    pub refused: Option<String>,
    pub probes: Vec<Probe>,
}

#[derive(Default)]
struct Recorder {
    stages: Vec<Stage>,
}

impl PassObserver for Recorder {
    fn observe(&mut self, stage: LockStage<'_>, target: &dyn Target) {
        let crypto = Crypto::new();
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
        let probes = probe_all(target, &mut ctx);
        let (step, refused) = match stage {
            LockStage::BeforeLocks => (None, None),
            LockStage::AfterStep { step, refused } => (Some(step), refused.map(str::to_owned)),
        };
        self.stages.push(Stage {
            step,
            refused,
            probes,
        });
    }
}

/// Replays device `index` through the station and probes it at every lock stage.
pub fn what_if(line: &Line, index: u64) -> WhatIf {
    let mut recorder = Recorder::default();
    let scratch = Crypto::new();
    let device_rejected = line
        .rebuild_device_observed(index, &scratch, &mut recorder)
        .err()
        .map(|error| error.to_string());
    WhatIf {
        device: index,
        stages: recorder.stages,
        device_rejected,
    }
}
