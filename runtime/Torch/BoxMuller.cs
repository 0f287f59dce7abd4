using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

/// <summary>
/// The Box–Muller transforms of PyTorch's CPU <c>normal_kernel</c> (<c>aten/src/ATen/native/cpu/DistributionTemplates.h</c>):
/// the float32 16-value block of <c>normal_fill_16_AVX2</c> with the Cephes single-precision log and sincos of
/// <c>avx_mathfun.h</c> (fused multiply-adds where the x86 build fuses them), the double block of
/// <c>normal_fill_16</c>, and the C library's <c>log1p</c> used by <c>at::normal_distribution&lt;double&gt;</c>.
/// </summary>
internal static class BoxMuller
{
    internal const int Block = 16;
    private const int Half = Block / 2;

    // avx_mathfun.h constants, each the float nearest the double literal, as the C++ source writes them (those of
    // the log are KernelMath's: the kernels use the same log for row sums).
    private const float FourOverPi = (float)1.27323954473516;
    private const float MinusDP1 = (float)-0.78515625;
    private const float MinusDP2 = (float)-2.4187564849853515625e-4;
    private const float MinusDP3 = (float)-3.77489497744594108e-8;
    private const float CosC0 = (float)2.443315711809948E-5;
    private const float CosC1 = (float)-1.388731625493765E-3;
    private const float CosC2 = (float)4.166664568298827E-2;
    private const float SinS0 = (float)-1.9515295891E-4;
    private const float SinS1 = (float)8.3321608736E-3;
    private const float SinS2 = (float)-1.6666654611E-1;
    private const float TwoPiFloat = (float)(2.0 * Math.PI);   // _mm256_set1_ps(2.0f * c10::pi<double>) = 6.2831855f

    // PyTorch's kernels compute fma(n, std, mean) / n * std + mean; randn is std = 1, mean = 0. Kept because
    // adding +0 turns a -0 into +0 exactly as PyTorch does.
    private const float StdFloat = 1f;
    private const float MeanFloat = 0f;
    private const double StdDouble = 1.0;
    private const double MeanDouble = 0.0;
    private const double TwoPi = 2.0 * Math.PI;               // 2.0 * c10::pi<double>, exact doubling

    /// <summary>True when the AVX2 + FMA block runs; otherwise the per-lane scalar block (same bits).</summary>
    internal static bool VectorFill16 => Fma.IsSupported;

    /// <summary>
    /// <c>normal_fill_16_AVX2</c> on <c>block[0..16)</c> of float32 uniforms: lane k pairs <c>block[k]</c>
    /// (radius) with <c>block[k + 8]</c> (angle) and writes cos to k, sin to k + 8.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Fill16(ref float block)
    {
        if (Fma.IsSupported)
        {
            Fill16Vector(ref block);
        }
        else
        {
            Fill16Scalar(ref block);
        }
    }

    /// <summary>The 16-value float block, eight lanes at a time with AVX2 + FMA (requires <see cref="Fma.IsSupported"/>).</summary>
    internal static void Fill16Vector(ref float block)
    {
        Vector256<float> one = Vector256.Create(1f);
        Vector256<float> u1 = one - Vector256.LoadUnsafe(ref block);
        Vector256<float> u2 = Vector256.LoadUnsafe(ref block, Half);
        Vector256<float> radius = Vector256.Sqrt(Vector256.Create(-2f) * Log(u1));
        Vector256<float> theta = Vector256.Create(TwoPiFloat) * u2;
        SinCos(theta, out Vector256<float> sin, out Vector256<float> cos);
        Vector256<float> std = Vector256.Create(StdFloat);
        Vector256<float> mean = Vector256.Create(MeanFloat);
        Fma.MultiplyAdd(radius * cos, std, mean).StoreUnsafe(ref block);
        Fma.MultiplyAdd(radius * sin, std, mean).StoreUnsafe(ref block, Half);
    }

    /// <summary>The 16-value float block lane by lane, the same operations and roundings as <see cref="Fill16Vector"/>.</summary>
    internal static void Fill16Scalar(ref float block)
    {
        for (int k = 0; k < Half; k++)
        {
            ref float a = ref Unsafe.Add(ref block, k);
            ref float b = ref Unsafe.Add(ref block, k + Half);
            float radius = MathF.Sqrt(-2f * KernelMath.CephesLog(1f - a));
            float theta = TwoPiFloat * b;
            SinCos(theta, out float sin, out float cos);
            a = MathF.FusedMultiplyAdd(radius * cos, StdFloat, MeanFloat);
            b = MathF.FusedMultiplyAdd(radius * sin, StdFloat, MeanFloat);
        }
    }

    /// <summary>Cephes <c>sincos256_ps</c> for one lane, valid for t &gt;= 0.</summary>
    internal static void SinCos(float t, out float sin, out float cos)
    {
        int j = (int)(t * FourOverPi);
        j = (j + 1) & ~1;
        float y = j;
        float x = MathF.FusedMultiplyAdd(y, MinusDP1, t);
        x = MathF.FusedMultiplyAdd(y, MinusDP2, x);
        x = MathF.FusedMultiplyAdd(y, MinusDP3, x);
        float z = x * x;
        float c = MathF.FusedMultiplyAdd(CosC0, z, CosC1);
        c = MathF.FusedMultiplyAdd(c, z, CosC2);
        c *= z;
        c = MathF.FusedMultiplyAdd(c, z, z * -0.5f);
        c += 1f;
        float s = MathF.FusedMultiplyAdd(SinS0, z, SinS1);
        s = MathF.FusedMultiplyAdd(s, z, SinS2);
        s *= z;
        s = MathF.FusedMultiplyAdd(s, x, x);
        // The C code selects with and / andnot and then adds the two halves, i.e. "selected + (+0)".
        if ((j & 2) == 0)
        {
            sin = s + 0f;
            cos = c + 0f;
        }
        else
        {
            sin = c + 0f;
            cos = s + 0f;
        }
        if ((j & 4) != 0)
        {
            sin = -sin;
        }
        if (((j - 2) & 4) == 0)
        {
            cos = -cos;
        }
    }

    private static Vector256<float> Log(Vector256<float> u)
    {
        Vector256<float> one = Vector256.Create(1f);
        Vector256<uint> bits = u.AsUInt32();
        Vector256<float> e = Vector256.ConvertToSingle(Vector256.ShiftRightLogical(bits, 23).AsInt32() - Vector256.Create(127)) + one;
        Vector256<float> m = ((bits & Vector256.Create(0x807FFFFFu)) | Vector256.Create(0x3F000000u)).AsSingle();
        Vector256<float> small = Vector256.LessThan(m, Vector256.Create(KernelMath.CephesSqrtHalf));
        Vector256<float> x = (m - one) + (m & small);
        e -= one & small;
        Vector256<float> z = x * x;
        Vector256<float> y = Vector256.Create(KernelMath.CephesLogP0);
        y = Fma.MultiplyAdd(y, x, Vector256.Create(KernelMath.CephesLogP1));
        y = Fma.MultiplyAdd(y, x, Vector256.Create(KernelMath.CephesLogP2));
        y = Fma.MultiplyAdd(y, x, Vector256.Create(KernelMath.CephesLogP3));
        y = Fma.MultiplyAdd(y, x, Vector256.Create(KernelMath.CephesLogP4));
        y = Fma.MultiplyAdd(y, x, Vector256.Create(KernelMath.CephesLogP5));
        y = Fma.MultiplyAdd(y, x, Vector256.Create(KernelMath.CephesLogP6));
        y = Fma.MultiplyAdd(y, x, Vector256.Create(KernelMath.CephesLogP7));
        y = Fma.MultiplyAdd(y, x, Vector256.Create(KernelMath.CephesLogP8));
        y *= x;
        y = Fma.MultiplyAdd(y, z, e * Vector256.Create(KernelMath.CephesLogQ1));
        y -= z * Vector256.Create(0.5f);
        return (x + y) + e * Vector256.Create(KernelMath.CephesLogQ2);
    }

    private static void SinCos(Vector256<float> t, out Vector256<float> sin, out Vector256<float> cos)
    {
        Vector256<int> j = Avx.ConvertToVector256Int32WithTruncation(t * Vector256.Create(FourOverPi));
        j = (j + Vector256.Create(1)) & Vector256.Create(~1);
        Vector256<float> y = Vector256.ConvertToSingle(j);
        Vector256<float> x = Fma.MultiplyAdd(y, Vector256.Create(MinusDP1), t);
        x = Fma.MultiplyAdd(y, Vector256.Create(MinusDP2), x);
        x = Fma.MultiplyAdd(y, Vector256.Create(MinusDP3), x);
        Vector256<float> z = x * x;
        Vector256<float> c = Fma.MultiplyAdd(Vector256.Create(CosC0), z, Vector256.Create(CosC1));
        c = Fma.MultiplyAdd(c, z, Vector256.Create(CosC2));
        c *= z;
        c = Fma.MultiplyAdd(c, z, z * Vector256.Create(-0.5f));
        c += Vector256.Create(1f);
        Vector256<float> s = Fma.MultiplyAdd(Vector256.Create(SinS0), z, Vector256.Create(SinS1));
        s = Fma.MultiplyAdd(s, z, Vector256.Create(SinS2));
        s *= z;
        s = Fma.MultiplyAdd(s, x, x);
        Vector256<int> four = Vector256.Create(4);
        Vector256<float> sinPoly = Vector256.Equals(j & Vector256.Create(2), Vector256<int>.Zero).AsSingle();
        Vector256<float> sinSign = Vector256.ShiftLeft(j & four, 29).AsSingle();
        Vector256<float> cosSign = Vector256.ShiftLeft(Vector256.AndNot(four, j - Vector256.Create(2)), 29).AsSingle();
        sin = (Vector256.ConditionalSelect(sinPoly, s, c) + Vector256<float>.Zero) ^ sinSign;
        cos = (Vector256.ConditionalSelect(sinPoly, c, s) + Vector256<float>.Zero) ^ cosSign;
    }

    /// <summary>
    /// <c>normal_fill_16&lt;double&gt;</c> on <c>block[0..16)</c> of float64 uniforms (scalar in PyTorch too):
    /// <c>r = sqrt(-2 log(1 - U[k]))</c>, <c>t = 2 pi U[k + 8]</c>, cos to k, sin to k + 8.
    /// </summary>
    internal static void Fill16(Span<double> block)
    {
        block = block.Slice(0, Block);
        for (int k = 0; k < Half; k++)
        {
            double u1 = 1.0 - block[k];
            double u2 = block[k + Half];
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            double theta = TwoPi * u2;
            block[k] = radius * Math.Cos(theta) * StdDouble + MeanDouble;
            block[k + Half] = radius * Math.Sin(theta) * StdDouble + MeanDouble;
        }
    }

    /// <summary>
    /// One <c>at::normal_distribution&lt;double&gt;</c> pair from two float64 uniforms: returns
    /// <c>r cos t</c> and gives <c>r sin t</c> in <paramref name="second"/> (the value PyTorch caches).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Pair(double u1, double u2, out double second)
    {
        double radius = Math.Sqrt(-2.0 * Log1P(-u2));
        double theta = TwoPi * u1;
        second = radius * Math.Sin(theta);
        return radius * Math.Cos(theta) * StdDouble + MeanDouble;
    }

    /// <summary>Applies the normal transformation <c>v * std + mean</c> to a cached raw sample.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Transform(double raw) => raw * StdDouble + MeanDouble;

    /// <summary>
    /// <c>log1p(x)</c> as PyTorch computes it: the C library's <c>log1p</c> (glibc's on Linux), which is not
    /// correctly rounded, so its last bit matters for bit-exactness. Falls back to <see cref="ManagedLog1P"/>
    /// when no C library export is found.
    /// </summary>
    internal static double Log1P(double x) => NativeLog1P.Available ? NativeLog1P.Invoke(x) : ManagedLog1P(x);

    /// <summary>
    /// An accurate managed <c>log1p</c>: exact <c>Math.Log(1 + x)</c> when <c>1 + x</c> is exact (always the case
    /// for <c>x = -u</c>, <c>u</c> a 53-bit uniform), else the classic <c>log(u) * (x / (u - 1))</c> correction.
    /// </summary>
    internal static double ManagedLog1P(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0)
        {
            return x;
        }
        double d = u - 1.0;
        return d == x ? Math.Log(u) : Math.Log(u) * (x / d);
    }

    /// <summary>The platform C library's <c>log1p</c>, resolved once.</summary>
    internal static unsafe class NativeLog1P
    {
        private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<double, double> s_log1p = Resolve();

        /// <summary>True when a C library <c>log1p</c> was found.</summary>
        internal static bool Available => s_log1p != null;

        /// <summary>Calls the C library's <c>log1p</c> (requires <see cref="Available"/>).</summary>
        internal static double Invoke(double x) => s_log1p(x);

        private static delegate* unmanaged[Cdecl, SuppressGCTransition]<double, double> Resolve()
        {
            string[] libraries = OperatingSystem.IsWindows() ? ["ucrtbase.dll", "msvcrt.dll"]
                : OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() ? ["/usr/lib/libSystem.B.dylib", "libm.dylib"]
                : ["libm.so.6", "libm.so", "libc.so"];
            foreach (string library in libraries)
            {
                if (NativeLibrary.TryLoad(library, out IntPtr handle) && NativeLibrary.TryGetExport(handle, "log1p", out IntPtr address))
                {
                    return (delegate* unmanaged[Cdecl, SuppressGCTransition]<double, double>)address;
                }
            }
            if (NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "log1p", out IntPtr fromProcess))
            {
                return (delegate* unmanaged[Cdecl, SuppressGCTransition]<double, double>)fromProcess;
            }
            return null;
        }
    }
}
