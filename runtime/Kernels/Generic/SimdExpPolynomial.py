# Prints the coefficients c3..c11 of SimdExp's polynomial, as pasted there, and the approximation's worst relative error.
# exp(r) ~ 1 + r + r^2 (1/2 + r U(r)) on |r| <= ln2 / 2, U of degree 8 a Chebyshev fit (mpmath.chebyfit: near the
# minimax) of (exp(r) - 1 - r - r^2 / 2) / r^3; c2 = 1/2 is kept exact. Run: python3 SimdExpPolynomial.py (needs mpmath).
from mpmath import mp, mpf, exp, log, chebyfit, nstr

mp.dps = 50
H = log(2) / 2 + mpf('1e-6')  # |r| <= ln2 / 2, and a little for the rounding of r


def u(r):
    if abs(r) < mpf('1e-12'):
        return mpf(1) / 6 + r / 24
    return ((exp(r) - 1 - r) / r**2 - mpf('0.5')) / r


poly, _ = chebyfit(u, [-H, H], 9, error=True)
coefficients = [0.5] + [float(c) for c in reversed(poly)]  # c2, c3, ..., c11, each rounded to double
for k, c in enumerate(coefficients):
    print(f"c{k + 2} = {c!r}")

# The worst relative error of 1 + r + r^2 T(r) with the double coefficients, in exact arithmetic (the evaluation's
# roundings come on top: the tests measure the whole exp against Math.Exp).
worst = max(abs((1 + r + r * r * sum(mpf(c) * r**k for k, c in enumerate(coefficients))) / exp(r) - 1)
            for r in (-H + 2 * H * i / 4000 for i in range(4001)))
print(f"worst relative error {nstr(worst, 3)} (Taylor to r^11: {nstr(H**12 / 479001600, 3)})")
