using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

/// <summary>A <c>Vector512&lt;T&gt;</c> as an <see cref="ISimdVector{TSelf, T}"/>.</summary>
/// <typeparam name="T">float or double.</typeparam>
internal readonly struct Simd512<T> : ISimdVector<Simd512<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The register.</summary>
    public readonly Vector512<T> V;

    /// <summary>Wraps <paramref name="v"/>.</summary>
    public Simd512(Vector512<T> v) => V = v;

    // Lane k holds k, as T: lanes below a count compare less than it.
    private static readonly Vector512<T> s_laneIndex = SimdPartial.LaneIndex<Simd512<T>, T>().V;

    public static int Count => Vector512<T>.Count;

    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Create(T value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Load(ref T source) => new(Vector512.LoadUnsafe(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> LoadColumn(ref T source, int stride) =>
        new(Vector512.Create(Simd256<T>.LoadColumn(ref source, stride).V, Simd256<T>.LoadColumn(ref Unsafe.Add(ref source, Vector256<T>.Count * stride), stride).V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Simd512<T> LoadPartial(ref T source, int count, T fill)
    {
        Vector512<T> keep = Vector512.LessThan(s_laneIndex, Vector512.Create(T.CreateTruncating(count)));
        if (Avx.IsSupported)
        {
            // vmaskmovps/pd: lanes outside the mask are not accessed, so they cannot fault.
            fixed (T* p = &source)
            {
                return new(Vector512.ConditionalSelect(keep, Vector512.Create(Simd256<T>.MaskLoad(p, keep.GetLower()), Simd256<T>.MaskLoad(p + Vector256<T>.Count, keep.GetUpper())), Vector512.Create(fill)));
            }
        }

        return SimdPartial.LoadByElements<Simd512<T>, T>(ref source, count, fill);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Simd512<T> value, ref T destination) => value.V.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePartial(Simd512<T> value, ref T destination, int count) =>
        SimdPartial.StoreByElements<Simd512<T>, T>(value, ref destination, count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> KeepLanesBelow(Simd512<T> value, int count) =>
        new(value.V & Vector512.LessThan(s_laneIndex, Vector512.Create(T.CreateTruncating(count))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Add(Simd512<T> a, Simd512<T> b) => new(a.V + b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Subtract(Simd512<T> a, Simd512<T> b) => new(a.V - b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Multiply(Simd512<T> a, Simd512<T> b) => new(a.V * b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Divide(Simd512<T> a, Simd512<T> b) => new(a.V / b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> MultiplyAdd(Simd512<T> a, Simd512<T> b, Simd512<T> c)
    {
        if (Avx512F.IsSupported)
        {
            return typeof(T) == typeof(float)
                ? new(Avx512F.FusedMultiplyAdd(a.V.AsSingle(), b.V.AsSingle(), c.V.AsSingle()).As<float, T>())
                : new(Avx512F.FusedMultiplyAdd(a.V.AsDouble(), b.V.AsDouble(), c.V.AsDouble()).As<double, T>());
        }

        if (Fma.IsSupported || FusedOnArm64.Applies<T>())
        {
            // Not accelerated at 512 bits: two fused halves, so every width rounds alike.
            return new(Vector512.Create(
                Simd256<T>.MultiplyAdd(new(a.V.GetLower()), new(b.V.GetLower()), new(c.V.GetLower())).V,
                Simd256<T>.MultiplyAdd(new(a.V.GetUpper()), new(b.V.GetUpper()), new(c.V.GetUpper())).V));
        }
        return new(a.V * b.V + c.V);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Max(Simd512<T> a, Simd512<T> b)
    {
        // x86 max is exactly a > b ? a : b per lane (b where either is NaN, b for +0 and -0).
        if (Avx512F.IsSupported)
        {
            return typeof(T) == typeof(float)
                ? new(Avx512F.Max(a.V.AsSingle(), b.V.AsSingle()).As<float, T>())
                : new(Avx512F.Max(a.V.AsDouble(), b.V.AsDouble()).As<double, T>());
        }

        return new(Vector512.ConditionalSelect(Vector512.GreaterThan(a.V, b.V), a.V, b.V));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Unordered(Simd512<T> a, Simd512<T> b)
    {
        if (Avx512F.IsSupported)
        {
            return typeof(T) == typeof(float)
                ? new(Avx512F.CompareUnordered(a.V.AsSingle(), b.V.AsSingle()).As<float, T>())
                : new(Avx512F.CompareUnordered(a.V.AsDouble(), b.V.AsDouble()).As<double, T>());
        }

        return new(~(Vector512.Equals(a.V, a.V) & Vector512.Equals(b.V, b.V)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Or(Simd512<T> a, Simd512<T> b) => new(a.V | b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> BlendFrom(Simd512<T> below, Simd512<T> from, int first) =>
        new(Vector512.ConditionalSelect(Vector512.LessThan(s_laneIndex, Vector512.Create(T.CreateTruncating(first))), below.V, from.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Clamp(Simd512<T> x, T low, T high)
    {
        Vector512<T> v = AtLeast(x, low).V, hi = Vector512.Create(high);
        return new(Vector512.ConditionalSelect(Vector512.GreaterThan(v, hi), hi, v));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Simd512<T> AtLeast(Simd512<T> x, T low)
    {
        Vector512<T> lo = Vector512.Create(low);
        return new(Vector512.ConditionalSelect(Vector512.LessThan(x.V, lo), lo, x.V));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyNaN(Simd512<T> x) => !Vector512.EqualsAll(x.V, x.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Exp(Simd512<T> x) =>
        typeof(T) == typeof(float) ? new(KernelMath.Exp(x.V.AsSingle()).As<float, T>()) : SimdExp.Double<Simd512<T>, T>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> ExpBelowMax(Simd512<T> x) =>
        typeof(T) == typeof(float) ? new(KernelMath.ExpBelowMax(x.V.AsSingle()).As<float, T>()) : Exp(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> ExpBelowMaxInSum(Simd512<T> x) =>
        typeof(T) == typeof(float) ? new(KernelMath.ExpBelowMaxInSum(x.V.AsSingle()).As<float, T>()) : ExpBelowMax(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Pow2FromShifted(Simd512<T> t, int scale) =>
        new(Vector512.ShiftLeft(t.V.AsInt64() + Vector512.Create(scale + 1023 - SimdExp.ShifterBits), 52).As<long, T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> LogReduce(Simd512<T> x, out Simd512<T> k, out Simd512<T> c, out Simd512<T> inverse, out Simd512<T> logHigh, out Simd512<T> logLow)
    {
        // Each half as a 256-bit vector (lane-wise operations and exact table reads: the same bits).
        Simd256<T> zLow = Simd256<T>.LogReduce(new(x.V.GetLower()), out Simd256<T> kLow, out Simd256<T> cLow, out Simd256<T> inverseLow, out Simd256<T> highLow, out Simd256<T> lowLow);
        Simd256<T> zHigh = Simd256<T>.LogReduce(new(x.V.GetUpper()), out Simd256<T> kHigh, out Simd256<T> cHigh, out Simd256<T> inverseHigh, out Simd256<T> highHigh, out Simd256<T> lowHigh);
        k = new(Vector512.Create(kLow.V, kHigh.V));
        c = new(Vector512.Create(cLow.V, cHigh.V));
        inverse = new(Vector512.Create(inverseLow.V, inverseHigh.V));
        logHigh = new(Vector512.Create(highLow.V, highHigh.V));
        logLow = new(Vector512.Create(lowLow.V, lowHigh.V));
        return new(Vector512.Create(zLow.V, zHigh.V));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Simd512<T> x) => Vector512.Sum(x.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T MaxAcross(Simd512<T> x) => Simd256<T>.MaxAcross(Simd256<T>.Max(new(x.V.GetLower()), new(x.V.GetUpper())));
}
