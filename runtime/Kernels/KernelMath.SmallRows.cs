using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

// Whole-row operations on one row of a row-major matrix. Generated code passes the row's offset and the
// class count as constants; after inlining, the JIT folds the width choice below, so a row of up to 8
// classes is one 256-bit vector and a row of up to 16 one 512-bit vector, kept in registers from the
// load to the store (max, exp, sum, scale). Wider rows, narrower machines and matrices shorter than a
// vector take the span helpers. Lanes outside the row are masked to -inf for the max
// and to 0 after the exp, so they contribute nothing to any maximum or sum.
public static partial class KernelMath
{
    /// <summary>The log-sum-exp pieces of one row: returns <c>log sum_j exp(x_j - max)</c> and the row maximum.</summary>
    /// <param name="matrix">The whole row-major matrix.</param>
    /// <param name="offset">Index of the row's first element.</param>
    /// <param name="count">Elements in the row (the class count).</param>
    /// <param name="max">Receives <c>max_j x_j</c>.</param>
    /// <returns><c>log sum_j exp(x_j - max)</c>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RowLogSumExp(ReadOnlySpan<float> matrix, int offset, int count, out float max)
    {
        if (count <= Vector256<float>.Count && Vector256.IsHardwareAccelerated && matrix.Length >= Vector256<float>.Count)
        {
            var x = LoadRow256(matrix, offset, count, out var mask, out _);
            max = HorizontalMax(x);
            return Log(Vector256.Sum(MaskedExp(x - Vector256.Create(max), mask)));
        }

        if (count <= Vector512<float>.Count && Vector512.IsHardwareAccelerated && matrix.Length >= Vector512<float>.Count)
        {
            var x = LoadRow512(matrix, offset, count, out var mask, out _);
            max = HorizontalMax(x);
            return Log(Vector512.Sum(MaskedExp(x - Vector512.Create(max), mask)));
        }

        var row = matrix.Slice(offset, count);
        max = Max(row);
        return MathF.Log(SumExp(row, max));
    }

    /// <summary>Writes <c>factor * softmax(row)</c> into the same row of <paramref name="destination"/>:
    /// <c>destination[offset + j] = factor * exp(x_j - max) / s</c>; returns <c>log s</c> and the maximum.</summary>
    /// <param name="matrix">The whole row-major matrix.</param>
    /// <param name="offset">Index of the row's first element.</param>
    /// <param name="count">Elements in the row.</param>
    /// <param name="factor">Multiplies every probability (1 for a plain softmax).</param>
    /// <param name="destination">A matrix as long as <paramref name="matrix"/> (it may be <paramref name="matrix"/>
    /// itself); only this row's elements change.</param>
    /// <param name="max">Receives <c>max_j x_j</c>.</param>
    /// <returns><c>log s</c>, <c>s = sum_j exp(x_j - max)</c>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RowSoftmax(ReadOnlySpan<float> matrix, int offset, int count, float factor, Span<float> destination, out float max)
    {
        if (count <= Vector256<float>.Count && Vector256.IsHardwareAccelerated && matrix.Length >= Vector256<float>.Count && destination.Length == matrix.Length)
        {
            var x = LoadRow256(matrix, offset, count, out var mask, out int start);
            max = HorizontalMax(x);
            var e = MaskedExp(x - Vector256.Create(max), mask);
            float sum = Vector256.Sum(e);
            StoreRow256(destination, start, mask, e * Vector256.Create(factor / sum));
            return Log(sum);
        }

        if (count <= Vector512<float>.Count && Vector512.IsHardwareAccelerated && matrix.Length >= Vector512<float>.Count && destination.Length == matrix.Length)
        {
            var x = LoadRow512(matrix, offset, count, out var mask, out int start);
            max = HorizontalMax(x);
            var e = MaskedExp(x - Vector512.Create(max), mask);
            float sum = Vector512.Sum(e);
            StoreRow512(destination, start, mask, e * Vector512.Create(factor / sum));
            return Log(sum);
        }

        var row = matrix.Slice(offset, count);
        var target = destination.Slice(offset, count);
        max = Max(row);
        float s = ExpShifted(row, max, target);
        Multiply(target, factor / s, target);
        return MathF.Log(s);
    }

    /// <summary>Writes the row's log-softmax into the same row of <paramref name="destination"/>:
    /// <c>destination[offset + j] = (x_j - max) - log sum_k exp(x_k - max)</c>.</summary>
    /// <param name="matrix">The whole row-major matrix.</param>
    /// <param name="offset">Index of the row's first element.</param>
    /// <param name="count">Elements in the row.</param>
    /// <param name="destination">A matrix as long as <paramref name="matrix"/>, written as in <see cref="RowSoftmax"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RowLogSoftmax(ReadOnlySpan<float> matrix, int offset, int count, Span<float> destination)
    {
        if (count <= Vector256<float>.Count && Vector256.IsHardwareAccelerated && matrix.Length >= Vector256<float>.Count && destination.Length == matrix.Length)
        {
            var x = LoadRow256(matrix, offset, count, out var mask, out int start);
            var shifted = x - Vector256.Create(HorizontalMax(x));
            float logSum = Log(Vector256.Sum(MaskedExp(shifted, mask)));
            StoreRow256(destination, start, mask, shifted - Vector256.Create(logSum));
            return;
        }

        if (count <= Vector512<float>.Count && Vector512.IsHardwareAccelerated && matrix.Length >= Vector512<float>.Count && destination.Length == matrix.Length)
        {
            var x = LoadRow512(matrix, offset, count, out var mask, out int start);
            var shifted = x - Vector512.Create(HorizontalMax(x));
            float logSum = Log(Vector512.Sum(MaskedExp(shifted, mask)));
            StoreRow512(destination, start, mask, shifted - Vector512.Create(logSum));
            return;
        }

        var row = matrix.Slice(offset, count);
        var target = destination.Slice(offset, count);
        float m = Max(row);
        float ls = MathF.Log(SumExp(row, m));
        Subtract(row, m, target);
        Subtract(target, ls, target);
    }

    // ---- loading and storing a row shorter than a vector ------------------------------------------

    private static readonly Vector256<int> Lanes256 = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
    private static readonly Vector512<int> Lanes512 = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    /// <summary>The row as one vector, lanes outside it set to -inf. The vector starts at the row when a
    /// whole vector fits before the end of the matrix, else it ends at the matrix's end (<paramref name="start"/>
    /// says where); <paramref name="mask"/> marks the row's lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> LoadRow256(ReadOnlySpan<float> matrix, int offset, int count, out Vector256<float> mask, out int start)
    {
        ref float m = ref MemoryMarshal.GetReference(matrix);
        if (offset + Vector256<float>.Count <= matrix.Length)
        {
            start = offset;
            mask = Vector256.LessThan(Lanes256, Vector256.Create(count)).AsSingle();
        }
        else
        {
            start = offset + count - Vector256<float>.Count;
            mask = Vector256.GreaterThanOrEqual(Lanes256, Vector256.Create(Vector256<float>.Count - count)).AsSingle();
        }

        var v = Vector256.LoadUnsafe(ref m, (nuint)start);
        return Vector256.ConditionalSelect(mask, v, Vector256.Create(float.NegativeInfinity));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> LoadRow512(ReadOnlySpan<float> matrix, int offset, int count, out Vector512<float> mask, out int start)
    {
        ref float m = ref MemoryMarshal.GetReference(matrix);
        if (offset + Vector512<float>.Count <= matrix.Length)
        {
            start = offset;
            mask = Vector512.LessThan(Lanes512, Vector512.Create(count)).AsSingle();
        }
        else
        {
            start = offset + count - Vector512<float>.Count;
            mask = Vector512.GreaterThanOrEqual(Lanes512, Vector512.Create(Vector512<float>.Count - count)).AsSingle();
        }

        var v = Vector512.LoadUnsafe(ref m, (nuint)start);
        return Vector512.ConditionalSelect(mask, v, Vector512.Create(float.NegativeInfinity));
    }

    /// <summary>Stores the row's lanes only: the other lanes of the vector (the neighbouring rows) are
    /// written back as they were read, so a destination that is also the input stays intact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow256(Span<float> destination, int start, Vector256<float> mask, Vector256<float> value)
    {
        ref float d = ref MemoryMarshal.GetReference(destination);
        value = Vector256.ConditionalSelect(mask, value, Vector256.LoadUnsafe(ref d, (nuint)start));
        value.StoreUnsafe(ref d, (nuint)start);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow512(Span<float> destination, int start, Vector512<float> mask, Vector512<float> value)
    {
        ref float d = ref MemoryMarshal.GetReference(destination);
        value = Vector512.ConditionalSelect(mask, value, Vector512.LoadUnsafe(ref d, (nuint)start));
        value.StoreUnsafe(ref d, (nuint)start);
    }

    /// <summary>exp of the row's lanes and 0 elsewhere. The other lanes enter the exp as 0, not as -inf:
    /// exp(-inf) goes through subnormal intermediates, and a subnormal result costs a microcode assist of
    /// about a hundred cycles on x86.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MaskedExp(Vector256<float> shifted, Vector256<float> mask) =>
        Exp(shifted & mask) & mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> MaskedExp(Vector512<float> shifted, Vector512<float> mask) =>
        Exp(shifted & mask) & mask;

    /// <summary>The largest lane. On x86 this is maxps, which is not NaN-propagating: a NaN in the row can be
    /// skipped here, but it still reaches the exp and the sum, so every result of the row is NaN anyway.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalMax(Vector256<float> v)
    {
        var m = Max128(v.GetLower(), v.GetUpper());
        m = Max128(m, Vector128.Shuffle(m, Vector128.Create(2, 3, 0, 1)));
        m = Max128(m, Vector128.Shuffle(m, Vector128.Create(1, 0, 3, 2)));
        return m.ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Max128(Vector128<float> a, Vector128<float> b) =>
        Sse.IsSupported ? Sse.Max(a, b) : Vector128.Max(a, b);

    /// <summary>Natural log of a row sum: Cephes' single-precision log (within about 1 ulp) inlined where
    /// fused multiply-add is in hardware, for positive normal inputs; MathF.Log for everything else.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Log(float x) =>
        (Fma.IsSupported || AdvSimd.IsSupported) && x >= 1.17549435E-38f && x <= float.MaxValue
            ? BoxMuller.Log(x)
            : MathF.Log(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HorizontalMax(Vector512<float> v) => HorizontalMax(Vector256.Max(v.GetLower(), v.GetUpper()));
}
