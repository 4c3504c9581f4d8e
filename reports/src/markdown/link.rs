//! The provisioning link in one table cell.

use provsim_scenarios::LinkInfo;

/// The provisioning link in one table cell: what the network was set to do, what the
/// sessions and exchanges came to, and what the ends refused.
pub fn link_line(link: &LinkInfo) -> String {
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
