using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace FixedShapeLoss;

// torch.nn.BCEWithLogitsLoss (aten/src/ATen/native/Loss.cpp, binary_cross_entropy_with_logits), element-wise over
// the B x C matrix, p = posWeight[c] (1 without it):
//   l = (1 - y) x + (1 + (p - 1) y) softplus(-x),   softplus(-x) = max(-x, 0) + log1p(exp(-|x|))
// (PyTorch writes the last term log(exp(-m) + exp(-x - m)) with m = max(-x, 0): the same number, never overflowing:
// exp only ever sees -|x|, so |x| = 1e4 is exact and a saturated logit gives (1 - y) x + max(-x, 0) exactly).
//   d l / d x = sigmoid(x) (1 + (p - 1) y) - p y     (without posWeight: sigmoid(x) - y, as PyTorch)
// sigmoid(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0, e = exp(-|x|). Mean divides by B * C.
public static partial class LossFamily
{
    /// <summary><c>torch.nn.BCEWithLogitsLoss</c> over a row-major matrix of logits.</summary>
    /// <typeparam name="T"><c>float</c> or <c>double</c>.</typeparam>
    /// <param name="logits">The <c>batch × classes</c> logits.</param>
    /// <param name="targets">The target probabilities in [0, 1] (soft labels allowed), same length.</param>
    /// <param name="posWeight">Empty, or one weight per class for the positive term (<c>pos_weight</c>).</param>
    /// <param name="classes">Columns per row (1 for plain binary classification).</param>
    /// <param name="reduction">Mean (over all elements) or Sum.</param>
    /// <returns>The reduced loss.</returns>
    public static T BinaryCrossEntropyWithLogitsLoss<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> posWeight, int classes, LossReduction reduction)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckLogits(logits, targets, posWeight, classes);
        CheckReduction(reduction);
        double sum = Elementwise<T, WithLogits<T>, SumMode>(logits, targets, posWeight, classes, default, T.One);
        return Reduce<T>(sum, logits.Length, reduction);
    }

    /// <summary><c>torch.nn.BCEWithLogitsLoss(reduction='none')</c>: one loss per element.</summary>
    /// <typeparam name="T"><c>float</c> or <c>double</c>.</typeparam>
    /// <param name="logits">The <c>batch × classes</c> logits.</param>
    /// <param name="targets">The target probabilities, same length.</param>
    /// <param name="posWeight">Empty, or one weight per class for the positive term.</param>
    /// <param name="classes">Columns per row.</param>
    /// <param name="losses">Receives the losses, same length (may be <paramref name="logits"/>).</param>
    public static void BinaryCrossEntropyWithLogitsLossPerElement<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> posWeight, int classes, Span<T> losses)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckLogits(logits, targets, posWeight, classes);
        CheckLength(losses.Length, logits.Length, nameof(losses));
        Elementwise<T, WithLogits<T>, ElementMode>(logits, targets, posWeight, classes, losses, T.One);
    }

    /// <summary><c>torch.nn.BCEWithLogitsLoss</c> and its gradient with respect to the logits.</summary>
    /// <typeparam name="T"><c>float</c> or <c>double</c>.</typeparam>
    /// <param name="logits">The <c>batch × classes</c> logits.</param>
    /// <param name="targets">The target probabilities, same length.</param>
    /// <param name="posWeight">Empty, or one weight per class for the positive term.</param>
    /// <param name="classes">Columns per row.</param>
    /// <param name="reduction">Mean (the gradient is divided by the element count) or Sum.</param>
    /// <param name="gradient">Receives d loss / d logits, same length; may be <paramref name="logits"/>.</param>
    /// <returns>The reduced loss of the logits as they were on entry.</returns>
    public static T BinaryCrossEntropyWithLogitsLossBackward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> posWeight, int classes, LossReduction reduction, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckLogits(logits, targets, posWeight, classes);
        CheckReduction(reduction);
        CheckLength(gradient.Length, logits.Length, nameof(gradient));
        double sum = Elementwise<T, WithLogits<T>, GradientMode>(logits, targets, posWeight, classes, gradient, GradientScale<T>(logits.Length, reduction));
        return Reduce<T>(sum, logits.Length, reduction);
    }

    private static void CheckLogits<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> posWeight, int classes)
    {
        Rows(logits.Length, classes, nameof(logits));
        CheckLength(targets.Length, logits.Length, nameof(targets));
        CheckOptional(posWeight.Length, classes, nameof(posWeight));
    }

    private readonly struct WithLogits<T> : IElementLoss<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static T Padding => T.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Loss<TV, TS>(TV x, TV y, TV p)
            where TV : struct
            where TS : IFamilyVector<TV, T> =>
            Terms<TV, TS>(x, y, p, out _, out _);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV LossAndGradient<TV, TS>(TV x, TV y, TV p, TV scale, out TV gradient)
            where TV : struct
            where TS : IFamilyVector<TV, T>
        {
            TV loss = Terms<TV, TS>(x, y, p, out TV e, out TV logWeight);
            TV r = TS.Divide(TS.Splat(T.One), TS.Add(TS.Splat(T.One), e));
            TV sigmoid = TS.Select(TS.GreaterThanOrEqual(x, TS.Splat(T.Zero)), r, TS.Multiply(e, r));
            gradient = TS.Multiply(TS.MulAdd(sigmoid, logWeight, TS.Subtract(TS.Splat(T.Zero), TS.Multiply(p, y))), scale);
            return loss;
        }

        // l = (1 - y) x + w softplus(-x), w = (p - 1) y + 1; e = exp(-|x|) for the sigmoid.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TV Terms<TV, TS>(TV x, TV y, TV p, out TV e, out TV logWeight)
            where TV : struct
            where TS : IFamilyVector<TV, T>
        {
            TV zero = TS.Splat(T.Zero);
            TV one = TS.Splat(T.One);
            e = FamilyMath<T, TV, TS>.ExpNonPositive(TS.Subtract(zero, TS.Abs(x)));
            TV softplus = TS.Add(TS.Max(TS.Subtract(zero, x), zero), FamilyMath<T, TV, TS>.Log1pUnit(e));
            logWeight = TS.MulAdd(TS.Subtract(p, one), y, one);
            return TS.MulAdd(logWeight, softplus, TS.Multiply(TS.Subtract(one, y), x));
        }
    }
}
