using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

// Layout Group256 (see CrossEntropyPath): lanes = rows, 8 rows at a time with AVX2 gathers, up to 16 classes, any
// batch; the gradient rows are recomputed in the row layout (a second exp), one 8-lane vector per row up to 8 classes.
public static partial class KernelMath
{
    /// <summary>Rows [first, first + 8) of the matrix, lanes = rows: returns each row's loss
    /// <c>log s - (x_t - m)</c>, with the row maxima <paramref name="max"/>, the sums <paramref name="sum"/>
    /// of exp(x - m) and the lanes to keep (rows that exist and are not ignored). Lanes past the last row
    /// repeat the last row; their results are garbage-free but must be dropped with <paramref name="kept"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> TinyGroup(float* x, int* t, int first, int batch, int classes, int ignoreIndex,
        Vector256<float>* columns, out Vector256<float> max, out Vector256<float> sum, out Vector256<float> kept)
    {
        var rows = Vector256.Create(first) + s_lanes256;
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

    /// <summary>Gradient rows [first, last) of a matrix of at most 8 classes, each one 8-lane vector:
    /// <c>scale (exp(x - m) / s - [j == t])</c>, 0 on ignored rows. All rows are computed before any is stored
    /// (the gradient may be the logits); then each row is one plain store whose extra lanes land in the
    /// next rows of the group (stored after it), except where they would leave the group: there only the row's
    /// lanes (<see cref="StoreClipped256"/>). No store is read back, so nothing waits on store forwarding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void TinyRows256(float* x, int* t, int first, int last, int batch, int classes, int ignoreIndex, float scale,
        Vector256<float> maxima, Vector256<float> factors, Vector256<float>* rows, Span<float> gradient)
    {
        var logits = new ReadOnlySpan<float>(x, batch * classes);
        for (int i = first; i < last; i++)
        {
            int target = t[i];
            int offset = i * classes;
            var row = LoadRow256(logits, offset, classes, out var mask);
            var lane = Vector256.Create(i - first);
            var g = MaskedExp(row - Avx2.PermuteVar8x32(maxima, lane), mask) * Avx2.PermuteVar8x32(factors, lane)
                - (Vector256.Equals(s_lanes256, Vector256.Create(target)).AsSingle() & Vector256.Create(scale));
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
                    StoreClipped256(d, offset + classes, offset, rows[i - first]); // only the row's lanes
                }
            }
        }
    }
}
