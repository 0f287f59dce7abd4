using System;
using System.Runtime.CompilerServices;

namespace FixedShapeLoss;

// The float64 kernels: the same members as the float ones, each a thin call into the generic core (RowCore,
// SimdLoops and the operator structs under Generic/), so there is no second copy of any loop.
public static partial class KernelMath
{
    /// <summary>The largest element of <paramref name="x"/>, as <see cref="Max(ReadOnlySpan{float})"/>.</summary>
    /// <param name="x">The values; at least one is expected (an empty span gives <see cref="double.NegativeInfinity"/>).</param>
    /// <returns>The largest element; NaN if any element is NaN; <c>+inf</c>/<c>-inf</c> as ordinary values.
    /// Which zero is returned when the largest elements are <c>+0</c> and <c>-0</c> is unspecified.</returns>
    public static double Max(ReadOnlySpan<double> x) => SpanLoops.Max(x);

    /// <summary><c>sum_j x_j</c>.</summary>
    /// <param name="x">The values.</param>
    /// <returns>The sum.</returns>
    public static double Sum(ReadOnlySpan<double> x) => SimdLoops.Reduce<double, IdentityOperator>(x, default, 0d);

    /// <summary><c>sum_j a_j b_j</c>.</summary>
    /// <param name="a">The first vector.</param>
    /// <param name="b">The second vector, as long as <paramref name="a"/>.</param>
    /// <returns>The dot product.</returns>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        CheckSameLength(a.Length, b.Length, nameof(b));
        return SimdLoops.Reduce<double, ProductOperator>(a, b, 0d);
    }

    /// <summary><c>sum_j (x_j - shift)</c>.</summary>
    /// <param name="x">The values.</param>
    /// <param name="shift">Subtracted from every value before summing.</param>
    /// <returns>The sum of the shifted values.</returns>
    public static double SumShifted(ReadOnlySpan<double> x, double shift) => SimdLoops.Reduce<double, ShiftedOperator>(x, default, shift);

    /// <summary><c>sum_j w_j (x_j - shift)</c>.</summary>
    /// <param name="w">The weights, as long as <paramref name="x"/>.</param>
    /// <param name="x">The values.</param>
    /// <param name="shift">Subtracted from every value before weighting.</param>
    /// <returns>The weighted sum of the shifted values.</returns>
    public static double DotShifted(ReadOnlySpan<double> w, ReadOnlySpan<double> x, double shift)
    {
        CheckSameLength(x.Length, w.Length, nameof(w));
        return SimdLoops.Reduce<double, WeightedShiftedOperator>(x, w, shift);
    }

    /// <summary><c>sum_j ((1 - e) t_j + e / C) (x_j - shift)</c>: the smoothed soft targets formed first, as PyTorch
    /// does, so a 0 target against a -inf logit gives -inf when <c>e &gt; 0</c> (not 0 * -inf).</summary>
    /// <param name="t">The target probabilities, as long as <paramref name="x"/>.</param>
    /// <param name="x">The values.</param>
    /// <param name="shift">Subtracted from every value.</param>
    /// <param name="oneMinusSmoothing"><c>1 - e</c>.</param>
    /// <param name="smoothingPerClass"><c>e / C</c>.</param>
    /// <returns>The sum.</returns>
    public static double SmoothedDotShifted(ReadOnlySpan<double> t, ReadOnlySpan<double> x, double shift, double oneMinusSmoothing, double smoothingPerClass)
    {
        CheckSameLength(x.Length, t.Length, nameof(t));
        return SimdLoops.Reduce<double, SmoothedShiftedOperator>(x, t, shift, oneMinusSmoothing, smoothingPerClass);
    }

    /// <inheritdoc cref="SmoothedDotShifted(ReadOnlySpan{double}, ReadOnlySpan{double}, double, double, double)"/>
    public static float SmoothedDotShifted(ReadOnlySpan<float> t, ReadOnlySpan<float> x, float shift, float oneMinusSmoothing, float smoothingPerClass)
    {
        CheckSameLength(x.Length, t.Length, nameof(t));
        return SimdLoops.Reduce<float, SmoothedShiftedOperator>(x, t, shift, oneMinusSmoothing, smoothingPerClass);
    }

    /// <summary><c>destination_j = x_j / divisor</c>; <paramref name="destination"/> may be <paramref name="x"/>.</summary>
    /// <param name="x">The values.</param>
    /// <param name="divisor">The divisor.</param>
    /// <param name="destination">Receives the quotients; as long as <paramref name="x"/>.</param>
    public static void Divide(ReadOnlySpan<double> x, double divisor, Span<double> destination)
    {
        CheckSameLength(x.Length, destination.Length, nameof(destination));
        SimdLoops.Map<double, DivideOperator>(x, default, destination, sum: false, divisor);
    }

    /// <summary><c>destination_j = x_j - value</c>; <paramref name="destination"/> may be <paramref name="x"/>.</summary>
    /// <param name="x">The values.</param>
    /// <param name="value">Subtracted from every element.</param>
    /// <param name="destination">Receives the differences; as long as <paramref name="x"/>.</param>
    public static void Subtract(ReadOnlySpan<double> x, double value, Span<double> destination)
    {
        CheckSameLength(x.Length, destination.Length, nameof(destination));
        SimdLoops.Map<double, ShiftedOperator>(x, default, destination, sum: false, value);
    }

    /// <summary><c>destination_j += factor * x_j</c>.</summary>
    /// <param name="x">The values.</param>
    /// <param name="factor">The multiplier.</param>
    /// <param name="destination">Accumulates the products; as long as <paramref name="x"/>.</param>
    public static void MultiplyAdd(ReadOnlySpan<double> x, double factor, Span<double> destination)
    {
        CheckSameLength(x.Length, destination.Length, nameof(destination));
        SimdLoops.Map<double, AddScaledOperator>(x, destination, destination, sum: false, factor);
    }

    /// <inheritdoc cref="RowLogSumExp(ReadOnlySpan{float}, int, int, out float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double RowLogSumExp(ReadOnlySpan<double> matrix, int offset, int count, out double max) =>
        RowCore.LogSumExp(matrix, offset, count, out max);

    /// <inheritdoc cref="RowSoftmax(ReadOnlySpan{float}, int, int, float, Span{float}, out float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double RowSoftmax(ReadOnlySpan<double> matrix, int offset, int count, double factor, Span<double> destination, out double max) =>
        RowCore.Softmax(matrix, offset, count, factor, destination, out max);

    /// <inheritdoc cref="RowLogSoftmax(ReadOnlySpan{float}, int, int, Span{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RowLogSoftmax(ReadOnlySpan<double> matrix, int offset, int count, Span<double> destination) =>
        RowCore.LogSoftmax(matrix, offset, count, destination);

    /// <summary>The plain cross-entropy sum of a double matrix: <c>sum_i log s_i - (x[i, t_i] - m_i)</c> over the rows
    /// whose target is not <paramref name="ignoreIndex"/> (targets already checked).</summary>
    /// <param name="logits">The row-major matrix, <c>targets.Length * classes</c> elements.</param>
    /// <param name="targets">One class index per row.</param>
    /// <param name="classes">Elements per row.</param>
    /// <param name="ignoreIndex">The target value that is skipped.</param>
    /// <returns>The summed loss.</returns>
    public static double CrossEntropySum(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex) =>
        PlainDouble(logits, targets, classes, ignoreIndex, 0d, default, backward: false);

    /// <summary>As <see cref="CrossEntropySum(ReadOnlySpan{double}, ReadOnlySpan{int}, int, int)"/> for the shape of
    /// <typeparamref name="TShape"/>.</summary>
    /// <typeparam name="TShape">The kernel's shape.</typeparam>
    /// <param name="logits">The row-major matrix.</param>
    /// <param name="targets">One class index per row.</param>
    /// <param name="ignoreIndex">The target value that is skipped.</param>
    /// <returns>The summed loss.</returns>
    public static double CrossEntropySum<TShape>(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, int ignoreIndex)
        where TShape : IKernelShape =>
        ShapedTiles<TShape>(logits, targets) is int width and not 0
            ? ShapedDouble<TShape>(width, logits, targets, ignoreIndex, 0d, default, backward: false)
            : PlainDouble(logits, targets, TShape.Classes, ignoreIndex, 0d, default, backward: false);

    /// <summary>The plain cross-entropy sum and its gradient <c>scale * (p_j - [j == t])</c> (0 for ignored rows);
    /// <paramref name="gradient"/> may be <paramref name="logits"/>.</summary>
    /// <param name="logits">The row-major matrix.</param>
    /// <param name="targets">One class index per row.</param>
    /// <param name="classes">Elements per row.</param>
    /// <param name="ignoreIndex">The target value that is skipped.</param>
    /// <param name="scale">Multiplies the gradient (1 / denominator for Mean).</param>
    /// <param name="gradient">Receives the gradient; as long as <paramref name="logits"/>.</param>
    /// <returns>The summed loss.</returns>
    public static double CrossEntropyBackward(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex, double scale, Span<double> gradient) =>
        PlainDouble(logits, targets, classes, ignoreIndex, scale, gradient, backward: true);

    /// <summary>As <see cref="CrossEntropyBackward(ReadOnlySpan{double}, ReadOnlySpan{int}, int, int, double, Span{double})"/>
    /// for the shape of <typeparamref name="TShape"/>.</summary>
    /// <typeparam name="TShape">The kernel's shape.</typeparam>
    /// <param name="logits">The row-major matrix.</param>
    /// <param name="targets">One class index per row.</param>
    /// <param name="ignoreIndex">The target value that is skipped.</param>
    /// <param name="scale">Multiplies the gradient.</param>
    /// <param name="gradient">Receives the gradient.</param>
    /// <returns>The summed loss.</returns>
    public static double CrossEntropyBackward<TShape>(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, int ignoreIndex, double scale, Span<double> gradient)
        where TShape : IKernelShape =>
        ShapedTiles<TShape>(logits, targets) is int width and not 0 && gradient.Length == logits.Length
            ? ShapedDouble<TShape>(width, logits, targets, ignoreIndex, scale, gradient, backward: true)
            : PlainDouble(logits, targets, TShape.Classes, ignoreIndex, scale, gradient, backward: true);

    /// <summary>The lanes = rows width for the shape of <typeparamref name="TShape"/> (0: the generic path), when the
    /// spans hold exactly that shape and it is not split into blocks for the thread pool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ShapedTiles<TShape>(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets)
        where TShape : IKernelShape =>
        targets.Length == TShape.Batch && logits.Length == TShape.Batch * TShape.Classes && !PlainBlocked(TShape.Batch, TShape.Classes)
            ? RowTiles.Width<double>(TShape.Batch, TShape.Classes)
            : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ShapedDouble<TShape>(int width, ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, int ignoreIndex, double scale, Span<double> gradient, bool backward)
        where TShape : IKernelShape =>
        width switch
        {
            512 => RowTiles.CrossEntropy<TShape, Simd512<double>, double>(logits, targets, ignoreIndex, scale, gradient, backward),
            256 => RowTiles.CrossEntropy<TShape, Simd256<double>, double>(logits, targets, ignoreIndex, scale, gradient, backward),
            _ => RowTiles.CrossEntropy<TShape, Simd128<double>, double>(logits, targets, ignoreIndex, scale, gradient, backward),
        };

    private static void CheckSameLength(int expected, int actual, string paramName)
    {
        if (expected != actual)
        {
            ThrowLengthMismatch(paramName);
        }
    }
}
