using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FixedShapeLoss;

/// <summary>The loop drivers of the generic core, each written once: a reduction (sum of an operator over one or
/// two spans), a map (operator into a destination, optionally summing what it stores) and the maximum. Each picks
/// the widest hardware vector that fits the span once, then runs full vectors (two accumulators) and at most one
/// partial vector through <see cref="ISimdVector{TSelf, T}.LoadPartial"/> / <see cref="ISimdVector{TSelf, T}.StorePartial"/>,
/// so nothing outside the spans is touched. A destination may be the same memory as an input (in place): each
/// element is read before it is written, in the same step.</summary>
internal static class SimdLoops
{
    /// <summary><c>sum_j op(x_j, y_j)</c>; <paramref name="y"/> is read only by operators that use it and must then be
    /// as long as <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Reduce<T, TOp>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, T a, T b = default, T c = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : struct, ISimdOperator
    {
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref TOp.UsesY ? ref MemoryMarshal.GetReference(y) : ref xr;
        nuint n = (nuint)x.Length;
        if (Simd512<T>.IsHardwareAccelerated && n >= (nuint)Simd512<T>.Count)
        {
            return ReduceCore<Simd512<T>, T, TOp>(ref xr, ref yr, n, a, b, c);
        }

        if (Simd256<T>.IsHardwareAccelerated && n >= (nuint)Simd256<T>.Count)
        {
            return ReduceCore<Simd256<T>, T, TOp>(ref xr, ref yr, n, a, b, c);
        }

        if (Simd128<T>.IsHardwareAccelerated && n >= (nuint)Simd128<T>.Count)
        {
            return ReduceCore<Simd128<T>, T, TOp>(ref xr, ref yr, n, a, b, c);
        }

        return ReduceCore<SimdScalar<T>, T, TOp>(ref xr, ref yr, n, a, b, c);
    }

    /// <summary><c>destination_j = op(x_j, y_j)</c>; returns <c>sum_j destination_j</c> when <paramref name="sum"/>
    /// (else 0). <paramref name="destination"/> is as long as <paramref name="x"/> and may be <paramref name="x"/>
    /// or <paramref name="y"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Map<T, TOp>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination, bool sum, T a, T b = default, T c = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : struct, ISimdOperator
    {
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref TOp.UsesY ? ref MemoryMarshal.GetReference(y) : ref xr;
        ref T dr = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)x.Length;
        if (Simd512<T>.IsHardwareAccelerated && n >= (nuint)Simd512<T>.Count)
        {
            return MapCore<Simd512<T>, T, TOp>(ref xr, ref yr, ref dr, n, sum, a, b, c);
        }

        if (Simd256<T>.IsHardwareAccelerated && n >= (nuint)Simd256<T>.Count)
        {
            return MapCore<Simd256<T>, T, TOp>(ref xr, ref yr, ref dr, n, sum, a, b, c);
        }

        if (Simd128<T>.IsHardwareAccelerated && n >= (nuint)Simd128<T>.Count)
        {
            return MapCore<Simd128<T>, T, TOp>(ref xr, ref yr, ref dr, n, sum, a, b, c);
        }

        return MapCore<SimdScalar<T>, T, TOp>(ref xr, ref yr, ref dr, n, sum, a, b, c);
    }

    /// <summary><c>max_j x_j</c> (-inf for an empty span; NaN elements are not seen: callers' sums carry them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Max<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ref T xr = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length;
        if (Simd512<T>.IsHardwareAccelerated && n >= (nuint)Simd512<T>.Count)
        {
            return MaxCore<Simd512<T>, T>(ref xr, n);
        }

        if (Simd256<T>.IsHardwareAccelerated && n >= (nuint)Simd256<T>.Count)
        {
            return MaxCore<Simd256<T>, T>(ref xr, n);
        }

        if (Simd128<T>.IsHardwareAccelerated && n >= (nuint)Simd128<T>.Count)
        {
            return MaxCore<Simd128<T>, T>(ref xr, n);
        }

        return MaxCore<SimdScalar<T>, T>(ref xr, n);
    }

    private static T ReduceCore<TV, T, TOp>(ref T x, ref T y, nuint n, T a, T b, T c)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : struct, ISimdOperator
    {
        TV av = TV.Create(a), bv = TV.Create(b), cv = TV.Create(c);
        TV acc0 = TV.Create(T.Zero), acc1 = acc0;
        nuint w = (nuint)TV.Count, i = 0;
        for (; i + 2 * w <= n; i += 2 * w)
        {
            acc0 = TV.Add(acc0, TOp.Invoke<TV, T>(TV.Load(ref Unsafe.Add(ref x, i)), LoadY<TV, T, TOp>(ref y, i), av, bv, cv));
            acc1 = TV.Add(acc1, TOp.Invoke<TV, T>(TV.Load(ref Unsafe.Add(ref x, i + w)), LoadY<TV, T, TOp>(ref y, i + w), av, bv, cv));
        }

        if (i + w <= n)
        {
            acc0 = TV.Add(acc0, TOp.Invoke<TV, T>(TV.Load(ref Unsafe.Add(ref x, i)), LoadY<TV, T, TOp>(ref y, i), av, bv, cv));
            i += w;
        }

        if (i < n)
        {
            int k = (int)(n - i);
            TV yv = TOp.UsesY ? TV.LoadPartial(ref Unsafe.Add(ref y, i), k, T.Zero) : default;
            TV v = TOp.Invoke<TV, T>(TV.LoadPartial(ref Unsafe.Add(ref x, i), k, T.Zero), yv, av, bv, cv);
            acc1 = TV.Add(acc1, TV.KeepLanesBelow(v, k));
        }

        return TV.Sum(TV.Add(acc0, acc1));
    }

    private static T MapCore<TV, T, TOp>(ref T x, ref T y, ref T d, nuint n, bool sum, T a, T b, T c)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : struct, ISimdOperator
    {
        TV av = TV.Create(a), bv = TV.Create(b), cv = TV.Create(c);
        TV acc = TV.Create(T.Zero);
        nuint w = (nuint)TV.Count, i = 0;
        for (; i + w <= n; i += w)
        {
            TV v = TOp.Invoke<TV, T>(TV.Load(ref Unsafe.Add(ref x, i)), LoadY<TV, T, TOp>(ref y, i), av, bv, cv);
            TV.Store(v, ref Unsafe.Add(ref d, i));
            if (sum)
            {
                acc = TV.Add(acc, v);
            }
        }

        if (i < n)
        {
            int k = (int)(n - i);
            TV yv = TOp.UsesY ? TV.LoadPartial(ref Unsafe.Add(ref y, i), k, T.Zero) : default;
            TV v = TOp.Invoke<TV, T>(TV.LoadPartial(ref Unsafe.Add(ref x, i), k, T.Zero), yv, av, bv, cv);
            TV.StorePartial(v, ref Unsafe.Add(ref d, i), k);
            if (sum)
            {
                acc = TV.Add(acc, TV.KeepLanesBelow(v, k));
            }
        }

        return sum ? TV.Sum(acc) : T.Zero;
    }

    private static T MaxCore<TV, T>(ref T x, nuint n)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV m0 = TV.Create(T.NegativeInfinity), m1 = m0;
        nuint w = (nuint)TV.Count, i = 0;
        for (; i + 2 * w <= n; i += 2 * w)
        {
            m0 = TV.Max(TV.Load(ref Unsafe.Add(ref x, i)), m0);
            m1 = TV.Max(TV.Load(ref Unsafe.Add(ref x, i + w)), m1);
        }

        if (i + w <= n)
        {
            m0 = TV.Max(TV.Load(ref Unsafe.Add(ref x, i)), m0);
            i += w;
        }

        if (i < n)
        {
            m1 = TV.Max(TV.LoadPartial(ref Unsafe.Add(ref x, i), (int)(n - i), T.NegativeInfinity), m1);
        }

        return TV.MaxAcross(TV.Max(m0, m1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV LoadY<TV, T, TOp>(ref T y, nuint i)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : struct, ISimdOperator =>
        TOp.UsesY ? TV.Load(ref Unsafe.Add(ref y, i)) : default;
}
