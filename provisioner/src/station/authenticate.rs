//! Part authentication: before the station lets the vault seal or certify anything for
//! a part, the part proves it is a genuine die (see [`provsim_devices::die`]). A
//! board-level station takes parts from the assembler's reels, where a counterfeit can
//! be put in place of a genuine one; a counterfeit answers for a transport key or an
//! identity key only it knows, and the vault would seal the device's keys to it.

use crate::books::audit::record::detail_hex;
use crate::station::error::StationError;
use crate::station::pass::{Pass, unexpected};
use crate::station::timing;
use provsim_devices::{Command, Response, Target};
use provsim_sim::crypto::PublicKey;

/// Asks the part on the station to attest the transport key it reported and, for an
/// identity key it made itself, that key; refuses it unless the answer chains to the
/// chip maker's die CA (`maker`). Every outcome is audited.
pub(super) fn authenticate_part(
    pass: &mut Pass<'_, '_, '_>,
    target: &mut dyn Target,
    maker: &PublicKey,
    transport: &PublicKey,
    made_on_chip: Option<&PublicKey>,
) -> Result<(), StationError> {
    pass.step(timing::ATTEST, "attest");
    let challenge: [u8; 32] = pass.streams.part_challenge().bytes();
    let answer = match pass.command(target, "attest", Command::Attest { challenge }) {
        Ok(Response::Attested(answer)) => answer,
        // A part that answers anything else, or nothing, proves nothing.
        other => {
            let why = match other {
                Ok(answer) => unexpected(pass.device, "attest", answer).to_string(),
                Err(refused) => refused.to_string(),
            };
            pass.audit(
                "station",
                "part-refused",
                "reason=no-die-attestation".to_owned(),
            );
            return Err(StationError::PartNotGenuine {
                device: pass.device,
                reason: format!("it gave no die attestation ({why})"),
            });
        }
    };
    let crypto = pass.ctx.crypto;
    match answer.check(
        crypto,
        maker,
        pass.device,
        &challenge,
        transport,
        made_on_chip,
    ) {
        Ok(()) => {
            let detail = detail_hex("die", &answer.certificate.key.fingerprint().0);
            pass.audit("station", "part-authenticated", detail);
            Ok(())
        }
        Err(why) => {
            let detail = detail_hex("die", &answer.certificate.key.fingerprint().0);
            pass.audit("station", "part-refused", detail);
            Err(StationError::PartNotGenuine {
                device: pass.device,
                reason: why,
            })
        }
    }
}
