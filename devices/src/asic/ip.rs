//! The security IP a custom design chooses to include.

use crate::fault::{Detector, FaultCountermeasures, FaultModel, FaultPoint, GlitchMethod, Ratio};
use crate::leakage::LeakageModel;
use crate::puf::PufConfig;
use crate::weakness::Weaknesses;

/// The security IP a design includes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsicIp {
    pub puf: PufConfig,
    /// Seal the key store under the key ladder's output (without it, keys sit in clear
    /// as on the stock MCU).
    pub sealed_key_store: bool,
    pub faults: FaultModel,
    pub leakage: LeakageModel,
    /// The protections of the core this design leaves out (none in the full design).
    pub weaknesses: Weaknesses,
}

impl AsicIp {
    /// A design with every block: PUF and sealed key store; voltage and clock glitch
    /// detectors that catch three in four; the signature check, the life-cycle gate,
    /// the debug-access check and the ladder steps computed twice and compared;
    /// hardened booleans; first-order masking and a shield that lets half the signal
    /// through.
    pub fn full() -> AsicIp {
        let three_in_four = Ratio::new(3, 4).unwrap_or(Ratio::NEVER);
        AsicIp {
            puf: PufConfig::DEFAULT,
            sealed_key_store: true,
            faults: FaultModel {
                countermeasures: FaultCountermeasures {
                    detectors: vec![
                        Detector {
                            senses: GlitchMethod::Voltage,
                            catches: three_in_four,
                        },
                        Detector {
                            senses: GlitchMethod::Clock,
                            catches: three_in_four,
                        },
                    ],
                    redundant: vec![
                        FaultPoint::ImageSignature,
                        FaultPoint::LifeCycleGate,
                        FaultPoint::DebugAccess,
                        FaultPoint::KeyLadderStep,
                    ],
                    hardened_booleans: true,
                },
                ..FaultModel::stock()
            },
            leakage: LeakageModel {
                masking_order: 1,
                shield: Ratio::new(1, 2).unwrap_or(Ratio::ALWAYS),
                ..LeakageModel::STOCK
            },
            weaknesses: Weaknesses::default(),
        }
    }
}

impl Default for AsicIp {
    fn default() -> Self {
        AsicIp::full()
    }
}
