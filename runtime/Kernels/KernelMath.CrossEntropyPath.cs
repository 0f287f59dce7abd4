using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

/// <summary>
/// The SIMD layout the plain cross-entropy (<see cref="KernelMath.CrossEntropySum{TShape}(System.ReadOnlySpan{float}, System.ReadOnlySpan{int}, int)"/>,
/// <see cref="KernelMath.CrossEntropyBackward{TShape}(System.ReadOnlySpan{float}, System.ReadOnlySpan{int}, int, float, System.Span{float})"/> and their non-generic forms) runs a matrix on. Chosen in one
/// place, <see cref="KernelMath.SelectCrossEntropyPath"/>; each layout is one file, KernelMath.&lt;layout&gt;.cs.
/// </summary>
internal enum CrossEntropyPath
{
    /// <summary>Row by row (<see cref="KernelMath.RowLogSumExp(System.ReadOnlySpan{float}, int, int, out float)"/>, <see cref="KernelMath.RowSoftmax(System.ReadOnlySpan{float}, int, int, float, System.Span{float}, out float)"/>): one vector per
    /// row up to 8 (256-bit) or 16 (512-bit) classes, the span loops for wider rows, scalar without SIMD.</summary>
    Rows,

    /// <summary>Lanes = rows, 4 rows per group, 256-bit blocks of two columns x 4 rows (KernelMath.Quad256.cs).</summary>
    Quad256,

    /// <summary>Lanes = rows, the whole matrix of 16 to 32 elements in two 512-bit loads and permutes (KernelMath.Single512.cs).</summary>
    Single512,

    /// <summary>Lanes = rows, 8 rows per group, a 512-bit in-register transpose (KernelMath.Group512.cs).</summary>
    Group512,

    /// <summary>Lanes = rows, 8 rows per group, an AVX2 8 x 8 in-register transpose (KernelMath.Transpose256.cs).</summary>
    Transpose256,
}

public static partial class KernelMath
{
    /// <summary>
    /// The one place that decides which layout the plain cross-entropy of a <paramref name="batch"/> x
    /// <paramref name="classes"/> matrix takes. Called with constants (a shape type's Batch and Classes, the ISA
    /// flags), the JIT folds it to the one path. The first row that matches wins:
    /// <list type="table">
    /// <listheader><term>condition</term><description>ISA · layout · why (times per call, forward / backward, BenchmarkDotNet,
    /// single thread, from the measurements that set this order; README, Performance, has the current ones)</description></listheader>
    /// <item><term>no AVX2 + FMA, or classes &gt; 16</term><description>any · <see cref="CrossEntropyPath.Rows"/> · a row
    /// is at least one vector, or there is no vector to put rows in; 256 x 1000: 75.9 / 92.9 µs (AVX-512); Zen 4, stop
    /// 13: 70-74 / 93-106 µs (AVX-512), 100 / 124 µs (AVX2); stop 14 (each long row's maximum read in the previous
    /// row's exp pass, KernelMath.SmallRows.cs): 63-64 / 86-87 µs (AVX-512), 99 / 125 µs (AVX2); stop 15 (the exp's table
    /// form with AVX-512, KernelMath.ExpTable.cs; the forward's sum without the exp's clamp): 54.9 / 79.7-82.4 µs
    /// (AVX-512).</description></item>
    /// <item><term>shape known (generic), batch &lt;= 4</term><description>AVX2 · <see cref="CrossEntropyPath.Quad256"/> ·
    /// one load per row, no gathers: 4 x 7 28 / 33 ns against 34 / 41 (Single512); AVX2 only 34 / 39 against 57 / 108 (the
    /// gather layout that Transpose256 replaced in stop 11); AVX2 29 / 32 since stop 13 (the softmax's exp in fewer steps);
    /// stop 16 (each group's loss sum returned as a float, not a vector through memory): 23.7 / 26.9 ns (AVX-512), 28.5 / 33.1 ns (AVX2).</description></item>
    /// <item><term>shape known, batch &lt;= 8, classes &lt;= 8, 16 to 32 elements</term><description>AVX-512 ·
    /// <see cref="CrossEntropyPath.Single512"/> · two loads and four permutes, no transpose.</description></item>
    /// <item><term>forward, or at least 16 elements</term><description>AVX-512 · <see cref="CrossEntropyPath.Group512"/> ·
    /// 32 x 10: 285 / 377 ns against 337 / 449 (Quad256); 272 / 341 ns since stop 12, compiled per shape for a shape type;
    /// 269 / 325 ns since stop 15 (the exp's table form).</description></item>
    /// <item><term>otherwise (AVX2 without AVX-512 and more than 4 rows; the non-generic path)</term><description>AVX2 ·
    /// <see cref="CrossEntropyPath.Transpose256"/> · 8 rows per 8 x 8 transpose, one exp per column actually used, no
    /// gathers: 32 x 10 AVX2 (Zen 4, AVX-512 off) forward 356 ns against 417 (the gather layout it replaced), backward
    /// 453 ns against 675 (Quad256); 305 / 379 ns since stop 12, compiled per shape for a shape type; 265 / 336 ns since stop 13
    /// (the softmax's exp in fewer steps, <see cref="ExpBelowMax(System.Runtime.Intrinsics.Vector256{float})"/>).</description></item>
    /// </list>
    /// One class (rows of one element) goes down this table as any other width: every layout leaves out the lanes past
    /// the row's classes and clips its loads and stores at the matrix's ends, so p = 1 and log p = 0 there too
    /// (WholeMatrixHelperTests runs 1 to 20 rows of one class, and the guard-page tests 1 to 9, 17 and 135, on every ISA).
    /// The non-generic helpers (<paramref name="shapeKnown"/> false: a project below C# 11, no static abstract
    /// interface members) cannot take the two layouts compiled per shape. "AVX2" rows also run on AVX-512 machines when
    /// an earlier row does not match; without AVX2 (DOTNET_EnableAVX2=0, ARM64) every shape is <see cref="CrossEntropyPath.Rows"/>.
    /// <para>The double kernels (<c>ElementType = typeof(double)</c>) have one choice, made in
    /// <see cref="RowTiles.Width{T}"/>: lanes = rows (<see cref="RowTiles"/>, Generic/RowTiles.cs: 8, 4 or 2 rows per
    /// group at 512, 256 or 128 bits, the widest whose lanes do not outnumber the rows) for 1 to 16 classes and at least
    /// 2 rows on any SIMD machine (x64 and ARM64 alike), else row by row (<see cref="RowCore"/>); a shape type's
    /// kernels take it with the batch and classes as constants (<see cref="RowTiles.CrossEntropy{TShape, TV, T}"/>).
    /// 4 x 7 double forward: 177 ns row by row, 114 ns lanes = rows (stop 10), 80 ns with each column read once and the
    /// softmax's exp (stop 12), 68 ns with the one group's loss returned from a register (stop 16), 60-62 ns with the
    /// table log, the Mean's power-of-two quotient and the exp's shorter join (stop 19), 55-60 ns with the one group
    /// compiled with constant offsets and the exp's polynomial of degree 11 (stop 20); naive loop 176-234 ns
    /// (BenchmarkDotNet, Zen 4, AVX-512). Backward 72-77 ns (stop 19) → 59-64 ns (stop 20). Until stop 21 about 1
    /// process in 15-30 ran the kernel 10-35% slower throughout: the stack tile was only 16-byte aligned and, for 7 of
    /// the 256 stack positions in a page, one of its 32-byte columns crossed a 4 KiB page; the tiles are 64-byte
    /// aligned since (<see cref="AlignedScratch"/>; README, History, stop 21).</para>
    /// </summary>
    /// <param name="batch">Rows of the matrix.</param>
    /// <param name="classes">Columns of the matrix.</param>
    /// <param name="backward">Whether the gradient is written too.</param>
    /// <param name="shapeKnown">Whether the call comes through a shape type (the generic helpers).</param>
    /// <returns>The layout.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static CrossEntropyPath SelectCrossEntropyPath(int batch, int classes, bool backward, bool shapeKnown)
    {
        if (!Avx2.IsSupported || !Fma.IsSupported || batch < 1 || classes < 1 || classes > TinyMaxClasses)
        {
            return CrossEntropyPath.Rows;
        }

        if (shapeKnown && batch <= 4)
        {
            return CrossEntropyPath.Quad256;
        }

        int length = batch * classes;
        if (shapeKnown && Avx512F.IsSupported && batch <= 8 && classes <= 8 && length >= 16 && length <= 32)
        {
            return CrossEntropyPath.Single512;
        }

        if (Avx512F.IsSupported && (!backward || length >= 16))
        {
            return CrossEntropyPath.Group512;
        }

        return CrossEntropyPath.Transpose256;
    }
}
