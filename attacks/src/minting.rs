//! What an attacker does with the customer CA's private key once it is out of its vault
//! (read from a VM's memory, restored from a backup): certify a key of their own as
//! the device on the station, which gives a chip of theirs a genuine-looking identity.

use crate::knowledge::{Knowledge, MaterialKind};
use provsim_provisioner::SiteAccess;
use provsim_sim::crypto::SecretKey;
use provsim_sim::{Ctx, Stream};

/// Certifies a fresh key of the attacker's with `ca_key` (the customer CA's), naming the
/// device on `site`'s station, and files the key and the certificate (obtained `from`)
/// in `knowledge`; or says why the certificate could not be made.
pub(crate) fn mint_identity(
    site: &SiteAccess,
    ca_key: &SecretKey,
    ctx: &mut Ctx<'_>,
    rng: &mut Stream,
    knowledge: &mut Knowledge,
    from: &str,
) -> Result<(), String> {
    let own = ctx.crypto.generate_key(rng);
    let minted = site
        .customer_ca()
        .certify_with_key(
            ca_key,
            ctx.crypto,
            site.customer(),
            site.device_on_station(),
            own.public_key(),
            rng,
        )
        .map_err(|e| e.to_string())?;
    knowledge.learn(
        MaterialKind::KeyCandidate,
        "the attacker's own key",
        own.expose_secret_bytes().to_vec(),
    );
    knowledge.learn(
        MaterialKind::Certificate,
        format!("device certificate minted with the customer CA key {from}"),
        minted.der,
    );
    Ok(())
}
