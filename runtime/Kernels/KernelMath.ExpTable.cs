using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

// The exp's table form, taken at every width (scalar, 128, 256, 512 bits) when the CPU has AVX-512 (F and VL), so
// that the four entry points still agree bit for bit on any one machine; without AVX-512 (AVX2, SSE, ARM64, no SIMD)
// they all take the polynomial form of KernelMath.Exp.cs. Both are within 1 ulp of the correctly rounded result.
//
// Why a second form: the polynomial form spends 10 operations of the FMA pipes per vector (9 FMAs and vscalefps),
// and on Zen 4, which runs a 512-bit FMA as two 256-bit halves on its two FMA pipes, that is what bounds the
// long-row exp pass (README, "Where the time goes"). With a table of 2^(j/16) the reduced argument is 16 times
// smaller and a polynomial of degree 3 is enough: 8 operations of the FMA pipes; the lookup is one vpermps (a
// shuffle, 16 entries in one 512-bit register; vpermt2ps from two 256-bit halves at 256 bits).
//
// Algorithm, on x clamped to [ClampLow, ClampHigh] (NaN passes through):
//   1. t = x * log2(e) + 1.5 * 2^19 (one FMA): the sum's ulp is 1/16, so t - 1.5 * 2^19 = k = m / 16 with
//      m = round-to-nearest-even(16 x log2(e)), and the low 4 bits of t's pattern are j = m mod 16;
//   2. r = x - k Ln2Hi - k Ln2Lo (Cody-Waite as in the polynomial form; k has at most 12 significant bits and
//      Ln2Hi 9, so k Ln2Hi and the first subtraction are exact), |r| <= ln(2) / 32 (~0.0217);
//   3. exp(r) - 1 ~ q = r (1 + D2 r + D3 r^2), a minimax fit of the relative error on [-0.0221, 0.0221]
//      (1.7e-9, 0.03 of 2^-24, with the float coefficients);
//   4. exp(x) = 2^floor(k) * s (1 + q), s = 2^(j/16) from the table (rounded to nearest, at most 0.79 of 2^-24 off):
//      s + s q in one FMA, then vscalefps by k (it scales by 2^floor(k)), one rounding for a normal result.
// Measured over every float in [-104, 89] against (float)Math.Exp((double)x) (Zen 4, AVX-512): max 1 ulp (max 0.996
// ulp from the exact value), 1.91% of the normal results not correctly rounded (the polynomial form: 0.47%), subnormal
// results within 1 ulp; on KernelMathTests.Exp_IsWithinOneUlpOfCorrectlyRounded's inputs (mostly spread evenly over the
// normal-result range [-87.3, 88.7], where most lanes take a rounded table entry, not 2^0), 9.4% (the polynomial form:
// 2.7%). The table entries are rounded to float (up to 0.79 of 2^-24 off), which the final rounding adds to. Carrying
// each entry's rounding error into the polynomial (a second lookup) brings that down to 0.56%, but the second vpermps
// took back almost all of the speed (256 x 1000 forward 58.3 -> 62.5 us against 63.4 us for the polynomial form), so
// it is not done.
public static partial class KernelMath
{
    private const float Shifter16 = 786432f; // 1.5 * 2^19: adding it rounds to a multiple of 1/16

    private const float D3 = 0.16667643f; // 0x3E2AAD3A
    private const float D2 = 0.50001699f; // 0x3F00011D

    // 2^(j / 16) rounded to the nearest float, j = 0 to 15.
    private const float E0 = 1f, E1 = 1.0442737f, E2 = 1.0905077f, E3 = 1.1387886f;
    private const float E4 = 1.1892071f, E5 = 1.2418578f, E6 = 1.2968396f, E7 = 1.3542556f;
    private const float E8 = 1.4142135f, E9 = 1.4768262f, E10 = 1.5422108f, E11 = 1.6104903f;
    private const float E12 = 1.6817929f, E13 = 1.7562522f, E14 = 1.8340081f, E15 = 1.9152066f;

    // A static array: a span property over the constant data allocated on every call in a Debug build of the runtime
    // (KernelMathTests.SpanMethods_DoNotAllocate failed in CI, which builds Debug).
    private static readonly float[] s_exp2Sixteenths = { E0, E1, E2, E3, E4, E5, E6, E7, E8, E9, E10, E11, E12, E13, E14, E15 };

    /// <summary>Whether the exp takes its table form (at every width alike): the CPU has AVX-512F and VL.</summary>
    internal static bool ExpUsesTable => Avx512F.VL.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ExpTable(float x)
    {
        float t = MulAdd(x, Log2E, Shifter16);
        float k = t - Shifter16;
        float r = MulAdd(k, -Ln2Hi, x);
        r = MulAdd(k, -Ln2Lo, r);
        float q = MulAdd(MulAdd(D3, r, D2), r, 1f) * r;
        float s = s_exp2Sixteenths[BitConverter.SingleToInt32Bits(t) & 15];
        return Avx512F.ScaleScalar(Vector128.CreateScalarUnsafe(MulAdd(s, q, s)), Vector128.CreateScalarUnsafe(k)).ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ExpTable(Vector128<float> x) => ExpTable(x.ToVector256()).GetLower();

    // Written out at 256 bits as at 512 (the lookup and the scaling differ): taking the 512-bit form on a widened
    // vector made the 4 x 7 kernel 8% slower (26.3 -> 28.4 ns, Zen 4), as Zen 4 runs a 512-bit operation as two halves.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ExpTable(Vector256<float> x)
    {
        Vector256<float> q = ExpTableReduce<Vector256<float>, FamilyVector256<float>>(x, out Vector256<float> t, out Vector256<float> k);
        Vector256<float> s = Avx512F.VL.PermuteVar8x32x2(
            Vector256.Create(E0, E1, E2, E3, E4, E5, E6, E7), t.AsInt32(), Vector256.Create(E8, E9, E10, E11, E12, E13, E14, E15));
        return Avx512F.VL.Scale(MulAdd(s, q, s), k);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpTable(Vector512<float> x)
    {
        Vector512<float> q = ExpTableReduce<Vector512<float>, FamilyVector512<float>>(x, out Vector512<float> t, out Vector512<float> k);
        Vector512<float> s = Avx512F.PermuteVar16x32(
            Vector512.Create(E0, E1, E2, E3, E4, E5, E6, E7, E8, E9, E10, E11, E12, E13, E14, E15), t.AsInt32());
        return Avx512F.Scale(MulAdd(s, q, s), k);
    }

    /// <summary>Steps 1 to 3 of the table form, written once for the vector widths: <paramref name="t"/> = 1.5 * 2^19 +
    /// <paramref name="k"/>, k = x log2 e rounded to a multiple of 1/16 (the low 4 bits of t's pattern index the table),
    /// and the returned q = r (1 + D2 r + D3 r^2) for r = x - k ln 2; the caller forms 2^floor(k) (s + s q).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ExpTableReduce<TV, TS>(TV x, out TV t, out TV k)
        where TV : struct
        where TS : IFamilyVector<TV, float>
    {
        t = TS.MulAdd(x, TS.Splat(Log2E), TS.Splat(Shifter16));
        k = TS.Subtract(t, TS.Splat(Shifter16));
        TV r = TS.MulAdd(k, TS.Splat(-Ln2Hi), x);
        r = TS.MulAdd(k, TS.Splat(-Ln2Lo), r);
        return TS.Multiply(TS.MulAdd(TS.MulAdd(TS.Splat(D3), r, TS.Splat(D2)), r, TS.Splat(1f)), r);
    }
}
