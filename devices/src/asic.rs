//! A custom ASIC: the device maker's own chip, as strong as the security IP designed
//! into it. Its CPU subsystem (flash, fuses, boot ROM, the test port that doubles as
//! the debug port) is the same core as the stock MCU's; around it sit the blocks a
//! security team chooses ([`AsicIp`]):
//!
//! - an SRAM PUF: enrolled when the die first enters manufacturing test (only its
//!   public helper data is kept), re-derived at every power-up;
//! - a key ladder that turns the PUF key into the key-store key, one step at a time
//!   (each a fault point: a skipped step leaves the register as it was), loaded into a
//!   volatile register, never written to flash or fuses;
//! - a sealed key store: every key the station injects is sealed under that key, so a
//!   dump of the store (through an open or glitched test port) yields only ciphertext;
//! - the test port, locked by the debug-lock fuse and reopened only through RMA with
//!   the token whose hash is fused (the key store is wiped first);
//! - fault countermeasures (detectors, redundant and hardened checks) and leakage
//!   countermeasures (masking, shielding) for the physical models.

use crate::error::{BootError, DeviceError, PortError};
use crate::fault::{
    Detector, FaultCountermeasures, FaultModel, FaultPoint, Glitch, GlitchMethod, GlitchOutcome,
    Ratio,
};
use crate::first_connection::DeviceAuth;
use crate::leakage::{LeakageModel, MeasuredOperation, PowerTrace};
use crate::mcu::Mcu;
use crate::puf::{HelperData, PufConfig, SramPuf};
use crate::target::{
    Command, DeviceId, LifeCycle, MemoryRegion, Response, RunningImage, Target, TargetKind,
};
use provsim_sim::crypto::{Crypto, PublicKey};
use provsim_sim::{Ctx, Field, Seed, Stream};

/// The security IP a design includes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsicIp {
    pub puf: PufConfig,
    /// Seal the key store under the key ladder's output (without it, keys sit in clear
    /// as on the stock MCU).
    pub sealed_key_store: bool,
    pub faults: FaultModel,
    pub leakage: LeakageModel,
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
        }
    }
}

impl Default for AsicIp {
    fn default() -> Self {
        AsicIp::full()
    }
}

/// The ladder's labels: public, in the data sheet.
const LADDER_ROOT: &[u8] = b"provsim asic key ladder: root";
const LADDER_KEY_STORE: &[u8] = b"provsim asic key ladder: key store";

/// A custom ASIC.
#[derive(Clone)]
pub struct Asic {
    core: Mcu,
    ip: AsicIp,
    puf: SramPuf,
    /// The PUF's helper data, kept in fuses once enrolled (public).
    helper: Option<HelperData>,
    seed: Seed,
    index: u64,
    /// Power-ups so far: each reads the PUF with its own noise.
    power_ups: u64,
}

impl Asic {
    pub fn new(seed: Seed, index: u64, device_id: DeviceId, ip: AsicIp) -> Self {
        let mut core = Mcu::new(seed, index, device_id)
            .with_fault_model(ip.faults.clone())
            .with_leakage_model(ip.leakage);
        if ip.sealed_key_store {
            // Closed until the PUF is enrolled and the ladder has run.
            core.seal_key_store(None);
        }
        Asic {
            core,
            puf: SramPuf::new(seed, index, ip.puf),
            ip,
            helper: None,
            seed,
            index,
            power_ups: 0,
        }
    }

    pub fn ip(&self) -> &AsicIp {
        &self.ip
    }

    /// Whether the PUF has been enrolled (its helper data fused).
    pub fn enrolled(&self) -> bool {
        self.helper.is_some()
    }

    /// Runs one operation through an interface, then ends it (the core's faults).
    fn operation<T>(&mut self, run: impl FnOnce(&mut Self) -> T) -> T {
        let result = run(self);
        self.core.end_operation();
        result
    }

    fn noise(&mut self) -> Stream {
        self.power_ups += 1;
        crate::labels::puf_noise(self.seed, self.index, self.power_ups)
    }

    /// The key ladder: the PUF key diversified by the die, then the key-store key. Each
    /// step is a fault point; a skipped step leaves the register as it was (all zeros
    /// before the first).
    fn ladder(&mut self, crypto: &Crypto, puf_key: &[u8; 32]) -> [u8; 32] {
        let mut register = [0u8; 32];
        let id = self.core.device_id().0.to_be_bytes();
        if !self.core.fault_check(FaultPoint::KeyLadderStep, false) {
            register = crypto.hkdf_sha256(&id, puf_key, LADDER_ROOT);
        }
        if !self.core.fault_check(FaultPoint::KeyLadderStep, false) {
            register = crypto.hkdf_sha256(&id, &register, LADDER_KEY_STORE);
        }
        register
    }

    /// First entry into test: enrol the PUF and load the key-store key.
    fn enroll(&mut self, ctx: &mut Ctx<'_>) {
        let mut noise = self.noise();
        let mut trng = crate::labels::puf_secret(self.seed, self.index);
        let (helper, key) = self.puf.enroll(&mut noise, &mut trng);
        ctx.record(
            "puf-enrolled",
            &[("check", Field::Bytes(&helper.check[..8]))],
        );
        self.helper = Some(helper);
        self.load_key_store_key(ctx, &key);
    }

    fn load_key_store_key(&mut self, ctx: &mut Ctx<'_>, puf_key: &[u8; 32]) {
        if self.ip.sealed_key_store {
            let key = self.ladder(ctx.crypto, puf_key);
            self.core.seal_key_store(Some(key));
        }
    }

    /// Power-up: the PUF is read again and the ladder re-run; a PUF that reads back too
    /// noisy leaves the key store closed (the chip says so in its trace).
    fn power_up(&mut self, ctx: &mut Ctx<'_>) {
        let Some(helper) = self.helper.clone() else {
            return;
        };
        let mut noise = self.noise();
        match self.puf.reconstruct(&helper, &mut noise) {
            Ok(key) => self.load_key_store_key(ctx, &key),
            Err(error) => {
                self.core.seal_key_store(None);
                ctx.record("puf-failed", &[("error", Field::Str(&error.to_string()))]);
            }
        }
    }
}

impl Target for Asic {
    fn kind(&self) -> TargetKind {
        TargetKind::Asic
    }

    fn device_id(&self) -> DeviceId {
        self.core.device_id()
    }

    fn memory_map(&self) -> &'static [MemoryRegion] {
        self.core.memory_map()
    }

    fn life_cycle(&self) -> LifeCycle {
        self.core.life_cycle()
    }

    fn persistent_writes(&self) -> u64 {
        self.core.persistent_writes()
    }

    fn clone_box(&self) -> Box<dyn Target> {
        Box::new(self.clone())
    }

    fn glitch(&mut self, glitch: Glitch, rng: &mut Stream) -> GlitchOutcome {
        self.core.glitch(glitch, rng)
    }

    fn fault_alarms(&self) -> u64 {
        self.core.fault_alarms()
    }

    fn debug_read(&mut self, ctx: &mut Ctx<'_>, addr: u32, len: u32) -> Result<Vec<u8>, PortError> {
        self.operation(|asic| asic.debug_read_op(ctx, addr, len))
    }

    fn firmware_read(
        &mut self,
        ctx: &mut Ctx<'_>,
        addr: u32,
        len: u32,
    ) -> Result<Vec<u8>, PortError> {
        self.operation(|asic| asic.firmware_read_op(ctx, addr, len))
    }

    fn execute(&mut self, ctx: &mut Ctx<'_>, command: Command) -> Result<Response, DeviceError> {
        self.operation(|asic| asic.execute_op(ctx, command))
    }

    fn stage_update(&mut self, ctx: &mut Ctx<'_>, image: &[u8]) -> Result<(), DeviceError> {
        self.operation(|asic| asic.stage_update_op(ctx, image))
    }

    fn boot(&mut self, ctx: &mut Ctx<'_>) -> Result<RunningImage, BootError> {
        self.operation(|asic| asic.boot_op(ctx))
    }

    fn authenticate(
        &mut self,
        ctx: &mut Ctx<'_>,
        challenge: &[u8; 32],
        server: &PublicKey,
    ) -> Result<(DeviceAuth, [u8; 32]), PortError> {
        self.operation(|asic| asic.authenticate_op(ctx, challenge, server))
    }

    fn power_trace(
        &mut self,
        ctx: &mut Ctx<'_>,
        operation: &MeasuredOperation,
        rng: &mut Stream,
    ) -> Result<PowerTrace, PortError> {
        self.operation(|asic| asic.power_trace_op(ctx, operation, rng))
    }
}

/// What each interface does; the `Target` methods wrap these and end the operation.
impl Asic {
    /// The test port: closed by the lock fuse, reopened in RMA (entered only with the
    /// RMA token, the key store wiped first).
    fn debug_read_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        addr: u32,
        len: u32,
    ) -> Result<Vec<u8>, PortError> {
        match self.core.debug_read_op(ctx, addr, len) {
            Err(PortError::Locked) if self.core.life_cycle() == LifeCycle::Rma => {
                let data = self.core.rma_test_port_read(addr, len)?;
                ctx.record(
                    "test-port-read",
                    &[
                        ("addr", Field::U64(addr.into())),
                        ("len", Field::U64(len.into())),
                    ],
                );
                Ok(data)
            }
            other => other,
        }
    }

    fn authenticate_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        challenge: &[u8; 32],
        server: &PublicKey,
    ) -> Result<(DeviceAuth, [u8; 32]), PortError> {
        self.core.authenticate_op(ctx, challenge, server)
    }

    fn firmware_read_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        addr: u32,
        len: u32,
    ) -> Result<Vec<u8>, PortError> {
        self.core.firmware_read_op(ctx, addr, len)
    }

    fn execute_op(&mut self, ctx: &mut Ctx<'_>, command: Command) -> Result<Response, DeviceError> {
        let entering_test = matches!(
            command,
            Command::Transition {
                to: LifeCycle::Test,
                ..
            }
        );
        // The lock fuse closes the test port to everything but the RMA unlock, which
        // needs the token whose hash is fused (and wipes the key store first); in RMA
        // the port is open again.
        let unlock = matches!(
            command,
            Command::Transition {
                to: LifeCycle::Rma,
                ..
            }
        );
        let response = match self.core.execute_op(ctx, command.clone()) {
            Err(DeviceError::Port(PortError::Locked))
                if unlock || self.core.life_cycle() == LifeCycle::Rma =>
            {
                self.core.run_command(ctx, command)?
            }
            other => other?,
        };
        if entering_test && self.helper.is_none() {
            self.enroll(ctx);
        }
        Ok(match response {
            Response::Info(mut info) => {
                info.kind = TargetKind::Asic;
                Response::Info(info)
            }
            other => other,
        })
    }

    fn stage_update_op(&mut self, ctx: &mut Ctx<'_>, image: &[u8]) -> Result<(), DeviceError> {
        self.core.stage_update_op(ctx, image)
    }

    fn boot_op(&mut self, ctx: &mut Ctx<'_>) -> Result<RunningImage, BootError> {
        self.power_up(ctx);
        self.core.boot_op(ctx)
    }

    fn power_trace_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        operation: &MeasuredOperation,
        rng: &mut Stream,
    ) -> Result<PowerTrace, PortError> {
        self.core.power_trace_op(ctx, operation, rng)
    }
}

#[cfg(test)]
mod tests;
