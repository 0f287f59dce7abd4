using FixedShapeLoss;

namespace CrossEntropyWalkthrough;

/// <summary>
/// The tutorial's shape, <c>BATCH_SIZE = 4</c> rows and <c>N_CLASSES = 7</c> columns. The source generator fills
/// this class in at compile time with straight-line kernels for exactly 4 x 7: <c>Normalize</c>, <c>Softmax</c>,
/// <c>LogSoftmax</c>, <c>OneHot</c>, <c>Labels</c>, <c>CrossEntropy</c>, <c>CrossEntropyLoss</c>, ...
/// Every matrix they take is a row-major span of <see cref="Length"/> floats; label spans hold <see cref="Batch"/> ints.
/// </summary>
[LossKernel(Batch = 4, Classes = 7)]
public static partial class Loss4x7 { }
