namespace FixedShapeLoss.Samples.Classifier;

/// <summary>The one loss shape the sample trains with: mini-batches of 32 points, 4 classes, mean
/// reduction. The source generator writes every member (<c>CrossEntropyLossBackward</c> among them).</summary>
[LossKernel(Batch = 32, Classes = 4)]
public static partial class ClassifierLoss
{
}
