using System.Numerics;

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
