//! The vault's side of a device's delivery exchange: what it does with a station's
//! request for the secrets it holds for one device.

use crate::device_streams::DeviceStreams;
use crate::vault::delivery::{IDENTITY_SLOT, SecretsRequest, VaultAnswer};
use crate::vault::hsm::{Hsm, KeyHandle, SecretHandle};
use provsim_devices::DeviceId;
use provsim_devices::mcu::injection_context;
use provsim_sim::crypto::Envelope;
use provsim_sim::{Ctx, SimDuration};

/// Modelled time the vault takes to seal a device's keys.
const WRAP: SimDuration = SimDuration::from_millis(4);

/// What the vault holds for one device between making its keys and answering its
/// request: the identity key's handle, when the vault made it, and each symmetric key's
/// handle with the key-store slot it is sealed for, in slot order.
pub(crate) struct HeldKeys {
    pub identity: Option<KeyHandle>,
    pub secrets: Vec<(u8, SecretHandle)>,
}

/// Answers a station's request for `device`'s keys: checks the request names the device
/// whose keys the vault holds, seals each key to the transport key in the request for
/// its slot, and destroys its own copy once sealed. Runs once per device: the link
/// answers a repeated request from the vault's cache, and the HSM refuses a second
/// wrapping anyway.
pub(crate) fn answer_request(
    hsm: &mut Hsm,
    ctx: &mut Ctx<'_>,
    streams: DeviceStreams,
    device: DeviceId,
    held: &HeldKeys,
    asked: &[u8],
) -> VaultAnswer {
    let Some(request) = SecretsRequest::decode(asked) else {
        return VaultAnswer::Refused("a request that does not parse".to_owned());
    };
    if request.index != streams.index() || request.device != device {
        return VaultAnswer::Refused(format!(
            "no keys are pending for device {} (index {})",
            request.device, request.index
        ));
    }
    ctx.now += WRAP;
    let mut envelopes: Vec<(u8, Envelope)> = Vec::with_capacity(1 + held.secrets.len());
    let mut refused = None;
    if let Some(handle) = held.identity {
        let aad = injection_context(device, IDENTITY_SLOT);
        let mut wrap_stream = streams.identity_injection();
        let sealed =
            hsm.wrap_for_device(ctx, handle, &request.transport_key, &aad, &mut wrap_stream);
        match sealed.and_then(|envelope| hsm.destroy(ctx, handle).map(|()| envelope)) {
            Ok(envelope) => envelopes.push((IDENTITY_SLOT, envelope)),
            Err(error) => refused = Some(error.to_string()),
        }
    }
    for &(slot, handle) in &held.secrets {
        let aad = injection_context(device, slot);
        let mut wrap_stream = streams.secret_injection(slot);
        let sealed =
            hsm.wrap_secret_for_device(ctx, handle, &request.transport_key, &aad, &mut wrap_stream);
        // Destroyed whether or not the sealing worked: a key the vault could not send
        // is one it must not keep.
        let destroyed = hsm.destroy_secret(ctx, handle);
        match (sealed, destroyed) {
            (Ok(envelope), Ok(())) => envelopes.push((slot, envelope)),
            (Err(error), _) | (_, Err(error)) => {
                refused.get_or_insert(error.to_string());
            }
        }
    }
    match refused {
        Some(reason) => VaultAnswer::Refused(reason),
        None => VaultAnswer::Sealed(envelopes),
    }
}
