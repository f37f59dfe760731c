//! cargo-fuzz target `eval_diff`: the body is `vexpr::fuzz_entry::eval_diff` (see its docs and FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vexpr::fuzz_entry::eval_diff(data));
