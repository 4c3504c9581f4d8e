//! Replays every seed of the `image` fuzz target through its harness. The valid seeds
//! (images signed by the harness's key) are regenerated with `PROVSIM_BLESS=1`.

use provsim_devices::image::{self, ImageVersion, SignOptions, fuzzing};
use provsim_sim::crypto::Crypto;
use std::path::Path;

fn seeds_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/image")
}

fn valid_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let crypto = Crypto::new();
    let key = fuzzing::signer(&crypto);
    let sign = |body: &[u8], counter: Option<u32>, header_size: u16| {
        let options = SignOptions {
            version: ImageVersion::new(1, 2, 3, 4),
            security_counter: counter,
            header_size,
            load_addr: 0,
        };
        image::sign(&crypto, &key, body, &options).expect("signs")
    };
    vec![
        ("signed-counter.bin", sign(b"firmware body", Some(7), 0x20)),
        ("signed-no-counter.bin", sign(&[0u8; 100], None, 0x20)),
        ("signed-header-0x200.bin", sign(b"x", Some(1), 0x200)),
    ]
}

#[test]
fn every_image_seed_replays_without_panic() {
    let dir = seeds_dir();
    if std::env::var_os("PROVSIM_BLESS").is_some() {
        std::fs::create_dir_all(&dir).expect("seed folder");
        for (name, bytes) in valid_seeds() {
            std::fs::write(dir.join(name), bytes).expect("write seed");
        }
        std::fs::write(dir.join("empty.bin"), b"").expect("write seed");
        std::fs::write(dir.join("magic-only.bin"), 0x96f3_b83du32.to_le_bytes())
            .expect("write seed");
    }
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    assert!(entries.len() >= 5, "seed corpus is missing");
    for path in entries {
        fuzzing::image_bytes(&std::fs::read(&path).expect("read seed"));
    }
}

#[test]
fn the_valid_seeds_verify_under_the_harness_key() {
    let crypto = Crypto::new();
    let key = fuzzing::signer(&crypto);
    for (name, expected) in valid_seeds() {
        let stored = std::fs::read(seeds_dir().join(name)).expect("seed exists");
        assert_eq!(
            stored, expected,
            "{name} is stale: rerun with PROVSIM_BLESS=1"
        );
        image::verify(
            &crypto,
            &stored,
            key.public_key(),
            &mut provsim_devices::fault::NoFaults,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}
