//! The hand-fused loops of the benchmark suite (`benches/common/fused.rs`) compute what their
//! expressions say: hand-worked values, then agreement with vexpr (itself checked against
//! numexpr by the conformance corpus) over random inputs, for odd lengths and several threads.

#[path = "../benches/common/fused.rs"]
mod fused;

use fused::{Column, Dtype, Entry, OutBuf, SUITE, uniform};
use num_complex::Complex64;
use vexpr::{Array, Vars};

/// The input values of one suite entry, kept in every dtype the suite uses.
struct Inputs {
    f64s: Vec<Vec<f64>>,
    f32s: Vec<Vec<f32>>,
    i64s: Vec<Vec<i64>>,
    c128s: Vec<Vec<Complex64>>,
}

impl Inputs {
    /// Columns `0..k` built from the given float64 values (ints: `values * 2000 - 1000`, so
    /// negative ones exercise Python's `%`; complex: consecutive pairs).
    fn from_f64(values: Vec<Vec<f64>>) -> Inputs {
        Inputs {
            f32s: values
                .iter()
                .map(|v| v.iter().map(|&x| x as f32).collect())
                .collect(),
            i64s: values
                .iter()
                .map(|v| v.iter().map(|&x| (x * 2000.0 - 1000.0) as i64).collect())
                .collect(),
            c128s: values
                .iter()
                .map(|v| {
                    v.iter()
                        .zip(v.iter().rev())
                        .map(|(&re, &im)| Complex64::new(re, im))
                        .collect()
                })
                .collect(),
            f64s: values,
        }
    }

    fn columns(&self, dtype: Dtype, k: usize) -> Vec<Column<'_>> {
        (0..k)
            .filter_map(|i| match dtype {
                Dtype::F32 => self.f32s.get(i).map(|v| Column::F32(v)),
                Dtype::F64 => self.f64s.get(i).map(|v| Column::F64(v)),
                Dtype::I64 => self.i64s.get(i).map(|v| Column::I64(v)),
                Dtype::C128 => self.c128s.get(i).map(|v| Column::C128(v)),
                Dtype::Bool => None,
            })
            .collect()
    }

    fn vars(&self, entry: &Entry) -> Vars<'_> {
        let mut vars = Vars::new();
        for (i, name) in entry.inputs.iter().enumerate() {
            match entry.dtype {
                Dtype::F32 => vars.insert(name, &self.f32s[i]),
                Dtype::F64 => vars.insert(name, &self.f64s[i]),
                Dtype::I64 => vars.insert(name, &self.i64s[i]),
                Dtype::C128 => vars.insert(name, &self.c128s[i]),
                Dtype::Bool => unreachable!("no bool inputs"),
            }
        }
        vars
    }
}

/// The fused result of `entry` over `inputs` on `threads` threads.
fn fused_result(entry: &Entry, inputs: &Inputs, threads: usize) -> OutBuf {
    let columns = inputs.columns(entry.dtype, entry.inputs.len());
    let n = columns.first().map_or(0, Column::len);
    let mut out = OutBuf::new(entry, n);
    fused::run(entry, &columns, &mut out, threads).unwrap();
    out
}

/// The suite entry with this slug and dtype.
fn entry(slug: &str, dtype: Dtype) -> &'static Entry {
    fused::find(slug, dtype).unwrap_or_else(|| panic!("no {slug}/{}", dtype.name()))
}

/// Runs `slug` on one element per input (float64 values given).
fn one(slug: &str, dtype: Dtype, values: &[f64]) -> OutBuf {
    let inputs = Inputs::from_f64(values.iter().map(|&x| vec![x]).collect());
    fused_result(entry(slug, dtype), &inputs, 1)
}

fn f64_of(out: OutBuf) -> f64 {
    match out {
        OutBuf::F64(v) if v.len() == 1 => v[0],
        OutBuf::Sum(s) => s,
        other => panic!("not one float64: {other:?}"),
    }
}

#[test]
fn hand_worked_values() {
    use Dtype::F64;
    assert_eq!(f64_of(one("square_sum", F64, &[0.5, 0.25])), 0.5625);
    assert_eq!(
        one("square_sum", Dtype::F32, &[0.5, 0.25]),
        OutBuf::F32(vec![0.5625])
    );
    assert_eq!(f64_of(one("linear", F64, &[0.5, 0.25])), 1.75);
    assert_eq!(f64_of(one("mul_add", F64, &[0.5, 0.25, 0.125])), 0.25);
    assert!((f64_of(one("sin2_cos2", F64, &[0.3, 0.3])) - 1.0).abs() < 1e-15);
    let e_minus_1 = std::f64::consts::E - 1.0;
    assert!((f64_of(one("exp_log1p", F64, &[0.0, e_minus_1])) - 1.0).abs() < 1e-15);
    assert_eq!(f64_of(one("hypot", F64, &[3.0, 4.0])), 5.0);
    assert_eq!(
        f64_of(one("arctan2", F64, &[1.0, 1.0])),
        std::f64::consts::FRAC_PI_4
    );
    assert_eq!(f64_of(one("where", F64, &[0.75, 0.25])), 0.75);
    assert_eq!(f64_of(one("where", F64, &[0.25, 0.1])), 0.1);
    assert_eq!(one("and_cmp", F64, &[0.5, 0.5]), OutBuf::Bool(vec![true]));
    assert_eq!(one("and_cmp", F64, &[0.2, 0.5]), OutBuf::Bool(vec![false]));
    assert_eq!(one("and_cmp", F64, &[0.5, 0.8]), OutBuf::Bool(vec![false]));
    assert_eq!(f64_of(one("div_cube", F64, &[1.0, 1.0, 0.5])), 0.375);
    assert!((f64_of(one("tanh", F64, &[0.5, 1.0])) - 0.462_117_157_260_009_76).abs() < 1e-16);
    assert_eq!(f64_of(one("pow15", F64, &[4.0])), 8.0);
    assert_eq!(f64_of(one("horner", F64, &[2.0])), 0.0);
    assert_eq!(f64_of(one("horner", F64, &[1.0])), -2.5);

    let sum = entry("sum_mul", F64);
    let inputs = Inputs::from_f64(vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]]);
    assert_eq!(f64_of(fused_result(sum, &inputs, 1)), 32.0);
    assert_eq!(f64_of(fused_result(sum, &inputs, 2)), 32.0);

    // 5*2 + (-3 % 7) = 10 + 4 in Python's modulo.
    let ints = entry("int_mod", Dtype::I64);
    let columns = [Column::I64(&[5]), Column::I64(&[-3])];
    let mut out = OutBuf::new(ints, 1);
    fused::run(ints, &columns, &mut out, 1).unwrap();
    assert_eq!(out, OutBuf::I64(vec![14]));

    // (1+2j)*(3-1j) + (1-2j) = (5+5j) + (1-2j).
    let complex = entry("complex", Dtype::C128);
    let (z, w) = ([Complex64::new(1.0, 2.0)], [Complex64::new(3.0, -1.0)]);
    let mut out = OutBuf::new(complex, 1);
    fused::run(complex, &[Column::C128(&z), Column::C128(&w)], &mut out, 1).unwrap();
    assert_eq!(out, OutBuf::C128(vec![Complex64::new(6.0, 3.0)]));
}

/// Whether `got` is within `rel` (relative) of `want`, elementwise.
fn close(got: &[f64], want: &[f64], rel: f64) -> bool {
    got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(g, w)| (g - w).abs() <= rel * w.abs().max(1e-300))
}

/// Whether the fused result and vexpr's agree: up to `rel` for floats, exactly otherwise.
fn agrees(fused: &OutBuf, vexpr: &Array) -> bool {
    let (f64_rel, f32_rel) = (1e-12, 1e-5);
    let parts = |c: &[Complex64]| c.iter().flat_map(|c| [c.re, c.im]).collect::<Vec<_>>();
    match fused {
        OutBuf::F64(v) => vexpr
            .as_f64()
            .is_some_and(|w| close(v, &w.iter().copied().collect::<Vec<_>>(), f64_rel)),
        OutBuf::Sum(s) => vexpr.as_f64().is_some_and(|w| {
            w.ndim() == 0 && close(&[*s], &w.iter().copied().collect::<Vec<_>>(), f64_rel)
        }),
        OutBuf::F32(v) => vexpr.as_f32().is_some_and(|w| {
            let want: Vec<f64> = w.iter().map(|&x| f64::from(x)).collect();
            close(
                &v.iter().map(|&x| f64::from(x)).collect::<Vec<_>>(),
                &want,
                f32_rel,
            )
        }),
        OutBuf::Bool(v) => vexpr.as_bool().is_some_and(|w| w.iter().eq(v.iter())),
        OutBuf::I64(v) => vexpr.as_i64().is_some_and(|w| w.iter().eq(v.iter())),
        OutBuf::C128(v) => vexpr.as_c128().is_some_and(|w| {
            close(
                &parts(v),
                &parts(&w.iter().copied().collect::<Vec<_>>()),
                f64_rel,
            )
        }),
    }
}

#[test]
fn every_loop_agrees_with_vexpr_at_odd_lengths_and_thread_counts() {
    for n in [1, 7, 64, 1003] {
        let inputs = Inputs::from_f64((0..3).map(|k| uniform(n, k + 1)).collect());
        for entry in SUITE {
            let vexpr = vexpr::evaluate(entry.expr, &inputs.vars(entry)).unwrap();
            for threads in [1, 2, 3] {
                let fused = fused_result(entry, &inputs, threads);
                let (slug, dtype) = (entry.slug, entry.dtype.name());
                assert!(
                    agrees(&fused, &vexpr),
                    "{slug} ({dtype}), n = {n}, {threads} threads: fused {fused:?}, vexpr {vexpr}"
                );
            }
        }
    }
}

#[test]
fn mismatched_columns_are_refused() {
    let square = entry("square_sum", Dtype::F64);
    let mut out = OutBuf::new(square, 2);
    let a = [1.0, 2.0];
    assert!(fused::run(square, &[Column::F64(&a)], &mut out, 1).is_err());
    assert!(
        fused::run(
            square,
            &[Column::F64(&a), Column::F64(&a[..1])],
            &mut out,
            1
        )
        .is_err()
    );
    assert!(
        fused::run(
            square,
            &[Column::F64(&a), Column::I64(&[1, 2])],
            &mut out,
            1
        )
        .is_err()
    );
    let mut short = OutBuf::new(square, 1);
    assert!(fused::run(square, &[Column::F64(&a), Column::F64(&a)], &mut short, 2).is_err());
    assert!(fused::run(square, &[Column::F64(&a), Column::F64(&a)], &mut out, 2).is_ok());
    assert_eq!(out, OutBuf::F64(vec![4.0, 16.0]));
}

#[test]
fn the_suite_is_complete_and_unique() {
    assert_eq!(SUITE.iter().filter(|e| e.dtype != Dtype::F32).count(), 16);
    for (k, e) in SUITE.iter().enumerate() {
        assert!(
            SUITE[..k]
                .iter()
                .all(|o| (o.slug, o.dtype) != (e.slug, e.dtype)),
            "{}",
            e.slug
        );
    }
    // Bytes per element: the headline reads two float64 and writes one.
    assert_eq!(entry("square_sum", Dtype::F64).bytes_per_element(), 24);
    assert_eq!(entry("sum_mul", Dtype::F64).bytes_per_element(), 16);
    assert_eq!(entry("and_cmp", Dtype::F64).bytes_per_element(), 17);
    assert_eq!(entry("complex", Dtype::C128).bytes_per_element(), 48);
}

#[test]
fn uniform_values_are_inside_the_unit_interval_and_repeatable() {
    let values = uniform(10_000, 3);
    assert!(values.iter().all(|&x| x > 0.0 && x < 1.0));
    let mean = values.iter().sum::<f64>() / 10_000.0;
    assert!((mean - 0.5).abs() < 0.02, "{mean}");
    assert_eq!(values, uniform(10_000, 3));
    assert_ne!(values, uniform(10_000, 4));
}

#[test]
fn triad_is_b_plus_s_c() {
    let (b, c) = ([1.0, 2.0, 3.0], [0.5, 0.25, 4.0]);
    let mut a = [0.0; 3];
    fused::triad(&mut a, &b, &c, 3.0);
    assert_eq!(a, [2.5, 2.75, 15.0]);
}
