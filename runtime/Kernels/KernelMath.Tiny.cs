using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

// Cross-entropy for matrices of few classes, lanes = rows. Row by row, a small row spends most of its time
// in the chain max -> exp -> horizontal sum -> scalar log (~85 cycles), and the rows overlap poorly. Here
// eight rows are one group and lane r of a vector is row r: the row maximum is a vertical max over the
// columns, the columns' exps are independent, the row sums are vertical adds and ONE vector log serves all
// eight rows. No horizontal operation is left except the final sum of the losses.
//
// With AVX-512 (TinyGroup512) the eight rows are eight 16-lane loads, transposed in registers into blocks of
// two columns x 8 rows; the exp on this critical path evaluates the polynomial of KernelMath.Exp in Estrin form
// (fewer dependent steps), and the log (Log256Finite) is a short one of its own. The gradient is computed in
// the block layout and transposed back by the same shuffles, then stored row by row.
// Two paths run from the generic entry points (CrossEntropySum<TShape>), compiled per shape so that their loads,
// masks and indices are constants: up to 4 rows of up to 16 classes (TinyQuad256, AVX2; without AVX-512 also the
// gradient of more rows, 4 at a time) are one load per row and 8 columns and a 4 x 4 transpose in each 128-bit
// half; 5 to 8 rows of up to 8 classes in 16 to 32 elements (TinySingle512, AVX-512) are two loads and four
// permutes with indices from TinyLayout<TShape>.
// With AVX2 only (TinyGroup) the columns are gathers, and the gradient rows are recomputed in the row layout.
// Without AVX2/FMA, or for rows of more than 16 classes, the helpers go row by row (RowLogSumExp, RowSoftmax).
public static partial class KernelMath
{
    /// <summary>The widest row <see cref="CrossEntropySum"/> and <see cref="CrossEntropyBackward"/>
    /// handle lanes = rows; wider rows go row by row inside them.</summary>
    public const int TinyMaxClasses = 16;

    /// <summary><c>sum_i (log sum_j exp(x[i, j] - m_i) - (x[i, t_i] - m_i))</c> over the rows whose target is
    /// not <paramref name="ignoreIndex"/>: the unreduced, unweighted cross-entropy of a row-major matrix.</summary>
    /// <param name="logits">The <c>targets.Length × classes</c> matrix, row-major.</param>
    /// <param name="targets">One class index per row, in [0, classes) or <paramref name="ignoreIndex"/> (already checked).</param>
    /// <param name="classes">Columns of the matrix.</param>
    /// <param name="ignoreIndex">The target value whose row contributes nothing.</param>
    /// <returns>The sum of the per-row losses.</returns>
    public static float CrossEntropySum(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex) =>
        CrossEntropySumGroups(logits, targets, classes, ignoreIndex);

    /// <summary><see cref="CrossEntropySum"/> for the shape <typeparamref name="TShape"/>: compiled once per shape,
    /// so the single-group path runs with the shape's constants folded in (index vectors, masks, branches).</summary>
    /// <typeparam name="TShape">The kernel's shape; <paramref name="logits"/> and <paramref name="targets"/> must match it.</typeparam>
    /// <param name="logits">The <c>Batch × Classes</c> matrix, row-major.</param>
    /// <param name="targets">One class index per row, in [0, Classes) or <paramref name="ignoreIndex"/> (already checked).</param>
    /// <param name="ignoreIndex">The target value whose row contributes nothing.</param>
    /// <returns>The sum of the per-row losses.</returns>
    public static unsafe float CrossEntropySum<TShape>(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int ignoreIndex)
        where TShape : struct, IKernelShape
    {
        if (TinyQuad(TShape.Batch, TShape.Classes, backward: false) && logits.Length == TShape.Batch * TShape.Classes && targets.Length == TShape.Batch)
        {
            fixed (float* x = &MemoryMarshal.GetReference(logits))
            fixed (int* t = &MemoryMarshal.GetReference(targets))
            {
                return TinyQuad256<TShape>(x, t, ignoreIndex, null, 0f);
            }
        }

        if (TinySingle(TShape.Batch * TShape.Classes, TShape.Batch, TShape.Classes)
            && logits.Length == TShape.Batch * TShape.Classes && targets.Length == TShape.Batch)
        {
            fixed (float* x = &MemoryMarshal.GetReference(logits))
            fixed (int* t = &MemoryMarshal.GetReference(targets))
            {
                return TinySingle512<TShape>(x, t, ignoreIndex, null, 0f);
            }
        }

        return CrossEntropySumGroups(logits, targets, TShape.Classes, ignoreIndex);
    }

    [SkipLocalsInit]
    private static unsafe float CrossEntropySumGroups(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex)
    {
        int batch = targets.Length;
        if (!TinyAccelerated(logits.Length, batch, classes))
        {
            float sum = 0f;
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

        // One stackalloc for all scratch space: each stackalloc costs a localloc sequence of its own.
        Vector256<float>* columns = stackalloc Vector256<float>[TinyMaxClasses + TinyCopyLength / 8];
        float* copy = (float*)(columns + TinyMaxClasses);
        Vector256<float> total = Vector256<float>.Zero;
        fixed (float* x = &MemoryMarshal.GetReference(logits))
        fixed (int* t = &MemoryMarshal.GetReference(targets))
        {
            for (int first = 0; first < batch; first += Vector256<float>.Count)
            {
                var loss = Avx512F.IsSupported
                    ? TinyGroup512(x, t, first, batch, classes, ignoreIndex, copy, null, 0f, out _, out _, out var kept)
                    : TinyGroup(x, t, first, batch, classes, ignoreIndex, columns, out _, out _, out kept);
                total += loss & kept;
            }
        }

        return Vector256.Sum(total);
    }

    /// <summary>The unreduced, unweighted cross-entropy (as <see cref="CrossEntropySum"/>) and its gradient
    /// scaled by <paramref name="scale"/>: <c>gradient[i, j] = scale (p[i, j] - [j == t_i])</c>, 0 on ignored rows.</summary>
    /// <param name="logits">The <c>targets.Length × classes</c> matrix, row-major.</param>
    /// <param name="targets">One class index per row, in [0, classes) or <paramref name="ignoreIndex"/> (already checked).</param>
    /// <param name="classes">Columns of the matrix.</param>
    /// <param name="ignoreIndex">The target value whose row gets no loss and a zero gradient.</param>
    /// <param name="scale">Multiplies every gradient element (1 / denominator for Mean).</param>
    /// <param name="gradient">Receives the gradient; as long as <paramref name="logits"/>, and it may be <paramref name="logits"/>.</param>
    /// <returns>The sum of the per-row losses.</returns>
    public static float CrossEntropyBackward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex, float scale, Span<float> gradient) =>
        CrossEntropyBackwardGroups(logits, targets, classes, ignoreIndex, scale, gradient);

    /// <summary><see cref="CrossEntropyBackward"/> for the shape <typeparamref name="TShape"/>, compiled once per
    /// shape as <see cref="CrossEntropySum{TShape}"/>.</summary>
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
        if (TinyQuad(TShape.Batch, TShape.Classes, backward: true)
            && logits.Length == TShape.Batch * TShape.Classes && targets.Length == TShape.Batch && gradient.Length == logits.Length)
        {
            fixed (float* x = &MemoryMarshal.GetReference(logits))
            fixed (int* t = &MemoryMarshal.GetReference(targets))
            fixed (float* d = &MemoryMarshal.GetReference(gradient))
            {
                return TinyQuad256<TShape>(x, t, ignoreIndex, d, scale);
            }
        }

        if (TinySingle(TShape.Batch * TShape.Classes, TShape.Batch, TShape.Classes)
            && logits.Length == TShape.Batch * TShape.Classes && targets.Length == TShape.Batch && gradient.Length == logits.Length)
        {
            fixed (float* x = &MemoryMarshal.GetReference(logits))
            fixed (int* t = &MemoryMarshal.GetReference(targets))
            fixed (float* d = &MemoryMarshal.GetReference(gradient))
            {
                return TinySingle512<TShape>(x, t, ignoreIndex, d, scale);
            }
        }

        return CrossEntropyBackwardGroups(logits, targets, TShape.Classes, ignoreIndex, scale, gradient);
    }

    [SkipLocalsInit]
    private static unsafe float CrossEntropyBackwardGroups(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex, float scale, Span<float> gradient)
    {
        int batch = targets.Length;
        if (!TinyAccelerated(logits.Length, batch, classes) || gradient.Length != logits.Length)
        {
            float sum = 0f;
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

        // One stackalloc for all scratch space: each stackalloc costs a localloc sequence of its own.
        Vector256<float>* rows256 = stackalloc Vector256<float>[Vector256<float>.Count + TinyMaxClasses + TinyCopyLength / 8];
        Vector256<float>* columns = rows256 + Vector256<float>.Count;
        float* copy = (float*)(columns + TinyMaxClasses);

        Vector256<float> total = Vector256<float>.Zero;
        fixed (float* x = &MemoryMarshal.GetReference(logits))
        fixed (int* t = &MemoryMarshal.GetReference(targets))
        fixed (float* d = &MemoryMarshal.GetReference(gradient))
        {
            if (Avx512F.IsSupported && logits.Length >= Vector512<float>.Count)
            {
                // The gradient comes out of the transpose itself: no second exp, no row loads.
                for (int first = 0; first < batch; first += Vector256<float>.Count)
                {
                    var loss = TinyGroup512(x, t, first, batch, classes, ignoreIndex, copy, d, scale, out _, out _, out var kept);
                    total += loss & kept;
                }

                return Vector256.Sum(total);
            }

            for (int first = 0; first < batch; first += Vector256<float>.Count)
            {
                // Every row of the group is read (gathered) before any of them is written, so a gradient that is
                // the logits themselves is fine; later groups are untouched until their own turn.
                var loss = Avx512F.IsSupported
                    ? TinyGroup512(x, t, first, batch, classes, ignoreIndex, copy, null, 0f, out var max, out var sum, out var kept)
                    : TinyGroup(x, t, first, batch, classes, ignoreIndex, columns, out max, out sum, out kept);
                total += loss & kept;
                var factor = Vector256.Create(scale) / sum;

                int last = Math.Min(batch, first + Vector256<float>.Count);
                if (classes <= Vector256<float>.Count && logits.Length >= Vector256<float>.Count)
                {
                    TinyRows256(x, t, first, last, batch, classes, ignoreIndex, scale, max, factor, rows256, gradient);
                    continue;
                }

                for (int i = first; i < last; i++)
                {
                    int target = t[i];
                    int offset = i * classes;
                    var g = gradient.Slice(offset, classes);
                    if (target == ignoreIndex)
                    {
                        g.Clear();
                        continue;
                    }

                    ExpShifted(logits.Slice(offset, classes), max.GetElement(i - first), g);
                    Multiply(g, factor.GetElement(i - first), g);
                    gradient[offset + target] -= scale;
                }
            }
        }

        return Vector256.Sum(total);
    }

    /// <summary>Gradient rows [first, last) of a matrix of at most 8 classes, each one 8-lane vector:
    /// <c>scale (exp(x - m) / s - [j == t])</c>, 0 on ignored rows. All rows are computed before any is stored
    /// (the gradient may be the logits); then each row is one plain store whose extra lanes land in the
    /// next rows of the group (stored after it), except where they would leave the group: a masked store
    /// there. No store is read back, so nothing waits on store forwarding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void TinyRows256(float* x, int* t, int first, int last, int batch, int classes, int ignoreIndex, float scale,
        Vector256<float> maxima, Vector256<float> factors, Vector256<float>* rows, Span<float> gradient)
    {
        var logits = new ReadOnlySpan<float>(x, batch * classes);
        for (int i = first; i < last; i++)
        {
            int target = t[i];
            int offset = i * classes;
            var row = LoadRow256(logits, offset, classes, out var mask, out int start);
            var lane = Vector256.Create(i - first);
            var g = MaskedExp(row - Avx2.PermuteVar8x32(maxima, lane), mask) * Avx2.PermuteVar8x32(factors, lane)
                - (Vector256.Equals(Lanes256, Vector256.Create(target + offset - start)).AsSingle() & Vector256.Create(scale));
            rows[i - first] = target == ignoreIndex ? Vector256<float>.Zero : g;
        }

        int groupEnd = last * classes;
        fixed (float* d = &MemoryMarshal.GetReference(gradient))
        {
            for (int i = first; i < last; i++)
            {
                int offset = i * classes;
                if (offset + Vector256<float>.Count <= groupEnd)
                {
                    rows[i - first].Store(d + offset);
                }
                else
                {
                    int start = offset + Vector256<float>.Count <= gradient.Length ? offset : gradient.Length - Vector256<float>.Count;
                    var lanes = Lanes256 - Vector256.Create(offset - start);
                    var mask = (Vector256.GreaterThanOrEqual(lanes, Vector256<int>.Zero) & Vector256.LessThan(lanes, Vector256.Create(classes))).AsSingle();
                    Avx.MaskStore(d + start, mask, rows[i - first]); // the window LoadRow256 chose for this row
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TinyAccelerated(int length, int batch, int classes) =>
        Avx2.IsSupported && Fma.IsSupported && classes >= 1 && classes <= TinyMaxClasses && length == batch * classes;

    /// <summary>Rows [first, first + 8) of the matrix, lanes = rows: returns each row's loss
    /// <c>log s - (x_t - m)</c>, with the row maxima <paramref name="max"/>, the sums <paramref name="sum"/>
    /// of exp(x - m) and the lanes to keep (rows that exist and are not ignored). Lanes past the last row
    /// repeat the last row; their results are garbage-free but must be dropped with <paramref name="kept"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> TinyGroup(float* x, int* t, int first, int batch, int classes, int ignoreIndex,
        Vector256<float>* columns, out Vector256<float> max, out Vector256<float> sum, out Vector256<float> kept)
    {
        var rows = Vector256.Create(first) + Lanes256;
        var live = Vector256.LessThan(rows, Vector256.Create(batch));
        rows = Vector256.Min(rows, Vector256.Create(batch - 1));
        var rowStart = rows * Vector256.Create(classes);

        var target = Avx2.GatherVector256(t, rows, 4);
        var keep = live & ~Vector256.Equals(target, Vector256.Create(ignoreIndex));
        kept = keep.AsSingle();
        var xt = Avx2.GatherVector256(x, rowStart + (target & keep), 4);

        // Vertical max over the columns.
        var m = Avx2.GatherVector256(x, rowStart, 4);
        columns[0] = m;
        for (int j = 1; j < classes; j++)
        {
            var c = Avx2.GatherVector256(x, rowStart + Vector256.Create(j), 4);
            columns[j] = c;
            m = Avx.Max(m, c);
        }

        // Independent exps, two accumulators. A NaN in a row (which maxps may skip) still reaches its exp and the sum.
        var s0 = Exp(columns[0] - m);
        var s1 = Vector256<float>.Zero;
        for (int j = 1; j + 1 < classes; j += 2)
        {
            s0 += Exp(columns[j] - m);
            s1 += Exp(columns[j + 1] - m);
        }

        if ((classes & 1) == 0)
        {
            s0 += Exp(columns[classes - 1] - m);
        }

        var s = s0 + s1;
        max = m;
        sum = s;
        return Log256(s) - (xt - m);
    }

    /// <summary>Floats in the zero-padded copy of one group that <see cref="TinyGroup512"/> reads its rows from:
    /// 8 rows of up to 16 classes, and room for the last row's full 16-lane load.</summary>
    private const int TinyCopyLength = 8 * TinyMaxClasses + 16;

    /// <summary>Row of each lane of a block (rows 0-3, 0-3, 4-7, 4-7), as <see cref="TinyColumnOffsets"/>.</summary>
    private static readonly Vector512<int> TinyRowOfLane = Vector512.Create(0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7);

    /// <summary>Column index of each lane of a block of two columns after the transpose in <see cref="TinyGroup512"/>
    /// (128-bit lanes: column c rows 0-3, column c + 4 rows 0-3, column c rows 4-7, column c + 4 rows 4-7).</summary>
    private static readonly Vector512<int> TinyColumnOffsets = Vector512.Create(0, 0, 0, 0, 4, 4, 4, 4, 0, 0, 0, 0, 4, 4, 4, 4);

    /// <summary>Whether the matrix is one group that two 16-lane loads cover (<see cref="TinySingle512"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TinySingle(int length, int batch, int classes) =>
        Avx512F.IsSupported && Fma.IsSupported && classes >= 1 && classes <= 8 && batch <= Vector256<float>.Count
        && length == batch * classes && length >= Vector512<float>.Count && length <= 2 * Vector512<float>.Count;

    /// <summary><see cref="TinyGroup512"/> for a matrix of 16 to 32 elements, at most 8 rows of at most 8 classes
    /// (<see cref="TinySingle"/>; up to 4 rows <see cref="TinyQuad256{TShape}"/> comes first): two 16-lane loads (the second one ending at the matrix end) hold the whole
    /// matrix, and each block of two columns is one two-source permute of them, no transpose, no scratch.
    /// Returns the summed loss; writes the gradient when <paramref name="gradient"/> is not null.</summary>
    private static unsafe float TinySingle512<TShape>(float* x, int* t, int ignoreIndex, float* gradient, float scale)
        where TShape : struct, IKernelShape
    {
        int batch = TShape.Batch;
        int classes = TShape.Classes;
        int length = batch * classes;
        var lo = Vector512.Load(x);
        var hi = Vector512.Load(x + length - Vector512<float>.Count);
        // The four blocks of two columns, each one two-source permute of the two loads (indices per shape, built once).
        var b0 = Avx512F.PermuteVar16x32x2(lo, TinyLayout<TShape>.Source0, hi);
        var b1 = Avx512F.PermuteVar16x32x2(lo, TinyLayout<TShape>.Source1, hi);
        var b2 = Avx512F.PermuteVar16x32x2(lo, TinyLayout<TShape>.Source2, hi);
        var b3 = Avx512F.PermuteVar16x32x2(lo, TinyLayout<TShape>.Source3, hi);
        // Targets in the block layout; rows past the batch are not kept.
        var live256 = Vector256.LessThan(Lanes256, Vector256.Create(batch));
        var target = Avx2.MaskLoad(t, live256);
        var keep = live256 & ~Vector256.Equals(target, Vector256.Create(ignoreIndex));
        var tb = Avx512F.PermuteVar16x32(target.ToVector512Unsafe(), TinyRowOfLane);
        var kb = Avx512F.PermuteVar16x32(keep.ToVector512Unsafe(), TinyRowOfLane).AsSingle();

        var negInf = Vector512.Create(float.NegativeInfinity);
        var k0 = TinyColumns(0, classes);
        var k1 = TinyColumns(1, classes);
        var k2 = TinyColumns(2, classes);
        var k3 = TinyColumns(3, classes);
        var m = Avx512F.Max(Avx512F.Max(Vector512.ConditionalSelect(k0, b0, negInf), Vector512.ConditionalSelect(k1, b1, negInf)),
                            Avx512F.Max(Vector512.ConditionalSelect(k2, b2, negInf), Vector512.ConditionalSelect(k3, b3, negInf)));
        m = Avx512F.Max(m, Avx512F.Shuffle4x128(m, m, 0xB1));

        var e0 = TinyMaskedExp(b0 - m, k0);
        var e1 = TinyMaskedExp(b1 - m, k1);
        var e2 = TinyMaskedExp(b2 - m, k2);
        var e3 = TinyMaskedExp(b3 - m, k3);
        var s = (e0 + e1) + (e2 + e3);
        s += Avx512F.Shuffle4x128(s, s, 0xB1);

        // x[i, t_i] picked from the blocks (column c or c + 4 of each block), instead of a gather.
        var h0 = Vector512.Equals(TinyColumnOffsets, tb).AsSingle();
        var h1 = Vector512.Equals(TinyColumnOffsets + Vector512<int>.One, tb).AsSingle();
        var h2 = Vector512.Equals(TinyColumnOffsets + Vector512.Create(2), tb).AsSingle();
        var h3 = Vector512.Equals(TinyColumnOffsets + Vector512.Create(3), tb).AsSingle();
        var xt = ((b0 & h0) | (b1 & h1)) | ((b2 & h2) | (b3 & h3));
        xt |= Avx512F.Shuffle4x128(xt, xt, 0xB1);

        // Lanes 0-3 and 8-11 hold rows 0-7.
        var sum = Avx512F.Shuffle4x128(s, s, 0x08).GetLower();
        // NaN in a sum reaches the loss through (sum - sum), added off the log's critical path.
        var loss = Log256Finite(sum) - ((Avx512F.Shuffle4x128(xt, xt, 0x08).GetLower() - Avx512F.Shuffle4x128(m, m, 0x08).GetLower()) + (sum - sum));

        if (gradient != null)
        {
            // g = scale (e / s - [column == t]) in the block layout (0 on ignored rows and on columns >= classes),
            // then each of the two 16-lane windows of the matrix is picked from the blocks by two permutes.
            var f = Vector512.Create(scale) / s;
            var sc = Vector512.Create(scale);
            var g0 = (e0 * f - (h0 & sc)) & kb;
            var g1 = (e1 * f - (h1 & sc)) & kb;
            var g2 = (e2 * f - (h2 & sc)) & kb;
            var g3 = (e3 * f - (h3 & sc)) & kb;
            var outLo = Vector512.ConditionalSelect(TinyLayout<TShape>.PickLowBlocksLo,
                Avx512F.PermuteVar16x32x2(g0, TinyLayout<TShape>.PickLo, g1), Avx512F.PermuteVar16x32x2(g2, TinyLayout<TShape>.PickLo, g3));
            var outHi = Vector512.ConditionalSelect(TinyLayout<TShape>.PickLowBlocksHi,
                Avx512F.PermuteVar16x32x2(g0, TinyLayout<TShape>.PickHi, g1), Avx512F.PermuteVar16x32x2(g2, TinyLayout<TShape>.PickHi, g3));
            outLo.Store(gradient);
            outHi.Store(gradient + length - Vector512<float>.Count);
        }

        return Vector256.Sum(loss & keep.AsSingle());
    }

    /// <summary>The permute indices of <see cref="TinySingle512{TShape}"/> for one shape, built once: the JIT does
    /// not fold vector arithmetic on constants, and the index chain would otherwise sit in front of the first permute.
    /// Block c holds column c (lanes 0-3: rows 0-3, lanes 8-11: rows 4-7) and column c + 4 (lanes 4-7, 12-15); rows
    /// past the batch repeat the last row. The two loads are the matrix's first 16 elements (permute indices 0-15)
    /// and its last 16 (indices 16-31).</summary>
    private static class TinyLayout<TShape>
        where TShape : struct, IKernelShape
    {
        /// <summary>Permute indices into (first 16, last 16) of the blocks of columns (0, 4), (1, 5), (2, 6), (3, 7).</summary>
        public static readonly Vector512<int> Source0 = Sources(0), Source1 = Sources(1), Source2 = Sources(2), Source3 = Sources(3);

        /// <summary>For the gradient: indices into (block 0, block 1) and (block 2, block 3) of the matrix's first and
        /// last 16 elements, and the lanes to take from the first pair (columns c with c mod 4 in {0, 1}).</summary>
        public static readonly Vector512<int> PickLo = Picks(0, out PickLowBlocksLo), PickHi = Picks(TShape.Batch * TShape.Classes - 16, out PickLowBlocksHi);

        /// <summary>See <see cref="PickLo"/>.</summary>
        public static readonly Vector512<float> PickLowBlocksLo, PickLowBlocksHi;

        private static Vector512<int> Sources(int c)
        {
            int batch = TShape.Batch, classes = TShape.Classes, length = batch * classes;
            Span<int> index = stackalloc int[Vector512<int>.Count];
            for (int lane = 0; lane < index.Length; lane++)
            {
                int row = Math.Min(TinyRowOfLane.GetElement(lane), batch - 1);
                int element = Math.Min(row * classes + TinyColumnOffsets.GetElement(lane) + c, length - 1); // columns >= classes are masked later
                index[lane] = element < 16 ? element : element - (length - 16) + 16;
            }

            return Vector512.Create((ReadOnlySpan<int>)index);
        }

        private static Vector512<int> Picks(int first, out Vector512<float> lowBlocks)
        {
            int classes = TShape.Classes;
            Span<int> index = stackalloc int[Vector512<int>.Count];
            Span<float> low = stackalloc float[Vector512<float>.Count];
            for (int lane = 0; lane < index.Length; lane++)
            {
                int row = (first + lane) / classes, column = (first + lane) % classes;
                index[lane] = ((column & 1) << 4) | ((row & 4) << 1) | (column & 4) | (row & 3);
                low[lane] = (column & 3) < 2 ? BitConverter.Int32BitsToSingle(-1) : 0f;
            }

            lowBlocks = Vector512.Create((ReadOnlySpan<float>)low);
            return Vector512.Create((ReadOnlySpan<int>)index);
        }
    }

    /// <summary>Whether <see cref="TinyQuad256{TShape}"/> takes the matrix (AVX2 and FMA, at most 16 classes): up to 4
    /// rows always, more rows only for the gradient and only without AVX-512. Measured (ns, forward / backward, AVX-512
    /// machine, and with AVX-512 switched off): it comes before <see cref="TinySingle512{TShape}"/> and the group paths
    /// at 4 x 7 (28.1 / 33.3 against 33.5 / 40.8; AVX2 34.0 / 38.7 against 56.6 / 108.1), 4 x 10 (37.9 / 48.5 against
    /// 76.3 / 96.2) and 4 x 16; with more rows the 8-row groups are faster on AVX-512 (32 x 10: 285 / 377 against
    /// 337 / 449) and for the forward loss on AVX2 (315 against 420), but on AVX2 the group path recomputes the
    /// gradient rows with a second exp, and there this one wins the backward (32 x 10: 548 against 901).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TinyQuad(int batch, int classes, bool backward) =>
        Avx2.IsSupported && Fma.IsSupported && batch >= 1 && classes >= 1 && classes <= 2 * Vector256<float>.Count
        && (batch <= 4 || (backward && !Avx512F.IsSupported));

    /// <summary>Column of each lane of a block of <see cref="TinyQuadGroup{TShape}"/>: block c holds column c of rows
    /// 0-3 in lanes 0-3 and column c + 4 of rows 0-3 in lanes 4-7.</summary>
    private static readonly Vector256<int> TinyQuadColumnOffsets = Vector256.Create(0, 0, 0, 0, 4, 4, 4, 4);

    /// <summary>The lanes = rows cross-entropy, 4 rows at a time with 256-bit vectors (AVX2): the sum of the kept
    /// rows' losses, and the gradient when <paramref name="gradient"/> is not null. See <see cref="TinyQuadGroup{TShape}"/>.</summary>
    private static unsafe float TinyQuad256<TShape>(float* x, int* t, int ignoreIndex, float* gradient, float scale)
        where TShape : struct, IKernelShape
    {
        var total = TinyQuadGroup<TShape>(x, t, 0, ignoreIndex, gradient, scale);
        for (int first = 4; first < TShape.Batch; first += 4)
        {
            total += TinyQuadGroup<TShape>(x, t, first, ignoreIndex, gradient, scale);
        }

        return Vector128.Sum(total);
    }

    /// <summary>Rows [first, first + 4) of a matrix of at most 16 classes, lanes = rows, with 256-bit vectors
    /// (AVX2): each row is one 8-lane load per 8 columns (masked where it would run past the matrix), a 4 x 4
    /// transpose in each 128-bit half turns the 4 rows into blocks of two columns x 4 rows
    /// (<see cref="TinyQuadColumnOffsets"/>: columns (c, c + 4), and (8 + c, 12 + c) past 8 classes), and the same
    /// transpose turns the gradient blocks back into rows. No gathers, no scratch memory; compiled per shape, so
    /// the masks are constants. Same results as the other lanes = rows paths up to the exp (here
    /// <see cref="Exp(Vector256{float})"/> itself, bit for bit the row helpers' exp) and the order of additions.
    /// Returns the losses of rows first..first+3 in lanes 0-3, 0 on rows that are ignored or past the batch.
    /// The gradient rows of the group are all computed before the first store (the gradient may be the logits),
    /// and no store leaves the group's rows, so later groups still read their own logits.</summary>
    private static unsafe Vector128<float> TinyQuadGroup<TShape>(float* x, int* t, int first, int ignoreIndex, float* gradient, float scale)
        where TShape : struct, IKernelShape
    {
        int batch = TShape.Batch;
        int classes = TShape.Classes;
        if (batch <= 4)
        {
            first = 0; // the only group: a constant, so every offset, load and store below is fixed at JIT time
        }

        bool wide = classes > Vector256<float>.Count; // a second set of 4 blocks for columns 8-15
        int length = batch * classes;
        var lowMask = Vector256.LessThan(Lanes256, Vector256.Create(Math.Min(classes, Vector256<float>.Count))).AsSingle();
        var highMask = Vector256.LessThan(Lanes256, Vector256.Create(classes - Vector256<float>.Count)).AsSingle();
        int o0 = Math.Min(first, batch - 1) * classes;
        int o1 = Math.Min(first + 1, batch - 1) * classes;
        int o2 = Math.Min(first + 2, batch - 1) * classes;
        int o3 = Math.Min(first + 3, batch - 1) * classes;
        var l0 = TinyQuadLoad(x, o0, length, lowMask);
        var l1 = TinyQuadLoad(x, o1, length, lowMask);
        var l2 = TinyQuadLoad(x, o2, length, lowMask);
        var l3 = TinyQuadLoad(x, o3, length, lowMask);
        TinyQuadTranspose(ref l0, ref l1, ref l2, ref l3); // rows -> blocks of columns (0, 4), (1, 5), (2, 6), (3, 7)
        var negInf = Vector256.Create(float.NegativeInfinity);
        var k0 = TinyQuadColumns(0, classes);
        var k1 = TinyQuadColumns(1, classes);
        var k2 = TinyQuadColumns(2, classes);
        var k3 = TinyQuadColumns(3, classes);
        var m = Avx.Max(Avx.Max(Vector256.ConditionalSelect(k0, l0, negInf), Vector256.ConditionalSelect(k1, l1, negInf)),
                        Avx.Max(Vector256.ConditionalSelect(k2, l2, negInf), Vector256.ConditionalSelect(k3, l3, negInf)));
        Vector256<float> u0 = default, u1 = default, u2 = default, u3 = default, q0 = default, q1 = default, q2 = default, q3 = default;
        if (wide)
        {
            u0 = TinyQuadLoad(x, o0 + Vector256<float>.Count, length, highMask);
            u1 = TinyQuadLoad(x, o1 + Vector256<float>.Count, length, highMask);
            u2 = TinyQuadLoad(x, o2 + Vector256<float>.Count, length, highMask);
            u3 = TinyQuadLoad(x, o3 + Vector256<float>.Count, length, highMask);
            TinyQuadTranspose(ref u0, ref u1, ref u2, ref u3); // blocks of columns (8, 12), (9, 13), (10, 14), (11, 15)
            q0 = TinyQuadColumns(8, classes);
            q1 = TinyQuadColumns(9, classes);
            q2 = TinyQuadColumns(10, classes);
            q3 = TinyQuadColumns(11, classes);
            m = Avx.Max(m, Avx.Max(Avx.Max(Vector256.ConditionalSelect(q0, u0, negInf), Vector256.ConditionalSelect(q1, u1, negInf)),
                                   Avx.Max(Vector256.ConditionalSelect(q2, u2, negInf), Vector256.ConditionalSelect(q3, u3, negInf))));
        }

        m = Avx.Max(m, Avx.Permute2x128(m, m, 0x01)); // both halves: the row maxima

        // A NaN that maxps skipped still reaches its exp, so the row's sum (and loss) is NaN.
        var e0 = MaskedExp(l0 - m, k0);
        var e1 = MaskedExp(l1 - m, k1);
        var e2 = MaskedExp(l2 - m, k2);
        var e3 = MaskedExp(l3 - m, k3);
        var s = (e0 + e1) + (e2 + e3);
        Vector256<float> f0 = default, f1 = default, f2 = default, f3 = default;
        if (wide)
        {
            f0 = MaskedExp(u0 - m, q0);
            f1 = MaskedExp(u1 - m, q1);
            f2 = MaskedExp(u2 - m, q2);
            f3 = MaskedExp(u3 - m, q3);
            s += (f0 + f1) + (f2 + f3);
        }

        s += Avx.Permute2x128(s, s, 0x01);

        // Targets of the group's rows in both halves; rows past the batch are not kept.
        var live = Vector128.LessThan(Vector128.Create(0, 1, 2, 3), Vector128.Create(batch - first));
        var target128 = Avx2.MaskLoad(t + first, live);
        var keep128 = live & ~Vector128.Equals(target128, Vector128.Create(ignoreIndex));
        var target = Vector256.Create(target128, target128);
        var keep = Vector256.Create(keep128, keep128).AsSingle();

        // x[i, t_i] picked from the blocks instead of a gather.
        var h0 = Vector256.Equals(TinyQuadColumnOffsets, target).AsSingle();
        var h1 = Vector256.Equals(TinyQuadColumnOffsets + Vector256.Create(1), target).AsSingle();
        var h2 = Vector256.Equals(TinyQuadColumnOffsets + Vector256.Create(2), target).AsSingle();
        var h3 = Vector256.Equals(TinyQuadColumnOffsets + Vector256.Create(3), target).AsSingle();
        var xt = ((l0 & h0) | (l1 & h1)) | ((l2 & h2) | (l3 & h3));
        Vector256<float> j0 = default, j1 = default, j2 = default, j3 = default;
        if (wide)
        {
            j0 = Vector256.Equals(TinyQuadColumnOffsets + Vector256.Create(8), target).AsSingle();
            j1 = Vector256.Equals(TinyQuadColumnOffsets + Vector256.Create(9), target).AsSingle();
            j2 = Vector256.Equals(TinyQuadColumnOffsets + Vector256.Create(10), target).AsSingle();
            j3 = Vector256.Equals(TinyQuadColumnOffsets + Vector256.Create(11), target).AsSingle();
            xt |= ((u0 & j0) | (u1 & j1)) | ((u2 & j2) | (u3 & j3));
        }

        xt |= Avx.Permute2x128(xt, xt, 0x01);

        // NaN in a sum reaches the loss through (s - s), added off the log's critical path.
        var loss = Log256Finite(s) - ((xt - m) + (s - s));

        if (gradient != null)
        {
            // g = scale (e / s - [column == t]) in the block layout (0 on ignored rows and on columns >= classes),
            // transposed back into rows, then stored row by row (see TinyQuadStore).
            var f = Vector256.Create(scale) / s;
            var sc = Vector256.Create(scale);
            var g0 = (e0 * f - (h0 & sc)) & keep;
            var g1 = (e1 * f - (h1 & sc)) & keep;
            var g2 = (e2 * f - (h2 & sc)) & keep;
            var g3 = (e3 * f - (h3 & sc)) & keep;
            TinyQuadTranspose(ref g0, ref g1, ref g2, ref g3);
            Vector256<float> w0 = default, w1 = default, w2 = default, w3 = default;
            if (wide)
            {
                w0 = (f0 * f - (j0 & sc)) & keep;
                w1 = (f1 * f - (j1 & sc)) & keep;
                w2 = (f2 * f - (j2 & sc)) & keep;
                w3 = (f3 * f - (j3 & sc)) & keep;
                TinyQuadTranspose(ref w0, ref w1, ref w2, ref w3);
            }

            int groupEnd = Math.Min(first + 4, batch) * classes;
            TinyQuadStore(gradient, first, 0, classes, groupEnd, lowMask, highMask, g0, w0);
            TinyQuadStore(gradient, first, 1, classes, groupEnd, lowMask, highMask, g1, w1);
            TinyQuadStore(gradient, first, 2, classes, groupEnd, lowMask, highMask, g2, w2);
            TinyQuadStore(gradient, first, 3, classes, groupEnd, lowMask, highMask, g3, w3);
        }

        return loss.GetLower() & keep128.AsSingle();
    }

    /// <summary>8 floats from <paramref name="offset"/>: a plain load while it ends inside the matrix, else a
    /// masked one (<paramref name="mask"/>: the lanes of the row), which reads nothing past the matrix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> TinyQuadLoad(float* x, int offset, int length, Vector256<float> mask) =>
        offset + Vector256<float>.Count <= length ? Avx.LoadVector256(x + offset) : Avx.MaskLoad(x + offset, mask);

    /// <summary>Stores gradient row <paramref name="first"/> + <paramref name="row"/> (nothing past the batch):
    /// each 8-lane half is a plain store while it ends inside the group (its extra lanes are 0 and land on the next
    /// row, stored after it), else only the row's lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void TinyQuadStore(float* d, int first, int row, int classes, int groupEnd,
        Vector256<float> lowMask, Vector256<float> highMask, Vector256<float> low, Vector256<float> high)
    {
        int offset = (first + row) * classes;
        if (offset >= groupEnd)
        {
            return;
        }

        TinyQuadStoreHalf(d + offset, offset + Vector256<float>.Count <= groupEnd, lowMask, low);
        if (classes > Vector256<float>.Count)
        {
            TinyQuadStoreHalf(d + offset + Vector256<float>.Count, offset + 2 * Vector256<float>.Count <= groupEnd, highMask, high);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void TinyQuadStoreHalf(float* d, bool whole, Vector256<float> mask, Vector256<float> values)
    {
        if (whole)
        {
            Avx.Store(d, values);
        }
        else
        {
            Avx.MaskStore(d, mask, values);
        }
    }

    /// <summary>A 4 x 4 transpose in each 128-bit half: rows 0-3 (columns 0-7) become blocks of columns (c, c + 4),
    /// c = 0..3, and the same steps turn such blocks back into rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TinyQuadTranspose(ref Vector256<float> a, ref Vector256<float> b, ref Vector256<float> c, ref Vector256<float> d)
    {
        var ab0 = Avx.UnpackLow(a, b);
        var ab1 = Avx.UnpackHigh(a, b);
        var cd0 = Avx.UnpackLow(c, d);
        var cd1 = Avx.UnpackHigh(c, d);
        a = Avx.Shuffle(ab0, cd0, 0x44);
        b = Avx.Shuffle(ab0, cd0, 0xEE);
        c = Avx.Shuffle(ab1, cd1, 0x44);
        d = Avx.Shuffle(ab1, cd1, 0xEE);
    }

    /// <summary>The lanes of block <paramref name="c"/> of <see cref="TinyQuad256{TShape}"/> that hold columns below
    /// <paramref name="classes"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> TinyQuadColumns(int c, int classes) =>
        Vector256.LessThan(TinyQuadColumnOffsets + Vector256.Create(c), Vector256.Create(classes)).AsSingle();

    /// <summary><see cref="TinyGroup"/> without gathers, for AVX-512: each of the 8 rows is one 16-lane load
    /// (from the matrix while the load stays inside it, else from a zero-padded copy of the group), and an
    /// in-register transpose (unpack, shufps, shuf32x4) turns them into blocks of two columns × 8 rows; lanes
    /// of columns >= classes are masked (-inf for the max, 0 for the exp). Same results as <see cref="TinyGroup"/>
    /// up to the order of the additions in the row sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> TinyGroup512(float* x, int* t, int first, int batch, int classes, int ignoreIndex,
        float* copy, float* gradient, float scale, out Vector256<float> max, out Vector256<float> sum, out Vector256<float> kept)
    {
        int length = batch * classes;
        Vector512<float> r0, r1, r2, r3, r4, r5, r6, r7;
        if (first * classes + 7 * classes + Vector512<float>.Count <= length)
        {
            float* src = x + first * classes;
            r0 = Vector512.Load(src);
            r1 = Vector512.Load(src + classes);
            r2 = Vector512.Load(src + 2 * classes);
            r3 = Vector512.Load(src + 3 * classes);
            r4 = Vector512.Load(src + 4 * classes);
            r5 = Vector512.Load(src + 5 * classes);
            r6 = Vector512.Load(src + 6 * classes);
            r7 = Vector512.Load(src + 7 * classes);
        }
        else if (length >= Vector512<float>.Count)
        {
            // Near the end: a row whose 16-lane load would leave the matrix is loaded from the last 16 elements
            // and moved into place with one permute (no copy, so no store-forwarding stall). Rows past the
            // batch repeat the last row; their lanes are dropped with kept.
            r0 = TinyLoadRow(x, first, batch, classes);
            r1 = TinyLoadRow(x, first + 1, batch, classes);
            r2 = TinyLoadRow(x, first + 2, batch, classes);
            r3 = TinyLoadRow(x, first + 3, batch, classes);
            r4 = TinyLoadRow(x, first + 4, batch, classes);
            r5 = TinyLoadRow(x, first + 5, batch, classes);
            r6 = TinyLoadRow(x, first + 6, batch, classes);
            r7 = TinyLoadRow(x, first + 7, batch, classes);
        }
        else
        {
            // A matrix shorter than one vector: copy it and zero everything after it.
            int rowsInGroup = Math.Min(Vector256<float>.Count, batch - first);
            int have = rowsInGroup * classes;
            new ReadOnlySpan<float>(x + first * classes, have).CopyTo(new Span<float>(copy, TinyCopyLength));
            new Span<float>(copy + have, TinyCopyLength - have).Clear();
            r0 = Vector512.Load(copy);
            r1 = Vector512.Load(copy + classes);
            r2 = Vector512.Load(copy + 2 * classes);
            r3 = Vector512.Load(copy + 3 * classes);
            r4 = Vector512.Load(copy + 4 * classes);
            r5 = Vector512.Load(copy + 5 * classes);
            r6 = Vector512.Load(copy + 6 * classes);
            r7 = Vector512.Load(copy + 7 * classes);
        }

        // 4 x 4 transposes inside each 128-bit lane: u_q lane k = column 4k + q of rows 0-3 (u_q) or rows 4-7 (v_q).
        var t0 = Avx512F.UnpackLow(r0, r1);
        var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3);
        var t3 = Avx512F.UnpackHigh(r2, r3);
        var t4 = Avx512F.UnpackLow(r4, r5);
        var t5 = Avx512F.UnpackHigh(r4, r5);
        var t6 = Avx512F.UnpackLow(r6, r7);
        var t7 = Avx512F.UnpackHigh(r6, r7);
        var u0 = Avx512F.Shuffle(t0, t2, 0x44);
        var u1 = Avx512F.Shuffle(t0, t2, 0xEE);
        var u2 = Avx512F.Shuffle(t1, t3, 0x44);
        var u3 = Avx512F.Shuffle(t1, t3, 0xEE);
        var v0 = Avx512F.Shuffle(t4, t6, 0x44);
        var v1 = Avx512F.Shuffle(t4, t6, 0xEE);
        var v2 = Avx512F.Shuffle(t5, t7, 0x44);
        var v3 = Avx512F.Shuffle(t5, t7, 0xEE);

        // Blocks of columns (c, c + 4), c = q for lanes 0-1 of u/v and c = 8 + q for lanes 2-3.
        var negInf = Vector512.Create(float.NegativeInfinity);
        var b0 = Avx512F.Shuffle4x128(u0, v0, 0x44);
        var b1 = Avx512F.Shuffle4x128(u1, v1, 0x44);
        var b2 = Avx512F.Shuffle4x128(u2, v2, 0x44);
        var b3 = Avx512F.Shuffle4x128(u3, v3, 0x44);
        var k0 = TinyColumns(0, classes);
        var k1 = TinyColumns(1, classes);
        var k2 = TinyColumns(2, classes);
        var k3 = TinyColumns(3, classes);
        var m = Avx512F.Max(Avx512F.Max(Vector512.ConditionalSelect(k0, b0, negInf), Vector512.ConditionalSelect(k1, b1, negInf)),
                            Avx512F.Max(Vector512.ConditionalSelect(k2, b2, negInf), Vector512.ConditionalSelect(k3, b3, negInf)));
        Vector512<float> b4 = default, b5 = default, b6 = default, b7 = default, k4 = default, k5 = default, k6 = default, k7 = default;
        bool wide = classes > 8;
        if (wide)
        {
            b4 = Avx512F.Shuffle4x128(u0, v0, 0xEE);
            b5 = Avx512F.Shuffle4x128(u1, v1, 0xEE);
            b6 = Avx512F.Shuffle4x128(u2, v2, 0xEE);
            b7 = Avx512F.Shuffle4x128(u3, v3, 0xEE);
            k4 = TinyColumns(8, classes);
            k5 = TinyColumns(9, classes);
            k6 = TinyColumns(10, classes);
            k7 = TinyColumns(11, classes);
            m = Avx512F.Max(m, Avx512F.Max(Avx512F.Max(Vector512.ConditionalSelect(k4, b4, negInf), Vector512.ConditionalSelect(k5, b5, negInf)),
                                           Avx512F.Max(Vector512.ConditionalSelect(k6, b6, negInf), Vector512.ConditionalSelect(k7, b7, negInf))));
        }

        // Fold columns c and c + 4: every lane then holds its row's maximum, already in the layout of the blocks.
        m = Avx512F.Max(m, Avx512F.Shuffle4x128(m, m, 0xB1));

        var e0 = TinyMaskedExp(b0 - m, k0);
        var e1 = TinyMaskedExp(b1 - m, k1);
        var e2 = TinyMaskedExp(b2 - m, k2);
        var e3 = TinyMaskedExp(b3 - m, k3);
        var s = (e0 + e1) + (e2 + e3);
        Vector512<float> e4 = default, e5 = default, e6 = default, e7 = default;
        if (wide)
        {
            e4 = TinyMaskedExp(b4 - m, k4);
            e5 = TinyMaskedExp(b5 - m, k5);
            e6 = TinyMaskedExp(b6 - m, k6);
            e7 = TinyMaskedExp(b7 - m, k7);
            s += (e4 + e5) + (e6 + e7);
        }

        s += Avx512F.Shuffle4x128(s, s, 0xB1);

        // Lanes 0-3 and 8-11 hold rows 0-7.
        max = Avx512F.Shuffle4x128(m, m, 0x08).GetLower();
        sum = Avx512F.Shuffle4x128(s, s, 0x08).GetLower();

        var rows = Vector256.Create(first) + Lanes256;
        var live = Vector256.LessThan(rows, Vector256.Create(batch));
        rows = Vector256.Min(rows, Vector256.Create(batch - 1));
        var target = Avx2.GatherVector256(t, rows, 4);
        var keep = live & ~Vector256.Equals(target, Vector256.Create(ignoreIndex));
        kept = keep.AsSingle();
        var xt = Avx2.GatherVector256(x, rows * Vector256.Create(classes) + (target & keep), 4);

        if (gradient != null)
        {
            // g = scale (e / s - [column == t]) in the block layout (0 on ignored rows and on columns >= classes),
            // transposed back to rows by the same network in reverse and stored row by row, in order.
            var f = TinyBlocks(Vector256.Create(scale) / sum);
            var tb = TinyBlocks(target.AsSingle()).AsInt32();
            var kb = TinyBlocks(kept);
            var sc = Vector512.Create(scale);
            e0 = TinyGradient(e0, f, tb, kb, sc, 0);
            e1 = TinyGradient(e1, f, tb, kb, sc, 1);
            e2 = TinyGradient(e2, f, tb, kb, sc, 2);
            e3 = TinyGradient(e3, f, tb, kb, sc, 3);
            if (wide)
            {
                e4 = TinyGradient(e4, f, tb, kb, sc, 8);
                e5 = TinyGradient(e5, f, tb, kb, sc, 9);
                e6 = TinyGradient(e6, f, tb, kb, sc, 10);
                e7 = TinyGradient(e7, f, tb, kb, sc, 11);
            }

            // Blocks -> u/v (lane k of u_q: column 4k + q, rows 0-3; v_q: rows 4-7) -> rows (4 x 4 transposes).
            var w0 = Avx512F.Shuffle4x128(e0, e4, 0x44);
            var w1 = Avx512F.Shuffle4x128(e1, e5, 0x44);
            var w2 = Avx512F.Shuffle4x128(e2, e6, 0x44);
            var w3 = Avx512F.Shuffle4x128(e3, e7, 0x44);
            var z0 = Avx512F.Shuffle4x128(e0, e4, 0xEE);
            var z1 = Avx512F.Shuffle4x128(e1, e5, 0xEE);
            var z2 = Avx512F.Shuffle4x128(e2, e6, 0xEE);
            var z3 = Avx512F.Shuffle4x128(e3, e7, 0xEE);
            var p0 = Avx512F.UnpackLow(w0, w1);
            var p1 = Avx512F.UnpackHigh(w0, w1);
            var p2 = Avx512F.UnpackLow(w2, w3);
            var p3 = Avx512F.UnpackHigh(w2, w3);
            var p4 = Avx512F.UnpackLow(z0, z1);
            var p5 = Avx512F.UnpackHigh(z0, z1);
            var p6 = Avx512F.UnpackLow(z2, z3);
            var p7 = Avx512F.UnpackHigh(z2, z3);
            int n = Math.Min(Vector256<float>.Count, batch - first);
            int groupEnd = (first + n) * classes;
            TinyStoreRow(gradient, length, groupEnd, first * classes, classes, Avx512F.Shuffle(p0, p2, 0x44));
            if (n > 1) TinyStoreRow(gradient, length, groupEnd, (first + 1) * classes, classes, Avx512F.Shuffle(p0, p2, 0xEE));
            if (n > 2) TinyStoreRow(gradient, length, groupEnd, (first + 2) * classes, classes, Avx512F.Shuffle(p1, p3, 0x44));
            if (n > 3) TinyStoreRow(gradient, length, groupEnd, (first + 3) * classes, classes, Avx512F.Shuffle(p1, p3, 0xEE));
            if (n > 4) TinyStoreRow(gradient, length, groupEnd, (first + 4) * classes, classes, Avx512F.Shuffle(p4, p6, 0x44));
            if (n > 5) TinyStoreRow(gradient, length, groupEnd, (first + 5) * classes, classes, Avx512F.Shuffle(p4, p6, 0xEE));
            if (n > 6) TinyStoreRow(gradient, length, groupEnd, (first + 6) * classes, classes, Avx512F.Shuffle(p5, p7, 0x44));
            if (n > 7) TinyStoreRow(gradient, length, groupEnd, (first + 7) * classes, classes, Avx512F.Shuffle(p5, p7, 0xEE));
        }

        return Log256(sum) - (xt - max);
    }

    /// <summary>Rows 0-7 of a group (one lane each) in the block layout of <see cref="TinyGroup512"/>:
    /// 128-bit lanes rows 0-3, rows 0-3, rows 4-7, rows 4-7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> TinyBlocks(Vector256<float> rows)
    {
        var v = rows.ToVector512Unsafe();
        return Avx512F.Shuffle4x128(v, v, 0x50);
    }

    /// <summary><c>scale (e f - [column == t])</c> on the kept rows, 0 elsewhere, for the block of columns (c, c + 4).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> TinyGradient(Vector512<float> e, Vector512<float> f, Vector512<int> target, Vector512<float> kept, Vector512<float> scale, int c)
    {
        var hit = Vector512.Equals(TinyColumnOffsets + Vector512.Create(c), target).AsSingle();
        return (e * f - (hit & scale)) & kept;
    }

    /// <summary>Stores one gradient row (lanes 0..classes-1 of <paramref name="row"/>; the others are 0). A plain
    /// 16-lane store while it ends inside the group (its extra lanes land on the next rows, stored after it);
    /// else only the row's lanes, through masked stores inside the matrix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void TinyStoreRow(float* d, int length, int groupEnd, int offset, int classes, Vector512<float> row)
    {
        if (offset + Vector512<float>.Count <= groupEnd)
        {
            row.Store(d + offset);
            return;
        }

        if (classes <= Vector256<float>.Count && length >= Vector256<float>.Count)
        {
            int start = Math.Min(offset, length - Vector256<float>.Count);
            var lanes = Lanes256 - Vector256.Create(offset - start);
            var value = Avx2.PermuteVar8x32(row.GetLower(), lanes);
            var mask = (Vector256.GreaterThanOrEqual(lanes, Vector256<int>.Zero) & Vector256.LessThan(lanes, Vector256.Create(classes))).AsSingle();
            Avx.MaskStore(d + start, mask, value);
        }
        else
        {
            int start = Math.Min(offset, length - Vector512<float>.Count);
            var lanes = Lanes512 - Vector512.Create(offset - start);
            var value = Avx512F.PermuteVar16x32(row, lanes);
            var mask = (Vector512.GreaterThanOrEqual(lanes, Vector512<int>.Zero) & Vector512.LessThan(lanes, Vector512.Create(classes))).AsSingle();
            Avx.MaskStore(d + start, mask.GetLower(), value.GetLower());
            Avx.MaskStore(d + start + Vector256<float>.Count, mask.GetUpper(), value.GetUpper());
        }
    }

    /// <summary>Row <paramref name="row"/> (the last row when past the batch) in lanes 0..classes-1 of a 16-lane
    /// vector, read inside a matrix of at least 16 elements; lanes from classes on hold other elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> TinyLoadRow(float* x, int row, int batch, int classes)
    {
        int length = batch * classes;
        int offset = Math.Min(row, batch - 1) * classes;
        int start = Math.Min(offset, length - Vector512<float>.Count);
        var v = Vector512.Load(x + start);
        return start == offset ? v : Avx512F.PermuteVar16x32(v, Lanes512 + Vector512.Create(offset - start));
    }

    /// <summary>The lanes of the block of columns (c, c + 4) that hold columns below <paramref name="classes"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> TinyColumns(int c, int classes) =>
        Vector512.LessThan(TinyColumnOffsets + Vector512.Create(c), Vector512.Create(classes)).AsSingle();

    /// <summary>exp of the lanes marked by <paramref name="mask"/>, 0 elsewhere, for x - max (&lt;= 0, or NaN). The
    /// algorithm and coefficients of <see cref="Exp(Vector512{float})"/>, but the degree-6 polynomial is evaluated
    /// in Estrin form (4 dependent steps instead of 6) and the upper clamp is left out (the input is &lt;= 0):
    /// this exp sits on the critical path of a small matrix. Within about 2 ulp of exp; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> TinyMaskedExp(Vector512<float> shifted, Vector512<float> mask)
    {
        var x = Avx512F.Max(Vector512.Create(ClampLow), shifted & mask); // maxps keeps a NaN second operand
        var t = Avx512F.FusedMultiplyAdd(x, Vector512.Create(Log2E), Vector512.Create(Shifter));
        var n = t - Vector512.Create(Shifter);
        var r = Avx512F.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), x);
        r = Avx512F.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        // p = 1 + r + r^2 (C2 + C3 r + C4 r^2 + C5 r^3 + C6 r^4), the polynomial of Exp, in Estrin form
        var r2 = r * r;
        var e0 = r + Vector512<float>.One;
        var a = Avx512F.FusedMultiplyAdd(Vector512.Create(C3), r, Vector512.Create(C2));
        var b = Avx512F.FusedMultiplyAdd(Vector512.Create(C5), r, Vector512.Create(C4));
        var b2 = Avx512F.FusedMultiplyAdd(Vector512.Create(C6), r2, b);
        var q = Avx512F.FusedMultiplyAdd(b2, r2, a);
        var p = Avx512F.FusedMultiplyAdd(q, r2, e0);
        return Avx512F.Scale(p, n) & mask;
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
