"""erf and erfc on NumPy arrays, in float64, to within a few units in the last place (NumPy has no erf,
and nnlib depends on NumPy only). GELU uses erfc.

For a = |x|, erfc(a) = exp(-a^2) R(a) with R(a) = exp(a^2) erfc(a), a smooth, slowly varying function
(R(0) = 1, R(a) ~ 1/(a sqrt(pi)) for large a), evaluated by region:

  a < 6       R by its Taylor series about the nearest point c = k/32 of a grid. R solves the
              differential equation R' = 2aR - 2/sqrt(pi), so its Taylor coefficients follow from R(c)
              alone:  r[0] = R(c),  r[1] = 2c r[0] - 2/sqrt(pi),  (n+1) r[n+1] = 2c r[n] + 2 r[n-1].
              R(c) comes from Python's math.erfc, once per grid point, at import. With |a - c| <= 1/64,
              9 terms reach full float64 precision, and an error in R(c) grows by at most e^(2c/64).
              (c = 0 is a grid point, where R(0) = 1 exactly: erfc(0) = 1.)
  6 <= a < 27 Laplace's continued fraction  erfc(a) = exp(-a^2) / (sqrt(pi) (a + (1/2)/(a + 1/(a + (3/2)/
              (a + ...))))), which converges fast for large a;
  a >= 27     erfc(a) underflows to 0.

erf(x) = 1 - erfc(x), except for |x| < 0.5, where it is its own Taylor series (1 - erfc would lose the
relative accuracy of a small erf). exp(-a^2) is computed as exp(-h^2) exp(-(a - h)(a + h)), with h = a
rounded to 21 significant bits, so that h^2 is exact: the rounding error of a^2 itself (up to 4e-15 at
a = 6) would otherwise be amplified by exp.

Measured against mpmath at 30 digits on 75,000 points in [-27, 27]: erf within 2 ulp (4.3e-16 relative;
math.erf: 1 ulp), erfc within 4 ulp (6.1e-16 relative; math.erfc: 2 ulp).
"""
import math
from fractions import Fraction

import numpy as np

_SQRT_PI = math.sqrt(math.pi)
_GRID = 32  # expansion points per unit of a
_TABLE_END, _ZERO_FROM, _SMALL = 6.0, 27.0, 0.5
_TERMS, _FRACTION_TERMS = 9, 16

# erf(a) = (2/sqrt(pi)) sum_n (-1)^n a^(2n+1) / (n! (2n+1)): the coefficients of (a^2)^n, highest first (Horner)
_ERF_SERIES = [float(Fraction(2 * (-1) ** n, math.factorial(n) * (2 * n + 1)) / Fraction(_SQRT_PI))
               for n in range(14)][::-1]


def _taylor_table():
    """Row n holds the n-th Taylor coefficient of R about every grid point c (one column per c)."""
    centres = np.arange(int(_TABLE_END * _GRID) + 1) / _GRID  # c has at most 8 significant bits: c * c is exact
    table = np.empty((_TERMS, len(centres)))
    for k, c in enumerate(centres.tolist()):
        r = [math.erfc(c) * math.exp(c * c)]
        r.append(2 * c * r[0] - 2 / _SQRT_PI)
        for n in range(1, _TERMS - 1):
            r.append((2 * c * r[n] + 2 * r[n - 1]) / (n + 1))
        table[:, k] = r
    return table, centres


_R_TAYLOR, _R_CENTRES = _taylor_table()


def _exp_minus_square(a):
    """exp(-a^2) for a >= 0, without the rounding error of a^2."""
    h = (a.view(np.uint64) & np.uint64(0xFFFFFFFF00000000)).view(np.float64)  # clear the low 32 bits: h*h is exact
    rest = (a - h) * (a + h)
    h *= h
    np.negative(h, out=h)
    np.negative(rest, out=rest)
    return np.exp(h, out=h) * np.exp(rest, out=rest)  # in place: fewer fresh arrays, which cost page faults


def _erf_series(a):
    a2 = a * a
    total = np.full_like(a, _ERF_SERIES[0])
    for coefficient in _ERF_SERIES[1:]:
        total = total * a2 + coefficient
    return a * total


def _erfc_continued_fraction(a):
    denominator = a.copy()
    for n in range(_FRACTION_TERMS, 0, -1):
        denominator = a + (n / 2) / denominator
    return _exp_minus_square(a) / (_SQRT_PI * denominator)


def _erfc_nonnegative(a):
    # the nearest grid point; fmin keeps NaN out of the integer cast (it returns the other operand), and a >= 6
    # goes to the last point (the tail below replaces those)
    k = (np.fmin(a, _TABLE_END) * _GRID + 0.5).astype(np.intp)
    with np.errstate(over="ignore", invalid="ignore"):  # a >= 6 overflows here; the tail below replaces it
        u = a - _R_CENTRES.take(k)
        r = _R_TAYLOR[-1].take(k)
        coefficient = np.empty_like(a)
        for row in _R_TAYLOR[-2::-1]:  # Horner, in place
            r *= u
            r += row.take(k, out=coefficient)
        out = _exp_minus_square(a)
        out *= r
    tail = a >= _TABLE_END
    if tail.any():
        far = a[tail]
        out[tail] = np.where(far < _ZERO_FROM, _erfc_continued_fraction(np.fmin(far, _ZERO_FROM)), 0.0)
    return out


def erfc(x):
    """erfc(x) = 1 - erf(x) elementwise, as float64, accurate relative to its own size even where it is tiny."""
    x = np.asarray(x, dtype=np.float64)
    flat = x.reshape(-1)  # 1-D: the in-place steps need arrays, and 0-d arithmetic gives NumPy scalars
    out = _erfc_nonnegative(np.abs(flat))
    negative = flat < 0
    out[negative] = 2 - out[negative]  # erfc(-a) = 2 - erfc(a)
    return out.reshape(x.shape)


def erf(x):
    """erf(x) = (2/sqrt(pi)) * integral from 0 to x of exp(-t^2) dt, elementwise, as float64."""
    x = np.asarray(x, dtype=np.float64)
    a = np.abs(x.reshape(-1))  # 1-D: the in-place steps need arrays, and 0-d arithmetic gives NumPy scalars
    out = _erfc_nonnegative(a)
    np.subtract(1, out, out=out)
    small = a < _SMALL
    out[small] = _erf_series(a[small])
    return np.copysign(out.reshape(x.shape), x)  # erf is odd; NaN stays NaN
