//! The sums a partition CPA keeps, and how traces are added to them in a fixed order.

/// Traces summed from zero before being added to the total: the unit of the fixed
/// summation order (and of the work handed to a thread).
pub const BLOCK: usize = 4096;

/// For each input byte and each of its 256 values: how many traces had that value and
/// the sum of their samples; and each sample's sum and sum of squares over all traces.
#[derive(Debug, Clone, PartialEq)]
pub struct Sums {
    bytes: usize,
    samples: usize,
    traces: u64,
    /// `[byte][value]`.
    counts: Vec<u64>,
    /// `[byte][value][sample]`.
    partials: Vec<f64>,
    /// `[sample]`.
    sum_x: Vec<f64>,
    sum_x2: Vec<f64>,
}

impl Sums {
    /// Empty sums for traces of `samples` samples with `bytes` input bytes each.
    pub fn new(bytes: usize, samples: usize) -> Sums {
        Sums {
            bytes,
            samples,
            traces: 0,
            counts: vec![0; bytes * 256],
            partials: vec![0.0; bytes * 256 * samples],
            sum_x: vec![0.0; samples],
            sum_x2: vec![0.0; samples],
        }
    }

    pub fn traces(&self) -> u64 {
        self.traces
    }

    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn samples(&self) -> usize {
        self.samples
    }

    pub(super) fn counts(&self, byte: usize) -> &[u64] {
        &self.counts[byte * 256..(byte + 1) * 256]
    }

    /// The sum of the samples of the traces whose byte `byte` was `value`.
    pub(super) fn partial(&self, byte: usize, value: usize) -> &[f64] {
        let at = (byte * 256 + value) * self.samples;
        &self.partials[at..at + self.samples]
    }

    /// Sample `sample`'s sum and sum of squares.
    pub(super) fn moments(&self, sample: usize) -> (f64, f64) {
        (self.sum_x[sample], self.sum_x2[sample])
    }

    /// Adds one trace: `inputs` has one byte per input byte, `trace` one value per
    /// sample (both as given to [`Sums::new`]; extra ones are ignored).
    pub fn add(&mut self, inputs: &[u8], trace: &[f32]) {
        self.add_values(inputs, trace);
    }

    /// [`Sums::add`] for samples of any type that widens to `f64` exactly.
    pub(super) fn add_values<T: Copy + Into<f64>>(&mut self, inputs: &[u8], trace: &[T]) {
        let samples = self.samples;
        let trace = &trace[..samples.min(trace.len())];
        for (byte, &value) in inputs.iter().enumerate().take(self.bytes) {
            let row = byte * 256 + usize::from(value);
            self.counts[row] += 1;
            let at = row * samples;
            for (acc, &x) in self.partials[at..at + trace.len()].iter_mut().zip(trace) {
                *acc += x.into();
            }
        }
        for ((sx, sx2), &x) in self.sum_x.iter_mut().zip(&mut self.sum_x2).zip(trace) {
            let x: f64 = x.into();
            *sx += x;
            *sx2 += x * x;
        }
        self.traces += 1;
    }

    /// Adds `other`'s sums to these, element by element.
    pub fn merge(&mut self, other: &Sums) {
        self.traces += other.traces;
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        let pairs = [
            (&mut self.partials, &other.partials),
            (&mut self.sum_x, &other.sum_x),
            (&mut self.sum_x2, &other.sum_x2),
        ];
        for (mine, theirs) in pairs {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
    }
}

/// Where traces come from: a simulated device, or files.
pub trait TraceSource {
    /// Writes the next traces into `inputs` (their input bytes, one trace after
    /// another) and `samples` (their samples, likewise), as many as fit, and returns how
    /// many it wrote; 0 when there are no more.
    fn read(&mut self, inputs: &mut [u8], samples: &mut [f32]) -> usize;
}

/// A block of traces, flat: `len` traces' input bytes and samples.
struct Block {
    inputs: Vec<u8>,
    samples: Vec<f32>,
    len: usize,
}

impl Block {
    /// The block's sums, from zero, the traces added in order.
    fn sum(&self, bytes: usize, samples: usize) -> Sums {
        let mut sums = Sums::new(bytes, samples);
        let traces = self
            .inputs
            .chunks_exact(bytes)
            .zip(self.samples.chunks_exact(samples));
        for (inputs, trace) in traces.take(self.len) {
            sums.add(inputs, trace);
        }
        sums
    }
}

/// Sums every trace `source` gives, on `threads` threads. (Each thread's block sums
/// are its own allocation: sums kept beside each other in one array put the threads'
/// trace counters on one cache line, and two threads ran slower than one.) The result is the same bits
/// for any number of threads: each [`BLOCK`] of traces is summed from zero in trace
/// order, and blocks are added to the total in order. Only `threads` blocks of traces
/// are held at once.
pub fn accumulate(
    bytes: usize,
    samples: usize,
    threads: usize,
    source: &mut dyn TraceSource,
) -> Sums {
    let threads = threads.max(1);
    let mut total = Sums::new(bytes, samples);
    // Nothing to sum, and no trace could be cut into no samples or no bytes.
    if bytes == 0 || samples == 0 {
        return total;
    }
    let mut blocks: Vec<Block> = (0..threads)
        .map(|_| Block {
            inputs: vec![0; BLOCK * bytes],
            samples: vec![0.0; BLOCK * samples],
            len: 0,
        })
        .collect();
    loop {
        // Up to `threads` blocks, read in order; a block is full unless the source
        // has ended.
        let mut ended = false;
        let mut filled = 0;
        for block in &mut blocks {
            block.len = 0;
            while block.len < BLOCK && !ended {
                let read = source.read(
                    &mut block.inputs[block.len * bytes..],
                    &mut block.samples[block.len * samples..],
                );
                block.len += read;
                ended = read == 0;
            }
            if block.len > 0 {
                filled += 1;
            }
            if ended {
                break;
            }
        }
        let full = &blocks[..filled];
        let partials: Vec<Sums> = if full.len() > 1 {
            std::thread::scope(|scope| {
                let handles: Vec<_> = full
                    .iter()
                    .map(|block| scope.spawn(move || block.sum(bytes, samples)))
                    .collect();
                handles
                    .into_iter()
                    .map(|handle| {
                        handle
                            .join()
                            .unwrap_or_else(|e| std::panic::resume_unwind(e))
                    })
                    .collect()
            })
        } else {
            full.iter().map(|block| block.sum(bytes, samples)).collect()
        };
        for partial in &partials {
            total.merge(partial);
        }
        if ended {
            return total;
        }
    }
}
