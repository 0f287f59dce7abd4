using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

// Layout Group512 (see CrossEntropyPath): lanes = rows, 8 rows at a time (AVX-512), up to 16 classes, any batch. Each
// row is one 16-lane load, transposed in registers into blocks of two columns x 8 rows; the exp is the table form of
// KernelMath.Exp (KernelMath.ExpTable.cs), and the log is Log256Finite. The gradient is computed in
// the block layout and transposed back by the same shuffles, then stored row by row.
public static partial class KernelMath
{
    /// <summary>Row of each lane of a block (rows 0-3, 0-3, 4-7, 4-7), as <see cref="s_tinyColumnOffsets"/>.</summary>
    private static readonly Vector512<int> s_tinyRowOfLane = Vector512.Create(0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7);

    /// <summary>Column index of each lane of a block of two columns after the transpose in <see cref="TinyGroup512"/>
    /// (128-bit lanes: column c rows 0-3, column c + 4 rows 0-3, column c rows 4-7, column c + 4 rows 4-7).</summary>
    private static readonly Vector512<int> s_tinyColumnOffsets = Vector512.Create(0, 0, 0, 0, 4, 4, 4, 4, 0, 0, 0, 0, 4, 4, 4, 4);

    /// <summary>Lanes = rows for AVX-512: each of the 8 rows is one 16-lane load
    /// (clipped at the matrix's end), and an
    /// in-register transpose (unpack, shufps, shuf32x4) turns them into blocks of two columns × 8 rows; lanes
    /// of columns >= classes are masked (-inf for the max, 0 for the exp). Same results as <see cref="TinyTransposeGroup"/>
    /// up to the order of the additions in the row sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> TinyGroup512(float* x, int* t, int first, int batch, int classes, int ignoreIndex,
        float* gradient, float scale, out Vector256<float> max, out Vector256<float> sum, out Vector256<float> kept)
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
        else
        {
            // Near the end: each row is one load clipped at the matrix's end (LoadClipped512); rows past the batch repeat
            // the last row, their lanes are dropped with kept.
            r0 = TinyLoadRow(x, first, batch, classes);
            r1 = TinyLoadRow(x, first + 1, batch, classes);
            r2 = TinyLoadRow(x, first + 2, batch, classes);
            r3 = TinyLoadRow(x, first + 3, batch, classes);
            r4 = TinyLoadRow(x, first + 4, batch, classes);
            r5 = TinyLoadRow(x, first + 5, batch, classes);
            r6 = TinyLoadRow(x, first + 6, batch, classes);
            r7 = TinyLoadRow(x, first + 7, batch, classes);
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

        var rows = Vector256.Create(first) + s_lanes256;
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
            TinyStoreRow(gradient, groupEnd, first * classes, classes, Avx512F.Shuffle(p0, p2, 0x44));
            if (n > 1) TinyStoreRow(gradient, groupEnd, (first + 1) * classes, classes, Avx512F.Shuffle(p0, p2, 0xEE));
            if (n > 2) TinyStoreRow(gradient, groupEnd, (first + 2) * classes, classes, Avx512F.Shuffle(p1, p3, 0x44));
            if (n > 3) TinyStoreRow(gradient, groupEnd, (first + 3) * classes, classes, Avx512F.Shuffle(p1, p3, 0xEE));
            if (n > 4) TinyStoreRow(gradient, groupEnd, (first + 4) * classes, classes, Avx512F.Shuffle(p4, p6, 0x44));
            if (n > 5) TinyStoreRow(gradient, groupEnd, (first + 5) * classes, classes, Avx512F.Shuffle(p4, p6, 0xEE));
            if (n > 6) TinyStoreRow(gradient, groupEnd, (first + 6) * classes, classes, Avx512F.Shuffle(p5, p7, 0x44));
            if (n > 7) TinyStoreRow(gradient, groupEnd, (first + 7) * classes, classes, Avx512F.Shuffle(p5, p7, 0xEE));
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
        var hit = Vector512.Equals(s_tinyColumnOffsets + Vector512.Create(c), target).AsSingle();
        return (e * f - (hit & scale)) & kept;
    }

    /// <summary>Stores one gradient row (lanes 0..classes-1 of <paramref name="row"/>; the others are 0). A plain
    /// 16-lane store while it ends inside the group (its extra lanes land on the next rows, stored after it);
    /// else only the row's lanes (<see cref="StoreClipped512"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void TinyStoreRow(float* d, int groupEnd, int offset, int classes, Vector512<float> row)
    {
        if (offset + Vector512<float>.Count <= groupEnd)
        {
            row.Store(d + offset);
            return;
        }

        StoreClipped512(d, offset + classes, offset, row);
    }

    /// <summary>Row <paramref name="row"/> (the last row when past the batch) in lanes 0..classes-1 of a 16-lane
    /// vector, clipped at the matrix's end; lanes from classes on hold the next elements or 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> TinyLoadRow(float* x, int row, int batch, int classes) =>
        LoadClipped512(x, batch * classes, Math.Min(row, batch - 1) * classes);

    /// <summary>The lanes of the block of columns (c, c + 4) that hold columns below <paramref name="classes"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> TinyColumns(int c, int classes) =>
        Vector512.LessThan(s_tinyColumnOffsets + Vector512.Create(c), Vector512.Create(classes)).AsSingle();

    /// <summary>exp of the lanes marked by <paramref name="mask"/>, 0 elsewhere, for x - max (&lt;= 0, or NaN): the
    /// bits of <see cref="ExpBelowMax(Vector512{float})"/> (its table form: this layout runs with AVX-512 only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> TinyMaskedExp(Vector512<float> shifted, Vector512<float> mask) =>
        ExpTable(Avx512F.Max(Vector512.Create(ClampLow), shifted & mask)) & mask; // maxps keeps a NaN second operand
}
