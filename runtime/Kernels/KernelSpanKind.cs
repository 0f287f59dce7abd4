using System.ComponentModel;

namespace FixedShapeLoss;

/// <summary>What a span of a generated kernel holds, which fixes its length (for <see cref="KernelGuard.ThrowLength"/>).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum KernelSpanKind
{
    /// <summary>A whole matrix: <c>Batch * Classes</c> elements.</summary>
    Matrix,

    /// <summary>One element per row: <c>Batch</c> elements (labels, targets, per-sample losses).</summary>
    PerRow,

    /// <summary>One element per class: <c>Classes</c> elements (class weights).</summary>
    PerClass,
}
