//! The ASIC as a [`Target`]: each interface runs one operation and ends it.

use super::chip::Asic;
use crate::error::{BootError, DeviceError, PortError};
use crate::fault::{FaultPoint, Glitch, GlitchMethod, GlitchOutcome, GlitchTally};
use crate::first_connection::DeviceAuth;
use crate::leakage::{MeasuredOperation, PowerTrace};
use crate::life_cycle::LifeCycle;
use crate::target::{
    Command, DeviceId, MemoryRegion, Response, RunningImage, StartedImage, Target, TargetKind,
};
use provsim_sim::crypto::PublicKey;
use provsim_sim::{Ctx, Stream};

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

    fn glitch_tally(&self) -> Vec<(FaultPoint, GlitchMethod, GlitchTally)> {
        self.core.glitch_tally()
    }

    fn anti_rollback_fuses(&self) -> u32 {
        self.core.anti_rollback_fuses()
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

    /// The core's bus: with a sealed key store, only ciphertext crosses it (the key
    /// ladder's key unseals inside the crypto block).
    fn probe_bus(&mut self, ctx: &mut Ctx<'_>) -> Result<Vec<u8>, PortError> {
        self.operation(|asic| asic.core.bus_probe_op(ctx))
    }

    fn puf_helper_data(&self) -> Result<crate::puf::HelperData, PortError> {
        self.helper_data().cloned().ok_or(PortError::NoPuf)
    }

    fn started_images(&self) -> Vec<StartedImage> {
        self.core.started_images()
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
