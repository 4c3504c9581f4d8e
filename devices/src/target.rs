//! The [`Target`] trait and the types every kind shares: what the line, the attackers
//! and the claims see of a chip, whatever its kind. What differs between kinds lives
//! in each kind's folder and reaches the rest of the house through its profile
//! ([`TargetKind::profile`]).

use crate::error::{BootError, DeviceError, PortError};
use crate::fault::{FaultPoint, Glitch, GlitchMethod, GlitchOutcome, GlitchTally};
use crate::first_connection::DeviceAuth;
use crate::leakage::{MeasuredOperation, PowerTrace};
use crate::life_cycle::{LifeCycle, TokenKind};
use provsim_sim::crypto::{Envelope, PublicKey};
use provsim_sim::{Ctx, Stream};

/// The kinds of chip provsim models. A kind is a name only: what it is (its summary,
/// memory map, fault points, countermeasures, the facts attacks rate it by, how to
/// build one) is its profile, which [`TargetKind::profile`] finds in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TargetKind {
    /// A stock microcontroller (`devices/src/mcu/`).
    Mcu,
    /// A custom ASIC (`devices/src/asic/`).
    Asic,
    /// A secure element (`devices/src/se/`).
    Se,
}

pub use crate::device_id::DeviceId;

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
    /// Answer `challenge` with the die's attestation (see [`crate::die`]): its
    /// certificate from the chip maker and a signature over the challenge, the transport
    /// key and the identity key the chip made, if it made one.
    Attest { challenge: [u8; 32] },
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
    /// [`crate::check_value::key_check_value`]) so the station can check it arrived intact.
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
    Attested(crate::die::DieAttestation),
    Transitioned(LifeCycle),
}

/// One command APDU and the card's answer (data, then the status word), as a sniffer on
/// the bus between a host and the card records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApduExchange {
    pub command: Vec<u8>,
    pub answer: Vec<u8>,
}

/// An image a part's boot ROM started, as the part itself knows it: ground truth for the
/// firmware claims, which judge every start, not only the one they observe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedImage {
    pub hash: [u8; 32],
    pub version: String,
    pub security_counter: Option<u32>,
    /// The highest count the anti-rollback fuses had just before a start of it.
    pub fuses: u32,
}

/// What a card's secure channel let through that it should not have, as the card
/// counted it: secured commands opened a second time (replays), and commands the
/// card's rules reserve for the channel that got past its access check sent in plain
/// (whatever they then did). Counts, never content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChannelBreaches {
    pub replayed: u64,
    pub unsealed: u64,
}

impl ChannelBreaches {
    pub fn any(self) -> bool {
        self.replayed > 0 || self.unsealed > 0
    }
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

    /// What became of every glitch aimed at the chip so far, by fault point and method
    /// (aimed, landed, detected, acted): the chip's own record, for a glitch map.
    fn glitch_tally(&self) -> Vec<(FaultPoint, GlitchMethod, GlitchTally)>;

    /// What the anti-rollback fuses count now: the security counter the boot ROM
    /// compares an image's with (0 on a part with no such fuses). A count, never a
    /// secret; oracles read it to check a boot themselves.
    fn anti_rollback_fuses(&self) -> u32;

    /// Power while the chip runs `operation`, as a probe on its supply sees it: the
    /// operation's intermediate values through the chip's leakage model (see
    /// [`crate::leakage`]), masks from the chip's own randomness, noise from `rng` (the
    /// measurement's stream). The key never leaves; only samples do. Refused when no
    /// firmware runs to ask, when no key of that kind is in the slot, and on a secure
    /// element for anything its applet would not run for whoever is at the reader (its
    /// AES is run by sending ENCIPHER; a key whose use rule is not met is refused).
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
    ) -> Result<(DeviceAuth, [u8; 32]), PortError>;

    /// One raw command APDU, as a card reader on a desoldered part or a tap on the
    /// field host's bus delivers it; the answer is its data and status word. Only a part
    /// whose interface is APDUs has this.
    fn apdu(&mut self, _ctx: &mut Ctx<'_>, _command: &[u8]) -> Result<Vec<u8>, PortError> {
        Err(PortError::NoCardInterface)
    }

    /// The key holder's routine session with the part over its secure channel, as a tap
    /// on the field host's bus records it: every command and answer, sealed where the
    /// channel seals them. The static key stays with the host.
    fn field_session(&mut self, _ctx: &mut Ctx<'_>) -> Result<Vec<ApduExchange>, PortError> {
        Err(PortError::NoCardInterface)
    }

    /// A microprobe on the bus between flash and the CPU while the running firmware's
    /// crypto service reads the key store (every slot it serves, as answering a first
    /// connection or encrypting does): the bytes that cross it, as the store holds
    /// them. Refused when no image runs.
    fn probe_bus(&mut self, _ctx: &mut Ctx<'_>) -> Result<Vec<u8>, PortError> {
        Err(PortError::ShieldedBus)
    }

    /// The PUF's helper data, read from the fuses where enrolment left it: public by
    /// design (the code-offset construction assumes an attacker has it).
    fn puf_helper_data(&self) -> Result<crate::puf::HelperData, PortError> {
        Err(PortError::NoPuf)
    }

    /// Every distinct image the boot ROM started since the part was built, with the
    /// highest fuse count it was started over (none on a part that boots no image of
    /// the maker's). Ground truth an oracle reads; no attack consults it.
    fn started_images(&self) -> Vec<StartedImage> {
        Vec::new()
    }

    /// What the part's secure channel let through that it should not have (nothing, on
    /// a part without one). A count an oracle reads; no attack consults it.
    fn channel_breaches(&self) -> ChannelBreaches {
        ChannelBreaches::default()
    }
}
