using System.Numerics;
using System.Runtime.CompilerServices;

namespace FixedShapeLoss;

/// <summary>An element-wise operation of the generic loops: <c>f(x, y; a, b, c)</c> on one vector of each input
/// (<c>y</c> only when <see cref="UsesY"/>), with three scalars broadcast.</summary>
internal interface ISimdOperator
{
    /// <summary>Whether the operation reads the second input.</summary>
    static abstract bool UsesY { get; }

    /// <summary>The operation on one vector.</summary>
    static abstract TV Invoke<TV, T>(TV x, TV y, TV a, TV b, TV c)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;
}

/// <summary><c>x</c>: with a sum, <c>sum_j x_j</c>.</summary>
internal readonly struct IdentityOperator : ISimdOperator
{
    public static bool UsesY => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, T>(TV x, TV y, TV a, TV b, TV c)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => x;
}

/// <summary><c>x - a</c>: with a sum, <c>sum_j (x_j - a)</c>; as a map, subtracts a scalar.</summary>
internal readonly struct ShiftedOperator : ISimdOperator
{
    public static bool UsesY => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, T>(TV x, TV y, TV a, TV b, TV c)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => TV.Subtract(x, a);
}

/// <summary><c>x * y</c>: with a sum, the dot product.</summary>
internal readonly struct ProductOperator : ISimdOperator
{
    public static bool UsesY => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, T>(TV x, TV y, TV a, TV b, TV c)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => TV.Multiply(x, y);
}

/// <summary><c>y * (x - a)</c>: with a sum, <c>sum_j w_j (x_j - m)</c> (y = w).</summary>
internal readonly struct WeightedShiftedOperator : ISimdOperator
{
    public static bool UsesY => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, T>(TV x, TV y, TV a, TV b, TV c)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => TV.Multiply(y, TV.Subtract(x, a));
}

/// <summary><c>(b * y + c) * (x - a)</c>: with a sum, <c>sum_j t'_j (x_j - m)</c> for smoothed targets
/// <c>t' = (1 - e) t + e / C</c> (y = t, b = 1 - e, c = e / C), each t'_j formed first as PyTorch does.</summary>
internal readonly struct SmoothedShiftedOperator : ISimdOperator
{
    public static bool UsesY => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, T>(TV x, TV y, TV a, TV b, TV c)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => TV.Multiply(TV.Add(TV.Multiply(b, y), c), TV.Subtract(x, a));
}

/// <summary><c>exp(x - a)</c>: the shifted exponentials of a softmax.</summary>
internal readonly struct ExpShiftedOperator : ISimdOperator
{
    public static bool UsesY => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, T>(TV x, TV y, TV a, TV b, TV c)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => TV.Exp(TV.Subtract(x, a));
}

/// <summary><c>exp(x - a)</c> where <c>a</c> is the row's maximum, so <c>x - a &lt;= 0</c>: the softmax's exp, the same bits
/// as <see cref="ExpShiftedOperator"/> on that range in fewer steps (<see cref="SimdExp.NonPositiveInlined{TV, T}"/> for
/// double, inlined into the loop instead of a call per vector; <see cref="KernelMath.ExpBelowMax(System.Runtime.Intrinsics.Vector256{float})"/> for
/// float).</summary>
internal readonly struct ExpBelowMaxOperator : ISimdOperator
{
    public static bool UsesY => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, T>(TV x, TV y, TV a, TV b, TV c)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        typeof(T) == typeof(double) ? SimdExp.NonPositiveInlined<TV, T>(TV.Subtract(x, a)) : TV.ExpBelowMax(TV.Subtract(x, a));
}

/// <summary><see cref="ExpBelowMaxOperator"/> for a sum of exps only, never stored (float: <see cref="ISimdVector{TSelf, T}.ExpBelowMaxInSum"/>,
/// one operation fewer with AVX-512): the same sum when it is finite; a caller whose sum is not finite computes it again
/// with <see cref="ExpBelowMaxOperator"/>.</summary>
internal readonly struct ExpBelowMaxInSumOperator : ISimdOperator
{
    public static bool UsesY => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, T>(TV x, TV y, TV a, TV b, TV c)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        typeof(T) == typeof(double) ? ExpBelowMaxOperator.Invoke<TV, T>(x, y, a, b, c) : TV.ExpBelowMaxInSum(TV.Subtract(x, a));
}

/// <summary><c>x * a</c>.</summary>
internal readonly struct ScaleOperator : ISimdOperator
{
    public static bool UsesY => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, T>(TV x, TV y, TV a, TV b, TV c)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => TV.Multiply(x, a);
}

/// <summary><c>x / a</c>.</summary>
internal readonly struct DivideOperator : ISimdOperator
{
    public static bool UsesY => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, T>(TV x, TV y, TV a, TV b, TV c)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => TV.Divide(x, a);
}

/// <summary><c>y + a * x</c> (one rounding where the ISA has FMA): adds a multiple of x to y.</summary>
internal readonly struct AddScaledOperator : ISimdOperator
{
    public static bool UsesY => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, T>(TV x, TV y, TV a, TV b, TV c)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => TV.MultiplyAdd(x, a, y);
}

/// <summary><c>(x - a) - b</c>: log-softmax, <c>(x_j - m) - log s</c>, rounded in PyTorch's order.</summary>
internal readonly struct LogSoftmaxOperator : ISimdOperator
{
    public static bool UsesY => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, T>(TV x, TV y, TV a, TV b, TV c)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => TV.Subtract(TV.Subtract(x, a), b);
}

/// <summary><c>exp(x)</c>.</summary>
internal readonly struct ExpOperator : ISimdOperator
{
    public static bool UsesY => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, T>(TV x, TV y, TV a, TV b, TV c)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => TV.Exp(x);
}

/// <summary>One step of a reduction of <see cref="SpanLoops.Reduce"/>: the accumulator after one more vector of the
/// inputs, and that vector's own value (which a storing reduction writes out).</summary>
internal interface ISimdAccumulator
{
    /// <summary>Whether the step reads the second input.</summary>
    static abstract bool UsesY { get; }

    /// <summary>The accumulator <paramref name="acc"/> after the vectors <paramref name="x"/>, <paramref name="y"/>.</summary>
    static abstract TV Accumulate<TV, T>(TV acc, TV x, TV y, TV a, out TV value)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;
}

/// <summary><c>acc + op(x, y; a)</c>: the sum of an operator's values.</summary>
internal readonly struct SumAccumulator<TOp> : ISimdAccumulator
    where TOp : struct, ISimdOperator
{
    public static bool UsesY => TOp.UsesY;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Accumulate<TV, T>(TV acc, TV x, TV y, TV a, out TV value)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        value = TOp.Invoke<TV, T>(x, y, a, a, a);
        return TV.Add(acc, value);
    }
}

/// <summary><c>x * y + acc</c>, one rounding where the ISA has FMA: the dot product.</summary>
internal readonly struct FusedDotAccumulator : ISimdAccumulator
{
    public static bool UsesY => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Accumulate<TV, T>(TV acc, TV x, TV y, TV a, out TV value)
        where TV : struct, ISimdVector<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        value = default;
        return TV.MultiplyAdd(x, y, acc);
    }
}
