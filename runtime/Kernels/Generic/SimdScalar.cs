using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

/// <summary>One lane: the generic loops on a machine without SIMD (or for a single element), with the same
/// operations as the vector widths, so the loops need no separate scalar copy.</summary>
/// <typeparam name="T">float or double.</typeparam>
internal readonly struct SimdScalar<T> : ISimdVector<SimdScalar<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>The value.</summary>
    public readonly T V;

    /// <summary>Wraps <paramref name="v"/>.</summary>
    public SimdScalar(T v) => V = v;

    public static int Count => 1;

    public static bool IsHardwareAccelerated => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> Create(T value) => new(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> Load(ref T source) => new(source);

    public static SimdScalar<T> LoadColumn(ref T source, int stride) => new(source);

    // Count is 1: a partial vector never occurs.
    public static SimdScalar<T> LoadPartial(ref T source, int count, T fill) => new(fill);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(SimdScalar<T> value, ref T destination) => destination = value.V;

    public static void StorePartial(SimdScalar<T> value, ref T destination, int count)
    {
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> KeepLanesBelow(SimdScalar<T> value, int count) => count > 0 ? value : new(T.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> Add(SimdScalar<T> a, SimdScalar<T> b) => new(a.V + b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> Subtract(SimdScalar<T> a, SimdScalar<T> b) => new(a.V - b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> Multiply(SimdScalar<T> a, SimdScalar<T> b) => new(a.V * b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> Divide(SimdScalar<T> a, SimdScalar<T> b) => new(a.V / b.V);

    // Fused exactly where the vector widths are (x86 FMA; ARM64 for double), so a scalar tail rounds as the vector
    // body does.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> MultiplyAdd(SimdScalar<T> a, SimdScalar<T> b, SimdScalar<T> c) =>
        new(Fma.IsSupported || FusedOnArm64.Applies<T>() ? T.FusedMultiplyAdd(a.V, b.V, c.V) : a.V * b.V + c.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> Max(SimdScalar<T> a, SimdScalar<T> b) => a.V > b.V ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> Clamp(SimdScalar<T> x, T low, T high)
    {
        T v = AtLeast(x, low).V;
        return new(v > high ? high : v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static SimdScalar<T> AtLeast(SimdScalar<T> x, T low) => new(x.V < low ? low : x.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> Unordered(SimdScalar<T> a, SimdScalar<T> b) => new(T.IsNaN(a.V) || T.IsNaN(b.V) ? T.AllBitsSet : T.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> Or(SimdScalar<T> a, SimdScalar<T> b) => new(a.V | b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> BlendFrom(SimdScalar<T> below, SimdScalar<T> from, int first) => first > 0 ? below : from;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyNaN(SimdScalar<T> x) => T.IsNaN(x.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> Exp(SimdScalar<T> x) =>
        typeof(T) == typeof(float)
            ? new((T)(object)KernelMath.Exp((float)(object)x.V))
            : SimdExp.Double<SimdScalar<T>, T>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> ExpBelowMax(SimdScalar<T> x) => Exp(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> ExpBelowMaxInSum(SimdScalar<T> x) => Exp(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> Pow2FromShifted(SimdScalar<T> t, int scale)
    {
        long bits = (BitConverter.DoubleToInt64Bits(double.CreateTruncating(t.V)) + (scale + 1023 - SimdExp.ShifterBits)) << 52;
        return new(T.CreateTruncating(BitConverter.Int64BitsToDouble(bits)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar<T> LogReduce(SimdScalar<T> x, out SimdScalar<T> k, out SimdScalar<T> c, out SimdScalar<T> inverse, out SimdScalar<T> logHigh, out SimdScalar<T> logLow)
    {
        long bits = BitConverter.DoubleToInt64Bits(double.CreateTruncating(x.V));
        long offset = bits - SimdLogTable.Offset;
        k = new(T.CreateTruncating((double)(offset >> 52)));
        ref double row = ref SimdLogTable.Row(offset);
        c = new(T.CreateTruncating(row));
        inverse = new(T.CreateTruncating(Unsafe.Add(ref row, 1)));
        logHigh = new(T.CreateTruncating(Unsafe.Add(ref row, 2)));
        logLow = new(T.CreateTruncating(Unsafe.Add(ref row, 3)));
        return new(T.CreateTruncating(BitConverter.Int64BitsToDouble(bits - (offset & SimdLogTable.ExponentMask))));
    }

    public static T Sum(SimdScalar<T> x) => x.V;

    public static T MaxAcross(SimdScalar<T> x) => x.V;
}
