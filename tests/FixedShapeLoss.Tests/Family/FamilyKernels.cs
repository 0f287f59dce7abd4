using System;
using System.Numerics;

namespace FixedShapeLoss.Tests.Family;

/// <summary>The generated loss-family members as static abstract interface members, so one generic test body drives
/// every float and double kernel class below.</summary>
public interface IFamilyKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract T NllLoss(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets);
    static abstract T NllLoss(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<T> weight);
    static abstract void NllLossPerSample(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, Span<T> losses);
    static abstract T NllLossBackward(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, Span<T> gradient);
    static abstract T NllLossBackward(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<T> weight, Span<T> gradient);
    static abstract T BinaryCrossEntropyWithLogitsLoss(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets);
    static abstract T BinaryCrossEntropyWithLogitsLoss(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> posWeight);
    static abstract void BinaryCrossEntropyWithLogitsLossPerElement(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> losses);
    static abstract T BinaryCrossEntropyWithLogitsLossBackward(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient);
    static abstract T BinaryCrossEntropyWithLogitsLossBackward(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> posWeight, Span<T> gradient);
    static abstract T BinaryCrossEntropyLoss(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targets);
    static abstract void BinaryCrossEntropyLossPerElement(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targets, Span<T> losses);
    static abstract T BinaryCrossEntropyLossBackward(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targets, Span<T> gradient);
}

// The shapes of torch-family.json, each in Mean and Sum, float32 cases as float and float64 cases as double.
[LossKernel(Batch = 4, Classes = 7, ElementType = typeof(double))] public partial class FamilyD4x7 : IFamilyKernel<double> { }
[LossKernel(Batch = 4, Classes = 7, ElementType = typeof(double), Reduction = LossReduction.Sum)] public partial class FamilyD4x7Sum : IFamilyKernel<double> { }
[LossKernel(Batch = 3, Classes = 5, ElementType = typeof(double))] public partial class FamilyD3x5 : IFamilyKernel<double> { }
[LossKernel(Batch = 3, Classes = 5, ElementType = typeof(double), Reduction = LossReduction.Sum)] public partial class FamilyD3x5Sum : IFamilyKernel<double> { }
[LossKernel(Batch = 5, Classes = 3, ElementType = typeof(double))] public partial class FamilyD5x3 : IFamilyKernel<double> { }
[LossKernel(Batch = 5, Classes = 3, ElementType = typeof(double), Reduction = LossReduction.Sum)] public partial class FamilyD5x3Sum : IFamilyKernel<double> { }
[LossKernel(Batch = 4, Classes = 7)] public partial class FamilyF4x7 : IFamilyKernel<float> { }
[LossKernel(Batch = 4, Classes = 7, Reduction = LossReduction.Sum)] public partial class FamilyF4x7Sum : IFamilyKernel<float> { }
[LossKernel(Batch = 6, Classes = 4)] public partial class FamilyF6x4 : IFamilyKernel<float> { }
[LossKernel(Batch = 6, Classes = 4, Reduction = LossReduction.Sum)] public partial class FamilyF6x4Sum : IFamilyKernel<float> { }
[LossKernel(Batch = 4, Classes = 5)] public partial class FamilyF4x5 : IFamilyKernel<float> { }
[LossKernel(Batch = 4, Classes = 5, Reduction = LossReduction.Sum)] public partial class FamilyF4x5Sum : IFamilyKernel<float> { }
[LossKernel(Batch = 2, Classes = 3)] public partial class FamilyF2x3 : IFamilyKernel<float> { }
[LossKernel(Batch = 2, Classes = 3, Reduction = LossReduction.Sum)] public partial class FamilyF2x3Sum : IFamilyKernel<float> { }
[LossKernel(Batch = 8, Classes = 1)] public partial class FamilyF8x1 : IFamilyKernel<float> { }
[LossKernel(Batch = 8, Classes = 1, Reduction = LossReduction.Sum)] public partial class FamilyF8x1Sum : IFamilyKernel<float> { }

// Shapes for the property tests against the double reference: shorter and longer than every vector width, a partial
// last vector at each width, the row loop (more than 16 rows), IgnoreIndex inside [0, Classes).
[LossKernel(Batch = 1, Classes = 2)] public partial class FamilyF1x2 : IFamilyKernel<float> { }
[LossKernel(Batch = 32, Classes = 10)] public partial class FamilyF32x10 : IFamilyKernel<float> { }
[LossKernel(Batch = 32, Classes = 10, ElementType = typeof(double), Reduction = LossReduction.Sum)] public partial class FamilyD32x10Sum : IFamilyKernel<double> { }
[LossKernel(Batch = 3, Classes = 129, Reduction = LossReduction.Sum, IgnoreIndex = 7)] public partial class FamilyF3x129SumIgnore7 : IFamilyKernel<float> { }
[LossKernel(Batch = 16, Classes = 17, ElementType = typeof(double), IgnoreIndex = 0)] public partial class FamilyD16x17Ignore0 : IFamilyKernel<double> { }
[LossKernel(Batch = 7, Classes = 5, ElementType = typeof(double), IgnoreIndex = -1)] public partial class FamilyD7x5Ignore : IFamilyKernel<double> { }
[LossKernel(Batch = 300, Classes = 40, IgnoreIndex = -1)] public partial class FamilyF300x40 : IFamilyKernel<float> { }

// One class (a single binary output per row) in double: Sum, and IgnoreIndex 0 (the only class: every row ignored).
[LossKernel(Batch = 8, Classes = 1, ElementType = typeof(double))] public partial class FamilyD8x1 : IFamilyKernel<double> { }
[LossKernel(Batch = 8, Classes = 1, ElementType = typeof(double), Reduction = LossReduction.Sum)] public partial class FamilyD8x1Sum : IFamilyKernel<double> { }
[LossKernel(Batch = 3, Classes = 1, ElementType = typeof(double), IgnoreIndex = 0)] public partial class FamilyD3x1Ignore0 : IFamilyKernel<double> { }
