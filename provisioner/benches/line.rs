//! Line throughput against its cryptographic floor.
//!
//! `cargo bench -p provsim-provisioner --bench line` provisions a lot and prints the
//! wall time per device next to the time the same device's cryptography costs alone
//! (each counted facade operation timed in isolation). The goal is that a device costs
//! little more than its cryptography. Wall-clock timing lives here, in a benchmark,
//! never in a test or a result.
#![allow(clippy::disallowed_methods)] // Instant::now: this is the one place that measures time.

use provsim_devices::TargetKind;
use provsim_provisioner::{Line, LineConfig, Lot};
use provsim_sim::Seed;
use provsim_sim::crypto::Crypto;
use std::hint::black_box;
use std::time::Instant;

fn per_op<F: FnMut()>(iterations: u32, mut op: F) -> f64 {
    let start = Instant::now();
    for _ in 0..iterations {
        op();
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations)
}

fn main() {
    let devices: u32 = std::env::var("PROVSIM_BENCH_DEVICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let config = LineConfig::builder(TargetKind::Mcu)
        .names("Bench House", "Bench Customer")
        .product(1)
        .build();
    let start = Instant::now();
    let mut line = Line::establish(
        config,
        Seed::new(1),
        vec![Lot {
            name: "B".into(),
            devices,
        }],
    )
    .unwrap();
    let summary = line.run(&mut ()).unwrap();
    let line_us = start.elapsed().as_secs_f64() * 1e6 / f64::from(devices);

    // The cryptographic floor: each operation the line counted, timed alone.
    let crypto = Crypto::new();
    let mut stream = Seed::new(2).stream("bench");
    let a = crypto.generate_key(&mut stream);
    let b = crypto.generate_key(&mut stream);
    let secret = a.expose_secret_bytes();
    let keygen = per_op(500, || {
        black_box(crypto.generate_key(&mut stream));
    });
    let import = per_op(500, || {
        black_box(crypto.import_secret(&secret).unwrap());
    });
    let ecdh = per_op(500, || {
        black_box(crypto.ecdh(&a, b.public_key()));
    });
    let sign = per_op(500, || {
        black_box(crypto.sign(&a, b"tbs certificate bytes"));
    });
    let signature = crypto.sign(&a, b"firmware digest");
    let verify = per_op(500, || {
        black_box(
            crypto
                .verify(a.public_key(), b"firmware digest", &signature)
                .is_ok(),
        );
    });
    // The line hashes small things (tokens, keys) and a ~1 KiB firmware image per boot.
    let kib = vec![0x5au8; 1024];
    let sha256 = per_op(5000, || {
        black_box(crypto.sha256(&kib));
    });
    // The factory's operations and the cloud's at first connection: both run here.
    let (line_ops, cloud) = (summary.crypto, summary.cloud_crypto);
    let ops = provsim_sim::crypto::OpCounts {
        keygen: line_ops.keygen + cloud.keygen,
        key_import: line_ops.key_import + cloud.key_import,
        sign: line_ops.sign + cloud.sign,
        verify: line_ops.verify + cloud.verify,
        ecdh: line_ops.ecdh + cloud.ecdh,
        sha256: line_ops.sha256 + cloud.sha256,
        ..line_ops
    };
    let n = f64::from(devices);
    let floor = (ops.keygen as f64 * keygen
        + ops.key_import as f64 * import
        + ops.ecdh as f64 * ecdh
        + ops.sign as f64 * sign
        + ops.verify as f64 * verify
        + ops.sha256 as f64 * sha256)
        / n;

    println!("devices               {devices}");
    println!("line, per device      {line_us:8.1} us");
    println!(
        "crypto floor, per dev {floor:8.1} us  (keygen {keygen:.1}, import {import:.1}, ecdh {ecdh:.1}, sign {sign:.1}, verify {verify:.1}, sha256/KiB {sha256:.1} us each)"
    );
    println!(
        "overhead over floor   {:8.1} %",
        (line_us / floor - 1.0) * 100.0
    );
    println!(
        "ops per device        keygen {:.2}, import {:.2}, ecdh {:.2}, sign {:.2}, verify {:.2}, sha256 {:.2}",
        ops.keygen as f64 / n,
        ops.key_import as f64 / n,
        ops.ecdh as f64 / n,
        ops.sign as f64 / n,
        ops.verify as f64 / n,
        ops.sha256 as f64 / n
    );
}
