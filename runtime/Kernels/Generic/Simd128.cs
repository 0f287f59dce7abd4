using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

/// <summary>A <c>Vector128&lt;T&gt;</c> as an <see cref="ISimdVector{TSelf, T}"/>.</summary>
/// <typeparam name="T">float or double.</typeparam>
internal readonly struct Simd128<T> : ISimdVector<Simd128<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The register.</summary>
    public readonly Vector128<T> V;

    /// <summary>Wraps <paramref name="v"/>.</summary>
    public Simd128(Vector128<T> v) => V = v;

    // Lane k holds k, as T: lanes below a count compare less than it.
    private static readonly Vector128<T> s_laneIndex = SimdPartial.LaneIndex<Simd128<T>, T>().V;

    public static int Count => Vector128<T>.Count;

    public static bool IsHardwareAccelerated => Vector128.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Create(T value) => new(Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Load(ref T source) => new(Vector128.LoadUnsafe(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> LoadColumn(ref T source, int stride)
    {
        if (typeof(T) == typeof(double))
        {
            return new(Vector128.Create(Element(ref source, 0), Element(ref source, stride)).As<double, T>());
        }

        return new(Vector128.Create(ElementF(ref source, 0), ElementF(ref source, stride), ElementF(ref source, 2 * stride), ElementF(ref source, 3 * stride)).As<float, T>());

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static double Element(ref T s, int k) => double.CreateTruncating(Unsafe.Add(ref s, k));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static float ElementF(ref T s, int k) => float.CreateTruncating(Unsafe.Add(ref s, k));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Simd128<T> LoadPartial(ref T source, int count, T fill)
    {
        Vector128<T> keep = Vector128.LessThan(s_laneIndex, Vector128.Create(T.CreateTruncating(count)));
        if (Avx.IsSupported)
        {
            // vmaskmovps/pd: lanes outside the mask are not accessed, so they cannot fault.
            fixed (T* p = &source)
            {
                return new(Vector128.ConditionalSelect(keep, typeof(T) == typeof(float) ? Avx.MaskLoad((float*)p, keep.AsSingle()).As<float, T>() : Avx.MaskLoad((double*)p, keep.AsDouble()).As<double, T>(), Vector128.Create(fill)));
            }
        }

        return SimdPartial.LoadByElements<Simd128<T>, T>(ref source, count, fill);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Simd128<T> value, ref T destination) => value.V.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePartial(Simd128<T> value, ref T destination, int count) =>
        SimdPartial.StoreByElements<Simd128<T>, T>(value, ref destination, count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> KeepLanesBelow(Simd128<T> value, int count) =>
        new(value.V & Vector128.LessThan(s_laneIndex, Vector128.Create(T.CreateTruncating(count))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Add(Simd128<T> a, Simd128<T> b) => new(a.V + b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Subtract(Simd128<T> a, Simd128<T> b) => new(a.V - b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Multiply(Simd128<T> a, Simd128<T> b) => new(a.V * b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Divide(Simd128<T> a, Simd128<T> b) => new(a.V / b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> MultiplyAdd(Simd128<T> a, Simd128<T> b, Simd128<T> c)
    {
        if (Fma.IsSupported)
        {
            return typeof(T) == typeof(float)
                ? new(Fma.MultiplyAdd(a.V.AsSingle(), b.V.AsSingle(), c.V.AsSingle()).As<float, T>())
                : new(Fma.MultiplyAdd(a.V.AsDouble(), b.V.AsDouble(), c.V.AsDouble()).As<double, T>());
        }

        if (FusedOnArm64.Applies<T>())
        {
            // ARM64, double: fused (fmla), one instruction per polynomial step of the double exp and log (float stays
            // unfused there: FusedOnArm64).
            return new(AdvSimd.Arm64.FusedMultiplyAdd(c.V.AsDouble(), a.V.AsDouble(), b.V.AsDouble()).As<double, T>());
        }

        return new(a.V * b.V + c.V);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Max(Simd128<T> a, Simd128<T> b)
    {
        // x86 max is exactly a > b ? a : b per lane (b where either is NaN, b for +0 and -0).
        if (Sse2.IsSupported)
        {
            return typeof(T) == typeof(float)
                ? new(Sse.Max(a.V.AsSingle(), b.V.AsSingle()).As<float, T>())
                : new(Sse2.Max(a.V.AsDouble(), b.V.AsDouble()).As<double, T>());
        }

        return new(Vector128.ConditionalSelect(Vector128.GreaterThan(a.V, b.V), a.V, b.V));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Unordered(Simd128<T> a, Simd128<T> b)
    {
        if (Sse2.IsSupported)
        {
            return typeof(T) == typeof(float)
                ? new(Sse.CompareUnordered(a.V.AsSingle(), b.V.AsSingle()).As<float, T>())
                : new(Sse2.CompareUnordered(a.V.AsDouble(), b.V.AsDouble()).As<double, T>());
        }

        return new(~(Vector128.Equals(a.V, a.V) & Vector128.Equals(b.V, b.V)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Or(Simd128<T> a, Simd128<T> b) => new(a.V | b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> BlendFrom(Simd128<T> below, Simd128<T> from, int first) =>
        new(Vector128.ConditionalSelect(Vector128.LessThan(s_laneIndex, Vector128.Create(T.CreateTruncating(first))), below.V, from.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Clamp(Simd128<T> x, T low, T high)
    {
        Vector128<T> v = AtLeast(x, low).V, hi = Vector128.Create(high);
        return new(Vector128.ConditionalSelect(Vector128.GreaterThan(v, hi), hi, v));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Simd128<T> AtLeast(Simd128<T> x, T low)
    {
        Vector128<T> lo = Vector128.Create(low);
        return new(Vector128.ConditionalSelect(Vector128.LessThan(x.V, lo), lo, x.V));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyNaN(Simd128<T> x) => !Vector128.EqualsAll(x.V, x.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Exp(Simd128<T> x) =>
        typeof(T) == typeof(float) ? new(KernelMath.Exp(x.V.AsSingle()).As<float, T>()) : SimdExp.Double<Simd128<T>, T>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> ExpBelowMax(Simd128<T> x) =>
        typeof(T) == typeof(float) ? new(KernelMath.ExpBelowMax(x.V.AsSingle()).As<float, T>()) : Exp(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> ExpBelowMaxInSum(Simd128<T> x) => ExpBelowMax(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Pow2FromShifted(Simd128<T> t, int scale) =>
        new(Vector128.ShiftLeft(t.V.AsInt64() + Vector128.Create(scale + 1023 - SimdExp.ShifterBits), 52).As<long, T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> LogReduce(Simd128<T> x, out Simd128<T> k, out Simd128<T> c, out Simd128<T> inverse, out Simd128<T> logHigh, out Simd128<T> logLow)
    {
        Vector128<long> bits = x.V.AsInt64();
        Vector128<long> offset = bits - Vector128.Create(SimdLogTable.Offset);
        k = new((Vector128.ShiftRightArithmetic(offset, 52) + Vector128.Create(SimdExp.ShifterBits)).As<long, T>() - Vector128.Create(T.CreateTruncating(SimdExp.Shifter)));
        ref double row0 = ref SimdLogTable.Row(offset.GetElement(0));
        ref double row1 = ref SimdLogTable.Row(offset.GetElement(1));
        c = new(Vector128.Create(row0, row1).As<double, T>());
        inverse = new(Vector128.Create(Unsafe.Add(ref row0, 1), Unsafe.Add(ref row1, 1)).As<double, T>());
        logHigh = new(Vector128.Create(Unsafe.Add(ref row0, 2), Unsafe.Add(ref row1, 2)).As<double, T>());
        logLow = new(Vector128.Create(Unsafe.Add(ref row0, 3), Unsafe.Add(ref row1, 3)).As<double, T>());
        return new((bits - (offset & Vector128.Create(SimdLogTable.ExponentMask))).As<long, T>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Simd128<T> x) => Vector128.Sum(x.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T MaxAcross(Simd128<T> x)
    {
        // Adjacent lanes first, then the two results, each a > b ? a : b with the lower lane as a: the order of
        // every width (the wider ones fold their halves into this one the same way), so +0 and -0 resolve alike.
        T a = x.V.GetElement(0), b = x.V.GetElement(1);
        a = a > b ? a : b;
        if (Vector128<T>.Count == 2)
        {
            return a;
        }

        T c = x.V.GetElement(2), d = x.V.GetElement(3);
        c = c > d ? c : d;
        return a > c ? a : c;
    }
}
