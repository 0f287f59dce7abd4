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
/// <para>The loops are written once, over every width, in <c>Generic/SpanLoops.cs</c>, with the operators of
/// <c>Generic/SimdOperators.cs</c>.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class KernelMath
{
    /// <summary><paramref name="total"/> / <paramref name="denominator"/>, bit for bit, as a multiplication by the
    /// exact reciprocal when <paramref name="denominator"/> is a normal power of two (a Mean over a batch of 4, 32 or
    /// 256 rows with none ignored): both are then the exact quotient rounded once, and the call's last step is a
    /// multiplication instead of a division (about 13 cycles of latency on Zen 4, the end of the loss's dependency
    /// chain). 4 x 7 double forward, Zen 4 AVX-512, console loop: about 2 ns less per call.</summary>
    /// <param name="total">The summed loss.</param>
    /// <param name="denominator">The Mean's divisor (the number or summed weight of the rows not ignored).</param>
    /// <returns>The quotient, as <c>total / denominator</c> rounds it.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Quotient(double total, double denominator) =>
        double.IsPow2(denominator) && double.IsNormal(denominator) ? total * (1d / denominator) : total / denominator;

    /// <inheritdoc cref="Quotient(double, double)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Quotient(float total, float denominator) =>
        float.IsPow2(denominator) && float.IsNormal(denominator) ? total * (1f / denominator) : total / denominator;

    /// <summary>The largest element of <paramref name="x"/>.</summary>
    /// <param name="x">The values; at least one is expected (an empty span gives <see cref="float.NegativeInfinity"/>).</param>
    /// <returns>The largest element; NaN if any element is NaN; <c>+inf</c>/<c>-inf</c> as ordinary values.
    /// Which zero is returned when the largest elements are <c>+0</c> and <c>-0</c> is unspecified.</returns>
    public static float Max(ReadOnlySpan<float> x) => SpanLoops.Max(x);

    /// <summary>The sum of the elements of <paramref name="x"/>.</summary>
    /// <param name="x">The values (any length; empty gives 0).</param>
    /// <returns>Σ x, accumulated in float.</returns>
    public static float Sum(ReadOnlySpan<float> x) =>
        SpanLoops.Reduce<float, SumAccumulator<IdentityOperator>, FlagClear>(x, default, default, 0f);

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

        return SpanLoops.Reduce<float, FusedDotAccumulator, FlagClear>(a, b, default, 0f);
    }

    /// <summary>Σ exp(x_j − <paramref name="shift"/>), storing nothing.</summary>
    /// <param name="x">The values (any length; empty gives 0).</param>
    /// <param name="shift">Subtracted (in float) from every element before exp, usually <see cref="Max(ReadOnlySpan{float})"/> of <paramref name="x"/>.</param>
    /// <returns>The sum of exp(x_j − shift), bit for bit what <see cref="ExpShifted"/> returns for the same input.</returns>
    public static float SumExp(ReadOnlySpan<float> x, float shift) =>
        SpanLoops.Reduce<float, SumAccumulator<ExpShiftedOperator>, FlagClear>(x, default, default, shift);

    /// <summary>destination_j = exp(x_j − <paramref name="shift"/>); returns their sum.</summary>
    /// <param name="x">The values.</param>
    /// <param name="shift">Subtracted (in float) from every element before exp.</param>
    /// <param name="destination">Receives the exponentials; as long as <paramref name="x"/>; may be <paramref name="x"/> itself.</param>
    /// <returns>Σ destination, bit for bit what <see cref="SumExp"/> returns for the same input.</returns>
    public static float ExpShifted(ReadOnlySpan<float> x, float shift, Span<float> destination)
    {
        CheckDestination(x, destination);
        return SpanLoops.Reduce<float, SumAccumulator<ExpShiftedOperator>, FlagSet>(x, default, destination, shift);
    }

    /// <summary>Replaces every element of <paramref name="values"/> by its exponential (<see cref="Exp(float)"/>).</summary>
    /// <param name="values">The values, overwritten.</param>
    public static void Exp(Span<float> values) => SpanLoops.Map<float, ExpOperator>(values, values, 0f);

    /// <summary>destination_j = x_j − <paramref name="value"/>.</summary>
    /// <param name="x">The values.</param>
    /// <param name="value">The value subtracted.</param>
    /// <param name="destination">Receives the differences; as long as <paramref name="x"/>; may be <paramref name="x"/> itself.</param>
    public static void Subtract(ReadOnlySpan<float> x, float value, Span<float> destination)
    {
        CheckDestination(x, destination);
        SpanLoops.Map<float, ShiftedOperator>(x, destination, value);
    }

    /// <summary>destination_j = x_j · <paramref name="factor"/>.</summary>
    /// <param name="x">The values.</param>
    /// <param name="factor">The factor.</param>
    /// <param name="destination">Receives the products; as long as <paramref name="x"/>; may be <paramref name="x"/> itself.</param>
    public static void Multiply(ReadOnlySpan<float> x, float factor, Span<float> destination)
    {
        CheckDestination(x, destination);
        SpanLoops.Map<float, ScaleOperator>(x, destination, factor);
    }

    /// <summary>destination_j += x_j · <paramref name="factor"/> (one rounding where FMA is available).</summary>
    /// <param name="x">The values.</param>
    /// <param name="factor">The factor.</param>
    /// <param name="destination">Accumulates the products; as long as <paramref name="x"/>; may be <paramref name="x"/> itself.</param>
    public static void MultiplyAdd(ReadOnlySpan<float> x, float factor, Span<float> destination)
    {
        CheckDestination(x, destination);
        SpanLoops.Map<float, AddScaledOperator>(x, destination, factor);
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalMax(Vector128<float> v) => Simd128<float>.MaxAcross(new(v));
}
