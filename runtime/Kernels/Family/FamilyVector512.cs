using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

/// <summary>The loss family's operations on <c>Vector512</c> (<see cref="IFamilyVector{TV, T}"/>).</summary>
internal readonly struct FamilyVector512<T> : IFamilyVector<Vector512<T>, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Count => Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load(ref T source, nuint index) => Vector512.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<T> value, ref T destination, nuint index) => value.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Splat(T value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Subtract(Vector512<T> a, Vector512<T> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Multiply(Vector512<T> a, Vector512<T> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Divide(Vector512<T> a, Vector512<T> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MulAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (Avx512F.IsSupported && typeof(T) == typeof(float))
        {
            return Avx512F.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }

        if (Avx512F.IsSupported && typeof(T) == typeof(double))
        {
            return Avx512F.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }

        if (Fma.IsSupported || FusedOnArm64.Applies<T>())
        {
            // Vector512 not accelerated: fused in halves, so every width rounds alike.
            return Vector512.Create(FamilyVector256<T>.MulAdd(a.GetLower(), b.GetLower(), c.GetLower()), FamilyVector256<T>.MulAdd(a.GetUpper(), b.GetUpper(), c.GetUpper()));
        }

        return a * b + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Abs(Vector512<T> a) => Vector512.Abs(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Max(Vector512<T> a, Vector512<T> b) =>
        Avx512F.IsSupported && typeof(T) == typeof(float) ? Avx512F.Max(a.AsSingle(), b.AsSingle()).As<float, T>()
        : Avx512F.IsSupported && typeof(T) == typeof(double) ? Avx512F.Max(a.AsDouble(), b.AsDouble()).As<double, T>()
        : Vector512.ConditionalSelect(Vector512.GreaterThan(a, b), a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Min(Vector512<T> a, Vector512<T> b) =>
        Avx512F.IsSupported && typeof(T) == typeof(float) ? Avx512F.Min(a.AsSingle(), b.AsSingle()).As<float, T>()
        : Avx512F.IsSupported && typeof(T) == typeof(double) ? Avx512F.Min(a.AsDouble(), b.AsDouble()).As<double, T>()
        : Vector512.ConditionalSelect(Vector512.LessThan(a, b), a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> GreaterThan(Vector512<T> a, Vector512<T> b) => Vector512.GreaterThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> GreaterThanOrEqual(Vector512<T> a, Vector512<T> b) => Vector512.GreaterThanOrEqual(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Equals(Vector512<T> a, Vector512<T> b) => Vector512.Equals(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Select(Vector512<T> mask, Vector512<T> a, Vector512<T> b) => Vector512.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Vector512<T> mask) => mask.AsInt32() == Vector512<int>.AllBitsSet;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWide(Vector512<T> value)
    {
        double sum = 0;
        for (int i = 0; i < Vector512<T>.Count; i++)
        {
            sum += double.CreateTruncating(value.GetElement(i));
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> ScaleByShiftedExponent(Vector512<T> p, Vector512<T> shifted)
    {
        if (typeof(T) == typeof(float))
        {
            Vector512<int> ni = shifted.AsInt32() - Vector512.Create(FamilyBits.FloatShifterBits);
            Vector512<int> ni1 = Vector512.ShiftRightArithmetic(ni, 1);
            Vector512<float> f1 = (Vector512.ShiftLeft(ni1, 23) + Vector512.Create(FamilyBits.FloatOne)).AsSingle();
            Vector512<float> f2 = (Vector512.ShiftLeft(ni - ni1, 23) + Vector512.Create(FamilyBits.FloatOne)).AsSingle();
            return (p.AsSingle() * f1 * f2).As<float, T>();
        }

        Vector512<long> n = shifted.AsInt64() - Vector512.Create(FamilyBits.DoubleShifterBits);
        Vector512<long> n1 = Vector512.ShiftRightArithmetic(n, 1);
        Vector512<double> s1 = (Vector512.ShiftLeft(n1, 52) + Vector512.Create(FamilyBits.DoubleOne)).AsDouble();
        Vector512<double> s2 = (Vector512.ShiftLeft(n - n1, 52) + Vector512.Create(FamilyBits.DoubleOne)).AsDouble();
        return (p.AsDouble() * s1 * s2).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Pow2FromShifted(Vector512<T> shifted, int bias) =>
        typeof(T) == typeof(float)
            ? Vector512.ShiftLeft(shifted.AsInt32() + Vector512.Create(bias), 23).As<int, T>()
            : Vector512.ShiftLeft(shifted.AsInt64() + Vector512.Create((long)bias), 52).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Decompose(Vector512<T> x, out Vector512<T> k)
    {
        if (typeof(T) == typeof(float))
        {
            Vector512<int> bits = x.AsInt32();
            Vector512<int> e = Vector512.ShiftRightLogical(bits, 23);
            k = ((e + Vector512.Create(FamilyBits.FloatShifterBits - 127)).AsSingle() - Vector512.Create(FamilyBits.FloatShifter)).As<float, T>();
            return ((bits & Vector512.Create(FamilyBits.FloatMantissa)) | Vector512.Create(FamilyBits.FloatOne)).As<int, T>();
        }
        else
        {
            Vector512<long> bits = x.AsInt64();
            Vector512<long> e = Vector512.ShiftRightLogical(bits, 52);
            k = ((e + Vector512.Create(FamilyBits.DoubleShifterBits - 1023)).AsDouble() - Vector512.Create(FamilyBits.DoubleShifter)).As<double, T>();
            return ((bits & Vector512.Create(FamilyBits.DoubleMantissa)) | Vector512.Create(FamilyBits.DoubleOne)).As<long, T>();
        }
    }
}
