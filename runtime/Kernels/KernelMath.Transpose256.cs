using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

// Layout Transpose256 (see CrossEntropyPath): lanes = rows, 8 rows at a time with 256-bit vectors (AVX2, no AVX-512),
// up to 16 classes, any batch. Each row is one 8-lane load per 8 columns (clipped at the matrix's end), and an 8 x 8
// in-register transpose (unpack, shufps, vperm2f128: no gathers, which cost several times more on AMD Zen 2-4 than a
// load per element) makes one vector per column whose lane k is row first + k. Only the columns below classes are
// used, so a 10-class row costs 10 exps per 8 rows (Quad256's 4-row blocks of two columns cost 16 per 8 rows). The
// gradient columns go back through the same transpose and are stored row by row.
public static partial class KernelMath
{
    /// <summary>Rows [first, first + 8) of the matrix, lanes = rows, through an in-register transpose: returns each
    /// row's loss <c>log s - (x_t - m)</c> and, in <paramref name="kept"/>, the lanes to keep (rows that exist and are
    /// not ignored); lanes past the last row repeat the last row. With a <paramref name="gradient"/>, also writes
    /// <c>scale (exp(x - m) / s - [j == t])</c> into the group's rows (0 on ignored rows). Every row of the group is read
    /// before any is written and no store leaves the group's rows, so the gradient may be the logits.
    /// <paramref name="columns"/> is scratch for 16 vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> TinyTransposeGroup(float* x, int* t, int first, int batch, int classes, int ignoreIndex,
        float* gradient, float scale, Vector256<float>* columns, out Vector256<float> kept)
    {
        int length = batch * classes;
        int n = Math.Min(Vector256<float>.Count, batch - first); // rows of this group
        bool wide = classes > Vector256<float>.Count;
        TinyTransposeLoad(x, length, first, batch, classes, 0, columns);
        if (wide)
        {
            TinyTransposeLoad(x, length, first, batch, classes, Vector256<float>.Count, columns + Vector256<float>.Count);
        }

        var live = Vector256.LessThan(s_lanes256, Vector256.Create(n));
        var target = Avx2.MaskLoad(t + first, live); // 0 past the batch
        var keep = live & ~Vector256.Equals(target, Vector256.Create(ignoreIndex));
        kept = keep.AsSingle();

        // m = max_j x_j in two chains; x_t picked from its column. A NaN that maxps skips still reaches its exp below.
        var m = columns[0];
        var mOdd = m;
        var xt = m & Vector256.Equals(target, Vector256<int>.Zero).AsSingle();
        for (int j = 1; j < classes; j++)
        {
            var c = columns[j];
            if ((j & 1) == 0)
            {
                m = Avx.Max(m, c);
            }
            else
            {
                mOdd = Avx.Max(mOdd, c);
            }

            xt = Avx.BlendVariable(xt, c, Vector256.Equals(target, Vector256.Create(j)).AsSingle());
        }

        m = Avx.Max(m, mOdd);

        // s = sum_j exp(x_j - m) in two partial sums; the exps stay in the scratch for the gradient.
        var s0 = Vector256<float>.Zero;
        var s1 = Vector256<float>.Zero;
        for (int j = 0; j < classes; j++)
        {
            var e = ExpBelowMax(columns[j] - m);
            columns[j] = e;
            if ((j & 1) == 0)
            {
                s0 += e;
            }
            else
            {
                s1 += e;
            }
        }

        var s = s0 + s1;
        if (gradient != null)
        {
            // g_j = scale (e_j / s - [j == t]) on kept rows, 0 elsewhere; columns past classes are 0.
            var f = Vector256.Create(scale) / s;
            var sc = Vector256.Create(scale);
            for (int j = 0; j < classes; j++)
            {
                var hit = Vector256.Equals(target, Vector256.Create(j)).AsSingle();
                columns[j] = (columns[j] * f - (hit & sc)) & kept;
            }

            int columnCount = wide ? 2 * Vector256<float>.Count : Vector256<float>.Count;
            for (int j = classes; j < columnCount; j++)
            {
                columns[j] = Vector256<float>.Zero;
            }

            TinyTranspose8(columns);
            if (wide)
            {
                TinyTranspose8(columns + Vector256<float>.Count);
            }

            // Row by row, in order: a plain 8-lane store while it ends inside the group (its extra lanes, 0, land on
            // the next row, stored after it), else only the row's own lanes.
            int groupEnd = (first + n) * classes;
            for (int k = 0; k < n; k++)
            {
                int offset = (first + k) * classes;
                TinyTransposeStore(gradient, groupEnd, offset, offset + Math.Min(classes, Vector256<float>.Count), columns[k]);
                if (wide)
                {
                    TinyTransposeStore(gradient, groupEnd, offset + Vector256<float>.Count, offset + classes, columns[Vector256<float>.Count + k]);
                }
            }
        }

        return Log256(s) - (xt - m);
    }

    /// <summary>Columns <paramref name="column"/>..+7 of the group's rows into <paramref name="columns"/>[0..7] (lane k =
    /// row first + k; rows past the batch repeat the last row). Each row is one load clipped at the matrix's end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void TinyTransposeLoad(float* x, int length, int first, int batch, int classes, int column, Vector256<float>* columns)
    {
        for (int k = 0; k < Vector256<float>.Count; k++)
        {
            columns[k] = LoadClipped256(x, length, (Math.Min(first + k, batch - 1) * classes) + column);
        }

        TinyTranspose8(columns);
    }

    /// <summary>Transposes the 8 x 8 block held by <paramref name="v"/>[0..7] in place (unpacks and shufps inside each
    /// 128-bit half, then vperm2f128 across the halves: 24 shuffles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void TinyTranspose8(Vector256<float>* v)
    {
        var t0 = Avx.UnpackLow(v[0], v[1]);
        var t1 = Avx.UnpackHigh(v[0], v[1]);
        var t2 = Avx.UnpackLow(v[2], v[3]);
        var t3 = Avx.UnpackHigh(v[2], v[3]);
        var t4 = Avx.UnpackLow(v[4], v[5]);
        var t5 = Avx.UnpackHigh(v[4], v[5]);
        var t6 = Avx.UnpackLow(v[6], v[7]);
        var t7 = Avx.UnpackHigh(v[6], v[7]);
        var u0 = Avx.Shuffle(t0, t2, 0x44); // column 0 | column 4, rows 0-3
        var u1 = Avx.Shuffle(t0, t2, 0xEE); // column 1 | column 5
        var u2 = Avx.Shuffle(t1, t3, 0x44); // column 2 | column 6
        var u3 = Avx.Shuffle(t1, t3, 0xEE); // column 3 | column 7
        var u4 = Avx.Shuffle(t4, t6, 0x44); // the same for rows 4-7
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        v[0] = Avx.Permute2x128(u0, u4, 0x20);
        v[1] = Avx.Permute2x128(u1, u5, 0x20);
        v[2] = Avx.Permute2x128(u2, u6, 0x20);
        v[3] = Avx.Permute2x128(u3, u7, 0x20);
        v[4] = Avx.Permute2x128(u0, u4, 0x31);
        v[5] = Avx.Permute2x128(u1, u5, 0x31);
        v[6] = Avx.Permute2x128(u2, u6, 0x31);
        v[7] = Avx.Permute2x128(u3, u7, 0x31);
    }

    /// <summary>Stores 8 lanes at <paramref name="offset"/> when they end inside the group, else only those before
    /// <paramref name="rowEnd"/> (<see cref="StoreClipped256"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void TinyTransposeStore(float* d, int groupEnd, int offset, int rowEnd, Vector256<float> value)
    {
        if (offset + Vector256<float>.Count <= groupEnd)
        {
            value.Store(d + offset);
            return;
        }

        StoreClipped256(d, rowEnd, offset, value);
    }
}
