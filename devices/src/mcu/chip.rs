//! The microcontroller's state and its persistent writes: flash, option bytes and OTP
//! fuses, each write counted and traced, and the fault state every check passes
//! through. What its interfaces do with them is in the sibling modules.

use super::flash::Flash;
use super::layout::*;
use super::options::OptionBytes;
use super::otp::OtpFuses;
use crate::error::DeviceError;
use crate::fault::{FaultGate, FaultModel, FaultPoint, FaultState};
use crate::leakage::LeakageModel;
use crate::target::DeviceId;
use crate::target::StartedImage;
use crate::weakness::{Weakness, Weaknesses};
use provsim_sim::crypto::SecretKey;
use provsim_sim::{Ctx, Field, Seed, Stream};

pub struct Mcu {
    pub(super) device_id: DeviceId,
    pub(super) flash: Flash,
    pub(super) options: Flash,
    pub(super) otp: OtpFuses,
    /// The on-chip TRNG, modelled as the device's own labelled stream.
    pub(super) trng: Stream,
    /// The TRNG as drawn for a key the chip makes for itself: a stream of its own, so
    /// ground truth can re-derive that key without replaying the chip.
    pub(super) keygen: Stream,
    /// The transport key lives in RAM only, made at first use after power-up.
    pub(super) transport: Option<SecretKey>,
    /// Glitches that landed and have not yet been spent (the fault model's hook).
    pub(super) faults: FaultState,
    /// How its operations show on the supply: a stock part's, unless set.
    pub(super) leakage: LeakageModel,
    /// The key-store key register, on parts whose key store is sealed (an ASIC loads
    /// it from its key ladder at power-up; a stock MCU has none). Volatile: never in
    /// flash or fuses.
    pub(super) key_store_key: Option<[u8; 32]>,
    /// Whether the design seals its key store: then no key is ever stored or used in
    /// clear, and with no key-store key loaded the store is closed.
    pub(super) sealed_store: bool,
    /// The chip's own randomness for masking shares.
    pub(super) masks: Stream,
    /// Whether an image is running: set by a boot, cleared by anything that resets the
    /// chip (an option-byte change, a life-cycle transition, a failed boot).
    pub(super) running: bool,
    /// The protections this part's model leaves out.
    pub(super) weaknesses: Weaknesses,
    /// Every distinct image the boot ROM started, for the oracles (see
    /// [`Target::started_images`](crate::target::Target::started_images)).
    pub(super) started: std::collections::BTreeMap<[u8; 32], StartedImage>,
    /// The attestation key and certificate the chip maker left in the die.
    pub(super) die: crate::die::Die,
    /// The identity key the chip made itself (`GenerateIdentity`), which its
    /// attestation covers.
    pub(super) made_identity: Option<provsim_sim::crypto::PublicKey>,
}

impl Clone for Mcu {
    fn clone(&self) -> Self {
        Mcu {
            device_id: self.device_id,
            flash: self.flash.clone(),
            options: self.options.clone(),
            otp: self.otp.clone(),
            trng: self.trng.duplicate(),
            keygen: self.keygen.duplicate(),
            transport: self.transport.clone(),
            faults: self.faults.clone(),
            leakage: self.leakage,
            key_store_key: self.key_store_key,
            sealed_store: self.sealed_store,
            masks: self.masks.duplicate(),
            running: self.running,
            weaknesses: self.weaknesses.clone(),
            started: self.started.clone(),
            die: self.die.clone(),
            made_identity: self.made_identity.clone(),
        }
    }
}

impl Mcu {
    pub fn new(seed: Seed, index: u64, device_id: DeviceId) -> Self {
        // The fab leaves the option bytes programmed to their factory values.
        let options = Flash::preloaded(
            OPTIONS_BASE,
            OPTIONS_SIZE,
            OPTIONS_SIZE,
            &OptionBytes::FACTORY.encode(),
        );
        Mcu {
            device_id,
            flash: Flash::new(FLASH_BASE, FLASH_SIZE, SECTOR_SIZE),
            options,
            otp: OtpFuses::new(OTP_SIZE as usize),
            trng: crate::labels::trng(seed, index),
            keygen: crate::labels::on_chip_identity_key(seed, index),
            transport: None,
            faults: FaultState::default(),
            leakage: LeakageModel::STOCK,
            key_store_key: None,
            sealed_store: false,
            masks: crate::labels::masking(seed, index),
            running: false,
            weaknesses: Weaknesses::default(),
            started: std::collections::BTreeMap::new(),
            die: crate::die::Die::new(seed, index, device_id),
            made_identity: None,
        }
    }

    /// Makes the next failing check at `at` act as if it held: a glitch that landed.
    /// The fault model decides whether a glitch lands; this only applies it.
    pub fn arm_fault(&mut self, at: FaultPoint) {
        self.faults.arm(at);
    }

    /// The same chip with `model` as its fault model (its susceptibility to glitches
    /// and its countermeasures), in place of a stock part's.
    pub fn with_fault_model(mut self, model: FaultModel) -> Self {
        self.faults = FaultState::new(model);
        self
    }

    /// The same chip with `model` as its leakage model.
    pub fn with_leakage_model(mut self, model: LeakageModel) -> Self {
        self.leakage = model;
        self
    }

    /// Leaves the named protections out of this part's model.
    pub fn with_weaknesses(mut self, weaknesses: Weaknesses) -> Self {
        self.weaknesses = weaknesses;
        self
    }

    /// Whether this part's model leaves `weakness`'s protection out.
    pub(super) fn weak(&self, weakness: Weakness) -> bool {
        self.weaknesses.has(weakness)
    }

    /// Makes the key store a sealed one and loads (or clears) its key register: how an
    /// ASIC's key ladder hands its output to the key store at power-up. With the
    /// register empty (a PUF that failed) the store is closed, never open in clear.
    pub(crate) fn seal_key_store(&mut self, key: Option<[u8; 32]>) {
        self.sealed_store = true;
        self.key_store_key = key;
    }

    /// The chip's fault state, for tests that land a fault by hand.
    #[cfg(test)]
    pub(crate) fn faults_mut_for_tests(&mut self) -> &mut FaultState {
        &mut self.faults
    }

    /// Ends one operation of the chip: see [`FaultState::end_operation`].
    pub(crate) fn end_operation(&mut self) {
        self.faults.end_operation();
    }

    /// Runs one operation through an interface, then ends it.
    pub(super) fn operation<T>(&mut self, run: impl FnOnce(&mut Self) -> T) -> T {
        let result = run(self);
        self.end_operation();
        result
    }

    /// Checks one of the chip's decisions through its fault state.
    pub(crate) fn fault_check(&mut self, at: FaultPoint, holds: bool) -> bool {
        self.faults.check(at, holds)
    }

    /// Glitches that took effect so far.
    pub fn faults_fired(&self) -> &[FaultPoint] {
        self.faults.fired()
    }

    pub fn option_bytes(&self) -> OptionBytes {
        let mut bytes = [0xff; 16];
        bytes.copy_from_slice(&self.options.read(OPTIONS_BASE, OPTIONS_SIZE));
        OptionBytes::decode(&bytes)
    }

    pub(super) fn life_cycle_bits(&self) -> u16 {
        let bytes = self.otp.read(OTP_LIFE_CYCLE_OFFSET as usize, 2);
        u16::from_le_bytes([bytes[0], bytes[1]])
    }

    /// The anti-rollback counter: how many of its fuses are blown.
    pub fn rollback_counter(&self) -> u32 {
        self.otp
            .read(OTP_COUNTER_OFFSET as usize, OTP_COUNTER_BYTES as usize)
            .iter()
            .map(|b| b.count_ones())
            .sum()
    }

    pub(super) fn check(&mut self, at: FaultPoint, holds: bool) -> bool {
        self.faults.check(at, holds)
    }

    pub(super) fn transport_key(&mut self, ctx: &mut Ctx<'_>) -> &SecretKey {
        let trng = &mut self.trng;
        self.transport.get_or_insert_with(|| {
            let key = ctx.crypto.generate_key(trng);
            ctx.record(
                "transport-key",
                &[(
                    "fingerprint",
                    Field::Bytes(&key.public_key().fingerprint().0),
                )],
            );
            key
        })
    }

    pub(super) fn program_flash(
        &mut self,
        ctx: &mut Ctx<'_>,
        addr: u32,
        data: &[u8],
    ) -> Result<(), DeviceError> {
        self.flash.program(addr, data)?;
        ctx.record(
            "flash-program",
            &[
                ("addr", Field::U64(addr.into())),
                ("len", Field::U64(data.len() as u64)),
            ],
        );
        Ok(())
    }

    pub(super) fn erase(&mut self, ctx: &mut Ctx<'_>, base: u32, len: u32) {
        for sector in sectors(base, len) {
            if self.flash.erase_sector(sector) {
                ctx.record("flash-erase", &[("sector", Field::U64(sector.into()))]);
            }
        }
    }

    pub(super) fn program_otp(&mut self, ctx: &mut Ctx<'_>, offset: u32, data: &[u8]) {
        if self.otp.program(offset as usize, data) {
            ctx.record(
                "otp-program",
                &[
                    ("offset", Field::U64(offset.into())),
                    ("len", Field::U64(data.len() as u64)),
                ],
            );
        }
    }

    pub(super) fn write_options(&mut self, ctx: &mut Ctx<'_>, options: OptionBytes) {
        // Loading new option bytes resets the chip.
        self.running = false;
        // Option bytes are rewritten as a whole: erase, then program.
        self.options.erase_sector(0);
        let _ = self.options.program(OPTIONS_BASE, &options.encode());
        ctx.record(
            "options-write",
            &[
                ("rdp", Field::U64(options.rdp.level().into())),
                ("secure-region", Field::Bool(options.secure_region)),
            ],
        );
    }

    /// Writes a length-prefixed record at the start of a flash area.
    pub(super) fn program_record(
        &mut self,
        ctx: &mut Ctx<'_>,
        what: &'static str,
        base: u32,
        capacity: u32,
        data: &[u8],
    ) -> Result<usize, DeviceError> {
        let total = data.len() + 2;
        if total > capacity as usize || data.len() > usize::from(u16::MAX) {
            return Err(DeviceError::TooLarge {
                what,
                len: data.len(),
                capacity: capacity as usize - 2,
            });
        }
        let mut record = Vec::with_capacity(total);
        record.extend_from_slice(&(data.len() as u16).to_be_bytes());
        record.extend_from_slice(data);
        self.program_flash(ctx, base, &record)?;
        Ok(data.len())
    }

    /// Reads a length-prefixed record back; `None` when the area is erased or garbled.
    pub(super) fn read_record(&self, base: u32, capacity: u32) -> Option<Vec<u8>> {
        let prefix = self.flash.read(base, 2);
        let len = u32::from(u16::from_be_bytes([prefix[0], prefix[1]]));
        (len + 2 <= capacity).then(|| self.flash.read(base + 2, len))
    }
}
