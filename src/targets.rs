//! `provsim list targets`: what each simulated chip offers a station and an attacker.

use provsim_devices::fault::FaultPoint;
use provsim_devices::probe::Interface;
use provsim_devices::{Fuse, LifeCycle, TargetKind};
use std::fmt::Write;

fn names<T>(items: impl IntoIterator<Item = T>, name: impl Fn(T) -> &'static str) -> String {
    items.into_iter().map(name).collect::<Vec<_>>().join(", ")
}

/// The targets, with their memory maps when `detailed`.
pub fn describe(detailed: bool) -> String {
    let mut out = String::from("Targets:\n");
    for profile in TargetKind::ALL.map(TargetKind::profile) {
        let _ = writeln!(out, "  {:<24} {}", profile.name, profile.summary);
        if !detailed {
            continue;
        }
        let fault_points = || names(profile.fault_points.iter().copied(), FaultPoint::name);
        if !profile.runs_firmware {
            let _ = writeln!(
                out,
                "    interface: APDUs only, no memory map on a port (personalisation, then \
                 closed; returned parts terminated)"
            );
            let _ = writeln!(out, "    fault points: {}", fault_points());
            continue;
        }
        let _ = writeln!(out, "    memory map:");
        for region in profile.memory_map {
            let _ = writeln!(
                out,
                "      {:#010x}  {:>6} bytes  {:<22} {}",
                region.base,
                region.len,
                region.name,
                region.kind.name()
            );
        }
        let _ = writeln!(
            out,
            "    life cycle: {}",
            names(LifeCycle::ALL, LifeCycle::name)
        );
        let _ = writeln!(out, "    fuses: {}", names(Fuse::ALL, Fuse::name));
        let _ = writeln!(
            out,
            "    lock steps: rdp <0|1|2>, secure-region, fuse <{}>",
            names(Fuse::ALL, Fuse::name).replace(", ", "|")
        );
        let _ = writeln!(
            out,
            "    probed interfaces: {}",
            names(Interface::ALL, Interface::name)
        );
        let _ = writeln!(out, "    fault points: {}", fault_points());
    }
    out
}
