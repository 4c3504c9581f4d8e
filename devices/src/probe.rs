//! What an interface really allows, found by trying it: each probe acts through the
//! [`Target`] surfaces an attacker or a test rig has, on a copy of the chip, and reports
//! what happened. A report built from these says "open" because a read returned bytes,
//! never because a configuration table says so.

use crate::image::{self, ImageVersion, SignOptions};
use crate::target::{Command, RegionKind, Target};
use provsim_sim::{Ctx, Seed};

/// The interfaces an evaluator asks about after a lock sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Interface {
    /// A debugger can attach to the debug port.
    DebugPort,
    /// A debugger can read application flash.
    FlashRead,
    /// A debugger can read the key store.
    KeyStoreRead,
    /// A debugger can program the chip (flash or fuses) through the protocol.
    Programming,
    /// The boot ROM starts an image not signed by the device's firmware key.
    ForeignBoot,
}

impl Interface {
    pub const ALL: [Interface; 5] = [
        Interface::DebugPort,
        Interface::FlashRead,
        Interface::KeyStoreRead,
        Interface::Programming,
        Interface::ForeignBoot,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Interface::DebugPort => "debug-port",
            Interface::FlashRead => "flash-read",
            Interface::KeyStoreRead => "key-store-read",
            Interface::Programming => "programming",
            Interface::ForeignBoot => "foreign-boot",
        }
    }
}

/// One probe's finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub interface: Interface,
    pub open: bool,
    /// What the chip did, in a few words.
    pub detail: String,
}

/// Probes every interface of `target`, each on its own copy, so probing changes nothing.
pub fn probe_all(target: &dyn Target, ctx: &mut Ctx<'_>) -> Vec<Probe> {
    Interface::ALL
        .into_iter()
        .map(|interface| probe(target, interface, ctx))
        .collect()
}

fn region_base(target: &dyn Target, kind: RegionKind) -> Option<(u32, u32)> {
    target
        .memory_map()
        .iter()
        .find(|region| region.kind == kind)
        .map(|region| (region.base, region.len))
}

fn read_probe(
    target: &dyn Target,
    interface: Interface,
    kind: RegionKind,
    len: Option<u32>,
    ctx: &mut Ctx<'_>,
) -> Probe {
    let mut copy = target.clone_box();
    let Some((base, region_len)) = region_base(target, kind) else {
        return Probe {
            interface,
            open: false,
            detail: "no such region".to_owned(),
        };
    };
    match copy.debug_read(ctx, base, len.unwrap_or(region_len)) {
        Ok(bytes) => {
            let erased = bytes.iter().all(|&b| b == 0xff);
            Probe {
                interface,
                open: true,
                detail: format!(
                    "read {} bytes at {base:#010x}{}",
                    bytes.len(),
                    if erased { " (erased)" } else { "" }
                ),
            }
        }
        Err(refused) => Probe {
            interface,
            open: false,
            detail: refused.to_string(),
        },
    }
}

/// Probes one interface on a copy of `target`.
pub fn probe(target: &dyn Target, interface: Interface, ctx: &mut Ctx<'_>) -> Probe {
    match interface {
        Interface::DebugPort => {
            // Attaching is enough: a read of the option bytes, which every open port
            // serves, or any refusal other than the port's own.
            let mut copy = target.clone_box();
            let (base, _) = region_base(target, RegionKind::Options)
                .or_else(|| region_base(target, RegionKind::Otp))
                .unwrap_or((0, 0));
            match copy.debug_read(ctx, base, 4) {
                Ok(_) => Probe {
                    interface,
                    open: true,
                    detail: "debugger attached".to_owned(),
                },
                Err(refused) => {
                    let port_closed = matches!(
                        refused,
                        crate::error::PortError::Locked
                            | crate::error::PortError::Disabled
                            | crate::error::PortError::Scrapped
                    );
                    Probe {
                        interface,
                        open: !port_closed,
                        detail: refused.to_string(),
                    }
                }
            }
        }
        Interface::FlashRead => read_probe(target, interface, RegionKind::Code, Some(64), ctx),
        Interface::KeyStoreRead => read_probe(target, interface, RegionKind::KeyStore, None, ctx),
        Interface::Programming => {
            // A write, not a harmless query: blowing the secure-boot fuse (on a copy)
            // passes only if the port, the readout protection and the life cycle all
            // let a debugger program the chip.
            let mut copy = target.clone_box();
            match copy.execute(
                ctx,
                Command::BlowFuse {
                    fuse: crate::target::Fuse::SecureBoot,
                },
            ) {
                Ok(_) => Probe {
                    interface,
                    open: true,
                    detail: "a debugger blew a fuse".to_owned(),
                },
                Err(refused) => Probe {
                    interface,
                    open: false,
                    detail: refused.to_string(),
                },
            }
        }
        Interface::ForeignBoot => foreign_boot(target, ctx),
    }
}

/// Stages an image signed by a key the device has never seen, with a security counter
/// high enough to pass any anti-rollback check, and powers the copy on.
fn foreign_boot(target: &dyn Target, ctx: &mut Ctx<'_>) -> Probe {
    let interface = Interface::ForeignBoot;
    let key = ctx
        .crypto
        .generate_key(&mut crate::labels::foreign_firmware_key(Seed::new(0)));
    let options = SignOptions {
        version: ImageVersion {
            major: 9,
            minor: 9,
            revision: 9,
            build: 0,
        },
        security_counter: Some(100),
        header_size: 0x20,
        load_addr: 0,
    };
    let foreign = match image::sign(ctx.crypto, &key, b"foreign firmware", &options) {
        Ok(image) => image,
        Err(error) => {
            return Probe {
                interface,
                open: false,
                detail: format!("could not build the probe image: {error}"),
            };
        }
    };
    let mut copy = target.clone_box();
    if let Err(refused) = copy.stage_update(ctx, &foreign) {
        return Probe {
            interface,
            open: false,
            detail: format!("update refused: {refused}"),
        };
    }
    let expected = image::parse(&foreign, &mut crate::fault::NoFaults)
        .map(|parsed| ctx.crypto.sha256(parsed.signed_region));
    match copy.boot(ctx) {
        Ok(running) if Ok(running.hash) == expected => Probe {
            interface,
            open: true,
            detail: "the boot ROM started an image signed by an unknown key".to_owned(),
        },
        Ok(running) => Probe {
            interface,
            open: false,
            detail: match running.update_refused {
                Some(reason) => format!("update refused: {reason}"),
                None => "the original image kept running".to_owned(),
            },
        },
        Err(refused) => Probe {
            interface,
            open: false,
            detail: format!("boot refused: {refused}"),
        },
    }
}
