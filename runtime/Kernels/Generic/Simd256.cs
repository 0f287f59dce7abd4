using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

/// <summary>A <c>Vector256&lt;T&gt;</c> as an <see cref="ISimdVector{TSelf, T}"/>.</summary>
/// <typeparam name="T">float or double.</typeparam>
internal readonly struct Simd256<T> : ISimdVector<Simd256<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The register.</summary>
    public readonly Vector256<T> V;

    /// <summary>Wraps <paramref name="v"/>.</summary>
    public Simd256(Vector256<T> v) => V = v;

    // Lane k holds k, as T: lanes below a count compare less than it.
    private static readonly Vector256<T> s_laneIndex = SimdPartial.LaneIndex<Simd256<T>, T>().V;

    public static int Count => Vector256<T>.Count;

    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Create(T value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Load(ref T source) => new(Vector256.LoadUnsafe(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> LoadColumn(ref T source, int stride) =>
        new(Vector256.Create(Simd128<T>.LoadColumn(ref source, stride).V, Simd128<T>.LoadColumn(ref Unsafe.Add(ref source, Vector128<T>.Count * stride), stride).V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Simd256<T> LoadPartial(ref T source, int count, T fill)
    {
        Vector256<T> keep = Vector256.LessThan(s_laneIndex, Vector256.Create(T.CreateTruncating(count)));
        if (Avx.IsSupported)
        {
            // vmaskmovps/pd: lanes outside the mask are not accessed, so they cannot fault.
            fixed (T* p = &source)
            {
                return new(Vector256.ConditionalSelect(keep, typeof(T) == typeof(float) ? Avx.MaskLoad((float*)p, keep.AsSingle()).As<float, T>() : Avx.MaskLoad((double*)p, keep.AsDouble()).As<double, T>(), Vector256.Create(fill)));
            }
        }

        return SimdPartial.LoadByElements<Simd256<T>, T>(ref source, count, fill);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Simd256<T> value, ref T destination) => value.V.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePartial(Simd256<T> value, ref T destination, int count) =>
        SimdPartial.StoreByElements<Simd256<T>, T>(value, ref destination, count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> KeepLanesBelow(Simd256<T> value, int count) =>
        new(value.V & Vector256.LessThan(s_laneIndex, Vector256.Create(T.CreateTruncating(count))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Add(Simd256<T> a, Simd256<T> b) => new(a.V + b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Subtract(Simd256<T> a, Simd256<T> b) => new(a.V - b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Multiply(Simd256<T> a, Simd256<T> b) => new(a.V * b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Divide(Simd256<T> a, Simd256<T> b) => new(a.V / b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> MultiplyAdd(Simd256<T> a, Simd256<T> b, Simd256<T> c)
    {
        if (Fma.IsSupported)
        {
            return typeof(T) == typeof(float)
                ? new(Fma.MultiplyAdd(a.V.AsSingle(), b.V.AsSingle(), c.V.AsSingle()).As<float, T>())
                : new(Fma.MultiplyAdd(a.V.AsDouble(), b.V.AsDouble(), c.V.AsDouble()).As<double, T>());
        }

        if (FusedOnArm64.Applies<T>())
        {
            // ARM64 (not accelerated at 256 bits): two fused halves, so every width rounds as Simd128 does.
            return new(Vector256.Create(
                Simd128<T>.MultiplyAdd(new(a.V.GetLower()), new(b.V.GetLower()), new(c.V.GetLower())).V,
                Simd128<T>.MultiplyAdd(new(a.V.GetUpper()), new(b.V.GetUpper()), new(c.V.GetUpper())).V));
        }

        return new(a.V * b.V + c.V);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Max(Simd256<T> a, Simd256<T> b)
    {
        // x86 max is exactly a > b ? a : b per lane (b where either is NaN, b for +0 and -0).
        if (Avx.IsSupported)
        {
            return typeof(T) == typeof(float)
                ? new(Avx.Max(a.V.AsSingle(), b.V.AsSingle()).As<float, T>())
                : new(Avx.Max(a.V.AsDouble(), b.V.AsDouble()).As<double, T>());
        }

        return new(Vector256.ConditionalSelect(Vector256.GreaterThan(a.V, b.V), a.V, b.V));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Unordered(Simd256<T> a, Simd256<T> b)
    {
        if (Avx.IsSupported)
        {
            return typeof(T) == typeof(float)
                ? new(Avx.Compare(a.V.AsSingle(), b.V.AsSingle(), FloatComparisonMode.UnorderedNonSignaling).As<float, T>())
                : new(Avx.Compare(a.V.AsDouble(), b.V.AsDouble(), FloatComparisonMode.UnorderedNonSignaling).As<double, T>());
        }

        return new(~(Vector256.Equals(a.V, a.V) & Vector256.Equals(b.V, b.V)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Or(Simd256<T> a, Simd256<T> b) => new(a.V | b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> BlendFrom(Simd256<T> below, Simd256<T> from, int first) =>
        new(Vector256.ConditionalSelect(Vector256.LessThan(s_laneIndex, Vector256.Create(T.CreateTruncating(first))), below.V, from.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Clamp(Simd256<T> x, T low, T high)
    {
        Vector256<T> v = AtLeast(x, low).V, hi = Vector256.Create(high);
        return new(Vector256.ConditionalSelect(Vector256.GreaterThan(v, hi), hi, v));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Simd256<T> AtLeast(Simd256<T> x, T low)
    {
        Vector256<T> lo = Vector256.Create(low);
        return new(Vector256.ConditionalSelect(Vector256.LessThan(x.V, lo), lo, x.V));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyNaN(Simd256<T> x) => !Vector256.EqualsAll(x.V, x.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Exp(Simd256<T> x) =>
        typeof(T) == typeof(float) ? new(KernelMath.Exp(x.V.AsSingle()).As<float, T>()) : SimdExp.Double<Simd256<T>, T>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> ExpBelowMax(Simd256<T> x) =>
        typeof(T) == typeof(float) ? new(KernelMath.ExpBelowMax(x.V.AsSingle()).As<float, T>()) : Exp(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> ExpBelowMaxInSum(Simd256<T> x) => ExpBelowMax(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Pow2FromShifted(Simd256<T> t, int scale) =>
        new(Vector256.ShiftLeft(t.V.AsInt64() + Vector256.Create(scale + 1023 - SimdExp.ShifterBits), 52).As<long, T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> LogReduce(Simd256<T> x, out Simd256<T> k, out Simd256<T> c, out Simd256<T> inverse, out Simd256<T> logHigh, out Simd256<T> logLow)
    {
        // The rows read element by element into the four vectors: on Zen 4 as fast as 4 row loads and a 4 x 4 transpose,
        // and no slower than vgatherqpd (4 x 7 double forward, console loop); gathers are slower still on Intel parts
        // with the microcode fix for Downfall (GDS).
        Vector256<long> bits = x.V.AsInt64();
        Vector256<long> offset = bits - Vector256.Create(SimdLogTable.Offset);
        k = new((Vector256.ShiftRightArithmetic(offset, 52) + Vector256.Create(SimdExp.ShifterBits)).As<long, T>() - Vector256.Create(T.CreateTruncating(SimdExp.Shifter)));
        ref double row0 = ref SimdLogTable.Row(offset.GetElement(0));
        ref double row1 = ref SimdLogTable.Row(offset.GetElement(1));
        ref double row2 = ref SimdLogTable.Row(offset.GetElement(2));
        ref double row3 = ref SimdLogTable.Row(offset.GetElement(3));
        c = new(Vector256.Create(row0, row1, row2, row3).As<double, T>());
        inverse = new(Vector256.Create(Unsafe.Add(ref row0, 1), Unsafe.Add(ref row1, 1), Unsafe.Add(ref row2, 1), Unsafe.Add(ref row3, 1)).As<double, T>());
        logHigh = new(Vector256.Create(Unsafe.Add(ref row0, 2), Unsafe.Add(ref row1, 2), Unsafe.Add(ref row2, 2), Unsafe.Add(ref row3, 2)).As<double, T>());
        logLow = new(Vector256.Create(Unsafe.Add(ref row0, 3), Unsafe.Add(ref row1, 3), Unsafe.Add(ref row2, 3), Unsafe.Add(ref row3, 3)).As<double, T>());
        return new((bits - (offset & Vector256.Create(SimdLogTable.ExponentMask))).As<long, T>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Simd256<T> x) => Vector256.Sum(x.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T MaxAcross(Simd256<T> x) => Simd128<T>.MaxAcross(Simd128<T>.Max(new(x.V.GetLower()), new(x.V.GetUpper())));

    /// <summary>vmaskmovps/pd of the lanes set in <paramref name="keep"/> (others 0); AVX only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe Vector256<T> MaskLoad(T* p, Vector256<T> keep) =>
        typeof(T) == typeof(float) ? Avx.MaskLoad((float*)p, keep.AsSingle()).As<float, T>() : Avx.MaskLoad((double*)p, keep.AsDouble()).As<double, T>();
}
