using System;
using System.Numerics;

namespace FixedShapeLoss.Tests.Threading;

/// <summary>The generated members the threading tests call, for a kernel of element type <typeparamref name="T"/>.</summary>
public interface IThreadedKernel<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    static abstract void Softmax(ReadOnlySpan<T> logits, Span<T> destination);
    static abstract void LogSoftmax(ReadOnlySpan<T> logits, Span<T> destination);
    static abstract T CrossEntropyLoss(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets);
    static abstract T CrossEntropyLoss(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, ReadOnlySpan<T> weight);
    static abstract T CrossEntropyLoss(ReadOnlySpan<T> logits, ReadOnlySpan<T> targetProbabilities);
    static abstract void CrossEntropyLossPerSample(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses);
    static abstract void CrossEntropyLossPerSample(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, ReadOnlySpan<T> weight, Span<T> losses);
    static abstract T CrossEntropyLossBackward(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> gradient);
    static abstract T CrossEntropyLossBackward(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, ReadOnlySpan<T> weight, Span<T> gradient);
    static abstract T CrossEntropyLossBackward(ReadOnlySpan<T> logits, ReadOnlySpan<T> targetProbabilities, Span<T> gradient);
}

// Shapes at or above KernelThreading.MinParallelLength (131,072 elements): their row loops run in blocks.
// Wide rows (plain, Mean), odd widths with smoothing, Sum and an IgnoreIndex inside [0, C), the lanes = rows layouts
// of 16 classes with a short last block, four rows of one block each, and two float64 shapes.
[LossKernel(Batch = 256, Classes = 1000)] public partial class P256x1000 : IThreadedKernel<float> { }
[LossKernel(Batch = 130, Classes = 1031, LabelSmoothing = 0.1f, IgnoreIndex = 3, Reduction = LossReduction.Sum)] public partial class P130x1031Smooth : IThreadedKernel<float> { }
[LossKernel(Batch = 8200, Classes = 16)] public partial class P8200x16 : IThreadedKernel<float> { }
[LossKernel(Batch = 4, Classes = 40000, IgnoreIndex = 1)] public partial class P4x40000 : IThreadedKernel<float> { }
[LossKernel(Batch = 131, Classes = 1001, ElementType = typeof(double), LabelSmoothing = 0.05f)] public partial class P131x1001Double : IThreadedKernel<double> { }
[LossKernel(Batch = 64, Classes = 2048, ElementType = typeof(double), IgnoreIndex = 0, Reduction = LossReduction.Sum)] public partial class P64x2048DoubleSum : IThreadedKernel<double> { }

// Below the threshold (one element short of two blocks' worth): the generated loops, no blocks.
[LossKernel(Batch = 127, Classes = 1031)] public partial class P127x1031 : IThreadedKernel<float> { }
