using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

/// <summary>
/// Input checks for the code that the FixedShapeLoss generator emits: clear exceptions that name the
/// argument, the expected length or range, and the offending row. Not meant to be called directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class KernelGuard
{
    /// <summary>Throws the <see cref="ArgumentException"/> for a span of the wrong length.</summary>
    /// <param name="paramName">The parameter that has the wrong length.</param>
    /// <param name="actual">The length it has.</param>
    /// <param name="kind">What the span holds, which says the length it must have.</param>
    /// <param name="batch">The kernel's Batch.</param>
    /// <param name="classes">The kernel's Classes.</param>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowLength(string paramName, int actual, KernelSpanKind kind, int batch, int classes)
    {
        (int expected, string meaning) = kind switch
        {
            KernelSpanKind.Matrix => (batch * classes, $"Batch × Classes = {batch} × {classes}, the whole matrix"),
            KernelSpanKind.PerRow => (batch, $"Batch = {batch}, one per row"),
            _ => (classes, $"Classes = {classes}, one per class"),
        };
        throw new ArgumentException(
            $"'{paramName}' must have length {expected} ({meaning}), but its length is {actual}.", paramName);
    }

    /// <summary>Checks that every target is in [0, <paramref name="classes"/>) or equals
    /// <paramref name="ignoreIndex"/>, and returns how many targets are not ignored.</summary>
    /// <param name="targets">One class index per row.</param>
    /// <param name="classes">The number of classes.</param>
    /// <param name="ignoreIndex">The target value that is skipped.</param>
    /// <param name="paramName">The parameter name for the exception.</param>
    /// <returns>The number of targets that are not <paramref name="ignoreIndex"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A target is out of range; the message names the row.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe int Targets(ReadOnlySpan<int> targets, int classes, int ignoreIndex, string paramName)
    {
        if (Avx2.IsSupported && targets.Length > 0 && targets.Length <= Vector256<int>.Count)
        {
            // Up to 8 targets: one masked load and compares; the loop below only runs to throw for a bad one.
            var live = Vector256.LessThan(s_lanes, Vector256.Create(targets.Length));
            Vector256<int> v;
            fixed (int* p = &MemoryMarshal.GetReference(targets))
            {
                v = Avx2.MaskLoad(p, live);
            }

            var counted = live & ~Vector256.Equals(v, Vector256.Create(ignoreIndex));
            var inRange = Vector256.LessThan(v.AsUInt32(), Vector256.Create((uint)classes)).AsInt32();
            if ((counted & ~inRange) == Vector256<int>.Zero)
            {
                return BitOperations.PopCount(counted.ExtractMostSignificantBits());
            }
        }

        return TargetsLoop(targets, classes, ignoreIndex, paramName);
    }

    private static int TargetsLoop(ReadOnlySpan<int> targets, int classes, int ignoreIndex, string paramName)
    {
        int kept = 0;
        for (int i = 0; i < targets.Length; i++)
        {
            int t = targets[i];
            if (t == ignoreIndex)
            {
                continue; // may lie inside [0, classes): that class is then never counted
            }

            if ((uint)t >= (uint)classes)
            {
                ThrowTarget(paramName, i, t, classes, ignoreIndex);
            }

            kept++;
        }

        return kept;
    }

    /// <summary>Checks that every label is in [0, <paramref name="classes"/>).</summary>
    /// <param name="labels">One class index per row.</param>
    /// <param name="classes">The number of classes.</param>
    /// <param name="paramName">The parameter name for the exception.</param>
    /// <exception cref="ArgumentOutOfRangeException">A label is out of range; the message names the row.</exception>
    public static void Labels(ReadOnlySpan<int> labels, int classes, string paramName)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                ThrowLabel(paramName, i, labels[i], classes);
            }
        }
    }

    /// <summary>The sum of <c>weight[targets[i]]</c> over the targets that are not <paramref name="ignoreIndex"/>
    /// (the denominator of torch's weighted mean). Targets must already be checked.</summary>
    /// <param name="targets">One class index per row.</param>
    /// <param name="weight">One weight per class.</param>
    /// <param name="ignoreIndex">The target value that is skipped.</param>
    /// <returns>The summed weights.</returns>
    public static float TargetWeightSum(ReadOnlySpan<int> targets, ReadOnlySpan<float> weight, int ignoreIndex)
    {
        // float weights summed in double: exact up to 2^29 terms of one binade, rounded once to float at the end.
        double sum = 0d;
        for (int i = 0; i < targets.Length; i++)
        {
            int t = targets[i];
            if (t != ignoreIndex)
            {
                sum += weight[t];
            }
        }

        return (float)sum;
    }

    /// <inheritdoc cref="TargetWeightSum(ReadOnlySpan{int}, ReadOnlySpan{float}, int)"/>
    public static double TargetWeightSum(ReadOnlySpan<int> targets, ReadOnlySpan<double> weight, int ignoreIndex)
    {
        var sum = default(CompensatedSum);
        for (int i = 0; i < targets.Length; i++)
        {
            int t = targets[i];
            if (t != ignoreIndex)
            {
                sum.Add(weight[t]);
            }
        }

        return sum.Value;
    }

    /// <summary>The column of the single 1 in a one-hot row.</summary>
    /// <param name="row">One row of a one-hot matrix.</param>
    /// <param name="rowIndex">Its row number, for the exception message.</param>
    /// <param name="paramName">The parameter name for the exception.</param>
    /// <returns>The column that holds 1.</returns>
    /// <exception cref="ArgumentException">The row is not one 1 and zeros elsewhere.</exception>
    public static int OneHotIndex(ReadOnlySpan<float> row, int rowIndex, string paramName) => OneHotIndex<float>(row, rowIndex, paramName);

    /// <inheritdoc cref="OneHotIndex(ReadOnlySpan{float}, int, string)"/>
    public static int OneHotIndex(ReadOnlySpan<double> row, int rowIndex, string paramName) => OneHotIndex<double>(row, rowIndex, paramName);

    private static int OneHotIndex<T>(ReadOnlySpan<T> row, int rowIndex, string paramName)
        where T : IBinaryFloatingPointIeee754<T>
    {
        int found = -1;
        for (int j = 0; j < row.Length; j++)
        {
            T v = row[j];
            if (v == T.One && found < 0)
            {
                found = j;
            }
            else if (v != T.Zero)
            {
                ThrowNotOneHot(paramName, rowIndex, j, v.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (found < 0)
        {
            throw new ArgumentException($"Row {rowIndex} of '{paramName}' is not one-hot: it holds no 1.", paramName);
        }

        return found;
    }

    private static readonly Vector256<int> s_lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTarget(string paramName, int row, int value, int classes, int ignoreIndex) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            value,
            $"Target {value} is out of bounds: {paramName}[{row}] must be in [0, {classes}) or equal IgnoreIndex ({ignoreIndex}).");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLabel(string paramName, int row, int value, int classes) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            value,
            $"Label {value} is out of bounds: {paramName}[{row}] must be in [0, {classes}).");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotOneHot(string paramName, int row, int column, string value) =>
        throw new ArgumentException(
            $"Row {row} of '{paramName}' is not one-hot: column {column} holds {value}; every row needs one 1 and zeros elsewhere.",
            paramName);
}
