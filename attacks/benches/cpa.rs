//! The CPA engine's throughput: traces summed per second, per thread, on 50-sample
//! traces with 16 input bytes (all 16 key bytes of an AES first round at once), and
//! the time to rank every guess from the sums.
//!
//! `cargo bench -p provsim-attacks --bench cpa`. Timing lives here, never in a test.
#![allow(clippy::disallowed_methods)] // Instant::now: this is the one place that measures time.

use provsim_attacks::cpa::{Sums, TraceSource, accumulate, sbox_weight_table};
use provsim_devices::leakage::{LeakageModel, SBOX};
use provsim_sim::{Seed, Stream};
use std::hint::black_box;
use std::time::Instant;

const SAMPLES: usize = 50;
const POOL: usize = 8192;

/// `left` traces cycled from a pool made beforehand, so the source costs a copy.
struct Pool {
    inputs: Vec<u8>,
    samples: Vec<f32>,
    at: usize,
    left: usize,
}

impl Pool {
    fn new(traces: usize) -> Pool {
        let mut stream = Seed::new(1).stream("bench/cpa");
        let inputs: Vec<u8> = (0..POOL * 16).map(|_| stream.bytes::<1>()[0]).collect();
        let samples: Vec<f32> = (0..POOL * SAMPLES)
            .map(|_| f32::from(stream.bytes::<1>()[0]) / 32.0)
            .collect();
        Pool {
            inputs,
            samples,
            at: 0,
            left: traces,
        }
    }
}

impl TraceSource for Pool {
    fn read(&mut self, inputs: &mut [u8], samples: &mut [f32]) -> usize {
        let n = (inputs.len() / 16)
            .min(samples.len() / SAMPLES)
            .min(POOL - self.at)
            .min(self.left);
        inputs[..n * 16].copy_from_slice(&self.inputs[self.at * 16..(self.at + n) * 16]);
        samples[..n * SAMPLES]
            .copy_from_slice(&self.samples[self.at * SAMPLES..(self.at + n) * SAMPLES]);
        self.at = (self.at + n) % POOL;
        self.left -= n;
        n
    }
}

/// Traces of the device leakage model at low signal-to-noise: Hamming-weight leakage
/// of each first-round S-box output (variance 2) under Gaussian noise of 8 bits
/// (variance 64): SNR 1/32.
struct LowSnr {
    left: usize,
    key: [u8; 16],
    model: LeakageModel,
    inputs: Stream,
    masks: Stream,
    noise: Stream,
}

impl TraceSource for LowSnr {
    fn read(&mut self, inputs: &mut [u8], samples: &mut [f32]) -> usize {
        let n = (inputs.len() / 16).min(samples.len() / 16).min(self.left);
        for t in 0..n {
            let plaintext: [u8; 16] = self.inputs.bytes();
            let values: Vec<u8> = (0..16)
                .map(|b| SBOX[usize::from(plaintext[b] ^ self.key[b])])
                .collect();
            let trace = self.model.trace(&values, &mut self.masks, &mut self.noise);
            inputs[t * 16..(t + 1) * 16].copy_from_slice(&plaintext);
            for (out, x) in samples[t * 16..(t + 1) * 16].iter_mut().zip(&trace.samples) {
                *out = *x as f32;
            }
        }
        self.left -= n;
        n
    }
}

/// One streaming pass over 1,000,000 low-SNR traces: how many key bytes come back.
fn low_snr() {
    let seed = Seed::new(3);
    let mut key_stream = seed.stream("bench/cpa/key");
    let key: [u8; 16] = key_stream.bytes();
    let traces = 1_000_000;
    let mut source = LowSnr {
        left: traces,
        key,
        model: LeakageModel {
            noise_milli: 8_000,
            ..LeakageModel::STOCK
        },
        inputs: seed.stream("bench/cpa/plaintexts"),
        masks: seed.stream("bench/cpa/masks"),
        noise: seed.stream("bench/cpa/noise"),
    };
    let start = Instant::now();
    let sums = accumulate(16, 16, 2, &mut source);
    let model = sbox_weight_table();
    let found: Vec<_> = (0..16).map(|b| sums.best_guess(b, &model)).collect();
    let right = found.iter().zip(key).filter(|(g, k)| g.key == *k).count();
    let weakest = found.iter().map(|g| g.peak).fold(f64::INFINITY, f64::min);
    println!(
        "low SNR (noise 8 bits, SNR 1/32): {traces} traces in one streaming pass (generating them included): {right} of 16 key bytes right, weakest peak |r| = {weakest:.4}, {:.1} s",
        start.elapsed().as_secs_f64()
    );
}

fn main() {
    let traces = 4_000_000;
    for threads in [1, 2] {
        let start = Instant::now();
        let sums = accumulate(16, SAMPLES, threads, &mut Pool::new(traces));
        let seconds = start.elapsed().as_secs_f64();
        black_box(&sums);
        println!(
            "accumulate, {threads} thread(s): {traces} traces of {SAMPLES} samples in {seconds:.3} s: {:.2} M traces/s ({:.2} M a thread)",
            traces as f64 / seconds / 1e6,
            traces as f64 / seconds / 1e6 / threads as f64
        );
    }
    let mut one_block = Sums::new(16, SAMPLES);
    let mut pool = Pool::new(POOL);
    let mut inputs = vec![0u8; POOL * 16];
    let mut samples = vec![0f32; POOL * SAMPLES];
    let read = pool.read(&mut inputs, &mut samples);
    for t in 0..read {
        one_block.add(
            &inputs[t * 16..(t + 1) * 16],
            &samples[t * SAMPLES..(t + 1) * SAMPLES],
        );
    }
    let model = sbox_weight_table();
    let start = Instant::now();
    for byte in 0..16 {
        black_box(one_block.best_guess(byte, &model));
    }
    println!(
        "rank all 256 guesses of 16 key bytes over {SAMPLES} samples: {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    low_snr();
}
