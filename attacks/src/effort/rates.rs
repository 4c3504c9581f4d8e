//! The rates and durations elapsed time is computed from, each with where it comes
//! from. They are stated assumptions an evaluator can read and dispute, kept in this one
//! table so that changing one changes every rating that rests on it.

use super::counts::{Bench, Step};
use provsim_devices::fault::GlitchMethod;

/// Seconds one unit of `bench`'s count takes on the bench, and why.
pub fn seconds_per_unit(bench: Bench) -> (f64, &'static str) {
    match bench {
        Bench::DebugProbe => (
            1.0 / 400_000.0,
            "SWD at 4 MHz moves about 400 kB/s once the probe is attached",
        ),
        Bench::SerialLoader => (
            60.0,
            "a signed image of tens of kB at 115,200 baud (about 11.5 kB/s) plus a reboot: \
             about a minute each",
        ),
        Bench::Oscilloscope => (
            1.0 / 50.0,
            "one chosen-plaintext encryption per trace through the firmware's command port \
             (about 40 bytes each way at 115,200 baud, 7 ms) plus re-arming the scope and \
             moving a short trace to the PC: 50 traces/s",
        ),
        Bench::Glitcher(GlitchMethod::Voltage | GlitchMethod::Clock) => (
            0.2,
            "each try resets the part, runs its boot to the check (tens of ms) and reads \
             the result back: 5 tries/s",
        ),
        Bench::Glitcher(GlitchMethod::Electromagnetic) => (
            0.5,
            "as a voltage try, plus the pulse capacitor's recharge (hundreds of ms on \
             commercial EM injectors): 2 tries/s",
        ),
        Bench::Glitcher(GlitchMethod::Laser) => (
            1.0,
            "as a voltage try, plus the stage's step and the laser's shot cycle: 1 try/s",
        ),
        Bench::CoTenantVm => (
            3_600.0,
            "one pass over a co-resident VM's memory through a disclosure channel leaking \
             kB/s: an hour per pass",
        ),
        Bench::CardReader => (
            0.02,
            "a short APDU through a PC/SC reader at T=1, with the card's answer: about 20 ms",
        ),
        Bench::Workstation => (
            1e-6,
            "one SHA-256 over a candidate secret on a PC: about a million a second",
        ),
        Bench::MicroProbe => (
            60.0,
            "one key-service read triggered and captured on the probed lines, re-armed by \
             hand: about a minute",
        ),
        Bench::Programmer => (
            0.01,
            "one command of the programming protocol over SWD, with its answer: about 10 ms",
        ),
        Bench::NetworkRelay => (
            0.5,
            "one request and answer relayed and rewritten in flight: about half a second",
        ),
        Bench::Station => (
            120.0,
            "one die taken through the station's test, keys and locks: about two minutes",
        ),
        Bench::Custodian => (
            320.0 * 3600.0,
            "finding a custodian who will hand over a share, and winning them over: two \
             months of working days each, one after another",
        ),
        Bench::Pocket => (
            60.0,
            "a part slipped out of its tray and off the floor: a minute",
        ),
        Bench::CounterfeitPart => (
            300.0,
            "one reel position swapped at the pick-and-place feeder, or one part reworked \
             onto a board before it reaches the station: five minutes",
        ),
        Bench::OperatorConsole => (
            600.0,
            "a certificate request typed at the console and checked by the operator: ten \
             minutes each",
        ),
    }
}

/// Hours a set-up step takes, and why.
pub fn step_hours(step: Step) -> (f64, &'static str) {
    match step {
        Step::FindDebugPins => (
            2.0,
            "the data sheet's pinout and a multimeter: a couple of hours",
        ),
        Step::SignOwnImage => (
            4.0,
            "the image format and its signing tool are published: an afternoon",
        ),
        Step::LocateAes => (
            16.0,
            "triggering on the encryption, finding its rounds in the trace and aligning the \
             traces: two working days",
        ),
        Step::FindShareSamples => (
            120.0,
            "finding the pairs of samples where a masked value's shares leak, by trying \
             pairs against known keys on the attacker's own parts: five days",
        ),
        Step::TimeTheCheck => (
            16.0,
            "sweeping a glitch's offset and width over the boot until the check misbehaves: \
             two working days",
        ),
        Step::TimeSecondFault => (
            40.0,
            "finding the repetition of a duplicated check and timing a second fault on it: \
             a working week",
        ),
        Step::ScanTheDie => (
            24.0,
            "scanning the probe or spot over the die for the spot where a pulse acts: a day \
             of unattended scanning",
        ),
        Step::OpenThePackage => (
            40.0,
            "decapsulating and thinning parts for backside access, with some lost: a \
             working week",
        ),
        Step::AdaptCrossVmTechnique => (
            312.0,
            "adapting a published cross-VM memory-disclosure technique to the provisioner's \
             hypervisor: thirteen days, just under two weeks",
        ),
        Step::CharacterisePufBias => (
            40.0,
            "powering the attacker's own parts up hundreds of times and reading where each \
             SRAM cell settles, to learn which way the cells lean: a working week",
        ),
        Step::PadTheBus => (
            80.0,
            "locating the flash bus in the layout under the metal layers and milling and \
             depositing probe pads with a FIB, losing parts on the way: two working weeks",
        ),
        Step::TapTheHostBus => (
            8.0,
            "clipping a logic analyser onto the card's I/O line beside the host and decoding \
             one session: a working day",
        ),
        Step::JoinTheLineNetwork => (
            8.0,
            "a host of one's own on the line's network segment (a spare switch port, an \
             ARP answer in the vault's name) during a shift: a working day",
        ),
        Step::MakeCounterfeitPart => (
            480.0,
            "a part of the same family, package and marking with a companion die of one's \
             own between its pins and the real silicon, whose firmware speaks the \
             documented programming protocol and keeps what crosses it: three months of \
             design and re-packaging",
        ),
        Step::WaitForUnwatchedShift => (
            8.0,
            "one shift alone at the console without a second person watching",
        ),
    }
}

/// Whether a set-up step is done where the path needs access (inside the site, for a
/// site path); one done at home or in the attacker's own lab is elapsed time but no
/// presence.
pub fn step_needs_access(step: Step) -> bool {
    !matches!(step, Step::MakeCounterfeitPart | Step::SignOwnImage)
}

/// Parts a set-up step consumes beyond the one attacked (destroyed in preparation).
pub fn step_samples(step: Step) -> u32 {
    match step {
        Step::OpenThePackage => 4,
        Step::PadTheBus => 6,
        Step::CharacterisePufBias => 3,
        _ => 0,
    }
}
