using System.Runtime.CompilerServices;
using System.Numerics;

namespace FixedShapeLoss;

// Double-precision log of a whole vector, written once for every width (ISimdVector), for the lanes = rows kernels
// (RowTiles), which need log s for as many rows as a vector has lanes at once.
//
//   1. x = z * 2^k with z in about [0.6895, 1.3789) by integer arithmetic on the bits, and the row of z's interval
//      in SimdLogTable (128 intervals): c near the interval's centre, 1 / c, log c in two parts (ISimdVector.LogReduce);
//   2. r = (z - c) * (1 / c) = z / c - 1 with one rounding (z - c is exact, and 1 / c is within 2^-62 of its double),
//      |r| <= 2^-8;
//   3. log x = k ln 2 + log c + log1p(r), with log1p(r) = r + r^2 q(r), q = -1/2 + r/3 - ... + r^5/7 (Taylor to r^7:
//      the first term left out, r^8 / 8, is below 2e-18 of |r|), q in Estrin's form; k Ln2Hi + log c high is exact,
//      hi = that + r and the rounding error of hi (Fast2Sum: |k Ln2Hi + log c high| >= |r| or 0) go separately
//      into the low part with k Ln2Lo + log c low.
// No division, and no FMA the accuracy depends on (k Ln2Hi + log c high is exact either way; the others add terms
// at most 2^-16 of the result): relative error below 4e-16 against Math.Log with MultiplyAdd fused or not
// (KernelCoreTests, which CI also runs with SIMD off, where it is not fused). The previous form
// (2 atanh(f / (2 + f)), 11 terms) waited on a division and 5 polynomial steps; this one on 4 table loads per lane
// and 3 steps: 4 x 7 double forward, Zen 4 AVX-512, about 3 ns less per call (console loop, 67-69 against 70-71 ns).
// For positive normal x (the sums of exps, at least 1), and NaN, which stays NaN: (x - x) is added to the low part.
internal static class SimdLog
{
    /// <summary>log of each lane of a double vector (<typeparamref name="T"/> is double) of positive normal
    /// numbers or NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Double<TV, T>(TV x)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV z = TV.LogReduce(x, out TV k, out TV c, out TV inverse, out TV logHigh, out TV logLow);
        TV r = TV.Multiply(TV.Subtract(z, c), inverse);
        TV w = TV.MultiplyAdd(k, C(SimdExp.Ln2Hi), logHigh); // exact: k Ln2Hi has at most 43 significant bits, log c high is a multiple of 2^-42
        TV hi = TV.Add(w, r);
        TV low = TV.Add(TV.MultiplyAdd(k, C(SimdExp.Ln2Lo), logLow), TV.Subtract(x, x)); // NaN stays NaN
        TV lo = TV.Add(TV.Add(TV.Subtract(w, hi), r), low); // (w - hi) + r: hi's rounding error, exactly
        // q(r) = (-1/2 + r/3) + r^2 (-1/4 + r/5) + r^4 (-1/6 + r/7)
        TV r2 = TV.Multiply(r, r);
        TV r4 = TV.Multiply(r2, r2);
        TV a0 = TV.MultiplyAdd(C(1.0 / 3.0), r, C(-0.5));
        TV a1 = TV.MultiplyAdd(C(1.0 / 5.0), r, C(-0.25));
        TV a2 = TV.MultiplyAdd(C(1.0 / 7.0), r, C(-1.0 / 6.0));
        TV q = TV.MultiplyAdd(a2, r4, TV.MultiplyAdd(a1, r2, a0));
        return TV.Add(hi, TV.MultiplyAdd(r2, q, lo));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static TV C(double value) => TV.Create(T.CreateTruncating(value));
    }
}
