//! cargo-fuzz target `parse`: the body is `vexpr::fuzz_entry::parse` (see its docs and FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vexpr::fuzz_entry::parse(data));
