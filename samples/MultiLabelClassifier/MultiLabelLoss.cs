namespace FixedShapeLoss.Samples.MultiLabel;

/// <summary>The one loss shape the sample trains with: mini-batches of 32 points, 3 labels (one sigmoid output
/// each), mean reduction. The source generator writes every member
/// (<c>BinaryCrossEntropyWithLogitsLossBackward</c> among them).</summary>
[LossKernel(Batch = 32, Classes = 3)]
public static partial class MultiLabelLoss
{
}
