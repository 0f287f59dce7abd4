using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

// The one pair of loads and stores every SIMD path uses for a vector that may reach past the end of a span (a row at
// the matrix's end, the last columns of a row): lane k is element offset + k while offset + k < end, and nothing at or
// past end is read or written. A whole-vector access where it fits; else a masked load (vmaskmovps: masked-out lanes
// neither fault nor touch memory; cheap on Intel and AMD alike) and a store of the vector's first lanes in 4-, 2- and
// 1-lane parts (a masked store is microcoded on AMD); else element by element. No path moves a window back so that it ends at the span's
// end (that reads before a span shorter than the window, or before the row), and no store writes lanes back as they
// were read (that loses a write another thread makes meanwhile): a kernel touches only the spans it is given.
public static partial class KernelMath
{
    private static readonly Vector256<int> s_lanes256 = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
    private static readonly Vector512<int> s_lanes512 = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    /// <summary>Elements [offset, min(offset + 8, end)) of <paramref name="x"/> in lanes 0.., 0 in the other lanes;
    /// reads nothing at or past <paramref name="end"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> LoadClipped256(float* x, int end, int offset)
    {
        Debug.Assert(offset >= 0 && offset < end);
        int n = end - offset;
        if (n >= Vector256<float>.Count)
        {
            return Vector256.Load(x + offset);
        }

        if (Avx.IsSupported)
        {
            return Avx.MaskLoad(x + offset, Vector256.LessThan(s_lanes256, Vector256.Create(n)).AsSingle());
        }

        var v = Vector256<float>.Zero;
        for (int k = 0; k < n; k++)
        {
            v = v.WithElement(k, x[offset + k]);
        }

        return v;
    }

    /// <summary>Stores lanes 0.. of <paramref name="value"/> at <paramref name="offset"/>, only those that land before
    /// <paramref name="end"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreClipped256(float* d, int end, int offset, Vector256<float> value)
    {
        Debug.Assert(offset >= 0 && offset < end);
        int n = end - offset;
        if (n >= Vector256<float>.Count)
        {
            value.Store(d + offset);
        }
        else if (Sse.IsSupported)
        {
            StoreFirstLanes(d + offset, value, n);
        }
        else
        {
            for (int k = 0; k < n; k++)
            {
                d[offset + k] = value.GetElement(k);
            }
        }
    }

    /// <summary>Lanes 0..n-1 (0 &lt; n &lt; 8) of <paramref name="value"/> to <paramref name="d"/>, as a 4-, a 2- and a
    /// 1-lane store where n has those bits: plain stores of parts of the vector instead of one masked store
    /// (vmaskmovps to memory is microcoded on AMD Zen 2 to Zen 4, several times the cost of these few stores; on Intel
    /// the two cost about the same). The shape is a constant in the per-shape paths, so the branches fold away.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreFirstLanes(float* d, Vector256<float> value, int n)
    {
        Debug.Assert(n > 0 && n < Vector256<float>.Count);
        Vector128<float> part = value.GetLower();
        if (n >= 4)
        {
            part.Store(d);
            part = value.GetUpper();
            d += 4;
        }

        if ((n & 2) != 0)
        {
            Sse.StoreLow(d, part);
            part = Sse.MoveHighToLow(part, part);
            d += 2;
        }

        if ((n & 1) != 0)
        {
            Sse.StoreScalar(d, part);
        }
    }

    /// <summary><see cref="LoadClipped256(float*, int, int)"/> for 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> LoadClipped512(float* x, int end, int offset)
    {
        if (offset + Vector512<float>.Count <= end)
        {
            return Vector512.Load(x + offset);
        }

        var low = LoadClipped256(x, end, offset);
        var high = offset + Vector256<float>.Count < end ? LoadClipped256(x, end, offset + Vector256<float>.Count) : Vector256<float>.Zero;
        return Vector512.Create(low, high);
    }

    /// <summary><see cref="StoreClipped256(float*, int, int, Vector256{float})"/> for 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreClipped512(float* d, int end, int offset, Vector512<float> value)
    {
        if (offset + Vector512<float>.Count <= end)
        {
            value.Store(d + offset);
            return;
        }

        StoreClipped256(d, end, offset, value.GetLower());
        if (offset + Vector256<float>.Count < end)
        {
            StoreClipped256(d, end, offset + Vector256<float>.Count, value.GetUpper());
        }
    }

    /// <summary>Row [offset, offset + count) of <paramref name="matrix"/> in lanes 0..count-1, -inf in the others,
    /// and <paramref name="mask"/>: the row's lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> LoadRow256(ReadOnlySpan<float> matrix, int offset, int count, out Vector256<float> mask)
    {
        mask = Vector256.LessThan(s_lanes256, Vector256.Create(count)).AsSingle();
        fixed (float* x = &MemoryMarshal.GetReference(matrix))
        {
            return Vector256.ConditionalSelect(mask, LoadClipped256(x, matrix.Length, offset), Vector256.Create(float.NegativeInfinity));
        }
    }

    /// <summary><see cref="LoadRow256"/> for rows of up to 16 elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> LoadRow512(ReadOnlySpan<float> matrix, int offset, int count, out Vector512<float> mask)
    {
        mask = Vector512.LessThan(s_lanes512, Vector512.Create(count)).AsSingle();
        fixed (float* x = &MemoryMarshal.GetReference(matrix))
        {
            return Vector512.ConditionalSelect(mask, LoadClipped512(x, matrix.Length, offset), Vector512.Create(float.NegativeInfinity));
        }
    }

    /// <summary>Stores lanes 0..count-1 of <paramref name="value"/> as row [offset, offset + count) of
    /// <paramref name="destination"/>; nothing else is written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow256(Span<float> destination, int offset, int count, Vector256<float> value)
    {
        Debug.Assert(offset + count <= destination.Length);
        fixed (float* d = &MemoryMarshal.GetReference(destination))
        {
            StoreClipped256(d, offset + count, offset, value);
        }
    }

    /// <summary><see cref="StoreRow256"/> for rows of up to 16 elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow512(Span<float> destination, int offset, int count, Vector512<float> value)
    {
        Debug.Assert(offset + count <= destination.Length);
        fixed (float* d = &MemoryMarshal.GetReference(destination))
        {
            StoreClipped512(d, offset + count, offset, value);
        }
    }
}
