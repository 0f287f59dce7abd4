using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FixedShapeLoss;

/// <summary>Row operations of the generic core, for float and double alike, built from the loops of
/// <see cref="SimdLoops"/> and the operators of SimdOperators.cs. The double kernels run entirely on these; the
/// float kernels keep their register-resident small-row and lanes = rows paths (KernelMath.SmallRows.cs,
/// KernelMath.Tiny*.cs) and use these for what those do not cover.</summary>
internal static class RowCore
{
    /// <summary><c>log sum_j exp(x_j - m)</c> of the row at <paramref name="offset"/>, and <c>m = max_j x_j</c>.</summary>
    public static T LogSumExp<T>(ReadOnlySpan<T> matrix, int offset, int count, out T max)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> row = matrix.Slice(offset, count);
        if (SmallRow<T>(count, out int width))
        {
            ref T r = ref MemoryMarshal.GetReference(row);
            return width switch
            {
                512 => T.Log(TwoVectors<Simd512<T>, T>.SumExp(ref r, count, out max)),
                256 => T.Log(TwoVectors<Simd256<T>, T>.SumExp(ref r, count, out max)),
                _ => T.Log(TwoVectors<Simd128<T>, T>.SumExp(ref r, count, out max)),
            };
        }

        max = SimdLoops.Max(row);
        return T.Log(SimdLoops.Reduce<T, ExpBelowMaxOperator>(row, default, max));
    }

    /// <summary>Writes <c>factor * exp(x_j - m) / s</c> into the row of <paramref name="destination"/> (which may be
    /// <paramref name="matrix"/>); returns <c>log s</c> and <c>m</c>.</summary>
    public static T Softmax<T>(ReadOnlySpan<T> matrix, int offset, int count, T factor, Span<T> destination, out T max)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> row = matrix.Slice(offset, count);
        Span<T> target = destination.Slice(offset, count);
        if (SmallRow<T>(count, out int width))
        {
            ref T r = ref MemoryMarshal.GetReference(row);
            ref T d = ref MemoryMarshal.GetReference(target);
            return T.Log(width switch
            {
                512 => TwoVectors<Simd512<T>, T>.Softmax(ref r, ref d, count, factor, out max),
                256 => TwoVectors<Simd256<T>, T>.Softmax(ref r, ref d, count, factor, out max),
                _ => TwoVectors<Simd128<T>, T>.Softmax(ref r, ref d, count, factor, out max),
            });
        }

        max = SimdLoops.Max(row);
        T s = SimdLoops.Map<T, ExpBelowMaxOperator>(row, default, target, sum: true, max);
        SimdLoops.Map<T, ScaleOperator>(target, default, target, sum: false, factor / s);
        return T.Log(s);
    }

    /// <summary>Writes <c>(x_j - m) - log s</c> into the row of <paramref name="destination"/> (which may be
    /// <paramref name="matrix"/>).</summary>
    public static void LogSoftmax<T>(ReadOnlySpan<T> matrix, int offset, int count, Span<T> destination)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T logSum = LogSumExp(matrix, offset, count, out T max);
        SimdLoops.Map<T, LogSoftmaxOperator>(matrix.Slice(offset, count), default, destination.Slice(offset, count), sum: false, max, logSum);
    }

    /// <summary>Whether a row of <paramref name="count"/> elements fits in at most two vectors of an accelerated
    /// width (the narrowest that does, in bits): such a row stays in registers from the load to the store, one exp
    /// per vector, no loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SmallRow<T>(int count, out int width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        width = Vector128.IsHardwareAccelerated && count <= 2 * Vector128<T>.Count ? 128
            : Vector256.IsHardwareAccelerated && count <= 2 * Vector256<T>.Count ? 256
            : Vector512.IsHardwareAccelerated && count <= 2 * Vector512<T>.Count ? 512
            : 0;
        return width != 0;
    }

    /// <summary>A row of up to two vectors of <typeparamref name="TV"/>, kept in registers: the first vector full or
    /// partial, the second (when the row is longer than one vector) partial or full. Lanes past the row hold -inf for
    /// the maximum and 0 for the exp (then masked to 0 after it): feeding them -inf would make the exp underflow
    /// through subnormals, which costs a microcode assist per lane on many CPUs. Loads and stores never pass the
    /// row's end.</summary>
    private static class TwoVectors<TV, T>
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TV Load(ref T row, int count) =>
            count >= TV.Count ? TV.Load(ref row) : TV.LoadPartial(ref row, count, T.NegativeInfinity);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(ref T destination, int count, TV value)
        {
            if (count >= TV.Count)
            {
                TV.Store(value, ref destination);
            }
            else
            {
                TV.StorePartial(value, ref destination, count);
            }
        }

        /// <summary><c>exp(x - m)</c> on the first <paramref name="count"/> lanes, 0 on the others.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TV ExpShifted(TV x, TV m, int count) =>
            count >= TV.Count ? TV.ExpBelowMax(TV.Subtract(x, m)) : TV.KeepLanesBelow(TV.ExpBelowMax(TV.KeepLanesBelow(TV.Subtract(x, m), count)), count);

        /// <summary><c>sum_j exp(x_j - m)</c> and <c>m = max_j x_j</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T SumExp(ref T row, int count, out T max)
        {
            int w = TV.Count;
            TV a = Load(ref row, count);
            if (count <= w)
            {
                max = TV.MaxAcross(a);
                return TV.Sum(ExpShifted(a, TV.Create(max), count));
            }

            TV b = Load(ref Unsafe.Add(ref row, w), count - w);
            max = TV.MaxAcross(TV.Max(a, b));
            TV m = TV.Create(max);
            return TV.Sum(TV.Add(TV.ExpBelowMax(TV.Subtract(a, m)), ExpShifted(b, m, count - w)));
        }

        /// <summary>Writes <c>factor * exp(x_j - m) / s</c>; returns <c>s</c> and <c>m</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Softmax(ref T row, ref T destination, int count, T factor, out T max)
        {
            int w = TV.Count;
            TV a = Load(ref row, count);
            if (count <= w)
            {
                max = TV.MaxAcross(a);
                TV e = ExpShifted(a, TV.Create(max), count);
                T sum = TV.Sum(e);
                Store(ref destination, count, TV.Multiply(e, TV.Create(factor / sum)));
                return sum;
            }

            TV b = Load(ref Unsafe.Add(ref row, w), count - w);
            max = TV.MaxAcross(TV.Max(a, b));
            TV m = TV.Create(max);
            TV ea = TV.ExpBelowMax(TV.Subtract(a, m)), eb = ExpShifted(b, m, count - w);
            T s = TV.Sum(TV.Add(ea, eb));
            TV scale = TV.Create(factor / s);
            TV.Store(TV.Multiply(ea, scale), ref destination);
            Store(ref Unsafe.Add(ref destination, w), count - w, TV.Multiply(eb, scale));
            return s;
        }
    }

    /// <summary>The plain cross-entropy sum <c>sum_i log s_i - (x[i, t_i] - m_i)</c> over the rows whose target is
    /// not <paramref name="ignoreIndex"/>, the rows' losses added with a compensated sum: lanes = rows
    /// (<see cref="RowTiles"/>) where the shape allows it, else row by row.</summary>
    public static double CrossEntropySum<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        // Lanes = rows reads its rows without bounds checks: only for a matrix of exactly targets.Length rows (a direct
        // caller's mismatched spans take the row loop below, whose slices throw).
        switch (logits.Length == targets.Length * classes ? RowTiles.Width<T>(targets.Length, classes) : 0)
        {
            case 512: return RowTiles.CrossEntropy<Simd512<T>, T>(logits, targets, classes, ignoreIndex, T.Zero, default, backward: false);
            case 256: return RowTiles.CrossEntropy<Simd256<T>, T>(logits, targets, classes, ignoreIndex, T.Zero, default, backward: false);
            case 128: return RowTiles.CrossEntropy<Simd128<T>, T>(logits, targets, classes, ignoreIndex, T.Zero, default, backward: false);
        }

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
        switch (logits.Length == targets.Length * classes && gradient.Length == logits.Length ? RowTiles.Width<T>(targets.Length, classes) : 0)
        {
            case 512: return RowTiles.CrossEntropy<Simd512<T>, T>(logits, targets, classes, ignoreIndex, scale, gradient, backward: true);
            case 256: return RowTiles.CrossEntropy<Simd256<T>, T>(logits, targets, classes, ignoreIndex, scale, gradient, backward: true);
            case 128: return RowTiles.CrossEntropy<Simd128<T>, T>(logits, targets, classes, ignoreIndex, scale, gradient, backward: true);
        }

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
