using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace FixedShapeLoss;

// torch.nn.BCELoss (aten/src/ATen/native/Loss.cpp, binary_cross_entropy_out_cpu / _backward_out_cpu), element-wise:
//   l = (y - 1) max(log1p(-x), -100) - y max(log(x), -100)        (x = 0 or 1 gives a finite loss)
//   d l / d x = (x - y) / max((1 - x) x, EPSILON),  EPSILON = 1e-12f, a float constant also in float64, as PyTorch
// Probabilities (and targets) outside [0, 1] or NaN are refused, as PyTorch refuses them, before anything is written.
// log1p(-x) is log(u) + c / u with u = 1 - x and c = (1 - u) - x, the rounding error of u.
public static partial class LossFamily
{
    /// <summary>PyTorch's EPSILON of the BCE gradient: the float 1e-12f, widened (not 1e-12d) in float64.</summary>
    private const float BceEpsilon = 1e-12f;

    /// <summary><c>torch.nn.BCELoss</c> on probabilities.</summary>
    /// <typeparam name="T"><c>float</c> or <c>double</c>.</typeparam>
    /// <param name="probabilities">The predicted probabilities, each in [0, 1].</param>
    /// <param name="targets">The target probabilities in [0, 1], same length.</param>
    /// <param name="reduction">Mean (over all elements) or Sum.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An element is outside [0, 1] or NaN; the message names it.</exception>
    public static T BinaryCrossEntropyLoss<T>(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targets, LossReduction reduction)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckProbabilities(probabilities, targets);
        CheckReduction(reduction);
        double sum = Elementwise<T, OnProbabilities<T>, SumMode>(probabilities, targets, default, 1, default, T.One);
        return Reduce<T>(sum, probabilities.Length, reduction);
    }

    /// <summary><c>torch.nn.BCELoss(reduction='none')</c>: one loss per element.</summary>
    /// <typeparam name="T"><c>float</c> or <c>double</c>.</typeparam>
    /// <param name="probabilities">The predicted probabilities, each in [0, 1].</param>
    /// <param name="targets">The target probabilities in [0, 1], same length.</param>
    /// <param name="losses">Receives the losses, same length (may be <paramref name="probabilities"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">An element is outside [0, 1] or NaN; the message names it.</exception>
    public static void BinaryCrossEntropyLossPerElement<T>(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targets, Span<T> losses)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckProbabilities(probabilities, targets);
        CheckLength(losses.Length, probabilities.Length, nameof(losses));
        Elementwise<T, OnProbabilities<T>, ElementMode>(probabilities, targets, default, 1, losses, T.One);
    }

    /// <summary><c>torch.nn.BCELoss</c> and its gradient with respect to the probabilities.</summary>
    /// <typeparam name="T"><c>float</c> or <c>double</c>.</typeparam>
    /// <param name="probabilities">The predicted probabilities, each in [0, 1].</param>
    /// <param name="targets">The target probabilities in [0, 1], same length.</param>
    /// <param name="reduction">Mean (the gradient is divided by the element count) or Sum.</param>
    /// <param name="gradient">Receives d loss / d probabilities; may be <paramref name="probabilities"/>.</param>
    /// <returns>The reduced loss of the probabilities as they were on entry.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An element is outside [0, 1] or NaN; the message names it.</exception>
    public static T BinaryCrossEntropyLossBackward<T>(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targets, LossReduction reduction, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckProbabilities(probabilities, targets);
        CheckReduction(reduction);
        CheckLength(gradient.Length, probabilities.Length, nameof(gradient));
        double sum = Elementwise<T, OnProbabilities<T>, GradientMode>(probabilities, targets, default, 1, gradient, GradientScale<T>(probabilities.Length, reduction));
        return Reduce<T>(sum, probabilities.Length, reduction);
    }

    private static void CheckProbabilities<T>(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targets)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckLength(targets.Length, probabilities.Length, nameof(targets));
        CheckUnitInterval(probabilities, nameof(probabilities));
        CheckUnitInterval(targets, nameof(targets));
    }

    /// <summary>Throws for the first element outside [0, 1] (NaN included).</summary>
    private static void CheckUnitInterval<T>(ReadOnlySpan<T> values, string paramName)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int i = 0;
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
        {
            i = FirstOutside<T, System.Runtime.Intrinsics.Vector256<T>, FamilyVector256<T>>(values);
        }
        else
        {
            i = FirstOutside<T, System.Runtime.Intrinsics.Vector128<T>, FamilyVector128<T>>(values);
        }

        for (; i < values.Length; i++)
        {
            T v = values[i];
            if (!(v >= T.Zero && v <= T.One))
            {
                ThrowOutside(paramName, i, double.CreateTruncating(v));
            }
        }
    }

    /// <summary>The index of the first whole vector holding an element outside [0, 1], or where the whole vectors end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int FirstOutside<T, TV, TS>(ReadOnlySpan<T> values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TV : struct
        where TS : IFamilyVector<TV, T>
    {
        ref T r = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values);
        TV zero = TS.Splat(T.Zero), one = TS.Splat(T.One);
        int count = TS.Count;
        int i = 0;
        for (; i + count <= values.Length; i += count)
        {
            TV v = TS.Load(ref r, (nuint)i);
            TV inside = TS.Select(TS.GreaterThanOrEqual(v, zero), TS.GreaterThanOrEqual(one, v), zero);
            if (!TS.All(inside))
            {
                break;
            }
        }

        return i;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOutside(string paramName, int index, double value) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            value,
            $"{paramName}[{index}] = {value.ToString("R", CultureInfo.InvariantCulture)} is outside [0, 1]: every element of '{paramName}' must be a probability (PyTorch: \"all elements of input should be between 0 and 1\").");

    private readonly struct OnProbabilities<T> : IElementLoss<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static T Padding => T.CreateTruncating(0.5);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Loss<TV, TS>(TV x, TV y, TV p)
            where TV : struct
            where TS : IFamilyVector<TV, T>
        {
            TV zero = TS.Splat(T.Zero);
            TV one = TS.Splat(T.One);
            TV floor = TS.Splat(T.CreateTruncating(-100));
            TV logX = TS.Max(FamilyMath<T, TV, TS>.Log(x), floor); // log(0) = -inf -> -100
            TV u = TS.Subtract(one, x);
            TV c = TS.Subtract(TS.Subtract(one, u), x);
            TV correction = TS.Select(TS.GreaterThan(u, zero), TS.Divide(c, u), zero);
            TV log1mX = TS.Max(TS.Add(FamilyMath<T, TV, TS>.Log(u), correction), floor);
            return TS.Subtract(TS.Multiply(TS.Subtract(y, one), log1mX), TS.Multiply(y, logX));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV LossAndGradient<TV, TS>(TV x, TV y, TV p, TV scale, out TV gradient)
            where TV : struct
            where TS : IFamilyVector<TV, T>
        {
            TV denominator = TS.Max(TS.Multiply(TS.Subtract(TS.Splat(T.One), x), x), TS.Splat(T.CreateTruncating(BceEpsilon)));
            gradient = TS.Multiply(TS.Divide(TS.Subtract(x, y), denominator), scale);
            return Loss<TV, TS>(x, y, p);
        }
    }
}
