using System.Numerics;

namespace FixedShapeLoss;

// The generic kernel core (float and double) is written once over this interface, the way
// System.Numerics.Tensors' TensorPrimitives writes its operators once over the element type: a loop driver
// (SimdLoops) takes an operator struct (SimdOperators) and a vector type, and the JIT compiles one copy per
// (vector, operator) pair with everything inlined. The vector types are thin wrappers over Vector512<T>,
// Vector256<T>, Vector128<T> and a one-lane scalar (SimdScalar<T>, for machines without SIMD), so a loop is
// written once for every width instead of once per width.
//
// Edges: every load and store of a partial vector goes through LoadPartial/StorePartial, which never touch
// memory outside the first `count` elements (masked loads where the ISA has them, element copies otherwise),
// so no path reads or writes outside the spans it is given.

/// <summary>One SIMD register of <typeparamref name="T"/> (float or double) at one width: the operations the
/// generic loops and operators need, implemented by <see cref="Simd512{T}"/>, <see cref="Simd256{T}"/>,
/// <see cref="Simd128{T}"/> and <see cref="SimdScalar{T}"/>.</summary>
/// <typeparam name="TSelf">The implementing vector type.</typeparam>
/// <typeparam name="T">The element type, float or double.</typeparam>
internal interface ISimdVector<TSelf, T>
    where TSelf : struct, ISimdVector<TSelf, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Lanes in one vector.</summary>
    static abstract int Count { get; }

    /// <summary>Whether this width runs on hardware (the scalar one always does).</summary>
    static abstract bool IsHardwareAccelerated { get; }

    /// <summary>Every lane <paramref name="value"/>.</summary>
    static abstract TSelf Create(T value);

    /// <summary><see cref="Count"/> elements from <paramref name="source"/>.</summary>
    static abstract TSelf Load(ref T source);

    /// <summary>Lane k from <c>source[k * stride]</c>: one column of <see cref="Count"/> rows of a row-major matrix,
    /// built in registers (no store to memory and reload, which would stall on store forwarding).</summary>
    static abstract TSelf LoadColumn(ref T source, int stride);

    /// <summary>The first <paramref name="count"/> (0 &lt; count &lt; Count) elements from <paramref name="source"/>, other
    /// lanes <paramref name="fill"/>; never reads an element past <paramref name="count"/>.</summary>
    static abstract TSelf LoadPartial(ref T source, int count, T fill);

    /// <summary>Writes all lanes to <paramref name="destination"/>.</summary>
    static abstract void Store(TSelf value, ref T destination);

    /// <summary>Writes the first <paramref name="count"/> (0 &lt; count &lt; Count) lanes; never writes an element past them.</summary>
    static abstract void StorePartial(TSelf value, ref T destination, int count);

    /// <summary>The lanes below <paramref name="count"/> kept, the others +0 (bitwise).</summary>
    static abstract TSelf KeepLanesBelow(TSelf value, int count);

    /// <summary><c>a + b</c>.</summary>
    static abstract TSelf Add(TSelf a, TSelf b);

    /// <summary><c>a - b</c>.</summary>
    static abstract TSelf Subtract(TSelf a, TSelf b);

    /// <summary><c>a * b</c>.</summary>
    static abstract TSelf Multiply(TSelf a, TSelf b);

    /// <summary><c>a / b</c>.</summary>
    static abstract TSelf Divide(TSelf a, TSelf b);

    /// <summary><c>a * b + c</c>, fused (one rounding) when the ISA has FMA, at every width alike.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary><c>a &gt; b ? a : b</c> per lane (so <paramref name="b"/> where either is NaN).</summary>
    static abstract TSelf Max(TSelf a, TSelf b);

    /// <summary><c>x &lt; low ? low : x &gt; high ? high : x</c> per lane; NaN stays NaN.</summary>
    static abstract TSelf Clamp(TSelf x, T low, T high);

    /// <summary>All-ones lanes where <paramref name="a"/> or <paramref name="b"/> is NaN, +0 elsewhere.</summary>
    static abstract TSelf Unordered(TSelf a, TSelf b);

    /// <summary><c>a | b</c>, bitwise.</summary>
    static abstract TSelf Or(TSelf a, TSelf b);

    /// <summary>The lanes below <paramref name="first"/> from <paramref name="below"/>, the others from <paramref name="from"/>.</summary>
    static abstract TSelf BlendFrom(TSelf below, TSelf from, int first);

    /// <summary>Whether any lane is NaN.</summary>
    static abstract bool AnyNaN(TSelf x);

    /// <summary>exp of each lane (<see cref="SimdExp"/>).</summary>
    static abstract TSelf Exp(TSelf x);

    /// <summary>exp of each lane for lanes at most 0 or NaN, the bits of <see cref="Exp"/>: for float in fewer steps
    /// (<see cref="KernelMath.ExpBelowMax(System.Runtime.Intrinsics.Vector256{float})"/>); for double <see cref="Exp"/> itself (the inlined
    /// shortcut is <see cref="SimdExp.NonPositiveInlined{TV, T}"/>).</summary>
    static abstract TSelf ExpBelowMax(TSelf x);

    /// <summary><see cref="ExpBelowMax"/> for lanes that only go into a sum: the same bits for every lane at least -104;
    /// below, ±0 or (from about -2e20) a non-finite value, so a caller whose sum is not finite takes
    /// <see cref="ExpBelowMax"/> again (<see cref="KernelMath.ExpBelowMaxInSum(System.Runtime.Intrinsics.Vector512{float})"/>:
    /// float with AVX-512 at 512 bits; <see cref="ExpBelowMax"/> itself elsewhere).</summary>
    static abstract TSelf ExpBelowMaxInSum(TSelf x);

    /// <summary>2^(n + <paramref name="scale"/>) for lanes <c>t = n + 1.5 * 2^52</c> (double only; n + scale an integer
    /// in [-1022, 1023]).</summary>
    static abstract TSelf Pow2FromShifted(TSelf t, int scale);

    /// <summary>The table step of <see cref="SimdLog"/> (double only; positive normal x or NaN): x = z * 2^k with z in
    /// [<see cref="SimdLogTable.Offset"/>, 2 <see cref="SimdLogTable.Offset"/>) as bits, and the row of z's interval in
    /// <see cref="SimdLogTable"/>, lane by lane. Returns z.</summary>
    /// <param name="x">The lanes.</param>
    /// <param name="k">The power of two, as a double.</param>
    /// <param name="c">The row's c (near the middle of z's interval).</param>
    /// <param name="inverse">The row's 1 / c.</param>
    /// <param name="logHigh">The row's log c, rounded to a multiple of 2^-42.</param>
    /// <param name="logLow">The row's log c - <paramref name="logHigh"/>.</param>
    static abstract TSelf LogReduce(TSelf x, out TSelf k, out TSelf c, out TSelf inverse, out TSelf logHigh, out TSelf logLow);

    /// <summary>The sum of the lanes.</summary>
    static abstract T Sum(TSelf x);

    /// <summary>The largest lane (as <see cref="Max"/>: NaN lanes are not seen).</summary>
    static abstract T MaxAcross(TSelf x);
}
