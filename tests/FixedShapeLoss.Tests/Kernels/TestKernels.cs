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

// The shapes themselves ([LossKernel]) are in KernelShapes.cs, shared with the C# 10 kernel set.
public partial class Loss4x7 : ILossKernel { }
public partial class Loss4x7Sum : ILossKernel { }
public partial class Loss1x2 : ILossKernel { }
public partial class Loss1x2Sum : ILossKernel { }
public partial class Loss3x5 : ILossKernel { }
public partial class Loss3x5Sum : ILossKernel { }
public partial class Loss8x10 : ILossKernel { }
public partial class Loss8x10Sum : ILossKernel { }
public partial class Loss6x4 : ILossKernel { }
public partial class Loss6x4Sum : ILossKernel { }
public partial class Loss5x3Smooth : ILossKernel { }
public partial class Loss5x3SmoothSum : ILossKernel { }
public partial class Ref2x3 : ILossKernel { }
public partial class Ref16x17 : ILossKernel { }
public partial class Ref32x10 : ILossKernel { }
public partial class Ref3x129Sum : ILossKernel { }
public partial class Ref20x33Smooth : ILossKernel { }
public partial class Ref7x5FullSmooth : ILossKernel { }
public partial class Ref40x300 : ILossKernel { }
public partial class Ref2x8 : ILossKernel { }
public partial class Ref8x4SumIgnore1 : ILossKernel { }
public partial class Ref2x4SumIgnore0 : ILossKernel { }
public partial class Ref3x13 : ILossKernel { }
public partial class Ref4x16Sum : ILossKernel { }
public partial class Ref7x9Ignore2 : ILossKernel { }
