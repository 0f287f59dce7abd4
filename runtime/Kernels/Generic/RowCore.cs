using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace FixedShapeLoss;

/// <summary>Row operations of the generic core, for float and double alike, built from the loops of
/// <see cref="SimdLoops"/> and the operators of SimdOperators.cs. The double kernels run entirely on these; the
/// float kernels keep their register-resident small-row and lanes = rows paths (KernelMath.SmallRows.cs,
/// KernelMath.Tiny*.cs) and use these for what those do not cover.</summary>
internal static class RowCore
{
    /// <summary><c>log sum_j exp(x_j - m)</c> of the row at <paramref name="offset"/>, and <c>m = max_j x_j</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LogSumExp<T>(ReadOnlySpan<T> matrix, int offset, int count, out T max)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> row = matrix.Slice(offset, count);
        max = SimdLoops.Max(row);
        return T.Log(SimdLoops.Reduce<T, ExpShiftedOperator>(row, default, max));
    }

    /// <summary>Writes <c>factor * exp(x_j - m) / s</c> into the row of <paramref name="destination"/> (which may be
    /// <paramref name="matrix"/>); returns <c>log s</c> and <c>m</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Softmax<T>(ReadOnlySpan<T> matrix, int offset, int count, T factor, Span<T> destination, out T max)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> row = matrix.Slice(offset, count);
        Span<T> target = destination.Slice(offset, count);
        max = SimdLoops.Max(row);
        T s = SimdLoops.Map<T, ExpShiftedOperator>(row, default, target, sum: true, max);
        SimdLoops.Map<T, ScaleOperator>(target, default, target, sum: false, factor / s);
        return T.Log(s);
    }

    /// <summary>Writes <c>(x_j - m) - log s</c> into the row of <paramref name="destination"/> (which may be
    /// <paramref name="matrix"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LogSoftmax<T>(ReadOnlySpan<T> matrix, int offset, int count, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T logSum = LogSumExp(matrix, offset, count, out T max);
        SimdLoops.Map<T, LogSoftmaxOperator>(matrix.Slice(offset, count), default, destination.Slice(offset, count), sum: false, max, logSum);
    }

    /// <summary>The plain cross-entropy sum <c>sum_i log s_i - (x[i, t_i] - m_i)</c> over the rows whose target is
    /// not <paramref name="ignoreIndex"/>, row by row, the rows' losses added with a compensated sum.</summary>
    public static double CrossEntropySum<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var total = default(CompensatedSum);
        for (int i = 0, offset = 0; i < targets.Length; i++, offset += classes)
        {
            int target = targets[i];
            if (target != ignoreIndex)
            {
                T logSum = LogSumExp(logits, offset, classes, out T max);
                total.Add(double.CreateTruncating(logSum - (logits[offset + target] - max)));
            }
        }

        return total.Value;
    }

    /// <summary>As <see cref="CrossEntropySum{T}"/>, and writes <c>scale * (p_j - [j == t])</c> into each row of
    /// <paramref name="gradient"/> (0 where the target is ignored). <paramref name="gradient"/> may be
    /// <paramref name="logits"/>: the target logit is read before its row is written.</summary>
    public static double CrossEntropyBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex, T scale, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var total = default(CompensatedSum);
        for (int i = 0, offset = 0; i < targets.Length; i++, offset += classes)
        {
            int target = targets[i];
            if (target == ignoreIndex)
            {
                gradient.Slice(offset, classes).Clear();
                continue;
            }

            T xt = logits[offset + target];
            T logSum = Softmax(logits, offset, classes, scale, gradient, out T max);
            gradient[offset + target] -= scale;
            total.Add(double.CreateTruncating(logSum - (xt - max)));
        }

        return total.Value;
    }
}
