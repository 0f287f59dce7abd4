using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FixedShapeLoss;

/// <summary>
/// The loss family beside cross-entropy, for <c>float</c> and <c>double</c>: <c>torch.nn.NLLLoss</c>,
/// <c>torch.nn.BCEWithLogitsLoss</c> and <c>torch.nn.BCELoss</c> with PyTorch's CPU semantics. The members that
/// the FixedShapeLoss generator emits call these with their shape; they can also be called directly.
/// </summary>
/// <remarks>
/// Matrices are row-major spans of <c>batch × classes</c> elements (the batch is the length divided by
/// <c>classes</c>). Every method checks its spans first and writes nothing before the checks pass; no method
/// reads or writes outside the spans it is given or allocates. Every <c>...Backward</c> may run in place
/// (<c>gradient</c> the same memory as the input) and then returns the same loss and writes the same bits.
/// Sums are taken lane by lane with Kahan's compensation in blocks of at most 16 vectors whose lanes
/// are added in double with Neumaier's compensation, so the error does not grow with the batch.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static partial class LossFamily
{
    // The element-wise losses: one op struct each, driven by one loop over the flat matrix.
    private interface IElementLoss<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        /// <summary>The input value of the unused lanes of the last, partial vector.</summary>
        static abstract T Padding { get; }

        static abstract TV Loss<TV, TS>(TV x, TV y, TV p)
            where TV : struct
            where TS : IFamilyVector<TV, T>;

        static abstract TV LossAndGradient<TV, TS>(TV x, TV y, TV p, TV scale, out TV gradient)
            where TV : struct
            where TS : IFamilyVector<TV, T>;
    }

    // What the loop does with each vector of losses.
    private interface IDriveMode
    {
        static abstract bool StoresLoss { get; }

        static abstract bool StoresGradient { get; }
    }

    private readonly struct SumMode : IDriveMode
    {
        public static bool StoresLoss => false;

        public static bool StoresGradient => false;
    }

    private readonly struct ElementMode : IDriveMode
    {
        public static bool StoresLoss => true;

        public static bool StoresGradient => false;
    }

    private readonly struct GradientMode : IDriveMode
    {
        public static bool StoresLoss => false;

        public static bool StoresGradient => true;
    }

    /// <summary>Runs <typeparamref name="TOp"/> over the whole matrix (<paramref name="weight"/> empty: 1 everywhere)
    /// or, with one weight per class, row by row. Returns the sum of the losses (0 when they are stored).</summary>
    private static double Elementwise<T, TOp, TMode>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> weight, int classes, Span<T> destination, T scale)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : IElementLoss<T>
        where TMode : IDriveMode
    {
        if (weight.IsEmpty)
        {
            return Dispatch<T, TOp, TMode>(x, y, weight, destination, scale);
        }

        var total = default(CompensatedSum);
        for (int offset = 0; offset < x.Length; offset += classes)
        {
            Span<T> rowDestination = destination.IsEmpty ? default : destination.Slice(offset, classes);
            total.Add(Dispatch<T, TOp, TMode>(x.Slice(offset, classes), y.Slice(offset, classes), weight, rowDestination, scale));
        }

        return total.Value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Dispatch<T, TOp, TMode>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> weight, Span<T> destination, T scale)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : IElementLoss<T>
        where TMode : IDriveMode
    {
        if (Vector512.IsHardwareAccelerated && x.Length >= Vector512<T>.Count)
        {
            return Drive<T, Vector512<T>, FamilyVector512<T>, TOp, TMode>(x, y, weight, destination, scale);
        }

        if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<T>.Count)
        {
            return Drive<T, Vector256<T>, FamilyVector256<T>, TOp, TMode>(x, y, weight, destination, scale);
        }

        return Drive<T, Vector128<T>, FamilyVector128<T>, TOp, TMode>(x, y, weight, destination, scale);
    }

    /// <summary>The loop: whole vectors, then the last partial vector through stack buffers (the spans are never
    /// read or written past their ends). Every element is read before its own gradient is stored, so
    /// <paramref name="destination"/> may be <paramref name="x"/>. AggressiveOptimization: compiled once, fully
    /// optimized; with tiering this loop over inlined static abstract calls stayed in Tier0/OSR code about 10x slower.
    /// NoInlining: once its caller tiered up, the JIT inlined this loop into it and, its budget spent, called the
    /// loss's <c>Terms</c> out of line with the vectors through memory — 4.8x slower (BCEWithLogits 256 x 1000 in
    /// BenchmarkDotNet, 1,227 µs against 256 µs; perf showed <c>Terms</c> as its own frame).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double Drive<T, TV, TS, TOp, TMode>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> weight, Span<T> destination, T scale)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TV : struct
        where TS : IFamilyVector<TV, T>
        where TOp : IElementLoss<T>
        where TMode : IDriveMode
    {
        const int BlockVectors = 16; // vectors summed (compensated) in T before the block's lanes go into the double sum
        bool weighted = !weight.IsEmpty;
        nuint n = (nuint)x.Length;
        nuint count = (nuint)TS.Count;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        ref T wr = ref MemoryMarshal.GetReference(weight);
        ref T dr = ref MemoryMarshal.GetReference(destination);
        TV one = TS.Splat(T.One);
        TV scaleV = TS.Splat(scale);
        TV zero = TS.Splat(T.Zero);
        TV acc = zero, compensation = zero; // Kahan, lane by lane
        int inBlock = 0;
        var total = default(CompensatedSum);

        nuint i = 0;
        for (; i + count <= n; i += count)
        {
            TV xv = TS.Load(ref xr, i);
            TV yv = TS.Load(ref yr, i);
            TV wv = weighted ? TS.Load(ref wr, i) : one;
            TV loss;
            if (TMode.StoresGradient)
            {
                loss = TOp.LossAndGradient<TV, TS>(xv, yv, wv, scaleV, out TV gradient);
                TS.Store(gradient, ref dr, i);
            }
            else
            {
                loss = TOp.Loss<TV, TS>(xv, yv, wv);
            }

            if (TMode.StoresLoss)
            {
                TS.Store(loss, ref dr, i);
            }
            else
            {
                TV term = TS.Subtract(loss, compensation);
                TV next = TS.Add(acc, term);
                compensation = TS.Subtract(TS.Subtract(next, acc), term);
                acc = next;
                if (++inBlock == BlockVectors)
                {
                    AddBlock<T, TV, TS>(ref total, acc, compensation);
                    acc = compensation = zero;
                    inBlock = 0;
                }
            }
        }

        if (!TMode.StoresLoss)
        {
            AddBlock<T, TV, TS>(ref total, acc, compensation);
        }

        if (i < n)
        {
            Tail<T, TV, TS, TOp, TMode>(x, y, weight, destination, scale, (int)i, ref total);
        }

        return total.Value;
    }

    /// <summary>The last partial vector: copy in, pad (x = Padding, y = 0, weight = 1), compute as a whole vector, copy
    /// the live lanes out. Its own method, so the main loop keeps the JIT's inlining budget.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tail<T, TV, TS, TOp, TMode>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> weight, Span<T> destination, T scale, int i, ref CompensatedSum total)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TV : struct
        where TS : IFamilyVector<TV, T>
        where TOp : IElementLoss<T>
        where TMode : IDriveMode
    {
        bool weighted = !weight.IsEmpty;
        TV scaleV = TS.Splat(scale);
        int live = x.Length - i;
        // Four blocks of 16 in one 64-byte aligned stackalloc: no vector load or store below crosses a page (AlignedScratch).
        Span<T> blocks = AlignedScratch.Align(stackalloc T[64 + AlignedScratch.Padding<T>()]);
        Span<T> bx = blocks.Slice(0, 16);
        Span<T> by = blocks.Slice(16, 16);
        Span<T> bw = blocks.Slice(32, 16);
        Span<T> bd = blocks.Slice(48, 16);
        bx.Fill(TOp.Padding);
        by.Clear();
        bw.Fill(T.One);
        x.Slice(i).CopyTo(bx);
        y.Slice(i).CopyTo(by);
        if (weighted)
        {
            weight.Slice(i).CopyTo(bw);
        }

        ref T bdr = ref MemoryMarshal.GetReference(bd);
        TV xv = TS.Load(ref MemoryMarshal.GetReference(bx), 0);
        TV yv = TS.Load(ref MemoryMarshal.GetReference(by), 0);
        TV wv = TS.Load(ref MemoryMarshal.GetReference(bw), 0);
        TV loss;
        if (TMode.StoresGradient)
        {
            loss = TOp.LossAndGradient<TV, TS>(xv, yv, wv, scaleV, out TV gradient);
            TS.Store(gradient, ref bdr, 0);
            bd.Slice(0, live).CopyTo(destination.Slice(i));
        }
        else
        {
            loss = TOp.Loss<TV, TS>(xv, yv, wv);
        }

        TS.Store(loss, ref bdr, 0);
        if (TMode.StoresLoss)
        {
            bd.Slice(0, live).CopyTo(destination.Slice(i));
        }
        else
        {
            for (int j = 0; j < live; j++)
            {
                total.Add(double.CreateTruncating(bd[j]));
            }
        }
    }

    /// <summary>Adds a block's lanes and (when finite: an infinite loss makes it NaN) their compensation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddBlock<T, TV, TS>(ref CompensatedSum total, TV acc, TV compensation)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TV : struct
        where TS : IFamilyVector<TV, T>
    {
        total.Add(TS.SumWide(acc));
        double c = TS.SumWide(compensation);
        if (double.IsFinite(c))
        {
            total.Add(-c);
        }
    }

    /// <summary>The reduced loss from the sum of <paramref name="count"/> losses.</summary>
    private static T Reduce<T>(double sum, int count, LossReduction reduction)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        T.CreateTruncating(reduction == LossReduction.Mean ? sum / count : sum);

    /// <summary>The gradient's factor: 1 / N for Mean (in T, as PyTorch divides by numel), 1 for Sum.</summary>
    private static T GradientScale<T>(int count, LossReduction reduction)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        reduction == LossReduction.Mean ? T.One / T.CreateTruncating(count) : T.One;

    private static void CheckReduction(LossReduction reduction)
    {
        if (reduction is not (LossReduction.Mean or LossReduction.Sum))
        {
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "The reduction must be LossReduction.Mean or LossReduction.Sum.");
        }
    }

    /// <summary>Checks <paramref name="classes"/> &gt;= 1 and that a matrix of <paramref name="length"/> elements holds whole rows; returns the batch.</summary>
    private static int Rows(int length, int classes, string matrixName)
    {
        if (classes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "'classes' must be at least 1.");
        }

        if (length % classes != 0)
        {
            throw new ArgumentException($"'{matrixName}' must hold whole rows of {classes} classes, but its length is {length}.", matrixName);
        }

        return length / classes;
    }

    private static void CheckLength(int actual, int expected, string paramName)
    {
        if (actual != expected)
        {
            ThrowLength(actual, expected, paramName);
        }
    }

    private static void CheckOptional(int actual, int expected, string paramName)
    {
        if (actual != 0 && actual != expected)
        {
            throw new ArgumentException($"'{paramName}' must be empty or have length {expected} (one per class), but its length is {actual}.", paramName);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(int actual, int expected, string paramName) =>
        throw new ArgumentException($"'{paramName}' must have length {expected}, but its length is {actual}.", paramName);
}
