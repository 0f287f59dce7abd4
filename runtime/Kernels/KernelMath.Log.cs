using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

// Natural logs of row sums: the scalar one of the row helpers (Cephes' single-precision log, shared with the RNG's
// Box–Muller transform) and the short vector one of the lanes = rows paths.
public static partial class KernelMath
{
    // avx_mathfun.h's log constants, each the float nearest the double literal, as the C++ source writes them.
    internal const float CephesSqrtHalf = (float)0.707106781186547524;
    internal const float CephesLogP0 = (float)7.0376836292E-2;
    internal const float CephesLogP1 = (float)-1.1514610310E-1;
    internal const float CephesLogP2 = (float)1.1676998740E-1;
    internal const float CephesLogP3 = (float)-1.2420140846E-1;
    internal const float CephesLogP4 = (float)1.4249322787E-1;
    internal const float CephesLogP5 = (float)-1.6668057665E-1;
    internal const float CephesLogP6 = (float)2.0000714765E-1;
    internal const float CephesLogP7 = (float)-2.4999993993E-1;
    internal const float CephesLogP8 = (float)3.3333331174E-1;
    internal const float CephesLogQ1 = (float)-2.12194440E-4;
    internal const float CephesLogQ2 = (float)0.693359375;

    /// <summary>Natural log of a row sum: Cephes' single-precision log (within about 1 ulp) inlined where
    /// fused multiply-add is in hardware, for positive normal inputs; MathF.Log for everything else.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Log(float x) =>
        (Fma.IsSupported || AdvSimd.IsSupported) && x >= 1.17549435E-38f && x <= float.MaxValue
            ? CephesLog(x)
            : MathF.Log(x);

    /// <summary>Cephes <c>log256_ps</c> (avx_mathfun.h) for one lane, valid for positive normal floats: row sums here,
    /// and (0, 1] in the Box–Muller transform of <see cref="TorchGenerator"/>, which must match PyTorch bit for bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float CephesLog(float u)
    {
        uint bits = BitConverter.SingleToUInt32Bits(u);
        float e = (float)((int)(bits >> 23) - 127) + 1f;
        float m = BitConverter.UInt32BitsToSingle((bits & 0x807FFFFFu) | 0x3F000000u);
        float x;
        if (m < CephesSqrtHalf)
        {
            e -= 1f;
            x = (m - 1f) + m;
        }
        else
        {
            x = m - 1f;
        }
        float z = x * x;
        float y = CephesLogP0;
        y = MathF.FusedMultiplyAdd(y, x, CephesLogP1);
        y = MathF.FusedMultiplyAdd(y, x, CephesLogP2);
        y = MathF.FusedMultiplyAdd(y, x, CephesLogP3);
        y = MathF.FusedMultiplyAdd(y, x, CephesLogP4);
        y = MathF.FusedMultiplyAdd(y, x, CephesLogP5);
        y = MathF.FusedMultiplyAdd(y, x, CephesLogP6);
        y = MathF.FusedMultiplyAdd(y, x, CephesLogP7);
        y = MathF.FusedMultiplyAdd(y, x, CephesLogP8);
        y *= x;
        y = MathF.FusedMultiplyAdd(y, z, e * CephesLogQ1);
        y -= z * 0.5f;
        return (x + y) + e * CephesLogQ2;
    }


    /// <summary>Natural log of row sums for positive normal lanes; a NaN lane stays NaN. Row sums lie in [1, classes].
    /// See <see cref="Log256Finite"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Log256(Vector256<float> u) =>
        Log256Finite(u) + (u - u); // NaN in, NaN out (u - u is 0 for the finite sums)

    /// <summary>Natural log for positive normal lanes only (a NaN lane gives a finite garbage value), short enough for
    /// the critical path of a small matrix: u = 2^n (1 + r) with 1 + r in [2/3, 4/3) by integer operations on the
    /// bits (no compare, no select), then log u = n ln 2 + (r + r^2 P(r)). P has degree 7, evaluated in Estrin form
    /// (3 dependent steps); its coefficients are a Chebyshev fit (mpmath, 40 digits) of (log(1 + r) - r) / r^2 on
    /// [-1/3, 1/3], fit error 2.0e-7. Measured over every float in [1, 32): at most 1.66 ulp (near 4/3, where
    /// n ln 2 and log(1 + r) cancel), absolute error at most 1.75e-7. About 27 cycles from u to the result.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Log256Finite(Vector256<float> u)
    {
        const int TwoThirds = 0x3F2AAAAB; // bits of 2/3
        var offset = u.AsInt32() - Vector256.Create(TwoThirds);
        var n = Vector256.ConvertToSingle(Vector256.ShiftRightArithmetic(offset, 23));
        var r = ((offset & Vector256.Create(0x007FFFFF)) + Vector256.Create(TwoThirds)).AsSingle() - Vector256<float>.One;
        var r2 = r * r;
        var r4 = r2 * r2;
        var p01 = Fma.MultiplyAdd(Vector256.Create(3.333331943e-01f), r, Vector256.Create(-4.999998510e-01f));
        var p23 = Fma.MultiplyAdd(Vector256.Create(2.000378072e-01f), r, Vector256.Create(-2.500414550e-01f));
        var p45 = Fma.MultiplyAdd(Vector256.Create(1.411830932e-01f), r, Vector256.Create(-1.648301780e-01f));
        var p67 = Fma.MultiplyAdd(Vector256.Create(1.342574954e-01f), r, Vector256.Create(-1.504076421e-01f));
        var p = Fma.MultiplyAdd(Fma.MultiplyAdd(p67, r2, p45), r4, Fma.MultiplyAdd(p23, r2, p01));
        // log(1 + r) first, then + n ln 2 (ln 2 rounded to float): 1.66 ulp at most; n ln 2 + r first gave 2.05.
        return Fma.MultiplyAdd(n, Vector256.Create(0.693147182f), Fma.MultiplyAdd(p, r2, r));
    }
}
