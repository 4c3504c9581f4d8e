//! What an attempt spends, in counts: the bench, the units of work on it, the steps
//! taken, and the knowledge and access needed.

use provsim_devices::fault::GlitchMethod;
use std::fmt;

/// What the attacker works with: it decides the equipment factor and the rate at which
/// the attempt's count is spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bench {
    /// A debug adapter on the part's debug pins; the count is bytes read.
    DebugProbe,
    /// The part's own serial update path; the count is images sent.
    SerialLoader,
    /// An oscilloscope and a current probe on the supply; the count is traces recorded.
    Oscilloscope,
    /// A fault-injection rig of one method; the count is tries.
    Glitcher(GlitchMethod),
    /// A virtual machine on the provisioner's shared host; the count is memory passes.
    CoTenantVm,
    /// The provisioning site's operator console; the count is requests made at it.
    OperatorConsole,
    /// A PC/SC card reader (or a tap on a host's card bus) sending APDUs.
    CardReader,
    /// A debug probe speaking the chip's programming protocol (life-cycle moves, option
    /// bytes).
    Programmer,
    /// A probe station with needles landed on a bus line through FIB-made pads.
    MicroProbe,
    /// The attacker's own computer, working offline on what was read out.
    Workstation,
    /// A host on the site's network that relays (and rewrites) the link's datagrams;
    /// the count is exchanges relayed.
    NetworkRelay,
    /// The line's own station, run with an operator's credentials; the count is dies
    /// run through it.
    Station,
    /// Nothing but a pocket: parts carried off by hand; the count is parts taken.
    Pocket,
    /// A custodian of a split key recruited (bribed, coerced, their safe opened); the
    /// count is custodians, each a partner in the path.
    Custodian,
    /// Counterfeit parts made to order; the count is parts put on boards.
    CounterfeitPart,
}

impl Bench {
    pub fn name(self) -> &'static str {
        match self {
            Bench::DebugProbe => "debug probe",
            Bench::SerialLoader => "serial loader",
            Bench::Oscilloscope => "oscilloscope",
            Bench::Glitcher(GlitchMethod::Voltage) => "voltage glitcher",
            Bench::Glitcher(GlitchMethod::Clock) => "clock glitcher",
            Bench::Glitcher(GlitchMethod::Electromagnetic) => "EM pulse injector",
            Bench::Glitcher(GlitchMethod::Laser) => "laser fault bench",
            Bench::CoTenantVm => "co-tenant VM",
            Bench::OperatorConsole => "operator console",
            Bench::CardReader => "card reader",
            Bench::Programmer => "programmer",
            Bench::MicroProbe => "microprobing station",
            Bench::Workstation => "workstation",
            Bench::NetworkRelay => "network relay",
            Bench::Station => "station",
            Bench::Pocket => "no tools",
            Bench::Custodian => "split key",
            Bench::CounterfeitPart => "assembler's feeder",
        }
    }

    /// What one unit of the count is, in the plural.
    pub fn unit(self) -> &'static str {
        match self {
            Bench::DebugProbe => "bytes read",
            Bench::SerialLoader => "images sent",
            Bench::Oscilloscope => "traces",
            Bench::Glitcher(_) => "tries",
            Bench::CoTenantVm => "memory passes",
            Bench::OperatorConsole => "requests",
            Bench::CardReader => "APDUs",
            Bench::Programmer => "commands",
            Bench::MicroProbe => "probed reads",
            Bench::Workstation => "candidates tried",
            Bench::NetworkRelay => "exchanges relayed",
            Bench::Station => "dies run",
            Bench::Pocket => "parts taken",
            Bench::Custodian => "custodians recruited",
            Bench::CounterfeitPart => "counterfeits placed",
        }
    }
}

/// A set-up step an attempt takes before (or besides) its counted work. Each has a
/// stated duration and the reason for it in [`rates::step_hours`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// Find the debug pins on a board and attach a probe.
    FindDebugPins,
    /// Sign an image with one's own key in the public format.
    SignOwnImage,
    /// Trigger on the AES, find its rounds in the trace and align the traces.
    LocateAes,
    /// Find the samples where a masked value's shares leak, for second-order analysis.
    FindShareSamples,
    /// Find the timing and parameters that make a glitch land at one check.
    TimeTheCheck,
    /// Time a second fault to land on the same check's repetition.
    TimeSecondFault,
    /// Scan a probe or a spot over the die for where a pulse acts.
    ScanTheDie,
    /// Open the package and prepare the die for a laser.
    OpenThePackage,
    /// Adapt a published cross-VM memory-disclosure technique to the host.
    AdaptCrossVmTechnique,
    /// Wait for a shift at the console with nobody else watching.
    WaitForUnwatchedShift,
    /// Tap the bus between a key holder's host and the card and decode a session.
    TapTheHostBus,
    /// Find the flash bus under the metal layers and make probe pads on it with a FIB.
    PadTheBus,
    /// Measure the PUF cells' bias on the attacker's own samples.
    CharacterisePufBias,
    /// Put a host of one's own on the line's network segment, between the station and
    /// the vault.
    JoinTheLineNetwork,
    /// Make a counterfeit of the part's family that speaks its programming protocol
    /// and keeps what it is given.
    MakeCounterfeitPart,
}

impl Step {
    /// How a reason names it.
    pub fn name(self) -> &'static str {
        match self {
            Step::FindDebugPins => "find the debug pins",
            Step::SignOwnImage => "sign an image",
            Step::LocateAes => "locate the AES",
            Step::FindShareSamples => "find the shares' samples",
            Step::TimeTheCheck => "time the check",
            Step::TimeSecondFault => "time a second fault",
            Step::ScanTheDie => "scan the die",
            Step::OpenThePackage => "open the package",
            Step::AdaptCrossVmTechnique => "adapt a cross-VM technique",
            Step::WaitForUnwatchedShift => "wait for an unwatched shift",
            Step::TapTheHostBus => "tap the host's card bus",
            Step::PadTheBus => "pad the flash bus with a FIB",
            Step::CharacterisePufBias => "characterise the PUF cells' bias",
            Step::JoinTheLineNetwork => "join the line's network",
            Step::MakeCounterfeitPart => "make a counterfeit part",
        }
    }
}

/// What the path must know of the target's design: CEM's "knowledge of the TOE".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Nothing beyond published formats and tools.
    Public,
    /// The target kind's documentation (its memory map, the timing of its checks, its
    /// leakage): as available as the kind's profile says.
    TargetDocumentation,
    /// What the provisioner tells its customers and operators, under its control.
    SiteRestricted,
}

/// The access the path needs: with the time spent on it, it decides the window of
/// opportunity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Parts bought or taken from the field, on the attacker's own bench.
    FieldSamples(u32),
    /// Presence inside the provisioning site (an operator, a co-resident VM).
    Site,
}

/// What one attempt spent, as counts. [`rate`] maps it to attack potential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effort {
    pub bench: Bench,
    /// Units of work on the bench ([`Bench::unit`]).
    pub count: u64,
    /// Order of the side-channel analysis: 1, or 2 for pairs of samples (masked
    /// designs). 0 when there is no side-channel analysis.
    pub order: u8,
    /// Faults injected per try: 1, or 2 for double faults. 0 when nothing is glitched.
    pub faults: u8,
    /// Distinct checks glitches were aimed at.
    pub points: u8,
    /// Set-up steps taken, each once.
    pub steps: Vec<Step>,
    pub needs: Needs,
    pub access: Access,
}

impl Effort {
    /// An effort with only a bench, a count, its steps, knowledge and access: no
    /// side-channel order, no faults.
    pub fn plain(bench: Bench, count: u64, steps: &[Step], needs: Needs, access: Access) -> Effort {
        Effort {
            bench,
            count,
            order: 0,
            faults: 0,
            points: 0,
            steps: steps.to_vec(),
            needs,
            access,
        }
    }

    /// The same effort with another count: what an attempt that stopped early spent.
    pub fn with_count(&self, count: u64) -> Effort {
        Effort {
            count,
            ..self.clone()
        }
    }
}

impl fmt::Display for Effort {
    /// "10000 traces on an oscilloscope, second order; steps: ..." for a report line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} on the {}",
            self.count,
            self.bench.unit(),
            self.bench.name()
        )?;
        match self.order {
            0 => {}
            1 => f.write_str(", first order")?,
            2 => f.write_str(", second order")?,
            n => write!(f, ", order {n}")?,
        }
        match self.faults {
            0 => {}
            1 => f.write_str(", single faults")?,
            2 => f.write_str(", double faults")?,
            n => write!(f, ", {n} faults per try")?,
        }
        if self.points > 1 {
            write!(f, " at {} points", self.points)?;
        }
        Ok(())
    }
}
