using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

// Whole-row operations on one row of a row-major matrix. Generated code passes the row's offset and the
// class count as constants; after inlining, the JIT folds the width choice below, so a row of up to 8
// classes is one 256-bit vector and a row of up to 16 one 512-bit vector, kept in registers from the
// load to the store (max, exp, sum, scale). Wider rows, narrower machines and matrices shorter than a
// vector take the span helpers. Lanes outside the row are masked to -inf for the max
// and to 0 after the exp, so they contribute nothing to any maximum or sum.
public static partial class KernelMath
{
    /// <summary>The log-sum-exp pieces of one row: returns <c>log sum_j exp(x_j - max)</c> and the row maximum.</summary>
    /// <param name="matrix">The whole row-major matrix.</param>
    /// <param name="offset">Index of the row's first element.</param>
    /// <param name="count">Elements in the row (the class count).</param>
    /// <param name="max">Receives <c>max_j x_j</c>.</param>
    /// <returns><c>log sum_j exp(x_j - max)</c>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RowLogSumExp(ReadOnlySpan<float> matrix, int offset, int count, out float max)
    {
        if (Vector256.IsHardwareAccelerated && InMatrix(matrix, offset, count, Vector256<float>.Count))
        {
            var x = LoadRow256(matrix, offset, count, out var mask);
            max = HorizontalMax(x);
            return Log(Vector256.Sum(MaskedExp(x - Vector256.Create(max), mask)));
        }

        if (Vector512.IsHardwareAccelerated && InMatrix(matrix, offset, count, Vector512<float>.Count))
        {
            var x = LoadRow512(matrix, offset, count, out var mask);
            max = HorizontalMax(x);
            return Log(Vector512.Sum(MaskedExp(x - Vector512.Create(max), mask)));
        }

        var row = matrix.Slice(offset, count);
        max = Max(row);
        return MathF.Log(SumExpBelowMax(row, max));
    }

    /// <summary>Writes <c>factor * softmax(row)</c> into the same row of <paramref name="destination"/>:
    /// <c>destination[offset + j] = factor * exp(x_j - max) / s</c>; returns <c>log s</c> and the maximum.</summary>
    /// <param name="matrix">The whole row-major matrix.</param>
    /// <param name="offset">Index of the row's first element.</param>
    /// <param name="count">Elements in the row.</param>
    /// <param name="factor">Multiplies every probability (1 for a plain softmax).</param>
    /// <param name="destination">A matrix as long as <paramref name="matrix"/> (it may be <paramref name="matrix"/>
    /// itself); only this row's elements change.</param>
    /// <param name="max">Receives <c>max_j x_j</c>.</param>
    /// <returns><c>log s</c>, <c>s = sum_j exp(x_j - max)</c>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RowSoftmax(ReadOnlySpan<float> matrix, int offset, int count, float factor, Span<float> destination, out float max)
    {
        if (Vector256.IsHardwareAccelerated && InMatrix(matrix, offset, count, Vector256<float>.Count) && destination.Length == matrix.Length)
        {
            var x = LoadRow256(matrix, offset, count, out var mask);
            max = HorizontalMax(x);
            var e = MaskedExp(x - Vector256.Create(max), mask);
            float sum = Vector256.Sum(e);
            StoreRow256(destination, offset, count, e * Vector256.Create(factor / sum));
            return Log(sum);
        }

        if (Vector512.IsHardwareAccelerated && InMatrix(matrix, offset, count, Vector512<float>.Count) && destination.Length == matrix.Length)
        {
            var x = LoadRow512(matrix, offset, count, out var mask);
            max = HorizontalMax(x);
            var e = MaskedExp(x - Vector512.Create(max), mask);
            float sum = Vector512.Sum(e);
            StoreRow512(destination, offset, count, e * Vector512.Create(factor / sum));
            return Log(sum);
        }

        var row = matrix.Slice(offset, count);
        var target = destination.Slice(offset, count);
        max = Max(row);
        float s = SpanLoops.Reduce<float, SumAccumulator<ExpBelowMaxOperator>, FlagSet>(row, default, target, max);
        Multiply(target, factor / s, target);
        return MathF.Log(s);
    }

    /// <summary>Writes the row's log-softmax into the same row of <paramref name="destination"/>:
    /// <c>destination[offset + j] = (x_j - max) - log sum_k exp(x_k - max)</c>.</summary>
    /// <param name="matrix">The whole row-major matrix.</param>
    /// <param name="offset">Index of the row's first element.</param>
    /// <param name="count">Elements in the row.</param>
    /// <param name="destination">A matrix as long as <paramref name="matrix"/>, written as in <see cref="RowSoftmax(ReadOnlySpan{float}, int, int, float, Span{float}, out float)"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RowLogSoftmax(ReadOnlySpan<float> matrix, int offset, int count, Span<float> destination)
    {
        if (Vector256.IsHardwareAccelerated && InMatrix(matrix, offset, count, Vector256<float>.Count) && destination.Length == matrix.Length)
        {
            var x = LoadRow256(matrix, offset, count, out var mask);
            var shifted = x - Vector256.Create(HorizontalMax(x));
            float logSum = Log(Vector256.Sum(MaskedExp(shifted, mask)));
            StoreRow256(destination, offset, count, shifted - Vector256.Create(logSum));
            return;
        }

        if (Vector512.IsHardwareAccelerated && InMatrix(matrix, offset, count, Vector512<float>.Count) && destination.Length == matrix.Length)
        {
            var x = LoadRow512(matrix, offset, count, out var mask);
            var shifted = x - Vector512.Create(HorizontalMax(x));
            float logSum = Log(Vector512.Sum(MaskedExp(shifted, mask)));
            StoreRow512(destination, offset, count, shifted - Vector512.Create(logSum));
            return;
        }

        var row = matrix.Slice(offset, count);
        var target = destination.Slice(offset, count);
        float m = Max(row);
        float ls = MathF.Log(SumExpBelowMax(row, m));
        Subtract(row, m, target);
        Subtract(target, ls, target);
    }

    /// <summary>Whether the row helpers (<see cref="RowLogSumExp(ReadOnlySpan{float}, int, int, out float)"/> and the
    /// others) take one vector for each row of a matrix of <paramref name="classes"/> columns; else the span loops.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool RowFitsVector(ReadOnlySpan<float> matrix, int classes) =>
        (Vector256.IsHardwareAccelerated && InMatrix(matrix, 0, classes, Vector256<float>.Count))
        || (Vector512.IsHardwareAccelerated && InMatrix(matrix, 0, classes, Vector512<float>.Count));

    /// <summary>The plain cross-entropy sum over rows too long for one vector, and with <paramref name="backward"/> its
    /// gradient, with the bits of <see cref="RowLogSumExp(ReadOnlySpan{float}, int, int, out float)"/> and
    /// <see cref="RowSoftmax(ReadOnlySpan{float}, int, int, float, Span{float}, out float)"/> row by row (the row losses
    /// added in double): each row's maximum is taken in the previous row's exp pass
    /// (<see cref="SpanLoops.ReduceThenMax{T, TAcc, TStore}"/>), so a row is read from memory once, by a pass that also
    /// computes, instead of by a max pass of its own; the first row, and a row after an ignored one, take their maximum
    /// alone. The forward pass, which stores nothing, takes the exp without its clamp
    /// (<see cref="SumOnlyExpBelowMaxThenMax"/>). In place is safe: the pass over row i writes row i of
    /// <paramref name="gradient"/> and reads row i + 1 of <paramref name="logits"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double CrossEntropyLongRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int batch, int classes, int ignoreIndex, float scale, Span<float> gradient, bool backward)
    {
        double sum = 0d;
        float max = 0f;
        bool known = false; // whether max is this row's, from the previous row's pass
        for (int i = 0; i < batch; i++)
        {
            int target = targets[i];
            if (target == ignoreIndex)
            {
                if (backward)
                {
                    gradient.Slice(i * classes, classes).Clear();
                }

                known = false;
                continue;
            }

            var row = logits.Slice(i * classes, classes);
            float xt = row[target]; // read before the row is written: the gradient may be the logits
            if (!known)
            {
                max = Max(row);
            }

            known = i + 1 < batch && targets[i + 1] != ignoreIndex;
            var next = known ? logits.Slice((i + 1) * classes, classes) : default;
            float s, nextMax;
            if (backward)
            {
                var gradientRow = gradient.Slice(i * classes, classes);
                s = SumExpBelowMaxThenMax<ExpBelowMaxOperator, FlagSet>(row, gradientRow, max, next, out nextMax);
                Multiply(gradientRow, scale / s, gradientRow);
                gradientRow[target] -= scale;
            }
            else
            {
                s = SumOnlyExpBelowMaxThenMax(row, max, next, out nextMax);
            }

            sum += MathF.Log(s) - (xt - max);
            max = nextMax;
        }

        return sum;
    }

    /// <summary>Softmax (or, with <paramref name="log"/>, log-softmax) of rows <paramref name="first"/> to
    /// <paramref name="end"/> - 1, rows too long for one vector, with the bits of
    /// <see cref="RowSoftmax(ReadOnlySpan{float}, int, int, float, Span{float}, out float)"/> (factor 1) and
    /// <see cref="RowLogSoftmax(ReadOnlySpan{float}, int, int, Span{float})"/> row by row; each row's maximum is taken in
    /// the previous row's exp pass, as in <see cref="CrossEntropyLongRows"/>. In place is safe (the pass over row i
    /// writes row i of <paramref name="destination"/> and reads row i + 1 of <paramref name="matrix"/>).</summary>
    private static void NormalizeLongRows(ReadOnlySpan<float> matrix, int first, int end, int classes, Span<float> destination, bool log)
    {
        float max = 0f;
        for (int i = first; i < end; i++)
        {
            var row = matrix.Slice(i * classes, classes);
            var target = destination.Slice(i * classes, classes);
            if (i == first)
            {
                max = Max(row);
            }

            var next = i + 1 < end ? matrix.Slice((i + 1) * classes, classes) : default;
            float nextMax;
            if (log)
            {
                float logSum = MathF.Log(SumOnlyExpBelowMaxThenMax(row, max, next, out nextMax));
                Subtract(row, max, target);
                Subtract(target, logSum, target);
            }
            else
            {
                float s = SumExpBelowMaxThenMax<ExpBelowMaxOperator, FlagSet>(row, target, max, next, out nextMax);
                Multiply(target, 1f / s, target);
            }

            max = nextMax;
        }
    }

    /// <summary><see cref="SumExpBelowMaxThenMax{TExp, TStore}"/> for a sum that is not stored: with the exp that leaves
    /// out the clamp (<see cref="ExpBelowMaxInSumOperator"/>, one vector operation fewer with AVX-512), and, when that sum
    /// is not finite (a row with NaN, +inf, or values below about max - 2e20), the clamped exp's pass again: the bits of
    /// <see cref="SumExpBelowMax"/> either way.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SumOnlyExpBelowMaxThenMax(ReadOnlySpan<float> row, float max, ReadOnlySpan<float> next, out float nextMax)
    {
        float s = SumExpBelowMaxThenMax<ExpBelowMaxInSumOperator, FlagClear>(row, default, max, next, out nextMax);
        return float.IsFinite(s) ? s : SumExpBelowMax(row, max);
    }

    /// <summary><c>sum_j exp(x_j - max)</c> of a long row with the exp <typeparamref name="TExp"/> (stored into
    /// <paramref name="destination"/> when <typeparamref name="TStore"/> is set), and in the same pass
    /// <paramref name="nextMax"/> = <c>Max(next)</c> when <paramref name="next"/> is not empty (else 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SumExpBelowMaxThenMax<TExp, TStore>(ReadOnlySpan<float> row, Span<float> destination, float max, ReadOnlySpan<float> next, out float nextMax)
        where TExp : struct, ISimdOperator
        where TStore : struct, ISimdFlag
    {
        if (next.IsEmpty)
        {
            nextMax = 0f;
            return SpanLoops.Reduce<float, SumAccumulator<TExp>, TStore>(row, default, destination, max);
        }

        return SpanLoops.ReduceThenMax<float, SumAccumulator<TExp>, TStore>(row, destination, max, next, out nextMax);
    }

    /// <summary><c>sum_j exp(x_j - max)</c> of a row longer than a vector, with the softmax's exp: the bits of
    /// <see cref="SumExp"/>(row, max).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SumExpBelowMax(ReadOnlySpan<float> row, float max) =>
        SpanLoops.Reduce<float, SumAccumulator<ExpBelowMaxOperator>, FlagClear>(row, default, default, max);

    /// <summary>exp of the row's lanes and 0 elsewhere. The other lanes enter the exp as 0, not as -inf:
    /// exp(-inf) goes through subnormal intermediates, and a subnormal result costs a microcode assist of
    /// about a hundred cycles on x86. Every lane is x - max &lt;= 0 (or 0, or NaN), so the exp is the softmax's
    /// (<see cref="ExpBelowMax(Vector256{float})"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MaskedExp(Vector256<float> shifted, Vector256<float> mask) =>
        ExpBelowMax(shifted & mask) & mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> MaskedExp(Vector512<float> shifted, Vector512<float> mask) =>
        ExpBelowMax(shifted & mask) & mask;

    /// <summary>The largest lane. On x86 this is maxps, which is not NaN-propagating: a NaN in the row can be
    /// skipped here, but it still reaches the exp and the sum, so every result of the row is NaN anyway.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalMax(Vector256<float> v)
    {
        var m = Max128(v.GetLower(), v.GetUpper());
        m = Max128(m, Vector128.Shuffle(m, Vector128.Create(2, 3, 0, 1)));
        m = Max128(m, Vector128.Shuffle(m, Vector128.Create(1, 0, 3, 2)));
        return m.ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Max128(Vector128<float> a, Vector128<float> b) =>
        Sse.IsSupported ? Sse.Max(a, b) : Vector128.Max(a, b);

    /// <summary>Whether the row helpers take one vector of <paramref name="width"/> lanes for the row: it fits in one,
    /// lies inside the matrix (else the span path's slices throw) and the matrix is at least one vector long.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool InMatrix(ReadOnlySpan<float> matrix, int offset, int count, int width) =>
        count <= width && matrix.Length >= width && (uint)offset <= (uint)(matrix.Length - count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalMax(Vector512<float> v) => HorizontalMax(Vector256.Max(v.GetLower(), v.GetUpper()));
}
