//! `co-tenant-memory-scrape`: another tenant of the provisioner's shared server reads
//! the customer's VM.
//!
//! The attacker rents (or already is) a VM on the same host, and breaks the hypervisor's
//! isolation with a cross-VM memory read. It takes the memory of the VM that runs the
//! customer's line controller, searches it for PKCS#8 P-256 private-key structures the
//! way memory-forensics tools do, and uses what it finds: a key whose public half is
//! the customer CA's (public, from any device's chain) mints a device certificate for
//! a key of the attacker's. Under `shared-vm` custody the controller is the key store;
//! with an HSM it holds handles and public keys, and the search comes back empty.

use crate::attack::{Attack, Phase, Position, Surface, wrong_surface};
use crate::effort::{Access, Bench, Effort, Needs, Rung, Step};
use crate::gain::Gain;
use crate::knowledge::{Knowledge, MaterialKind};
use crate::minting::mint_identity;
use crate::outcome::Outcome;
use provsim_devices::TargetKind;
use provsim_sim::{Ctx, Field, Stream};

pub struct CoTenantMemoryScrape;

/// The curve OID of prime256v1 followed by the OCTET STRING tag that wraps an
/// ECPrivateKey inside PKCS#8; in a SubjectPublicKeyInfo a BIT STRING follows instead.
const PKCS8_P256_MARKER: [u8; 11] = [
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04,
];

/// Skips a DER length at `at`; returns the position after it.
fn skip_length(bytes: &[u8], at: usize) -> Option<usize> {
    match *bytes.get(at)? {
        short if short < 0x80 => Some(at + 1),
        0x81 => Some(at + 2),
        0x82 => Some(at + 3),
        _ => None,
    }
}

/// The scalar of the ECPrivateKey whose OCTET STRING length starts at `at`.
fn scalar_after_marker(memory: &[u8], at: usize) -> Option<[u8; 32]> {
    let at = skip_length(memory, at)?;
    if *memory.get(at)? != 0x30 {
        return None;
    }
    let at = skip_length(memory, at + 1)?;
    if memory.get(at..at + 5)? != [0x02, 0x01, 0x01, 0x04, 0x20] {
        return None;
    }
    memory.get(at + 5..at + 37)?.try_into().ok()
}

/// Every P-256 private scalar held as PKCS#8 in `memory`, with its offset: after the
/// marker, `OCTET STRING { SEQUENCE { INTEGER 1, OCTET STRING (32) ... } }`.
pub(crate) fn pkcs8_private_keys(memory: &[u8]) -> Vec<(usize, [u8; 32])> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(hit) = memory.get(from..).and_then(|rest| {
        rest.windows(PKCS8_P256_MARKER.len())
            .position(|w| w == PKCS8_P256_MARKER)
    }) {
        let start = from + hit;
        from = start + 1;
        if let Some(scalar) = scalar_after_marker(memory, start + PKCS8_P256_MARKER.len()) {
            found.push((start, scalar));
        }
    }
    found
}

impl Attack for CoTenantMemoryScrape {
    fn id(&self) -> &'static str {
        "co-tenant-memory-scrape"
    }

    fn title(&self) -> &'static str {
        "Read the line controller's VM from another tenant of the shared server"
    }

    fn phase(&self) -> Phase {
        Phase::TestHouse
    }

    fn gains(&self) -> &'static [Gain] {
        &[
            Gain::IdentityKey,
            Gain::SymmetricKey,
            Gain::Identity,
            Gain::SignedImage,
        ]
    }

    fn position(&self) -> Position {
        Position::Site
    }

    /// One rung: adapt the technique, then one pass over the controller VM's memory.
    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        vec![Rung {
            label: "one pass over the controller VM's memory".to_owned(),
            plan: Effort::plain(
                Bench::CoTenantVm,
                1,
                &[Step::AdaptCrossVmTechnique],
                Needs::SiteRestricted,
                Access::Site,
            ),
            aim: None,
        }]
    }

    crate::attack::run_once_as_the_rung!();
}

impl CoTenantMemoryScrape {
    fn run_once(
        &self,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Outcome {
        let Surface::Site(site) = surface else {
            return wrong_surface(self, &surface);
        };
        let memory = site.controller_memory();
        ctx.record(
            "attack-read",
            &[
                ("what", Field::Str("controller-vm-memory")),
                ("bytes", Field::U64(memory.len() as u64)),
            ],
        );
        let keys = pkcs8_private_keys(&memory);
        let read = memory.len();
        knowledge.learn(
            MaterialKind::MemoryDump,
            "the controller VM's memory",
            memory,
        );
        if keys.is_empty() {
            return Outcome::Failed {
                reason: format!(
                    "read {read} bytes of the controller VM's memory: no private key in it \
                     (custody {}: the keys live elsewhere)",
                    site.custody()
                ),
            };
        }
        let mut ca_key = None;
        for (offset, scalar) in &keys {
            knowledge.learn(
                MaterialKind::KeyCandidate,
                format!("PKCS#8 key in the controller VM's memory at offset {offset}"),
                scalar.to_vec(),
            );
            if let Ok(key) = ctx.crypto.import_secret(scalar)
                && key.public_key() == site.customer_ca().public_key()
            {
                ca_key = Some(key);
            }
        }
        let Some(ca_key) = ca_key else {
            return Outcome::Obtained {
                summary: format!(
                    "read {read} bytes; {} private key(s) as PKCS#8, none of them the customer CA's",
                    keys.len()
                ),
            };
        };
        // Use the CA key: a certificate for a key of the attacker's, naming the device
        // that was on the station (a clone of its identity).
        if let Err(error) = mint_identity(site, &ca_key, ctx, rng, knowledge, "from VM memory") {
            return Outcome::Obtained {
                summary: format!(
                    "read {read} bytes; {} private key(s), the customer CA's among them; \
                     minting failed: {error}",
                    keys.len()
                ),
            };
        }
        Outcome::Obtained {
            summary: format!(
                "read {read} bytes; {} private key(s) as PKCS#8, the customer CA's among them; \
                 minted a device certificate for {} with a key of the attacker's",
                keys.len(),
                site.device_on_station()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_sim::Seed;
    use provsim_sim::crypto::Crypto;

    #[test]
    fn finds_pkcs8_keys_and_not_public_keys() {
        let crypto = Crypto::new();
        let a = crypto.generate_key(&mut Seed::new(1).stream("a"));
        let b = crypto.generate_key(&mut Seed::new(1).stream("b"));
        let mut memory = b"noise".to_vec();
        memory.extend_from_slice(&a.public_key().spki_der());
        let at_a = memory.len();
        memory.extend_from_slice(&a.to_pkcs8_der().unwrap());
        memory.extend_from_slice(&[
            0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04,
        ]);
        let at_b = memory.len();
        memory.extend_from_slice(&b.to_pkcs8_der().unwrap());
        let found = pkcs8_private_keys(&memory);
        let scalars: Vec<[u8; 32]> = found.iter().map(|(_, k)| *k).collect();
        assert_eq!(scalars, [a.expose_secret_bytes(), b.expose_secret_bytes()]);
        assert!(found[0].0 > at_a && found[1].0 > at_b);
        assert!(pkcs8_private_keys(&a.public_key().spki_der()).is_empty());
        // A truncated structure yields nothing rather than panicking.
        let der = a.to_pkcs8_der().unwrap();
        for cut in 0..der.len() {
            assert!(pkcs8_private_keys(&der[..cut]).len() <= 1);
        }
        assert!(pkcs8_private_keys(&der[..der.len() - 80]).is_empty());
    }
}
