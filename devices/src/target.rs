use crate::error::{BootError, DeviceError, PortError};
use crate::fault::{Glitch, GlitchOutcome};
use crate::leakage::{MeasuredOperation, PowerTrace};
use provsim_sim::crypto::{Envelope, PublicKey};
use provsim_sim::{Ctx, Seed, Stream};
use std::fmt;

/// The kinds of chip provsim models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TargetKind {
    /// A stock microcontroller's own security features: debug lock fuse, OTP, flash.
    Mcu,
    /// A custom ASIC: the same core with a PUF, a key ladder, a sealed key store and
    /// fault and leakage countermeasures.
    Asic,
    /// A secure element: a smart-card-class chip behind APDUs, personalised over a
    /// sealed-key import and closed; it runs no firmware of the device maker's.
    Se,
}

impl TargetKind {
    pub const ALL: [TargetKind; 3] = [TargetKind::Mcu, TargetKind::Asic, TargetKind::Se];

    pub fn name(self) -> &'static str {
        match self {
            TargetKind::Mcu => "mcu",
            TargetKind::Asic => "asic",
            TargetKind::Se => "se",
        }
    }

    /// Whether the part boots the device maker's firmware, with fuses, life-cycle tokens
    /// and a debug port: what the station writes, locks and tests. A secure element
    /// does not: it is personalised with keys and a certificate, then closed.
    pub fn runs_firmware(self) -> bool {
        self != TargetKind::Se
    }

    /// One line on what the target is, for `provsim list targets`.
    pub fn summary(self) -> &'static str {
        match self {
            TargetKind::Mcu => {
                "stock microcontroller: 64 KiB NOR flash in 2 KiB sectors, RDP 0/1/2 and a \
                 secure region in option bytes, OTP fuses (debug lock, secure boot, life \
                 cycle, anti-rollback counter, root-of-trust hash, token hashes), MCUboot \
                 boot ROM"
            }
            TargetKind::Asic => {
                "custom ASIC: the MCU's core (flash, fuses, MCUboot boot ROM, a test port \
                 locked by fuse, reopened only through RMA with its hashed token) with an \
                 SRAM PUF (63-cell repetition code), a key ladder to a volatile key-store \
                 key, a sealed key store, glitch detectors, redundant hardened checks, \
                 masking and a shield"
            }
            TargetKind::Se => {
                "secure element: APDUs only (ISO 7816-4), objects with read/use/update rules \
                 and their own life cycle, a PIN with three tries, an SCP03-style secure \
                 channel, keys imported sealed to its transport key while personalising, no \
                 debug port, no RMA (a returned part is terminated)"
            }
        }
    }

    /// The checks of this kind's logic a glitch can be aimed at.
    pub fn fault_points(self) -> Vec<crate::fault::FaultPoint> {
        use crate::fault::FaultPoint;
        FaultPoint::ALL
            .into_iter()
            .filter(|point| match (self, point) {
                (TargetKind::Se, p) => {
                    matches!(p, FaultPoint::ApduAccess | FaultPoint::LifeCycleGate)
                }
                (_, FaultPoint::ApduAccess) => false,
                (kind, FaultPoint::KeyLadderStep) => kind == TargetKind::Asic,
                _ => true,
            })
            .collect()
    }

    /// The public memory map of every part of this kind.
    pub fn memory_map(self) -> &'static [MemoryRegion] {
        match self {
            TargetKind::Mcu | TargetKind::Asic => crate::mcu::layout::MEMORY_MAP,
            TargetKind::Se => &[],
        }
    }
}

/// A device's public, unique identifier, as written at wafer test and printed in its
/// certificate: product (16 bits), lot (16 bits), device number within the lot (32 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeviceId(pub u64);

impl DeviceId {
    pub fn new(product: u16, lot: u16, number: u32) -> Self {
        DeviceId((u64::from(product) << 48) | (u64::from(lot) << 32) | u64::from(number))
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// What a memory region holds, as the public data sheet describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionKind {
    /// Application code and data.
    Code,
    /// Stored certificates and public keys.
    Data,
    /// The key store: slots in the documented [`crate::keystore`] format.
    KeyStore,
    /// One-time-programmable fuses.
    Otp,
    /// Option bytes: protection settings, erasable but guarded by the chip.
    Options,
}

impl RegionKind {
    pub fn name(self) -> &'static str {
        match self {
            RegionKind::Code => "code",
            RegionKind::Data => "data",
            RegionKind::KeyStore => "key store",
            RegionKind::Otp => "fuses",
            RegionKind::Options => "option bytes",
        }
    }
}

/// A chip's life-cycle state, kept in fuses so it only moves forward.
///
/// blank -> test -> provisioned -> field; provisioned or field -> rma (token-gated,
/// secrets wiped first); any -> scrapped. Fuse patterns that decode to no state are
/// treated as scrapped, as OpenTitan does with INVALID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LifeCycle {
    /// Fresh from the fab: nothing but identification and the move to test.
    Blank,
    /// Manufacturing test: the programming protocol may write secrets.
    Test,
    /// Secrets are in; key injection is over; the part may still be locked down.
    Provisioned,
    /// Deployed.
    Field,
    /// Returned for failure analysis: interfaces reopen, so secrets are wiped first.
    Rma,
    /// End of life: the chip refuses everything.
    Scrapped,
}

impl LifeCycle {
    pub const ALL: [LifeCycle; 6] = [
        LifeCycle::Blank,
        LifeCycle::Test,
        LifeCycle::Provisioned,
        LifeCycle::Field,
        LifeCycle::Rma,
        LifeCycle::Scrapped,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LifeCycle::Blank => "blank",
            LifeCycle::Test => "test",
            LifeCycle::Provisioned => "provisioned",
            LifeCycle::Field => "field",
            LifeCycle::Rma => "rma",
            LifeCycle::Scrapped => "scrapped",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.name() == name)
    }
}

impl fmt::Display for LifeCycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The secrets a gated life-cycle transition asks for. The chip stores only their
/// SHA-256, in fuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TokenKind {
    /// Leaves manufacturing test for provisioned.
    TestExit,
    /// Opens a returned part for failure analysis.
    Rma,
}

impl TokenKind {
    pub fn name(self) -> &'static str {
        match self {
            TokenKind::TestExit => "test-exit",
            TokenKind::Rma => "rma",
        }
    }
}

/// One-time fuses a station can blow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fuse {
    /// Closes the debug port for good.
    DebugLock,
    /// Makes the boot ROM verify every image against the root of trust.
    SecureBoot,
}

impl Fuse {
    pub const ALL: [Fuse; 2] = [Fuse::DebugLock, Fuse::SecureBoot];

    pub fn name(self) -> &'static str {
        match self {
            Fuse::DebugLock => "debug-lock",
            Fuse::SecureBoot => "secure-boot",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|fuse| fuse.name() == name)
    }
}

/// The image the boot ROM handed control to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningImage {
    /// SHA-256 over the image's header, body and protected TLVs (its MCUboot hash).
    pub hash: [u8; 32],
    /// The version from the image header, e.g. `1.2.3+4`.
    pub version: String,
    pub security_counter: Option<u32>,
    /// False when secure boot is off and the ROM ran the image unchecked.
    pub verified: bool,
    /// Why a pending update was refused, if one was.
    pub update_refused: Option<String>,
}

/// One entry of a target's memory map. The map is public (data-sheet) knowledge: an
/// attacker may know it without knowing anything secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryRegion {
    pub name: &'static str,
    pub base: u32,
    pub len: u32,
    pub kind: RegionKind,
}

/// Commands of the programming protocol a station speaks through the debug port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Identify the device and return its transport key for injection.
    GetInfo,
    /// Install a private key sealed to the device's transport key into a key-store slot.
    InjectKey { slot: u8, envelope: Envelope },
    /// Install a 256-bit symmetric key sealed to the device's transport key into a
    /// key-store slot.
    InjectSecret { slot: u8, envelope: Envelope },
    /// Make a key pair from the chip's own TRNG into a key-store slot and answer with a
    /// PKCS#10 request for it, naming the device: the private key never leaves.
    GenerateIdentity { slot: u8 },
    /// Store the device certificate (DER).
    WriteCertificate { der: Vec<u8> },
    /// Store the firmware-verification public key (SEC1) and fuse its hash as the root
    /// of trust for secure boot.
    WriteFirmwareKey { sec1: Vec<u8> },
    /// Blow a one-time fuse.
    BlowFuse { fuse: Fuse },
    /// Set the readout-protection level (0, 1 or 2) in the option bytes. Going from 1 to
    /// 0 mass-erases the flash first; 2 is final.
    SetReadoutProtection { level: u8 },
    /// Set the option bit that hides the key store from everything but the boot ROM.
    EnableSecureRegion,
    /// Store the SHA-256 of a life-cycle token in fuses (test state only).
    WriteTokenHash { token: TokenKind, hash: [u8; 32] },
    /// Move the life cycle forward, presenting the token where the move needs one.
    Transition {
        to: LifeCycle,
        token: Option<Vec<u8>>,
    },
    /// Program a firmware image into the primary slot (factory programming).
    WriteImage { image: Vec<u8> },
}

/// What a device reports about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub device_id: DeviceId,
    pub kind: TargetKind,
    /// The ephemeral key (made on chip at power-up, never stored) that injected keys are
    /// sealed to, so they cross the station only encrypted.
    pub transport_key: PublicKey,
    pub life_cycle: LifeCycle,
}

/// A device's answer to a [`Command`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Info(DeviceInfo),
    /// The key was installed; the device reports the public key it computed from it, so
    /// the station can check that the right key arrived intact.
    KeyInstalled {
        slot: u8,
        public_key: PublicKey,
    },
    /// The symmetric key was installed; the device reports its key check value (see
    /// [`crate::key_check_value`]) so the station can check it arrived intact.
    SecretInstalled {
        slot: u8,
        check: [u8; 4],
    },
    /// The key made on chip: its public half and a certificate signing request (DER)
    /// signed with it.
    CertificateRequest {
        slot: u8,
        public_key: PublicKey,
        der: Vec<u8>,
    },
    Written {
        bytes: usize,
    },
    FuseBlown(Fuse),
    OptionsWritten,
    Transitioned(LifeCycle),
}

/// What the line, attackers and claims can do to a chip: the surfaces they really reach.
///
/// Every persistent write a target performs (a fuse, a flash page) is counted and
/// recorded in the step's trace, so tests can cut power at any write.
pub trait Target {
    fn kind(&self) -> TargetKind;

    fn device_id(&self) -> DeviceId;

    /// The public memory map.
    fn memory_map(&self) -> &'static [MemoryRegion];

    /// Reads memory through the debug port (SWD/JTAG), as a programmer or an attacker
    /// with a probe on the pins would.
    fn debug_read(&mut self, ctx: &mut Ctx<'_>, addr: u32, len: u32) -> Result<Vec<u8>, PortError>;

    /// Reads memory as the firmware the boot ROM last started does: the CPU's view,
    /// which readout protection does not restrict (it keeps out debuggers, not the
    /// chip's own code) but a secure region does. This is what code an attacker got to
    /// run can see. Refused when no image is running.
    fn firmware_read(
        &mut self,
        ctx: &mut Ctx<'_>,
        addr: u32,
        len: u32,
    ) -> Result<Vec<u8>, PortError>;

    /// Runs one command of the programming protocol (reached through the debug port).
    fn execute(&mut self, ctx: &mut Ctx<'_>, command: Command) -> Result<Response, DeviceError>;

    /// The life-cycle state as the fuses decode it.
    fn life_cycle(&self) -> LifeCycle;

    /// The update path the running application offers (what an over-the-air update or
    /// a serial loader uses): stages an image in the update slot for the boot ROM to
    /// judge at the next boot. It does not pass through the debug port.
    fn stage_update(&mut self, ctx: &mut Ctx<'_>, image: &[u8]) -> Result<(), DeviceError>;

    /// Power-on: the boot ROM installs a staged update if it passes, then checks the
    /// primary slot and starts it.
    fn boot(&mut self, ctx: &mut Ctx<'_>) -> Result<RunningImage, BootError>;

    /// Persistent writes (fuse, option-byte and flash programming and erasing) so far.
    fn persistent_writes(&self) -> u64;

    /// An identical chip, for what-if probes that must not disturb the original.
    fn clone_box(&self) -> Box<dyn Target>;

    /// A glitch aimed at one of the chip's fault points (see [`crate::fault`]): the
    /// chip's fault model decides, drawing from `rng` (the attacker's stream), whether it
    /// lands and whether a detector catches it. One that lands acts on the next refusal
    /// made at its point.
    fn glitch(&mut self, glitch: Glitch, rng: &mut Stream) -> GlitchOutcome;

    /// Alarms raised so far by the chip's glitch detectors and fault comparisons.
    fn fault_alarms(&self) -> u64;

    /// Power while the chip runs `operation`, as a probe on its supply sees it: the
    /// operation's intermediate values through the chip's leakage model (see
    /// [`crate::leakage`]), masks from the chip's own randomness, noise from `rng` (the
    /// measurement's stream). The key never leaves; only samples do. Refused when no firmware runs to ask, or no
    /// key of that kind is in the slot.
    fn power_trace(
        &mut self,
        ctx: &mut Ctx<'_>,
        operation: &MeasuredOperation,
        rng: &mut Stream,
    ) -> Result<PowerTrace, PortError>;

    /// First connection to the cloud: the running firmware asks the chip's key service
    /// to answer the registrar's `challenge` with the identity key, which never leaves
    /// the key store (see [`crate::first_connection`]). Returns the answer and the
    /// session key the device derived. Refused when no image runs or no identity is
    /// installed.
    fn authenticate(
        &mut self,
        ctx: &mut Ctx<'_>,
        challenge: &[u8; 32],
        server: &PublicKey,
    ) -> Result<(crate::first_connection::DeviceAuth, [u8; 32]), PortError>;
}

/// Builds device number `index` of a run, from the seed alone: the same arguments always
/// give the same chip, which is how attacks re-create the devices they target.
pub fn build_target(
    kind: TargetKind,
    seed: Seed,
    index: u64,
    device_id: DeviceId,
) -> Box<dyn Target> {
    build_target_with(
        kind,
        &crate::countermeasures::Countermeasures::default(),
        seed,
        index,
        device_id,
    )
}

/// [`build_target`] with the scenario's countermeasures.
pub fn build_target_with(
    kind: TargetKind,
    countermeasures: &crate::countermeasures::Countermeasures,
    seed: Seed,
    index: u64,
    device_id: DeviceId,
) -> Box<dyn Target> {
    match kind {
        TargetKind::Mcu => Box::new(
            crate::mcu::Mcu::new(seed, index, device_id)
                .with_fault_model(countermeasures.faults(crate::fault::FaultModel::stock()))
                .with_leakage_model(countermeasures.leakage(crate::leakage::LeakageModel::STOCK)),
        ),
        TargetKind::Asic => {
            let full = crate::asic::AsicIp::full();
            let ip = crate::asic::AsicIp {
                faults: countermeasures.faults(full.faults),
                leakage: countermeasures.leakage(full.leakage),
                puf: countermeasures.puf(full.puf),
                sealed_key_store: countermeasures
                    .sealed_key_store
                    .unwrap_or(full.sealed_key_store),
            };
            Box::new(crate::asic::Asic::new(seed, index, device_id, ip))
        }
        TargetKind::Se => {
            // The batch transport key the SE vendor keyed the cards with (and hands the
            // customer); the vendor's diversification is not the line's work, so it is
            // counted on a facade of its own.
            let batch_key: [u8; 32] = crate::labels::se_batch_transport_key(seed).bytes();
            let vendor = provsim_sim::crypto::Crypto::new();
            Box::new(crate::se::SeChip::new(
                seed,
                index,
                device_id,
                &batch_key,
                &vendor,
                countermeasures.leakage(se_leakage()),
                countermeasures.faults(se_faults()),
            ))
        }
    }
}

/// A secure element's leakage as shipped: second-order masking, a shield letting a
/// quarter of the signal through, and two bits of noise.
pub(crate) fn se_leakage() -> crate::leakage::LeakageModel {
    crate::leakage::LeakageModel {
        masking_order: 2,
        shield: crate::fault::Ratio::new(1, 4).unwrap_or(crate::fault::Ratio::ALWAYS),
        noise_milli: 2_000,
        ..crate::leakage::LeakageModel::STOCK
    }
}

/// A secure element's fault countermeasures as shipped: voltage, clock and light
/// sensors that catch nine glitches in ten, its access and life-cycle checks computed
/// twice, hardened booleans.
pub(crate) fn se_faults() -> crate::fault::FaultModel {
    use crate::fault::{
        Detector, FaultCountermeasures, FaultModel, FaultPoint, GlitchMethod, Ratio,
    };
    let nine_in_ten = Ratio::new(9, 10).unwrap_or(Ratio::NEVER);
    FaultModel {
        countermeasures: FaultCountermeasures {
            detectors: [
                GlitchMethod::Voltage,
                GlitchMethod::Clock,
                GlitchMethod::Laser,
            ]
            .into_iter()
            .map(|senses| Detector {
                senses,
                catches: nine_in_ten,
            })
            .collect(),
            redundant: vec![FaultPoint::ApduAccess, FaultPoint::LifeCycleGate],
            hardened_booleans: true,
        },
        ..FaultModel::stock()
    }
}
