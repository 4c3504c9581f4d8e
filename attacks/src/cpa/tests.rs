use super::*;
use provsim_devices::leakage::{LeakageModel, correlation};
use provsim_sim::{Seed, Stream};

const KEY: [u8; 16] = [
    0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
];

/// Traces of the AES first round's S-box outputs under [`KEY`], from the device
/// leakage model (one sample per byte, noise of one bit), for random plaintexts.
struct Simulated {
    left: usize,
    model: LeakageModel,
    inputs: Stream,
    masks: Stream,
    noise: Stream,
}

impl Simulated {
    fn new(traces: usize, model: LeakageModel) -> Simulated {
        let seed = Seed::new(7);
        Simulated {
            left: traces,
            model,
            inputs: seed.stream("test/cpa/plaintexts"),
            masks: seed.stream("test/cpa/masks"),
            noise: seed.stream("test/cpa/noise"),
        }
    }
}

impl TraceSource for Simulated {
    fn read(&mut self, inputs: &mut [u8], samples: &mut [f32]) -> usize {
        let width = 16 * (usize::from(self.model.masking_order) + 1);
        let fit = (inputs.len() / 16).min(samples.len() / width);
        let n = fit.min(self.left).min(100);
        for t in 0..n {
            let plaintext: [u8; 16] = self.inputs.bytes();
            let values: Vec<u8> = (0..16)
                .map(|b| SBOX[usize::from(plaintext[b] ^ KEY[b])])
                .collect();
            let trace = self.model.trace(&values, &mut self.masks, &mut self.noise);
            inputs[t * 16..(t + 1) * 16].copy_from_slice(&plaintext);
            for (out, x) in samples[t * width..(t + 1) * width]
                .iter_mut()
                .zip(&trace.samples)
            {
                *out = *x as f32;
            }
        }
        self.left -= n;
        n
    }
}

/// `traces` traces of `source` at `width` samples each, in memory: their plaintexts
/// and samples, one after another.
fn collect(mut source: Simulated, traces: usize, width: usize) -> (Vec<u8>, Vec<f32>) {
    let (mut inputs, mut samples) = (vec![0u8; traces * 16], vec![0f32; traces * width]);
    let mut read = 0;
    while read < traces {
        read += source.read(&mut inputs[read * 16..], &mut samples[read * width..]);
    }
    (inputs, samples)
}

#[test]
fn the_key_comes_back_from_simulated_traces() {
    let sums = accumulate(16, 16, 1, &mut Simulated::new(3000, LeakageModel::STOCK));
    assert_eq!(sums.traces(), 3000);
    let model = sbox_weight_table();
    let key: Vec<u8> = (0..16).map(|b| sums.best_guess(b, &model).key).collect();
    assert_eq!(key, KEY);
    // Each byte leaks at its own sample.
    for byte in 0..16 {
        assert_eq!(sums.best_guess(byte, &model).sample, byte);
    }
}

/// First-order CPA finds nothing in a masked design: no byte of the key comes back.
#[test]
fn masking_defeats_first_order_cpa() {
    let masked = LeakageModel {
        masking_order: 1,
        ..LeakageModel::STOCK
    };
    let sums = accumulate(16, 32, 1, &mut Simulated::new(3000, masked));
    let model = sbox_weight_table();
    let right = (0..16)
        .filter(|&b| sums.best_guess(b, &model).key == KEY[b])
        .count();
    assert!(right <= 2, "{right} bytes right by chance at most");
}

#[test]
fn one_and_several_threads_give_the_same_bits() {
    let traces = 3 * BLOCK + 123;
    let one = accumulate(16, 16, 1, &mut Simulated::new(traces, LeakageModel::STOCK));
    for threads in [2, 3, 5] {
        let many = accumulate(
            16,
            16,
            threads,
            &mut Simulated::new(traces, LeakageModel::STOCK),
        );
        assert!(one == many, "{threads} threads");
    }
    assert_eq!(one.traces(), traces as u64);
}

/// The partition sums give the same correlation as correlating the traces directly.
#[test]
fn the_partition_correlation_is_the_direct_one() {
    let (inputs, samples) = collect(Simulated::new(500, LeakageModel::STOCK), 500, 16);
    let mut sums = Sums::new(16, 16);
    for t in 0..500 {
        sums.add(
            &inputs[t * 16..(t + 1) * 16],
            &samples[t * 16..(t + 1) * 16],
        );
    }
    let model = sbox_weight_table();
    for byte in [0, 7, 15] {
        let best = sums.best_guess(byte, &model);
        let h: Vec<f64> = (0..500)
            .map(|t| model[usize::from(best.key)][usize::from(inputs[t * 16 + byte])])
            .collect();
        let x: Vec<f64> = (0..500)
            .map(|t| f64::from(samples[t * 16 + best.sample]))
            .collect();
        let direct = correlation(&h, &x).abs();
        assert!(
            (direct - best.peak).abs() < 1e-9,
            "{direct} vs {}",
            best.peak
        );
    }
}

/// Streaming through blocks gives the same bits as adding the traces one by one and
/// merging each block's sums in order.
#[test]
fn a_block_sums_to_what_adding_each_trace_gives() {
    let traces = BLOCK + 77;
    let (inputs, samples) = collect(Simulated::new(traces, LeakageModel::STOCK), traces, 16);
    let mut blockwise = Sums::new(16, 16);
    for (chunk_inputs, chunk_samples) in inputs.chunks(BLOCK * 16).zip(samples.chunks(BLOCK * 16)) {
        let mut block = Sums::new(16, 16);
        for (i, x) in chunk_inputs
            .chunks_exact(16)
            .zip(chunk_samples.chunks_exact(16))
        {
            block.add(i, x);
        }
        blockwise.merge(&block);
    }
    let streamed = accumulate(16, 16, 1, &mut Simulated::new(traces, LeakageModel::STOCK));
    assert!(streamed == blockwise);
}

fn masked(noise_milli: u32) -> LeakageModel {
    LeakageModel {
        masking_order: 1,
        noise_milli,
        ..LeakageModel::STOCK
    }
}

/// Second order on a first-order masked design: the centered product of the two
/// shares' samples gives every key byte back, at the pair of samples its shares leak.
#[test]
fn second_order_cpa_breaks_first_order_masking() {
    let pairs = pairs_within(32, 1);
    assert_eq!(pairs.len(), 31);
    let mut sums = PairSums::new(16, 32, pairs.clone());
    let mut source = Simulated::new(20_000, masked(500));
    let (mut inputs, mut samples) = (vec![0u8; 100 * 16], vec![0f32; 100 * 32]);
    loop {
        let n = source.read(&mut inputs, &mut samples);
        if n == 0 {
            break;
        }
        for t in 0..n {
            sums.add(
                &inputs[t * 16..(t + 1) * 16],
                &samples[t * 32..(t + 1) * 32],
            );
        }
    }
    assert_eq!(sums.traces(), 20_000);
    let model = sbox_weight_table();
    for (byte, &key) in KEY.iter().enumerate() {
        let found = sums.best_guess(byte, &model);
        assert_eq!(found.key, key, "byte {byte}");
        assert_eq!(pairs[found.sample], (2 * byte, 2 * byte + 1), "byte {byte}");
    }
}

/// The pair sums give the correlation computed directly from the centered products.
#[test]
fn the_second_order_correlation_is_the_direct_one() {
    let traces = 400;
    let (inputs, samples) = collect(Simulated::new(traces, masked(1_000)), traces, 32);
    let pairs = vec![(0, 1), (4, 9)];
    let mut sums = PairSums::new(16, 32, pairs.clone());
    for t in 0..traces {
        sums.add(
            &inputs[t * 16..(t + 1) * 16],
            &samples[t * 32..(t + 1) * 32],
        );
    }
    let model = sbox_weight_table();
    for byte in [0, 2] {
        let best = sums.best_guess(byte, &model);
        let (i, j) = pairs[best.sample];
        let x = |t: usize, k: usize| f64::from(samples[t * 32 + k]);
        let mean = |k: usize| (0..traces).map(|t| x(t, k)).sum::<f64>() / traces as f64;
        let (mi, mj) = (mean(i), mean(j));
        let c: Vec<f64> = (0..traces)
            .map(|t| (x(t, i) - mi) * (x(t, j) - mj))
            .collect();
        let h: Vec<f64> = (0..traces)
            .map(|t| model[usize::from(best.key)][usize::from(inputs[t * 16 + byte])])
            .collect();
        let direct = correlation(&h, &c).abs();
        assert!(
            (direct - best.peak).abs() < 1e-9,
            "{direct} vs {}",
            best.peak
        );
    }
}

/// Samples far from zero (an oscilloscope's ADC counts) give the same second-order
/// result as the same traces near zero: the fourth moments do not cancel away.
#[test]
fn an_offset_in_the_samples_changes_nothing_at_second_order() {
    let traces = 5000;
    let (inputs, samples) = collect(Simulated::new(traces, masked(500)), traces, 32);
    let pairs = pairs_within(32, 1);
    let mut near = PairSums::new(16, 32, pairs.clone());
    let mut far = PairSums::new(16, 32, pairs);
    for t in 0..traces {
        let trace = &samples[t * 32..(t + 1) * 32];
        let offset: Vec<f32> = trace.iter().map(|x| x + 10_000.0).collect();
        near.add(&inputs[t * 16..(t + 1) * 16], trace);
        far.add(&inputs[t * 16..(t + 1) * 16], &offset);
    }
    let model = sbox_weight_table();
    for byte in 0..16 {
        let (a, b) = (near.best_guess(byte, &model), far.best_guess(byte, &model));
        assert_eq!((a.key, a.sample), (b.key, b.sample), "byte {byte}");
        // f32 rounds samples near 10,000 to about 0.001: the peaks differ that little.
        assert!((a.peak - b.peak).abs() < 0.01, "{} vs {}", a.peak, b.peak);
        assert!(b.peak <= 1.0);
    }
}

#[test]
fn pairs_out_of_range_are_left_out() {
    let sums = PairSums::new(16, 4, vec![(0, 1), (2, 2), (3, 1), (2, 4), (1, 3)]);
    let model = sbox_weight_table();
    // Only (0, 1) and (1, 3) remain; with no traces there is no peak, and no panic.
    assert_eq!(sums.best_guess(0, &model).peak, f64::NEG_INFINITY);
    assert_eq!(pairs_within(4, usize::MAX).len(), 6);
}
