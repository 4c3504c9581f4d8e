//! The site and the line: one table of how the site is set up and what the line did
//! (its keys, books, registrar and link), then the books' findings and the rejected
//! devices.

use super::link::link_line;
use super::text::{cell, inline, or_dash, seconds};
use provsim_scenarios::{KeyOrigin, LineInfo, RunReport, SiteInfo};
use std::fmt::Write;

pub fn write_site_and_line(out: &mut String, r: &RunReport) -> std::fmt::Result {
    writeln!(out, "## Site and line")?;
    writeln!(out)?;
    writeln!(out, "| | |")?;
    writeln!(out, "|---|---|")?;
    write_site_rows(out, &r.site)?;
    write_line_rows(out, &r.site, &r.line)?;
    write_books_rows(out, &r.line)?;
    writeln!(out)?;
    write_notes(out, &r.line)
}

/// How the site is set up: names, custody, target, locks and keys.
fn write_site_rows(out: &mut String, s: &SiteInfo) -> std::fmt::Result {
    writeln!(out, "| Site | {} |", inline(&s.name))?;
    writeln!(out, "| Customer | {} |", inline(&s.customer))?;
    writeln!(
        out,
        "| Key custody | {}: keys {}; the customer CA signs for {} |",
        s.custody,
        cell(&s.key_residence),
        cell(&s.certification_authorised_by)
    )?;
    writeln!(
        out,
        "| Identity keys made | {} |",
        match s.identity_origin {
            KeyOrigin::Device => "on the chip, certified from its signed request (PKCS#10)",
            KeyOrigin::Vault => "in the vault, injected sealed to the chip",
        }
    )?;
    writeln!(out, "| Provisioning level | {} |", s.level)?;
    writeln!(out, "| Target | {} |", s.target)?;
    writeln!(
        out,
        "| Countermeasures | {} |",
        cell(&s.countermeasures.join("; "))
    )?;
    writeln!(out, "| Lock sequence | {} |", cell(&or_dash(&s.lock_steps)))?;
    writeln!(
        out,
        "| Root CA key | `{}`, offline: held as shares by {} custodians, {} needed to use it |",
        s.root_ca_key, s.root_custodians, s.root_quorum
    )?;
    writeln!(out, "| Customer CA key | `{}` |", s.customer_ca_key)?;
    writeln!(out, "| Firmware-verification key | `{}` |", s.firmware_key)?;
    Ok(())
}

/// What the line did: lots, time, audit log, the HSM's keys and the cryptography.
fn write_line_rows(out: &mut String, s: &SiteInfo, l: &LineInfo) -> std::fmt::Result {
    let lots: Vec<String> = l
        .lots
        .iter()
        .map(|lot| format!("{} ({} devices)", inline(&lot.name), lot.devices))
        .collect();
    // Each lot name is escaped already (`inline`), pipes included.
    writeln!(out, "| Lots | {} |", lots.join(", "))?;
    writeln!(
        out,
        "| Line time (virtual) | {} over {} events |",
        seconds(l.virtual_time_ns),
        l.events
    )?;
    writeln!(
        out,
        "| Audit log | {} records, head `{}` |",
        l.audit.records, l.audit.head
    )?;
    writeln!(
        out,
        "| HSM keys | {} generated, {} restored from custodians' shares, {} wrapped for devices, {} destroyed; {} certificates and {} CRL(s) signed |",
        l.hsm.keys_generated,
        l.hsm.keys_restored,
        l.hsm.keys_wrapped,
        l.hsm.keys_destroyed,
        l.hsm.certificates_signed,
        l.hsm.crls_signed
    )?;
    if !s.symmetric_keys.is_empty() {
        writeln!(
            out,
            "| Symmetric keys | {} per device ({}): {} made in the vault, each destroyed there once sealed to its device ({} destroyed) |",
            s.symmetric_keys.len(),
            cell(&s.symmetric_keys.join(", ")),
            l.hsm.secrets_generated,
            l.hsm.secrets_destroyed
        )?;
    }
    let ops = &l.crypto_ops;
    writeln!(
        out,
        "| Line cryptography | {} keygen, {} sign, {} verify, {} ECDH, {} SHA-256, {} KDF, {} seal, {} open, {} key import |",
        ops.keygen,
        ops.sign,
        ops.verify,
        ops.ecdh,
        ops.sha256,
        ops.kdf,
        ops.aead_seal,
        ops.aead_open,
        ops.key_import
    )?;
    Ok(())
}

/// The books: reconciliation, registrar, link, order, returns, the CRL and test yields.
fn write_books_rows(out: &mut String, l: &LineInfo) -> std::fmt::Result {
    let books = &l.reconciliation;
    let lots: Vec<String> = books
        .lots
        .iter()
        .map(|b| {
            let secrets = if b.secrets_made == 0 {
                String::new()
            } else {
                format!(
                    ", symmetric keys {} made = {} shipped + {} destroyed",
                    b.secrets_made, b.secrets_shipped, b.secrets_destroyed
                )
            };
            format!(
                "{}: {} identity keys made = {} shipped + {} destroyed{secrets}{}",
                inline(&b.lot),
                b.keys_made,
                b.shipped,
                b.destroyed,
                if b.balanced { "" } else { " (**UNBALANCED**)" }
            )
        })
        .collect();
    writeln!(
        out,
        "| Reconciliation | {}; {} identity shipped twice |",
        // Each lot name is escaped already (`inline`), pipes included.
        or_dash(&lots),
        books.duplicate_identities
    )?;
    writeln!(
        out,
        "| Cloud registrar | {} enrolled from the manifest, {} authenticated at first connection with a session key, {} refused{} |",
        l.registrar.enrolled,
        l.registrar.authenticated,
        l.registrar.refused,
        if l.registrar.refused_devices.is_empty() {
            String::new()
        } else {
            let each: Vec<String> = l
                .registrar
                .refused_devices
                .iter()
                .map(|r| format!("{}: {}", r.device, r.reason))
                .collect();
            format!(" ({})", cell(&each.join("; ")))
        }
    )?;
    writeln!(out, "| Provisioning link | {} |", cell(&link_line(&l.link)))?;
    if let Some(order) = &books.order {
        writeln!(
            out,
            "| Order | `{}`: {} ordered, {} shipped{} |",
            order.number,
            order.ordered,
            order.shipped,
            if order.over > 0 {
                format!(", **{} over-produced**", order.over)
            } else if order.short > 0 {
                format!(", {} short", order.short)
            } else {
                ", fulfilled".to_owned()
            }
        )?;
    }
    if books.returns.returned > 0 {
        let each: Vec<String> = l
            .returns
            .iter()
            .map(|r| {
                format!(
                    "{} `{}`: {} ({})",
                    r.device, r.device_id, r.outcome, r.detail
                )
            })
            .collect();
        writeln!(
            out,
            "| RMA returns | {} returned, identities revoked: {} wiped in RMA, {} in RMA unverified, {} destroyed physically. {} |",
            books.returns.returned,
            books.returns.rma_wiped,
            books.returns.rma_unverified,
            books.returns.physically_destroyed,
            cell(&each.join("; "))
        )?;
    }
    writeln!(
        out,
        "| Revocation list | CRL number {} of the customer CA, {} certificate(s) revoked, SHA-256 `{}` |",
        l.crl.number, l.crl.entries, l.crl.sha256
    )?;
    for t in &books.tests {
        writeln!(
            out,
            "| {} test | pass rate {}.{:04} % per attempt: {} passed first time, {} on retest, {} failed twice |",
            t.level,
            t.yield_ppm / 10_000,
            t.yield_ppm % 10_000,
            t.first_pass,
            t.retest_pass,
            t.failed
        )?;
    }
    Ok(())
}

/// Below the table: the books' findings and the rejected devices, when there are any.
fn write_notes(out: &mut String, l: &LineInfo) -> std::fmt::Result {
    let books = &l.reconciliation;
    if !books.findings.is_empty() {
        writeln!(out, "Reconciliation findings:")?;
        writeln!(out)?;
        for finding in &books.findings {
            // Findings quote lot names, which come from the scenario.
            writeln!(out, "- {}", inline(finding))?;
        }
        writeln!(out)?;
    }
    if !l.rejected.is_empty() {
        writeln!(out, "Rejected devices:")?;
        writeln!(out)?;
        for d in &l.rejected {
            writeln!(out, "- {} `{}`: {}", d.device, d.device_id, d.reason)?;
        }
        writeln!(out)?;
    }

    Ok(())
}
