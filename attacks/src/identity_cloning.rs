//! `identity-cloning`: a shipped device's key store copied into counterfeit parts.
//!
//! The attacker buys one genuine device, reads its key store out through whatever port
//! the part leaves open, and loads the identity key and the certificate the device
//! presents into parts of their own. The genuine device stays in service; each clone
//! then meets the customer's registrar from an endpoint of its own and answers its
//! challenge with the copied key. The answer is perfect, so only the registrar's
//! duplicate check (one identity, one session) stands between a clone and the
//! customer's cloud: a registrar without it admits every copy.

use crate::attack::{Attack, Phase, Position, Surface, not_started};
use crate::effort::{Attempted, Rung};
use crate::gain::Gain;
use crate::knowledge::{Knowledge, MaterialKind};
use crate::outcome::Outcome;
use crate::readout::{Readout, whole_map_by_probe};
use provsim_devices::TargetKind;
use provsim_devices::first_connection::{DeviceAuth, transcript};
use provsim_sim::{Ctx, Stream};

pub struct IdentityCloning;

impl Attack for IdentityCloning {
    fn id(&self) -> &'static str {
        "identity-cloning"
    }

    fn title(&self) -> &'static str {
        "A bought device's key store copied into a counterfeit part that meets the registrar"
    }

    fn phase(&self) -> Phase {
        Phase::Field
    }

    fn gains(&self) -> &'static [Gain] {
        &[
            Gain::IdentityKey,
            Gain::SymmetricKey,
            Gain::RegistrarSession,
        ]
    }

    fn position(&self) -> Position {
        Position::Field
    }

    /// One rung: the key store read through the debug port, then one clone loaded.
    fn rungs(&self, target: TargetKind) -> Vec<Rung> {
        vec![Rung {
            label: "the key store read through the debug port, one clone".to_owned(),
            plan: whole_map_by_probe(target),
            aim: None,
        }]
    }

    fn run(
        &self,
        rung: &Rung,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Attempted {
        let Surface::Field(field) = surface else {
            return not_started(rung, format!("{} acts in the field", self.id()));
        };
        let readout = Readout::run(
            field.device(),
            ctx,
            |t, c, addr, len| t.debug_read(c, addr, len),
            "debug port",
            knowledge,
        );
        let identity = field.presented_identity().clone();
        let key = knowledge
            .of_kind(MaterialKind::KeyCandidate)
            .filter_map(|m| ctx.crypto.import_secret(m.bytes()).ok())
            .find(|key| key.public_key() == &identity);
        let Some(key) = key else {
            let reason = match readout.refused.first() {
                Some(first) if readout.regions == 0 => format!("every read refused ({first})"),
                _ => format!(
                    "no identity key in what was read ({})",
                    readout.why_no_key()
                ),
            };
            return Attempted::all_of(rung, Outcome::Blocked { reason });
        };
        // The clone: the copied key and the genuine certificate, from its own endpoint.
        let certificate = field.presented_certificate().to_vec();
        let (nonce, server) = field.challenge(ctx.crypto);
        let ephemeral = ctx.crypto.generate_key(rng);
        let signed = transcript(&nonce, &server, ephemeral.public_key());
        let answer = DeviceAuth {
            ephemeral: ephemeral.public_key().clone(),
            signature: ctx.crypto.sign(&key, &signed),
        };
        let outcome = match field.connect(ctx.crypto, &certificate, &answer) {
            Ok(()) => Outcome::Obtained {
                summary: "the clone was admitted by the registrar alongside the genuine device"
                    .to_owned(),
            },
            Err(refused) => Outcome::Blocked {
                reason: format!(
                    "the registrar refused the clone: {refused}; the key store was read ({} bytes)",
                    readout.bytes
                ),
            },
        };
        Attempted::all_of(rung, outcome)
    }
}
