//! What an oracle is, and what it observes of one attempt.

use super::scope::{Param, Scope};
use super::truth::GroundTruth;
use provsim_attacks::Knowledge;
use provsim_devices::first_connection::{DeviceAuth, transcript};
use provsim_devices::{ChannelBreaches, DeviceId, LifeCycle, RunningImage, StartedImage};
use provsim_provisioner::BooksFinding;
use provsim_sim::crypto::{Crypto, PublicKey};

/// An entry of the oracle library: a statement about ground truth and the books, and
/// the check that decides, for one attempt, whether the attempt made it false.
///
/// An oracle judges what the line really put into the devices it shipped against what
/// the attempt left in the attacker's knowledge (and what the attacked device does
/// afterwards); it never trusts an attack's own account of itself. Parameters, when an
/// oracle has any, are fields of its type.
pub trait Oracle: std::fmt::Debug + Sync {
    /// The library's name for it.
    fn id(&self) -> &'static str;

    /// What it states holds, in one sentence: what a claim that uses it promises.
    fn statement(&self) -> &'static str;

    /// What an attacker must come away with to make the statement false: a path that
    /// can obtain none of it has not tested the claim, however hard it tried.
    fn falsified_by(&self) -> &'static [provsim_attacks::Gain];

    /// The parameters it takes besides `lots` (which every oracle takes).
    fn parameters(&self) -> &'static [Param] {
        &[]
    }

    /// Whether a path at `position` can make the statement false at all: a claim counts
    /// only such paths as having tried it (a device path leaves no trace in the site's
    /// books, and meets no registrar), so a claim nothing relevant tried is
    /// inconclusive, not held.
    fn tried_by(&self, _position: provsim_attacks::Position) -> bool {
        true
    }

    /// Whether it states that an attack is stopped, or that it is caught.
    fn control(&self) -> Control {
        Control::Preventive
    }

    /// Whether it must see the attacked device powered on after the attempt.
    fn needs_boot(&self) -> bool {
        false
    }

    /// What the honest run (the line with no attacker) shows of the statement, for a
    /// process claim (the books balance) that the line's own work tests; `None` for a
    /// statement only an attack can test.
    fn on_honest_run(&self, _run: &HonestRun<'_>) -> Option<OnHonestRun> {
        None
    }

    /// Evidence that the attempt made the statement false, or `None` if it survived.
    fn check(&self, seen: &Observation<'_>) -> Option<String>;
}

/// What the honest run (before and apart from any attack) did that a process claim is
/// judged on.
#[derive(Debug, Clone, Copy)]
pub struct HonestRun<'a> {
    pub shipped: u64,
    /// Devices the station refused (failed a test, or the link failed them).
    pub refused: u64,
    /// Keys made for parts that did not ship, destroyed, as the books count them.
    pub keys_destroyed: u64,
    /// The honest run's reconciliation: every difference between its books, in words.
    pub findings: &'a [String],
}

impl HonestRun<'_> {
    /// The run as an exercise of a clause about the books: exercised when it had
    /// anything but shipments to account for (at least one refused device and one
    /// destroyed key, the clauses a process claim about the books rests on); `held`
    /// says what the books did then ("balance", "account for every part").
    pub fn as_exercise(&self, held: &str) -> OnHonestRun {
        let what = format!(
            "{} device(s) refused, {} key(s) of unshipped parts destroyed, {} shipped",
            self.refused, self.keys_destroyed, self.shipped
        );
        if self.refused > 0 && self.keys_destroyed > 0 {
            OnHonestRun::Exercised(format!("the honest run's books {held}, with {what}"))
        } else {
            OnHonestRun::NotExercised(format!(
                "the honest run had nothing but shipments to account for ({what})"
            ))
        }
    }
}

/// Whether a path at `position` works where the site's books are kept, so that its
/// copy of them records what it does (a device path leaves no trace in them, and meets
/// no vault).
pub fn keeps_books(position: provsim_attacks::Position) -> bool {
    use provsim_attacks::Position;
    matches!(
        position,
        Position::Site | Position::Line | Position::BoardAssembly
    )
}

/// What a process claim's statement came to on the honest run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnHonestRun {
    /// The honest run made it false: the evidence.
    Broken(String),
    /// The honest run exercised every clause of it, and it held: what it exercised.
    Exercised(String),
    /// The honest run held it without exercising it: why that says little.
    NotExercised(String),
}

/// What kind of control a statement is about: one that stops an attack (the attacker
/// never got the identity), or one that catches it (the books name what was made).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Preventive,
    Detective,
}

impl Control {
    pub fn name(self) -> &'static str {
        match self {
            Control::Preventive => "preventive",
            Control::Detective => "detective",
        }
    }
}

/// Everything an oracle may look at after one attempt. `crypto` is the oracle's own
/// facade, so checking is never charged to the line or the attacker.
pub struct Observation<'a> {
    /// The part of the world the claim being judged speaks for (its parameters).
    pub scope: &'a Scope,
    pub truth: &'a GroundTruth,
    pub attacked: &'a Attacked,
    pub knowledge: &'a Knowledge,
    pub crypto: &'a Crypto,
}

/// The device an attempt targeted, with its ground-truth secrets re-derived from the
/// seed. Held only while the attempt is judged; never written anywhere.
pub struct Attacked {
    pub device: DeviceId,
    pub identity_secret: [u8; 32],
    /// What the device started when the oracle powered it on after the attempt (only
    /// when an oracle needs it): the image's hash, or why it did not boot.
    pub booted: Option<Result<RunningImage, String>>,
    /// Every image the device's boot ROM started during the attempt (and before it, as
    /// shipped), as the device knows it.
    pub started: Vec<StartedImage>,
    /// What the device's anti-rollback fuses counted just before that power-on.
    pub fuses_at_boot: Option<u32>,
    /// The security counter of the release the line installed.
    pub installed_counter: u32,
    /// The hashes of every image the vault signed for this line (its current release
    /// and the one it superseded).
    pub authorised_firmware: Vec<[u8; 32]>,
    /// The customer CA's public key: what a genuine device certificate verifies under.
    pub customer_ca: PublicKey,
    /// The line's firmware-verification key: what every shipped device's boot ROM
    /// takes an image's signature under.
    pub firmware_key: PublicKey,
    /// The device's symmetric keys by name, re-derived from the seed.
    pub symmetric_keys: Vec<(String, [u8; 32])>,
    /// What the attacked device's secure channel let through during the attempt, as
    /// the device counted it (nothing on a part without one).
    pub channel: ChannelBreaches,
    /// The attacked device's life-cycle state before the attempt and once it is over
    /// (devices only).
    pub life_cycle: Option<(LifeCycle, LifeCycle)>,
    /// A site or line path's books, reconciled once it is over: every identity or
    /// certificate they cannot account for (none for a device path, which leaves no
    /// trace in the site's books).
    pub books: Option<Vec<BooksFinding>>,
    /// Each die the path took off the line, answering a challenge of the oracles'.
    pub parts: Vec<PartAnswer>,
    /// A field path's registrar copy: every identity it let hold sessions from more
    /// than one endpoint at once, with the endpoints (as the registrar's world records
    /// them, not as the attack says).
    pub shared_identities: Vec<(provsim_sim::crypto::Fingerprint, Vec<u64>)>,
    /// A field path's registrar copy: every identity it admitted although the
    /// customer's records bar it, with why they do.
    pub admitted_barred: Vec<(provsim_sim::crypto::Fingerprint, String)>,
}

/// A die in the attacker's hands answering the oracles' first-connection challenge.
pub struct PartAnswer {
    /// The certificate the station wrote into the die (DER), as the world recorded it.
    pub certificate: Vec<u8>,
    pub nonce: [u8; 32],
    pub server: PublicKey,
    pub answer: DeviceAuth,
}

/// Every certificate the attacker holds: those in its knowledge, and those written into
/// the dies in its hands (whether or not the attack said so), each with where it came
/// from.
pub fn certificates_held<'a>(
    seen: &'a Observation<'_>,
) -> impl Iterator<Item = (&'a [u8], &'a str)> {
    seen.knowledge
        .of_kind(provsim_attacks::MaterialKind::Certificate)
        .map(|m| (m.bytes(), m.source.as_str()))
        .chain(
            seen.attacked
                .parts
                .iter()
                .map(|p| (p.certificate.as_slice(), "a die taken off the line")),
        )
}

impl PartAnswer {
    /// Whether the die proved it holds the private half of `key`.
    pub fn proves(&self, crypto: &Crypto, key: &PublicKey) -> bool {
        let signed = transcript(&self.nonce, &self.server, &self.answer.ephemeral);
        crypto.verify(key, &signed, &self.answer.signature).is_ok()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use provsim_sim::Seed;

    /// An attacked device with nothing observed, for oracles' tests to change.
    pub(crate) fn attacked() -> Attacked {
        Attacked {
            device: DeviceId(7),
            identity_secret: [9; 32],
            booted: None,
            started: Vec::new(),
            fuses_at_boot: None,
            installed_counter: 0,
            authorised_firmware: vec![[1; 32]],
            customer_ca: Crypto::new()
                .generate_key(&mut Seed::new(1).stream("test/ca"))
                .public_key()
                .clone(),
            firmware_key: provsim_sim::crypto::Crypto::new()
                .generate_key(&mut provsim_sim::Seed::new(2).stream("test/firmware"))
                .public_key()
                .clone(),
            symmetric_keys: Vec::new(),
            channel: ChannelBreaches::default(),
            life_cycle: None,
            books: None,
            parts: Vec::new(),
            shared_identities: Vec::new(),
            admitted_barred: Vec::new(),
        }
    }
}
