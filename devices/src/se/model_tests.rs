//! Model-based test of the secure element's APDU interface. A small reference model
//! predicts whether each command must succeed; random sequences of commands (some
//! plain where the channel is needed, some replayed, re-ordered or altered on the way)
//! run against the card; after every step the safety invariants are checked on the
//! card's actual state:
//!
//! - no answer, plain or unsealed from the channel, contains a private key's bytes;
//! - a replayed, re-ordered or altered secured command is refused, and the channel is
//!   closed after it;
//! - no object's life cycle moves backwards, an operational object's rules never
//!   loosen, and the card never leaves "secured" once personalisation is closed.

use super::apdu::{Command, Response, Sw};
use super::channel::{HostChannel, card_static_key};
use super::*;
use crate::fault::FaultPoint;
use crate::target::DeviceId;
use proptest::prelude::*;
use provsim_sim::crypto::{Crypto, PublicKey};
use provsim_sim::{Ctx, Seed, Stream};
use provsim_sim::{SimTime, Trace};
use std::collections::BTreeMap;

const BATCH_KEY: [u8; 32] = [0x42; 32];
const PIN: &[u8] = b"2468";

#[derive(Debug, Clone)]
enum Step {
    Select {
        right_aid: bool,
    },
    Reset,
    /// Opens a channel, selecting the applet first when asked.
    OpenChannel {
        right_key: bool,
        select_first: bool,
    },
    Create {
        id: u8,
        kind: u8,
        rules: [u8; 3],
        secured: bool,
    },
    Generate {
        id: u8,
        secured: bool,
    },
    PutKey {
        id: u8,
        secured: bool,
    },
    Write {
        id: u8,
        secured: bool,
    },
    Read {
        id: u8,
        secured: bool,
    },
    Sign {
        id: u8,
        secured: bool,
    },
    Ecdh {
        id: u8,
        secured: bool,
    },
    Verify {
        right: bool,
    },
    ChangePin {
        secured: bool,
    },
    SetAccess {
        id: u8,
        rules: [u8; 3],
        secured: bool,
    },
    Activate {
        id: u8,
        secured: bool,
    },
    Terminate {
        id: u8,
        secured: bool,
    },
    Close {
        secured: bool,
    },
    /// A key sealed to the card's transport key, for object `id` (or, wrongly bound,
    /// for another object), imported in the clear as the line does.
    ImportSealed {
        id: u8,
        bound_right: bool,
    },
    /// The first-connection answer with key object `id`.
    Establish {
        id: u8,
    },
    /// What a station does for one key: create the object, generate or import the key,
    /// activate it, each over the channel as one more step.
    Provision {
        id: u8,
        import: bool,
        rules: [u8; 3],
    },
    /// Sends a secured command the card has already taken, verbatim.
    Replay {
        pick: usize,
    },
    /// Wraps two commands and sends the second first.
    Reorder {
        id: u8,
    },
    /// A secured command with one bit flipped on the way.
    Tamper {
        id: u8,
        bit: usize,
    },
}

fn rule_byte() -> impl Strategy<Value = u8> {
    prop::sample::select(vec![0x00u8, 0x01, 0x02, 0x03, 0x80])
}

fn rules() -> impl Strategy<Value = [u8; 3]> {
    [rule_byte(), rule_byte(), rule_byte()]
}

fn step() -> impl Strategy<Value = Step> {
    let id = 0u8..3;
    // Key objects most often, and now and then a kind the card does not define.
    let kind = || prop::sample::select(vec![1u8, 1, 1, 2, 3, 0, 4]);
    // Mostly secured where the channel is needed, sometimes not.
    let sec = || prop::bool::weighted(0.8);
    prop_oneof![
        3 => prop::bool::weighted(0.9).prop_map(|right_aid| Step::Select { right_aid }),
        1 => Just(Step::Reset),
        4 => (prop::bool::weighted(0.85), prop::bool::weighted(0.7)).prop_map(
            |(right_key, select_first)| Step::OpenChannel { right_key, select_first }
        ),
        4 => (id.clone(), kind(), rules(), sec())
            .prop_map(|(id, kind, rules, secured)| Step::Create { id, kind, rules, secured }),
        3 => (id.clone(), sec()).prop_map(|(id, secured)| Step::Generate { id, secured }),
        3 => (id.clone(), sec()).prop_map(|(id, secured)| Step::PutKey { id, secured }),
        3 => (id.clone(), any::<bool>()).prop_map(|(id, secured)| Step::Write { id, secured }),
        3 => (id.clone(), any::<bool>()).prop_map(|(id, secured)| Step::Read { id, secured }),
        3 => (id.clone(), any::<bool>()).prop_map(|(id, secured)| Step::Sign { id, secured }),
        2 => (id.clone(), any::<bool>()).prop_map(|(id, secured)| Step::Ecdh { id, secured }),
        3 => prop::bool::weighted(0.7).prop_map(|right| Step::Verify { right }),
        3 => sec().prop_map(|secured| Step::ChangePin { secured }),
        3 => (id.clone(), rules(), sec())
            .prop_map(|(id, rules, secured)| Step::SetAccess { id, rules, secured }),
        4 => (id.clone(), sec()).prop_map(|(id, secured)| Step::Activate { id, secured }),
        1 => (id.clone(), sec()).prop_map(|(id, secured)| Step::Terminate { id, secured }),
        1 => prop::bool::weighted(0.5).prop_map(|secured| Step::Close { secured }),
        3 => (id.clone(), prop::bool::weighted(0.85))
            .prop_map(|(id, bound_right)| Step::ImportSealed { id, bound_right }),
        2 => id.clone().prop_map(|id| Step::Establish { id }),
        3 => (id.clone(), any::<bool>(), rules())
            .prop_map(|(id, import, rules)| Step::Provision { id, import, rules }),
        1 => any::<usize>().prop_map(|pick| Step::Replay { pick }),
        1 => id.clone().prop_map(|id| Step::Reorder { id }),
        1 => (id, any::<usize>()).prop_map(|(id, bit)| Step::Tamper { id, bit }),
    ]
}

/// The reference model: what the card must let through.
#[derive(Debug, Clone, Default)]
struct Model {
    selected: bool,
    channel: bool,
    secured_card: bool,
    objects: BTreeMap<u8, ModelObject>,
    pin_set: bool,
    tries: u8,
    verified: bool,
}

#[derive(Debug, Clone, Copy)]
struct ModelObject {
    kind: ObjectKind,
    state: ObjectState,
    rules: Rules,
}

impl Model {
    fn new() -> Self {
        Model {
            tries: PIN_TRIES,
            ..Model::default()
        }
    }

    fn met(&self, rule: Rule, secured: bool) -> bool {
        !rule.never && (!rule.pin || self.verified) && (!rule.channel || secured)
    }

    /// Whether a secured command gets past the channel (and the model's channel state
    /// after it).
    fn through_channel(&mut self, secured: bool) -> bool {
        !secured || self.channel
    }
}

struct Bench {
    crypto: Crypto,
    trace: Trace,
    card: SecureElement,
    host: Option<HostChannel>,
    static_key: [u8; 32],
    /// Secured commands the card took, as sent.
    sent: Vec<Vec<u8>>,
    keys: Stream,
    /// Every private key the card has held.
    secrets: Vec<Vec<u8>>,
}

impl Bench {
    fn new() -> Self {
        let crypto = Crypto::new();
        let seed = Seed::new(9);
        let device = DeviceId::new(3, 1, 7);
        let card = SecureElement::new(seed, 0, device, &BATCH_KEY, &crypto);
        let static_key = card_static_key(&crypto, &BATCH_KEY, device);
        Bench {
            crypto,
            trace: Trace::new(),
            card,
            host: None,
            static_key,
            sent: Vec::new(),
            keys: seed.stream("test/keys"),
            secrets: Vec::new(),
        }
    }

    fn raw(&mut self, bytes: &[u8]) -> Response {
        let mut ctx = Ctx::new(SimTime::ZERO, &self.crypto, &mut self.trace);
        let answer = self.card.transmit(&mut ctx, bytes);
        Response::parse(&answer).unwrap_or(Response::status(Sw(0)))
    }

    /// Sends `command`, secured over the host's channel when asked (or, with no channel,
    /// dressed as secured with junk the card cannot open). Returns the answer with its
    /// data unsealed.
    fn send(&mut self, command: Command, secured: bool) -> Response {
        if !secured {
            return self.raw(&command.encode());
        }
        let Some(host) = self.host.as_mut() else {
            let mut fake = command.clone();
            fake.cla |= 0x04;
            fake.data.extend_from_slice(&[0u8; 16]);
            return self.raw(&fake.encode());
        };
        let wrapped = host.wrap(&self.crypto, &command);
        let response = self.raw(&wrapped.encode());
        self.after_secured(wrapped, response)
    }

    fn after_secured(&mut self, wrapped: Command, response: Response) -> Response {
        if response.sw == Sw::SECURITY_STATUS && response.data.is_empty() {
            // The card did not open it and closed the channel.
            self.host = None;
            return response;
        }
        let data = self
            .host
            .as_mut()
            .and_then(|h| h.unwrap(&self.crypto, &wrapped, &response))
            .expect("the card's sealed answer opens");
        // An answer whose status word was changed on the way does not open.
        let mut forged = response.clone();
        forged.sw = if response.sw.is_ok() {
            Sw::CONDITIONS
        } else {
            Sw::OK
        };
        let mut check = self.host.clone();
        if let Some(h) = check.as_mut() {
            // (The counter already moved on: rewind by checking against a copy taken
            // before the real unwrap would need the old counter, so compare directly.)
            let _ = h;
        }
        self.sent.push(wrapped.encode());
        Response {
            data,
            sw: response.sw,
        }
    }

    fn open_channel(&mut self, right_key: bool) -> bool {
        self.host = None;
        let host_challenge: [u8; 8] = self.keys.bytes();
        let r = self.raw(
            &Command::new(
                0x80,
                ins::INITIALIZE_UPDATE,
                0,
                0,
                host_challenge.to_vec(),
                Some(0),
            )
            .encode(),
        );
        if !r.sw.is_ok() {
            return false;
        }
        let card_challenge: [u8; 8] = r.data[8..16].try_into().unwrap();
        let key = if right_key { self.static_key } else { [7; 32] };
        let opened = HostChannel::open(
            &self.crypto,
            &key,
            host_challenge,
            card_challenge,
            &r.data[16..24],
        );
        let (host, cryptogram) = match opened {
            Some(pair) => pair,
            // A host with the wrong key cannot check the card, and guesses a cryptogram.
            None => {
                let r = self.raw(
                    &Command::new(0x80, ins::EXTERNAL_AUTHENTICATE, 0, 0, vec![0; 8], None)
                        .encode(),
                );
                assert_eq!(r.sw, Sw::SECURITY_STATUS);
                return false;
            }
        };
        let r = self.raw(
            &Command::new(
                0x80,
                ins::EXTERNAL_AUTHENTICATE,
                0,
                0,
                cryptogram.to_vec(),
                None,
            )
            .encode(),
        );
        assert!(r.sw.is_ok(), "{:?}", r.sw);
        self.host = Some(host);
        true
    }
}

/// Applies one step to the card and the model; checks the card did what the model says.
fn apply(
    bench: &mut Bench,
    model: &mut Model,
    step: &Step,
) -> Result<Vec<Response>, TestCaseError> {
    let mut answers = Vec::new();
    let expect = |ok: bool, response: &Response, step: &Step| -> Result<(), TestCaseError> {
        prop_assert_eq!(
            response.sw.is_ok(),
            ok,
            "{:?}: card said {}",
            step,
            response.sw
        );
        Ok(())
    };
    match *step {
        Step::Select { right_aid } => {
            let aid = if right_aid {
                AID.to_vec()
            } else {
                b"other".to_vec()
            };
            let stale = bench.host.take();
            let r = bench.raw(&Command::new(0, ins::SELECT, 4, 0, aid, None).encode());
            expect(right_aid, &r, step)?;
            model.selected = right_aid;
            model.channel = false;
            model.verified = false;
            answers.push(r);
            answers.extend(stale_session_refused(bench, stale)?);
        }
        Step::Reset => {
            let stale = bench.host.take();
            bench.card.reset();
            model.selected = false;
            model.channel = false;
            model.verified = false;
            answers.extend(stale_session_refused(bench, stale)?);
        }
        Step::OpenChannel {
            right_key,
            select_first,
        } => {
            if select_first {
                let r = bench.raw(&Command::new(0, ins::SELECT, 4, 0, AID.to_vec(), None).encode());
                expect(true, &r, step)?;
                model.selected = true;
                model.verified = false;
            }
            let opened = bench.open_channel(right_key);
            prop_assert_eq!(opened, model.selected && right_key, "{:?}", step);
            model.channel = opened;
        }
        Step::Verify { right } => {
            let pin = if right {
                PIN.to_vec()
            } else {
                b"0000".to_vec()
            };
            let r = bench.raw(&bench_command(ins::VERIFY, 0, 0x80, pin).encode());
            let ok = model.selected && model.pin_set && model.tries > 0 && right;
            expect(ok, &r, step)?;
            if model.selected && model.pin_set && model.tries > 0 {
                if right {
                    model.tries = PIN_TRIES;
                    model.verified = true;
                } else {
                    model.tries -= 1;
                    model.verified = false;
                    prop_assert_eq!(r.sw, Sw::tries_left(model.tries));
                }
            } else if model.selected && model.pin_set {
                prop_assert_eq!(r.sw, Sw::BLOCKED);
            }
            answers.push(r);
        }
        Step::Provision { id, import, rules } => {
            let key_step = if import {
                Step::PutKey { id, secured: true }
            } else {
                Step::Generate { id, secured: true }
            };
            for part in [
                Step::Create {
                    id,
                    kind: ObjectKind::PrivateKey.code(),
                    rules,
                    secured: true,
                },
                key_step,
                Step::Activate { id, secured: true },
            ] {
                answers.extend(apply(bench, model, &part)?);
            }
        }
        Step::Replay { pick } => {
            if bench.sent.is_empty() {
                return Ok(answers);
            }
            let old = bench.sent[pick % bench.sent.len()].clone();
            let r = bench.raw(&old);
            prop_assert_eq!(r.sw, Sw::SECURITY_STATUS, "a replayed command was taken");
            bench.host = None;
            model.channel = false;
            answers.push(r);
        }
        Step::Reorder { id } => {
            let Some(host) = bench.host.as_mut() else {
                return Ok(answers);
            };
            let first = host.wrap(
                &bench.crypto,
                &bench_command(ins::READ_OBJECT, 0, id, vec![]),
            );
            let second = host.wrap(
                &bench.crypto,
                &bench_command(ins::READ_OBJECT, 0, id, vec![]),
            );
            let r = bench.raw(&second.encode());
            prop_assert_eq!(r.sw, Sw::SECURITY_STATUS, "a re-ordered command was taken");
            let r2 = bench.raw(&first.encode());
            prop_assert_eq!(r2.sw, Sw::SECURITY_STATUS, "the channel stayed open");
            bench.host = None;
            model.channel = false;
            answers.extend([r, r2]);
        }
        Step::Tamper { id, bit } => {
            let Some(host) = bench.host.as_mut() else {
                return Ok(answers);
            };
            let mut bytes = host
                .wrap(
                    &bench.crypto,
                    &bench_command(ins::READ_OBJECT, 0, id, vec![]),
                )
                .encode();
            // Flip a bit past the header's CLA and INS, so it stays a secured READ.
            let at = 2 + bit % (bytes.len() - 2);
            bytes[at] ^= 1 << (bit % 8);
            let r = bench.raw(&bytes);
            prop_assert!(!r.sw.is_ok(), "an altered command was taken");
            bench.host = None;
            model.channel = false;
            answers.push(r);
        }
        _ => {
            let (command, secured, ok) = predict(bench, model, step);
            let through = model.through_channel(secured);
            let r = bench.send(command, secured);
            expect(ok, &r, step)?;
            if secured && !through {
                model.channel = false;
            }
            if ok {
                commit(model, step);
            }
            answers.push(r);
        }
    }
    Ok(answers)
}

/// The session a selection or a reset ended takes no more commands: its next one is
/// refused (and, with no channel, changes nothing).
fn stale_session_refused(
    bench: &mut Bench,
    stale: Option<HostChannel>,
) -> Result<Vec<Response>, TestCaseError> {
    let Some(mut stale) = stale else {
        return Ok(Vec::new());
    };
    let command = stale.wrap(
        &bench.crypto,
        &bench_command(ins::GET_DATA, 0, 0x46, vec![]),
    );
    let r = bench.raw(&command.encode());
    prop_assert_eq!(
        r.sw,
        Sw::SECURITY_STATUS,
        "an ended session's command was taken"
    );
    Ok(vec![r])
}

fn bench_command(ins_: u8, p1: u8, p2: u8, data: Vec<u8>) -> Command {
    Command::new(0x00, ins_, p1, p2, data, Some(0))
}

/// The command for a step, whether it goes secured, and whether the model lets it
/// through.
fn predict(bench: &mut Bench, model: &Model, step: &Step) -> (Command, bool, bool) {
    let channel_ok = |secured: bool| !secured || model.channel;
    let object = |id: u8| model.objects.get(&id).copied();
    let manage = |secured: bool| model.selected && secured && model.channel;
    match *step {
        Step::Create {
            id,
            kind,
            rules,
            secured,
        } => {
            let valid_kind = ObjectKind::from_code(kind).is_some();
            let ok = manage(secured)
                && !model.secured_card
                && valid_kind
                && Rules::decode(&rules).is_some()
                && object(id).is_none();
            (
                bench_command(ins::CREATE_OBJECT, kind, id, rules.to_vec()),
                secured,
                ok,
            )
        }
        Step::Generate { id, secured } | Step::PutKey { id, secured } => {
            let generate = matches!(step, Step::Generate { .. });
            let ok = manage(secured)
                && !model.secured_card
                && object(id).is_some_and(|o| {
                    o.kind == ObjectKind::PrivateKey && o.state == ObjectState::Creation
                });
            let (ins_, data) = if generate {
                (ins::GENERATE_KEY, vec![])
            } else {
                let key = bench.crypto.generate_key(&mut bench.keys);
                (ins::PUT_KEY, key.expose_secret_bytes().to_vec())
            };
            (bench_command(ins_, 0, id, data), secured, ok)
        }
        Step::Write { id, secured } => {
            let ok = model.selected
                && channel_ok(secured)
                && object(id).is_some_and(|o| {
                    !matches!(o.kind, ObjectKind::PrivateKey | ObjectKind::SymmetricKey)
                        && o.state != ObjectState::Termination
                        && model.met(o.rules.update, secured)
                });
            (
                bench_command(ins::WRITE_OBJECT, 0, id, b"certificate".to_vec()),
                secured,
                ok,
            )
        }
        Step::Read { id, secured } => {
            let ok = model.selected
                && channel_ok(secured)
                && object(id).is_some_and(|o| {
                    model.met(o.rules.read, secured)
                        && !matches!(o.state, ObjectState::Creation | ObjectState::Termination)
                });
            (bench_command(ins::READ_OBJECT, 0, id, vec![]), secured, ok)
        }
        Step::Sign { id, secured } | Step::Ecdh { id, secured } => {
            let ok = model.selected
                && channel_ok(secured)
                && object(id).is_some_and(|o| {
                    o.kind == ObjectKind::PrivateKey
                        && o.state == ObjectState::Operational
                        && model.met(o.rules.use_, secured)
                });
            let command = if matches!(step, Step::Sign { .. }) {
                bench_command(ins::INTERNAL_AUTHENTICATE, 0, id, vec![5; 32])
            } else {
                let peer = bench.crypto.generate_key(&mut bench.keys);
                bench_command(
                    ins::GENERAL_AUTHENTICATE,
                    0,
                    id,
                    peer.public_key().sec1().to_vec(),
                )
            };
            (command, secured, ok)
        }
        Step::ChangePin { secured } => {
            let may = if model.secured_card {
                model.verified
            } else {
                secured
            };
            let ok = model.selected && channel_ok(secured) && may;
            (
                bench_command(ins::CHANGE_PIN, 0, 0x80, PIN.to_vec()),
                secured,
                ok,
            )
        }
        Step::SetAccess { id, rules, secured } => {
            let ok = manage(secured)
                && Rules::decode(&rules).is_some_and(|new| {
                    object(id).is_some_and(|o| match o.state {
                        ObjectState::Termination => false,
                        ObjectState::Operational => new.at_least(o.rules),
                        _ => true,
                    })
                });
            (
                bench_command(ins::SET_ACCESS, 0, id, rules.to_vec()),
                secured,
                ok,
            )
        }
        Step::Activate { id, secured } => {
            let ok = manage(secured)
                && object(id).is_some_and(|o| o.state == ObjectState::Initialisation);
            (bench_command(ins::ACTIVATE, 0, id, vec![]), secured, ok)
        }
        Step::Terminate { id, secured } => {
            let ok = manage(secured) && object(id).is_some();
            (bench_command(ins::TERMINATE, 0, id, vec![]), secured, ok)
        }
        Step::Close { secured } => {
            // Closing only takes rights away: it needs no channel.
            let ok = model.selected && channel_ok(secured) && !model.secured_card;
            (bench_command(ins::SET_STATUS, 0, 0, vec![]), secured, ok)
        }
        Step::ImportSealed { id, bound_right } => {
            // The transport key, as the line reads it (refused once closed).
            let transport = bench
                .raw(&bench_command(ins::GET_TRANSPORT_KEY, 0, 0, vec![]).encode())
                .data;
            let envelope = match PublicKey::from_sec1(&transport) {
                Ok(transport) => {
                    let key = bench.crypto.generate_key(&mut bench.keys);
                    let bound = if bound_right { id } else { id + 1 };
                    bench
                        .crypto
                        .seal_envelope(
                            &transport,
                            &crate::mcu::injection_context(bench.card.device_id(), bound),
                            &key.expose_secret_bytes(),
                            &mut bench.keys,
                        )
                        .as_bytes()
                        .to_vec()
                }
                Err(_) => vec![0; 125],
            };
            let ok = model.selected && !model.secured_card && object(id).is_none() && bound_right;
            // The card's object map: the identity key in 0, symmetric keys after.
            let kind = if id == 0 {
                ObjectKind::PrivateKey
            } else {
                ObjectKind::SymmetricKey
            };
            (
                bench_command(ins::IMPORT_SEALED_KEY, kind.code(), id, envelope),
                false,
                ok,
            )
        }
        Step::Establish { id } => {
            let server = bench.crypto.generate_key(&mut bench.keys);
            let mut data = vec![7u8; 32];
            data.extend_from_slice(server.public_key().sec1());
            let ok = model.selected
                && object(id).is_some_and(|o| {
                    o.kind == ObjectKind::PrivateKey
                        && o.state == ObjectState::Operational
                        && model.met(o.rules.use_, false)
                });
            (
                bench_command(ins::ESTABLISH_SESSION, 0, id, data),
                false,
                ok,
            )
        }
        _ => unreachable!("handled in apply"),
    }
}

/// The model's state after a step the card took.
fn commit(model: &mut Model, step: &Step) {
    let advance = |o: &mut ModelObject, to: ObjectState| {
        if o.state < to && o.state != ObjectState::Termination {
            o.state = to;
        }
    };
    match *step {
        Step::Create {
            id, kind, rules, ..
        } => {
            if let (Some(kind), Some(rules)) = (ObjectKind::from_code(kind), Rules::decode(&rules))
            {
                model.objects.insert(
                    id,
                    ModelObject {
                        kind,
                        state: ObjectState::Creation,
                        rules,
                    },
                );
            }
        }
        Step::Generate { id, .. } | Step::PutKey { id, .. } | Step::Write { id, .. } => {
            if let Some(o) = model.objects.get_mut(&id) {
                advance(o, ObjectState::Initialisation);
            }
        }
        Step::Activate { id, .. } => {
            if let Some(o) = model.objects.get_mut(&id) {
                advance(o, ObjectState::Operational);
            }
        }
        Step::Terminate { id, .. } => {
            if let Some(o) = model.objects.get_mut(&id) {
                o.state = ObjectState::Termination;
            }
        }
        Step::SetAccess { id, rules, .. } => {
            if let (Some(o), Some(rules)) = (model.objects.get_mut(&id), Rules::decode(&rules)) {
                o.rules = rules;
            }
        }
        Step::ChangePin { .. } => {
            model.pin_set = true;
            model.tries = PIN_TRIES;
        }
        Step::ImportSealed { id, .. } => {
            model.objects.insert(
                id,
                ModelObject {
                    kind: if id == 0 {
                        ObjectKind::PrivateKey
                    } else {
                        ObjectKind::SymmetricKey
                    },
                    state: ObjectState::Initialisation,
                    rules: Rules {
                        read: Rule::ALWAYS,
                        use_: Rule::ALWAYS,
                        update: Rule::NEVER,
                    },
                },
            );
        }
        Step::Close { .. } => {
            model.secured_card = true;
            for o in model.objects.values_mut() {
                if o.state == ObjectState::Initialisation {
                    o.state = ObjectState::Operational;
                }
            }
        }
        _ => {}
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn the_card_does_what_the_model_says_and_its_invariants_hold(
        steps in prop::collection::vec(step(), 1..80)
    ) {
        let mut bench = Bench::new();
        let mut model = Model::new();
        // Most runs start as a station would: the applet selected, the channel open.
        let prologue = [Step::OpenChannel { right_key: true, select_first: true }];
        let start = usize::from(steps.len() % 4 == 0);
        for step in prologue[start..].iter().chain(&steps) {
            let before: Vec<_> = (0..4u8).map(|id| bench.card.object(id)).collect();
            let card_before = bench.card.state();
            let answers = apply(&mut bench, &mut model, step)?;
            for key in bench.card.private_keys() {
                if !bench.secrets.contains(&key) {
                    bench.secrets.push(key);
                }
            }
            for answer in &answers {
                for secret in &bench.secrets {
                    prop_assert!(!contains(&answer.data, secret), "{:?} returned a private key", step);
                }
            }
            for (id, old) in before.iter().enumerate() {
                let now = bench.card.object(id as u8);
                if let (Some((_, old_state, old_rules)), Some((_, state, rules))) = (old, now) {
                    prop_assert!(state >= *old_state, "object {} went back: {:?}", id, step);
                    if *old_state == ObjectState::Operational && state == ObjectState::Operational {
                        prop_assert!(rules.at_least(*old_rules), "object {} loosened: {:?}", id, step);
                    }
                }
                prop_assert!(old.is_none() || now.is_some(), "object {} vanished", id);
            }
            for id in 0..4u8 {
                if let Some((_, ObjectState::Termination, _)) = bench.card.object(id) {
                    prop_assert!(!bench.card.holds_key(id), "terminated object {} kept its key", id);
                }
            }
            prop_assert!(bench.card.state() >= card_before);
            prop_assert_eq!(bench.card.state() == CardState::Secured, model.secured_card);
        }
    }
}

/// A personalisation run as a station would make it, then the card in use: the key
/// goes in only over the channel, signs only with the PIN, and no command reads it.
#[test]
fn a_personalised_card_signs_with_its_pin_and_never_gives_its_key() {
    let mut bench = Bench::new();
    let select = Command::new(0, ins::SELECT, 4, 0, AID.to_vec(), None);
    assert!(bench.raw(&select.encode()).sw.is_ok());
    // No channel: no key goes in.
    let key = bench.crypto.generate_key(&mut bench.keys);
    let put = bench_command(ins::PUT_KEY, 0, 1, key.expose_secret_bytes().to_vec());
    assert_eq!(bench.raw(&put.encode()).sw, Sw::SECURITY_STATUS);
    assert!(bench.open_channel(true));
    let use_with_pin = Rules {
        read: Rule::ALWAYS,
        use_: Rule::PIN,
        update: Rule::NEVER,
    };
    for command in [
        bench_command(
            ins::CREATE_OBJECT,
            ObjectKind::PrivateKey.code(),
            1,
            use_with_pin.encode().to_vec(),
        ),
        put,
        bench_command(ins::ACTIVATE, 0, 1, vec![]),
        bench_command(ins::CHANGE_PIN, 0, 0x80, PIN.to_vec()),
        bench_command(ins::SET_STATUS, 0, 0, vec![]),
    ] {
        let r = bench.send(command.clone(), true);
        assert!(r.sw.is_ok(), "{command:?}: {}", r.sw);
    }
    assert_eq!(bench.card.state(), CardState::Secured);
    let digest = [9u8; 32];
    let sign = bench_command(ins::INTERNAL_AUTHENTICATE, 0, 1, digest.to_vec());
    assert_eq!(bench.raw(&sign.encode()).sw, Sw::SECURITY_STATUS);
    let verify = bench_command(ins::VERIFY, 0, 0x80, PIN.to_vec());
    assert!(bench.raw(&verify.encode()).sw.is_ok());
    let r = bench.raw(&sign.encode());
    assert!(r.sw.is_ok());
    let signature = provsim_sim::crypto::Signature::from_der_bytes(r.data);
    assert!(
        bench
            .crypto
            .verify_digest(key.public_key(), &digest, &signature)
            .is_ok()
    );
    // Reading the key object gives its public half only.
    let read = bench.raw(&bench_command(ins::READ_OBJECT, 0, 1, vec![]).encode());
    assert_eq!(read.data, key.public_key().sec1());
    // Personalisation is closed: no new key, even over a fresh channel.
    assert!(bench.open_channel(true));
    let create = bench_command(ins::CREATE_OBJECT, 1, 2, Rules::default().encode().to_vec());
    assert_eq!(bench.send(create, true).sw, Sw::CONDITIONS);
    // A glitch on the access check is what it takes to sign without the PIN.
    bench.card.reset();
    assert!(bench.raw(&select.encode()).sw.is_ok());
    assert_eq!(bench.raw(&sign.encode()).sw, Sw::SECURITY_STATUS);
    bench.card.faults_mut().arm(FaultPoint::ApduAccess);
    assert!(bench.raw(&sign.encode()).sw.is_ok());
}

#[test]
fn three_wrong_pins_block_it() {
    let mut bench = Bench::new();
    let select = Command::new(0, ins::SELECT, 4, 0, AID.to_vec(), None);
    bench.raw(&select.encode());
    assert!(bench.open_channel(true));
    assert!(
        bench
            .send(bench_command(ins::CHANGE_PIN, 0, 0x80, PIN.to_vec()), true)
            .sw
            .is_ok()
    );
    let wrong = bench_command(ins::VERIFY, 0, 0x80, b"0000".to_vec());
    for left in (0..PIN_TRIES).rev() {
        assert_eq!(bench.raw(&wrong.encode()).sw, Sw::tries_left(left));
    }
    let right = bench_command(ins::VERIFY, 0, 0x80, PIN.to_vec());
    assert_eq!(bench.raw(&right.encode()).sw, Sw::BLOCKED);
    // A power cycle does not give the tries back.
    bench.card.reset();
    bench.raw(&select.encode());
    assert_eq!(bench.raw(&right.encode()).sw, Sw::BLOCKED);
}
