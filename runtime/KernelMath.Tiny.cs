using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

// Cross-entropy for matrices of few classes, lanes = rows. Row by row, a small row spends most of its time
// in the chain max -> exp -> horizontal sum -> scalar log (~85 cycles), and the rows overlap poorly. Here
// eight rows are one group: column j of the group is gathered into one Vector256 (lane r = row r), so the
// row maximum is a vertical max over the columns, the columns' exps are independent, the row sums are
// vertical adds and ONE vector log serves all eight rows; x[i, t_i] is one more gather. No horizontal
// operation is left except the final sum of the losses.
//
// The gradient needs softmax in row-major order, so the backward kernel keeps the group's maxima and
// scale / sum per row and then writes each row in the row layout (one masked vector per row, the same
// exp, bit for bit), which has no chain from row to row.
//
// Needs AVX2 (gathers) and FMA; elsewhere, and for wider rows, the row-by-row helpers do the work.
public static partial class KernelMath
{
    /// <summary>The widest row <see cref="CrossEntropySum"/> and <see cref="CrossEntropyBackward"/>
    /// handle lanes = rows; generated code calls them only up to this class count.</summary>
    public const int TinyMaxClasses = 16;

    /// <summary><c>sum_i (log sum_j exp(x[i, j] - m_i) - (x[i, t_i] - m_i))</c> over the rows whose target is
    /// not <paramref name="ignoreIndex"/>: the unreduced, unweighted cross-entropy of a row-major matrix.</summary>
    /// <param name="logits">The <c>targets.Length × classes</c> matrix, row-major.</param>
    /// <param name="targets">One class index per row, in [0, classes) or <paramref name="ignoreIndex"/> (already checked).</param>
    /// <param name="classes">Columns of the matrix.</param>
    /// <param name="ignoreIndex">The target value whose row contributes nothing.</param>
    /// <returns>The sum of the per-row losses.</returns>
    [SkipLocalsInit]
    public static unsafe float CrossEntropySum(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex)
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

        Vector256<float>* columns = stackalloc Vector256<float>[TinyMaxClasses];
        float* copy = stackalloc float[TinyCopyLength];
        Vector256<float> total = Vector256<float>.Zero;
        fixed (float* x = &MemoryMarshal.GetReference(logits))
        fixed (int* t = &MemoryMarshal.GetReference(targets))
        {
            for (int first = 0; first < batch; first += Vector256<float>.Count)
            {
                var loss = Avx512F.IsSupported
                    ? TinyGroup512(x, t, first, batch, classes, ignoreIndex, copy, out _, out _, out var kept)
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
    [SkipLocalsInit]
    public static unsafe float CrossEntropyBackward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex, float scale, Span<float> gradient)
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
                    float logSum = RowSoftmax(logits, i * classes, classes, scale, gradient, out float max);
                    sum += logSum - (logits[i * classes + target] - max);
                    gradient[i * classes + target] -= scale;
                }
            }

            return sum;
        }

        Vector256<float>* columns = stackalloc Vector256<float>[TinyMaxClasses];
        float* copy = stackalloc float[TinyCopyLength];
        float* maxima = stackalloc float[Vector256<float>.Count];
        float* factors = stackalloc float[Vector256<float>.Count];
        Vector256<float> total = Vector256<float>.Zero;
        fixed (float* x = &MemoryMarshal.GetReference(logits))
        fixed (int* t = &MemoryMarshal.GetReference(targets))
        {
            for (int first = 0; first < batch; first += Vector256<float>.Count)
            {
                // Every row of the group is read (gathered) before any of them is written, so a gradient that is
                // the logits themselves is fine; later groups are untouched until their own turn.
                var loss = Avx512F.IsSupported
                    ? TinyGroup512(x, t, first, batch, classes, ignoreIndex, copy, out var max, out var sum, out var kept)
                    : TinyGroup(x, t, first, batch, classes, ignoreIndex, columns, out max, out sum, out kept);
                total += loss & kept;
                max.Store(maxima);
                (Vector256.Create(scale) / sum).Store(factors);

                int last = Math.Min(batch, first + Vector256<float>.Count);
                for (int i = first; i < last; i++)
                {
                    int target = t[i];
                    int offset = i * classes;
                    if (target == ignoreIndex)
                    {
                        gradient.Slice(offset, classes).Clear();
                        continue;
                    }

                    float m = maxima[i - first], f = factors[i - first];
                    if (classes <= Vector256<float>.Count && logits.Length >= Vector256<float>.Count)
                    {
                        var row = LoadRow256(logits, offset, classes, out var mask, out int start);
                        StoreRow256(gradient, start, mask, MaskedExp(row - Vector256.Create(m), mask) * Vector256.Create(f));
                    }
                    else if (Vector512.IsHardwareAccelerated && logits.Length >= Vector512<float>.Count)
                    {
                        var row = LoadRow512(logits, offset, classes, out var mask, out int start);
                        StoreRow512(gradient, start, mask, MaskedExp(row - Vector512.Create(m), mask) * Vector512.Create(f));
                    }
                    else
                    {
                        var g = gradient.Slice(offset, classes);
                        ExpShifted(logits.Slice(offset, classes), m, g);
                        Multiply(g, f, g);
                    }

                    gradient[offset + target] -= scale;
                }
            }
        }

        return Vector256.Sum(total);
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

    /// <summary>Column index of each lane of a block of two columns after the transpose in <see cref="TinyGroup512"/>
    /// (128-bit lanes: column c rows 0-3, column c + 4 rows 0-3, column c rows 4-7, column c + 4 rows 4-7).</summary>
    private static readonly Vector512<int> TinyColumnOffsets = Vector512.Create(0, 0, 0, 0, 4, 4, 4, 4, 0, 0, 0, 0, 4, 4, 4, 4);

    /// <summary><see cref="TinyGroup"/> without gathers, for AVX-512: each of the 8 rows is one 16-lane load
    /// (from the matrix while the load stays inside it, else from a zero-padded copy of the group), and an
    /// in-register transpose (unpack, shufps, shuf32x4) turns them into blocks of two columns × 8 rows; lanes
    /// of columns >= classes are masked (-inf for the max, 0 for the exp). Same results as <see cref="TinyGroup"/>
    /// up to the order of the additions in the row sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> TinyGroup512(float* x, int* t, int first, int batch, int classes, int ignoreIndex,
        float* copy, out Vector256<float> max, out Vector256<float> sum, out Vector256<float> kept)
    {
        int rowsInGroup = Math.Min(Vector256<float>.Count, batch - first);
        int length = batch * classes;
        float* src = x + first * classes;
        if (first * classes + 7 * classes + Vector512<float>.Count > length)
        {
            // The last loads would leave the matrix: copy the group's rows and zero everything after them.
            int have = rowsInGroup * classes;
            new ReadOnlySpan<float>(src, have).CopyTo(new Span<float>(copy, TinyCopyLength));
            new Span<float>(copy + have, TinyCopyLength - have).Clear();
            src = copy;
        }

        var r0 = Vector512.Load(src);
        var r1 = Vector512.Load(src + classes);
        var r2 = Vector512.Load(src + 2 * classes);
        var r3 = Vector512.Load(src + 3 * classes);
        var r4 = Vector512.Load(src + 4 * classes);
        var r5 = Vector512.Load(src + 5 * classes);
        var r6 = Vector512.Load(src + 6 * classes);
        var r7 = Vector512.Load(src + 7 * classes);

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

        var s = (MaskedExp(b0 - m, k0) + MaskedExp(b1 - m, k1)) + (MaskedExp(b2 - m, k2) + MaskedExp(b3 - m, k3));
        if (wide)
        {
            s += (MaskedExp(b4 - m, k4) + MaskedExp(b5 - m, k5)) + (MaskedExp(b6 - m, k6) + MaskedExp(b7 - m, k7));
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
        return Log256(sum) - (xt - max);
    }

    /// <summary>The lanes of the block of columns (c, c + 4) that hold columns below <paramref name="classes"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> TinyColumns(int c, int classes) =>
        Vector512.LessThan(TinyColumnOffsets + Vector512.Create(c), Vector512.Create(classes)).AsSingle();

    /// <summary>Natural log of row sums, Cephes' single-precision log (the vector form of the scalar log the
    /// row helpers use) for positive normal lanes; a NaN lane stays NaN. Row sums lie in [1, classes].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Log256(Vector256<float> u)
    {
        var bits = u.AsInt32();
        var e = Vector256.ConvertToSingle(Vector256.ShiftRightLogical(bits, 23) - Vector256.Create(127)) + Vector256<float>.One;
        var mant = ((bits & Vector256.Create(unchecked((int)0x807FFFFF))) | Vector256.Create(0x3F000000)).AsSingle();
        var small = Vector256.LessThan(mant, Vector256.Create((float)0.707106781186547524));
        e -= Vector256<float>.One & small;
        var xm = mant - Vector256<float>.One + (mant & small);
        var z = xm * xm;
        var y = Fma.MultiplyAdd(Vector256.Create((float)7.0376836292E-2), xm, Vector256.Create((float)-1.1514610310E-1));
        y = Fma.MultiplyAdd(y, xm, Vector256.Create((float)1.1676998740E-1));
        y = Fma.MultiplyAdd(y, xm, Vector256.Create((float)-1.2420140846E-1));
        y = Fma.MultiplyAdd(y, xm, Vector256.Create((float)1.4249322787E-1));
        y = Fma.MultiplyAdd(y, xm, Vector256.Create((float)-1.6668057665E-1));
        y = Fma.MultiplyAdd(y, xm, Vector256.Create((float)2.0000714765E-1));
        y = Fma.MultiplyAdd(y, xm, Vector256.Create((float)-2.4999993993E-1));
        y = Fma.MultiplyAdd(y, xm, Vector256.Create((float)3.3333331174E-1));
        y *= xm;
        y = Fma.MultiplyAdd(y, z, e * Vector256.Create((float)-2.12194440E-4));
        y -= z * Vector256.Create(0.5f);
        var log = (xm + y) + e * Vector256.Create((float)0.693359375);
        return log + (u - u); // NaN in, NaN out (u - u is 0 for the finite sums)
    }
}
