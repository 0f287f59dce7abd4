namespace FixedShapeLoss;

/// <summary>How <c>CrossEntropyLoss</c> reduces the per-sample losses of a batch (torch's <c>reduction</c>).</summary>
public enum LossReduction
{
    /// <summary>The weighted mean over the non-ignored samples (torch's default, <c>reduction='mean'</c>).</summary>
    Mean = 0,

    /// <summary>The sum of the per-sample losses (<c>reduction='sum'</c>).</summary>
    Sum = 1,
}
