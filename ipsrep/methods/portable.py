"""Floating-point arithmetic that gives the same bits on every CPU, BLAS kernel and SIMD width.

The reconstruction's searches (:mod:`ipsrep.synthetic.linkage`) take accept/reject
decisions on computed losses, so a result that differs in its last bit between two
machines can send the search down another path and give another file. IEEE 754 makes
``+ - * /`` and ``sqrt`` correctly rounded, so numpy's element-wise ufuncs for them return
the same bits whichever SIMD loop runs them. What does not: reductions through BLAS and
LAPACK (``@``, ``dot``, ``linalg.cholesky``, ``linalg.solve``: the kernel chosen by
``OPENBLAS_CORETYPE``, the thread count and the blocking change the order of the
additions), ``einsum``'s vectorised inner loops, and the transcendental ufuncs
(``np.log``, ``np.exp``, ``np.log1p`` and ``np.power`` have AVX-512/SVML or libm
variants that differ by an ulp between CPUs).

This module computes what the searches need from the correctly rounded operations
alone, in an order fixed by the code: logarithm and exponential by argument reduction
and a fixed polynomial, the Schur complement and the symmetric solve by Gaussian
elimination written out over the (at most 5 x 5) matrix indices, vectorised over any
leading batch axes. They agree with numpy's to a few ulp (``tests/test_determinism.py``),
and are the same bits everywhere.
"""
from __future__ import annotations

import numpy as np

__all__ = ["log", "log1p", "exp", "rowsum", "total", "cross_products", "eliminate", "schur_last", "solve",
           "solve_spd", "matmul", "quantise"]

_LN2_HI = 6.93147180369123816490e-01  # ln 2 split so that k * _LN2_HI is exact for |k| < 2**20
_LN2_LO = 1.90821492927058770002e-10
_ATANH_TERMS = 12
_SQRT_HALF = 0.7071067811865476
_EXP_TERMS = 20


def _atanh_series(s: np.ndarray) -> np.ndarray:
    """2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...) for |s| <= 0.1716 (Horner, fixed order)."""
    s2 = s * s
    acc = np.full_like(s, 1.0 / (2 * _ATANH_TERMS + 1))
    for k in range(_ATANH_TERMS - 1, -1, -1):
        acc = acc * s2 + 1.0 / (2 * k + 1)
    return 2.0 * s * acc


def log(x) -> np.ndarray:
    """Natural logarithm of positive `x` (element-wise; 0 gives -inf, negative NaN).

    ``x = m 2^e`` with m in [sqrt(1/2), sqrt(2)) (``np.frexp`` is exact), then
    ``log x = e ln 2 + 2 atanh((m - 1) / (m + 1))``.
    """
    x = np.asarray(x, dtype=float)
    m, e = np.frexp(x)
    low = m < _SQRT_HALF
    m = np.where(low, m * 2.0, m)
    e = (e - low).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = e * _LN2_HI + (_atanh_series((m - 1.0) / (m + 1.0)) + e * _LN2_LO)
        out = np.where(x > 0, out, np.where(x == 0, -np.inf, np.nan))
        return np.where(np.isinf(x) & (x > 0), np.inf, out)


def log1p(x) -> np.ndarray:
    """log(1 + x) for x > -1, accurate for small x (element-wise).

    ``u = 1 + x`` rounded, then ``log u + (x - (u - 1)) / u`` (the rounding error of u,
    corrected to first order; Goldberg 1991, Theorem 4 in spirit).
    """
    x = np.asarray(x, dtype=float)
    u = 1.0 + x
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(u == 1.0, x, log(u) + (x - (u - 1.0)) / u)


def exp(x) -> np.ndarray:
    """e^x (element-wise): ``x = k ln 2 + r``, |r| <= ln2 / 2, a Taylor polynomial in r, then ``ldexp``."""
    x = np.asarray(x, dtype=float)
    clipped = np.clip(x, -745.0, 709.0)
    k = np.rint(clipped * 1.4426950408889634)
    r = (clipped - k * _LN2_HI) - k * _LN2_LO
    acc = np.ones_like(r)
    for n in range(_EXP_TERMS, 0, -1):
        acc = acc * r / n + 1.0
    out = np.ldexp(acc, k.astype(int))
    return np.where(x > 709.0, np.inf, np.where(x < -745.0, 0.0, out))


def rowsum(x: np.ndarray) -> np.ndarray:
    """Sum over the last axis, added left to right."""
    x = np.asarray(x, dtype=float)
    out = x[..., 0].copy()
    for k in range(1, x.shape[-1]):
        out = out + x[..., k]
    return out


def total(x) -> np.ndarray:
    """Sum over the last axis by numpy's pairwise summation, on a contiguous copy.

    For a contiguous float64 axis ``np.add.reduce`` adds in blocks of eight partial sums
    and halves longer runs recursively; the order of the additions follows from the
    length alone (numpy's code, the same scalar loop under every SIMD dispatch), unlike
    ``@`` or ``dot``, whose BLAS kernel and thread count decide it.
    """
    return np.add.reduce(np.ascontiguousarray(x, dtype=float), axis=-1)


def cross_products(columns) -> np.ndarray:
    """``C' C`` for the columns of C given as the rows of `columns` (q, N): each entry the
    :func:`total` of an element-wise product, so the same bits on every BLAS kernel."""
    cols = np.ascontiguousarray(columns, dtype=float)
    q = cols.shape[0]
    out = np.empty((q, q))
    for j in range(q):
        for k in range(j, q):
            out[j, k] = out[k, j] = total(cols[j] * cols[k])
    return out


def eliminate(a: np.ndarray, p: int) -> np.ndarray:
    """Gaussian elimination of the first `p` columns of `a` (..., n, m), no pivoting (the
    leading p x p block must be positive definite), on a copy.

    For a symmetric positive definite `a` the first p diagonal elements of the result are
    the squares of its Cholesky factor's, and the trailing block is the Schur complement.
    """
    return _eliminate(a, p)


def _eliminate(a: np.ndarray, p: int) -> np.ndarray:
    """Gaussian elimination (no pivoting; the leading p x p block is positive definite) of
    the first p columns of `a` (..., n, m), in place on a copy; returns the reduced array."""
    a = np.array(a, dtype=float, copy=True)
    n, m = a.shape[-2], a.shape[-1]
    for k in range(p):
        pivot = a[..., k, k]
        for i in range(k + 1, n):
            f = a[..., i, k] / pivot
            for j in range(k + 1, m):
                a[..., i, j] = a[..., i, j] - f * a[..., k, j]
            a[..., i, k] = 0.0
    return a


def schur_last(a: np.ndarray) -> np.ndarray:
    """For a symmetric positive definite (..., n, n): ``a_nn - a_n,<n A^-1 a_<n,n``, the square
    of the last diagonal element of its Cholesky factor."""
    n = a.shape[-1]
    return _eliminate(a, n - 1)[..., n - 1, n - 1]


def solve_spd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve ``a x = b`` for symmetric positive definite `a` (..., p, p) and `b` (..., p, q)."""
    return solve(a, b)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for 2-D `a` (n, m) and `b` (m, q), each entry added left to right (no BLAS)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return rowsum(a[:, None, :] * b.T[None, :, :])


def solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve ``a x = b`` (`a` (..., p, p), `b` (..., p, q)) by Gaussian elimination without
    pivoting, in a fixed order: for matrices whose leading principal minors are all
    nonzero (symmetric positive definite ones, triangular ones with a nonzero diagonal)."""
    p, q = a.shape[-1], b.shape[-1]
    both = np.concatenate([np.broadcast_to(a, np.broadcast_shapes(a.shape, b.shape[:-1] + (p,))),
                           np.broadcast_to(b, np.broadcast_shapes(a.shape[:-1] + (q,), b.shape))], axis=-1)
    red = _eliminate(both, p)
    x = np.empty(red.shape[:-2] + (p, q))
    for i in range(p - 1, -1, -1):
        acc = red[..., i, p:].copy()
        for j in range(i + 1, p):
            acc = acc - red[..., i, j, None] * x[..., j, :]
        x[..., i, :] = acc / red[..., i, i, None]
    return x


def quantise(x, quantum: float = 1e-9) -> np.ndarray:
    """`x` rounded to a multiple of `quantum` (loss values before they are compared)."""
    return np.rint(np.asarray(x, dtype=float) / quantum) * quantum
