//! The secure element as a part on the line: the card behind the station's command set.
//! Each command becomes the APDUs a personalisation station sends (SELECT, the
//! transport key, IMPORT SEALED KEY, WRITE OBJECT in chunks, SET STATUS); what has no
//! meaning on an SE (firmware, fuses, a debug port, RMA) is refused as such. The line
//! knows which steps an SE takes from its profile (`runs_firmware`).

use super::apdu::{Command as Apdu, Response as ApduResponse, Sw};
use super::applet::{AID, APPEND, CLOSE_PERSONALISATION, OBJECT_DIRECTORY, TERMINATE_CARD, ins};
use super::card::{CardState, SecureElement};
use super::channel::CHALLENGE_LEN;
use super::channel::HostChannel;
use super::objects::ObjectKind;
use crate::error::{BootError, DeviceError, PortError};
use crate::fault::{
    FaultModel, FaultPoint, FaultState, Glitch, GlitchMethod, GlitchOutcome, GlitchTally,
};
use crate::first_connection::DeviceAuth;
use crate::leakage::{self, LeakageModel, MeasuredOperation, PowerTrace};
use crate::life_cycle::LifeCycle;
use crate::target::{
    ApduExchange, ChannelBreaches, Command, DeviceId, DeviceInfo, MemoryRegion, Response,
    RunningImage, Target, TargetKind,
};
use crate::weakness::Weaknesses;
use provsim_sim::crypto::{PublicKey, Signature};
use provsim_sim::{Ctx, Seed, Stream};

/// The object the identity key goes into, and the one its certificate goes into.
const CERTIFICATE_OBJECT: u8 = 0x40;
/// Data bytes per WRITE OBJECT chunk.
const CHUNK: usize = 200;

/// An SE on the line.
#[derive(Clone)]
pub struct SeChip {
    card: SecureElement,
    leakage: LeakageModel,
    masks: StreamCell,
    /// The key holder's field host: its channel challenges.
    host: StreamCell,
    /// Objects the station put in during this personalisation: before closing it
    /// checks the card holds nothing else (a key planted by someone who sealed to the
    /// public transport key would otherwise ship).
    written: std::collections::BTreeSet<u8>,
    /// The attestation key and certificate the SE vendor left in the die.
    die: crate::die::Die,
}

/// The chip's masking randomness, duplicated with the chip.
struct StreamCell(Stream);

impl Clone for StreamCell {
    fn clone(&self) -> Self {
        StreamCell(self.0.duplicate())
    }
}

impl SeChip {
    /// Device `index`'s SE, as the SE vendor ships it (keyed for its batch), with the
    /// card's leakage and fault models and the protections its applet lacks.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        seed: Seed,
        index: u64,
        device_id: DeviceId,
        batch_key: &[u8; 32],
        crypto: &provsim_sim::crypto::Crypto,
        leakage: LeakageModel,
        faults: FaultModel,
        weaknesses: Weaknesses,
    ) -> Self {
        let mut card = SecureElement::new(seed, index, device_id, batch_key, crypto)
            .with_weaknesses(weaknesses);
        *card.faults_mut() = FaultState::new(faults);
        SeChip {
            card,
            leakage,
            masks: StreamCell(crate::labels::masking(seed, index)),
            host: StreamCell(crate::labels::se_field_host(seed, index)),
            written: std::collections::BTreeSet::new(),
            die: crate::die::Die::new(seed, index, device_id),
        }
    }

    pub fn card_mut(&mut self) -> &mut SecureElement {
        &mut self.card
    }

    /// One APDU to the card, selecting the applet first if needed; the answer's data,
    /// or the status word as an error.
    fn apdu(
        &mut self,
        ctx: &mut Ctx<'_>,
        ins: u8,
        p1: u8,
        p2: u8,
        data: Vec<u8>,
    ) -> Result<Vec<u8>, DeviceError> {
        if !self.card.selected {
            let select = Apdu::new(0, ins::SELECT, 4, 0, AID.to_vec(), None);
            self.exchange(ctx, &select)?;
        }
        self.exchange(ctx, &Apdu::new(0, ins, p1, p2, data, Some(0)))
    }

    fn exchange(&mut self, ctx: &mut Ctx<'_>, apdu: &Apdu) -> Result<Vec<u8>, DeviceError> {
        let answer = self.card.transmit(ctx, &apdu.encode());
        let response = ApduResponse::parse(&answer).unwrap_or(ApduResponse {
            data: Vec::new(),
            sw: Sw(0),
        });
        if response.sw.is_ok() {
            Ok(response.data)
        } else {
            Err(DeviceError::Apdu {
                ins: apdu.ins,
                sw: response.sw.0,
            })
        }
    }

    /// IMPORT SEALED KEY of `kind` into object `slot`, noted as the station's own.
    fn import(
        &mut self,
        ctx: &mut Ctx<'_>,
        kind: ObjectKind,
        slot: u8,
        envelope: &provsim_sim::crypto::Envelope,
    ) -> Result<Vec<u8>, DeviceError> {
        let answer = self.apdu(
            ctx,
            ins::IMPORT_SEALED_KEY,
            kind.code(),
            slot,
            envelope.as_bytes().to_vec(),
        )?;
        self.written.insert(slot);
        Ok(answer)
    }

    /// One command as the field host sends it, recorded with the card's answer.
    fn recorded(
        &mut self,
        ctx: &mut Ctx<'_>,
        command: &Apdu,
        log: &mut Vec<ApduExchange>,
    ) -> ApduResponse {
        let bytes = command.encode();
        let answer = self.card.transmit(ctx, &bytes);
        let response = ApduResponse::parse(&answer).unwrap_or(ApduResponse {
            data: Vec::new(),
            sw: Sw(0),
        });
        log.push(ApduExchange {
            command: bytes,
            answer,
        });
        response
    }

    fn unsupported(what: &'static str) -> DeviceError {
        DeviceError::Unsupported {
            target: "secure element",
            what,
        }
    }
}

impl Target for SeChip {
    fn kind(&self) -> TargetKind {
        TargetKind::Se
    }

    fn device_id(&self) -> DeviceId {
        self.card.device_id()
    }

    fn memory_map(&self) -> &'static [MemoryRegion] {
        &[]
    }

    fn debug_read(&mut self, _: &mut Ctx<'_>, _: u32, _: u32) -> Result<Vec<u8>, PortError> {
        Err(PortError::NoPort)
    }

    fn firmware_read(&mut self, _: &mut Ctx<'_>, _: u32, _: u32) -> Result<Vec<u8>, PortError> {
        Err(PortError::NoPort)
    }

    fn execute(&mut self, ctx: &mut Ctx<'_>, command: Command) -> Result<Response, DeviceError> {
        match command {
            Command::GetInfo => {
                let transport = self.apdu(ctx, ins::GET_TRANSPORT_KEY, 0, 0, Vec::new());
                let transport_key = match transport {
                    Ok(sec1) => {
                        PublicKey::from_sec1(&sec1).map_err(DeviceError::InvalidPublicKey)?
                    }
                    // Closed: no transport key any more; the card still says who it is.
                    Err(_) => {
                        return Err(Self::unsupported(
                            "transport key once personalisation is closed",
                        ));
                    }
                };
                Ok(Response::Info(DeviceInfo {
                    device_id: self.card.device_id(),
                    kind: TargetKind::Se,
                    transport_key,
                    life_cycle: self.life_cycle(),
                }))
            }
            Command::InjectKey { slot, envelope } => {
                let sec1 = self.import(ctx, ObjectKind::PrivateKey, slot, &envelope)?;
                let public_key =
                    PublicKey::from_sec1(&sec1).map_err(DeviceError::InvalidPublicKey)?;
                Ok(Response::KeyInstalled { slot, public_key })
            }
            Command::InjectSecret { slot, envelope } => {
                let check = self.import(ctx, ObjectKind::SymmetricKey, slot, &envelope)?;
                let check: [u8; 4] = check.try_into().map_err(|_| DeviceError::InvalidKey)?;
                Ok(Response::SecretInstalled { slot, check })
            }
            Command::WriteCertificate { der } => {
                let kind = ObjectKind::Certificate.code();
                for (i, chunk) in der.chunks(CHUNK).enumerate() {
                    let p1 = if i == 0 { kind } else { kind | APPEND };
                    self.apdu(
                        ctx,
                        ins::WRITE_OBJECT,
                        p1,
                        CERTIFICATE_OBJECT,
                        chunk.to_vec(),
                    )?;
                }
                self.written.insert(CERTIFICATE_OBJECT);
                Ok(Response::Written { bytes: der.len() })
            }
            Command::Transition { to, .. } => match (self.card.state(), to) {
                (CardState::Personalisation, LifeCycle::Test) => {
                    Ok(Response::Transitioned(LifeCycle::Test))
                }
                (_, LifeCycle::Provisioned) => {
                    let directory =
                        self.apdu(ctx, ins::GET_DATA, 0, OBJECT_DIRECTORY, Vec::new())?;
                    let ids: Vec<u8> = directory
                        .into_iter()
                        .filter(|id| !self.written.contains(id))
                        .collect();
                    if !ids.is_empty() {
                        return Err(DeviceError::UnexpectedObjects { ids });
                    }
                    self.apdu(ctx, ins::SET_STATUS, CLOSE_PERSONALISATION, 0, Vec::new())?;
                    Ok(Response::Transitioned(LifeCycle::Provisioned))
                }
                (_, LifeCycle::Scrapped) => {
                    self.apdu(ctx, ins::SET_STATUS, TERMINATE_CARD, 0, Vec::new())?;
                    Ok(Response::Transitioned(LifeCycle::Scrapped))
                }
                _ => Err(Self::unsupported(
                    "RMA: a returned part is terminated by its key holder over the secure channel, or destroyed",
                )),
            },
            Command::GenerateIdentity { .. } => {
                Err(Self::unsupported("on-chip key generation on this line yet"))
            }
            Command::Attest { challenge } => {
                // The die answers for the transport key the card holds now (none once
                // personalisation is closed: then there is nothing to attest for).
                let sec1 = self.apdu(ctx, ins::GET_TRANSPORT_KEY, 0, 0, Vec::new())?;
                let transport =
                    PublicKey::from_sec1(&sec1).map_err(DeviceError::InvalidPublicKey)?;
                let answer = self.die.attest(ctx.crypto, &challenge, &transport, None);
                Ok(Response::Attested(answer))
            }
            Command::WriteFirmwareKey { .. } | Command::WriteImage { .. } => {
                Err(Self::unsupported("firmware of its own to load"))
            }
            Command::BlowFuse { .. }
            | Command::SetReadoutProtection { .. }
            | Command::EnableSecureRegion => Err(Self::unsupported(
                "fuses or option bytes: closing personalisation is its lock",
            )),
            Command::WriteTokenHash { .. } => Err(Self::unsupported("life-cycle tokens")),
        }
    }

    fn life_cycle(&self) -> LifeCycle {
        match self.card.state() {
            CardState::Personalisation => LifeCycle::Test,
            CardState::Secured => LifeCycle::Provisioned,
            CardState::Terminated => LifeCycle::Scrapped,
        }
    }

    fn stage_update(&mut self, _: &mut Ctx<'_>, _: &[u8]) -> Result<(), DeviceError> {
        Err(Self::unsupported("firmware update path"))
    }

    fn boot(&mut self, _: &mut Ctx<'_>) -> Result<RunningImage, BootError> {
        Err(BootError::Empty)
    }

    fn persistent_writes(&self) -> u64 {
        0
    }

    fn clone_box(&self) -> Box<dyn Target> {
        Box::new(self.clone())
    }

    fn glitch(&mut self, glitch: Glitch, rng: &mut Stream) -> GlitchOutcome {
        self.card.faults_mut().glitch(glitch, rng)
    }

    fn fault_alarms(&self) -> u64 {
        self.card.faults().alarms()
    }

    fn glitch_tally(&self) -> Vec<(FaultPoint, GlitchMethod, GlitchTally)> {
        self.card.faults().tally()
    }

    /// A secure element boots no image of the device maker's: it has no such fuses.
    fn anti_rollback_fuses(&self) -> u32 {
        0
    }

    fn power_trace(
        &mut self,
        ctx: &mut Ctx<'_>,
        operation: &MeasuredOperation,
        rng: &mut Stream,
    ) -> Result<PowerTrace, PortError> {
        // Traces only of what the card does for whoever is at the reader: its AES runs
        // through ENCIPHER, sent as an APDU under the key's use rule (and through the
        // card's fault gates); a private key is used only under its use rule.
        let values = match operation {
            MeasuredOperation::AesEncrypt { slot, plaintext } => {
                let run = self.apdu(
                    ctx,
                    ins::PERFORM_SECURITY_OPERATION,
                    super::encipher::ENCIPHER,
                    *slot,
                    plaintext.to_vec(),
                );
                match run {
                    Ok(_) => {}
                    Err(DeviceError::Apdu { sw, .. }) if sw == Sw::SECURITY_STATUS.0 => {
                        return Err(PortError::UseRefused { slot: *slot });
                    }
                    Err(_) => return Err(PortError::NoKey { slot: *slot }),
                }
                let key = self
                    .card
                    .symmetric_key(*slot)
                    .ok_or(PortError::NoKey { slot: *slot })?;
                leakage::aes_first_rounds(&key, plaintext)
            }
            MeasuredOperation::ScalarMultiply { slot } => {
                // The card multiplies by a private key when it signs: INTERNAL
                // AUTHENTICATE on a digest of the attacker's, as an APDU.
                let run = self.apdu(ctx, ins::INTERNAL_AUTHENTICATE, 0, *slot, vec![0x5a; 32]);
                match run {
                    Ok(_) => {}
                    Err(DeviceError::Apdu { sw, .. }) if sw == Sw::SECURITY_STATUS.0 => {
                        return Err(PortError::UseRefused { slot: *slot });
                    }
                    Err(_) => return Err(PortError::NoKey { slot: *slot }),
                }
                let key = self
                    .card
                    .private_key(*slot)
                    .ok_or(PortError::NoKey { slot: *slot })?;
                leakage::ladder_steps(&key.expose_secret_bytes())
            }
        };
        Ok(self.leakage.trace(&values, &mut self.masks.0, rng))
    }

    fn authenticate(
        &mut self,
        ctx: &mut Ctx<'_>,
        challenge: &[u8; 32],
        server: &PublicKey,
    ) -> Result<(DeviceAuth, [u8; 32]), PortError> {
        let mut data = challenge.to_vec();
        data.extend_from_slice(server.sec1());
        let answer = self
            .apdu(ctx, ins::ESTABLISH_SESSION, 0, 0, data)
            .map_err(|_| PortError::NoIdentity)?;
        let parsed = (|| {
            let ephemeral = PublicKey::from_sec1(answer.get(..65)?).ok()?;
            let session: [u8; 32] = answer.get(65..97)?.try_into().ok()?;
            let signature = Signature::from_der_bytes(answer.get(97..)?.to_vec());
            Some((
                DeviceAuth {
                    ephemeral,
                    signature,
                },
                session,
            ))
        })();
        parsed.ok_or(PortError::NoIdentity)
    }

    fn apdu(&mut self, ctx: &mut Ctx<'_>, command: &[u8]) -> Result<Vec<u8>, PortError> {
        Ok(self.card.transmit(ctx, command))
    }

    /// The key holder checks, over a fresh channel, that the card is the one it keyed:
    /// SELECT, INITIALIZE UPDATE with the host's challenge, EXTERNAL AUTHENTICATE with
    /// the host's cryptogram, then a secured GET DATA. A card whose cryptogram does not
    /// verify is not talked to further.
    fn field_session(&mut self, ctx: &mut Ctx<'_>) -> Result<Vec<ApduExchange>, PortError> {
        let crypto = ctx.crypto;
        let mut log = Vec::new();
        let select = Apdu::new(0, ins::SELECT, 4, 0, AID.to_vec(), None);
        self.recorded(ctx, &select, &mut log);
        let host: [u8; CHALLENGE_LEN] = self.host.0.bytes();
        let init = Apdu::new(0x80, ins::INITIALIZE_UPDATE, 0, 0, host.to_vec(), Some(0));
        let answer = self.recorded(ctx, &init, &mut log);
        let opened = (|| {
            let card: [u8; CHALLENGE_LEN] = answer.data.get(8..16)?.try_into().ok()?;
            let cryptogram = answer.data.get(16..)?;
            HostChannel::open(crypto, &self.card.static_key, host, card, cryptogram)
        })();
        let Some((mut channel, host_cryptogram)) = opened else {
            return Ok(log);
        };
        let authenticate = Apdu::new(
            0x80,
            ins::EXTERNAL_AUTHENTICATE,
            0,
            0,
            host_cryptogram.to_vec(),
            None,
        );
        if !self.recorded(ctx, &authenticate, &mut log).sw.is_ok() {
            return Ok(log);
        }
        let check = Apdu::new(0x80, ins::GET_DATA, 0, 0, Vec::new(), Some(0));
        let sealed = channel.wrap(crypto, &check);
        self.recorded(ctx, &sealed, &mut log);
        Ok(log)
    }

    fn channel_breaches(&self) -> ChannelBreaches {
        self.card.channel_breaches()
    }
}
