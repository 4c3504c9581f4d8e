//! Making a device's keys on the station: its identity key, in the vault or on the chip
//! as the secrets profile says, and its symmetric keys, in the vault.

use crate::books::audit::record::detail_hex;
use crate::station::error::StationError;
use crate::station::keys::{MadeKey, MadeSecret};
use crate::station::pass::{Pass, unexpected};
use crate::station::scrap::scrap;
use crate::station::timing;
use crate::vault::delivery::IDENTITY_SLOT;
use crate::vault::hsm::KeyUse;
use crate::vault::secrets::IdentityOrigin;
use provsim_devices::{Command, Response, Target};

/// Makes the device's identity key where `origin` says: the vault generates it from the
/// device's own stream, or the chip generates it and hands over a signed request. A chip
/// that fails to may hold a key nobody knows of, so it is scrapped.
pub(super) fn make_identity(
    pass: &mut Pass<'_, '_, '_>,
    origin: IdentityOrigin,
    target: &mut dyn Target,
) -> Result<MadeKey, StationError> {
    pass.step(timing::KEYGEN, "keygen");
    match origin {
        IdentityOrigin::Vault => {
            let mut key_stream = pass.streams.identity_key();
            let (handle, identity) =
                pass.site
                    .hsm
                    .generate(pass.ctx, KeyUse::DeviceIdentity, &mut key_stream);
            pass.audit(
                "hsm",
                "identity-key-generated",
                detail_hex("key", &identity.fingerprint().0),
            );
            Ok(MadeKey::InVault { handle, identity })
        }
        IdentityOrigin::Device => {
            // From here the chip may hold a key: if it does not ship, it is scrapped.
            pass.key_sent = true;
            let answer = pass.command(
                target,
                "generate identity",
                Command::GenerateIdentity {
                    slot: IDENTITY_SLOT,
                },
            );
            let (public_key, der) = match answer {
                Ok(Response::CertificateRequest {
                    public_key, der, ..
                }) => (public_key, der),
                failed => {
                    // No key the books know of, but maybe one in the chip: scrap it.
                    let chip = scrap(pass, target);
                    pass.audit(
                        "station",
                        "device-scrapped",
                        format!("chip={chip} reason=identity-generation-failed"),
                    );
                    return Err(match failed {
                        Err(error) => error,
                        Ok(other) => unexpected(pass.device, "generate identity", other),
                    });
                }
            };
            pass.audit(
                "device",
                "identity-key-generated",
                detail_hex("key", &public_key.fingerprint().0),
            );
            Ok(MadeKey::OnChip {
                identity: public_key,
                request: der,
            })
        }
    }
}

/// Makes each symmetric key `names` lists in the vault, in key-store slot order.
pub(super) fn make_symmetric_keys(
    pass: &mut Pass<'_, '_, '_>,
    names: &[String],
) -> Vec<MadeSecret> {
    let mut made = Vec::with_capacity(names.len());
    for (number, name) in names.iter().enumerate() {
        pass.step(timing::KEYGEN, "symmetric-keygen");
        let mut stream = pass.streams.symmetric_key(name);
        let (handle, check) = pass.site.hsm.generate_secret(pass.ctx, &mut stream);
        let detail = format!("name={name} check={}", provsim_sim::to_hex(&check));
        pass.audit("hsm", "symmetric-key-generated", detail.clone());
        made.push(MadeSecret {
            // At most MAX_SYMMETRIC_KEYS (checked when the line is set up): no wrap.
            slot: IDENTITY_SLOT
                .saturating_add(1)
                .saturating_add(u8::try_from(number).unwrap_or(u8::MAX)),
            handle,
            check,
            detail,
        });
    }
    made
}
