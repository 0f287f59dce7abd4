using System;
using System.Numerics;

namespace FixedShapeLoss.Tests.Family;

/// <summary>A shape and options for <see cref="RuntimeKernel{T, TShape}"/>.</summary>
public interface IRuntimeShape
{
    static abstract int Classes { get; }

    static abstract int IgnoreIndex { get; }

    static abstract LossReduction Reduction { get; }
}

/// <summary>The family members written against the runtime API (<see cref="LossFamily"/>) directly, with the shape of
/// <typeparamref name="TShape"/>: how the tests reach shapes the parser does not yet accept (Classes = 1).</summary>
public sealed class RuntimeKernel<T, TShape> : IFamilyKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
    where TShape : IRuntimeShape
{
    public static T NllLoss(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets) =>
        LossFamily.NllLoss(logProbabilities, targets, ReadOnlySpan<T>.Empty, TShape.Classes, TShape.IgnoreIndex, TShape.Reduction);

    public static T NllLoss(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<T> weight) =>
        LossFamily.NllLoss(logProbabilities, targets, weight, TShape.Classes, TShape.IgnoreIndex, TShape.Reduction);

    public static void NllLossPerSample(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, Span<T> losses) =>
        LossFamily.NllLossPerSample(logProbabilities, targets, ReadOnlySpan<T>.Empty, TShape.Classes, TShape.IgnoreIndex, losses);

    public static T NllLossBackward(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, Span<T> gradient) =>
        LossFamily.NllLossBackward(logProbabilities, targets, ReadOnlySpan<T>.Empty, TShape.Classes, TShape.IgnoreIndex, TShape.Reduction, gradient);

    public static T NllLossBackward(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<T> weight, Span<T> gradient) =>
        LossFamily.NllLossBackward(logProbabilities, targets, weight, TShape.Classes, TShape.IgnoreIndex, TShape.Reduction, gradient);

    public static T BinaryCrossEntropyWithLogitsLoss(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets) =>
        LossFamily.BinaryCrossEntropyWithLogitsLoss(logits, targets, ReadOnlySpan<T>.Empty, TShape.Classes, TShape.Reduction);

    public static T BinaryCrossEntropyWithLogitsLoss(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> posWeight) =>
        LossFamily.BinaryCrossEntropyWithLogitsLoss(logits, targets, posWeight, TShape.Classes, TShape.Reduction);

    public static void BinaryCrossEntropyWithLogitsLossPerElement(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> losses) =>
        LossFamily.BinaryCrossEntropyWithLogitsLossPerElement(logits, targets, ReadOnlySpan<T>.Empty, TShape.Classes, losses);

    public static T BinaryCrossEntropyWithLogitsLossBackward(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient) =>
        LossFamily.BinaryCrossEntropyWithLogitsLossBackward(logits, targets, ReadOnlySpan<T>.Empty, TShape.Classes, TShape.Reduction, gradient);

    public static T BinaryCrossEntropyWithLogitsLossBackward(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> posWeight, Span<T> gradient) =>
        LossFamily.BinaryCrossEntropyWithLogitsLossBackward(logits, targets, posWeight, TShape.Classes, TShape.Reduction, gradient);

    public static T BinaryCrossEntropyLoss(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targets) =>
        LossFamily.BinaryCrossEntropyLoss(probabilities, targets, TShape.Reduction);

    public static void BinaryCrossEntropyLossPerElement(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targets, Span<T> losses) =>
        LossFamily.BinaryCrossEntropyLossPerElement(probabilities, targets, losses);

    public static T BinaryCrossEntropyLossBackward(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targets, Span<T> gradient) =>
        LossFamily.BinaryCrossEntropyLossBackward(probabilities, targets, TShape.Reduction, gradient);
}

/// <summary>One class (a single binary output per row), Mean.</summary>
public readonly struct OneClassMean : IRuntimeShape
{
    public static int Classes => 1;

    public static int IgnoreIndex => -100;

    public static LossReduction Reduction => LossReduction.Mean;
}

/// <summary>One class, Sum.</summary>
public readonly struct OneClassSum : IRuntimeShape
{
    public static int Classes => 1;

    public static int IgnoreIndex => -100;

    public static LossReduction Reduction => LossReduction.Sum;
}

/// <summary>One class, Mean, IgnoreIndex 0 (the only class): every row ignored.</summary>
public readonly struct OneClassIgnoreAll : IRuntimeShape
{
    public static int Classes => 1;

    public static int IgnoreIndex => 0;

    public static LossReduction Reduction => LossReduction.Mean;
}
