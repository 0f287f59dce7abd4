using System.Runtime.CompilerServices;
using System.Numerics;

namespace FixedShapeLoss;

// Double-precision log of a whole vector, written once for every width (ISimdVector), for the lanes = rows kernels
// (RowTiles), which need log s for as many rows as a vector has lanes at once.
//
//   1. x = m * 2^k with m in [sqrt(1/2), sqrt(2)) by integer arithmetic on the bits (musl's log does the same): add
//      1 - sqrt(1/2)'s bit distance to the bits, the exponent field is then k + 1023, and the mantissa field put back
//      under sqrt(1/2)'s exponent is m;
//   2. f = m - 1 (exact), u = f / (2 + f), |u| <= 0.1716, and log(1 + f) = 2 atanh(u) = 2u + 2u (z/3 + z^2/5 + ...),
//      z = u^2 <= 0.0295: 11 terms (to z^10 / 23, in Estrin's form) leave a truncation error below
//      0.0295^11 / 25 ~ 6e-19 relative;
//   3. log x = k Ln2Hi + (2u + 2u z P(z) + k Ln2Lo) (Ln2Hi has 32 significant bits, so k Ln2Hi is exact).
// For positive normal x (the sums of exps, at least 1), and NaN, which stays NaN: (x - x) is added at the end.
internal static class SimdLog
{
    /// <summary>Added to a double's bits: moves [sqrt(1/2), sqrt(2)) onto one exponent.</summary>
    public const long SplitBias = 0x3FF0000000000000 - SqrtHalfBits;

    /// <summary>The bits of sqrt(1/2) rounded down to a double.</summary>
    public const long SqrtHalfBits = 0x3FE6A09E667F3BCD;

    /// <summary>The 52 mantissa bits.</summary>
    public const long MantissaMask = 0x000FFFFFFFFFFFFF;


    /// <summary>log of each lane of a double vector (<typeparamref name="T"/> is double) of positive normal
    /// numbers or NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Double<TV, T>(TV x)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV m = TV.SplitExponent(x, out TV k);
        TV f = TV.Subtract(m, C(1.0));
        TV u = TV.Divide(f, TV.Add(f, C(2.0)));
        TV z = TV.Multiply(u, u);
        // P(z) = 1/3 + z/5 + ... + z^10/23 by Estrin's scheme (pairs joined with z^2, z^4, z^8): 5 dependent steps.
        TV z2 = TV.Multiply(z, z);
        TV z4 = TV.Multiply(z2, z2);
        TV z8 = TV.Multiply(z4, z4);
        TV a0 = TV.MultiplyAdd(C(1.0 / 5.0), z, C(1.0 / 3.0));
        TV a1 = TV.MultiplyAdd(C(1.0 / 9.0), z, C(1.0 / 7.0));
        TV a2 = TV.MultiplyAdd(C(1.0 / 13.0), z, C(1.0 / 11.0));
        TV a3 = TV.MultiplyAdd(C(1.0 / 17.0), z, C(1.0 / 15.0));
        TV a4 = TV.MultiplyAdd(C(1.0 / 21.0), z, C(1.0 / 19.0));
        TV b0 = TV.MultiplyAdd(a1, z2, a0);
        TV b1 = TV.MultiplyAdd(a3, z2, a2);
        TV p = TV.MultiplyAdd(TV.MultiplyAdd(C(1.0 / 23.0), z2, a4), z8, TV.MultiplyAdd(b1, z4, b0));
        TV twoU = TV.Add(u, u);
        TV log1p = TV.MultiplyAdd(TV.Multiply(twoU, z), p, twoU); // 2u + 2u z P(z)
        TV low = TV.MultiplyAdd(k, C(SimdExp.Ln2Lo), log1p);
        return TV.Add(TV.MultiplyAdd(k, C(SimdExp.Ln2Hi), low), TV.Subtract(x, x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static TV C(double value) => TV.Create(T.CreateTruncating(value));
    }
}
