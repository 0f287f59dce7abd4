using System;

namespace FixedShapeLoss.Tests.Kernels;

/// <summary>The generated members, as static abstract interface members, so one generic test body can
/// drive every shape compiled into this assembly through the generator.</summary>
public interface ILossKernel
{
    static abstract void Normalize(Span<float> values);
    static abstract void Softmax(ReadOnlySpan<float> logits, Span<float> destination);
    static abstract void LogSoftmax(ReadOnlySpan<float> logits, Span<float> destination);
    static abstract void OneHot(ReadOnlySpan<int> labels, Span<float> destination);
    static abstract void Labels(ReadOnlySpan<float> oneHot, Span<int> destination);
    static abstract float CrossEntropy(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels);
    static abstract float CrossEntropy(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> oneHot);
    static abstract float CrossEntropyLoss(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets);
    static abstract float CrossEntropyLoss(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> weight);
    static abstract float CrossEntropyLoss(ReadOnlySpan<float> logits, ReadOnlySpan<float> targetProbabilities);
    static abstract void CrossEntropyLossPerSample(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses);
    static abstract void CrossEntropyLossPerSample(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> weight, Span<float> losses);
    static abstract float CrossEntropyLossBackward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> gradient);
    static abstract float CrossEntropyLossBackward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> weight, Span<float> gradient);
    static abstract float CrossEntropyLossBackward(ReadOnlySpan<float> logits, ReadOnlySpan<float> targetProbabilities, Span<float> gradient);
}

// The shapes of torch-loss.json, each in Mean and Sum (the reductions come from the attribute).
[LossKernel(Batch = 4, Classes = 7)] public partial class Loss4x7 : ILossKernel { }
[LossKernel(Batch = 4, Classes = 7, Reduction = LossReduction.Sum)] public partial class Loss4x7Sum : ILossKernel { }
[LossKernel(Batch = 1, Classes = 2)] public partial class Loss1x2 : ILossKernel { }
[LossKernel(Batch = 1, Classes = 2, Reduction = LossReduction.Sum)] public partial class Loss1x2Sum : ILossKernel { }
[LossKernel(Batch = 3, Classes = 5)] public partial class Loss3x5 : ILossKernel { }
[LossKernel(Batch = 3, Classes = 5, Reduction = LossReduction.Sum)] public partial class Loss3x5Sum : ILossKernel { }
[LossKernel(Batch = 8, Classes = 10)] public partial class Loss8x10 : ILossKernel { }
[LossKernel(Batch = 8, Classes = 10, Reduction = LossReduction.Sum)] public partial class Loss8x10Sum : ILossKernel { }
[LossKernel(Batch = 6, Classes = 4)] public partial class Loss6x4 : ILossKernel { }
[LossKernel(Batch = 6, Classes = 4, Reduction = LossReduction.Sum)] public partial class Loss6x4Sum : ILossKernel { }
[LossKernel(Batch = 5, Classes = 3, LabelSmoothing = 0.1f)] public partial class Loss5x3Smooth : ILossKernel { }
[LossKernel(Batch = 5, Classes = 3, LabelSmoothing = 0.1f, Reduction = LossReduction.Sum)] public partial class Loss5x3SmoothSum : ILossKernel { }

// Shapes for the property tests against the double-precision reference: both strategies, odd widths,
// rows shorter and longer than a vector.
[LossKernel(Batch = 2, Classes = 3)] public partial class Ref2x3 : ILossKernel { }
[LossKernel(Batch = 16, Classes = 17)] public partial class Ref16x17 : ILossKernel { }
[LossKernel(Batch = 32, Classes = 10)] public partial class Ref32x10 : ILossKernel { }
[LossKernel(Batch = 3, Classes = 129, Reduction = LossReduction.Sum)] public partial class Ref3x129Sum : ILossKernel { }
[LossKernel(Batch = 20, Classes = 33, LabelSmoothing = 0.25f)] public partial class Ref20x33Smooth : ILossKernel { }
[LossKernel(Batch = 7, Classes = 5, LabelSmoothing = 1f, IgnoreIndex = 4)] public partial class Ref7x5FullSmooth : ILossKernel { }
[LossKernel(Batch = 40, Classes = 300, Reduction = LossReduction.Sum, LabelSmoothing = 0.05f, IgnoreIndex = -1)] public partial class Ref40x300 : ILossKernel { }

// The 512-bit single-group path of the plain loss (16 to 32 elements, at most 8 rows of at most 8 classes): one load
// (2x8), two that meet exactly (8x4), and an IgnoreIndex inside [0, Classes).
[LossKernel(Batch = 2, Classes = 8)] public partial class Ref2x8 : ILossKernel { }
[LossKernel(Batch = 8, Classes = 4, Reduction = LossReduction.Sum, IgnoreIndex = 1)] public partial class Ref8x4SumIgnore1 : ILossKernel { }

// The 256-bit path of 4 rows at a time (up to 16 classes; more than 4 rows only for the gradient without
// AVX-512): one full and one masked row load with an IgnoreIndex inside [0, Classes); a second set of blocks past
// 8 classes, masked (3x13) and full (4x16); two groups, the second one partial (7x9).
[LossKernel(Batch = 2, Classes = 4, Reduction = LossReduction.Sum, IgnoreIndex = 0)] public partial class Ref2x4SumIgnore0 : ILossKernel { }
[LossKernel(Batch = 3, Classes = 13)] public partial class Ref3x13 : ILossKernel { }
[LossKernel(Batch = 4, Classes = 16, Reduction = LossReduction.Sum)] public partial class Ref4x16Sum : ILossKernel { }
[LossKernel(Batch = 7, Classes = 9, IgnoreIndex = 2)] public partial class Ref7x9Ignore2 : ILossKernel { }
