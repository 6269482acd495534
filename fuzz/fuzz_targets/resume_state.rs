//! `backup_core::fuzzing::resume_state`: it asserts its own invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    backup_core::fuzzing::resume_state(data);
});
