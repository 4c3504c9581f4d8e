//! The what-if table: each stage of the lock sequence and what it left open.

use crate::model::{InterfaceInfo, LockStageInfo, LocksInfo};
use crate::runner::what_if::{Stage, WhatIf};

pub fn locks_info(what_if: &WhatIf) -> LocksInfo {
    let stages: Vec<LockStageInfo> = what_if.stages.iter().map(stage_info).collect();
    let after_run = stages
        .last()
        .map(|stage| stage.interfaces.clone())
        .unwrap_or_default();
    LocksInfo {
        device: what_if.device,
        stages,
        after_run,
        device_rejected: what_if.device_rejected.clone(),
    }
}

fn stage_info(stage: &Stage) -> LockStageInfo {
    let (name, result) = match &stage.step {
        None => ("provisioned".to_owned(), String::new()),
        Some(step) => (
            step.to_string(),
            match &stage.refused {
                None => "applied".to_owned(),
                Some(reason) => format!("refused: {reason}"),
            },
        ),
    };
    LockStageInfo {
        stage: name,
        result,
        interfaces: stage
            .probes
            .iter()
            .map(|probe| InterfaceInfo {
                interface: probe.interface.name().to_owned(),
                open: probe.open,
                detail: probe.detail.clone(),
            })
            .collect(),
    }
}
