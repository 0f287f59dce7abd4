using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace FixedShapeLoss;

// The few vector operations the element-wise losses need, as static abstract members, so that their math
// (FamilyMath) and their loops (LossFamily.Drive) are written once and compiled by the JIT for 128-, 256- and
// 512-bit vectors of float or double. The float exp of the cross-entropy kernels (KernelMath.Exp.cs,
// KernelMath.ExpTable.cs) is written once over them too: the raw vector types, not wrapper structs, keep every
// operation inlined into the large callers (wrapping them, as ISimdVector's Simd128/256/512 do, stopped the JIT
// inlining the element-wise losses' terms: stop 16). Only the bit-level steps (2^n from a shifted exponent, splitting a number
// into mantissa and exponent) depend on the element type; each is a typeof(T) test the JIT folds.
internal interface IFamilyVector<TV, T>
    where TV : struct
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract int Count { get; }

    static abstract TV Load(ref T source, nuint index);

    static abstract void Store(TV value, ref T destination, nuint index);

    static abstract TV Splat(T value);

    static abstract TV Add(TV a, TV b);

    static abstract TV Subtract(TV a, TV b);

    static abstract TV Multiply(TV a, TV b);

    static abstract TV Divide(TV a, TV b);

    /// <summary><c>a * b + c</c>, fused where the CPU has FMA.</summary>
    static abstract TV MulAdd(TV a, TV b, TV c);

    static abstract TV Abs(TV a);

    /// <summary>Lane-wise <c>a &gt; b ? a : b</c>: NaN in either gives <paramref name="b"/>, as do equal lanes (x86's
    /// max instruction, which it is where the CPU has it).</summary>
    static abstract TV Max(TV a, TV b);

    /// <summary>Lane-wise <c>a &lt; b ? a : b</c>: NaN in either gives <paramref name="b"/>, as do equal lanes (x86's min).</summary>
    static abstract TV Min(TV a, TV b);

    static abstract TV GreaterThan(TV a, TV b);

    static abstract TV GreaterThanOrEqual(TV a, TV b);

    static abstract TV Equals(TV a, TV b);

    /// <summary><c>mask ? a : b</c> lane by lane.</summary>
    static abstract TV Select(TV mask, TV a, TV b);

    /// <summary>True when every lane of <paramref name="mask"/> is set.</summary>
    static abstract bool All(TV mask);

    /// <summary>The sum of the lanes, each widened to double and added in double.</summary>
    static abstract double SumWide(TV value);

    /// <summary><c>p * 2^n</c> where the integer <c>n</c> sits in the low bits of <c>shifted = n + 1.5 * 2^52</c> (float:
    /// <c>1.5 * 2^23</c>), in two exact power-of-two factors, <c>2^(n &gt;&gt; 1)</c> then <c>2^(n - (n &gt;&gt; 1))</c>, so a
    /// subnormal result is rounded once.</summary>
    static abstract TV ScaleByShiftedExponent(TV p, TV shifted);

    /// <summary>The bits of <paramref name="shifted"/> plus <paramref name="bias"/>, moved into the exponent field: with
    /// <c>shifted = n + 1.5 * 2^23</c> (float) and <paramref name="bias"/> = 127 + b - 0x4B400000, that is <c>2^(n + b)</c>.</summary>
    static abstract TV Pow2FromShifted(TV shifted, int bias);

    /// <summary>Splits a positive, normal <paramref name="x"/> into <c>m * 2^k</c> with <c>m</c> in [1, 2).</summary>
    static abstract TV Decompose(TV x, out TV k);
}

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

        if (AdvSimd.Arm64.IsSupported && typeof(T) == typeof(double))
        {
            // ARM64, double: fused (fmla), as the generic core's Simd128 (float stays unfused there, as KernelMath's).
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

        if (AdvSimd.Arm64.IsSupported && typeof(T) == typeof(double))
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

        if (Fma.IsSupported || (AdvSimd.Arm64.IsSupported && typeof(T) == typeof(double)))
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
