//! Setting up the site before any device: the vault's identity, the root ceremony and
//! the CAs, the signed firmware, each with its audit record, and the link's two ends.

use crate::books::audit::log::AuditLog;
use crate::books::audit::record::{AuditRecord, RUN_OPENED_ACTION, detail_hex};
use crate::labels;
use crate::line::config::LineConfig;
use crate::line::error::LineError;
use crate::line::firmware::{FIRMWARE_SECURITY_COUNTER, build_earlier_firmware, build_firmware};
use crate::link::certificate::{LinkIdentity, Role, link_certificate};
use crate::link::config::LinkConfig;
use crate::link::session::LinkSession;
use crate::pki::hierarchy::Pki;
use crate::site::Site;
use crate::vault::backup::Backup;
use crate::vault::ceremony::{KeyShare, Quorum};
use crate::vault::hsm::{Hsm, KeyUse};
use crate::weakness::{SiteWeakness, SiteWeaknesses};
use provsim_sim::crypto::Crypto;
use provsim_sim::{Ctx, Field, Seed, SimTime, Stream, Trace, to_hex};

/// Makes the site: CA keys and certificates, the vault's identity and the
/// firmware-signing key, all made in the HSM from the seed's `site/...` streams. Returns
/// it with the audit records of its making, which the run writes first.
pub(super) fn set_up_site(
    config: &LineConfig,
    seed: Seed,
    crypto: &Crypto,
    trace: &mut Trace,
) -> Result<(Site, Vec<AuditRecord>), LineError> {
    let mut hsm = Hsm::new(config.custody, config.secrets.identity);
    let mut audit = AuditLog::new();
    let mut records = Vec::new();
    let mut ctx = Ctx::new(SimTime::ZERO, crypto, trace);
    record_site_established(&mut ctx, config);
    // The vault's identity is made first, so the root ceremony certifies it.
    let (vault_handle, vault_key) = hsm.generate(
        &mut ctx,
        KeyUse::VaultIdentity,
        &mut labels::vault_identity_key(seed),
    );
    let (pki, shares, attendees) = Pki::establish(
        &mut hsm,
        &mut ctx,
        seed,
        &config.names,
        config.quorum,
        &vault_key,
    )?;
    let mut append = |actor: &'static str, action: &'static str, detail: String| {
        records.push(audit.append(crypto, SimTime::ZERO, actor, action, None, detail));
    };
    // The log's first record names the run: every head, and so every signed checkpoint,
    // commits to it.
    append("site", RUN_OPENED_ACTION, detail_hex("run", &config.run.0));
    let (split, used) = ceremony_details(config.quorum, &shares, &attendees);
    append("ceremony", "root-key-split", split);
    append("ceremony", "root-key-used", used);
    let (firmware_handle, firmware_key) = hsm.generate(
        &mut ctx,
        KeyUse::FirmwareSigning,
        &mut labels::firmware_signing_key(seed),
    );
    for (action, fp) in [
        ("root-ca-established", pki.root().key_fingerprint()),
        ("customer-ca-established", pki.customer().key_fingerprint()),
        ("firmware-key-established", firmware_key.fingerprint()),
    ] {
        append("hsm", action, detail_hex("key", &fp.0));
    }
    let (earlier_firmware, earlier_hash) = build_earlier_firmware(
        &hsm,
        &mut ctx,
        firmware_handle,
        &firmware_key,
        config.product,
    )?;
    append(
        "hsm",
        "firmware-signed",
        detail_hex("image-hash", &earlier_hash),
    );
    let (firmware_image, firmware_hash) = build_firmware(
        &hsm,
        &mut ctx,
        firmware_handle,
        &firmware_key,
        config.product,
    )?;
    append(
        "hsm",
        "firmware-signed",
        detail_hex("image-hash", &firmware_hash),
    );
    append(
        "hsm",
        "vault-identity-established",
        detail_hex("key", &vault_key.fingerprint().0),
    );
    // The releases are signed: the key ceremony ends, and with it the firmware key's
    // use (unless the vault lets operators have it sign afterwards).
    if config
        .site_weaknesses
        .has(SiteWeakness::FirmwareKeyOperatorUse)
    {
        hsm.open_firmware_key_to_operators();
    } else {
        hsm.close_firmware_ceremony();
    }
    let (backup, detail) = back_up(config, crypto, seed, &hsm);
    append("hsm", "backup-made", detail);
    if let Some(units) = config.count_licence {
        hsm.grant_licence(units);
        append("hsm", "licence-granted", format!("units={units}"));
    }
    let site = Site {
        hsm,
        pki,
        audit,
        names: config.names.clone(),
        firmware_key,
        firmware_handle,
        firmware_image,
        firmware_hash,
        firmware_counter: FIRMWARE_SECURITY_COUNTER,
        earlier_firmware,
        earlier_hash,
        vault_handle,
        vault_key,
        backup,
    };
    Ok((site, records))
}

/// The site trace's first record: what kind of site this is.
fn record_site_established(ctx: &mut Ctx<'_>, config: &LineConfig) {
    let lock_steps = config
        .station
        .lock_steps
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    ctx.record(
        "site-established",
        &[
            ("custody", Field::Str(config.custody.name())),
            (
                "identity-origin",
                Field::Str(config.secrets.identity.name()),
            ),
            ("level", Field::Str(config.level.name())),
            ("target", Field::Str(config.target.name())),
            ("lock-steps", Field::Str(&lock_steps)),
            ("what-if", Field::Bool(config.station.what_if)),
        ],
    );
}

/// The vault's off-site backup of its long-lived keys, its wrapping key split among the
/// root's custodians (or kept whole, with the `backup-key-unsplit` weakness), and the
/// audit detail that says how it is held.
fn back_up(config: &LineConfig, crypto: &Crypto, seed: Seed, hsm: &Hsm) -> (Backup, String) {
    let split = !config.site_weaknesses.has(SiteWeakness::BackupKeyUnsplit);
    let backup = Backup::make(
        crypto,
        &hsm.backup_scalars(),
        config.quorum,
        split,
        &mut labels::vault_backup(seed),
    );
    let shares = backup
        .share_digests()
        .iter()
        .map(|(custodian, digest)| format!("{custodian}:{}", to_hex(&digest[..8])))
        .collect::<Vec<_>>()
        .join(",");
    let detail = if split {
        format!(
            "custodians={} threshold={} shares={shares}",
            config.quorum.custodians, config.quorum.threshold
        )
    } else {
        "held=whole".to_owned()
    };
    (backup, detail)
}

/// What the audit log says of the root ceremony: how the key was split (each share
/// named by its digest), and who came to use it.
fn ceremony_details(quorum: Quorum, shares: &[KeyShare], attendees: &[u8]) -> (String, String) {
    let shares: Vec<String> = shares
        .iter()
        .map(|s| format!("{}:{}", s.custodian, provsim_sim::to_hex(&s.digest()[..8])))
        .collect();
    let split = format!(
        "custodians={} threshold={} shares={}",
        quorum.custodians,
        quorum.threshold,
        shares.join(",")
    );
    let used = format!(
        "present={} purpose=customer-ca,vault-certificate",
        attendees
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(",")
    );
    (split, used)
}

/// The link's two ends, certified for their roles by the site's link CA (keys from the
/// seed's `site/link/...` streams), with no session yet.
pub(super) fn establish_link_ends(
    crypto: &Crypto,
    seed: Seed,
    config: LinkConfig,
    weaknesses: &SiteWeaknesses,
) -> Result<LinkSession, LineError> {
    let anchor = crypto.generate_key(&mut labels::link_ca_key(seed));
    let mut serials = labels::link_certificate_serials(seed);
    let mut identity = |role: Role, mut stream: Stream| -> Result<LinkIdentity, LineError> {
        let key = crypto.generate_key(&mut stream);
        let certificate = link_certificate(crypto, &anchor, key.public_key(), role, &mut serials)?;
        Ok(LinkIdentity { key, certificate })
    };
    let vault = identity(Role::Vault, labels::link_vault_key(seed))?;
    let station = identity(Role::Station, labels::link_station_key(seed))?;
    let session = LinkSession::new(vault, station, anchor.public_key().clone(), config);
    Ok(
        if weaknesses.has(SiteWeakness::LinkUnauthenticatedKeyAgreement) {
            session.without_peer_authentication()
        } else {
            session
        },
    )
}
