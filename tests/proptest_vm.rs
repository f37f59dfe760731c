//! Property tests: random typed expressions over random arrays, the VM against the reference.
//!
//! The strategies draw a byte string and decode it with the fuzz targets' generators
//! (`vexpr::fuzz_entry::Case`): an environment of up to four variables of every kind (byte
//! strings included) with special values, odd lengths, broadcasting shapes and strided,
//! reversed, transposed, broadcast and 0-d layouts, and an expression typed by the spec's
//! rules. Shrinking shortens and zeroes the bytes, which makes the expression smaller (an
//! exhausted input picks the simplest choice: a leaf) and the values plainer; the failure
//! message prints the expression, the spec's kind and every variable's exact values.
//!
//! Properties:
//! - a well-typed expression compiles to the kind the spec gives it, and the VM on every
//!   instruction set of this CPU, with 1 and 2 threads and two block sizes, agrees with the
//!   reference evaluator under the rule of `fuzz_entry::compare` (bit-exact for exact
//!   operations, a propagated bound otherwise, errors where errors); and the native tier
//!   (`Jit::Always`) gives the interpreter's bits on every ISA (NaN payloads aside);
//! - an expression with one operation the spec refuses is a type error located inside it.
//!
//! Expressions with reductions inside them (`v - mean(t, axis=0, keepdims=True)`), or with
//! `mean`, `var`, `std`, run in phases; `compare` checks them with a magnitude bound
//! (`fuzz_entry::compare::staged_bound`) instead of the node-by-node model.
//!
//! CI runs a fixed seed and a few dozen cases (a few seconds). A longer run:
//! `PROPTEST_CASES=100000 cargo test --release --test proptest_vm` (add
//! `PROPTEST_RNG_SEED=<n>` for another seed).

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use vexpr::fuzz_entry::Case;

/// The CI configuration: a fixed seed and a modest count, unless the environment says
/// otherwise (`PROPTEST_CASES`, `PROPTEST_RNG_SEED`).
fn config() -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 1000;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0x7e57_5eed);
    }
    config.failure_persistence = None;
    config
}

/// Bytes for the generators: long enough for a deep expression, short enough to shrink.
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..512)
}

fn typed_case() -> impl Strategy<Value = Case> {
    bytes().prop_map(|b| Case::typed(&b))
}

fn ill_typed_case() -> impl Strategy<Value = Case> {
    bytes().prop_map(|b| Case::ill_typed(&b))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn vm_matches_the_reference(case in typed_case()) {
        if let Err(why) = case.check() {
            return Err(TestCaseError::fail(why));
        }
    }

    #[test]
    fn ill_typed_expressions_are_type_errors(case in ill_typed_case()) {
        if let Err(why) = case.check_ill_typed() {
            return Err(TestCaseError::fail(why));
        }
    }
}

/// The generators are not degenerate: over a fixed set of inputs they produce every kind of
/// result, reductions (at the root and inside), byte strings, and expressions of several
/// operations.
#[test]
fn the_generator_covers_the_language() {
    let mut kinds = std::collections::BTreeSet::new();
    let (mut reductions, mut inside, mut deep) = (0, 0, 0);
    for seed in 0..400u32 {
        let bytes: Vec<u8> = (0..300u32)
            .map(|i| (seed.wrapping_mul(2_654_435_761) ^ i.wrapping_mul(40_503)).to_le_bytes()[1])
            .collect();
        let case = Case::typed(&bytes);
        kinds.insert(
            format!("{:?}", case)
                .lines()
                .nth(1)
                .unwrap_or_default()
                .to_string(),
        );
        let e = case.expression();
        let names = [
            "sum(", "prod(", "min(", "max(", "any(", "all(", "mean(", "var(", "std(",
        ];
        if names.iter().any(|r| e.starts_with(r)) {
            reductions += 1;
        } else if names.iter().any(|r| e.contains(&format!(" {r}"))) {
            // A reduction inside an expression: `v - mean(t)` and the like.
            inside += 1;
        }
        if e.matches('(').count() >= 3 {
            deep += 1;
        }
    }
    assert_eq!(kinds.len(), 7, "{kinds:?}");
    assert!(reductions >= 20, "{reductions} reductions");
    assert!(inside >= 10, "{inside} reductions inside expressions");
    assert!(deep >= 100, "{deep} deep expressions");
}
