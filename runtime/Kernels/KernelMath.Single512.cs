using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

// Layout Single512 (see CrossEntropyPath): a whole matrix of 16 to 32 elements, at most 8 rows of at most 8 classes,
// in two 16-lane loads (AVX-512), each block of two columns x 8 rows one two-source permute of them; compiled per shape.
public static partial class KernelMath
{
    /// <summary><see cref="TinyGroup512"/> for a matrix of 16 to 32 elements, at most 8 rows of at most 8 classes
    /// (<see cref="SelectCrossEntropyPath"/>): two 16-lane loads, both inside the matrix (the second one ending at its
    /// end), hold the whole matrix, and each block of two columns is one two-source permute of them, no transpose, no scratch.
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
        var live256 = Vector256.LessThan(s_lanes256, Vector256.Create(batch));
        var target = Avx2.MaskLoad(t, live256);
        var keep = live256 & ~Vector256.Equals(target, Vector256.Create(ignoreIndex));
        var tb = Avx512F.PermuteVar16x32(target.ToVector512Unsafe(), s_tinyRowOfLane);
        var kb = Avx512F.PermuteVar16x32(keep.ToVector512Unsafe(), s_tinyRowOfLane).AsSingle();

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
        var h0 = Vector512.Equals(s_tinyColumnOffsets, tb).AsSingle();
        var h1 = Vector512.Equals(s_tinyColumnOffsets + Vector512<int>.One, tb).AsSingle();
        var h2 = Vector512.Equals(s_tinyColumnOffsets + Vector512.Create(2), tb).AsSingle();
        var h3 = Vector512.Equals(s_tinyColumnOffsets + Vector512.Create(3), tb).AsSingle();
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
                int row = Math.Min(s_tinyRowOfLane.GetElement(lane), batch - 1);
                int element = Math.Min(row * classes + s_tinyColumnOffsets.GetElement(lane) + c, length - 1); // columns >= classes are masked later
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
}
