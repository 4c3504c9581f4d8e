//! What becomes of a device that will not ship: no secret leaves with it.

use crate::books::audit::record::detail_hex;
use crate::station::error::StationError;
use crate::station::keys::{DeviceKeys, MadeKey};
use crate::station::pass::Pass;
use crate::station::timing;
use provsim_devices::{Command, LifeCycle, Target};

/// A device that will not ship takes no secret with it: the key is destroyed in the
/// HSM if it is still there, and, once it was sent to the chip, the chip is scrapped
/// (its key store wiped) or, if it no longer answers, destroyed physically. One
/// audit record says all of it, with the key's fingerprint, which is what
/// reconciliation counts.
pub(super) fn destroy_secrets(
    pass: &mut Pass<'_, '_, '_>,
    target: &mut dyn Target,
    keys: &DeviceKeys,
) -> Result<(), StationError> {
    let made = &keys.identity;
    for secret in &keys.secrets {
        if pass.site.hsm.holds_secret(secret.handle) {
            pass.site.hsm.destroy_secret(pass.ctx, secret.handle)?;
        }
    }
    let key = detail_hex("key", &made.identity().fingerprint().0);
    let hsm = match made {
        MadeKey::InVault { handle, .. } if pass.site.hsm.public_key(*handle).is_ok() => {
            pass.site.hsm.destroy(pass.ctx, *handle)?;
            "destroyed"
        }
        MadeKey::InVault { .. } => "already-gone",
        MadeKey::OnChip { .. } => "never-held",
    };
    let chip = if pass.key_sent {
        scrap(pass, target)
    } else {
        "never-received"
    };
    pass.audit(
        "station",
        "identity-key-destroyed",
        format!("{key} hsm={hsm} chip={chip} reason=device-rejected"),
    );
    Ok(())
}

/// Scraps a chip that may hold a secret: the transition wipes its key store; a chip
/// that no longer answers is destroyed physically. Says which.
pub(super) fn scrap(pass: &mut Pass<'_, '_, '_>, target: &mut dyn Target) -> &'static str {
    if !pass.wipe_scrap {
        // The bin takes it as it is.
        return "binned-unwiped";
    }
    pass.step(timing::SCRAP, "scrap");
    let scrapped = target.execute(
        pass.ctx,
        Command::Transition {
            to: LifeCycle::Scrapped,
            token: None,
        },
    );
    match scrapped {
        Ok(_) => "scrapped-wiped",
        Err(_) => "physically-destroyed",
    }
}
