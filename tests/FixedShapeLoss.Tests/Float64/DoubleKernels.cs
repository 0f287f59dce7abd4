using System;

namespace FixedShapeLoss.Tests.Float64;

/// <summary>The generated members of a float64 kernel (<c>ElementType = typeof(double)</c>), so one generic test body
/// drives every double shape compiled into this assembly.</summary>
public interface ILossKernel64
{
    static abstract void Normalize(Span<double> values);
    static abstract void Softmax(ReadOnlySpan<double> logits, Span<double> destination);
    static abstract void LogSoftmax(ReadOnlySpan<double> logits, Span<double> destination);
    static abstract void OneHot(ReadOnlySpan<int> labels, Span<double> destination);
    static abstract void Labels(ReadOnlySpan<double> oneHot, Span<int> destination);
    static abstract double CrossEntropy(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels);
    static abstract double CrossEntropy(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> oneHot);
    static abstract double CrossEntropyLoss(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets);
    static abstract double CrossEntropyLoss(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> weight);
    static abstract double CrossEntropyLoss(ReadOnlySpan<double> logits, ReadOnlySpan<double> targetProbabilities);
    static abstract void CrossEntropyLossPerSample(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> losses);
    static abstract void CrossEntropyLossPerSample(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> weight, Span<double> losses);
    static abstract double CrossEntropyLossBackward(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, Span<double> gradient);
    static abstract double CrossEntropyLossBackward(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> weight, Span<double> gradient);
    static abstract double CrossEntropyLossBackward(ReadOnlySpan<double> logits, ReadOnlySpan<double> targetProbabilities, Span<double> gradient);
    static abstract double NllLoss(ReadOnlySpan<double> logProbabilities, ReadOnlySpan<int> targets);
    static abstract double NllLoss(ReadOnlySpan<double> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<double> weight);
    static abstract void NllLossPerSample(ReadOnlySpan<double> logProbabilities, ReadOnlySpan<int> targets, Span<double> losses);
    static abstract double NllLossBackward(ReadOnlySpan<double> logProbabilities, ReadOnlySpan<int> targets, Span<double> gradient);
    static abstract double NllLossBackward(ReadOnlySpan<double> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<double> weight, Span<double> gradient);
    static abstract double BinaryCrossEntropyWithLogitsLoss(ReadOnlySpan<double> logits, ReadOnlySpan<double> targets);
    static abstract double BinaryCrossEntropyWithLogitsLoss(ReadOnlySpan<double> logits, ReadOnlySpan<double> targets, ReadOnlySpan<double> posWeight);
    static abstract void BinaryCrossEntropyWithLogitsLossPerElement(ReadOnlySpan<double> logits, ReadOnlySpan<double> targets, Span<double> losses);
    static abstract double BinaryCrossEntropyWithLogitsLossBackward(ReadOnlySpan<double> logits, ReadOnlySpan<double> targets, Span<double> gradient);
    static abstract double BinaryCrossEntropyWithLogitsLossBackward(ReadOnlySpan<double> logits, ReadOnlySpan<double> targets, ReadOnlySpan<double> posWeight, Span<double> gradient);
    static abstract double BinaryCrossEntropyLoss(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> targets);
    static abstract void BinaryCrossEntropyLossPerElement(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> targets, Span<double> losses);
    static abstract double BinaryCrossEntropyLossBackward(ReadOnlySpan<double> probabilities, ReadOnlySpan<double> targets, Span<double> gradient);
}

// The float64 shapes of torch-family.json, Mean and Sum.
[LossKernel(Batch = 4, Classes = 7, ElementType = typeof(double))] public partial class D4x7 : ILossKernel64 { }
[LossKernel(Batch = 4, Classes = 7, ElementType = typeof(double), Reduction = LossReduction.Sum)] public partial class D4x7Sum : ILossKernel64 { }
[LossKernel(Batch = 3, Classes = 5, ElementType = typeof(double))] public partial class D3x5 : ILossKernel64 { }
[LossKernel(Batch = 3, Classes = 5, ElementType = typeof(double), Reduction = LossReduction.Sum)] public partial class D3x5Sum : ILossKernel64 { }
[LossKernel(Batch = 5, Classes = 3, ElementType = typeof(double), LabelSmoothing = 0.1f)] public partial class D5x3Smooth : ILossKernel64 { }
[LossKernel(Batch = 5, Classes = 3, ElementType = typeof(double), LabelSmoothing = 0.1f, Reduction = LossReduction.Sum)] public partial class D5x3SmoothSum : ILossKernel64 { }

// Random shapes against the double-double reference: both strategies, rows shorter and longer than a vector,
// smoothing, IgnoreIndex inside [0, C), a C# 10-style non-generic path is covered by the plain kernels too.
[LossKernel(Batch = 2, Classes = 3, ElementType = typeof(double))] public partial class D2x3 : ILossKernel64 { }
[LossKernel(Batch = 1, Classes = 2, ElementType = typeof(double), Reduction = LossReduction.Sum)] public partial class D1x2Sum : ILossKernel64 { }
[LossKernel(Batch = 16, Classes = 17, ElementType = typeof(double))] public partial class D16x17 : ILossKernel64 { }
[LossKernel(Batch = 32, Classes = 10, ElementType = typeof(double))] public partial class D32x10 : ILossKernel64 { }
[LossKernel(Batch = 3, Classes = 129, ElementType = typeof(double), Reduction = LossReduction.Sum)] public partial class D3x129Sum : ILossKernel64 { }
[LossKernel(Batch = 20, Classes = 33, ElementType = typeof(double), LabelSmoothing = 0.25f)] public partial class D20x33Smooth : ILossKernel64 { }
[LossKernel(Batch = 7, Classes = 5, ElementType = typeof(double), LabelSmoothing = 1f, IgnoreIndex = 4)] public partial class D7x5FullSmooth : ILossKernel64 { }
[LossKernel(Batch = 40, Classes = 300, ElementType = typeof(double), Reduction = LossReduction.Sum, LabelSmoothing = 0.05f, IgnoreIndex = -1)] public partial class D40x300 : ILossKernel64 { }
[LossKernel(Batch = 8, Classes = 4, ElementType = typeof(double), Reduction = LossReduction.Sum, IgnoreIndex = 1)] public partial class D8x4SumIgnore1 : ILossKernel64 { }

// One class (a single binary output; cross-entropy is 0 as in PyTorch): one row, a partial and a full group of the
// 128-bit and 256-bit vectors, the row loop, smoothing, and every row ignored (IgnoreIndex = the one class).
[LossKernel(Batch = 1, Classes = 1, ElementType = typeof(double))] public partial class D1x1 : ILossKernel64 { }
[LossKernel(Batch = 3, Classes = 1, ElementType = typeof(double), Reduction = LossReduction.Sum)] public partial class D3x1Sum : ILossKernel64 { }
[LossKernel(Batch = 8, Classes = 1, ElementType = typeof(double), IgnoreIndex = -1)] public partial class D8x1Ignore : ILossKernel64 { }
[LossKernel(Batch = 13, Classes = 1, ElementType = typeof(double), LabelSmoothing = 0.1f)] public partial class D13x1Smooth : ILossKernel64 { }
[LossKernel(Batch = 40, Classes = 1, ElementType = typeof(double), Reduction = LossReduction.Sum, LabelSmoothing = 1f)] public partial class D40x1SumFullSmooth : ILossKernel64 { }
[LossKernel(Batch = 3, Classes = 1, ElementType = typeof(double), IgnoreIndex = 0)] public partial class D3x1Ignore0 : ILossKernel64 { }

// Shapes for the lanes = rows layout of the double kernels (RowTiles): groups of 2 (128-bit), 4 (256-bit) and 8
// (512-bit) rows, full and partial last groups, up to 16 classes (the guard-page test of the double kernels).
[LossKernel(Batch = 2, Classes = 2, ElementType = typeof(double))] public partial class D2x2 : ILossKernel64 { }
[LossKernel(Batch = 3, Classes = 16, ElementType = typeof(double))] public partial class D3x16 : ILossKernel64 { }
[LossKernel(Batch = 5, Classes = 2, ElementType = typeof(double))] public partial class D5x2 : ILossKernel64 { }
[LossKernel(Batch = 7, Classes = 9, ElementType = typeof(double))] public partial class D7x9 : ILossKernel64 { }
[LossKernel(Batch = 9, Classes = 3, ElementType = typeof(double), Reduction = LossReduction.Sum)] public partial class D9x3Sum : ILossKernel64 { }
[LossKernel(Batch = 12, Classes = 5, ElementType = typeof(double))] public partial class D12x5 : ILossKernel64 { }
[LossKernel(Batch = 17, Classes = 16, ElementType = typeof(double), IgnoreIndex = 2)] public partial class D17x16Ignore2 : ILossKernel64 { }
