//! Injection: the device's certificate is issued, its secrets come from the vault over
//! the provisioning link sealed to the chip's transport key and go into the chip, and
//! the certificate (and, on a part that runs firmware, the firmware-verification key)
//! are written.

use crate::books::audit::record::detail_hex;
use crate::pki::certificate::IssuedCertificate;
use crate::station::error::StationError;
use crate::station::keys::{DeviceKeys, MadeKey, MadeSecret};
use crate::station::pass::{Pass, unexpected};
use crate::station::timing;
use crate::vault::answer::answer_request;
use crate::vault::delivery::{IDENTITY_SLOT, SecretsRequest, VaultAnswer};
use crate::vault::hsm::CertSubject;
use provsim_devices::{Command, Response, Target};
use provsim_sim::Field;
use provsim_sim::crypto::{PublicKey, Sha256};

/// Issues the device's certificate, delivers its secrets into the chip, and writes the
/// certificate and the firmware key.
pub(super) fn inject_and_write(
    pass: &mut Pass<'_, '_, '_>,
    target: &mut dyn Target,
    keys: &DeviceKeys,
    transport_key: &PublicKey,
) -> Result<IssuedCertificate, StationError> {
    let certificate = issue_certificate(pass, keys)?;
    if keys.sends_secrets() {
        let answer = fetch_secrets(pass, keys, transport_key)?;
        if let MadeKey::InVault { identity, .. } = &keys.identity {
            inject_identity(pass, target, &answer, identity)?;
        }
        inject_symmetric_keys(pass, target, &answer, &keys.secrets)?;
    }
    write_certificate(pass, target, &certificate)?;
    Ok(certificate)
}

/// The customer CA certifies the device's identity key: the one the vault made, or the
/// chip's own from its request. The certificate must be for the key the station knows.
fn issue_certificate(
    pass: &mut Pass<'_, '_, '_>,
    keys: &DeviceKeys,
) -> Result<IssuedCertificate, StationError> {
    let made = &keys.identity;
    let device = pass.device;
    pass.step(timing::ISSUE, "issue-certificate");
    let customer = pass.site.names.customer.clone();
    let mut serial_stream = pass.streams.certificate_serial();
    let (pki, hsm, crypto) = (&pass.site.pki, &mut pass.site.hsm, pass.ctx.crypto);
    let (certificate, certified) = match made {
        MadeKey::InVault { handle, .. } => pki.issue_device_certificate(
            hsm,
            crypto,
            &customer,
            device,
            CertSubject::Generated(*handle),
            &mut serial_stream,
        ),
        MadeKey::OnChip { request, .. } => pki.issue_certificate_for_request(
            hsm,
            crypto,
            &customer,
            device,
            request,
            &mut serial_stream,
        ),
    }?;
    if &certified != made.identity() {
        return Err(StationError::KeyMismatch { device });
    }
    let cert_hash = Sha256::digest(&certificate.der);
    pass.ctx.record(
        "certificate-issued",
        &[("sha256", Field::Bytes(&cert_hash))],
    );
    let mut detail = detail_hex("sha256", &cert_hash);
    if let Some(licence) = pass.site.hsm.licence() {
        detail.push_str(&format!(" licence={}/{}", licence.used, licence.units));
    }
    pass.audit("ca", "certificate-issued", detail);
    pass.certificate = Some(certificate.clone());
    Ok(certificate)
}

/// Asks the vault, over the provisioning link, for the device's secrets sealed to
/// the chip's transport key, and takes its answer. The vault seals each key once and
/// destroys its own copy at once: from then on the envelope is the only one.
fn fetch_secrets(
    pass: &mut Pass<'_, '_, '_>,
    keys: &DeviceKeys,
    transport_key: &PublicKey,
) -> Result<VaultAnswer, StationError> {
    let device = pass.device;
    let streams = pass.streams;
    let index = streams.index();
    let request = SecretsRequest {
        index,
        device,
        transport_key: transport_key.clone(),
    }
    .encode();
    let held = keys.held_by_vault();
    let hsm = &mut pass.site.hsm;
    let ctx = &mut *pass.ctx;
    let report = pass.link.exchange(
        ctx.crypto,
        &streams,
        index,
        &request,
        &mut |asked: &[u8]| answer_request(hsm, ctx, streams, device, &held, asked).encode(),
    );
    pass.ctx.now += report.elapsed;
    pass.ctx.record(
        "secrets-over-link",
        &[
            ("handshakes", Field::U64(u64::from(report.handshakes))),
            ("requests", Field::U64(u64::from(report.requests))),
            ("deliveries", Field::U64(report.deliveries.len() as u64)),
            ("refused", Field::U64(report.refused())),
            ("answered", Field::Bool(report.answer.is_some())),
        ],
    );
    let answer = report.answer.as_deref().map(VaultAnswer::decode);
    let failed = StationError::LinkFailed {
        device,
        handshakes: report.handshakes,
        requests: report.requests,
    };
    match answer {
        None => Err(failed),
        Some(None) => Err(StationError::VaultRefused {
            device,
            reason: "an answer that does not parse".to_owned(),
        }),
        Some(Some(VaultAnswer::Refused(reason))) => {
            Err(StationError::VaultRefused { device, reason })
        }
        Some(Some(sealed)) => Ok(sealed),
    }
}

/// Injects the identity key's envelope and checks the chip computed the public key
/// the vault made.
fn inject_identity(
    pass: &mut Pass<'_, '_, '_>,
    target: &mut dyn Target,
    answer: &VaultAnswer,
    identity: &PublicKey,
) -> Result<(), StationError> {
    let device = pass.device;
    let envelope =
        answer
            .envelope(IDENTITY_SLOT)
            .cloned()
            .ok_or_else(|| StationError::VaultRefused {
                device,
                reason: "the answer has no identity key".to_owned(),
            })?;
    pass.step(timing::INJECT, "inject");
    pass.key_sent = true;
    match pass.command(
        target,
        "inject",
        Command::InjectKey {
            slot: IDENTITY_SLOT,
            envelope,
        },
    )? {
        Response::KeyInstalled { public_key, .. } if &public_key == identity => {}
        Response::KeyInstalled { .. } => return Err(StationError::KeyMismatch { device }),
        other => return Err(unexpected(device, "inject", other)),
    }
    pass.audit(
        "station",
        "identity-key-injected",
        detail_hex("key", &identity.fingerprint().0),
    );
    Ok(())
}

/// Injects each symmetric key's envelope into its slot and checks the chip's key
/// check value.
fn inject_symmetric_keys(
    pass: &mut Pass<'_, '_, '_>,
    target: &mut dyn Target,
    answer: &VaultAnswer,
    secrets: &[MadeSecret],
) -> Result<(), StationError> {
    let device = pass.device;
    for secret in secrets {
        let MadeSecret {
            slot,
            check,
            ref detail,
            ..
        } = *secret;
        let envelope =
            answer
                .envelope(slot)
                .cloned()
                .ok_or_else(|| StationError::VaultRefused {
                    device,
                    reason: format!("the answer has no key for slot {slot}"),
                })?;
        pass.step(timing::INJECT, "inject");
        pass.key_sent = true;
        match pass.command(
            target,
            "inject secret",
            Command::InjectSecret { slot, envelope },
        )? {
            Response::SecretInstalled { check: got, .. } if got == check => {}
            Response::SecretInstalled { .. } => {
                return Err(StationError::KeyMismatch { device });
            }
            other => return Err(unexpected(device, "inject secret", other)),
        }
        pass.audit("station", "symmetric-key-injected", detail.clone());
    }
    Ok(())
}

/// Writes the certificate and, on a part that runs firmware, the key its boot verifies
/// the firmware with.
fn write_certificate(
    pass: &mut Pass<'_, '_, '_>,
    target: &mut dyn Target,
    certificate: &IssuedCertificate,
) -> Result<(), StationError> {
    pass.step(timing::WRITE_CERTIFICATE, "write-certificate");
    pass.command(
        target,
        "write certificate",
        Command::WriteCertificate {
            der: certificate.der.clone(),
        },
    )?;
    if target.kind().runs_firmware() {
        pass.step(timing::WRITE_FIRMWARE_KEY, "write-firmware-key");
        let fw_key = pass.site.firmware_key.sec1().to_vec();
        pass.command(
            target,
            "write firmware key",
            Command::WriteFirmwareKey { sec1: fw_key },
        )?;
        pass.audit(
            "station",
            "certificate-and-firmware-key-written",
            String::new(),
        );
    } else {
        pass.audit("station", "certificate-written", String::new());
    }
    Ok(())
}
