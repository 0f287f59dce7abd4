using System.Numerics;
using System.Runtime.CompilerServices;

namespace FixedShapeLoss;

// Double-precision exp, written once for every width (ISimdVector), so scalar, 128, 256 and 512 bits give the
// same bits. (float lanes take KernelMath.Exp, the single-precision algorithm.)
//
//   1. clamp x to [-746, 709.8] (NaN passes through): below -745.13 the result rounds to +0, above 709.78 to +inf;
//   2. n = round-to-nearest(x * log2(e)) with the 1.5 * 2^52 shifter;
//   3. r = x - n * Ln2Hi - n * Ln2Lo (Cody-Waite, fdlibm's split: Ln2Hi has 32 significant bits, so n * Ln2Hi
//      is exact), |r| <= 0.3466;
//   4. exp(r) ~ 1 + r + r^2 T(r), T of degree 9: c2 = 1/2, c3..c11 a Chebyshev fit (near the minimax; made by
//      SimdExpPolynomial.py beside this file), worst relative error 3.3e-17 on that range before the evaluation's
//      roundings (Taylor to r^13 until stop 20: 4e-18, two more terms); evaluated as 1 + (r + r^2 T(r)) with T in
//      Estrin's form (4 dependent steps after r; Horner's form takes 11);
//   5. exp(x) = p * 2^n1 * 2^n2 with n1 = round(n / 2), n2 = n - n1: each factor is a normal power of two for
//      every n in [-1077, 1024], the first product is exact, so subnormal results are rounded once.
// Checked against Math.Exp on 4 * 10^5 random x in [-708, 709] and at the edges (KernelCoreTests): relative error
// below 4e-16, the same bits at every width; results below the smallest subnormal round to 0.
internal static class SimdExp
{
    /// <summary>The bits of the shifter 1.5 * 2^52.</summary>
    public const long ShifterBits = 0x4338000000000000;

    /// <summary>1.5 * 2^52: adding it rounds to an integer, which then sits in the low bits of the mantissa.</summary>
    public const double Shifter = 6755399441055744.0;

    /// <summary>ln 2 in two parts (fdlibm's split): Ln2Hi has 32 significant bits, so n * Ln2Hi is exact.</summary>
    public const double Ln2Hi = 6.93147180369123816490e-01;

    /// <summary>ln 2 - <see cref="Ln2Hi"/>.</summary>
    public const double Ln2Lo = 1.90821492927058770002e-10;

    private const double Log2E = 1.4426950408889634;
    private const double ClampLow = -746.0;
    private const double ClampHigh = 709.8;

    /// <summary>exp of each lane of a double vector (<typeparamref name="T"/> is double). Deliberately not inlined
    /// into its callers: as a call of its own, every vector operation inside it is inlined (inlined into a large
    /// caller, the JIT's inlining budget runs out and leaves the operations as calls: measured 3x slower).</summary>
    public static TV Double<TV, T>(TV x)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        DoubleInlined<TV, T>(x);

    /// <summary><see cref="Double{TV, T}"/> inlined, for a caller small enough to take it whole (<see cref="RowTiles"/>:
    /// a call per column would spill the live vectors around each call, since no vector register survives a call).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV DoubleInlined<TV, T>(TV x)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        x = TV.Clamp(x, T.CreateTruncating(ClampLow), T.CreateTruncating(ClampHigh));
        TV shifter = C<TV, T>(Shifter);
        TV n = TV.Subtract(TV.MultiplyAdd(x, C<TV, T>(Log2E), shifter), shifter);
        TV p = TV.Add(C<TV, T>(1.0), ExpMinusOne<TV, T>(x, n));

        // 2^n as two normal powers of two.
        TV t1 = TV.MultiplyAdd(n, C<TV, T>(0.5), shifter);
        TV n1 = TV.Subtract(t1, shifter);
        TV t2 = TV.Add(TV.Subtract(n, n1), shifter);
        return TV.Multiply(TV.Multiply(p, TV.Pow2FromShifted(t1, 0)), TV.Pow2FromShifted(t2, 0));
    }

    /// <summary><see cref="DoubleInlined{TV, T}"/> for lanes that are at most 0 (or NaN): <c>exp(x_j - m)</c> with m the
    /// row's maximum, as in a softmax. The same bits as <see cref="DoubleInlined{TV, T}"/> on that range, with fewer
    /// steps: no upper clamp, and 2^n as one power of two: p 2^-54 (exact) times 2^(n + 54), which is normal for every
    /// n in [-1076, 0], so the product is rounded once, as there (exact for a normal result).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV NonPositiveInlined<TV, T>(TV x)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        x = TV.Max(C<TV, T>(ClampLow), x); // Max returns its second operand, x, when either is NaN
        TV shifter = C<TV, T>(Shifter);
        TV shifted = TV.MultiplyAdd(x, C<TV, T>(Log2E), shifter); // shifter + n, n = round(x log2 e)
        TV n = TV.Subtract(shifted, shifter);

        // p 2^-54 = (1 + q) 2^-54 in one step: rounding (1 + q) and scaling it by a power of two commute while the
        // result stays normal (it is near 2^-54), so this is the full exp's p, scaled exactly.
        TV tiny = C<TV, T>(1.0 / 18014398509481984.0); // 2^-54
        TV scaledP = TV.MultiplyAdd(ExpMinusOne<TV, T>(x, n), tiny, tiny);
        return TV.Multiply(scaledP, TV.Pow2FromShifted(shifted, 54));
    }

    /// <summary>q = exp(r) - 1 for r = x - n ln 2 (steps 3 and 4 above): r + r^2 T(r), T(r) = c2 + c3 r + ... + c11 r^9,
    /// T by Estrin's scheme: pairs c_k + c_(k+1) r, joined with r^2 into B0 (c2..c5) and B1 (c6..c9), then
    /// q = (r + r^2 B0) + r^6 (B1 + r^4 (c10 + c11 r)): four dependent steps after r instead of Horner's eleven (the
    /// latency of a short row's exp is what a small matrix waits for); the callers add 1 in one rounding, which keeps
    /// Horner's accuracy. Stop 20 replaced the Taylor polynomial to r^13 (T of degree 11, 15 multiplications) by this
    /// fit of degree 11 (13 multiplications): the worst relative error against Math.Exp stays 2.2e-16 (KernelCoreTests,
    /// 4 * 10^5 inputs), and 4 x 7 double forward, Zen 4 AVX-512, console loop: 61.7-62.1 → 58.4-59.8 ns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ExpMinusOne<TV, T>(TV x, TV n)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV r = TV.MultiplyAdd(n, C<TV, T>(-Ln2Hi), x);
        r = TV.MultiplyAdd(n, C<TV, T>(-Ln2Lo), r);
        TV r2 = TV.Multiply(r, r);
        TV r4 = TV.Multiply(r2, r2);
        TV r6 = TV.Multiply(r2, r4);
        // c2 + c3 r, ..., c10 + c11 r (SimdExpPolynomial.py; c3 is 1/6 rounded)
        TV a0 = TV.MultiplyAdd(C<TV, T>(0.16666666666666666), r, C<TV, T>(0.5));
        TV a1 = TV.MultiplyAdd(C<TV, T>(0.008333333333332157), r, C<TV, T>(0.041666666666651364));
        TV a2 = TV.MultiplyAdd(C<TV, T>(0.00019841269854330997), r, C<TV, T>(0.001388888890587164));
        TV a3 = TV.MultiplyAdd(C<TV, T>(2.7557280082232674e-06), r, C<TV, T>(2.480153640847632e-05));
        TV a4 = TV.MultiplyAdd(C<TV, T>(2.509554623258452e-08), r, C<TV, T>(2.7613795880755543e-07));
        TV b0 = TV.MultiplyAdd(a1, r2, a0);
        TV b1 = TV.MultiplyAdd(a3, r2, a2);
        return TV.MultiplyAdd(TV.MultiplyAdd(a4, r4, b1), r6, TV.MultiplyAdd(b0, r2, r));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV C<TV, T>(double value)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TV.Create(T.CreateTruncating(value));
}
