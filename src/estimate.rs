//! What a large run will take, said before it starts: a lot of ten million devices runs
//! for hours and writes tens of gigabytes, and a user should learn that from the first
//! line, not from a full disk.
//!
//! The figures are per device, measured on the default scenario with a 1,500-device lot
//! (release build, on the reference machine of 2 cores and 24 GiB; a run uses one core).
//! Scenarios with more attacks or another target differ; the estimate gives the order
//! of size.

/// From this many devices on, a run states its estimate first: a million devices take
/// about a quarter of an hour of CPU and 11.2 GB of disk.
pub const LARGE_RUN: u64 = 1_000_000;

/// Time per device on the reference machine, in microseconds (0.81 ms of CPU measured
/// with the fast crypto backend, rounded up).
const MICROS_PER_DEVICE: u64 = 850;

/// Output written per device (records, both manifests, audit log, certificates), in
/// bytes: 11,124 measured at 10,000 devices and 11,187 at a million (longer numbers),
/// rounded up.
const BYTES_PER_DEVICE: u64 = 11_200;

/// Scratch space per device while the run works: its ledger, in a file with no name
/// beside the output, gone when the run ends.
const LEDGER_BYTES_PER_DEVICE: u64 = provsim_provisioner::ENTRY_BYTES as u64;

/// The notice for a run of `devices` into `out`, or `None` for a run of ordinary size.
pub fn large_run_notice(devices: u64, out: &std::path::Path) -> Option<String> {
    if devices < LARGE_RUN {
        return None;
    }
    let seconds = devices.saturating_mul(MICROS_PER_DEVICE) / 1_000_000;
    let bytes = devices.saturating_mul(BYTES_PER_DEVICE);
    let scratch = devices.saturating_mul(LEDGER_BYTES_PER_DEVICE);
    Some(format!(
        "provsim: {devices} devices: expect about {} of work and {} of output in `{}`, plus {} of scratch there while it runs (as the default scenario runs on the reference machine; yours may differ)\n",
        duration(seconds),
        size(bytes),
        out.display(),
        size(scratch)
    ))
}

/// Whole hours and minutes, or minutes: an estimate has no use for seconds.
fn duration(seconds: u64) -> String {
    let minutes = seconds.div_ceil(60);
    if minutes < 60 {
        format!("{minutes} min")
    } else {
        format!("{} h {:02} min", minutes / 60, minutes % 60)
    }
}

/// Decimal gigabytes with one place, as disks are sold.
fn size(bytes: u64) -> String {
    let tenths = bytes.div_ceil(100_000_000);
    format!("{}.{} GB", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_run_of_a_million_devices_or_more_gets_a_notice_that_scales_with_the_lot() {
        assert_eq!(large_run_notice(LARGE_RUN - 1, Path::new("out")), None);
        let million = large_run_notice(LARGE_RUN, Path::new("out")).unwrap();
        assert!(million.contains("1000000 devices"), "{million}");
        assert!(million.contains("15 min"), "{million}");
        assert!(million.contains("11.2 GB of output in `out`"), "{million}");
        assert!(million.contains("0.1 GB of scratch"), "{million}");
        let ten = large_run_notice(10 * LARGE_RUN, Path::new("out")).unwrap();
        assert!(ten.contains("2 h 22 min"), "{ten}");
        assert!(ten.contains("112.0 GB"), "{ten}");
        assert!(ten.contains("0.8 GB of scratch"), "{ten}");
        assert_eq!(duration(59), "1 min");
        assert_eq!(duration(3600), "1 h 00 min");
        assert_eq!(size(1), "0.1 GB");
        assert_eq!(
            large_run_notice(u64::MAX, Path::new("o")).map(|n| n.is_empty()),
            Some(false)
        );
    }
}
