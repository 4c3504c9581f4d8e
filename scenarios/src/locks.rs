//! The what-if table: replay one device's provisioning and probe the chip after every
//! step of the lock sequence, so an author sees what a sequence leaves reachable before
//! fusing a real part. Probes act on copies of the chip through its real interfaces
//! and are charged to their own facade, so they change neither the run nor its digest.

use crate::report::{InterfaceInfo, LockStageInfo, LocksInfo};
use provsim_devices::Target;
use provsim_devices::probe::probe_all;
use provsim_provisioner::{Line, LockStage, PassObserver};
use provsim_sim::crypto::Crypto;
use provsim_sim::{Ctx, SimTime, Trace};

#[derive(Default)]
struct Recorder {
    stages: Vec<LockStageInfo>,
}

impl PassObserver for Recorder {
    fn observe(&mut self, stage: LockStage<'_>, target: &dyn Target) {
        let crypto = Crypto::new();
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
        let interfaces = probe_all(target, &mut ctx)
            .into_iter()
            .map(|probe| InterfaceInfo {
                interface: probe.interface.name().to_owned(),
                open: probe.open,
                detail: probe.detail,
            })
            .collect();
        let (stage, result) = match stage {
            LockStage::BeforeLocks => ("provisioned".to_owned(), String::new()),
            LockStage::AfterStep { step, refused } => (
                step.to_string(),
                match refused {
                    None => "applied".to_owned(),
                    Some(reason) => format!("refused: {reason}"),
                },
            ),
        };
        self.stages.push(LockStageInfo {
            stage,
            result,
            interfaces,
        });
    }
}

/// Replays device `index` through the station and probes it at every lock stage.
pub fn what_if(line: &Line, index: u64) -> LocksInfo {
    let mut recorder = Recorder::default();
    let scratch = Crypto::new();
    let device_rejected = line
        .rebuild_device_observed(index, &scratch, &mut recorder)
        .err()
        .map(|error| error.to_string());
    let after_run = recorder
        .stages
        .last()
        .map(|stage| stage.interfaces.clone())
        .unwrap_or_default();
    LocksInfo {
        device: index,
        stages: recorder.stages,
        after_run,
        device_rejected,
    }
}
