/* The C side of `benches/math.rs`: each function of the language as a plain loop over arrays,
 * compiled by the machine's gcc once per variant, so that the benchmark can time glibc's
 * functions beside vexpr's in one process.
 *
 * Built by `benches/math.rs` (nothing else uses it) into one shared object:
 *   - PREFIX=scalar_: `-O2` without -ffast-math: every element calls glibc's scalar function;
 *   - PREFIX=sse_, avx2_, avx512_: `-O3 -ffast-math -fopenmp-simd` with `-msse4.2`,
 *     `-mavx2 -mfma`, `-mavx512f ...`: gcc vectorises the loops and calls glibc's libmvec
 *     (`_ZGVbN2v_exp`, `_ZGVdN4v_exp`, `_ZGVeN8v_exp`, ...), its 4-ulp vector functions.
 * sqrt has no libmvec entry: its loop is the vector square-root instruction.
 *
 * Each function is `void PREFIX##name(const T *a, [const T *b,] T *out, long n)`.
 */
#include <math.h>

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

#define UNARY(name, f64fn, f32fn)                                                      \
    void CAT(PREFIX, name)(const double *restrict a, double *restrict out, long n) {   \
        for (long i = 0; i < n; i++) out[i] = f64fn(a[i]);                             \
    }                                                                                  \
    void CAT(CAT(PREFIX, name), _f32)(const float *restrict a, float *restrict out,    \
                                      long n) {                                        \
        for (long i = 0; i < n; i++) out[i] = f32fn(a[i]);                             \
    }

#define BINARY(name, f64fn, f32fn)                                                     \
    void CAT(PREFIX, name)(const double *restrict a, const double *restrict b,         \
                           double *restrict out, long n) {                             \
        for (long i = 0; i < n; i++) out[i] = f64fn(a[i], b[i]);                       \
    }                                                                                  \
    void CAT(CAT(PREFIX, name), _f32)(const float *restrict a, const float *restrict b, \
                                      float *restrict out, long n) {                   \
        for (long i = 0; i < n; i++) out[i] = f32fn(a[i], b[i]);                       \
    }

UNARY(exp, exp, expf)
UNARY(expm1, expm1, expm1f)
UNARY(log, log, logf)
UNARY(log1p, log1p, log1pf)
UNARY(log2, log2, log2f)
UNARY(log10, log10, log10f)
UNARY(sin, sin, sinf)
UNARY(cos, cos, cosf)
UNARY(tan, tan, tanf)
UNARY(arcsin, asin, asinf)
UNARY(arccos, acos, acosf)
UNARY(arctan, atan, atanf)
UNARY(sinh, sinh, sinhf)
UNARY(cosh, cosh, coshf)
UNARY(tanh, tanh, tanhf)
UNARY(arcsinh, asinh, asinhf)
UNARY(arccosh, acosh, acoshf)
UNARY(arctanh, atanh, atanhf)
UNARY(sqrt, sqrt, sqrtf)
BINARY(arctan2, atan2, atan2f)
BINARY(pow, pow, powf)
BINARY(hypot, hypot, hypotf)
