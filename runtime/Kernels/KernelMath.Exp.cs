using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

// Single-precision exp, identical bit for bit at every width (scalar, 128, 256, 512 bits) on a given machine. Two forms:
// with AVX-512 (F and VL) every width takes the table form (KernelMath.ExpTable.cs: 2^(j/16) from a 16-entry table and
// a degree-3 polynomial, 8 operations of the FMA pipes per vector instead of 10); everywhere else (AVX2, SSE, ARM64,
// no SIMD) every width takes the polynomial form below. Both are within 1 ulp of the correctly rounded result; they
// differ in which results they round the other way (figures below and in KernelMath.ExpTable.cs).
//
// The polynomial form (float only, no tables):
//   1. clamp x to [ClampLow, ClampHigh] (NaN passes through unchanged);
//   2. n = round-to-nearest-even(x * log2(e)) with the 1.5 * 2^23 shifter (one FMA);
//   3. r = x - n * Ln2Hi - n * Ln2Lo (Cody-Waite; Ln2Hi has 9 significant bits, so n * Ln2Hi and the
//      first subtraction are exact with or without FMA), |r| <= ~0.3466;
//   4. exp(r) ~ 1 + r + r^2 (C2 + C3 r + ... + C6 r^4), a degree-6 minimax fit of the relative error on
//      [-0.3466, 0.3466] (Lawson iteration; 0.06 ulp of polynomial error with the float coefficients, so the
//      rounding of the evaluation dominates), in Horner form ending with p = p * r + 1; p = p * r + 1, which
//      keeps exp(0) = 1 exactly. One FMA fewer than the degree-7 Cephes expf polynomial at the same accuracy;
//   5. exp(x) = p * 2^n with a single rounding: (p * 2^(n >> 1)) * 2^(n - (n >> 1)), whose first product is exact
//      (also for subnormal results and overflow to +inf).
//
// Every operation is the same IEEE operation at every width, and multiply-add is fused at every
// width exactly when the x86 FMA instruction set is present, so the four entry points agree bit for bit.
//
// Measured over every float in [-104, 89] against (float)Math.Exp((double)x):
//   with FMA:    max 1 ulp (max 0.909 ulp from the exact value), 0.47% of results not correctly rounded;
//   without FMA: max 1 ulp (max 1.18 ulp from the exact value), 0.82% not correctly rounded;
//   subnormal results (x in [-103.97, -87.34]): within 1 ulp (2^-149) of the correctly rounded subnormal;
//   every other float gives exactly +0 (x < -104), +inf (x > 89) or NaN.
public static partial class KernelMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;          // 355 / 512
    private const float Ln2Lo = -2.12194440e-4f;       // ln 2 - Ln2Hi
    private const float Shifter = 12582912f;           // 1.5 * 2^23: adding it rounds to an integer
    private const int ShifterBits = 0x4B400000;

    // exp(88.8) overflows to +inf; exp(-104) underflows to 0 (it is below half the smallest subnormal).
    private const float ClampHigh = 88.8f;
    private const float ClampLow = -104f;

    private const float C6 = 0.0013814593f;
    private const float C5 = 0.008368715f;
    private const float C4 = 0.04166839f;
    private const float C3 = 0.16666521f;
    private const float C2 = 0.49999994f;

    /// <summary>e raised to <paramref name="x"/>; the same algorithm and bits as the vector overloads (the table form with
    /// AVX-512, the polynomial form elsewhere).</summary>
    /// <param name="x">The exponent.</param>
    /// <returns>exp(x) within 1 ulp of the correctly rounded result (subnormal results included); NaN for NaN,
    /// +inf from 88.72284 on, +0 below -103.972 and for -inf.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x)
    {
        x = x < ClampLow ? ClampLow : x;
        x = x > ClampHigh ? ClampHigh : x;
        if (ExpUsesTable)
        {
            return ExpTable(x);
        }

        float t = MulAdd(x, Log2E, Shifter);
        float n = t - Shifter;
        float r = MulAdd(n, -Ln2Hi, x);
        r = MulAdd(n, -Ln2Lo, r);
        float p = MulAdd(C6, r, C5);
        p = MulAdd(p, r, C4);
        p = MulAdd(p, r, C3);
        p = MulAdd(p, r, C2);
        p = MulAdd(p, r, 1f);
        p = MulAdd(p, r, 1f);
        int ni = BitConverter.SingleToInt32Bits(t) - ShifterBits;
        int n1 = ni >> 1;
        float s1 = BitConverter.Int32BitsToSingle((n1 << 23) + 0x3F800000);
        float s2 = BitConverter.Int32BitsToSingle(((ni - n1) << 23) + 0x3F800000);
        return p * s1 * s2;
    }

    /// <summary>e raised to each element of <paramref name="x"/>; bit for bit <see cref="Exp(float)"/> on every lane.</summary>
    /// <param name="x">The exponents.</param>
    /// <returns>exp of each lane.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x) =>
        ExpUsesTable ? ExpTable(ClampExp<Vector128<float>, FamilyVector128<float>>(x)) : ExpPolynomialForm<Vector128<float>, FamilyVector128<float>>(x);

    /// <inheritdoc cref="Exp(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x) =>
        ExpUsesTable ? ExpTable(ClampExp<Vector256<float>, FamilyVector256<float>>(x)) : ExpPolynomialForm<Vector256<float>, FamilyVector256<float>>(x);

    /// <inheritdoc cref="Exp(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x) =>
        ExpUsesTable ? ExpTable(ClampExp<Vector512<float>, FamilyVector512<float>>(x)) : ExpPolynomialForm<Vector512<float>, FamilyVector512<float>>(x);

    // The softmax's exp, ExpBelowMax: lanes x - max <= 0 (or NaN). The same bits as Exp on that range in fewer steps:
    // no upper clamp; with AVX-512 the same table form; without it (where Exp scales by two powers of two, 9 operations)
    // the polynomial's coefficients and its two 1s are taken times 2^-24 - exact, and each step's rounding commutes
    // with that scaling, as every intermediate stays normal - so the polynomial yields p 2^-24 with p's bits, and one
    // product with 2^(n + 24), a normal power of two for every n in [-150, 0], rounds p 2^n once, as Exp's two do.
    // (KernelMathTests.ExpBelowMax_SameBitsAsExp checks it against Exp at every width.)
    private const float Tiny = 5.9604644775390625e-8f; // 2^-24
    private const int ScaledBias = 24 + 127 - ShifterBits; // (bits of t) + ScaledBias, shifted left 23: 2^(n + 24)

    /// <summary><see cref="Exp(Vector128{float})"/> of lanes that are at most 0 or NaN (a softmax's <c>x - max</c>): the
    /// same bits in fewer steps.</summary>
    /// <param name="x">The exponents, each at most 0 or NaN (a positive lane gives an unspecified value).</param>
    /// <returns>exp of each lane.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> ExpBelowMax(Vector128<float> x) =>
        ExpUsesTable ? ExpTable(AboveClampLow<Vector128<float>, FamilyVector128<float>>(x)) : ExpBelowMaxPolynomial<Vector128<float>, FamilyVector128<float>>(x);

    /// <inheritdoc cref="ExpBelowMax(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ExpBelowMax(Vector256<float> x) =>
        ExpUsesTable ? ExpTable(AboveClampLow<Vector256<float>, FamilyVector256<float>>(x)) : ExpBelowMaxPolynomial<Vector256<float>, FamilyVector256<float>>(x);

    /// <inheritdoc cref="ExpBelowMax(Vector128{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> ExpBelowMax(Vector512<float> x) =>
        ExpUsesTable ? ExpTable(AboveClampLow<Vector512<float>, FamilyVector512<float>>(x)) : ExpBelowMaxPolynomial<Vector512<float>, FamilyVector512<float>>(x);

    /// <summary><see cref="ExpBelowMax(Vector512{float})"/> of lanes that only go into a sum (a loss's or a log-softmax's
    /// sum of exps): with AVX-512, the table form without the clamp at -104, one vector operation fewer (256 x 1000
    /// forward 58.3 -> 54.0 us, Zen 4). A lane at least -104 (or NaN) gets ExpBelowMax's bits. A lane below gets
    /// ExpBelowMax's +0, or -0 (from -2.33e7 on, where the reduced argument is no longer small), or a non-finite value
    /// (from -2.05e20 on); -inf gives +0 on Zen 4, whose vscalefps scales the reduction's NaN (inf - inf) by 2^-inf to
    /// +0 (a CPU that keeps the NaN sends such a row to the clamped pass). Measured on every float below -104, and checked by
    /// KernelMathTests.ExpBelowMaxInSum_ClampedBitsAbove_ZeroOrNonFiniteBelow. A sum of such lanes is then the clamped
    /// exp's sum to the bit, as x + -0 = x, or not finite, and the caller, which must check, takes
    /// <see cref="ExpBelowMax(Vector512{float})"/> again. Without AVX-512, ExpBelowMax itself.</summary>
    /// <param name="x">The exponents, each at most 0 or NaN.</param>
    /// <returns>exp of each lane, as described.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> ExpBelowMaxInSum(Vector512<float> x) => ExpUsesTable ? ExpTable(x) : ExpBelowMax(x);

    // The vector forms, written once for every width over the element-wise losses' vector operations (IFamilyVector,
    // raw Vector128/256/512 of float: TS.MulAdd is fused exactly where the scalar MulAdd is, TS.Max/Min are x86's
    // maxps/minps or the same comparisons spelled out), so every width runs the same IEEE operations.

    /// <summary>Step 1: x clamped to [ClampLow, ClampHigh]; NaN passes through (max(lo, x) and min(hi, x) return their
    /// second operand when either is NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ClampExp<TV, TS>(TV x)
        where TV : struct
        where TS : IFamilyVector<TV, float> =>
        TS.Min(TS.Splat(ClampHigh), AboveClampLow<TV, TS>(x));

    /// <summary>x raised to at least ClampLow; NaN passes through.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV AboveClampLow<TV, TS>(TV x)
        where TV : struct
        where TS : IFamilyVector<TV, float> =>
        TS.Max(TS.Splat(ClampLow), x);

    /// <summary>Steps 1 to 5 of the polynomial form: p(r) scaled by 2^n in two exact factors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ExpPolynomialForm<TV, TS>(TV x)
        where TV : struct
        where TS : IFamilyVector<TV, float>
    {
        TV p = ExpPolynomial<TV, TS>(ClampExp<TV, TS>(x), 1f, out TV t);
        return TS.ScaleByShiftedExponent(p, t);
    }

    /// <summary>The polynomial form of <c>ExpBelowMax</c>: x raised to at least ClampLow, then p 2^-24 times 2^(n + 24).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ExpBelowMaxPolynomial<TV, TS>(TV x)
        where TV : struct
        where TS : IFamilyVector<TV, float>
    {
        TV q = ExpPolynomial<TV, TS>(AboveClampLow<TV, TS>(x), Tiny, out TV t); // p 2^-24
        return TS.Multiply(q, TS.Pow2FromShifted(t, ScaledBias));
    }

    /// <summary>Steps 2 to 4 of the exp on clamped lanes: <paramref name="t"/> = shifter + n and
    /// the polynomial p(r) of r = x - n ln 2, its coefficients and its two 1s times <paramref name="k"/> (1, or 2^-24
    /// for <c>ExpBelowMax</c>: each step's result is then p's times k exactly).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ExpPolynomial<TV, TS>(TV x, float k, out TV t)
        where TV : struct
        where TS : IFamilyVector<TV, float>
    {
        t = TS.MulAdd(x, TS.Splat(Log2E), TS.Splat(Shifter));
        TV n = TS.Subtract(t, TS.Splat(Shifter));
        TV r = TS.MulAdd(n, TS.Splat(-Ln2Hi), x);
        r = TS.MulAdd(n, TS.Splat(-Ln2Lo), r);
        TV p = TS.MulAdd(TS.Splat(C6 * k), r, TS.Splat(C5 * k));
        p = TS.MulAdd(p, r, TS.Splat(C4 * k));
        p = TS.MulAdd(p, r, TS.Splat(C3 * k));
        p = TS.MulAdd(p, r, TS.Splat(C2 * k));
        p = TS.MulAdd(p, r, TS.Splat(k));
        return TS.MulAdd(p, r, TS.Splat(k));
    }
}
