//! Scenario files: the parser and validator, and the runner on small valid ones.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    provsim_scenarios::fuzzing::scenario_bytes(data);
});
