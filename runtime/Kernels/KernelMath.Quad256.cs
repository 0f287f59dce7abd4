using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

// Layout Quad256 (see CrossEntropyPath): lanes = rows, 4 rows at a time in 256-bit vectors (AVX2 + FMA), up to 16
// classes, compiled per shape. One load per row and 8 columns, a 4 x 4 transpose in each 128-bit half into blocks of
// two columns x 4 rows, the same transpose back for the gradient; no gathers, no scratch memory.
public static partial class KernelMath
{
    /// <summary>Column of each lane of a block of <see cref="TinyQuadGroup{TShape}"/>: block c holds column c of rows
    /// 0-3 in lanes 0-3 and column c + 4 of rows 0-3 in lanes 4-7.</summary>
    private static readonly Vector256<int> s_tinyQuadColumnOffsets = Vector256.Create(0, 0, 0, 0, 4, 4, 4, 4);

    /// <summary>The lanes = rows cross-entropy, 4 rows at a time with 256-bit vectors (AVX2): the sum of the kept
    /// rows' losses, and the gradient when <paramref name="gradient"/> is not null. See <see cref="TinyQuadGroup{TShape}"/>.</summary>
    private static unsafe float TinyQuad256<TShape>(float* x, int* t, int ignoreIndex, float* gradient, float scale)
        where TShape : struct, IKernelShape
    {
        float total = TinyQuadGroup<TShape>(x, t, 0, ignoreIndex, gradient, scale);
        for (int first = 4; first < TShape.Batch; first += 4)
        {
            total += TinyQuadGroup<TShape>(x, t, first, ignoreIndex, gradient, scale);
        }

        return total;
    }

    /// <summary>Rows [first, first + 4) of a matrix of at most 16 classes, lanes = rows, with 256-bit vectors
    /// (AVX2): each row is one 8-lane load per 8 columns (clipped at the matrix's end, <see cref="LoadClipped256"/>), a 4 x 4
    /// transpose in each 128-bit half turns the 4 rows into blocks of two columns x 4 rows
    /// (<see cref="s_tinyQuadColumnOffsets"/>: columns (c, c + 4), and (8 + c, 12 + c) past 8 classes), and the same
    /// transpose turns the gradient blocks back into rows. No gathers, no scratch memory; compiled per shape, so
    /// the masks are constants. Same results as the other lanes = rows paths up to the exp (here
    /// <see cref="Exp(Vector256{float})"/> itself, bit for bit the row helpers' exp) and the order of additions.
    /// Returns the sum of the losses of rows first..first+3 (<c>Vector128.Sum</c> of lanes holding them, 0 on rows
    /// that are ignored or past the batch): a float comes back in a register, where a vector came back through
    /// memory (the call's return buffer) and its sum waited on the store (4 x 7 forward, console loop, Zen 4:
    /// see the selector's table).
    /// The gradient rows of the group are all computed before the first store (the gradient may be the logits),
    /// and no store leaves the group's rows, so later groups still read their own logits.</summary>
    private static unsafe float TinyQuadGroup<TShape>(float* x, int* t, int first, int ignoreIndex, float* gradient, float scale)
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
        int o0 = Math.Min(first, batch - 1) * classes;
        int o1 = Math.Min(first + 1, batch - 1) * classes;
        int o2 = Math.Min(first + 2, batch - 1) * classes;
        int o3 = Math.Min(first + 3, batch - 1) * classes;
        var l0 = LoadClipped256(x, length, o0);
        var l1 = LoadClipped256(x, length, o1);
        var l2 = LoadClipped256(x, length, o2);
        var l3 = LoadClipped256(x, length, o3);
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
            u0 = LoadClipped256(x, length, o0 + Vector256<float>.Count);
            u1 = LoadClipped256(x, length, o1 + Vector256<float>.Count);
            u2 = LoadClipped256(x, length, o2 + Vector256<float>.Count);
            u3 = LoadClipped256(x, length, o3 + Vector256<float>.Count);
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
        var h0 = Vector256.Equals(s_tinyQuadColumnOffsets, target).AsSingle();
        var h1 = Vector256.Equals(s_tinyQuadColumnOffsets + Vector256.Create(1), target).AsSingle();
        var h2 = Vector256.Equals(s_tinyQuadColumnOffsets + Vector256.Create(2), target).AsSingle();
        var h3 = Vector256.Equals(s_tinyQuadColumnOffsets + Vector256.Create(3), target).AsSingle();
        var xt = ((l0 & h0) | (l1 & h1)) | ((l2 & h2) | (l3 & h3));
        Vector256<float> j0 = default, j1 = default, j2 = default, j3 = default;
        if (wide)
        {
            j0 = Vector256.Equals(s_tinyQuadColumnOffsets + Vector256.Create(8), target).AsSingle();
            j1 = Vector256.Equals(s_tinyQuadColumnOffsets + Vector256.Create(9), target).AsSingle();
            j2 = Vector256.Equals(s_tinyQuadColumnOffsets + Vector256.Create(10), target).AsSingle();
            j3 = Vector256.Equals(s_tinyQuadColumnOffsets + Vector256.Create(11), target).AsSingle();
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
            TinyQuadStore(gradient, first, 0, classes, groupEnd, g0, w0);
            TinyQuadStore(gradient, first, 1, classes, groupEnd, g1, w1);
            TinyQuadStore(gradient, first, 2, classes, groupEnd, g2, w2);
            TinyQuadStore(gradient, first, 3, classes, groupEnd, g3, w3);
        }

        return Vector128.Sum(loss.GetLower() & keep128.AsSingle());
    }

    /// <summary>Stores gradient row <paramref name="first"/> + <paramref name="row"/> (nothing past the batch), each
    /// 8-lane half clipped at the group's end: a half's lanes past the row are 0 and land on the next row of the
    /// group, which is stored after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void TinyQuadStore(float* d, int first, int row, int classes, int groupEnd, Vector256<float> low, Vector256<float> high)
    {
        int offset = (first + row) * classes;
        if (offset >= groupEnd)
        {
            return;
        }

        StoreClipped256(d, groupEnd, offset, low);
        if (classes > Vector256<float>.Count)
        {
            StoreClipped256(d, groupEnd, offset + Vector256<float>.Count, high);
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
        Vector256.LessThan(s_tinyQuadColumnOffsets + Vector256.Create(c), Vector256.Create(classes)).AsSingle();
}
