using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FixedShapeLoss;

// The plain cross-entropy of a whole matrix (class indices, no weights, no smoothing) and its gradient: the entry points
// the generated code calls, dispatched by SelectCrossEntropyPath (KernelMath.CrossEntropyPath.cs) to one layout file
// each, and the row-by-row path. Lanes = rows: a small row spends most of its time in the chain max -> exp ->
// horizontal sum -> scalar log, so the lanes = rows layouts put one row in each lane (the row maximum is a vertical
// max over the columns, the sums vertical adds, one vector log serves all rows).
public static partial class KernelMath
{
    /// <summary>The widest row <see cref="CrossEntropySum(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int)"/> and <see cref="CrossEntropyBackward(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, float, Span{float})"/>
    /// handle lanes = rows; wider rows go row by row inside them.</summary>
    public const int TinyMaxClasses = 16;

    /// <summary><c>sum_i (log sum_j exp(x[i, j] - m_i) - (x[i, t_i] - m_i))</c> over the rows whose target is
    /// not <paramref name="ignoreIndex"/>: the unreduced, unweighted cross-entropy of a row-major matrix.</summary>
    /// <param name="logits">The <c>targets.Length × classes</c> matrix, row-major.</param>
    /// <param name="targets">One class index per row, in [0, classes) or <paramref name="ignoreIndex"/> (already checked).</param>
    /// <param name="classes">Columns of the matrix.</param>
    /// <param name="ignoreIndex">The target value whose row contributes nothing.</param>
    /// <returns>The sum of the per-row losses.</returns>
    public static float CrossEntropySum(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex)
    {
        if (PlainBlocked(targets.Length, classes) && logits.Length == targets.Length * classes)
        {
            return PlainBlockedSum(logits, targets, classes, ignoreIndex);
        }

        var path = logits.Length == targets.Length * classes
            ? SelectCrossEntropyPath(targets.Length, classes, backward: false, shapeKnown: false)
            : CrossEntropyPath.Rows;
        return (float)CrossEntropySumOn(path, logits, targets, classes, ignoreIndex);
    }

    /// <summary><see cref="CrossEntropySum(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int)"/> for the shape <typeparamref name="TShape"/>: compiled once per shape,
    /// so the path is chosen at JIT time and runs with the shape's constants folded in (index vectors, masks, branches).</summary>
    /// <typeparam name="TShape">The kernel's shape; <paramref name="logits"/> and <paramref name="targets"/> must match it.</typeparam>
    /// <param name="logits">The <c>Batch × Classes</c> matrix, row-major.</param>
    /// <param name="targets">One class index per row, in [0, Classes) or <paramref name="ignoreIndex"/> (already checked).</param>
    /// <param name="ignoreIndex">The target value whose row contributes nothing.</param>
    /// <returns>The sum of the per-row losses.</returns>
    public static unsafe float CrossEntropySum<TShape>(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int ignoreIndex)
        where TShape : struct, IKernelShape
    {
        if (PlainBlocked(TShape.Batch, TShape.Classes) && logits.Length == TShape.Batch * TShape.Classes && targets.Length == TShape.Batch)
        {
            return PlainBlockedSum(logits, targets, TShape.Classes, ignoreIndex);
        }

        var path = logits.Length == TShape.Batch * TShape.Classes && targets.Length == TShape.Batch
            ? SelectCrossEntropyPath(TShape.Batch, TShape.Classes, backward: false, shapeKnown: true)
            : CrossEntropyPath.Rows;
        if (path is CrossEntropyPath.Quad256 or CrossEntropyPath.Single512)
        {
            fixed (float* x = &MemoryMarshal.GetReference(logits))
            fixed (int* t = &MemoryMarshal.GetReference(targets))
            {
                return path == CrossEntropyPath.Quad256
                    ? TinyQuad256<TShape>(x, t, ignoreIndex, null, 0f)
                    : TinySingle512<TShape>(x, t, ignoreIndex, null, 0f);
            }
        }

        return (float)(path == CrossEntropyPath.Rows
            ? CrossEntropySumOn(path, logits, targets, TShape.Classes, ignoreIndex)
            : CrossEntropySumOn<TShape>(logits, targets, ignoreIndex)); // the spans hold the shape
    }

    /// <summary>The unreduced, unweighted cross-entropy (as <see cref="CrossEntropySum(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int)"/>) and its gradient
    /// scaled by <paramref name="scale"/>: <c>gradient[i, j] = scale (p[i, j] - [j == t_i])</c>, 0 on ignored rows.</summary>
    /// <param name="logits">The <c>targets.Length × classes</c> matrix, row-major.</param>
    /// <param name="targets">One class index per row, in [0, classes) or <paramref name="ignoreIndex"/> (already checked).</param>
    /// <param name="classes">Columns of the matrix.</param>
    /// <param name="ignoreIndex">The target value whose row gets no loss and a zero gradient.</param>
    /// <param name="scale">Multiplies every gradient element (1 / denominator for Mean).</param>
    /// <param name="gradient">Receives the gradient; as long as <paramref name="logits"/>, and it may be <paramref name="logits"/>.</param>
    /// <returns>The sum of the per-row losses.</returns>
    public static float CrossEntropyBackward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex, float scale, Span<float> gradient)
    {
        if (PlainBlocked(targets.Length, classes) && logits.Length == targets.Length * classes && gradient.Length == logits.Length)
        {
            return PlainBlockedBackward(logits, targets, classes, ignoreIndex, scale, gradient);
        }

        var path = logits.Length == targets.Length * classes && gradient.Length == logits.Length
            ? SelectCrossEntropyPath(targets.Length, classes, backward: true, shapeKnown: false)
            : CrossEntropyPath.Rows;
        return (float)CrossEntropyBackwardOn(path, logits, targets, classes, ignoreIndex, scale, gradient);
    }

    /// <summary><see cref="CrossEntropyBackward(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, float, Span{float})"/> for the shape <typeparamref name="TShape"/>, compiled once per
    /// shape as <see cref="CrossEntropySum{TShape}(ReadOnlySpan{float}, ReadOnlySpan{int}, int)"/>.</summary>
    /// <typeparam name="TShape">The kernel's shape; the spans must match it.</typeparam>
    /// <param name="logits">The <c>Batch × Classes</c> matrix, row-major.</param>
    /// <param name="targets">One class index per row, in [0, Classes) or <paramref name="ignoreIndex"/> (already checked).</param>
    /// <param name="ignoreIndex">The target value whose row gets no loss and a zero gradient.</param>
    /// <param name="scale">Multiplies every gradient element (1 / denominator for Mean).</param>
    /// <param name="gradient">Receives the gradient; as long as <paramref name="logits"/>, and it may be <paramref name="logits"/>.</param>
    /// <returns>The sum of the per-row losses.</returns>
    public static unsafe float CrossEntropyBackward<TShape>(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int ignoreIndex, float scale, Span<float> gradient)
        where TShape : struct, IKernelShape
    {
        if (PlainBlocked(TShape.Batch, TShape.Classes) && logits.Length == TShape.Batch * TShape.Classes && targets.Length == TShape.Batch && gradient.Length == logits.Length)
        {
            return PlainBlockedBackward(logits, targets, TShape.Classes, ignoreIndex, scale, gradient);
        }

        var path = logits.Length == TShape.Batch * TShape.Classes && targets.Length == TShape.Batch && gradient.Length == logits.Length
            ? SelectCrossEntropyPath(TShape.Batch, TShape.Classes, backward: true, shapeKnown: true)
            : CrossEntropyPath.Rows;
        if (path is CrossEntropyPath.Quad256 or CrossEntropyPath.Single512)
        {
            fixed (float* x = &MemoryMarshal.GetReference(logits))
            fixed (int* t = &MemoryMarshal.GetReference(targets))
            fixed (float* d = &MemoryMarshal.GetReference(gradient))
            {
                return path == CrossEntropyPath.Quad256
                    ? TinyQuad256<TShape>(x, t, ignoreIndex, d, scale)
                    : TinySingle512<TShape>(x, t, ignoreIndex, d, scale);
            }
        }

        return (float)(path == CrossEntropyPath.Rows
            ? CrossEntropyBackwardOn(path, logits, targets, TShape.Classes, ignoreIndex, scale, gradient)
            : CrossEntropyBackwardOn<TShape>(logits, targets, ignoreIndex, scale, gradient)); // the spans hold the shape
    }

    /// <summary>The forward loss on <see cref="CrossEntropyPath.Rows"/>, <see cref="CrossEntropyPath.Group512"/> or
    /// <see cref="CrossEntropyPath.Transpose256"/> (the layouts that take any batch), 8 rows per group.</summary>
    [SkipLocalsInit]
    private static unsafe double CrossEntropySumOn(CrossEntropyPath path, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex)
    {
        // Scratch for Transpose256's columns: one stackalloc (each costs a localloc sequence of its own), 64-byte aligned.
        Vector256<float>* raw = stackalloc Vector256<float>[TinyMaxClasses + AlignedScratch.Padding<Vector256<float>>()];
        Vector256<float>* columns = AlignedScratch.Align(raw); // no column across a page (AlignedScratch)
        return CrossEntropySumCore(path, logits, targets, targets.Length, classes, ignoreIndex, columns);
    }

    /// <summary>As <see cref="CrossEntropySumOn(CrossEntropyPath, ReadOnlySpan{float}, ReadOnlySpan{int}, int, int)"/>
    /// for the shape of <typeparamref name="TShape"/> (the spans hold it): the batch, the classes and the path are
    /// constants to the JIT, so the group loop's tests (a partial last group, a second block of columns past 8 classes,
    /// clipped loads) fold away.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe double CrossEntropySumOn<TShape>(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int ignoreIndex)
        where TShape : struct, IKernelShape
    {
        Vector256<float>* raw = stackalloc Vector256<float>[TinyMaxClasses + AlignedScratch.Padding<Vector256<float>>()];
        Vector256<float>* columns = AlignedScratch.Align(raw); // no column across a page (AlignedScratch)
        return CrossEntropySumCore(SelectCrossEntropyPath(TShape.Batch, TShape.Classes, backward: false, shapeKnown: true), logits, targets, TShape.Batch, TShape.Classes, ignoreIndex, columns);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe double CrossEntropySumCore(CrossEntropyPath path, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int batch, int classes, int ignoreIndex, Vector256<float>* columns)
    {
        if (path is not (CrossEntropyPath.Group512 or CrossEntropyPath.Transpose256))
        {
            if (!RowFitsVector(logits, classes))
            {
                return CrossEntropyLongRows(logits, targets, batch, classes, ignoreIndex, 0f, default, backward: false);
            }

            // Each row's loss in float, added in double: the sum's error stays that of one rounding, whatever the batch.
            double sum = 0d;
            for (int i = 0; i < batch; i++)
            {
                int target = targets[i];
                if (target != ignoreIndex)
                {
                    float logSum = RowLogSumExp(logits, i * classes, classes, out float max);
                    sum += logSum - (logits[i * classes + target] - max);
                }
            }

            return sum;
        }

        var total = default(GroupLosses);
        fixed (float* x = &MemoryMarshal.GetReference(logits))
        fixed (int* t = &MemoryMarshal.GetReference(targets))
        {
            for (int first = 0; first < batch; first += Vector256<float>.Count)
            {
                var loss = path == CrossEntropyPath.Group512
                    ? TinyGroup512(x, t, first, batch, classes, ignoreIndex, null, 0f, out _, out _, out var kept)
                    : TinyTransposeGroup(x, t, first, batch, classes, ignoreIndex, null, 0f, columns, out kept);
                total.Add(loss & kept);
            }
        }

        return total.Sum;
    }

    /// <summary>The loss and gradient on <see cref="CrossEntropyPath.Rows"/>, <see cref="CrossEntropyPath.Group512"/>
    /// or <see cref="CrossEntropyPath.Transpose256"/>. Every row of a group is read before any of them is written, and no
    /// store leaves the group, so a gradient that is the logits themselves is fine.</summary>
    [SkipLocalsInit]
    private static unsafe double CrossEntropyBackwardOn(CrossEntropyPath path, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex, float scale, Span<float> gradient)
    {
        Vector256<float>* raw = stackalloc Vector256<float>[TinyMaxClasses + AlignedScratch.Padding<Vector256<float>>()];
        Vector256<float>* columns = AlignedScratch.Align(raw); // no column across a page (AlignedScratch)
        return CrossEntropyBackwardCore(path, logits, targets, targets.Length, classes, ignoreIndex, scale, gradient, columns);
    }

    /// <summary>As <see cref="CrossEntropyBackwardOn(CrossEntropyPath, ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, float, Span{float})"/>
    /// for the shape of <typeparamref name="TShape"/>, with its constants (see <see cref="CrossEntropySumOn{TShape}"/>).</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe double CrossEntropyBackwardOn<TShape>(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int ignoreIndex, float scale, Span<float> gradient)
        where TShape : struct, IKernelShape
    {
        Vector256<float>* raw = stackalloc Vector256<float>[TinyMaxClasses + AlignedScratch.Padding<Vector256<float>>()];
        Vector256<float>* columns = AlignedScratch.Align(raw); // no column across a page (AlignedScratch)
        return CrossEntropyBackwardCore(SelectCrossEntropyPath(TShape.Batch, TShape.Classes, backward: true, shapeKnown: true), logits, targets, TShape.Batch, TShape.Classes, ignoreIndex, scale, gradient, columns);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe double CrossEntropyBackwardCore(CrossEntropyPath path, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int batch, int classes, int ignoreIndex, float scale, Span<float> gradient, Vector256<float>* columns)
    {
        if (path is not (CrossEntropyPath.Group512 or CrossEntropyPath.Transpose256))
        {
            if (!RowFitsVector(logits, classes) && gradient.Length == logits.Length)
            {
                return CrossEntropyLongRows(logits, targets, batch, classes, ignoreIndex, scale, gradient, backward: true);
            }

            double sum = 0d; // in double, as in the forward
            for (int i = 0; i < batch; i++)
            {
                int target = targets[i];
                if (target == ignoreIndex)
                {
                    gradient.Slice(i * classes, classes).Clear();
                }
                else
                {
                    float xt = logits[i * classes + target]; // read before the row is written: the gradient may be the logits
                    float logSum = RowSoftmax(logits, i * classes, classes, scale, gradient, out float max);
                    sum += logSum - (xt - max);
                    gradient[i * classes + target] -= scale;
                }
            }

            return sum;
        }

        var total = default(GroupLosses);
        fixed (float* x = &MemoryMarshal.GetReference(logits))
        fixed (int* t = &MemoryMarshal.GetReference(targets))
        fixed (float* d = &MemoryMarshal.GetReference(gradient))
        {
            if (path == CrossEntropyPath.Group512)
            {
                // The gradient comes out of the transpose itself: no second exp, no row loads.
                for (int first = 0; first < batch; first += Vector256<float>.Count)
                {
                    var loss = TinyGroup512(x, t, first, batch, classes, ignoreIndex, d, scale, out _, out _, out var kept);
                    total.Add(loss & kept);
                }

                return total.Sum;
            }

            // Transpose256: the gradient comes out of the transpose back, as in Group512.
            for (int first = 0; first < batch; first += Vector256<float>.Count)
            {
                var loss = TinyTransposeGroup(x, t, first, batch, classes, ignoreIndex, d, scale, columns, out var kept);
                total.Add(loss & kept);
            }
        }

        return total.Sum;
    }

    /// <summary>The row losses of the lanes = rows groups, eight floats a group, added lane by lane in double: the error
    /// of the total stays that of one rounding per row, whatever the batch (a float running sum lost digits in
    /// proportion to the groups per lane).</summary>
    private struct GroupLosses
    {
        private Vector256<double> _lower;
        private Vector256<double> _upper;

        /// <summary>The total, the lanes added in double.</summary>
        public readonly double Sum => Vector256.Sum(_lower + _upper);

        /// <summary>Adds one group's losses (0 in the lanes of ignored or missing rows).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(Vector256<float> losses)
        {
            (Vector256<double> lower, Vector256<double> upper) = Vector256.Widen(losses);
            _lower += lower;
            _upper += upper;
        }
    }
}
