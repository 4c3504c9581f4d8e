//! `report.md`: the evaluator's reading copy.

use provsim_scenarios::{RunReport, Verdict, format_amount};
use std::fmt::Write;

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn seconds(nanos: u64) -> String {
    format!(
        "{}.{:03} s",
        nanos / 1_000_000_000,
        (nanos % 1_000_000_000) / 1_000_000
    )
}

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Holds => "holds",
        Verdict::Broken => "**BROKEN**",
    }
}

fn or_dash(list: &[String]) -> String {
    if list.is_empty() {
        "-".to_owned()
    } else {
        list.join(", ")
    }
}

fn open_closed(open: bool) -> &'static str {
    if open { "**open**" } else { "closed" }
}

/// The what-if table: every interface after each stage of the lock sequence.
fn write_costs(out: &mut String, r: &RunReport) -> std::fmt::Result {
    let c = &r.costs;
    writeln!(out, "## What each custody configuration costs")?;
    writeln!(out)?;
    writeln!(
        out,
        "At this scenario's volume of {} device(s), in {} (the scenario's figures where it gives them, defaults otherwise):",
        c.volume, c.currency
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "| Custody | Set-up | Per unit | Weeks to set up | Total | Per device |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for row in &c.configurations {
        writeln!(
            out,
            "| {}{} | {} | {} | {} | {} | {} |",
            row.custody,
            if row.chosen { " (this scenario)" } else { "" },
            format_amount(row.setup_micro),
            format_amount(row.per_unit_micro),
            row.setup_weeks,
            format_amount(row.total_micro),
            format_amount(row.per_device_micro)
        )?;
    }
    writeln!(out)
}

fn write_locks(out: &mut String, r: &RunReport) -> std::fmt::Result {
    let locks = &r.locks;
    writeln!(out, "## What the lock sequence leaves open")?;
    writeln!(out)?;
    writeln!(
        out,
        "Device {} replayed through the station and probed, on copies, after each step.",
        locks.device
    )?;
    writeln!(out)?;
    let Some(first) = locks.stages.first() else {
        writeln!(out, "The device never reached the lock sequence.")?;
        writeln!(out)?;
        return Ok(());
    };
    write!(out, "| Stage | Result |")?;
    for interface in &first.interfaces {
        write!(out, " {} |", interface.interface)?;
    }
    writeln!(out)?;
    write!(out, "|---|---|")?;
    for _ in &first.interfaces {
        write!(out, "---|")?;
    }
    writeln!(out)?;
    for stage in &locks.stages {
        let result = if stage.result.is_empty() {
            "-"
        } else {
            &stage.result
        };
        write!(out, "| {} | {} |", cell(&stage.stage), cell(result))?;
        for interface in &stage.interfaces {
            write!(out, " {} |", open_closed(interface.open))?;
        }
        writeln!(out)?;
    }
    writeln!(out)?;
    writeln!(out, "After the run:")?;
    writeln!(out)?;
    for interface in &locks.after_run {
        writeln!(
            out,
            "- {}: {} ({})",
            interface.interface,
            open_closed(interface.open),
            interface.detail
        )?;
    }
    if let Some(reason) = &locks.device_rejected {
        writeln!(out)?;
        writeln!(out, "The device did not ship: {reason}")?;
    }
    writeln!(out)?;
    Ok(())
}

/// Renders the report as Markdown.
pub fn render_markdown(r: &RunReport) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored.
    let _ = write_report(&mut out, r);
    out
}

fn write_report(out: &mut String, r: &RunReport) -> std::fmt::Result {
    let broken = r
        .claims
        .iter()
        .filter(|c| c.verdict == Verdict::Broken)
        .count();
    writeln!(out, "# provsim report: {}", r.scenario.name)?;
    writeln!(out)?;
    writeln!(out, "{}", r.scenario.title)?;
    writeln!(out)?;
    match r.verdict {
        Verdict::Holds => writeln!(out, "**Verdict: all {} claim(s) hold.**", r.claims.len())?,
        Verdict::Broken => writeln!(
            out,
            "**Verdict: {broken} of {} claim(s) BROKEN.**",
            r.claims.len()
        )?,
    }
    writeln!(out)?;
    writeln!(out, "| | |")?;
    writeln!(out, "|---|---|")?;
    writeln!(out, "| Scenario | `{}` |", cell(&r.scenario.source))?;
    writeln!(out, "| Seed | {} |", r.seed)?;
    writeln!(out, "| Trace digest | `{}` |", r.trace_digest)?;
    match &r.reproduce.command {
        Some(command) => writeln!(out, "| Reproduce | `{}` |", cell(command))?,
        None => writeln!(out, "| Reproduce | - |")?,
    }
    writeln!(out, "| Tool | {} |", r.tool)?;
    writeln!(out)?;

    writeln!(out, "## Claims")?;
    writeln!(out)?;
    writeln!(
        out,
        "| Claim | Claimed resistance | Verdict | Broken by | Lowest breaking total | Demonstrated resistance | Residual risk |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|")?;
    for c in &r.claims {
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            c.id,
            c.resistance,
            verdict(c.verdict),
            or_dash(&c.broken_by),
            c.lowest_breaking_total
                .map_or("-".to_owned(), |t| t.to_string()),
            c.demonstrated_resistance.as_deref().unwrap_or("-"),
            or_dash(&c.residual_risk),
        )?;
    }
    for c in &r.claims {
        writeln!(out)?;
        writeln!(out, "### `{}`", c.id)?;
        writeln!(out)?;
        writeln!(out, "- Requirement: {}", c.requirement)?;
        writeln!(out, "- Statement: {}", c.statement)?;
        writeln!(
            out,
            "- Claimed at {}; checked against {} attempt(s).",
            c.resistance, c.attempts
        )?;
        if c.evidence.is_empty() {
            writeln!(out, "- No attempt violated the claim.")?;
        } else {
            writeln!(out, "- Evidence:")?;
            for e in &c.evidence {
                writeln!(out, "  - {e}")?;
            }
        }
    }
    writeln!(out)?;

    writeln!(out, "## Attempts")?;
    writeln!(out)?;
    if r.attempts.is_empty() {
        writeln!(out, "The scenario tries no attack.")?;
    } else {
        writeln!(
            out,
            "| Attack | Phase | Acts on | Outcome | Potential | Violates | Why |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|---|")?;
        for a in &r.attempts {
            let potential = match (&a.potential.total, &a.potential.rating) {
                (Some(total), Some(rating)) => format!("{total} ({rating})"),
                _ => "not exploitable".to_owned(),
            };
            let violates: Vec<String> = a.violates.iter().map(|v| v.claim.clone()).collect();
            let acts_on = if a.position == "site" {
                format!(
                    "the site, device {} `{}` on the station",
                    a.device, a.device_id
                )
            } else {
                format!("device {} `{}`", a.device, a.device_id)
            };
            writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} | {} |",
                a.attack,
                a.phase,
                acts_on,
                a.outcome,
                potential,
                or_dash(&violates),
                cell(&a.why)
            )?;
        }
        let mut rated: Vec<&provsim_scenarios::AttemptInfo> = Vec::new();
        for a in &r.attempts {
            if !rated.iter().any(|b| b.attack == a.attack) {
                rated.push(a);
            }
        }
        writeln!(out)?;
        writeln!(out, "Attack potential (CEM v3.1 R5, Annex B.4):")?;
        writeln!(out)?;
        for a in rated {
            let p = &a.potential;
            writeln!(
                out,
                "- `{}`: elapsed time {}, expertise {}, knowledge of the TOE {}, window of opportunity {}, equipment {}. {}",
                a.attack,
                p.elapsed_time,
                p.expertise,
                p.knowledge_of_toe,
                p.window_of_opportunity,
                p.equipment,
                p.rationale
            )?;
        }
    }
    writeln!(out)?;

    let s = &r.site;
    let l = &r.line;
    writeln!(out, "## Site and line")?;
    writeln!(out)?;
    writeln!(out, "| | |")?;
    writeln!(out, "|---|---|")?;
    writeln!(out, "| Site | {} |", cell(&s.name))?;
    writeln!(out, "| Customer | {} |", cell(&s.customer))?;
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
        match s.identity_origin.as_str() {
            "device" => "on the chip, certified from its signed request (PKCS#10)",
            _ => "in the vault, injected sealed to the chip",
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
    let lots: Vec<String> = l
        .lots
        .iter()
        .map(|lot| format!("{} ({} devices)", lot.name, lot.devices))
        .collect();
    writeln!(out, "| Lots | {} |", cell(&lots.join(", ")))?;
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
        "| HSM keys | {} generated, {} restored from custodians' shares, {} wrapped for devices, {} destroyed; {} certificates signed |",
        l.hsm.keys_generated,
        l.hsm.keys_restored,
        l.hsm.keys_wrapped,
        l.hsm.keys_destroyed,
        l.hsm.certificates_signed
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
                b.lot,
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
        cell(&or_dash(&lots)),
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
    writeln!(out)?;
    if !books.findings.is_empty() {
        writeln!(out, "Reconciliation findings:")?;
        writeln!(out)?;
        for finding in &books.findings {
            writeln!(out, "- {}", cell(finding))?;
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

    write_locks(out, r)?;
    write_costs(out, r)?;

    writeln!(out, "## Devices")?;
    writeln!(out)?;
    writeln!(
        out,
        "{} device(s) shipped; every one has a signed record in `records.jsonl`. Identity-key fingerprints (SHA-256 of the public key) of the first:",
        r.devices.count
    )?;
    writeln!(out)?;
    for (i, fp) in r.devices.first_identities.iter().enumerate() {
        writeln!(out, "- {i}: `{fp}`")?;
    }
    let more = r
        .devices
        .count
        .saturating_sub(r.devices.first_identities.len() as u64);
    if more > 0 {
        writeln!(out, "- ... and {more} more")?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "All shipped identities, in device order, digest to `{}`.",
        r.devices.identities_digest
    )?;
    Ok(())
}

/// The provisioning link in one table cell: what the network was set to do, what the
/// sessions and exchanges came to, and what the ends refused.
fn link_line(link: &provsim_scenarios::LinkInfo) -> String {
    let percent = |ppm: u32| format!("{}%", f64::from(ppm) / 10_000.0);
    let ms = |ns: u64| format!("{} ms", ns as f64 / 1e6);
    let faults = if link.drop_ppm + link.duplicate_ppm + link.tamper_ppm + link.replay_ppm == 0
        && link.jitter_ns == 0
    {
        "clean network".to_owned()
    } else {
        format!(
            "network drops {}, duplicates {}, alters {}, replays {}, jitter up to {}",
            percent(link.drop_ppm),
            percent(link.duplicate_ppm),
            percent(link.tamper_ppm),
            percent(link.replay_ppm),
            ms(link.jitter_ns)
        )
    };
    let stopped = match link.stopped_before {
        Some(device) => format!("; **the line stopped before device {device}**"),
        None => String::new(),
    };
    format!(
        "{faults}, {} latency; {} device exchanges ({} answered, {} failed), {} requests, {} handshakes, {} sessions made; refused {} altered, {} replayed, {} duplicated, {} intact but late or out of turn; accepted {} altered (on failure: {}){stopped}",
        ms(link.latency_ns),
        link.exchanges,
        link.answered,
        link.failed,
        link.requests,
        link.handshakes,
        link.sessions_made,
        link.tampered.refused,
        link.replayed.refused,
        link.duplicated.refused,
        link.intact.refused,
        link.tampered.accepted,
        link.on_failure
    )
}
