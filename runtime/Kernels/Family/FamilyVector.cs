using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FixedShapeLoss;

// The vector operations the element-wise losses need beyond the generic core's (ISimdVector): their math
// (FamilyMath) and their loops (LossFamily.Drive) are written once over IFamilyVector and compiled by the JIT for
// the core's own 128-, 256- and 512-bit vectors (Simd128/256/512) of float or double; the loads, stores and
// arithmetic are the core's. Only the bit-level steps (2^n from a shifted exponent, splitting a number into
// mantissa and exponent) depend on the element type; each is a typeof(T) test the JIT folds.
internal interface IFamilyVector<TSelf, T> : ISimdVector<TSelf, T>
    where TSelf : struct, IFamilyVector<TSelf, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract TSelf Abs(TSelf a);

    static abstract TSelf GreaterThan(TSelf a, TSelf b);

    static abstract TSelf GreaterThanOrEqual(TSelf a, TSelf b);

    static abstract TSelf Equals(TSelf a, TSelf b);

    /// <summary><c>mask ? a : b</c> lane by lane.</summary>
    static abstract TSelf Select(TSelf mask, TSelf a, TSelf b);

    /// <summary>True when every lane of <paramref name="mask"/> is set.</summary>
    static abstract bool All(TSelf mask);

    /// <summary>The sum of the lanes, each widened to double and added in double.</summary>
    static abstract double SumWide(TSelf value);

    /// <summary><c>p * 2^n</c> where <c>n</c> sits in the low bits of <c>shifted = n + 1.5 * 2^mantissaBits</c>,
    /// in two exact power-of-two factors so subnormal results round once.</summary>
    static abstract TSelf ScaleByShiftedExponent(TSelf p, TSelf shifted);

    /// <summary>Splits a positive, normal <paramref name="x"/> into <c>m * 2^k</c> with <c>m</c> in [1, 2).</summary>
    static abstract TSelf Decompose(TSelf x, out TSelf k);
}

internal readonly partial struct Simd128<T> : IFamilyVector<Simd128<T>, T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Abs(Simd128<T> a) => new(Vector128.Abs(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> GreaterThan(Simd128<T> a, Simd128<T> b) => new(Vector128.GreaterThan(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> GreaterThanOrEqual(Simd128<T> a, Simd128<T> b) => new(Vector128.GreaterThanOrEqual(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Equals(Simd128<T> a, Simd128<T> b) => new(Vector128.Equals(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Select(Simd128<T> mask, Simd128<T> a, Simd128<T> b) => new(Vector128.ConditionalSelect(mask.V, a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Simd128<T> mask) => mask.V.AsInt32() == Vector128<int>.AllBitsSet;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWide(Simd128<T> value)
    {
        double sum = 0;
        for (int i = 0; i < Vector128<T>.Count; i++)
        {
            sum += double.CreateTruncating(value.V.GetElement(i));
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> ScaleByShiftedExponent(Simd128<T> p, Simd128<T> shifted)
    {
        if (typeof(T) == typeof(float))
        {
            Vector128<int> n = shifted.V.AsInt32() - Vector128.Create(FamilyBits.FloatShifterBits);
            Vector128<int> n1 = Vector128.ShiftRightArithmetic(n, 1);
            Vector128<float> s1 = (Vector128.ShiftLeft(n1, 23) + Vector128.Create(FamilyBits.FloatOne)).AsSingle();
            Vector128<float> s2 = (Vector128.ShiftLeft(n - n1, 23) + Vector128.Create(FamilyBits.FloatOne)).AsSingle();
            return new((p.V.AsSingle() * s1 * s2).As<float, T>());
        }
        else
        {
            Vector128<long> n = shifted.V.AsInt64() - Vector128.Create(FamilyBits.DoubleShifterBits);
            Vector128<long> n1 = Vector128.ShiftRightArithmetic(n, 1);
            Vector128<double> s1 = (Vector128.ShiftLeft(n1, 52) + Vector128.Create(FamilyBits.DoubleOne)).AsDouble();
            Vector128<double> s2 = (Vector128.ShiftLeft(n - n1, 52) + Vector128.Create(FamilyBits.DoubleOne)).AsDouble();
            return new((p.V.AsDouble() * s1 * s2).As<double, T>());
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128<T> Decompose(Simd128<T> x, out Simd128<T> k)
    {
        if (typeof(T) == typeof(float))
        {
            Vector128<int> bits = x.V.AsInt32();
            Vector128<int> e = Vector128.ShiftRightLogical(bits, 23);
            k = new(((e + Vector128.Create(FamilyBits.FloatShifterBits - 127)).AsSingle() - Vector128.Create(FamilyBits.FloatShifter)).As<float, T>());
            return new(((bits & Vector128.Create(FamilyBits.FloatMantissa)) | Vector128.Create(FamilyBits.FloatOne)).As<int, T>());
        }
        else
        {
            Vector128<long> bits = x.V.AsInt64();
            Vector128<long> e = Vector128.ShiftRightLogical(bits, 52);
            k = new(((e + Vector128.Create(FamilyBits.DoubleShifterBits - 1023)).AsDouble() - Vector128.Create(FamilyBits.DoubleShifter)).As<double, T>());
            return new(((bits & Vector128.Create(FamilyBits.DoubleMantissa)) | Vector128.Create(FamilyBits.DoubleOne)).As<long, T>());
        }
    }
}

internal readonly partial struct Simd256<T> : IFamilyVector<Simd256<T>, T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Abs(Simd256<T> a) => new(Vector256.Abs(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> GreaterThan(Simd256<T> a, Simd256<T> b) => new(Vector256.GreaterThan(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> GreaterThanOrEqual(Simd256<T> a, Simd256<T> b) => new(Vector256.GreaterThanOrEqual(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Equals(Simd256<T> a, Simd256<T> b) => new(Vector256.Equals(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Select(Simd256<T> mask, Simd256<T> a, Simd256<T> b) => new(Vector256.ConditionalSelect(mask.V, a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Simd256<T> mask) => mask.V.AsInt32() == Vector256<int>.AllBitsSet;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWide(Simd256<T> value)
    {
        double sum = 0;
        for (int i = 0; i < Vector256<T>.Count; i++)
        {
            sum += double.CreateTruncating(value.V.GetElement(i));
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> ScaleByShiftedExponent(Simd256<T> p, Simd256<T> shifted)
    {
        if (typeof(T) == typeof(float))
        {
            Vector256<int> n = shifted.V.AsInt32() - Vector256.Create(FamilyBits.FloatShifterBits);
            Vector256<int> n1 = Vector256.ShiftRightArithmetic(n, 1);
            Vector256<float> s1 = (Vector256.ShiftLeft(n1, 23) + Vector256.Create(FamilyBits.FloatOne)).AsSingle();
            Vector256<float> s2 = (Vector256.ShiftLeft(n - n1, 23) + Vector256.Create(FamilyBits.FloatOne)).AsSingle();
            return new((p.V.AsSingle() * s1 * s2).As<float, T>());
        }
        else
        {
            Vector256<long> n = shifted.V.AsInt64() - Vector256.Create(FamilyBits.DoubleShifterBits);
            Vector256<long> n1 = Vector256.ShiftRightArithmetic(n, 1);
            Vector256<double> s1 = (Vector256.ShiftLeft(n1, 52) + Vector256.Create(FamilyBits.DoubleOne)).AsDouble();
            Vector256<double> s2 = (Vector256.ShiftLeft(n - n1, 52) + Vector256.Create(FamilyBits.DoubleOne)).AsDouble();
            return new((p.V.AsDouble() * s1 * s2).As<double, T>());
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256<T> Decompose(Simd256<T> x, out Simd256<T> k)
    {
        if (typeof(T) == typeof(float))
        {
            Vector256<int> bits = x.V.AsInt32();
            Vector256<int> e = Vector256.ShiftRightLogical(bits, 23);
            k = new(((e + Vector256.Create(FamilyBits.FloatShifterBits - 127)).AsSingle() - Vector256.Create(FamilyBits.FloatShifter)).As<float, T>());
            return new(((bits & Vector256.Create(FamilyBits.FloatMantissa)) | Vector256.Create(FamilyBits.FloatOne)).As<int, T>());
        }
        else
        {
            Vector256<long> bits = x.V.AsInt64();
            Vector256<long> e = Vector256.ShiftRightLogical(bits, 52);
            k = new(((e + Vector256.Create(FamilyBits.DoubleShifterBits - 1023)).AsDouble() - Vector256.Create(FamilyBits.DoubleShifter)).As<double, T>());
            return new(((bits & Vector256.Create(FamilyBits.DoubleMantissa)) | Vector256.Create(FamilyBits.DoubleOne)).As<long, T>());
        }
    }
}

internal readonly partial struct Simd512<T> : IFamilyVector<Simd512<T>, T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Abs(Simd512<T> a) => new(Vector512.Abs(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> GreaterThan(Simd512<T> a, Simd512<T> b) => new(Vector512.GreaterThan(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> GreaterThanOrEqual(Simd512<T> a, Simd512<T> b) => new(Vector512.GreaterThanOrEqual(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Equals(Simd512<T> a, Simd512<T> b) => new(Vector512.Equals(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Select(Simd512<T> mask, Simd512<T> a, Simd512<T> b) => new(Vector512.ConditionalSelect(mask.V, a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Simd512<T> mask) => mask.V.AsInt32() == Vector512<int>.AllBitsSet;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWide(Simd512<T> value)
    {
        double sum = 0;
        for (int i = 0; i < Vector512<T>.Count; i++)
        {
            sum += double.CreateTruncating(value.V.GetElement(i));
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> ScaleByShiftedExponent(Simd512<T> p, Simd512<T> shifted)
    {
        if (typeof(T) == typeof(float))
        {
            Vector512<int> n = shifted.V.AsInt32() - Vector512.Create(FamilyBits.FloatShifterBits);
            Vector512<int> n1 = Vector512.ShiftRightArithmetic(n, 1);
            Vector512<float> s1 = (Vector512.ShiftLeft(n1, 23) + Vector512.Create(FamilyBits.FloatOne)).AsSingle();
            Vector512<float> s2 = (Vector512.ShiftLeft(n - n1, 23) + Vector512.Create(FamilyBits.FloatOne)).AsSingle();
            return new((p.V.AsSingle() * s1 * s2).As<float, T>());
        }
        else
        {
            Vector512<long> n = shifted.V.AsInt64() - Vector512.Create(FamilyBits.DoubleShifterBits);
            Vector512<long> n1 = Vector512.ShiftRightArithmetic(n, 1);
            Vector512<double> s1 = (Vector512.ShiftLeft(n1, 52) + Vector512.Create(FamilyBits.DoubleOne)).AsDouble();
            Vector512<double> s2 = (Vector512.ShiftLeft(n - n1, 52) + Vector512.Create(FamilyBits.DoubleOne)).AsDouble();
            return new((p.V.AsDouble() * s1 * s2).As<double, T>());
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512<T> Decompose(Simd512<T> x, out Simd512<T> k)
    {
        if (typeof(T) == typeof(float))
        {
            Vector512<int> bits = x.V.AsInt32();
            Vector512<int> e = Vector512.ShiftRightLogical(bits, 23);
            k = new(((e + Vector512.Create(FamilyBits.FloatShifterBits - 127)).AsSingle() - Vector512.Create(FamilyBits.FloatShifter)).As<float, T>());
            return new(((bits & Vector512.Create(FamilyBits.FloatMantissa)) | Vector512.Create(FamilyBits.FloatOne)).As<int, T>());
        }
        else
        {
            Vector512<long> bits = x.V.AsInt64();
            Vector512<long> e = Vector512.ShiftRightLogical(bits, 52);
            k = new(((e + Vector512.Create(FamilyBits.DoubleShifterBits - 1023)).AsDouble() - Vector512.Create(FamilyBits.DoubleShifter)).As<double, T>());
            return new(((bits & Vector512.Create(FamilyBits.DoubleMantissa)) | Vector512.Create(FamilyBits.DoubleOne)).As<long, T>());
        }
    }
}

/// <summary>IEEE-754 bit patterns the vector structs share.</summary>
internal static class FamilyBits
{
    public const float FloatShifter = 12582912f;                  // 1.5 * 2^23: adding it rounds to an integer
    public const int FloatShifterBits = 0x4B400000;
    public const int FloatOne = 0x3F800000;
    public const int FloatMantissa = 0x007FFFFF;
    public const double DoubleShifter = 6755399441055744d;        // 1.5 * 2^52
    public const long DoubleShifterBits = 0x4338000000000000;
    public const long DoubleOne = 0x3FF0000000000000;
    public const long DoubleMantissa = 0x000FFFFFFFFFFFFF;
}
