//! The microcontroller as a [`Target`]: each interface runs one operation (see `ops`)
//! and ends it, so a transient fault not spent in it is gone.

use super::chip::Mcu;
use super::layout::MEMORY_MAP;
use super::life_cycle;
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

impl Target for Mcu {
    fn kind(&self) -> TargetKind {
        TargetKind::Mcu
    }

    fn device_id(&self) -> DeviceId {
        self.device_id
    }

    fn memory_map(&self) -> &'static [MemoryRegion] {
        MEMORY_MAP
    }

    fn life_cycle(&self) -> LifeCycle {
        life_cycle::decode(self.life_cycle_bits())
    }

    fn persistent_writes(&self) -> u64 {
        self.flash.writes() + self.options.writes() + self.otp.writes()
    }

    fn clone_box(&self) -> Box<dyn Target> {
        Box::new(self.clone())
    }

    fn glitch(&mut self, glitch: Glitch, rng: &mut Stream) -> GlitchOutcome {
        self.faults.glitch(glitch, rng)
    }

    fn fault_alarms(&self) -> u64 {
        self.faults.alarms()
    }

    fn glitch_tally(&self) -> Vec<(FaultPoint, GlitchMethod, GlitchTally)> {
        self.faults.tally()
    }

    fn anti_rollback_fuses(&self) -> u32 {
        self.rollback_counter()
    }

    fn debug_read(&mut self, ctx: &mut Ctx<'_>, addr: u32, len: u32) -> Result<Vec<u8>, PortError> {
        self.operation(|chip| chip.debug_read_op(ctx, addr, len))
    }

    fn firmware_read(
        &mut self,
        ctx: &mut Ctx<'_>,
        addr: u32,
        len: u32,
    ) -> Result<Vec<u8>, PortError> {
        self.operation(|chip| chip.firmware_read_op(ctx, addr, len))
    }

    fn execute(&mut self, ctx: &mut Ctx<'_>, command: Command) -> Result<Response, DeviceError> {
        self.operation(|chip| chip.execute_op(ctx, command))
    }

    fn stage_update(&mut self, ctx: &mut Ctx<'_>, image: &[u8]) -> Result<(), DeviceError> {
        self.operation(|chip| chip.stage_update_op(ctx, image))
    }

    fn boot(&mut self, ctx: &mut Ctx<'_>) -> Result<RunningImage, BootError> {
        self.operation(|chip| chip.boot_op(ctx))
    }

    fn probe_bus(&mut self, ctx: &mut Ctx<'_>) -> Result<Vec<u8>, PortError> {
        self.operation(|chip| chip.bus_probe_op(ctx))
    }

    fn started_images(&self) -> Vec<StartedImage> {
        self.started.values().cloned().collect()
    }

    fn authenticate(
        &mut self,
        ctx: &mut Ctx<'_>,
        challenge: &[u8; 32],
        server: &PublicKey,
    ) -> Result<(DeviceAuth, [u8; 32]), PortError> {
        self.operation(|chip| chip.authenticate_op(ctx, challenge, server))
    }

    fn power_trace(
        &mut self,
        ctx: &mut Ctx<'_>,
        operation: &MeasuredOperation,
        rng: &mut Stream,
    ) -> Result<PowerTrace, PortError> {
        self.operation(|chip| chip.power_trace_op(ctx, operation, rng))
    }
}
