using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FixedShapeLoss;

// exp, log and log1p for the element-wise losses, written once over IFamilyVector and compiled by the JIT for
// every vector width and for float and double (the typeof(T) tests below are constants to it).
//
//   exp(x), x <= 0:  float: the core's softmax exp, KernelMath.ExpBelowMax (the bits of KernelMath.Exp). double:
//                    n = round(x / ln 2) by the 1.5 * 2^52 shifter, r = x - n ln2hi - n ln2lo (Cody-Waite; ln2hi
//                    has enough trailing zeros that n ln2hi is exact), exp(r) by Taylor to degree 12 (|r| <= 0.347 so
//                    the error is below 1e-15), times 2^n in two exact factors (subnormal results round once). x is
//                    clamped below at -746, where exp is already 0; NaN passes through.
//   log(x):          x = m 2^k, m in [sqrt(1/2), sqrt(2)) (subnormals scaled up first), f = m - 1 (exact),
//                    s = f / (2 + f), log(1 + f) = 2s (1 + s^2/3 + s^4/5 + ...) (the atanh series, |s| <= 0.172:
//                    5 terms for float, 12 for double), plus k ln 2. log(0) = -inf.
//   log1p(e), e in [0, 1]: f = e (e <= 1/2) or f = (e - 1) / 2 and + ln 2 (e > 1/2; e - 1 is exact there), then the
//                    same series (|s| <= 0.2). No rounding of 1 + e ever enters, so tiny e keep their digits.
internal static class FamilyMath<T, TV, TS>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
    where TV : struct
    where TS : IFamilyVector<TV, T>
{
    private static bool Single
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => typeof(T) == typeof(float);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV C(double value) => TS.Splat(T.CreateTruncating(value));

    /// <summary>e^x for x &lt;= 0 (NaN gives NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV ExpNonPositive(TV x)
    {
        if (Single)
        {
            // Raw vectors in and out (BitCast between same-sized vector types is a no-op to the JIT).
            if (typeof(TV) == typeof(Vector512<T>))
            {
                return Unsafe.BitCast<Vector512<float>, TV>(KernelMath.ExpBelowMax(Unsafe.BitCast<TV, Vector512<float>>(x)));
            }

            if (typeof(TV) == typeof(Vector256<T>))
            {
                return Unsafe.BitCast<Vector256<float>, TV>(KernelMath.ExpBelowMax(Unsafe.BitCast<TV, Vector256<float>>(x)));
            }

            return Unsafe.BitCast<Vector128<float>, TV>(KernelMath.ExpBelowMax(Unsafe.BitCast<TV, Vector128<float>>(x)));
        }

        x = TS.Max(C(-746.0), x); // lo > x ? lo : x keeps NaN
        TV shifter = C(FamilyBits.DoubleShifter);
        TV t = TS.MulAdd(x, C(1.4426950408889634), shifter);
        TV n = TS.Subtract(t, shifter);
        TV r = TS.MulAdd(n, C(-6.93147180369123816490e-01), x);
        r = TS.MulAdd(n, C(-1.90821492927058770002e-10), r);
        TV p = TS.MulAdd(C(1.0 / 479001600), r, C(1.0 / 39916800));
        p = TS.MulAdd(p, r, C(1.0 / 3628800));
        p = TS.MulAdd(p, r, C(1.0 / 362880));
        p = TS.MulAdd(p, r, C(1.0 / 40320));
        p = TS.MulAdd(p, r, C(1.0 / 5040));
        p = TS.MulAdd(p, r, C(1.0 / 720));
        p = TS.MulAdd(p, r, C(1.0 / 120));
        p = TS.MulAdd(p, r, C(1.0 / 24));
        p = TS.MulAdd(p, r, C(1.0 / 6));
        p = TS.MulAdd(p, r, C(0.5));
        p = TS.MulAdd(p, r, C(1.0));
        p = TS.MulAdd(p, r, C(1.0));
        return TS.ScaleByShiftedExponent(p, t);
    }

    /// <summary>log(1 + e) for e in [0, 1] (NaN gives NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Log1pUnit(TV e)
    {
        TV big = TS.GreaterThan(e, C(0.5));
        TV f = TS.Select(big, TS.Multiply(TS.Subtract(e, C(1.0)), C(0.5)), e);
        TV log = LogOnePlus(f);
        return TS.Add(log, TS.Select(big, C(0.69314718055994530942), TS.Splat(T.Zero)));
    }

    /// <summary>log(x) for x &gt;= 0: -inf at 0, exact 0 at 1, subnormals included.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Log(TV x)
    {
        // Subnormals: scale by 2^32 (float) or 2^64 (double) first so the exponent field is exact.
        TV tiny = TS.GreaterThan(Single ? C(1.1754943508222875e-38) : C(2.2250738585072014e-308), x);
        TV scaled = TS.Select(tiny, TS.Multiply(x, Single ? C(4294967296.0) : C(18446744073709551616.0)), x);
        TV m = TS.Decompose(scaled, out TV k);
        k = TS.Subtract(k, TS.Select(tiny, Single ? C(32.0) : C(64.0), TS.Splat(T.Zero)));
        TV big = TS.GreaterThan(m, C(1.4142135623730951));
        m = TS.Select(big, TS.Multiply(m, C(0.5)), m);
        k = TS.Add(k, TS.Select(big, C(1.0), TS.Splat(T.Zero)));
        TV log = TS.MulAdd(k, C(0.69314718055994530942), LogOnePlus(TS.Subtract(m, C(1.0))));
        return TS.Select(TS.Equals(x, TS.Splat(T.Zero)), TS.Splat(T.NegativeInfinity), log);
    }

    /// <summary>log(1 + f) for f in [-0.3, 0.5] by the atanh series of s = f / (2 + f).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV LogOnePlus(TV f)
    {
        TV s = TS.Divide(f, TS.Add(C(2.0), f));
        TV z = TS.Multiply(s, s);
        TV p;
        if (Single)
        {
            p = TS.MulAdd(C(1.0 / 11), z, C(1.0 / 9));
            p = TS.MulAdd(p, z, C(1.0 / 7));
            p = TS.MulAdd(p, z, C(1.0 / 5));
            p = TS.MulAdd(p, z, C(1.0 / 3));
        }
        else
        {
            p = TS.MulAdd(C(1.0 / 25), z, C(1.0 / 23));
            p = TS.MulAdd(p, z, C(1.0 / 21));
            p = TS.MulAdd(p, z, C(1.0 / 19));
            p = TS.MulAdd(p, z, C(1.0 / 17));
            p = TS.MulAdd(p, z, C(1.0 / 15));
            p = TS.MulAdd(p, z, C(1.0 / 13));
            p = TS.MulAdd(p, z, C(1.0 / 11));
            p = TS.MulAdd(p, z, C(1.0 / 9));
            p = TS.MulAdd(p, z, C(1.0 / 7));
            p = TS.MulAdd(p, z, C(1.0 / 5));
            p = TS.MulAdd(p, z, C(1.0 / 3));
        }

        TV twoS = TS.Add(s, s);
        return TS.MulAdd(TS.Multiply(twoS, z), p, twoS); // 2s + 2s z P(z)
    }
}
