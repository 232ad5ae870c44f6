#!/usr/bin/env python3
"""The coefficients of include/typeflow/kernels/vector_math.hpp, fitted here (NumPy):

  expm1_reduced  e^r - 1 = r + r^2 P(r) on |r| <= ln(2)/2, P of degree 4 interpolating
                 (e^r - 1 - r)/r^2 at the Chebyshev nodes (close to the minimax polynomial)
  tanh           tanh(x) = x P(x^2)/Q(x^2) on [0, 9], P and Q of degree 4, Q(0) = 1: linearised
                 least squares on the relative error (Loeb), reweighted towards its maximum (Lawson)

  python3 benchmarks/accuracy/fit_vector_math.py

prints each fit's error before rounding and the coefficients as float literals, highest degree
first (the order of the header's Horner steps). benchmarks/accuracy/vector_math_ulp.cpp measures
the error after rounding, in float, over every finite float.
"""
import numpy as np


def expm1_poly(degree=4):
    h = np.log(2) / 2
    # (e^r - 1 - r)/r^2 = sum_k r^k/(k+2)!, summed in long double
    def f(r):
        r = np.asarray(r, dtype=np.longdouble)
        total, term = np.zeros_like(r), np.full_like(r, 0.5)
        for k in range(3, 40):
            total += term
            term = term * r / k
        return total
    nodes = h * np.cos((2 * np.arange(degree + 1) + 1) * np.pi / (2 * (degree + 1)))
    coef = np.polyfit(nodes, f(nodes).astype(float), degree)  # highest degree first
    r = np.linspace(-h, h, 200001)
    p = np.polyval(coef.astype(np.float32).astype(np.longdouble), r)
    err = np.max(np.abs(r * r * (p - f(r))) / np.abs(np.expm1(r.astype(np.longdouble)) + (r == 0)))
    return coef.astype(np.float32), float(err)


def tanh_rational(num_degree=4, den_degree=4, end=9.0, iterations=60):
    x = np.unique(np.concatenate([np.linspace(0, end, 20000)[1:], np.geomspace(1e-4, 1, 2000)]))
    t = x * x
    f = np.tanh(x) / x
    u = t / t.max()  # scaled into [0, 1] for the solve's conditioning
    q_prev, w = np.ones_like(u), np.ones_like(u)
    for it in range(iterations):
        a = np.hstack([np.vander(u, num_degree + 1, increasing=True),
                       -f[:, None] * np.vander(u, den_degree + 1, increasing=True)[:, 1:]])
        scale = w / (f * q_prev)  # relative error, as in Loeb's iteration
        sol, *_ = np.linalg.lstsq(a * scale[:, None], f * scale, rcond=None)
        p, q = sol[:num_degree + 1], np.concatenate([[1.0], sol[num_degree + 1:]])
        pv, q_prev = np.polyval(p[::-1], u), np.polyval(q[::-1], u)
        err = np.abs(pv / q_prev - f) / f
        if it > 10:  # Lawson: weight the worst points up
            w = w * np.sqrt(err / err.max())
            w /= w.max()
    unscale = lambda c: c * (1.0 / t.max()) ** np.arange(len(c))
    return unscale(p)[::-1].astype(np.float32), unscale(q)[::-1].astype(np.float32), float(err.max())


def literals(coef):
    return ", ".join(repr(float(c)) + "f" for c in coef)


if __name__ == "__main__":
    p, err = expm1_poly()
    print("expm1_reduced P (relative error %.2g): %s" % (err, literals(p)))
    num, den, err = tanh_rational()
    print("tanh P (relative error %.2g): %s" % (err, literals(num)))
    print("tanh Q: %s" % literals(den))
