using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FixedShapeLoss;

/// <summary>
/// Lanes = rows for the generic core (the double kernels' plain cross-entropy and its gradient on matrices of at most
/// <see cref="MaxClasses"/> classes): the rows of a group, as many as a vector has lanes, are read column by column
/// (<see cref="ISimdVector{TSelf, T}.LoadColumn"/>), so that column j of the group is one vector whose lane k belongs
/// to row first + k. Then the row maximum is a chain of lane-wise maxima, the exps of a row run in separate lanes of
/// the same instructions (one exp per column for the whole group, instead of one per row), and nothing is reduced
/// across lanes. The row path
/// (<see cref="RowCore"/>) spends most of a short row waiting: load, reduce across lanes, exp, reduce again, log, for
/// one row at a time.
/// <para>Memory: each element of the group's rows is read once (before anything is written, so the gradient may be the
/// logits) into a stack tile of the group's columns (64-byte aligned, <see cref="AlignedScratch"/>: no column across a
/// page), which then holds their exps and gradients; each gradient element is written from that tile, once (a full
/// group of 4 double rows, RowTiles.Quad.cs, may first write a few elements of a row with the end of the previous
/// row's last 4-element piece, then that row's own store overwrites them); a last group with fewer rows than lanes is
/// read from a zero-padded stack copy, and its padding lanes are never stored; nothing outside the spans is touched.
/// The log of the group's sums is one vector log (<see cref="SimdLog"/>).</para>
/// <para>Numbers: per row, m = max_j x_j, s = sum_j exp(x_j - m) (the columns added in order 0, 1, ... in two
/// alternating partial sums, then the two added), loss = log s - (x_t - m); gradient g_j = exp(x_j - m) * (scale / s),
/// and g_t -= scale; the exp is <see cref="SimdExp.NonPositiveInlined{TV, T}"/> (the same bits as the full exp for
/// x - m &lt;= 0, in fewer steps). The same formulas as the row path; only the order of the additions in s differs,
/// and the group's losses are added in double before the group's sum joins the compensated total.</para>
/// </summary>
internal static partial class RowTiles
{
    /// <summary>The widest row that takes this layout; wider rows fill whole vectors by themselves.</summary>
    public const int MaxClasses = 16;

    /// <summary>The vector width, in bits, for a <paramref name="batch"/> x <paramref name="classes"/> matrix of
    /// <typeparamref name="T"/>: the widest accelerated width whose lanes do not outnumber the rows; 0 when this
    /// layout does not apply (float, which has its own lanes = rows paths; a single row; rows wider than
    /// <see cref="MaxClasses"/>; no SIMD).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="batch">Rows.</param>
    /// <param name="classes">Columns.</param>
    /// <returns>512, 256, 128 or 0.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Width<T>(int batch, int classes)
    {
        if (typeof(T) != typeof(double) || classes < 1 || classes > MaxClasses)
        {
            return 0;
        }

        return Vector512.IsHardwareAccelerated && batch >= Vector512<T>.Count ? 512
            : Vector256.IsHardwareAccelerated && batch >= Vector256<T>.Count ? 256
            : Vector128.IsHardwareAccelerated && batch >= Vector128<T>.Count ? 128
            : 0;
    }

    /// <summary>The plain cross-entropy sum <c>sum_i log s_i - (x[i, t_i] - m_i)</c> over the rows whose target is not
    /// <paramref name="ignoreIndex"/>, added row by row in a compensated sum; with <paramref name="backward"/>, also
    /// <c>scale * (p_j - [j == t])</c> into each row of <paramref name="gradient"/> (0 on ignored rows).</summary>
    /// <typeparam name="TV">The vector type; its lane count is the group size.</typeparam>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The row-major matrix, exactly <c>targets.Length x classes</c> (the caller checks).</param>
    /// <param name="targets">One class index per row (already checked).</param>
    /// <param name="classes">Elements per row, at most <see cref="MaxClasses"/>.</param>
    /// <param name="ignoreIndex">The target value that is skipped.</param>
    /// <param name="scale">Multiplies the gradient.</param>
    /// <param name="gradient">Receives the gradient (may be <paramref name="logits"/>); ignored unless
    /// <paramref name="backward"/>.</param>
    /// <param name="backward">Whether to write the gradient.</param>
    /// <returns>The summed loss.</returns>
    [SkipLocalsInit]
    public static double CrossEntropy<TV, T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex, T scale, Span<T> gradient, bool backward)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> scratch = AlignedScratch.Align(stackalloc T[ScratchLength<TV, T>() + AlignedScratch.Padding<T>()]);
        return Core<TV, T>(logits, targets, targets.Length, classes, ignoreIndex, scale, gradient, backward, scratch);
    }

    /// <summary>As <see cref="CrossEntropy{TV, T}"/> for the shape of <typeparamref name="TShape"/>: the batch and
    /// classes are constants to the JIT, which folds the group loop's bounds and the partial-group test (it does not
    /// unroll the column loops). 4 x 7 double forward, Zen 4 AVX-512: about 8 ns less than through
    /// <see cref="CrossEntropy{TV, T}"/> (console loop, 86 against 78 ns). Its callers pass
    /// <paramref name="backward"/> as a constant, so only one of the two compiled bodies below is called, each without
    /// the other's code (stop 19, console loop, Zen 4 AVX-512: forward 64.7-66.3 → 63.0-65.3 ns, backward 2.78-2.83x →
    /// 2.81-2.99x the naive loop).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double CrossEntropy<TShape, TV, T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int ignoreIndex, T scale, Span<T> gradient, bool backward)
        where TShape : IKernelShape
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        backward ? ShapeBackward<TShape, TV, T>(logits, targets, ignoreIndex, scale, gradient) : ShapeForward<TShape, TV, T>(logits, targets, ignoreIndex);

    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double ShapeForward<TShape, TV, T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int ignoreIndex)
        where TShape : IKernelShape
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> scratch = AlignedScratch.Align(stackalloc T[ScratchLength<TV, T>() + AlignedScratch.Padding<T>()]);
        return Core<TV, T>(logits, targets, TShape.Batch, TShape.Classes, ignoreIndex, T.Zero, default, backward: false, scratch);
    }

    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double ShapeBackward<TShape, TV, T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int ignoreIndex, T scale, Span<T> gradient)
        where TShape : IKernelShape
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> scratch = AlignedScratch.Align(stackalloc T[ScratchLength<TV, T>() + AlignedScratch.Padding<T>()]);
        return Core<TV, T>(logits, targets, TShape.Batch, TShape.Classes, ignoreIndex, scale, gradient, backward: true, scratch);
    }

    private static int ScratchLength<TV, T>()
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        ((2 * MaxClasses) + 2) * TV.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Core<TV, T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int batch, int classes, int ignoreIndex, T scale, Span<T> gradient, bool backward, Span<T> scratch)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lanes = TV.Count;
        // One call site of Group, inlined (a second site, for the matrix of one group, was faster by 2-3 ns on the 4 x 7
        // double backward on x64, but its cost to the JIT's inlining budget left the loop's Group a call on ARM64,
        // where 4 rows are two groups of 2). A matrix of one group (batch <= lanes, a constant for a shape type) gets
        // the offset 0 and the row count batch as constants (the partial-group copy and the path tests fold away; the
        // JIT does not unroll a loop that runs once), and its loss returned from a register: the compensated sum of one
        // term is that term, + 0 turns a -0 into +0 as that sum does.
        bool single = batch <= lanes;
        var total = default(CompensatedSum);
        int first = 0;
        do
        {
            double groupLoss = Group<TV, T>(logits, targets, single ? 0 : first, single ? batch : Math.Min(lanes, batch - first), classes, ignoreIndex, scale, gradient, backward, scratch);
            if (single)
            {
                return groupLoss + 0d;
            }

            total.Add(groupLoss);
            first += lanes;
        }
        while (first < batch);

        return total.Value;
    }

    /// <summary>The loss of the group of <paramref name="rows"/> rows from row <paramref name="first"/> (in row order, a
    /// plain double sum), and with <paramref name="backward"/> its gradient rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Group<TV, T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int first, int rows, int classes, int ignoreIndex, T scale, Span<T> gradient, bool backward, Span<T> scratch)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int lanes = TV.Count;
        Span<T> tile = scratch.Slice(0, MaxClasses * lanes);                      // the group's exps, then gradients, column by column
        Span<T> rowStats = scratch.Slice(MaxClasses * lanes, 2 * lanes);          // log s and m of the group's rows
        Span<T> padded = scratch.Slice((MaxClasses + 2) * lanes, MaxClasses * lanes); // the last group's rows when it has fewer than lanes
        ref T x = ref MemoryMarshal.GetReference(logits);
        ref T tiles = ref MemoryMarshal.GetReference(tile);
        ref T logSums = ref MemoryMarshal.GetReference(rowStats);
        ref T maxima = ref Unsafe.Add(ref logSums, lanes);
        scoped ref T group = ref Unsafe.Add(ref x, first * classes);
        if (rows < lanes)
        {
            // The last, partial group: its rows copied into a zero-padded block, so that the column loads below
            // stay inside it.
            padded.Slice(rows * classes, (lanes - rows) * classes).Clear();
            logits.Slice(first * classes, rows * classes).CopyTo(padded);
            group = ref MemoryMarshal.GetReference(padded);
        }

        // m = max_j x_j, lane by lane (a NaN lane stays NaN or is skipped; either way its exp below is NaN).
        // Even and odd columns in two chains, then joined: half the dependent steps. Each column is read from the
        // rows once, here, and kept in the tile (column j at tile[j * lanes]) for the exps below.
        TV m = TV.Create(T.NegativeInfinity), mOdd = m;
        for (int j = 0; j < classes; j++)
        {
            TV column = TV.LoadColumn(ref Unsafe.Add(ref group, j), classes);
            TV.Store(column, ref Unsafe.Add(ref tiles, j * lanes));
            if ((j & 1) == 0)
            {
                m = TV.Max(m, column);
            }
            else
            {
                mOdd = TV.Max(mOdd, column);
            }
        }

        m = TV.Max(m, mOdd);

        // s = sum_j exp(x_j - m): even and odd columns in two partial sums (half the add latency), then added.
        // Column j's exps replace the column in the tile (the gradient is made from them).
        TV sEven = TV.Create(T.Zero), sOdd = sEven;
        for (int j = 0; j < classes; j++)
        {
            ref T slot = ref Unsafe.Add(ref tiles, j * lanes);
            TV e = SimdExp.NonPositiveInlined<TV, T>(TV.Subtract(TV.Load(ref slot), m));
            if (backward)
            {
                TV.Store(e, ref slot);
            }

            if ((j & 1) == 0)
            {
                sEven = TV.Add(sEven, e);
            }
            else
            {
                sOdd = TV.Add(sOdd, e);
            }
        }

        TV s = TV.Add(sEven, sOdd);
        TV logS = SimdLog.Double<TV, T>(s);

        // loss_i = log s_i - (x[i, t_i] - m_i), in row order, the group's rows added in a plain double sum and the
        // groups in the compensated one (the error stays that of one rounding per group, whatever the batch).
        // Every x[i, t_i] of the group is read here, before the group's gradient rows are written below.
        double groupLoss = 0;
        if (Quad.Applies<TV, T>(rows))
        {
            // A full group of 4 double rows: log s and m taken from the registers (RowTiles.Quad.cs).
            groupLoss = Quad.Loss(Unsafe.As<TV, Vector256<double>>(ref logS), Unsafe.As<TV, Vector256<double>>(ref m), ref Unsafe.As<T, double>(ref group), targets.Slice(first, rows), classes, ignoreIndex);
        }
        else
        {
            TV.Store(logS, ref logSums);
            TV.Store(m, ref maxima);
            for (int k = 0; k < rows; k++)
            {
                int target = targets[first + k];
                if (target != ignoreIndex)
                {
                    T xt = Unsafe.Add(ref x, ((first + k) * classes) + target);
                    groupLoss += double.CreateTruncating(Unsafe.Add(ref logSums, k) - (xt - Unsafe.Add(ref maxima, k)));
                }
            }
        }

        if (backward)
        {
            // g_j = exp(x_j - m) * (scale / s), then g_t -= scale; 0 on ignored rows.
            TV factor = TV.Divide(TV.Create(scale), s);
            if (Quad.Applies<TV, T>(rows))
            {
                // A full group of 4 double rows: the gradient made and stored as vectors (RowTiles.Quad.cs).
                Quad.StoreGradient(ref Unsafe.As<T, double>(ref tiles), Unsafe.As<TV, Vector256<double>>(ref factor), targets.Slice(first, rows), classes, ignoreIndex, double.CreateTruncating(scale), MemoryMarshal.Cast<T, double>(gradient.Slice(first * classes, rows * classes)));
            }
            else
            {
                for (int j = 0; j < classes; j++)
                {
                    ref T column = ref Unsafe.Add(ref tiles, j * lanes);
                    TV.Store(TV.Multiply(TV.Load(ref column), factor), ref column);
                }

                StoreTransposed(ref tiles, lanes, targets.Slice(first, rows), classes, ignoreIndex, scale, gradient.Slice(first * classes, rows * classes));
            }
        }

        return groupLoss;
    }

    /// <summary>Row k of <paramref name="gradient"/> = lane k of the tile's columns, then its target element minus
    /// <paramref name="scale"/>; an ignored row is cleared.</summary>
    private static void StoreTransposed<T>(ref T tile, int lanes, ReadOnlySpan<int> targets, int classes, int ignoreIndex, T scale, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int k = 0; k < targets.Length; k++)
        {
            Span<T> row = gradient.Slice(k * classes, classes);
            int target = targets[k];
            if (target == ignoreIndex)
            {
                row.Clear();
                continue;
            }

            for (int j = 0; j < classes; j++)
            {
                row[j] = Unsafe.Add(ref tile, (j * lanes) + k);
            }

            row[target] -= scale;
        }
    }
}
