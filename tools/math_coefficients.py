#!/usr/bin/env python3
"""Derive the constants and polynomial coefficients of `src/vm/math/` and write
`src/vm/math/consts.rs`.

Every polynomial is a minimax fit made here, with mpmath at 80 digits, by Lawson's
iteratively reweighted least squares over Chebyshev-distributed points (it converges to
the minimax polynomial). Coefficients are rounded to f64 one at a time from the highest-order
one down, refitting the lower ones after each rounding, so the rounding of one coefficient is
absorbed by the others. The script prints, for each fit, the max error of the rounded
polynomial on a dense grid. Split constants (pi/2 in 33-bit pieces, ln2 with trailing
zeros, the bits of 2/pi) are exact truncations computed here.

Run (needs mpmath):
    python3 tools/math_coefficients.py f64 > src/vm/math/consts.rs
    python3 tools/math_coefficients.py f32 > src/vm/math/consts_f32.rs
The f32 set (for the native f32 lanes) rounds coefficients to f32 and is fitted for f32's
precision, so its polynomials are shorter.

A full run takes minutes. With MATH_COEFFICIENTS_CACHE=FILE set, each fit is stored in FILE
(JSON) under its name, degree, interval and precision, and reused by later runs, so adding one
polynomial refits only that one.
"""
import json
import os
import struct
import sys

from mpmath import mp, mpf, atan, asin, atanh, sin, cos, tan, expm1, log, pi, sqrt, floor, ldexp, frexp

mp.dps = 80


PRECISION = sys.argv[1] if len(sys.argv) > 1 else "f64"
assert PRECISION in ("f64", "f32"), "usage: math_coefficients.py [f64|f32]"


def f64(x):
    return float(x)


def rnd(x):
    """x rounded to the output precision, as a Python float."""
    if PRECISION == "f32":
        return struct.unpack("<f", struct.pack("<f", float(x)))[0]
    return float(x)


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", float(x)))[0]


def literal(x):
    """A Rust expression for x rounded to the output precision, exactly."""
    if PRECISION == "f32":
        b = struct.unpack("<I", struct.pack("<f", float(x)))[0]
        return f"f32::from_bits(0x{b:08x})", rnd(x)
    return f"f64::from_bits(0x{bits(x):016x})", rnd(x)


def truncate(x, nbits):
    """x truncated to nbits significant bits (exactly representable in f64)."""
    m, e = frexp(x)
    return ldexp(floor(ldexp(m, nbits)), e - nbits)


def cheb_points(a, b, n):
    return [(a + b) / 2 + (b - a) / 2 * cos(pi * (2 * k + 1) / (2 * n)) for k in range(n)]


def solve(mat, rhs):
    return mp.lu_solve(mp.matrix(mat), mp.matrix(rhs))


def lawson(g, a, b, deg, fixed=None, npts=240, iters=60):
    """Minimax fit of g on [a, b] by a polynomial of degree deg. `fixed` maps powers to
    values that are held (used when rounding coefficients one by one)."""
    fixed = fixed or {}
    free = [k for k in range(deg + 1) if k not in fixed]
    pts = cheb_points(a, b, npts)
    target = [g(x) - sum(c * x**k for k, c in fixed.items()) for x in pts]
    w = [mpf(1) / npts] * npts
    coef = None
    prev_peak = None
    for _ in range(iters):
        # weighted least squares via normal equations
        n = len(free)
        ata = [[mpf(0)] * n for _ in range(n)]
        atb = [mpf(0)] * n
        for x, t, wi in zip(pts, target, w):
            row = [x**k for k in free]
            for i in range(n):
                atb[i] += wi * row[i] * t
                for j in range(n):
                    ata[i][j] += wi * row[i] * row[j]
        sol = solve(ata, atb)
        coef = {k: sol[i] for i, k in enumerate(free)}
        err = [abs(t - sum(c * x**k for k, c in coef.items())) for x, t in zip(pts, target)]
        tot = sum(wi * e for wi, e in zip(w, err))
        w = [wi * e / tot for wi, e in zip(w, err)]
        # Stop once the max error has settled (the minimax error is reached to 0.1%).
        peak = max(err)
        if prev_peak is not None and abs(prev_peak - peak) <= peak * mpf("1e-3"):
            break
        prev_peak = peak
    coef.update(fixed)
    return coef


def fit_rounded(g, a, b, deg, fixed=None):
    """Fit, then round coefficients to f64 from the top down, refitting the rest."""
    fixed = dict(fixed or {})
    for k in range(deg, -1, -1):
        if k in fixed:
            continue
        coef = lawson(g, a, b, deg, fixed)
        fixed[k] = mpf(rnd(coef[k]))
    return [fixed[k] for k in range(deg + 1)]


def max_err(g, coefs, a, b, n=3000):
    worst = mpf(0)
    for i in range(n + 1):
        x = a + (b - a) * i / n
        if x == 0:
            continue
        p = sum(c * x**k for k, c in enumerate(coefs))
        worst = max(worst, abs(p - g(x)))
    return worst


def rational_fit(g, a, b, p, q, npts=200, iters=40):
    """Near-minimax fit g ~ N(z)/D(z), deg N = p, deg D = q, D(0) = 1: Loeb's iteration
    (linear least squares of N - g*D weighted by the previous 1/D^2) with Lawson's weights."""
    pts = cheb_points(a, b, npts)
    gv = [g(x) for x in pts]
    den = [mpf(1)] + [mpf(0)] * q
    w = [mpf(1) / npts] * npts
    for _ in range(iters):
        dprev = [sum(c * x**k for k, c in enumerate(den)) for x in pts]
        nun = p + 1 + q
        ata = [[mpf(0)] * nun for _ in range(nun)]
        atb = [mpf(0)] * nun
        for x, t, wi, dp in zip(pts, gv, w, dprev):
            row = [x**k for k in range(p + 1)] + [-t * x**k for k in range(1, q + 1)]
            sc = wi / dp**2
            for i in range(nun):
                atb[i] += sc * row[i] * t
                for j in range(nun):
                    ata[i][j] += sc * row[i] * row[j]
        sol = solve(ata, atb)
        num = [sol[i] for i in range(p + 1)]
        den = [mpf(1)] + [sol[p + 1 + i] for i in range(q)]
        err = [abs(t - sum(c * x**k for k, c in enumerate(num))
                   / sum(c * x**k for k, c in enumerate(den))) for x, t in zip(pts, gv)]
        tot = sum(wi * e for wi, e in zip(w, err))
        w = [wi * e / tot for wi, e in zip(w, err)]
    return num, den


OUT = []


def emit(line=""):
    OUT.append(line)


def const(name, value, doc):
    text, v = literal(value)
    emit(f"/// {doc}")
    emit(f"pub(crate) const {name}: {PRECISION} = {text}; // {v!r}")


CACHE_PATH = os.environ.get("MATH_COEFFICIENTS_CACHE")
CACHE = json.load(open(CACHE_PATH)) if CACHE_PATH and os.path.exists(CACHE_PATH) else {}


def cached(key, compute):
    """compute() (a list of lists of mpf), or its stored value for `key`."""
    if key in CACHE:
        return [[mpf(c) for c in part] for part in CACHE[key]]
    value = compute()
    if CACHE_PATH:
        CACHE[key] = [[str(c) for c in part] for part in value]
        with open(CACHE_PATH, "w") as f:
            json.dump(CACHE, f, indent=0)
    return value


def poly(name, g, a, b, deg, doc, fixed=None):
    key = f"{PRECISION} {name} poly {deg} {a} {b} {sorted((fixed or {}).items())}"
    coefs = cached(key, lambda: [fit_rounded(g, a, b, deg, fixed)])[0]
    err = max_err(g, coefs, a, b)
    print(f"{name}: degree {deg} on [{f64(a)}, {f64(b)}], max abs error {f64(err):.3e}"
          f" (2^{f64(log(err, 2)) if err > 0 else -999:.1f})", file=sys.stderr)
    emit(f"/// {doc}")
    emit(f"/// Degree {deg} on [{f64(a)!r}, {f64(b)!r}], max abs error of the rounded fit "
         f"{f64(err):.2e}.")
    emit(f"pub(crate) const {name}: [{PRECISION}; {deg + 1}] = [")
    for c in coefs:
        text, v = literal(c)
        emit(f"    {text}, // {v!r}")
    emit("];")


def rational(name, g, a, b, p, q, doc):
    """`{name}_NUM` / `{name}_DEN`: g ~ N/D. D is rounded first, then N is refitted as a
    polynomial minimax fit of g*D (rounded top-down like `poly`)."""
    def compute():
        _, den = rational_fit(g, a, b, p, q)
        den = [mpf(rnd(c)) for c in den]
        dval = lambda x: sum(c * x**k for k, c in enumerate(den))
        return [fit_rounded(lambda x: g(x) * dval(x), a, b, p), den]

    num, den = cached(f"{PRECISION} {name} rational {p} {q} {a} {b}", compute)
    dval = lambda x: sum(c * x**k for k, c in enumerate(den))
    worst = mpf(0)
    for i in range(1, 3001):
        x = a + (b - a) * i / 3000
        worst = max(worst, abs(sum(c * x**k for k, c in enumerate(num)) / dval(x) - g(x)))
    print(f"{name}: rational ({p}, {q}) on [{f64(a)}, {f64(b)}], max abs error {f64(worst):.3e}"
          f" (2^{f64(log(worst, 2)):.1f})", file=sys.stderr)
    for part, coefs in (("NUM", num), ("DEN", den)):
        emit(f"/// {doc} ({'numerator' if part == 'NUM' else 'denominator'}).")
        emit(f"/// Rational ({p}, {q}) on [{f64(a)!r}, {f64(b)!r}], max abs error of the rounded "
             f"fit {f64(worst):.2e}.")
        emit(f"pub(crate) const {name}_{part}: [{PRECISION}; {len(coefs)}] = [")
        for c in coefs:
            text, v = literal(c)
            emit(f"    {text}, // {v!r}")
        emit("];")


def main_f64():
    emit("//! Constants and minimax coefficients for the lane maths, generated by")
    emit("//! `tools/math_coefficients.py` (mpmath, Lawson minimax fits; see that script). Do not edit by")
    emit("//! hand: change the script and regenerate. Polynomials are listed from the constant term up.")
    emit("")

    # ---- exp / expm1: expm1(r) = r + r^2/2 + r^3 * P(r), |r| <= ln2/2 (+ slack for rounding of n).
    ln2 = log(2)
    rmax = ln2 / 2 + mpf("1e-6")
    poly("EXPM1_POLY", lambda r: (expm1(r) - r - r * r / 2) / r**3, -rmax, rmax, 10,
         "expm1(r) = r + r^2/2 + r^3 * P(r) for |r| <= ln2/2.")
    poly("EXPM1_FAST_POLY", lambda r: (expm1(r) - r - r * r / 2) / r**3, -rmax, rmax, 8,
         "As EXPM1_POLY, shorter: `fast` precision.")

    # ---- log: log(1+f) = 2s + s*R, R = w*P(w), w = s^2, s = f/(2+f), |s| <= (sqrt2-1)/(sqrt2+1).
    smax = (sqrt(2) - 1) / (sqrt(2) + 1) + mpf("1e-9")
    wmax = smax**2


    def log_r_over_w(w):
        s = sqrt(w)
        return (2 * atanh(s) - 2 * s) / s / w


    poly("LOG_POLY", log_r_over_w, mpf(0), wmax, 6,
         "log((1+s)/(1-s)) = 2s + s * w * P(w), w = s^2, s <= (sqrt2-1)/(sqrt2+1).")


    def log_tail(w):
        s = sqrt(w)
        return (2 * atanh(s) - 2 * s - 2 * s**3 / 3) / s**5


    poly("LOG_TAIL_POLY", log_tail, mpf(0), wmax, 8,
         "log((1+s)/(1-s)) = 2s + 2s^3/3 + s^5 * P(w), w = s^2: the double-double log of pow.")

    # ---- sin / cos on |r| <= pi/4 (+ slack).
    zmax = (pi / 4 + mpf("1e-6"))**2
    poly("SIN_POLY", lambda z: (sin(sqrt(z)) - sqrt(z)) / sqrt(z)**3, mpf(0), zmax, 5,
         "sin(r) = r + r^3 * P(z), z = r^2, |r| <= pi/4.")
    poly("COS_POLY", lambda z: (cos(sqrt(z)) - 1 + z / 2) / z**2, mpf(0), zmax, 5,
         "cos(r) = 1 - z/2 + z^2 * P(z), z = r^2, |r| <= pi/4.")

    # ---- sin on |r| <= pi/2 (+ slack): sin and cos reduced by pi, one polynomial.
    zmax_pi = (pi / 2 + mpf("1e-6"))**2
    poly("SIN_PI_POLY", lambda z: (sin(sqrt(z)) - sqrt(z)) / sqrt(z)**3, mpf(0), zmax_pi, 7,
         "sin(r) = r + r^3 * P(z), z = r^2, |r| <= pi/2 (the argument reduced by pi).")

    # ---- tan on |r| <= pi/4 (+ slack): tan(r) = r + r^3 * N(z)/D(z).
    ztan = (pi / 4 + mpf("1e-6"))**2
    rational("TAN", lambda z: (tan(sqrt(z)) - sqrt(z)) / sqrt(z)**3, mpf(0), ztan, 3, 3,
             "tan(r) = r + r^3 * N(z)/D(z), z = r^2, |r| <= pi/4")

    # ---- atan on |t| <= 7/16 (the reduction keeps |t| <= tan(pi/8) = 0.4142).
    tmax = mpf(7) / 16
    poly("ATAN_POLY", lambda z: (atan(sqrt(z)) - sqrt(z)) / sqrt(z)**3, mpf(0), tmax**2, 10,
         "atan(t) = t + t^3 * P(z), z = t^2, |t| <= 7/16.")

    # ---- asin on |s| <= 1/2.
    poly("ASIN_POLY", lambda z: (asin(sqrt(z)) - sqrt(z)) / sqrt(z)**3, mpf(0), mpf(1) / 4, 14,
         "asin(s) = s + s^3 * P(z), z = s^2, |s| <= 1/2.")
    poly("ASIN_FAST_POLY", lambda z: (asin(sqrt(z)) - sqrt(z)) / sqrt(z)**3, mpf(0), mpf(1) / 4,
         11, "As ASIN_POLY, shorter: `fast` precision.")

    emit("")
    # ---- split constants
    const("LN2_HI", truncate(ln2, 42), "ln 2 truncated to 42 bits: k * LN2_HI is exact for |k| < 2^11.")
    const("LN2_LO", ln2 - truncate(ln2, 42), "ln 2 - LN2_HI.")
    const("LOG2_E", 1 / ln2, "1 / ln 2.")
    const("LOG10_E", 1 / log(10), "1 / ln 10.")
    iv = 1 / ln2
    const("INV_LN2_HI", truncate(iv, 32), "1 / ln 2 truncated to 32 bits.")
    const("INV_LN2_LO", iv - truncate(iv, 32), "1 / ln 2 - INV_LN2_HI.")
    iv10 = 1 / log(10)
    const("INV_LN10_HI", truncate(iv10, 32), "1 / ln 10 truncated to 32 bits.")
    const("INV_LN10_LO", iv10 - truncate(iv10, 32), "1 / ln 10 - INV_LN10_HI.")
    l102 = log(2) / log(10)
    const("LOG10_2_HI", truncate(l102, 42), "log10(2) truncated to 42 bits.")
    const("LOG10_2_LO", l102 - truncate(l102, 42), "log10(2) - LOG10_2_HI.")
    const("TWO_THIRDS_HI", mpf(2) / 3, "2/3 rounded.")
    const("TWO_THIRDS_LO", mpf(2) / 3 - mpf(f64(mpf(2) / 3)), "2/3 - TWO_THIRDS_HI.")

    pio2 = pi / 2
    c1 = truncate(pio2, 33)
    c2 = truncate(pio2 - c1, 33)
    c3 = truncate(pio2 - c1 - c2, 33)
    c4 = pio2 - c1 - c2 - c3
    const("PIO2_C1", c1, "pi/2, first 33 bits: n * PIO2_C1 is exact for |n| < 2^20.")
    const("PIO2_C2", c2, "pi/2, next 33 bits.")
    const("PIO2_C3", c3, "pi/2, next 33 bits.")
    const("PIO2_C4", c4, "pi/2 - PIO2_C1 - PIO2_C2 - PIO2_C3, rounded.")
    const("TWO_OVER_PI", 2 / pi, "2/pi rounded.")
    const("PIO2_HI", pio2, "pi/2 rounded.")
    const("PIO2_LO", pio2 - mpf(f64(pio2)), "pi/2 - PIO2_HI.")
    const("PI_HI", pi, "pi rounded.")
    const("PI_LO", pi - mpf(f64(pi)), "pi - PI_HI.")
    const("PI_LO2", pi - mpf(f64(pi)) - mpf(f64(pi - mpf(f64(pi)))), "pi - PI_HI - PI_LO.")
    const("INV_PI", 1 / pi, "1/pi rounded.")
    const("PIO2_LO2", pio2 - mpf(f64(pio2)) - mpf(f64(pio2 - mpf(f64(pio2)))),
          "pi/2 - PIO2_HI - PIO2_LO.")
    const("PIO4_HI", pi / 4, "pi/4 rounded.")

    # ---- the bits of 2/pi for Payne-Hanek reduction: word i holds bits 64*i+1 .. 64*i+64 after
    # the binary point (bit 1 is the 1/2 place).
    nwords = 20
    mp.dps = 500
    v = 2 / pi
    words = []
    for _ in range(nwords):
        v *= mpf(2) ** 64
        w = int(floor(v))
        words.append(w)
        v -= w
    mp.dps = 80
    emit("/// The fraction bits of 2/pi, 64 per word, most significant first: word i holds the bits")
    emit("/// of weight 2^-(64i+1) .. 2^-(64i+64). 1,280 bits cover every f64 exponent.")
    emit(f"pub(crate) const TWO_OVER_PI_BITS: [u64; {nwords}] = [")
    for w in words:
        emit(f"    0x{w:016x},")
    emit("];")



def main_f32():
    emit("//! f32 constants and minimax coefficients for the native f32 lanes, generated by")
    emit("//! `tools/math_coefficients.py f32` (see that script). Do not edit by hand.")
    emit("//! Polynomials are listed from the constant term up; fitted for f32 precision.")
    emit("")
    ln2 = log(2)
    rmax = ln2 / 2 + mpf("1e-4")
    poly("EXPM1_POLY_F32", lambda r: (expm1(r) - r - r * r / 2) / r**3, -rmax, rmax, 4,
         "e^r = 1 + r + r^2/2 + r^3 * P(r) for |r| <= ln2/2 (f32).")
    smax = (sqrt(2) - 1) / (sqrt(2) + 1) + mpf("1e-6")

    def log_r_over_w(w):
        s = sqrt(w)
        return (2 * atanh(s) - 2 * s) / s / w

    poly("LOG_POLY_F32", log_r_over_w, mpf(0), smax**2, 3,
         "log((1+s)/(1-s)) = 2s + s * w * P(w), w = s^2 (f32).")
    # The f32 reduction rounds x*2/pi in f32: for |x| <= 2^16 the remainder can exceed pi/4
    # by (pi/2) * 2^-9 < 0.003.
    zmax = (pi / 4 + mpf("3e-3"))**2
    poly("SIN_POLY_F32", lambda z: (sin(sqrt(z)) - sqrt(z)) / sqrt(z)**3, mpf(0), zmax, 3,
         "sin(r) = r + r^3 * P(z), z = r^2, |r| <= pi/4 (f32).")
    poly("COS_POLY_F32", lambda z: (cos(sqrt(z)) - 1 + z / 2) / z**2, mpf(0), zmax, 3,
         "cos(r) = 1 - z/2 + z^2 * P(z), z = r^2, |r| <= pi/4 (f32).")
    tmax = mpf(7) / 16
    poly("ATAN_POLY_F32", lambda z: (atan(sqrt(z)) - sqrt(z)) / sqrt(z)**3, mpf(0), tmax**2, 5,
         "atan(t) = t + t^3 * P(z), z = t^2, |t| <= 7/16 (f32).")
    poly("ASIN_POLY_F32", lambda z: (asin(sqrt(z)) - sqrt(z)) / sqrt(z)**3, mpf(0), mpf(1) / 4,
         5, "asin(s) = s + s^3 * P(z), z = s^2, |s| <= 1/2 (f32).")
    emit("")
    const("LN2_HI_F32", truncate(ln2, 16), "ln 2 truncated to 16 bits: n * LN2_HI_F32 is exact for |n| < 2^8.")
    const("LN2_LO_F32", ln2 - truncate(ln2, 16), "ln 2 - LN2_HI_F32.")
    const("LOG2_E_F32", 1 / ln2, "1 / ln 2.")
    # pi/2 in four f32 pieces: x - n*P1 is exact with FMA (see single.rs), the others carry
    # the rest (96 bits in all); pi in two (arctan2, arccos).
    c = pi / 2
    p1 = mpf(rnd(c))
    p2 = mpf(rnd(c - p1))
    p3 = mpf(rnd(c - p1 - p2))
    p4 = mpf(rnd(c - p1 - p2 - p3))
    const("PIO2_A_F32", p1, "pi/2 rounded to f32.")
    const("PIO2_B_F32", p2, "pi/2 - PIO2_A_F32, rounded.")
    const("PIO2_C_F32", p3, "pi/2 - PIO2_A_F32 - PIO2_B_F32, rounded.")
    const("PIO2_D_F32", p4, "pi/2 - PIO2_A_F32 - PIO2_B_F32 - PIO2_C_F32, rounded.")
    const("PI_A_F32", pi, "pi rounded to f32.")
    const("PI_B_F32", pi - mpf(rnd(pi)), "pi - PI_A_F32, rounded.")
    const("TWO_OVER_PI_F32", 2 / pi, "2/pi rounded.")
    # log2/log10 carry log(1+f) as hi + lo (hi with 12 significant bits): 1/ln2 and 1/ln10
    # split the same way, so hi * INV_*_HI is exact.
    for name, c in (("INV_LN2", 1 / ln2), ("INV_LN10", 1 / log(10))):
        h = truncate(c, 12)
        const(f"{name}_HI_F32", h, f"{name.lower()} truncated to 12 bits.")
        const(f"{name}_LO_F32", c - h, f"{name.lower()} - {name}_HI_F32, rounded.")
    l102 = log(2) / log(10)
    const("LOG10_2_HI_F32", truncate(l102, 16), "log10(2) truncated to 16 bits: k * it is exact.")
    const("LOG10_2_LO_F32", l102 - truncate(l102, 16), "log10(2) - LOG10_2_HI_F32, rounded.")


if PRECISION == "f32":
    main_f32()
else:
    main_f64()

print("\n".join(OUT))
