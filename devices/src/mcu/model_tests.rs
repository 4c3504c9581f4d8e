//! Model-based test of the MCU's debug port, programming protocol, protections and life
//! cycle. A small reference model predicts what each step must do; random sequences of
//! steps run against the real model; after every step the safety invariants are checked
//! on the chip's actual state:
//!
//! - a part whose debug-lock fuse is blown or whose RDP is 2 answers no debug read at
//!   all, and no step ever returns secret bytes while RDP 1 (outside RMA) or the secure
//!   region forbids it; the running firmware's own reads (the CPU's view, which RDP does
//!   not restrict) never return the secure region either;
//! - the life cycle only takes allowed steps, and is in RMA only with the key store
//!   wiped;
//! - no fuse bit ever clears.

use super::chip::Mcu;
use super::layout::*;
use super::options::Rdp;
use super::*;
use crate::image::{self, ImageVersion, SignOptions};
use crate::life_cycle::{LifeCycle, TokenKind};
use crate::target::{Command, DeviceId, Fuse, Response, Target};
use proptest::prelude::*;
use provsim_sim::crypto::Crypto;
use provsim_sim::crypto::SecretKey;
use provsim_sim::{Ctx, Seed};
use provsim_sim::{SimTime, Trace};

const EXIT_TOKEN: &[u8] = b"test-exit token of device 0";
const RMA_TOKEN: &[u8] = b"rma token of device 0";

#[derive(Debug, Clone)]
enum Step {
    Read {
        region: usize,
    },
    /// A read by the running firmware (the CPU's view).
    FirmwareRead {
        region: usize,
    },
    Inject {
        slot: u8,
    },
    WriteTokenHash {
        token: TokenKind,
    },
    Transition {
        to: LifeCycle,
        token: Token,
    },
    /// A transition to the state after the current one (test, provisioned, field, rma).
    Advance {
        token: Token,
    },
    SetRdp {
        level: u8,
    },
    EnableSecureRegion,
    BlowFuse {
        fuse: Fuse,
    },
    WriteFirmwareKey,
    WriteImage {
        counter: u32,
    },
    StageUpdate {
        counter: u32,
        foreign: bool,
    },
    Boot,
}

#[derive(Debug, Clone, Copy)]
enum Token {
    None,
    Right,
    Wrong,
}

fn step() -> impl Strategy<Value = Step> {
    let state = prop::sample::select(LifeCycle::ALL.to_vec());
    let token = prop_oneof![Just(Token::None), Just(Token::Right), Just(Token::Wrong)];
    prop_oneof![
        4 => (0..MEMORY_MAP.len()).prop_map(|region| Step::Read { region }),
        2 => (0..MEMORY_MAP.len()).prop_map(|region| Step::FirmwareRead { region }),
        3 => (0u8..3).prop_map(|slot| Step::Inject { slot }),
        3 => prop::sample::select(vec![TokenKind::TestExit, TokenKind::Rma])
            .prop_map(|token| Step::WriteTokenHash { token }),
        2 => (state, token.clone()).prop_map(|(to, token)| Step::Transition { to, token }),
        // Mostly the right token to the next state, so sequences reach deep states
        // (provisioned with keys, then RMA) often enough to test them.
        6 => prop_oneof![4 => Just(Token::Right), 1 => token]
            .prop_map(|token| Step::Advance { token }),
        2 => (0u8..4).prop_map(|level| Step::SetRdp { level }),
        1 => Just(Step::EnableSecureRegion),
        1 => prop::sample::select(Fuse::ALL.to_vec()).prop_map(|fuse| Step::BlowFuse { fuse }),
        1 => Just(Step::WriteFirmwareKey),
        1 => (0u32..4).prop_map(|counter| Step::WriteImage { counter }),
        1 => ((0u32..4), any::<bool>()).prop_map(|(counter, foreign)| Step::StageUpdate { counter, foreign }),
        1 => Just(Step::Boot),
    ]
}

/// What the reference model knows about the chip.
#[derive(Debug, Clone)]
struct Model {
    state: LifeCycle,
    debug_lock: bool,
    rdp: u8,
    secure_region: bool,
    tokens: Vec<TokenKind>,
    /// Slots holding a key.
    keys: Vec<u8>,
    fw_key_written: bool,
    /// An image is running (the last boot succeeded and nothing reset the chip since).
    running: bool,
}

impl Model {
    fn port_open(&self) -> bool {
        self.state != LifeCycle::Scrapped && !self.debug_lock && self.rdp != 2
    }

    fn flash_protected(&self) -> bool {
        self.rdp == 1 && self.state != LifeCycle::Rma
    }
}

struct World {
    crypto: Crypto,
    trace: Trace,
    mcu: Mcu,
    model: Model,
    firmware: SecretKey,
    foreign: SecretKey,
    /// Every secret the chip holds or held: injected keys.
    secrets: Vec<[u8; 32]>,
}

impl World {
    fn new() -> Self {
        let crypto = Crypto::new();
        let seed = Seed::new(77);
        let firmware = crypto.generate_key(&mut seed.stream("test/firmware"));
        let foreign = crypto.generate_key(&mut seed.stream("test/foreign"));
        World {
            crypto,
            trace: Trace::new(),
            mcu: Mcu::new(seed, 0, DeviceId::new(7, 7, 0)),
            model: Model {
                state: LifeCycle::Blank,
                debug_lock: false,
                rdp: 0,
                secure_region: false,
                tokens: Vec::new(),
                keys: Vec::new(),
                fw_key_written: false,
                running: false,
            },
            firmware,
            foreign,
            secrets: Vec::new(),
        }
    }

    fn image(&self, counter: u32, foreign: bool) -> Vec<u8> {
        let key = if foreign {
            &self.foreign
        } else {
            &self.firmware
        };
        let options = SignOptions {
            version: ImageVersion {
                major: 1,
                minor: 0,
                revision: 0,
                build: counter,
            },
            security_counter: Some(counter),
            header_size: 0x20,
            load_addr: 0,
        };
        image::sign(&self.crypto, key, b"model firmware", &options).unwrap()
    }

    fn contains_secret(&self, bytes: &[u8]) -> bool {
        self.secrets
            .iter()
            .any(|secret| bytes.windows(32).any(|w| w == secret))
    }

    /// Runs one step; returns what left the chip (bytes a debugger or station saw).
    fn apply(&mut self, step: &Step) -> Result<Vec<u8>, String> {
        let mut ctx = Ctx::new(SimTime::ZERO, &self.crypto, &mut self.trace);
        let model = &mut self.model;
        let mcu = &mut self.mcu;
        let command = |mcu: &mut Mcu, ctx: &mut Ctx<'_>, c: Command| {
            mcu.execute(ctx, c)
                .map(|r| format!("{r:?}").into_bytes())
                .map_err(|e| e.to_string())
        };
        match step {
            Step::Read { region } => {
                let region = MEMORY_MAP[*region];
                let result = mcu.debug_read(&mut ctx, region.base, region.len);
                let in_flash_or_otp = region.kind != crate::target::RegionKind::Options;
                let in_secure = region.base == SECURE_REGION_BASE;
                let allowed = model.port_open()
                    && !(in_flash_or_otp && model.flash_protected())
                    && !(in_secure && model.secure_region);
                assert_eq!(
                    result.is_ok(),
                    allowed,
                    "read of {}: {:?} {model:?}",
                    region.name,
                    result.as_ref().err()
                );
                result.map_err(|e| e.to_string())
            }
            Step::FirmwareRead { region } => {
                let region = MEMORY_MAP[*region];
                let result = mcu.firmware_read(&mut ctx, region.base, region.len);
                let in_secure = region.base == SECURE_REGION_BASE;
                let allowed = model.running && !(in_secure && model.secure_region);
                assert_eq!(
                    result.is_ok(),
                    allowed,
                    "firmware read of {}: {:?} {model:?}",
                    region.name,
                    result.as_ref().err()
                );
                result.map_err(|e| e.to_string())
            }
            Step::Inject { slot } => {
                let info = mcu.execute(&mut ctx, Command::GetInfo);
                let Ok(Response::Info(info)) = info else {
                    assert!(!model.port_open());
                    return Err("port closed".into());
                };
                let mut stream = Seed::new(u64::from(*slot) + 1000).stream("test/vault");
                let key = self.crypto.generate_key(&mut stream);
                let envelope = self.crypto.seal_envelope(
                    &info.transport_key,
                    &injection_context(info.device_id, *slot),
                    &key.expose_secret_bytes(),
                    &mut stream,
                );
                let result = mcu.execute(
                    &mut ctx,
                    Command::InjectKey {
                        slot: *slot,
                        envelope,
                    },
                );
                let expected = model.port_open()
                    && !model.flash_protected()
                    && model.state == LifeCycle::Test
                    && !model.keys.contains(slot);
                assert_eq!(result.is_ok(), expected, "inject: {result:?} {model:?}");
                if result.is_ok() {
                    model.keys.push(*slot);
                    self.secrets.push(key.expose_secret_bytes());
                }
                result
                    .map(|r| format!("{r:?}").into_bytes())
                    .map_err(|e| e.to_string())
            }
            Step::WriteTokenHash { token } => {
                let value = match token {
                    TokenKind::TestExit => EXIT_TOKEN,
                    TokenKind::Rma => RMA_TOKEN,
                };
                let hash = self.crypto.sha256(value);
                let result = command(
                    mcu,
                    &mut ctx,
                    Command::WriteTokenHash {
                        token: *token,
                        hash,
                    },
                );
                let expected = model.port_open()
                    && !model.flash_protected()
                    && model.state == LifeCycle::Test
                    && !model.tokens.contains(token);
                assert_eq!(result.is_ok(), expected, "token: {result:?} {model:?}");
                if result.is_ok() {
                    model.tokens.push(*token);
                }
                result
            }
            Step::Advance { token } => {
                let to = match model.state {
                    LifeCycle::Blank => LifeCycle::Test,
                    LifeCycle::Test => LifeCycle::Provisioned,
                    LifeCycle::Provisioned => LifeCycle::Field,
                    _ => LifeCycle::Rma,
                };
                self.apply(&Step::Transition { to, token: *token })
            }
            Step::Transition { to, token } => {
                let rule = life_cycle::rule(model.state, *to);
                let needed = rule.flatten();
                let value = |kind: TokenKind| match kind {
                    TokenKind::TestExit => EXIT_TOKEN.to_vec(),
                    TokenKind::Rma => RMA_TOKEN.to_vec(),
                };
                let presented = match (token, needed) {
                    (Token::None, _) => None,
                    (Token::Right, Some(kind)) => Some(value(kind)),
                    (Token::Right, None) => Some(b"unneeded".to_vec()),
                    (Token::Wrong, _) => Some(b"guess".to_vec()),
                };
                let result = command(
                    mcu,
                    &mut ctx,
                    Command::Transition {
                        to: *to,
                        token: presented,
                    },
                );
                let expected = model.port_open()
                    && rule.is_some()
                    && match needed {
                        None => true,
                        Some(kind) => model.tokens.contains(&kind) && matches!(token, Token::Right),
                    };
                assert_eq!(result.is_ok(), expected, "{to}: {result:?} {model:?}");
                if result.is_ok() {
                    model.running = false;
                    model.state = *to;
                    if matches!(to, LifeCycle::Rma | LifeCycle::Scrapped) {
                        model.keys.clear();
                    }
                }
                result
            }
            Step::SetRdp { level } => {
                let result = command(
                    mcu,
                    &mut ctx,
                    Command::SetReadoutProtection { level: *level },
                );
                let expected = model.port_open() && *level <= 2;
                assert_eq!(
                    result.is_ok(),
                    expected,
                    "rdp {level}: {result:?} {model:?}"
                );
                if result.is_ok() {
                    if model.rdp == 1 && *level == 0 {
                        model.keys.clear();
                        model.fw_key_written = false;
                    }
                    model.rdp = *level;
                    model.running = false;
                }
                result
            }
            Step::EnableSecureRegion => {
                let result = command(mcu, &mut ctx, Command::EnableSecureRegion);
                assert_eq!(result.is_ok(), model.port_open(), "{result:?} {model:?}");
                if result.is_ok() {
                    model.secure_region = true;
                    model.running = false;
                }
                result
            }
            Step::BlowFuse { fuse } => {
                let result = command(mcu, &mut ctx, Command::BlowFuse { fuse: *fuse });
                let expected = model.port_open()
                    && !model.flash_protected()
                    && matches!(
                        model.state,
                        LifeCycle::Test | LifeCycle::Provisioned | LifeCycle::Field
                    );
                assert_eq!(result.is_ok(), expected, "{fuse:?}: {result:?} {model:?}");
                if result.is_ok() && *fuse == Fuse::DebugLock {
                    model.debug_lock = true;
                }
                result
            }
            Step::WriteFirmwareKey => {
                let sec1 = self.firmware.public_key().sec1().to_vec();
                let result = command(mcu, &mut ctx, Command::WriteFirmwareKey { sec1 });
                let expected = model.port_open()
                    && !model.flash_protected()
                    && model.state == LifeCycle::Test
                    && !model.fw_key_written;
                assert_eq!(
                    result.is_ok(),
                    expected,
                    "firmware key: {result:?} {model:?}"
                );
                model.fw_key_written |= result.is_ok();
                result
            }
            Step::WriteImage { counter } => {
                let image = self.image(*counter, false);
                let expected = self.model.port_open()
                    && !self.model.flash_protected()
                    && matches!(
                        self.model.state,
                        LifeCycle::Test | LifeCycle::Provisioned | LifeCycle::Rma
                    );
                let mut ctx = Ctx::new(SimTime::ZERO, &self.crypto, &mut self.trace);
                let result = command(&mut self.mcu, &mut ctx, Command::WriteImage { image });
                assert_eq!(
                    result.is_ok(),
                    expected,
                    "image: {result:?} {:?}",
                    self.model
                );
                result
            }
            Step::StageUpdate { counter, foreign } => {
                let image = self.image(*counter, *foreign);
                let expected = matches!(
                    self.model.state,
                    LifeCycle::Test | LifeCycle::Provisioned | LifeCycle::Field | LifeCycle::Rma
                );
                let mut ctx = Ctx::new(SimTime::ZERO, &self.crypto, &mut self.trace);
                let result = self
                    .mcu
                    .stage_update(&mut ctx, &image)
                    .map(|()| Vec::new())
                    .map_err(|e| e.to_string());
                assert_eq!(
                    result.is_ok(),
                    expected,
                    "update: {result:?} {:?}",
                    self.model
                );
                result
            }
            Step::Boot => {
                let before = mcu.rollback_counter();
                let result = mcu.boot(&mut ctx);
                model.running = result.is_ok();
                if let Ok(running) = &result
                    && running.verified
                {
                    // A verified boot never runs an image below the fuses.
                    assert!(running.security_counter.unwrap_or(0) >= before);
                }
                result
                    .map(|r| format!("{r:?}").into_bytes())
                    .map_err(|e| e.to_string())
            }
        }
    }
}

fn secret_bytes_present(mcu: &Mcu) -> bool {
    mcu.flash
        .read(KEYSTORE_BASE, KEYSTORE_SIZE)
        .iter()
        .any(|&b| b != 0xff)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn the_mcu_keeps_its_safety_invariants_after_every_step(steps in prop::collection::vec(step(), 1..40)) {
        let mut world = World::new();
        for step in &steps {
            let otp_before = world.mcu.otp.read(0, OTP_SIZE as usize);
            let state_before = world.mcu.life_cycle();
            let locked_before = world.mcu.otp.is_blown(OTP_DEBUG_LOCK_BIT)
                || world.mcu.option_bytes().rdp == Rdp::Level2;
            let output = world.apply(step);

            // Fuses never clear.
            let otp_after = world.mcu.otp.read(0, OTP_SIZE as usize);
            for (before, after) in otp_before.iter().zip(&otp_after) {
                prop_assert_eq!(before & after, *before, "a fuse cleared after {:?}", step);
            }

            // A locked or RDP-2 part answers no read; and no step ever hands out a
            // secret byte unless RDP 0, no lock and no secure region allow a plain read.
            if locked_before && matches!(step, Step::Read { .. }) {
                prop_assert!(output.is_err(), "locked part answered {:?}", step);
            }
            if let Ok(bytes) = &output {
                let allowed = match step {
                    Step::Read { .. } => {
                        !locked_before && world.model.rdp == 0 && !world.model.secure_region
                    }
                    // The CPU's view: readout protection and the lock fuse do not apply,
                    // the secure region does.
                    Step::FirmwareRead { .. } => !world.model.secure_region,
                    _ => false,
                };
                if !allowed {
                    prop_assert!(!world.contains_secret(bytes), "secret left the chip on {:?}", step);
                }
                if let Some(transport) = &world.mcu.transport {
                    let t = transport.expose_secret_bytes();
                    prop_assert!(!bytes.windows(32).any(|w| w == t), "transport key left the chip");
                }
            }

            // The life cycle moves only by allowed steps; RMA only with secrets wiped.
            let state_after = world.mcu.life_cycle();
            prop_assert_eq!(state_after, world.model.state);
            // Never backwards: blank < test < provisioned < field < rma < scrapped.
            prop_assert!(state_after >= state_before, "{} -> {}", state_before, state_after);
            if state_after != state_before {
                prop_assert!(life_cycle::rule(state_before, state_after).is_some(),
                    "{} -> {} is not a transition", state_before, state_after);
            }
            if state_after == LifeCycle::Rma {
                prop_assert!(!secret_bytes_present(&world.mcu), "RMA with the key store intact");
            }
        }
    }
}
