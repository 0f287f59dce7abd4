using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

/// <summary>The loss family's operations on <c>Vector128</c> (<see cref="IFamilyVector{TV, T}"/>).</summary>
internal readonly struct FamilyVector128<T> : IFamilyVector<Vector128<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Count => Vector128<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Load(ref T source, nuint index) => Vector128.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<T> value, ref T destination, nuint index) => value.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Splat(T value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Add(Vector128<T> a, Vector128<T> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Subtract(Vector128<T> a, Vector128<T> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Multiply(Vector128<T> a, Vector128<T> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Divide(Vector128<T> a, Vector128<T> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MulAdd(Vector128<T> a, Vector128<T> b, Vector128<T> c)
    {
        if (Fma.IsSupported && typeof(T) == typeof(float))
        {
            return Fma.MultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }

        if (Fma.IsSupported && typeof(T) == typeof(double))
        {
            return Fma.MultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }

        if (FusedOnArm64.Applies<T>())
        {
            // ARM64, double: fused (fmla), as the generic core's Simd128 (float stays unfused there: FusedOnArm64).
            return AdvSimd.Arm64.FusedMultiplyAdd(c.AsDouble(), a.AsDouble(), b.AsDouble()).As<double, T>();
        }

        return a * b + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Abs(Vector128<T> a) => Vector128.Abs(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Max(Vector128<T> a, Vector128<T> b) =>
        Sse.IsSupported && typeof(T) == typeof(float) ? Sse.Max(a.AsSingle(), b.AsSingle()).As<float, T>()
        : Sse2.IsSupported && typeof(T) == typeof(double) ? Sse2.Max(a.AsDouble(), b.AsDouble()).As<double, T>()
        : Vector128.ConditionalSelect(Vector128.GreaterThan(a, b), a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Min(Vector128<T> a, Vector128<T> b) =>
        Sse.IsSupported && typeof(T) == typeof(float) ? Sse.Min(a.AsSingle(), b.AsSingle()).As<float, T>()
        : Sse2.IsSupported && typeof(T) == typeof(double) ? Sse2.Min(a.AsDouble(), b.AsDouble()).As<double, T>()
        : Vector128.ConditionalSelect(Vector128.LessThan(a, b), a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> GreaterThan(Vector128<T> a, Vector128<T> b) => Vector128.GreaterThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> GreaterThanOrEqual(Vector128<T> a, Vector128<T> b) => Vector128.GreaterThanOrEqual(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Equals(Vector128<T> a, Vector128<T> b) => Vector128.Equals(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Select(Vector128<T> mask, Vector128<T> a, Vector128<T> b) => Vector128.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Vector128<T> mask) => mask.AsInt32() == Vector128<int>.AllBitsSet;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWide(Vector128<T> value)
    {
        double sum = 0;
        for (int i = 0; i < Vector128<T>.Count; i++)
        {
            sum += double.CreateTruncating(value.GetElement(i));
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> ScaleByShiftedExponent(Vector128<T> p, Vector128<T> shifted)
    {
        if (typeof(T) == typeof(float))
        {
            Vector128<int> ni = shifted.AsInt32() - Vector128.Create(FamilyBits.FloatShifterBits);
            Vector128<int> ni1 = Vector128.ShiftRightArithmetic(ni, 1);
            Vector128<float> f1 = (Vector128.ShiftLeft(ni1, 23) + Vector128.Create(FamilyBits.FloatOne)).AsSingle();
            Vector128<float> f2 = (Vector128.ShiftLeft(ni - ni1, 23) + Vector128.Create(FamilyBits.FloatOne)).AsSingle();
            return (p.AsSingle() * f1 * f2).As<float, T>();
        }

        Vector128<long> n = shifted.AsInt64() - Vector128.Create(FamilyBits.DoubleShifterBits);
        Vector128<long> n1 = Vector128.ShiftRightArithmetic(n, 1);
        Vector128<double> s1 = (Vector128.ShiftLeft(n1, 52) + Vector128.Create(FamilyBits.DoubleOne)).AsDouble();
        Vector128<double> s2 = (Vector128.ShiftLeft(n - n1, 52) + Vector128.Create(FamilyBits.DoubleOne)).AsDouble();
        return (p.AsDouble() * s1 * s2).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Pow2FromShifted(Vector128<T> shifted, int bias) =>
        typeof(T) == typeof(float)
            ? Vector128.ShiftLeft(shifted.AsInt32() + Vector128.Create(bias), 23).As<int, T>()
            : Vector128.ShiftLeft(shifted.AsInt64() + Vector128.Create((long)bias), 52).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Decompose(Vector128<T> x, out Vector128<T> k)
    {
        if (typeof(T) == typeof(float))
        {
            Vector128<int> bits = x.AsInt32();
            Vector128<int> e = Vector128.ShiftRightLogical(bits, 23);
            k = ((e + Vector128.Create(FamilyBits.FloatShifterBits - 127)).AsSingle() - Vector128.Create(FamilyBits.FloatShifter)).As<float, T>();
            return ((bits & Vector128.Create(FamilyBits.FloatMantissa)) | Vector128.Create(FamilyBits.FloatOne)).As<int, T>();
        }
        else
        {
            Vector128<long> bits = x.AsInt64();
            Vector128<long> e = Vector128.ShiftRightLogical(bits, 52);
            k = ((e + Vector128.Create(FamilyBits.DoubleShifterBits - 1023)).AsDouble() - Vector128.Create(FamilyBits.DoubleShifter)).As<double, T>();
            return ((bits & Vector128.Create(FamilyBits.DoubleMantissa)) | Vector128.Create(FamilyBits.DoubleOne)).As<long, T>();
        }
    }
}
