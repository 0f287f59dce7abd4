using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

/// <summary>The loss family's operations on <c>Vector256</c> (<see cref="IFamilyVector{TV, T}"/>).</summary>
internal readonly struct FamilyVector256<T> : IFamilyVector<Vector256<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Count => Vector256<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Load(ref T source, nuint index) => Vector256.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<T> value, ref T destination, nuint index) => value.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Splat(T value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Subtract(Vector256<T> a, Vector256<T> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Multiply(Vector256<T> a, Vector256<T> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Divide(Vector256<T> a, Vector256<T> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MulAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c)
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
            // ARM64 (not accelerated at 256 bits): two fused halves, so every width rounds alike.
            return Vector256.Create(FamilyVector128<T>.MulAdd(a.GetLower(), b.GetLower(), c.GetLower()), FamilyVector128<T>.MulAdd(a.GetUpper(), b.GetUpper(), c.GetUpper()));
        }

        return a * b + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Abs(Vector256<T> a) => Vector256.Abs(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Max(Vector256<T> a, Vector256<T> b) =>
        Avx.IsSupported && typeof(T) == typeof(float) ? Avx.Max(a.AsSingle(), b.AsSingle()).As<float, T>()
        : Avx.IsSupported && typeof(T) == typeof(double) ? Avx.Max(a.AsDouble(), b.AsDouble()).As<double, T>()
        : Vector256.ConditionalSelect(Vector256.GreaterThan(a, b), a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Min(Vector256<T> a, Vector256<T> b) =>
        Avx.IsSupported && typeof(T) == typeof(float) ? Avx.Min(a.AsSingle(), b.AsSingle()).As<float, T>()
        : Avx.IsSupported && typeof(T) == typeof(double) ? Avx.Min(a.AsDouble(), b.AsDouble()).As<double, T>()
        : Vector256.ConditionalSelect(Vector256.LessThan(a, b), a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> GreaterThan(Vector256<T> a, Vector256<T> b) => Vector256.GreaterThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> GreaterThanOrEqual(Vector256<T> a, Vector256<T> b) => Vector256.GreaterThanOrEqual(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Equals(Vector256<T> a, Vector256<T> b) => Vector256.Equals(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Select(Vector256<T> mask, Vector256<T> a, Vector256<T> b) => Vector256.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Vector256<T> mask) => mask.AsInt32() == Vector256<int>.AllBitsSet;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWide(Vector256<T> value)
    {
        double sum = 0;
        for (int i = 0; i < Vector256<T>.Count; i++)
        {
            sum += double.CreateTruncating(value.GetElement(i));
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> ScaleByShiftedExponent(Vector256<T> p, Vector256<T> shifted)
    {
        if (typeof(T) == typeof(float))
        {
            Vector256<int> ni = shifted.AsInt32() - Vector256.Create(FamilyBits.FloatShifterBits);
            Vector256<int> ni1 = Vector256.ShiftRightArithmetic(ni, 1);
            Vector256<float> f1 = (Vector256.ShiftLeft(ni1, 23) + Vector256.Create(FamilyBits.FloatOne)).AsSingle();
            Vector256<float> f2 = (Vector256.ShiftLeft(ni - ni1, 23) + Vector256.Create(FamilyBits.FloatOne)).AsSingle();
            return (p.AsSingle() * f1 * f2).As<float, T>();
        }

        Vector256<long> n = shifted.AsInt64() - Vector256.Create(FamilyBits.DoubleShifterBits);
        Vector256<long> n1 = Vector256.ShiftRightArithmetic(n, 1);
        Vector256<double> s1 = (Vector256.ShiftLeft(n1, 52) + Vector256.Create(FamilyBits.DoubleOne)).AsDouble();
        Vector256<double> s2 = (Vector256.ShiftLeft(n - n1, 52) + Vector256.Create(FamilyBits.DoubleOne)).AsDouble();
        return (p.AsDouble() * s1 * s2).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Pow2FromShifted(Vector256<T> shifted, int bias) =>
        typeof(T) == typeof(float)
            ? Vector256.ShiftLeft(shifted.AsInt32() + Vector256.Create(bias), 23).As<int, T>()
            : Vector256.ShiftLeft(shifted.AsInt64() + Vector256.Create((long)bias), 52).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Decompose(Vector256<T> x, out Vector256<T> k)
    {
        if (typeof(T) == typeof(float))
        {
            Vector256<int> bits = x.AsInt32();
            Vector256<int> e = Vector256.ShiftRightLogical(bits, 23);
            k = ((e + Vector256.Create(FamilyBits.FloatShifterBits - 127)).AsSingle() - Vector256.Create(FamilyBits.FloatShifter)).As<float, T>();
            return ((bits & Vector256.Create(FamilyBits.FloatMantissa)) | Vector256.Create(FamilyBits.FloatOne)).As<int, T>();
        }
        else
        {
            Vector256<long> bits = x.AsInt64();
            Vector256<long> e = Vector256.ShiftRightLogical(bits, 52);
            k = ((e + Vector256.Create(FamilyBits.DoubleShifterBits - 1023)).AsDouble() - Vector256.Create(FamilyBits.DoubleShifter)).As<double, T>();
            return ((bits & Vector256.Create(FamilyBits.DoubleMantissa)) | Vector256.Create(FamilyBits.DoubleOne)).As<long, T>();
        }
    }
}
