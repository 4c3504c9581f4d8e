//! The ASIC itself: the MCU core, its PUF enrolled at first test and re-read at every
//! power-up, and the key ladder that turns the PUF key into the key-store key. Its
//! interfaces are the core's, with the test port reopened in RMA and the life-cycle
//! entry into test enrolling the PUF.

use super::ip::AsicIp;
use crate::error::{BootError, DeviceError, PortError};
use crate::fault::FaultPoint;
use crate::first_connection::DeviceAuth;
use crate::leakage::{MeasuredOperation, PowerTrace};
use crate::life_cycle::LifeCycle;
use crate::mcu::Mcu;
use crate::puf::{HelperData, SramPuf};
use crate::target::{Command, DeviceId, Response, RunningImage, Target, TargetKind};
use crate::weakness::Weakness;
use provsim_sim::crypto::{Crypto, PublicKey};
use provsim_sim::{Ctx, Field, Seed, Stream};

/// The ladder's labels: public, in the data sheet.
pub(super) const LADDER_ROOT: &[u8] = b"provsim asic key ladder: root";
pub(super) const LADDER_KEY_STORE: &[u8] = b"provsim asic key ladder: key store";

/// A custom ASIC.
#[derive(Clone)]
pub struct Asic {
    pub(super) core: Mcu,
    pub(super) ip: AsicIp,
    pub(super) puf: SramPuf,
    /// The PUF's helper data, kept in fuses once enrolled (public).
    pub(super) helper: Option<HelperData>,
    pub(super) seed: Seed,
    pub(super) index: u64,
    /// Power-ups so far: each reads the PUF with its own noise.
    pub(super) power_ups: u64,
}

impl Asic {
    pub fn new(seed: Seed, index: u64, device_id: DeviceId, ip: AsicIp) -> Self {
        let mut core = Mcu::new(seed, index, device_id)
            .with_fault_model(ip.faults.clone())
            .with_leakage_model(ip.leakage)
            .with_weaknesses(ip.weaknesses.clone());
        if ip.sealed_key_store {
            // Closed until the PUF is enrolled and the ladder has run.
            core.seal_key_store(None);
        }
        Asic {
            core,
            puf: if ip.weaknesses.has(Weakness::PufBiasedCells) {
                SramPuf::biased(seed, index, ip.puf)
            } else {
                SramPuf::new(seed, index, ip.puf)
            },
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

    /// The PUF's helper data, as the fuses hold it (public by design), once enrolled.
    pub fn helper_data(&self) -> Option<&HelperData> {
        self.helper.as_ref()
    }

    /// Whether the PUF has been enrolled (its helper data fused).
    pub fn enrolled(&self) -> bool {
        self.helper.is_some()
    }

    /// Runs one operation through an interface, then ends it (the core's faults).
    pub(super) fn operation<T>(&mut self, run: impl FnOnce(&mut Self) -> T) -> T {
        let result = run(self);
        self.core.end_operation();
        result
    }

    pub(super) fn noise(&mut self) -> Stream {
        self.power_ups += 1;
        crate::labels::puf_noise(self.seed, self.index, self.power_ups)
    }

    /// The key ladder: the PUF key diversified by the die, then the key-store key. Each
    /// step is a fault point; a skipped step leaves the register as it was (all zeros
    /// before the first).
    pub(super) fn ladder(&mut self, crypto: &Crypto, puf_key: &[u8; 32]) -> [u8; 32] {
        let mut register = [0u8; 32];
        let device = self.core.device_id();
        for label in LADDER {
            if !self.core.fault_check(FaultPoint::KeyLadderStep, false) {
                let input = if label == LADDER_ROOT {
                    puf_key
                } else {
                    &register
                };
                register = ladder_step(crypto, device, input, label);
            }
        }
        register
    }

    /// First entry into test: enrol the PUF and load the key-store key.
    ///
    /// (The ladder's derivation without its fault points is [`ladder_key`].)
    pub(super) fn enroll(&mut self, ctx: &mut Ctx<'_>) {
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

    pub(super) fn load_key_store_key(&mut self, ctx: &mut Ctx<'_>, puf_key: &[u8; 32]) {
        if self.ip.sealed_key_store {
            let key = self.ladder(ctx.crypto, puf_key);
            self.core.seal_key_store(Some(key));
        }
    }

    /// Power-up: the PUF is read again and the ladder re-run; a PUF that reads back too
    /// noisy leaves the key store closed (the chip says so in its trace).
    pub(super) fn power_up(&mut self, ctx: &mut Ctx<'_>) {
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

/// What each interface does; the `Target` methods wrap these and end the operation.
impl Asic {
    /// The test port: closed by the lock fuse, reopened in RMA (entered only with the
    /// RMA token, the key store wiped first).
    pub(super) fn debug_read_op(
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

    pub(super) fn authenticate_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        challenge: &[u8; 32],
        server: &PublicKey,
    ) -> Result<(DeviceAuth, [u8; 32]), PortError> {
        self.core.authenticate_op(ctx, challenge, server)
    }

    pub(super) fn firmware_read_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        addr: u32,
        len: u32,
    ) -> Result<Vec<u8>, PortError> {
        self.core.firmware_read_op(ctx, addr, len)
    }

    pub(super) fn execute_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        command: Command,
    ) -> Result<Response, DeviceError> {
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

    pub(super) fn stage_update_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        image: &[u8],
    ) -> Result<(), DeviceError> {
        self.core.stage_update_op(ctx, image)
    }

    pub(super) fn boot_op(&mut self, ctx: &mut Ctx<'_>) -> Result<RunningImage, BootError> {
        self.power_up(ctx);
        self.core.boot_op(ctx)
    }

    pub(super) fn power_trace_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        operation: &MeasuredOperation,
        rng: &mut Stream,
    ) -> Result<PowerTrace, PortError> {
        self.core.power_trace_op(ctx, operation, rng)
    }
}

/// The key-store key the ladder derives from a PUF key on die `device`: the design's
/// derivation, public (Kerckhoffs); [`Asic::ladder`] is the same two steps, each a fault
/// point.
pub fn ladder_key(crypto: &Crypto, device: DeviceId, puf_key: &[u8; 32]) -> [u8; 32] {
    LADDER.into_iter().fold(*puf_key, |register, label| {
        ladder_step(crypto, device, &register, label)
    })
}

/// The ladder's steps, in order: the first from the PUF key, each next from the last.
const LADDER: [&[u8]; 2] = [LADDER_ROOT, LADDER_KEY_STORE];

/// One step of the ladder: `input` diversified by the die under the step's label.
fn ladder_step(crypto: &Crypto, device: DeviceId, input: &[u8; 32], label: &[u8]) -> [u8; 32] {
    crypto.hkdf_sha256(&device.0.to_be_bytes(), input, label)
}
