using System;

namespace FixedShapeLoss;

/// <summary>
/// Asks the FixedShapeLoss source generator to emit loss kernels for one fixed shape into the
/// annotated <c>static partial class</c>: row normalization, softmax, log-softmax, one-hot encoding,
/// cross-entropy and <c>torch.nn.CrossEntropyLoss</c> with its gradient, all for
/// <see cref="Batch"/> rows of <see cref="Classes"/> columns.
/// </summary>
/// <example>
/// <code>
/// [LossKernel(Batch = 4, Classes = 7)]
/// public static partial class Loss4x7 { }
/// // Loss4x7.CrossEntropyLoss(logits, targets) ...
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class LossKernelAttribute : Attribute
{
    /// <summary>Number of rows (samples) in every matrix the kernels take; at least 1.</summary>
    public int Batch { get; set; }

    /// <summary>Number of columns (classes) in every matrix the kernels take; at least 1 (1: a single binary output per row,
    /// for the binary losses; cross-entropy over one class is 0, as in PyTorch).</summary>
    public int Classes { get; set; }

    /// <summary>How <c>CrossEntropyLoss</c> reduces the per-sample losses, as torch's <c>reduction</c>.
    /// Per-sample losses (<c>reduction='none'</c>) have their own method, <c>CrossEntropyLossPerSample</c>.</summary>
    public LossReduction Reduction { get; set; }

    /// <summary>Label smoothing in [0, 1], as torch's <c>label_smoothing</c>; 0 (the default) turns it off.</summary>
    public float LabelSmoothing { get; set; }

    /// <summary>A target value that contributes neither loss nor gradient, as torch's <c>ignore_index</c> (default -100).</summary>
    public int IgnoreIndex { get; set; } = -100;

    /// <summary>The element type <c>T</c> of every matrix the kernels take: <c>typeof(float)</c> (the default, PyTorch's
    /// float32) or <c>typeof(double)</c> (float64). Labels and target indices stay <c>int</c>.</summary>
    public Type ElementType { get; set; } = typeof(float);
}
