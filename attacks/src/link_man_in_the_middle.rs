//! `link-man-in-the-middle`: an attacker on the site's network between the station and
//! the vault substitutes the chip's transport key.
//!
//! The station reads the chip's transport key and sends it to the vault, which seals
//! the device's keys to it. An attacker with a foot on that network (a compromised
//! switch, a rogue host on the line's segment) answers the station's handshake as if it
//! were the vault and the vault's as if it were the station, so each end agrees keys
//! with the attacker. It then puts a transport key of its own into the station's
//! request, opens what the vault sealed to it, and seals every key again to the chip's
//! real transport key: the device provisions as usual, and the attacker holds its
//! keys. The authenticated handshake stops this: the vault takes only a station its
//! link CA certified, and the station only such a vault.

use crate::attack::{Attack, Phase, Position, Surface, not_started};
use crate::effort::{Access, Attempted, Bench, Effort, Needs, Rung, Step};
use crate::gain::Gain;
use crate::knowledge::{Knowledge, MaterialKind};
use crate::outcome::Outcome;
use provsim_devices::mcu::injection_context;
use provsim_devices::{DeviceId, TargetKind};
use provsim_provisioner::link::{
    ANSWER, DATA, Endpoint, Event, FINISH, HELLO, LinkIdentity, LinkTap, REQUEST, WELCOME, message,
    parse,
};
use provsim_provisioner::{IDENTITY_SLOT, SecretsRequest, VaultAnswer};
use provsim_sim::crypto::{Crypto, PublicKey, SecretKey};
use provsim_sim::{Ctx, Stream};

pub struct LinkManInTheMiddle;

impl Attack for LinkManInTheMiddle {
    fn id(&self) -> &'static str {
        "link-man-in-the-middle"
    }

    fn title(&self) -> &'static str {
        "A man in the middle of the provisioning link substitutes the chip's transport key"
    }

    fn phase(&self) -> Phase {
        Phase::TestHouse
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::IdentityKey, Gain::SymmetricKey]
    }

    fn position(&self) -> Position {
        Position::Link
    }

    /// One rung: a host placed on the line's network segment for a shift, with a
    /// relay of the link's published message format.
    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        vec![Rung {
            label: "a relay on the line's network for one device".to_owned(),
            plan: Effort::plain(
                Bench::NetworkRelay,
                1,
                &[Step::JoinTheLineNetwork],
                Needs::SiteRestricted,
                Access::Site,
            ),
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
        let Surface::Link(link) = surface else {
            return not_started(rung, format!("{} acts on the link", self.id()));
        };
        let relay = Relay::new(ctx.crypto, rng.split());
        let (provisioned, relay) = link.provision_through(ctx.crypto, relay);
        let Some(relay) = relay else {
            return Attempted::all_of(
                rung,
                Outcome::Failed {
                    reason: "the relay was lost".to_owned(),
                },
            );
        };
        for (slot, bytes) in &relay.opened {
            let (kind, what) = if *slot == IDENTITY_SLOT {
                (MaterialKind::KeyCandidate, "identity key")
            } else {
                (MaterialKind::SecretCandidate, "symmetric key")
            };
            knowledge.learn(
                kind,
                format!("{what} sealed to the attacker's transport key on the link"),
                bytes.clone(),
            );
        }
        let station = match &provisioned {
            Ok(()) => "the station provisioned the device as usual".to_owned(),
            Err(why) => format!("the station reported: {why}"),
        };
        let outcome = if relay.opened.is_empty() {
            Outcome::Blocked {
                reason: format!("{}; {station}", relay.why_not()),
            }
        } else {
            Outcome::Obtained {
                summary: format!(
                    "both ends agreed keys with the relay; the vault sealed {} key(s) to the attacker's transport key, each sealed again to the chip's; {station}",
                    relay.opened.len()
                ),
            }
        };
        Attempted::all_of(rung, outcome)
    }
}

/// The attacker's relay: a vault to the station, a station to the vault.
struct Relay {
    rng: Stream,
    identity: LinkIdentity,
    transport: SecretKey,
    /// The attacker's end facing the station, and its welcome for the station.
    as_vault: Option<(Endpoint, Vec<u8>)>,
    /// The attacker's end facing the vault, and its finish for the vault.
    as_station: Option<(Endpoint, Option<Vec<u8>>)>,
    /// The hellos relayed, and whether the vault ever answered one.
    hellos: u32,
    welcomed: bool,
    /// The chip's transport key and device, from the station's request.
    chip: Option<(PublicKey, DeviceId)>,
    /// Each key-store slot's content, as opened with the attacker's transport key.
    opened: Vec<(u8, Vec<u8>)>,
    /// Whether the vault refused the relayed request.
    refused: bool,
}

impl Relay {
    fn new(crypto: &Crypto, mut rng: Stream) -> Relay {
        let key = crypto.generate_key(&mut rng);
        let transport = crypto.generate_key(&mut rng);
        Relay {
            // A certificate of its own making: no link CA signed it.
            identity: LinkIdentity {
                certificate: key.public_key().sec1().to_vec(),
                key,
            },
            transport,
            rng,
            as_vault: None,
            as_station: None,
            hellos: 0,
            welcomed: false,
            chip: None,
            opened: Vec::new(),
            refused: false,
        }
    }

    /// Why nothing came of it, as the attacker on the wire saw it.
    fn why_not(&self) -> String {
        if self.hellos == 0 {
            "no handshake crossed the relay".to_owned()
        } else if !self.welcomed {
            format!(
                "the vault refused all {} of the relay's hellos (it answers only a station its link CA certified), so the station never got a session through it",
                self.hellos
            )
        } else if self.chip.is_none() {
            "the station never sent a request through the relay".to_owned()
        } else if self.refused {
            "the vault refused the relayed request".to_owned()
        } else {
            "the vault's answer could not be opened with the relay's transport key".to_owned()
        }
    }

    /// A datagram from the station for the vault.
    fn heading_to_vault(&mut self, crypto: &Crypto, bytes: Vec<u8>) -> Vec<u8> {
        match bytes.first().copied() {
            Some(HELLO) => {
                // Answer the station as the vault; greet the vault as a station.
                let mut facing_station = Endpoint::server(
                    self.identity.clone(),
                    self.identity.key.public_key().clone(),
                    self.rng.split(),
                    0,
                )
                .unauthenticated();
                let welcome = sent(facing_station.receive(crypto, &bytes));
                let (facing_vault, hello) = Endpoint::client(
                    crypto,
                    self.identity.clone(),
                    self.identity.key.public_key().clone(),
                    self.rng.split(),
                    u64::from(self.hellos) + (1 << 32),
                );
                self.hellos += 1;
                self.as_vault = welcome.map(|w| (facing_station, w));
                self.as_station = Some((facing_vault.unauthenticated(), None));
                hello
            }
            Some(FINISH) => {
                if let Some((end, _)) = &mut self.as_vault {
                    let _ = end.receive(crypto, &bytes);
                }
                match &mut self.as_station {
                    Some((_, Some(finish))) => finish.clone(),
                    _ => bytes,
                }
            }
            Some(DATA) => self.request(crypto, &bytes).unwrap_or(bytes),
            _ => bytes,
        }
    }

    /// A datagram from the vault for the station.
    fn heading_to_station(&mut self, crypto: &Crypto, bytes: Vec<u8>) -> Vec<u8> {
        match bytes.first().copied() {
            Some(WELCOME) => {
                let Some((end, finish)) = &mut self.as_station else {
                    return bytes;
                };
                // A copy of a welcome already taken changes nothing.
                if finish.is_none() {
                    *finish = sent(end.receive(crypto, &bytes));
                }
                self.welcomed |= finish.is_some();
                match &self.as_vault {
                    Some((_, welcome)) if self.welcomed => welcome.clone(),
                    _ => bytes,
                }
            }
            Some(DATA) => self.answer(crypto, &bytes).unwrap_or(bytes),
            _ => bytes,
        }
    }

    /// The station's request, with the relay's transport key put in the chip's.
    fn request(&mut self, crypto: &Crypto, record: &[u8]) -> Option<Vec<u8>> {
        let data = received(self.as_vault.as_mut()?.0.receive(crypto, record))?;
        let (REQUEST, id, payload) = parse(&data)? else {
            return None;
        };
        let mut request = SecretsRequest::decode(payload)?;
        self.chip = Some((request.transport_key.clone(), request.device));
        request.transport_key = self.transport.public_key().clone();
        let forged = message(REQUEST, id, &request.encode());
        self.as_station.as_mut()?.0.seal(crypto, &forged).ok()
    }

    /// The vault's answer: every key opened, then sealed again to the chip.
    fn answer(&mut self, crypto: &Crypto, record: &[u8]) -> Option<Vec<u8>> {
        let data = received(self.as_station.as_mut()?.0.receive(crypto, record))?;
        let (ANSWER, id, payload) = parse(&data)? else {
            return None;
        };
        let (chip, device) = self.chip.clone()?;
        let envelopes = match VaultAnswer::decode(payload)? {
            VaultAnswer::Sealed(envelopes) => envelopes,
            refused @ VaultAnswer::Refused(_) => {
                // Nothing sealed to open: the refusal goes on as it came.
                self.refused = true;
                let relayed = message(ANSWER, id, &refused.encode());
                return self.as_vault.as_mut()?.0.seal(crypto, &relayed).ok();
            }
        };
        let mut resealed = Vec::with_capacity(envelopes.len());
        for (slot, envelope) in envelopes {
            let aad = injection_context(device, slot);
            let secret = crypto
                .open_envelope(&self.transport, &aad, &envelope)
                .ok()?;
            resealed.push((
                slot,
                crypto.seal_envelope(&chip, &aad, &secret, &mut self.rng),
            ));
            // A resent request is answered again from the vault's cache: keep one of each.
            if !self.opened.iter().any(|(s, _)| *s == slot) {
                self.opened.push((slot, secret));
            }
        }
        let relayed = message(ANSWER, id, &VaultAnswer::Sealed(resealed).encode());
        self.as_vault.as_mut()?.0.seal(crypto, &relayed).ok()
    }
}

impl LinkTap for Relay {
    fn in_flight(&mut self, crypto: &Crypto, to_vault: bool, bytes: Vec<u8>) -> Vec<u8> {
        if to_vault {
            self.heading_to_vault(crypto, bytes)
        } else {
            self.heading_to_station(crypto, bytes)
        }
    }
}

/// The datagram an end asked to send, if it did.
fn sent(events: Result<Vec<Event>, provsim_provisioner::link::LinkError>) -> Option<Vec<u8>> {
    events.ok()?.into_iter().find_map(|event| match event {
        Event::Send(bytes) => Some(bytes),
        _ => None,
    })
}

/// The plaintext an end took out of a record, if it did.
fn received(events: Result<Vec<Event>, provsim_provisioner::link::LinkError>) -> Option<Vec<u8>> {
    events.ok()?.into_iter().find_map(|event| match event {
        Event::Data(bytes) => Some(bytes),
        _ => None,
    })
}
