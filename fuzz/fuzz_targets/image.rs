//! MCUboot images as the boot ROM meets them: the parser and the verifier on any bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    provsim_devices::image::fuzzing::image_bytes(data);
});
