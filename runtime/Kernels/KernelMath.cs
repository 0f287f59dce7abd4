using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

/// <summary>
/// Support for code emitted by the FixedShapeLoss generator; not meant to be called directly.
/// </summary>
/// <remarks>
/// <para>Span methods use 512-bit vectors when <see cref="Vector512.IsHardwareAccelerated"/>, else 256-bit, else
/// 128-bit, else scalar code; a span shorter than a vector is handled by the next narrower width, and the last
/// partial vector by an overlapping vector (lane-masked for sums; for element-wise methods loaded before anything
/// is stored, so in-place use is safe). Element results never depend on the width that computed them: exp gives
/// the same bits at every width (see <see cref="Exp(float)"/>). Nothing allocates.</para>
/// <para>Multiply-add is fused exactly when the x86 FMA instruction set is present, at every width.</para>
/// <para>A <c>destination</c> may be the very same memory as <c>x</c> (in-place) or not overlap it at all;
/// partially overlapping spans are not supported. Lengths must match: a destination shorter than
/// <c>x</c>, or <see cref="Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> spans of different lengths, throw <see cref="ArgumentException"/>
/// (a longer destination is written only up to <c>x.Length</c>).</para>
/// <para>Sums are float sums of several vector partial sums reduced at the end, so their rounding differs from
/// a sequential loop (by a relative error of order 1e-7 times the square root of the length for data of one
/// sign). <see cref="SumExp"/> and <see cref="ExpShifted"/> add in the same order, so they return the same bits
/// for the same input.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class KernelMath
{
    /// <summary>The largest element of <paramref name="x"/>.</summary>
    /// <param name="x">The values; at least one is expected (an empty span gives <see cref="float.NegativeInfinity"/>).</param>
    /// <returns>The largest element; NaN if any element is NaN; <c>+inf</c>/<c>-inf</c> as ordinary values.
    /// Which zero is returned when the largest elements are <c>+0</c> and <c>-0</c> is unspecified.</returns>
    public static float Max(ReadOnlySpan<float> x)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<float>.Count)
        {
            return Max512(ref xr, n);
        }

        if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<float>.Count)
        {
            return Max256(ref xr, n);
        }

        if (Vector128.IsHardwareAccelerated && n >= (nuint)Vector128<float>.Count)
        {
            return Max128(ref xr, n);
        }

        float m = float.NegativeInfinity;
        for (nuint i = 0; i < n; i++)
        {
            float v = Unsafe.Add(ref xr, i);
            if (float.IsNaN(v))
            {
                return v;
            }

            m = v > m ? v : m;
        }

        return m;
    }

    /// <summary>The sum of the elements of <paramref name="x"/>.</summary>
    /// <param name="x">The values (any length; empty gives 0).</param>
    /// <returns>Σ x, accumulated in float.</returns>
    public static float Sum(ReadOnlySpan<float> x)
    {
        Span<float> unused = default;
        return SumOf<IdentityOp, No>(x, unused, default);
    }

    /// <summary>The dot product of <paramref name="a"/> and <paramref name="b"/>.</summary>
    /// <param name="a">The first vector.</param>
    /// <param name="b">The second vector, as long as <paramref name="a"/>.</param>
    /// <returns>Σ a·b, accumulated in float with fused multiply-add where available.</returns>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            ThrowLengthMismatch(nameof(b));
        }

        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        nuint n = (nuint)a.Length;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<float>.Count)
        {
            return Dot512(ref ar, ref br, n);
        }

        if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<float>.Count)
        {
            return Dot256(ref ar, ref br, n);
        }

        if (Vector128.IsHardwareAccelerated && n >= (nuint)Vector128<float>.Count)
        {
            return Dot128(ref ar, ref br, n);
        }

        float s = 0f;
        for (nuint i = 0; i < n; i++)
        {
            s = MulAdd(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i), s);
        }

        return s;
    }

    /// <summary>Σ exp(x_j − <paramref name="shift"/>), storing nothing.</summary>
    /// <param name="x">The values (any length; empty gives 0).</param>
    /// <param name="shift">Subtracted (in float) from every element before exp, usually <see cref="Max(ReadOnlySpan{float})"/> of <paramref name="x"/>.</param>
    /// <returns>The sum of exp(x_j − shift), bit for bit what <see cref="ExpShifted"/> returns for the same input.</returns>
    public static float SumExp(ReadOnlySpan<float> x, float shift)
    {
        Span<float> unused = default;
        return SumOf<ExpShiftOp, No>(x, unused, new ExpShiftOp(shift));
    }

    /// <summary>destination_j = exp(x_j − <paramref name="shift"/>); returns their sum.</summary>
    /// <param name="x">The values.</param>
    /// <param name="shift">Subtracted (in float) from every element before exp.</param>
    /// <param name="destination">Receives the exponentials; as long as <paramref name="x"/>; may be <paramref name="x"/> itself.</param>
    /// <returns>Σ destination, bit for bit what <see cref="SumExp"/> returns for the same input.</returns>
    public static float ExpShifted(ReadOnlySpan<float> x, float shift, Span<float> destination)
    {
        CheckDestination(x, destination);
        return SumOf<ExpShiftOp, Yes>(x, destination, new ExpShiftOp(shift));
    }

    /// <summary>Replaces every element of <paramref name="values"/> by its exponential (<see cref="Exp(float)"/>).</summary>
    /// <param name="values">The values, overwritten.</param>
    public static void Exp(Span<float> values) => Map(values, values, default(ExpOp));

    /// <summary>destination_j = x_j − <paramref name="value"/>.</summary>
    /// <param name="x">The values.</param>
    /// <param name="value">The value subtracted.</param>
    /// <param name="destination">Receives the differences; as long as <paramref name="x"/>; may be <paramref name="x"/> itself.</param>
    public static void Subtract(ReadOnlySpan<float> x, float value, Span<float> destination)
    {
        CheckDestination(x, destination);
        Map(x, destination, new SubtractOp(value));
    }

    /// <summary>destination_j = x_j · <paramref name="factor"/>.</summary>
    /// <param name="x">The values.</param>
    /// <param name="factor">The factor.</param>
    /// <param name="destination">Receives the products; as long as <paramref name="x"/>; may be <paramref name="x"/> itself.</param>
    public static void Multiply(ReadOnlySpan<float> x, float factor, Span<float> destination)
    {
        CheckDestination(x, destination);
        Map(x, destination, new MultiplyOp(factor));
    }

    /// <summary>destination_j += x_j · <paramref name="factor"/> (one rounding where FMA is available).</summary>
    /// <param name="x">The values.</param>
    /// <param name="factor">The factor.</param>
    /// <param name="destination">Accumulates the products; as long as <paramref name="x"/>; may be <paramref name="x"/> itself.</param>
    public static void MultiplyAdd(ReadOnlySpan<float> x, float factor, Span<float> destination)
    {
        CheckDestination(x, destination);
        Map(x, destination, new MultiplyAddOp(factor));
    }

    // ---------------------------------------------------------------- argument checks

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckDestination(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (destination.Length < x.Length)
        {
            ThrowLengthMismatch(nameof(destination));
        }

        Debug.Assert(
            Unsafe.AreSame(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(destination))
            || !x.Overlaps(destination),
            "destination must be x itself or not overlap it");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLengthMismatch(string paramName) =>
        throw new ArgumentException("The spans must have the same length.", paramName);

    // ---------------------------------------------------------------- primitive helpers

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float MulAdd(float a, float b, float c) =>
        Fma.IsSupported ? MathF.FusedMultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> MulAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> MulAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c)
    {
        if (Avx512F.IsSupported)
        {
            return Avx512F.FusedMultiplyAdd(a, b, c);
        }

        if (Fma.IsSupported)
        {
            // Vector512 not accelerated: keep the fused rounding so all widths agree.
            return Vector512.Create(
                Fma.MultiplyAdd(a.GetLower(), b.GetLower(), c.GetLower()),
                Fma.MultiplyAdd(a.GetUpper(), b.GetUpper(), c.GetUpper()));
        }

        return a * b + c;
    }

    // a > b ? a : b per lane (x86 maxps semantics: a NaN in either operand yields b).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> MaxOf(Vector128<float> a, Vector128<float> b) =>
        Sse.IsSupported ? Sse.Max(a, b) : Vector128.ConditionalSelect(Vector128.GreaterThan(a, b), a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MaxOf(Vector256<float> a, Vector256<float> b) =>
        Avx.IsSupported ? Avx.Max(a, b) : Vector256.ConditionalSelect(Vector256.GreaterThan(a, b), a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> MaxOf(Vector512<float> a, Vector512<float> b) =>
        Avx512F.IsSupported ? Avx512F.Max(a, b) : Vector512.ConditionalSelect(Vector512.GreaterThan(a, b), a, b);

    // All-ones in lanes where a or b is NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> EitherNaN(Vector128<float> a, Vector128<float> b) =>
        Sse.IsSupported ? Sse.CompareUnordered(a, b) : ~(Vector128.Equals(a, a) & Vector128.Equals(b, b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> EitherNaN(Vector256<float> a, Vector256<float> b) =>
        Avx.IsSupported ? Avx.Compare(a, b, FloatComparisonMode.UnorderedNonSignaling) : ~(Vector256.Equals(a, a) & Vector256.Equals(b, b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> EitherNaN(Vector512<float> a, Vector512<float> b) =>
        Avx512F.IsSupported ? Avx512F.CompareUnordered(a, b) : ~(Vector512.Equals(a, a) & Vector512.Equals(b, b));

    // Lanes k >= first are all-ones: selects the not-yet-counted lanes of an overlapping last vector.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> LanesFrom128(nuint first) =>
        Vector128.GreaterThanOrEqual(Vector128.Create(0, 1, 2, 3), Vector128.Create((int)first)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> LanesFrom256(nuint first) =>
        Vector256.GreaterThanOrEqual(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create((int)first)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> LanesFrom512(nuint first) =>
        Vector512.GreaterThanOrEqual(
            Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create((int)first)).AsSingle();

    // ---------------------------------------------------------------- Max kernels

    private static float Max512(ref float xr, nuint n)
    {
        const int W = 16;
        Vector512<float> m0 = Vector512.LoadUnsafe(ref xr), m1 = m0, m2 = m0, m3 = m0;
        Vector512<float> nan = Vector512<float>.Zero;
        nuint i = 0;
        for (; i + 4 * W <= n; i += 4 * W)
        {
            Vector512<float> v0 = Vector512.LoadUnsafe(ref xr, i);
            Vector512<float> v1 = Vector512.LoadUnsafe(ref xr, i + W);
            Vector512<float> v2 = Vector512.LoadUnsafe(ref xr, i + 2 * W);
            Vector512<float> v3 = Vector512.LoadUnsafe(ref xr, i + 3 * W);
            m0 = MaxOf(m0, v0);
            m1 = MaxOf(m1, v1);
            m2 = MaxOf(m2, v2);
            m3 = MaxOf(m3, v3);
            nan |= EitherNaN(v0, v1) | EitherNaN(v2, v3);
        }

        for (; i + W <= n; i += W)
        {
            Vector512<float> v = Vector512.LoadUnsafe(ref xr, i);
            m0 = MaxOf(m0, v);
            nan |= EitherNaN(v, v);
        }

        if (i != n)
        {
            Vector512<float> v = Vector512.LoadUnsafe(ref xr, n - W); // overlapping: max is idempotent
            m1 = MaxOf(m1, v);
            nan |= EitherNaN(v, v);
        }

        if (nan != Vector512<float>.Zero)
        {
            return float.NaN;
        }

        m0 = MaxOf(MaxOf(m0, m1), MaxOf(m2, m3));
        Vector256<float> h = MaxOf(m0.GetLower(), m0.GetUpper());
        return HorizontalMax(MaxOf(h.GetLower(), h.GetUpper()));
    }

    private static float Max256(ref float xr, nuint n)
    {
        const int W = 8;
        Vector256<float> m0 = Vector256.LoadUnsafe(ref xr), m1 = m0, m2 = m0, m3 = m0;
        Vector256<float> nan = Vector256<float>.Zero;
        nuint i = 0;
        for (; i + 4 * W <= n; i += 4 * W)
        {
            Vector256<float> v0 = Vector256.LoadUnsafe(ref xr, i);
            Vector256<float> v1 = Vector256.LoadUnsafe(ref xr, i + W);
            Vector256<float> v2 = Vector256.LoadUnsafe(ref xr, i + 2 * W);
            Vector256<float> v3 = Vector256.LoadUnsafe(ref xr, i + 3 * W);
            m0 = MaxOf(m0, v0);
            m1 = MaxOf(m1, v1);
            m2 = MaxOf(m2, v2);
            m3 = MaxOf(m3, v3);
            nan |= EitherNaN(v0, v1) | EitherNaN(v2, v3);
        }

        for (; i + W <= n; i += W)
        {
            Vector256<float> v = Vector256.LoadUnsafe(ref xr, i);
            m0 = MaxOf(m0, v);
            nan |= EitherNaN(v, v);
        }

        if (i != n)
        {
            Vector256<float> v = Vector256.LoadUnsafe(ref xr, n - W);
            m1 = MaxOf(m1, v);
            nan |= EitherNaN(v, v);
        }

        if (nan != Vector256<float>.Zero)
        {
            return float.NaN;
        }

        m0 = MaxOf(MaxOf(m0, m1), MaxOf(m2, m3));
        return HorizontalMax(MaxOf(m0.GetLower(), m0.GetUpper()));
    }

    private static float Max128(ref float xr, nuint n)
    {
        const int W = 4;
        Vector128<float> m0 = Vector128.LoadUnsafe(ref xr), m1 = m0, m2 = m0, m3 = m0;
        Vector128<float> nan = Vector128<float>.Zero;
        nuint i = 0;
        for (; i + 4 * W <= n; i += 4 * W)
        {
            Vector128<float> v0 = Vector128.LoadUnsafe(ref xr, i);
            Vector128<float> v1 = Vector128.LoadUnsafe(ref xr, i + W);
            Vector128<float> v2 = Vector128.LoadUnsafe(ref xr, i + 2 * W);
            Vector128<float> v3 = Vector128.LoadUnsafe(ref xr, i + 3 * W);
            m0 = MaxOf(m0, v0);
            m1 = MaxOf(m1, v1);
            m2 = MaxOf(m2, v2);
            m3 = MaxOf(m3, v3);
            nan |= EitherNaN(v0, v1) | EitherNaN(v2, v3);
        }

        for (; i + W <= n; i += W)
        {
            Vector128<float> v = Vector128.LoadUnsafe(ref xr, i);
            m0 = MaxOf(m0, v);
            nan |= EitherNaN(v, v);
        }

        if (i != n)
        {
            Vector128<float> v = Vector128.LoadUnsafe(ref xr, n - W);
            m1 = MaxOf(m1, v);
            nan |= EitherNaN(v, v);
        }

        if (nan != Vector128<float>.Zero)
        {
            return float.NaN;
        }

        return HorizontalMax(MaxOf(MaxOf(m0, m1), MaxOf(m2, m3)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalMax(Vector128<float> v)
    {
        float a = v.GetElement(0), b = v.GetElement(1), c = v.GetElement(2), d = v.GetElement(3);
        a = a > b ? a : b;
        c = c > d ? c : d;
        return a > c ? a : c;
    }

    // ---------------------------------------------------------------- Dot kernels

    private static float Dot512(ref float ar, ref float br, nuint n)
    {
        const int W = 16;
        Vector512<float> s0 = Vector512<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        nuint i = 0;
        for (; i + 4 * W <= n; i += 4 * W)
        {
            s0 = MulAdd(Vector512.LoadUnsafe(ref ar, i), Vector512.LoadUnsafe(ref br, i), s0);
            s1 = MulAdd(Vector512.LoadUnsafe(ref ar, i + W), Vector512.LoadUnsafe(ref br, i + W), s1);
            s2 = MulAdd(Vector512.LoadUnsafe(ref ar, i + 2 * W), Vector512.LoadUnsafe(ref br, i + 2 * W), s2);
            s3 = MulAdd(Vector512.LoadUnsafe(ref ar, i + 3 * W), Vector512.LoadUnsafe(ref br, i + 3 * W), s3);
        }

        for (; i + W <= n; i += W)
        {
            s0 = MulAdd(Vector512.LoadUnsafe(ref ar, i), Vector512.LoadUnsafe(ref br, i), s0);
        }

        if (i != n)
        {
            nuint last = n - W;
            Vector512<float> t = MulAdd(Vector512.LoadUnsafe(ref ar, last), Vector512.LoadUnsafe(ref br, last), s1);
            s1 = Vector512.ConditionalSelect(LanesFrom512(i - last), t, s1);
        }

        return Vector512.Sum((s0 + s1) + (s2 + s3));
    }

    private static float Dot256(ref float ar, ref float br, nuint n)
    {
        const int W = 8;
        Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        nuint i = 0;
        for (; i + 4 * W <= n; i += 4 * W)
        {
            s0 = MulAdd(Vector256.LoadUnsafe(ref ar, i), Vector256.LoadUnsafe(ref br, i), s0);
            s1 = MulAdd(Vector256.LoadUnsafe(ref ar, i + W), Vector256.LoadUnsafe(ref br, i + W), s1);
            s2 = MulAdd(Vector256.LoadUnsafe(ref ar, i + 2 * W), Vector256.LoadUnsafe(ref br, i + 2 * W), s2);
            s3 = MulAdd(Vector256.LoadUnsafe(ref ar, i + 3 * W), Vector256.LoadUnsafe(ref br, i + 3 * W), s3);
        }

        for (; i + W <= n; i += W)
        {
            s0 = MulAdd(Vector256.LoadUnsafe(ref ar, i), Vector256.LoadUnsafe(ref br, i), s0);
        }

        if (i != n)
        {
            nuint last = n - W;
            Vector256<float> t = MulAdd(Vector256.LoadUnsafe(ref ar, last), Vector256.LoadUnsafe(ref br, last), s1);
            s1 = Vector256.ConditionalSelect(LanesFrom256(i - last), t, s1);
        }

        return Vector256.Sum((s0 + s1) + (s2 + s3));
    }

    private static float Dot128(ref float ar, ref float br, nuint n)
    {
        const int W = 4;
        Vector128<float> s0 = Vector128<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        nuint i = 0;
        for (; i + 4 * W <= n; i += 4 * W)
        {
            s0 = MulAdd(Vector128.LoadUnsafe(ref ar, i), Vector128.LoadUnsafe(ref br, i), s0);
            s1 = MulAdd(Vector128.LoadUnsafe(ref ar, i + W), Vector128.LoadUnsafe(ref br, i + W), s1);
            s2 = MulAdd(Vector128.LoadUnsafe(ref ar, i + 2 * W), Vector128.LoadUnsafe(ref br, i + 2 * W), s2);
            s3 = MulAdd(Vector128.LoadUnsafe(ref ar, i + 3 * W), Vector128.LoadUnsafe(ref br, i + 3 * W), s3);
        }

        for (; i + W <= n; i += W)
        {
            s0 = MulAdd(Vector128.LoadUnsafe(ref ar, i), Vector128.LoadUnsafe(ref br, i), s0);
        }

        if (i != n)
        {
            nuint last = n - W;
            Vector128<float> t = MulAdd(Vector128.LoadUnsafe(ref ar, last), Vector128.LoadUnsafe(ref br, last), s1);
            s1 = Vector128.ConditionalSelect(LanesFrom128(i - last), t, s1);
        }

        return Vector128.Sum((s0 + s1) + (s2 + s3));
    }

    // ---------------------------------------------------------------- Σ f(x) kernels (optionally storing f(x))

    private static float SumOf<TOp, TStore>(ReadOnlySpan<float> x, Span<float> destination, TOp op)
        where TOp : struct, IUnaryOp
        where TStore : struct, IFlag
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref TStore.Value ? ref MemoryMarshal.GetReference(destination) : ref xr;
        nuint n = (nuint)x.Length;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<float>.Count)
        {
            return SumOf512<TOp, TStore>(ref xr, ref dr, n, op);
        }

        if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<float>.Count)
        {
            return SumOf256<TOp, TStore>(ref xr, ref dr, n, op);
        }

        if (Vector128.IsHardwareAccelerated && n >= (nuint)Vector128<float>.Count)
        {
            return SumOf128<TOp, TStore>(ref xr, ref dr, n, op);
        }

        float s = 0f;
        for (nuint i = 0; i < n; i++)
        {
            float v = op.Invoke(Unsafe.Add(ref xr, i));
            if (TStore.Value)
            {
                Unsafe.Add(ref dr, i) = v;
            }

            s += v;
        }

        return s;
    }

    private static float SumOf512<TOp, TStore>(ref float xr, ref float dr, nuint n, TOp op)
        where TOp : struct, IUnaryOp
        where TStore : struct, IFlag
    {
        const int W = 16;
        nuint last = n - W;
        Vector512<float> tail = Vector512.LoadUnsafe(ref xr, last); // read before any store (in-place use)
        Vector512<float> s0 = Vector512<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        nuint i = 0;
        for (; i + 4 * W <= n; i += 4 * W)
        {
            Vector512<float> v0 = op.Invoke(Vector512.LoadUnsafe(ref xr, i));
            Vector512<float> v1 = op.Invoke(Vector512.LoadUnsafe(ref xr, i + W));
            Vector512<float> v2 = op.Invoke(Vector512.LoadUnsafe(ref xr, i + 2 * W));
            Vector512<float> v3 = op.Invoke(Vector512.LoadUnsafe(ref xr, i + 3 * W));
            if (TStore.Value)
            {
                v0.StoreUnsafe(ref dr, i);
                v1.StoreUnsafe(ref dr, i + W);
                v2.StoreUnsafe(ref dr, i + 2 * W);
                v3.StoreUnsafe(ref dr, i + 3 * W);
            }

            s0 += v0;
            s1 += v1;
            s2 += v2;
            s3 += v3;
        }

        for (; i + W <= n; i += W)
        {
            Vector512<float> v = op.Invoke(Vector512.LoadUnsafe(ref xr, i));
            if (TStore.Value)
            {
                v.StoreUnsafe(ref dr, i);
            }

            s0 += v;
        }

        if (i != n)
        {
            Vector512<float> v = op.Invoke(tail);
            if (TStore.Value)
            {
                v.StoreUnsafe(ref dr, last);
            }

            s1 = Vector512.ConditionalSelect(LanesFrom512(i - last), s1 + v, s1);
        }

        return Vector512.Sum((s0 + s1) + (s2 + s3));
    }

    private static float SumOf256<TOp, TStore>(ref float xr, ref float dr, nuint n, TOp op)
        where TOp : struct, IUnaryOp
        where TStore : struct, IFlag
    {
        const int W = 8;
        nuint last = n - W;
        Vector256<float> tail = Vector256.LoadUnsafe(ref xr, last);
        Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        nuint i = 0;
        for (; i + 4 * W <= n; i += 4 * W)
        {
            Vector256<float> v0 = op.Invoke(Vector256.LoadUnsafe(ref xr, i));
            Vector256<float> v1 = op.Invoke(Vector256.LoadUnsafe(ref xr, i + W));
            Vector256<float> v2 = op.Invoke(Vector256.LoadUnsafe(ref xr, i + 2 * W));
            Vector256<float> v3 = op.Invoke(Vector256.LoadUnsafe(ref xr, i + 3 * W));
            if (TStore.Value)
            {
                v0.StoreUnsafe(ref dr, i);
                v1.StoreUnsafe(ref dr, i + W);
                v2.StoreUnsafe(ref dr, i + 2 * W);
                v3.StoreUnsafe(ref dr, i + 3 * W);
            }

            s0 += v0;
            s1 += v1;
            s2 += v2;
            s3 += v3;
        }

        for (; i + W <= n; i += W)
        {
            Vector256<float> v = op.Invoke(Vector256.LoadUnsafe(ref xr, i));
            if (TStore.Value)
            {
                v.StoreUnsafe(ref dr, i);
            }

            s0 += v;
        }

        if (i != n)
        {
            Vector256<float> v = op.Invoke(tail);
            if (TStore.Value)
            {
                v.StoreUnsafe(ref dr, last);
            }

            s1 = Vector256.ConditionalSelect(LanesFrom256(i - last), s1 + v, s1);
        }

        return Vector256.Sum((s0 + s1) + (s2 + s3));
    }

    private static float SumOf128<TOp, TStore>(ref float xr, ref float dr, nuint n, TOp op)
        where TOp : struct, IUnaryOp
        where TStore : struct, IFlag
    {
        const int W = 4;
        nuint last = n - W;
        Vector128<float> tail = Vector128.LoadUnsafe(ref xr, last);
        Vector128<float> s0 = Vector128<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        nuint i = 0;
        for (; i + 4 * W <= n; i += 4 * W)
        {
            Vector128<float> v0 = op.Invoke(Vector128.LoadUnsafe(ref xr, i));
            Vector128<float> v1 = op.Invoke(Vector128.LoadUnsafe(ref xr, i + W));
            Vector128<float> v2 = op.Invoke(Vector128.LoadUnsafe(ref xr, i + 2 * W));
            Vector128<float> v3 = op.Invoke(Vector128.LoadUnsafe(ref xr, i + 3 * W));
            if (TStore.Value)
            {
                v0.StoreUnsafe(ref dr, i);
                v1.StoreUnsafe(ref dr, i + W);
                v2.StoreUnsafe(ref dr, i + 2 * W);
                v3.StoreUnsafe(ref dr, i + 3 * W);
            }

            s0 += v0;
            s1 += v1;
            s2 += v2;
            s3 += v3;
        }

        for (; i + W <= n; i += W)
        {
            Vector128<float> v = op.Invoke(Vector128.LoadUnsafe(ref xr, i));
            if (TStore.Value)
            {
                v.StoreUnsafe(ref dr, i);
            }

            s0 += v;
        }

        if (i != n)
        {
            Vector128<float> v = op.Invoke(tail);
            if (TStore.Value)
            {
                v.StoreUnsafe(ref dr, last);
            }

            s1 = Vector128.ConditionalSelect(LanesFrom128(i - last), s1 + v, s1);
        }

        return Vector128.Sum((s0 + s1) + (s2 + s3));
    }

    // ---------------------------------------------------------------- element-wise kernels

    // destination_j = op(x_j, destination_j). The last (partial) vector is loaded before anything is stored
    // and written last, overlapping the previous one, so x and destination may be the same memory.
    private static void Map<TOp>(ReadOnlySpan<float> x, Span<float> destination, TOp op)
        where TOp : struct, IBinaryOp
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)x.Length;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<float>.Count)
        {
            Map512(ref xr, ref dr, n, op);
        }
        else if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<float>.Count)
        {
            Map256(ref xr, ref dr, n, op);
        }
        else if (Vector128.IsHardwareAccelerated && n >= (nuint)Vector128<float>.Count)
        {
            Map128(ref xr, ref dr, n, op);
        }
        else
        {
            for (nuint i = 0; i < n; i++)
            {
                Unsafe.Add(ref dr, i) = op.Invoke(Unsafe.Add(ref xr, i), TOp.ReadsDestination ? Unsafe.Add(ref dr, i) : 0f);
            }
        }
    }

    private static void Map512<TOp>(ref float xr, ref float dr, nuint n, TOp op)
        where TOp : struct, IBinaryOp
    {
        const int W = 16;
        nuint last = n - W;
        Vector512<float> tail = default;
        if (n % W != 0)
        {
            tail = op.Invoke(
                Vector512.LoadUnsafe(ref xr, last),
                TOp.ReadsDestination ? Vector512.LoadUnsafe(ref dr, last) : default);
        }

        nuint i = 0;
        for (; i + 2 * W <= n; i += 2 * W)
        {
            Vector512<float> v0 = op.Invoke(
                Vector512.LoadUnsafe(ref xr, i), TOp.ReadsDestination ? Vector512.LoadUnsafe(ref dr, i) : default);
            Vector512<float> v1 = op.Invoke(
                Vector512.LoadUnsafe(ref xr, i + W), TOp.ReadsDestination ? Vector512.LoadUnsafe(ref dr, i + W) : default);
            v0.StoreUnsafe(ref dr, i);
            v1.StoreUnsafe(ref dr, i + W);
        }

        if (i + W <= n)
        {
            op.Invoke(Vector512.LoadUnsafe(ref xr, i), TOp.ReadsDestination ? Vector512.LoadUnsafe(ref dr, i) : default)
                .StoreUnsafe(ref dr, i);
            i += W;
        }

        if (i != n)
        {
            tail.StoreUnsafe(ref dr, last);
        }
    }

    private static void Map256<TOp>(ref float xr, ref float dr, nuint n, TOp op)
        where TOp : struct, IBinaryOp
    {
        const int W = 8;
        nuint last = n - W;
        Vector256<float> tail = default;
        if (n % W != 0)
        {
            tail = op.Invoke(
                Vector256.LoadUnsafe(ref xr, last),
                TOp.ReadsDestination ? Vector256.LoadUnsafe(ref dr, last) : default);
        }

        nuint i = 0;
        for (; i + 2 * W <= n; i += 2 * W)
        {
            Vector256<float> v0 = op.Invoke(
                Vector256.LoadUnsafe(ref xr, i), TOp.ReadsDestination ? Vector256.LoadUnsafe(ref dr, i) : default);
            Vector256<float> v1 = op.Invoke(
                Vector256.LoadUnsafe(ref xr, i + W), TOp.ReadsDestination ? Vector256.LoadUnsafe(ref dr, i + W) : default);
            v0.StoreUnsafe(ref dr, i);
            v1.StoreUnsafe(ref dr, i + W);
        }

        if (i + W <= n)
        {
            op.Invoke(Vector256.LoadUnsafe(ref xr, i), TOp.ReadsDestination ? Vector256.LoadUnsafe(ref dr, i) : default)
                .StoreUnsafe(ref dr, i);
            i += W;
        }

        if (i != n)
        {
            tail.StoreUnsafe(ref dr, last);
        }
    }

    private static void Map128<TOp>(ref float xr, ref float dr, nuint n, TOp op)
        where TOp : struct, IBinaryOp
    {
        const int W = 4;
        nuint last = n - W;
        Vector128<float> tail = default;
        if (n % W != 0)
        {
            tail = op.Invoke(
                Vector128.LoadUnsafe(ref xr, last),
                TOp.ReadsDestination ? Vector128.LoadUnsafe(ref dr, last) : default);
        }

        nuint i = 0;
        for (; i + 2 * W <= n; i += 2 * W)
        {
            Vector128<float> v0 = op.Invoke(
                Vector128.LoadUnsafe(ref xr, i), TOp.ReadsDestination ? Vector128.LoadUnsafe(ref dr, i) : default);
            Vector128<float> v1 = op.Invoke(
                Vector128.LoadUnsafe(ref xr, i + W), TOp.ReadsDestination ? Vector128.LoadUnsafe(ref dr, i + W) : default);
            v0.StoreUnsafe(ref dr, i);
            v1.StoreUnsafe(ref dr, i + W);
        }

        if (i + W <= n)
        {
            op.Invoke(Vector128.LoadUnsafe(ref xr, i), TOp.ReadsDestination ? Vector128.LoadUnsafe(ref dr, i) : default)
                .StoreUnsafe(ref dr, i);
            i += W;
        }

        if (i != n)
        {
            tail.StoreUnsafe(ref dr, last);
        }
    }

    // ---------------------------------------------------------------- operators

    private interface IFlag
    {
        static abstract bool Value { get; }
    }

    private readonly struct Yes : IFlag
    {
        public static bool Value => true;
    }

    private readonly struct No : IFlag
    {
        public static bool Value => false;
    }

    private interface IUnaryOp
    {
        float Invoke(float x);

        Vector128<float> Invoke(Vector128<float> x);

        Vector256<float> Invoke(Vector256<float> x);

        Vector512<float> Invoke(Vector512<float> x);
    }

    private interface IBinaryOp
    {
        static abstract bool ReadsDestination { get; }

        float Invoke(float x, float d);

        Vector128<float> Invoke(Vector128<float> x, Vector128<float> d);

        Vector256<float> Invoke(Vector256<float> x, Vector256<float> d);

        Vector512<float> Invoke(Vector512<float> x, Vector512<float> d);
    }

    private readonly struct IdentityOp : IUnaryOp
    {
        public float Invoke(float x) => x;

        public Vector128<float> Invoke(Vector128<float> x) => x;

        public Vector256<float> Invoke(Vector256<float> x) => x;

        public Vector512<float> Invoke(Vector512<float> x) => x;
    }

    private readonly struct ExpShiftOp : IUnaryOp
    {
        private readonly float _shift;

        public ExpShiftOp(float shift) => _shift = shift;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Invoke(float x) => Exp(x - _shift);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<float> Invoke(Vector128<float> x) => Exp(x - Vector128.Create(_shift));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<float> Invoke(Vector256<float> x) => Exp(x - Vector256.Create(_shift));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Invoke(Vector512<float> x) => Exp(x - Vector512.Create(_shift));
    }

    private readonly struct ExpOp : IBinaryOp
    {
        public static bool ReadsDestination => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Invoke(float x, float d) => Exp(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<float> Invoke(Vector128<float> x, Vector128<float> d) => Exp(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> d) => Exp(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> d) => Exp(x);
    }

    private readonly struct SubtractOp : IBinaryOp
    {
        private readonly float _value;

        public SubtractOp(float value) => _value = value;

        public static bool ReadsDestination => false;

        public float Invoke(float x, float d) => x - _value;

        public Vector128<float> Invoke(Vector128<float> x, Vector128<float> d) => x - Vector128.Create(_value);

        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> d) => x - Vector256.Create(_value);

        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> d) => x - Vector512.Create(_value);
    }

    private readonly struct MultiplyOp : IBinaryOp
    {
        private readonly float _factor;

        public MultiplyOp(float factor) => _factor = factor;

        public static bool ReadsDestination => false;

        public float Invoke(float x, float d) => x * _factor;

        public Vector128<float> Invoke(Vector128<float> x, Vector128<float> d) => x * _factor;

        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> d) => x * _factor;

        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> d) => x * _factor;
    }

    private readonly struct MultiplyAddOp : IBinaryOp
    {
        private readonly float _factor;

        public MultiplyAddOp(float factor) => _factor = factor;

        public static bool ReadsDestination => true;

        public float Invoke(float x, float d) => MulAdd(x, _factor, d);

        public Vector128<float> Invoke(Vector128<float> x, Vector128<float> d) => MulAdd(x, Vector128.Create(_factor), d);

        public Vector256<float> Invoke(Vector256<float> x, Vector256<float> d) => MulAdd(x, Vector256.Create(_factor), d);

        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> d) => MulAdd(x, Vector512.Create(_factor), d);
    }
}
