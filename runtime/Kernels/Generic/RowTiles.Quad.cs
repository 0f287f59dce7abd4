using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

internal static partial class RowTiles
{
    /// <summary>
    /// A full group of 4 double rows (256-bit vectors: every x64 machine's group for 4 to 7 rows, and an AVX2
    /// machine's for any batch of 4 or more): its loss read from the registers (<see cref="Loss"/>) and its gradient
    /// made and stored as vectors (<see cref="StoreGradient"/>). The generic path
    /// (<see cref="StoreTransposed{T}"/>) copies the tile to the rows element by element and then reads each row's
    /// target element back to subtract the scale: 28 loads of 8 bytes from 32-byte stores, and 4 read-modify-writes
    /// of elements just stored, for a 4 x 7 matrix. Here each column is <c>g_j = (e_j (scale / s) - [t == j] scale)
    /// &amp; kept</c> in one vector step (the same operations as the generic path's <c>e_j * f</c>, then
    /// <c>g_t -= scale</c>, so the same bits; <c>x - 0 = x</c>), and each block of 4 columns is transposed in registers
    /// (unpcklpd / unpckhpd, vperm2f128) into 4 row pieces. 4 x 7 double backward, console loop against the naive loop
    /// in the same process (median over 200 alternations per process, three or four processes each), Intel Xeon
    /// (family 6 model 167): 2.59-2.72x before, 2.77-2.85x after with AVX-512; 2.69-2.76x, 2.96-3.00x with AVX2.
    /// Each block's 4 gradient columns are made from the tile's exps right before their transpose (instead of
    /// written back to the tile in one pass and read again): Zen 4 AVX-512, 2.68-2.70x → 2.71-2.75x.
    /// <para>Memory: the blocks are stored last first and, in each block, row by row in order. A piece of the last
    /// block runs past its row's end when classes is not a multiple of 4: those lanes land on a later row's first
    /// block, stored afterwards, or, past the group's last row, are not stored: the last row's piece is then shifted to
    /// end at the group's end (its lanes moved before the piece land on that row's previous block, stored afterwards)
    /// or, when there is no previous block, stored element by element up to the group's end. The tile's columns past
    /// classes are set to 0 first (stale stack bits there measured 25 ns slower per call, subnormals presumably) and
    /// end up in exactly those lanes. Nothing outside the group's rows is written, and every logit was read before (the
    /// gradient may be the logits).</para>
    /// </summary>
    private static class Quad
    {
        /// <summary>Whether the group takes this path: double, 4 lanes, a full group, AVX2 (the 256-bit shuffles and the
        /// widening of the keep mask).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Applies<TV, T>(int rows)
            where TV : struct, ISimdVector<TV, T>
            where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
            typeof(T) == typeof(double) && TV.Count == 4 && rows == 4 && Avx2.IsSupported;

        /// <summary>The group's loss <c>sum_k log s_k - (x[k, t_k] - m_k)</c> over the rows not ignored, added in row
        /// order from 0 (the generic path's operations, so the same bits), with each row's log s and m taken from the
        /// vector registers: the generic path stores both vectors and reads them back element by element, loads of 8
        /// bytes from 32-byte stores that sat on the call's critical path. 4 x 7 double, console loop against the
        /// naive loop in the same process, Intel Xeon (family 6 model 167), AVX-512: forward 2.99-3.26x → 3.15-3.34x,
        /// backward 2.56-2.85x → 2.94-2.96x (median over 200 alternations per process, three processes each).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Loss(Vector256<double> logS, Vector256<double> m, ref double group, ReadOnlySpan<int> targets, int classes, int ignoreIndex)
        {
            // Row by row in order, each lane index a constant (a variable index would send the vector through memory).
            double loss = AddRow(0, targets[0], ignoreIndex, logS.GetElement(0), m.GetElement(0), ref group);
            loss = AddRow(loss, targets[1], ignoreIndex, logS.GetElement(1), m.GetElement(1), ref Unsafe.Add(ref group, classes));
            loss = AddRow(loss, targets[2], ignoreIndex, logS.GetElement(2), m.GetElement(2), ref Unsafe.Add(ref group, 2 * classes));
            return AddRow(loss, targets[3], ignoreIndex, logS.GetElement(3), m.GetElement(3), ref Unsafe.Add(ref group, 3 * classes));
        }

        /// <summary><paramref name="loss"/> + (log s - (x_t - m)) for a row not ignored, else <paramref name="loss"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static double AddRow(double loss, int target, int ignoreIndex, double logS, double m, ref double row) =>
            target != ignoreIndex ? loss + (logS - (Unsafe.Add(ref row, target) - m)) : loss;

        /// <summary>Writes the 4 rows of the gradient (<paramref name="gradient"/>, 4 x <paramref name="classes"/>) from
        /// the tile of the group's exps (column j at <c>tile[4 j]</c>, lane k = row k; its columns from classes to the next
        /// multiple of 4 are set to 0).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void StoreGradient(ref double tile, Vector256<double> factor, ReadOnlySpan<int> targets, int classes, int ignoreIndex, double scale, Span<double> gradient)
        {
            var t = Vector128.Create(targets[0], targets[1], targets[2], targets[3]);
            var kept = Avx2.ConvertToVector256Int64(~Vector128.Equals(t, Vector128.Create(ignoreIndex))).AsDouble();
            var target = Avx.ConvertToVector256Double(t); // exact; an ignored row's value matches no column or is masked out
            var scaled = Vector256.Create(scale);
            for (int j = classes; (j & 3) != 0; j++)
            {
                // The last block's columns past the row: zeros, not whatever the stack held (a subnormal there would
                // cost a microcode assist in the multiplication; the lanes themselves are never stored).
                Vector256<double>.Zero.StoreUnsafe(ref tile, (nuint)(4 * j));
            }

            ref double rows = ref MemoryMarshal.GetReference(gradient);
            // The blocks of 4 columns, last first, each written out (not a loop): with classes a constant (a shape
            // type's kernel) each block's first column is one too, and the tests in StorePiece and StoreLastPiece fold
            // away. 4 x 7 double backward, Zen 4 AVX-512, console loop: 70-77 -> 66-70 ns (stop 20).
            int last = (classes - 1) & ~3; // the last block's first column: 12 at most (classes <= MaxClasses = 16)
            if (last == 12)
            {
                Block(ref tile, 12, classes, factor, target, scaled, kept, ref rows);
            }

            if (last >= 8)
            {
                Block(ref tile, 8, classes, factor, target, scaled, kept, ref rows);
            }

            if (last >= 4)
            {
                Block(ref tile, 4, classes, factor, target, scaled, kept, ref rows);
            }

            Block(ref tile, 0, classes, factor, target, scaled, kept, ref rows);
        }

        /// <summary>The gradient columns <paramref name="first"/> to first + 3 of the group's 4 rows, transposed in
        /// registers into 4 row pieces and stored.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Block(ref double tile, int first, int classes, Vector256<double> factor, Vector256<double> target, Vector256<double> scaled, Vector256<double> kept, ref double rows)
        {
            int end = 4 * classes;
            var index = Vector256.Create((double)first); // the block's first column, exact
            var c0 = Column(ref tile, first, index, factor, target, scaled, kept);
            var c1 = Column(ref tile, first + 1, index + Vector256.Create(1.0), factor, target, scaled, kept);
            var c2 = Column(ref tile, first + 2, index + Vector256.Create(2.0), factor, target, scaled, kept);
            var c3 = Column(ref tile, first + 3, index + Vector256.Create(3.0), factor, target, scaled, kept);
            var t0 = Avx.UnpackLow(c0, c1);  // rows 0 and 2 of columns first, first + 1
            var t1 = Avx.UnpackHigh(c0, c1); // rows 1 and 3
            var t2 = Avx.UnpackLow(c2, c3);
            var t3 = Avx.UnpackHigh(c2, c3);
            StorePiece(Avx.Permute2x128(t0, t2, 0x20), ref rows, first, end);
            StorePiece(Avx.Permute2x128(t1, t3, 0x20), ref rows, classes + first, end);
            StorePiece(Avx.Permute2x128(t0, t2, 0x31), ref rows, (2 * classes) + first, end);
            StoreLastPiece(Avx.Permute2x128(t1, t3, 0x31), ref rows, (3 * classes) + first, end, first);
        }

        /// <summary>Column <paramref name="j"/> of the group's gradient from its exps in the tile:
        /// <c>(e_j (scale / s) - [t == j] scale) &amp; kept</c>; <paramref name="index"/> is j in every lane (made from
        /// the block's first column by one addition: 4 x 7 double backward, Zen 4 AVX-512, console loop, 2.79-2.81x →
        /// 2.85-2.89x, against a conversion and a broadcast per column).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> Column(ref double tile, int j, Vector256<double> index, Vector256<double> factor, Vector256<double> target, Vector256<double> scaled, Vector256<double> kept) =>
            (Vector256.LoadUnsafe(ref tile, (nuint)(4 * j)) * factor - (Vector256.Equals(target, index) & scaled)) & kept;

        /// <summary>The last row's piece of the block at column <paramref name="first"/>: as <see cref="StorePiece"/>,
        /// except that a piece past the group's end in a block after the first is shifted (vpermpd) to end there and
        /// stored whole; the lanes it moves before the piece land on this row's previous block, which is stored after
        /// this one. 4 x 7 double backward, Zen 4 AVX-512, console loop: 2.75-2.78x → 2.83-2.85x the naive loop.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreLastPiece(Vector256<double> piece, ref double rows, int offset, int end, int first)
        {
            int over = offset + 4 - end; // lanes past the group's end
            if (over <= 0 || first < 4)
            {
                StorePiece(piece, ref rows, offset, end);
                return;
            }

            piece = over switch
            {
                1 => Avx2.Permute4x64(piece, 0b10_01_00_00), // lanes 0, 1, 2 to 1, 2, 3
                2 => Avx2.Permute4x64(piece, 0b01_00_00_00), // lanes 0, 1 to 2, 3
                _ => Avx2.Permute4x64(piece, 0),             // lane 0 to 3
            };
            piece.StoreUnsafe(ref rows, (nuint)(end - 4));
        }

        /// <summary>4 elements at <paramref name="offset"/>, or those before <paramref name="end"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StorePiece(Vector256<double> piece, ref double rows, int offset, int end)
        {
            if (offset + 4 <= end)
            {
                piece.StoreUnsafe(ref rows, (nuint)offset);
                return;
            }

            for (int k = 0; offset + k < end; k++)
            {
                Unsafe.Add(ref rows, offset + k) = piece.GetElement(k);
            }
        }
    }
}
