//! Each hot primitive of the crypto facade, on each backend.
//!
//! `cargo bench -p provsim-sim --bench primitives` prints microseconds per operation for
//! the fast backend and the pure-p256 reference side by side, and their ratio. Timing
//! lives here, never in a test.
#![allow(clippy::disallowed_methods)] // Instant::now: this is the one place that measures time.

use provsim_sim::Seed;
use provsim_sim::crypto::{Backend, Crypto};
use std::hint::black_box;
use std::time::Instant;

/// Median of three runs of `iterations` calls, in microseconds per call.
fn per_op<F: FnMut()>(iterations: u32, mut op: F) -> f64 {
    let mut runs = [0.0; 3];
    for run in &mut runs {
        let start = Instant::now();
        for _ in 0..iterations {
            op();
        }
        *run = start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations);
    }
    runs.sort_by(f64::total_cmp);
    runs[1]
}

fn timings(backend: Backend, iterations: u32) -> Vec<(&'static str, f64)> {
    let crypto = Crypto::with_backend(backend);
    let mut stream = Seed::new(1).stream("bench/primitives");
    let key = crypto.generate_key(&mut stream);
    let peer = crypto.generate_key(&mut stream);
    let message = [0x5au8; 256];
    let digest = crypto.sha256(&message);
    let signature = crypto.sign(&key, &message);
    vec![
        (
            "keygen",
            per_op(iterations, || {
                black_box(crypto.generate_key(&mut stream));
            }),
        ),
        (
            "sign (256 B)",
            per_op(iterations, || {
                black_box(crypto.sign(&key, black_box(&message)));
            }),
        ),
        (
            "sign_digest",
            per_op(iterations, || {
                black_box(crypto.sign_digest(&key, black_box(&digest)));
            }),
        ),
        (
            "verify (256 B)",
            per_op(iterations, || {
                let _ = black_box(crypto.verify(key.public_key(), &message, &signature));
            }),
        ),
        (
            "ecdh",
            per_op(iterations, || {
                black_box(crypto.ecdh(&key, peer.public_key()));
            }),
        ),
        (
            "sha256 (256 B)",
            per_op(iterations * 20, || {
                black_box(crypto.sha256(black_box(&message)));
            }),
        ),
        (
            "aead seal (256 B)",
            per_op(iterations * 20, || {
                black_box(crypto.aead_seal(&[7; 32], &[1; 12], b"", black_box(&message)));
            }),
        ),
    ]
}

fn main() {
    let iterations: u32 = std::env::var("PROVSIM_BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let fast = timings(Backend::Fast, iterations);
    let reference = timings(Backend::Reference, iterations);
    println!(
        "{:<18} {:>10} {:>12} {:>7}",
        "operation", "fast us", "reference us", "ratio"
    );
    for ((name, f), (_, r)) in fast.iter().zip(&reference) {
        println!("{name:<18} {f:>10.1} {r:>12.1} {:>6.2}x", r / f);
    }
}
