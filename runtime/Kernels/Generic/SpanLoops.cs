using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FixedShapeLoss;

/// <summary>The loop drivers of <see cref="KernelMath"/>'s public span helpers (<c>Max</c>, <c>Sum</c>, <c>Dot</c>,
/// <c>SumExp</c>, <c>ExpShifted</c>, <c>Exp</c>, <c>Subtract</c>, <c>Multiply</c>, <c>MultiplyAdd</c>), each written
/// once over <see cref="ISimdVector{TSelf, T}"/> and run at the widest hardware width the span fills. Unlike
/// <see cref="SimdLoops"/> they take the edge as one overlapping full vector ending at the span's end (in bounds: the
/// width is chosen so the span holds at least one vector), loaded before anything is stored (in place is safe);
/// reductions mask its lanes already counted. Reductions keep four accumulators, folded as
/// <c>(s0 + s1) + (s2 + s3)</c> then across lanes: the order every width used before this driver was generic, so
/// the helpers return the same bits as before. Spans shorter than a 128-bit vector (or no SIMD) run the scalar loop,
/// one element after the other.</summary>
internal static class SpanLoops
{
    /// <summary><c>sum_j f(x_j, y_j)</c> by <typeparamref name="TAcc"/>; also
    /// <c>destination_j = f(x_j, y_j)</c> when <typeparamref name="TStore"/> is <see cref="FlagSet"/> (<paramref name="destination"/> as long as <paramref name="x"/>, may be it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Reduce<T, TAcc, TStore>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination, T a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TAcc : struct, ISimdAccumulator
        where TStore : struct, ISimdFlag =>
        ReduceAtWidth<T, TAcc, TStore, FlagClear>(x, y, destination, a, default, out _);

    /// <summary>As <see cref="Reduce{T, TAcc, TStore}"/>, and in the same pass <c>max_j next_j</c> with the bits of
    /// <see cref="Max{T}"/>(<paramref name="next"/>): for a matrix taken row by row, the next row's maximum is read while
    /// this row's exps are computed (the exps bound the loop; the extra loads and maxima ride along) instead of in a
    /// pass of its own. <paramref name="next"/> is as long as <paramref name="x"/> and does not overlap
    /// <paramref name="destination"/> (it may be the row after it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ReduceThenMax<T, TAcc, TStore>(ReadOnlySpan<T> x, Span<T> destination, T a, ReadOnlySpan<T> next, out T nextMax)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TAcc : struct, ISimdAccumulator
        where TStore : struct, ISimdFlag =>
        ReduceAtWidth<T, TAcc, TStore, FlagSet>(x, default, destination, a, next, out nextMax);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ReduceAtWidth<T, TAcc, TStore, TNext>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination, T a, ReadOnlySpan<T> next, out T nextMax)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TAcc : struct, ISimdAccumulator
        where TStore : struct, ISimdFlag
        where TNext : struct, ISimdFlag
    {
        bool store = TStore.Value;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref TAcc.UsesY ? ref MemoryMarshal.GetReference(y) : ref xr;
        ref T dr = ref store ? ref MemoryMarshal.GetReference(destination) : ref xr;
        ref T nr = ref TNext.Value ? ref MemoryMarshal.GetReference(next) : ref xr;
        nuint n = (nuint)x.Length;
        if (Simd512<T>.IsHardwareAccelerated && n >= (nuint)Simd512<T>.Count)
        {
            return ReduceCore<Simd512<T>, T, TAcc, TStore, TNext>(ref xr, ref yr, ref dr, n, a, ref nr, out nextMax);
        }

        if (Simd256<T>.IsHardwareAccelerated && n >= (nuint)Simd256<T>.Count)
        {
            return ReduceCore<Simd256<T>, T, TAcc, TStore, TNext>(ref xr, ref yr, ref dr, n, a, ref nr, out nextMax);
        }

        if (Simd128<T>.IsHardwareAccelerated && n >= (nuint)Simd128<T>.Count)
        {
            return ReduceCore<Simd128<T>, T, TAcc, TStore, TNext>(ref xr, ref yr, ref dr, n, a, ref nr, out nextMax);
        }

        nextMax = TNext.Value ? Max(next) : default;
        var av = SimdScalar<T>.Create(a);
        var s = SimdScalar<T>.Create(T.Zero);
        for (nuint i = 0; i < n; i++)
        {
            s = TAcc.Accumulate<SimdScalar<T>, T>(s, new(Unsafe.Add(ref xr, i)), new(Unsafe.Add(ref yr, i)), av, out var v);
            if (store)
            {
                Unsafe.Add(ref dr, i) = v.V;
            }
        }

        return s.V;
    }

    /// <summary><c>destination_j = op(x_j, destination_j)</c> (the destination is read only by operators that use
    /// their second input); <paramref name="destination"/> as long as <paramref name="x"/>, may be it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Map<T, TOp>(ReadOnlySpan<T> x, Span<T> destination, T a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : struct, ISimdOperator
    {
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T dr = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)x.Length;
        if (Simd512<T>.IsHardwareAccelerated && n >= (nuint)Simd512<T>.Count)
        {
            MapCore<Simd512<T>, T, TOp>(ref xr, ref dr, n, a);
        }
        else if (Simd256<T>.IsHardwareAccelerated && n >= (nuint)Simd256<T>.Count)
        {
            MapCore<Simd256<T>, T, TOp>(ref xr, ref dr, n, a);
        }
        else if (Simd128<T>.IsHardwareAccelerated && n >= (nuint)Simd128<T>.Count)
        {
            MapCore<Simd128<T>, T, TOp>(ref xr, ref dr, n, a);
        }
        else
        {
            var av = SimdScalar<T>.Create(a);
            for (nuint i = 0; i < n; i++)
            {
                SimdScalar<T> d = TOp.UsesY ? new(Unsafe.Add(ref dr, i)) : default;
                Unsafe.Add(ref dr, i) = TOp.Invoke<SimdScalar<T>, T>(new(Unsafe.Add(ref xr, i)), d, av, av, av).V;
            }
        }
    }

    /// <summary><c>max_j x_j</c>: NaN when any element is NaN, -inf for an empty span.</summary>
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

        T m = T.NegativeInfinity;
        for (nuint i = 0; i < n; i++)
        {
            T v = Unsafe.Add(ref xr, i);
            if (T.IsNaN(v))
            {
                return v;
            }

            m = v > m ? v : m;
        }

        return m;
    }

    // With TNext set, also max_j next_j by MaxCore's steps exactly (the same accumulators, the same vectors into each,
    // the same NaN test and fold), so the maximum has MaxCore's bits.
    private static T ReduceCore<TV, T, TAcc, TStore, TNext>(ref T x, ref T y, ref T d, nuint n, T a, ref T next, out T nextMax)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TAcc : struct, ISimdAccumulator
        where TStore : struct, ISimdFlag
        where TNext : struct, ISimdFlag
    {
        bool store = TStore.Value; // a JIT-time constant: one compiled loop with stores, one without
        bool withNext = TNext.Value; // likewise
        nuint w = (nuint)TV.Count, last = n - w;
        TV tailX = TV.Load(ref Unsafe.Add(ref x, last)); // read before any store (in-place use)
        TV tailY = TAcc.UsesY ? TV.Load(ref Unsafe.Add(ref y, last)) : default;
        TV av = TV.Create(a);
        TV s0 = TV.Create(T.Zero), s1 = s0, s2 = s0, s3 = s0;
        TV m0 = withNext ? TV.Load(ref next) : default, m1 = m0, m2 = m0, m3 = m0, nan = s0;
        nuint i = 0;
        for (; i + 4 * w <= n; i += 4 * w)
        {
            s0 = TAcc.Accumulate<TV, T>(s0, TV.Load(ref Unsafe.Add(ref x, i)), LoadY<TV, T>(TAcc.UsesY, ref y, i), av, out TV v0);
            s1 = TAcc.Accumulate<TV, T>(s1, TV.Load(ref Unsafe.Add(ref x, i + w)), LoadY<TV, T>(TAcc.UsesY, ref y, i + w), av, out TV v1);
            s2 = TAcc.Accumulate<TV, T>(s2, TV.Load(ref Unsafe.Add(ref x, i + 2 * w)), LoadY<TV, T>(TAcc.UsesY, ref y, i + 2 * w), av, out TV v2);
            s3 = TAcc.Accumulate<TV, T>(s3, TV.Load(ref Unsafe.Add(ref x, i + 3 * w)), LoadY<TV, T>(TAcc.UsesY, ref y, i + 3 * w), av, out TV v3);
            if (store)
            {
                TV.Store(v0, ref Unsafe.Add(ref d, i));
                TV.Store(v1, ref Unsafe.Add(ref d, i + w));
                TV.Store(v2, ref Unsafe.Add(ref d, i + 2 * w));
                TV.Store(v3, ref Unsafe.Add(ref d, i + 3 * w));
            }

            if (withNext)
            {
                MaxStep(ref m0, ref m1, ref m2, ref m3, ref nan, ref Unsafe.Add(ref next, i), w);
            }
        }

        for (; i + w <= n; i += w)
        {
            s0 = TAcc.Accumulate<TV, T>(s0, TV.Load(ref Unsafe.Add(ref x, i)), LoadY<TV, T>(TAcc.UsesY, ref y, i), av, out TV v);
            if (store)
            {
                TV.Store(v, ref Unsafe.Add(ref d, i));
            }

            if (withNext)
            {
                MaxOne(ref m0, ref nan, ref Unsafe.Add(ref next, i));
            }
        }

        if (i != n)
        {
            // The overlapping last vector: only its lanes from i - last on are new.
            TV t = TAcc.Accumulate<TV, T>(s1, tailX, tailY, av, out TV v);
            if (store)
            {
                TV.Store(v, ref Unsafe.Add(ref d, last));
            }

            s1 = TV.BlendFrom(s1, t, (int)(i - last));
            if (withNext)
            {
                MaxOne(ref m1, ref nan, ref Unsafe.Add(ref next, last)); // overlapping: max is idempotent
            }
        }

        nextMax = withNext ? FoldMax<TV, T>(m0, m1, m2, m3, nan) : default;
        return TV.Sum(TV.Add(TV.Add(s0, s1), TV.Add(s2, s3)));
    }

    private static void MapCore<TV, T, TOp>(ref T x, ref T d, nuint n, T a)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TOp : struct, ISimdOperator
    {
        nuint w = (nuint)TV.Count, last = n - w;
        TV av = TV.Create(a);
        TV tail = default;
        if (n % w != 0)
        {
            // Computed before anything is stored, written last over the previous vector's end.
            tail = TOp.Invoke<TV, T>(TV.Load(ref Unsafe.Add(ref x, last)), LoadY<TV, T>(TOp.UsesY, ref d, last), av, av, av);
        }

        nuint i = 0;
        for (; i + 2 * w <= n; i += 2 * w)
        {
            TV v0 = TOp.Invoke<TV, T>(TV.Load(ref Unsafe.Add(ref x, i)), LoadY<TV, T>(TOp.UsesY, ref d, i), av, av, av);
            TV v1 = TOp.Invoke<TV, T>(TV.Load(ref Unsafe.Add(ref x, i + w)), LoadY<TV, T>(TOp.UsesY, ref d, i + w), av, av, av);
            TV.Store(v0, ref Unsafe.Add(ref d, i));
            TV.Store(v1, ref Unsafe.Add(ref d, i + w));
        }

        if (i + w <= n)
        {
            TV.Store(TOp.Invoke<TV, T>(TV.Load(ref Unsafe.Add(ref x, i)), LoadY<TV, T>(TOp.UsesY, ref d, i), av, av, av), ref Unsafe.Add(ref d, i));
            i += w;
        }

        if (i != n)
        {
            TV.Store(tail, ref Unsafe.Add(ref d, last));
        }
    }

    private static T MaxCore<TV, T>(ref T x, nuint n)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        nuint w = (nuint)TV.Count;
        TV m0 = TV.Load(ref x), m1 = m0, m2 = m0, m3 = m0;
        TV nan = TV.Create(T.Zero);
        nuint i = 0;
        for (; i + 4 * w <= n; i += 4 * w)
        {
            MaxStep(ref m0, ref m1, ref m2, ref m3, ref nan, ref Unsafe.Add(ref x, i), w);
        }

        for (; i + w <= n; i += w)
        {
            MaxOne(ref m0, ref nan, ref Unsafe.Add(ref x, i));
        }

        if (i != n)
        {
            MaxOne(ref m1, ref nan, ref Unsafe.Add(ref x, n - w)); // overlapping: max is idempotent
        }

        return FoldMax<TV, T>(m0, m1, m2, m3, nan);
    }

    /// <summary>One step of <see cref="MaxCore{TV, T}"/>'s four-vector loop: the four vectors at <paramref name="x"/>
    /// into the four maxima, and whether any is NaN into <paramref name="nan"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxStep<TV, T>(ref TV m0, ref TV m1, ref TV m2, ref TV m3, ref TV nan, ref T x, nuint w)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV v0 = TV.Load(ref x);
        TV v1 = TV.Load(ref Unsafe.Add(ref x, w));
        TV v2 = TV.Load(ref Unsafe.Add(ref x, 2 * w));
        TV v3 = TV.Load(ref Unsafe.Add(ref x, 3 * w));
        m0 = TV.Max(m0, v0);
        m1 = TV.Max(m1, v1);
        m2 = TV.Max(m2, v2);
        m3 = TV.Max(m3, v3);
        nan = TV.Or(nan, TV.Or(TV.Unordered(v0, v1), TV.Unordered(v2, v3)));
    }

    /// <summary>One vector of <see cref="MaxCore{TV, T}"/>'s single-vector steps: the vector at <paramref name="x"/> into
    /// <paramref name="m"/>, and whether it holds a NaN into <paramref name="nan"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxOne<TV, T>(ref TV m, ref TV nan, ref T x)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TV v = TV.Load(ref x);
        m = TV.Max(m, v);
        nan = TV.Or(nan, TV.Unordered(v, v));
    }

    /// <summary>The maximum of <see cref="MaxCore{TV, T}"/>'s four accumulators; NaN when a lane of <paramref name="nan"/> is set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T FoldMax<TV, T>(TV m0, TV m1, TV m2, TV m3, TV nan)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        TV.AnyNaN(nan) ? T.NaN : TV.MaxAcross(TV.Max(TV.Max(m0, m1), TV.Max(m2, m3))); // a set lane is all ones, a NaN pattern

    // The second input's vector at i where the operator reads it (usesY is a JIT-time constant).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV LoadY<TV, T>(bool usesY, ref T y, nuint i)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        usesY ? TV.Load(ref Unsafe.Add(ref y, i)) : default;
}

/// <summary>A compile-time flag for the loop drivers (each value compiles its own copy of the loop).</summary>
internal interface ISimdFlag
{
    /// <summary>The flag.</summary>
    static abstract bool Value { get; }
}

/// <summary>The flag set.</summary>
internal readonly struct FlagSet : ISimdFlag
{
    public static bool Value => true;
}

/// <summary>The flag clear.</summary>
internal readonly struct FlagClear : ISimdFlag
{
    public static bool Value => false;
}
