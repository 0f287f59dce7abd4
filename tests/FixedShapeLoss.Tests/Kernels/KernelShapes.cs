// The [LossKernel] shapes the kernel tests run on, compiled twice: into the test project (C# latest, where the
// generator emits the generic whole-matrix helpers) and into FixedShapeLoss.TestKernels.CSharp10 (LangVersion 10,
// where it emits the non-generic ones). The guard-page shapes (Guard*) are every Batch x Classes with up to 9 rows
// and 1 to 16 classes, plain and with LabelSmoothing = 0.1 (which sends the non-plain members down other helpers),
// and a few larger ones; written out by hand (one line per shape) so that either compiler sees the same list.
#if FSL_CSHARP10
namespace FixedShapeLoss.TestKernels.CSharp10;
#else
namespace FixedShapeLoss.Tests.Kernels;
#endif

// The shapes of torch-loss.json, each in Mean and Sum (the reductions come from the attribute).
[LossKernel(Batch = 4, Classes = 7)] public partial class Loss4x7 { }
[LossKernel(Batch = 4, Classes = 7, Reduction = LossReduction.Sum)] public partial class Loss4x7Sum { }
[LossKernel(Batch = 1, Classes = 2)] public partial class Loss1x2 { }
[LossKernel(Batch = 1, Classes = 2, Reduction = LossReduction.Sum)] public partial class Loss1x2Sum { }
[LossKernel(Batch = 3, Classes = 5)] public partial class Loss3x5 { }
[LossKernel(Batch = 3, Classes = 5, Reduction = LossReduction.Sum)] public partial class Loss3x5Sum { }
[LossKernel(Batch = 8, Classes = 10)] public partial class Loss8x10 { }
[LossKernel(Batch = 8, Classes = 10, Reduction = LossReduction.Sum)] public partial class Loss8x10Sum { }
[LossKernel(Batch = 6, Classes = 4)] public partial class Loss6x4 { }
[LossKernel(Batch = 6, Classes = 4, Reduction = LossReduction.Sum)] public partial class Loss6x4Sum { }
[LossKernel(Batch = 5, Classes = 3, LabelSmoothing = 0.1f)] public partial class Loss5x3Smooth { }
[LossKernel(Batch = 5, Classes = 3, LabelSmoothing = 0.1f, Reduction = LossReduction.Sum)] public partial class Loss5x3SmoothSum { }

// Shapes for the property tests against the double-precision reference: both strategies, odd widths,
// rows shorter and longer than a vector.
[LossKernel(Batch = 2, Classes = 3)] public partial class Ref2x3 { }
[LossKernel(Batch = 16, Classes = 17)] public partial class Ref16x17 { }
[LossKernel(Batch = 32, Classes = 10)] public partial class Ref32x10 { }
[LossKernel(Batch = 3, Classes = 129, Reduction = LossReduction.Sum)] public partial class Ref3x129Sum { }
[LossKernel(Batch = 20, Classes = 33, LabelSmoothing = 0.25f)] public partial class Ref20x33Smooth { }
[LossKernel(Batch = 7, Classes = 5, LabelSmoothing = 1f, IgnoreIndex = 4)] public partial class Ref7x5FullSmooth { }
[LossKernel(Batch = 40, Classes = 300, Reduction = LossReduction.Sum, LabelSmoothing = 0.05f, IgnoreIndex = -1)] public partial class Ref40x300 { }

// The 512-bit single-group path of the plain loss (16 to 32 elements, at most 8 rows of at most 8 classes): one load
// (2x8), two that meet exactly (8x4), and an IgnoreIndex inside [0, Classes).
[LossKernel(Batch = 2, Classes = 8)] public partial class Ref2x8 { }
[LossKernel(Batch = 8, Classes = 4, Reduction = LossReduction.Sum, IgnoreIndex = 1)] public partial class Ref8x4SumIgnore1 { }

// The 256-bit path of 4 rows at a time (up to 16 classes; more than 4 rows only for the gradient without
// AVX-512): one full and one masked row load with an IgnoreIndex inside [0, Classes); a second set of blocks past
// 8 classes, masked (3x13) and full (4x16); two groups, the second one partial (7x9).
[LossKernel(Batch = 2, Classes = 4, Reduction = LossReduction.Sum, IgnoreIndex = 0)] public partial class Ref2x4SumIgnore0 { }
[LossKernel(Batch = 3, Classes = 13)] public partial class Ref3x13 { }
[LossKernel(Batch = 4, Classes = 16, Reduction = LossReduction.Sum)] public partial class Ref4x16Sum { }
[LossKernel(Batch = 7, Classes = 9, IgnoreIndex = 2)] public partial class Ref7x9Ignore2 { }

// The non-generic gradient's store window (12x2: row 9 came out 0 with AVX2 and no AVX-512), and rows past one group.
[LossKernel(Batch = 12, Classes = 2)] public partial class Ref12x2 { }
[LossKernel(Batch = 135, Classes = 2)] public partial class Ref135x2 { }

// One class (a single binary output; cross-entropy is 0 as in PyTorch): one row, the 4-row and 8-row groups of the
// whole-matrix paths, partial (5, 13) and full (16) groups, the row loop past 16 rows, smoothing, weights through an
// IgnoreIndex that is the one class (every row ignored) and one outside it.
[LossKernel(Batch = 1, Classes = 1)] public partial class Ref1x1 { }
[LossKernel(Batch = 4, Classes = 1, Reduction = LossReduction.Sum)] public partial class Ref4x1Sum { }
[LossKernel(Batch = 5, Classes = 1, IgnoreIndex = -1)] public partial class Ref5x1Ignore { }
[LossKernel(Batch = 13, Classes = 1, LabelSmoothing = 0.25f)] public partial class Ref13x1Smooth { }
[LossKernel(Batch = 16, Classes = 1)] public partial class Ref16x1 { }
[LossKernel(Batch = 40, Classes = 1, Reduction = LossReduction.Sum, LabelSmoothing = 1f)] public partial class Ref40x1SumFullSmooth { }
[LossKernel(Batch = 3, Classes = 1, IgnoreIndex = 0)] public partial class Ref3x1Ignore0 { }

// Guard-page shapes: Batch 1..9 x Classes 1..16, plain and smoothed; then larger ones.
[LossKernel(Batch = 1, Classes = 1)] public static partial class Guard1x1 { }
[LossKernel(Batch = 1, Classes = 1, LabelSmoothing = 0.1f)] public static partial class Guard1x1Smooth { }
[LossKernel(Batch = 1, Classes = 2)] public static partial class Guard1x2 { }
[LossKernel(Batch = 1, Classes = 2, LabelSmoothing = 0.1f)] public static partial class Guard1x2Smooth { }
[LossKernel(Batch = 1, Classes = 3)] public static partial class Guard1x3 { }
[LossKernel(Batch = 1, Classes = 3, LabelSmoothing = 0.1f)] public static partial class Guard1x3Smooth { }
[LossKernel(Batch = 1, Classes = 4)] public static partial class Guard1x4 { }
[LossKernel(Batch = 1, Classes = 4, LabelSmoothing = 0.1f)] public static partial class Guard1x4Smooth { }
[LossKernel(Batch = 1, Classes = 5)] public static partial class Guard1x5 { }
[LossKernel(Batch = 1, Classes = 5, LabelSmoothing = 0.1f)] public static partial class Guard1x5Smooth { }
[LossKernel(Batch = 1, Classes = 6)] public static partial class Guard1x6 { }
[LossKernel(Batch = 1, Classes = 6, LabelSmoothing = 0.1f)] public static partial class Guard1x6Smooth { }
[LossKernel(Batch = 1, Classes = 7)] public static partial class Guard1x7 { }
[LossKernel(Batch = 1, Classes = 7, LabelSmoothing = 0.1f)] public static partial class Guard1x7Smooth { }
[LossKernel(Batch = 1, Classes = 8)] public static partial class Guard1x8 { }
[LossKernel(Batch = 1, Classes = 8, LabelSmoothing = 0.1f)] public static partial class Guard1x8Smooth { }
[LossKernel(Batch = 1, Classes = 9)] public static partial class Guard1x9 { }
[LossKernel(Batch = 1, Classes = 9, LabelSmoothing = 0.1f)] public static partial class Guard1x9Smooth { }
[LossKernel(Batch = 1, Classes = 10)] public static partial class Guard1x10 { }
[LossKernel(Batch = 1, Classes = 10, LabelSmoothing = 0.1f)] public static partial class Guard1x10Smooth { }
[LossKernel(Batch = 1, Classes = 11)] public static partial class Guard1x11 { }
[LossKernel(Batch = 1, Classes = 11, LabelSmoothing = 0.1f)] public static partial class Guard1x11Smooth { }
[LossKernel(Batch = 1, Classes = 12)] public static partial class Guard1x12 { }
[LossKernel(Batch = 1, Classes = 12, LabelSmoothing = 0.1f)] public static partial class Guard1x12Smooth { }
[LossKernel(Batch = 1, Classes = 13)] public static partial class Guard1x13 { }
[LossKernel(Batch = 1, Classes = 13, LabelSmoothing = 0.1f)] public static partial class Guard1x13Smooth { }
[LossKernel(Batch = 1, Classes = 14)] public static partial class Guard1x14 { }
[LossKernel(Batch = 1, Classes = 14, LabelSmoothing = 0.1f)] public static partial class Guard1x14Smooth { }
[LossKernel(Batch = 1, Classes = 15)] public static partial class Guard1x15 { }
[LossKernel(Batch = 1, Classes = 15, LabelSmoothing = 0.1f)] public static partial class Guard1x15Smooth { }
[LossKernel(Batch = 1, Classes = 16)] public static partial class Guard1x16 { }
[LossKernel(Batch = 1, Classes = 16, LabelSmoothing = 0.1f)] public static partial class Guard1x16Smooth { }
[LossKernel(Batch = 2, Classes = 1)] public static partial class Guard2x1 { }
[LossKernel(Batch = 2, Classes = 1, LabelSmoothing = 0.1f)] public static partial class Guard2x1Smooth { }
[LossKernel(Batch = 2, Classes = 2)] public static partial class Guard2x2 { }
[LossKernel(Batch = 2, Classes = 2, LabelSmoothing = 0.1f)] public static partial class Guard2x2Smooth { }
[LossKernel(Batch = 2, Classes = 3)] public static partial class Guard2x3 { }
[LossKernel(Batch = 2, Classes = 3, LabelSmoothing = 0.1f)] public static partial class Guard2x3Smooth { }
[LossKernel(Batch = 2, Classes = 4)] public static partial class Guard2x4 { }
[LossKernel(Batch = 2, Classes = 4, LabelSmoothing = 0.1f)] public static partial class Guard2x4Smooth { }
[LossKernel(Batch = 2, Classes = 5)] public static partial class Guard2x5 { }
[LossKernel(Batch = 2, Classes = 5, LabelSmoothing = 0.1f)] public static partial class Guard2x5Smooth { }
[LossKernel(Batch = 2, Classes = 6)] public static partial class Guard2x6 { }
[LossKernel(Batch = 2, Classes = 6, LabelSmoothing = 0.1f)] public static partial class Guard2x6Smooth { }
[LossKernel(Batch = 2, Classes = 7)] public static partial class Guard2x7 { }
[LossKernel(Batch = 2, Classes = 7, LabelSmoothing = 0.1f)] public static partial class Guard2x7Smooth { }
[LossKernel(Batch = 2, Classes = 8)] public static partial class Guard2x8 { }
[LossKernel(Batch = 2, Classes = 8, LabelSmoothing = 0.1f)] public static partial class Guard2x8Smooth { }
[LossKernel(Batch = 2, Classes = 9)] public static partial class Guard2x9 { }
[LossKernel(Batch = 2, Classes = 9, LabelSmoothing = 0.1f)] public static partial class Guard2x9Smooth { }
[LossKernel(Batch = 2, Classes = 10)] public static partial class Guard2x10 { }
[LossKernel(Batch = 2, Classes = 10, LabelSmoothing = 0.1f)] public static partial class Guard2x10Smooth { }
[LossKernel(Batch = 2, Classes = 11)] public static partial class Guard2x11 { }
[LossKernel(Batch = 2, Classes = 11, LabelSmoothing = 0.1f)] public static partial class Guard2x11Smooth { }
[LossKernel(Batch = 2, Classes = 12)] public static partial class Guard2x12 { }
[LossKernel(Batch = 2, Classes = 12, LabelSmoothing = 0.1f)] public static partial class Guard2x12Smooth { }
[LossKernel(Batch = 2, Classes = 13)] public static partial class Guard2x13 { }
[LossKernel(Batch = 2, Classes = 13, LabelSmoothing = 0.1f)] public static partial class Guard2x13Smooth { }
[LossKernel(Batch = 2, Classes = 14)] public static partial class Guard2x14 { }
[LossKernel(Batch = 2, Classes = 14, LabelSmoothing = 0.1f)] public static partial class Guard2x14Smooth { }
[LossKernel(Batch = 2, Classes = 15)] public static partial class Guard2x15 { }
[LossKernel(Batch = 2, Classes = 15, LabelSmoothing = 0.1f)] public static partial class Guard2x15Smooth { }
[LossKernel(Batch = 2, Classes = 16)] public static partial class Guard2x16 { }
[LossKernel(Batch = 2, Classes = 16, LabelSmoothing = 0.1f)] public static partial class Guard2x16Smooth { }
[LossKernel(Batch = 3, Classes = 1)] public static partial class Guard3x1 { }
[LossKernel(Batch = 3, Classes = 1, LabelSmoothing = 0.1f)] public static partial class Guard3x1Smooth { }
[LossKernel(Batch = 3, Classes = 2)] public static partial class Guard3x2 { }
[LossKernel(Batch = 3, Classes = 2, LabelSmoothing = 0.1f)] public static partial class Guard3x2Smooth { }
[LossKernel(Batch = 3, Classes = 3)] public static partial class Guard3x3 { }
[LossKernel(Batch = 3, Classes = 3, LabelSmoothing = 0.1f)] public static partial class Guard3x3Smooth { }
[LossKernel(Batch = 3, Classes = 4)] public static partial class Guard3x4 { }
[LossKernel(Batch = 3, Classes = 4, LabelSmoothing = 0.1f)] public static partial class Guard3x4Smooth { }
[LossKernel(Batch = 3, Classes = 5)] public static partial class Guard3x5 { }
[LossKernel(Batch = 3, Classes = 5, LabelSmoothing = 0.1f)] public static partial class Guard3x5Smooth { }
[LossKernel(Batch = 3, Classes = 6)] public static partial class Guard3x6 { }
[LossKernel(Batch = 3, Classes = 6, LabelSmoothing = 0.1f)] public static partial class Guard3x6Smooth { }
[LossKernel(Batch = 3, Classes = 7)] public static partial class Guard3x7 { }
[LossKernel(Batch = 3, Classes = 7, LabelSmoothing = 0.1f)] public static partial class Guard3x7Smooth { }
[LossKernel(Batch = 3, Classes = 8)] public static partial class Guard3x8 { }
[LossKernel(Batch = 3, Classes = 8, LabelSmoothing = 0.1f)] public static partial class Guard3x8Smooth { }
[LossKernel(Batch = 3, Classes = 9)] public static partial class Guard3x9 { }
[LossKernel(Batch = 3, Classes = 9, LabelSmoothing = 0.1f)] public static partial class Guard3x9Smooth { }
[LossKernel(Batch = 3, Classes = 10)] public static partial class Guard3x10 { }
[LossKernel(Batch = 3, Classes = 10, LabelSmoothing = 0.1f)] public static partial class Guard3x10Smooth { }
[LossKernel(Batch = 3, Classes = 11)] public static partial class Guard3x11 { }
[LossKernel(Batch = 3, Classes = 11, LabelSmoothing = 0.1f)] public static partial class Guard3x11Smooth { }
[LossKernel(Batch = 3, Classes = 12)] public static partial class Guard3x12 { }
[LossKernel(Batch = 3, Classes = 12, LabelSmoothing = 0.1f)] public static partial class Guard3x12Smooth { }
[LossKernel(Batch = 3, Classes = 13)] public static partial class Guard3x13 { }
[LossKernel(Batch = 3, Classes = 13, LabelSmoothing = 0.1f)] public static partial class Guard3x13Smooth { }
[LossKernel(Batch = 3, Classes = 14)] public static partial class Guard3x14 { }
[LossKernel(Batch = 3, Classes = 14, LabelSmoothing = 0.1f)] public static partial class Guard3x14Smooth { }
[LossKernel(Batch = 3, Classes = 15)] public static partial class Guard3x15 { }
[LossKernel(Batch = 3, Classes = 15, LabelSmoothing = 0.1f)] public static partial class Guard3x15Smooth { }
[LossKernel(Batch = 3, Classes = 16)] public static partial class Guard3x16 { }
[LossKernel(Batch = 3, Classes = 16, LabelSmoothing = 0.1f)] public static partial class Guard3x16Smooth { }
[LossKernel(Batch = 4, Classes = 1)] public static partial class Guard4x1 { }
[LossKernel(Batch = 4, Classes = 1, LabelSmoothing = 0.1f)] public static partial class Guard4x1Smooth { }
[LossKernel(Batch = 4, Classes = 2)] public static partial class Guard4x2 { }
[LossKernel(Batch = 4, Classes = 2, LabelSmoothing = 0.1f)] public static partial class Guard4x2Smooth { }
[LossKernel(Batch = 4, Classes = 3)] public static partial class Guard4x3 { }
[LossKernel(Batch = 4, Classes = 3, LabelSmoothing = 0.1f)] public static partial class Guard4x3Smooth { }
[LossKernel(Batch = 4, Classes = 4)] public static partial class Guard4x4 { }
[LossKernel(Batch = 4, Classes = 4, LabelSmoothing = 0.1f)] public static partial class Guard4x4Smooth { }
[LossKernel(Batch = 4, Classes = 5)] public static partial class Guard4x5 { }
[LossKernel(Batch = 4, Classes = 5, LabelSmoothing = 0.1f)] public static partial class Guard4x5Smooth { }
[LossKernel(Batch = 4, Classes = 6)] public static partial class Guard4x6 { }
[LossKernel(Batch = 4, Classes = 6, LabelSmoothing = 0.1f)] public static partial class Guard4x6Smooth { }
[LossKernel(Batch = 4, Classes = 7)] public static partial class Guard4x7 { }
[LossKernel(Batch = 4, Classes = 7, LabelSmoothing = 0.1f)] public static partial class Guard4x7Smooth { }
[LossKernel(Batch = 4, Classes = 8)] public static partial class Guard4x8 { }
[LossKernel(Batch = 4, Classes = 8, LabelSmoothing = 0.1f)] public static partial class Guard4x8Smooth { }
[LossKernel(Batch = 4, Classes = 9)] public static partial class Guard4x9 { }
[LossKernel(Batch = 4, Classes = 9, LabelSmoothing = 0.1f)] public static partial class Guard4x9Smooth { }
[LossKernel(Batch = 4, Classes = 10)] public static partial class Guard4x10 { }
[LossKernel(Batch = 4, Classes = 10, LabelSmoothing = 0.1f)] public static partial class Guard4x10Smooth { }
[LossKernel(Batch = 4, Classes = 11)] public static partial class Guard4x11 { }
[LossKernel(Batch = 4, Classes = 11, LabelSmoothing = 0.1f)] public static partial class Guard4x11Smooth { }
[LossKernel(Batch = 4, Classes = 12)] public static partial class Guard4x12 { }
[LossKernel(Batch = 4, Classes = 12, LabelSmoothing = 0.1f)] public static partial class Guard4x12Smooth { }
[LossKernel(Batch = 4, Classes = 13)] public static partial class Guard4x13 { }
[LossKernel(Batch = 4, Classes = 13, LabelSmoothing = 0.1f)] public static partial class Guard4x13Smooth { }
[LossKernel(Batch = 4, Classes = 14)] public static partial class Guard4x14 { }
[LossKernel(Batch = 4, Classes = 14, LabelSmoothing = 0.1f)] public static partial class Guard4x14Smooth { }
[LossKernel(Batch = 4, Classes = 15)] public static partial class Guard4x15 { }
[LossKernel(Batch = 4, Classes = 15, LabelSmoothing = 0.1f)] public static partial class Guard4x15Smooth { }
[LossKernel(Batch = 4, Classes = 16)] public static partial class Guard4x16 { }
[LossKernel(Batch = 4, Classes = 16, LabelSmoothing = 0.1f)] public static partial class Guard4x16Smooth { }
[LossKernel(Batch = 5, Classes = 1)] public static partial class Guard5x1 { }
[LossKernel(Batch = 5, Classes = 1, LabelSmoothing = 0.1f)] public static partial class Guard5x1Smooth { }
[LossKernel(Batch = 5, Classes = 2)] public static partial class Guard5x2 { }
[LossKernel(Batch = 5, Classes = 2, LabelSmoothing = 0.1f)] public static partial class Guard5x2Smooth { }
[LossKernel(Batch = 5, Classes = 3)] public static partial class Guard5x3 { }
[LossKernel(Batch = 5, Classes = 3, LabelSmoothing = 0.1f)] public static partial class Guard5x3Smooth { }
[LossKernel(Batch = 5, Classes = 4)] public static partial class Guard5x4 { }
[LossKernel(Batch = 5, Classes = 4, LabelSmoothing = 0.1f)] public static partial class Guard5x4Smooth { }
[LossKernel(Batch = 5, Classes = 5)] public static partial class Guard5x5 { }
[LossKernel(Batch = 5, Classes = 5, LabelSmoothing = 0.1f)] public static partial class Guard5x5Smooth { }
[LossKernel(Batch = 5, Classes = 6)] public static partial class Guard5x6 { }
[LossKernel(Batch = 5, Classes = 6, LabelSmoothing = 0.1f)] public static partial class Guard5x6Smooth { }
[LossKernel(Batch = 5, Classes = 7)] public static partial class Guard5x7 { }
[LossKernel(Batch = 5, Classes = 7, LabelSmoothing = 0.1f)] public static partial class Guard5x7Smooth { }
[LossKernel(Batch = 5, Classes = 8)] public static partial class Guard5x8 { }
[LossKernel(Batch = 5, Classes = 8, LabelSmoothing = 0.1f)] public static partial class Guard5x8Smooth { }
[LossKernel(Batch = 5, Classes = 9)] public static partial class Guard5x9 { }
[LossKernel(Batch = 5, Classes = 9, LabelSmoothing = 0.1f)] public static partial class Guard5x9Smooth { }
[LossKernel(Batch = 5, Classes = 10)] public static partial class Guard5x10 { }
[LossKernel(Batch = 5, Classes = 10, LabelSmoothing = 0.1f)] public static partial class Guard5x10Smooth { }
[LossKernel(Batch = 5, Classes = 11)] public static partial class Guard5x11 { }
[LossKernel(Batch = 5, Classes = 11, LabelSmoothing = 0.1f)] public static partial class Guard5x11Smooth { }
[LossKernel(Batch = 5, Classes = 12)] public static partial class Guard5x12 { }
[LossKernel(Batch = 5, Classes = 12, LabelSmoothing = 0.1f)] public static partial class Guard5x12Smooth { }
[LossKernel(Batch = 5, Classes = 13)] public static partial class Guard5x13 { }
[LossKernel(Batch = 5, Classes = 13, LabelSmoothing = 0.1f)] public static partial class Guard5x13Smooth { }
[LossKernel(Batch = 5, Classes = 14)] public static partial class Guard5x14 { }
[LossKernel(Batch = 5, Classes = 14, LabelSmoothing = 0.1f)] public static partial class Guard5x14Smooth { }
[LossKernel(Batch = 5, Classes = 15)] public static partial class Guard5x15 { }
[LossKernel(Batch = 5, Classes = 15, LabelSmoothing = 0.1f)] public static partial class Guard5x15Smooth { }
[LossKernel(Batch = 5, Classes = 16)] public static partial class Guard5x16 { }
[LossKernel(Batch = 5, Classes = 16, LabelSmoothing = 0.1f)] public static partial class Guard5x16Smooth { }
[LossKernel(Batch = 6, Classes = 1)] public static partial class Guard6x1 { }
[LossKernel(Batch = 6, Classes = 1, LabelSmoothing = 0.1f)] public static partial class Guard6x1Smooth { }
[LossKernel(Batch = 6, Classes = 2)] public static partial class Guard6x2 { }
[LossKernel(Batch = 6, Classes = 2, LabelSmoothing = 0.1f)] public static partial class Guard6x2Smooth { }
[LossKernel(Batch = 6, Classes = 3)] public static partial class Guard6x3 { }
[LossKernel(Batch = 6, Classes = 3, LabelSmoothing = 0.1f)] public static partial class Guard6x3Smooth { }
[LossKernel(Batch = 6, Classes = 4)] public static partial class Guard6x4 { }
[LossKernel(Batch = 6, Classes = 4, LabelSmoothing = 0.1f)] public static partial class Guard6x4Smooth { }
[LossKernel(Batch = 6, Classes = 5)] public static partial class Guard6x5 { }
[LossKernel(Batch = 6, Classes = 5, LabelSmoothing = 0.1f)] public static partial class Guard6x5Smooth { }
[LossKernel(Batch = 6, Classes = 6)] public static partial class Guard6x6 { }
[LossKernel(Batch = 6, Classes = 6, LabelSmoothing = 0.1f)] public static partial class Guard6x6Smooth { }
[LossKernel(Batch = 6, Classes = 7)] public static partial class Guard6x7 { }
[LossKernel(Batch = 6, Classes = 7, LabelSmoothing = 0.1f)] public static partial class Guard6x7Smooth { }
[LossKernel(Batch = 6, Classes = 8)] public static partial class Guard6x8 { }
[LossKernel(Batch = 6, Classes = 8, LabelSmoothing = 0.1f)] public static partial class Guard6x8Smooth { }
[LossKernel(Batch = 6, Classes = 9)] public static partial class Guard6x9 { }
[LossKernel(Batch = 6, Classes = 9, LabelSmoothing = 0.1f)] public static partial class Guard6x9Smooth { }
[LossKernel(Batch = 6, Classes = 10)] public static partial class Guard6x10 { }
[LossKernel(Batch = 6, Classes = 10, LabelSmoothing = 0.1f)] public static partial class Guard6x10Smooth { }
[LossKernel(Batch = 6, Classes = 11)] public static partial class Guard6x11 { }
[LossKernel(Batch = 6, Classes = 11, LabelSmoothing = 0.1f)] public static partial class Guard6x11Smooth { }
[LossKernel(Batch = 6, Classes = 12)] public static partial class Guard6x12 { }
[LossKernel(Batch = 6, Classes = 12, LabelSmoothing = 0.1f)] public static partial class Guard6x12Smooth { }
[LossKernel(Batch = 6, Classes = 13)] public static partial class Guard6x13 { }
[LossKernel(Batch = 6, Classes = 13, LabelSmoothing = 0.1f)] public static partial class Guard6x13Smooth { }
[LossKernel(Batch = 6, Classes = 14)] public static partial class Guard6x14 { }
[LossKernel(Batch = 6, Classes = 14, LabelSmoothing = 0.1f)] public static partial class Guard6x14Smooth { }
[LossKernel(Batch = 6, Classes = 15)] public static partial class Guard6x15 { }
[LossKernel(Batch = 6, Classes = 15, LabelSmoothing = 0.1f)] public static partial class Guard6x15Smooth { }
[LossKernel(Batch = 6, Classes = 16)] public static partial class Guard6x16 { }
[LossKernel(Batch = 6, Classes = 16, LabelSmoothing = 0.1f)] public static partial class Guard6x16Smooth { }
[LossKernel(Batch = 7, Classes = 1)] public static partial class Guard7x1 { }
[LossKernel(Batch = 7, Classes = 1, LabelSmoothing = 0.1f)] public static partial class Guard7x1Smooth { }
[LossKernel(Batch = 7, Classes = 2)] public static partial class Guard7x2 { }
[LossKernel(Batch = 7, Classes = 2, LabelSmoothing = 0.1f)] public static partial class Guard7x2Smooth { }
[LossKernel(Batch = 7, Classes = 3)] public static partial class Guard7x3 { }
[LossKernel(Batch = 7, Classes = 3, LabelSmoothing = 0.1f)] public static partial class Guard7x3Smooth { }
[LossKernel(Batch = 7, Classes = 4)] public static partial class Guard7x4 { }
[LossKernel(Batch = 7, Classes = 4, LabelSmoothing = 0.1f)] public static partial class Guard7x4Smooth { }
[LossKernel(Batch = 7, Classes = 5)] public static partial class Guard7x5 { }
[LossKernel(Batch = 7, Classes = 5, LabelSmoothing = 0.1f)] public static partial class Guard7x5Smooth { }
[LossKernel(Batch = 7, Classes = 6)] public static partial class Guard7x6 { }
[LossKernel(Batch = 7, Classes = 6, LabelSmoothing = 0.1f)] public static partial class Guard7x6Smooth { }
[LossKernel(Batch = 7, Classes = 7)] public static partial class Guard7x7 { }
[LossKernel(Batch = 7, Classes = 7, LabelSmoothing = 0.1f)] public static partial class Guard7x7Smooth { }
[LossKernel(Batch = 7, Classes = 8)] public static partial class Guard7x8 { }
[LossKernel(Batch = 7, Classes = 8, LabelSmoothing = 0.1f)] public static partial class Guard7x8Smooth { }
[LossKernel(Batch = 7, Classes = 9)] public static partial class Guard7x9 { }
[LossKernel(Batch = 7, Classes = 9, LabelSmoothing = 0.1f)] public static partial class Guard7x9Smooth { }
[LossKernel(Batch = 7, Classes = 10)] public static partial class Guard7x10 { }
[LossKernel(Batch = 7, Classes = 10, LabelSmoothing = 0.1f)] public static partial class Guard7x10Smooth { }
[LossKernel(Batch = 7, Classes = 11)] public static partial class Guard7x11 { }
[LossKernel(Batch = 7, Classes = 11, LabelSmoothing = 0.1f)] public static partial class Guard7x11Smooth { }
[LossKernel(Batch = 7, Classes = 12)] public static partial class Guard7x12 { }
[LossKernel(Batch = 7, Classes = 12, LabelSmoothing = 0.1f)] public static partial class Guard7x12Smooth { }
[LossKernel(Batch = 7, Classes = 13)] public static partial class Guard7x13 { }
[LossKernel(Batch = 7, Classes = 13, LabelSmoothing = 0.1f)] public static partial class Guard7x13Smooth { }
[LossKernel(Batch = 7, Classes = 14)] public static partial class Guard7x14 { }
[LossKernel(Batch = 7, Classes = 14, LabelSmoothing = 0.1f)] public static partial class Guard7x14Smooth { }
[LossKernel(Batch = 7, Classes = 15)] public static partial class Guard7x15 { }
[LossKernel(Batch = 7, Classes = 15, LabelSmoothing = 0.1f)] public static partial class Guard7x15Smooth { }
[LossKernel(Batch = 7, Classes = 16)] public static partial class Guard7x16 { }
[LossKernel(Batch = 7, Classes = 16, LabelSmoothing = 0.1f)] public static partial class Guard7x16Smooth { }
[LossKernel(Batch = 8, Classes = 1)] public static partial class Guard8x1 { }
[LossKernel(Batch = 8, Classes = 1, LabelSmoothing = 0.1f)] public static partial class Guard8x1Smooth { }
[LossKernel(Batch = 8, Classes = 2)] public static partial class Guard8x2 { }
[LossKernel(Batch = 8, Classes = 2, LabelSmoothing = 0.1f)] public static partial class Guard8x2Smooth { }
[LossKernel(Batch = 8, Classes = 3)] public static partial class Guard8x3 { }
[LossKernel(Batch = 8, Classes = 3, LabelSmoothing = 0.1f)] public static partial class Guard8x3Smooth { }
[LossKernel(Batch = 8, Classes = 4)] public static partial class Guard8x4 { }
[LossKernel(Batch = 8, Classes = 4, LabelSmoothing = 0.1f)] public static partial class Guard8x4Smooth { }
[LossKernel(Batch = 8, Classes = 5)] public static partial class Guard8x5 { }
[LossKernel(Batch = 8, Classes = 5, LabelSmoothing = 0.1f)] public static partial class Guard8x5Smooth { }
[LossKernel(Batch = 8, Classes = 6)] public static partial class Guard8x6 { }
[LossKernel(Batch = 8, Classes = 6, LabelSmoothing = 0.1f)] public static partial class Guard8x6Smooth { }
[LossKernel(Batch = 8, Classes = 7)] public static partial class Guard8x7 { }
[LossKernel(Batch = 8, Classes = 7, LabelSmoothing = 0.1f)] public static partial class Guard8x7Smooth { }
[LossKernel(Batch = 8, Classes = 8)] public static partial class Guard8x8 { }
[LossKernel(Batch = 8, Classes = 8, LabelSmoothing = 0.1f)] public static partial class Guard8x8Smooth { }
[LossKernel(Batch = 8, Classes = 9)] public static partial class Guard8x9 { }
[LossKernel(Batch = 8, Classes = 9, LabelSmoothing = 0.1f)] public static partial class Guard8x9Smooth { }
[LossKernel(Batch = 8, Classes = 10)] public static partial class Guard8x10 { }
[LossKernel(Batch = 8, Classes = 10, LabelSmoothing = 0.1f)] public static partial class Guard8x10Smooth { }
[LossKernel(Batch = 8, Classes = 11)] public static partial class Guard8x11 { }
[LossKernel(Batch = 8, Classes = 11, LabelSmoothing = 0.1f)] public static partial class Guard8x11Smooth { }
[LossKernel(Batch = 8, Classes = 12)] public static partial class Guard8x12 { }
[LossKernel(Batch = 8, Classes = 12, LabelSmoothing = 0.1f)] public static partial class Guard8x12Smooth { }
[LossKernel(Batch = 8, Classes = 13)] public static partial class Guard8x13 { }
[LossKernel(Batch = 8, Classes = 13, LabelSmoothing = 0.1f)] public static partial class Guard8x13Smooth { }
[LossKernel(Batch = 8, Classes = 14)] public static partial class Guard8x14 { }
[LossKernel(Batch = 8, Classes = 14, LabelSmoothing = 0.1f)] public static partial class Guard8x14Smooth { }
[LossKernel(Batch = 8, Classes = 15)] public static partial class Guard8x15 { }
[LossKernel(Batch = 8, Classes = 15, LabelSmoothing = 0.1f)] public static partial class Guard8x15Smooth { }
[LossKernel(Batch = 8, Classes = 16)] public static partial class Guard8x16 { }
[LossKernel(Batch = 8, Classes = 16, LabelSmoothing = 0.1f)] public static partial class Guard8x16Smooth { }
[LossKernel(Batch = 9, Classes = 1)] public static partial class Guard9x1 { }
[LossKernel(Batch = 9, Classes = 1, LabelSmoothing = 0.1f)] public static partial class Guard9x1Smooth { }
[LossKernel(Batch = 9, Classes = 2)] public static partial class Guard9x2 { }
[LossKernel(Batch = 9, Classes = 2, LabelSmoothing = 0.1f)] public static partial class Guard9x2Smooth { }
[LossKernel(Batch = 9, Classes = 3)] public static partial class Guard9x3 { }
[LossKernel(Batch = 9, Classes = 3, LabelSmoothing = 0.1f)] public static partial class Guard9x3Smooth { }
[LossKernel(Batch = 9, Classes = 4)] public static partial class Guard9x4 { }
[LossKernel(Batch = 9, Classes = 4, LabelSmoothing = 0.1f)] public static partial class Guard9x4Smooth { }
[LossKernel(Batch = 9, Classes = 5)] public static partial class Guard9x5 { }
[LossKernel(Batch = 9, Classes = 5, LabelSmoothing = 0.1f)] public static partial class Guard9x5Smooth { }
[LossKernel(Batch = 9, Classes = 6)] public static partial class Guard9x6 { }
[LossKernel(Batch = 9, Classes = 6, LabelSmoothing = 0.1f)] public static partial class Guard9x6Smooth { }
[LossKernel(Batch = 9, Classes = 7)] public static partial class Guard9x7 { }
[LossKernel(Batch = 9, Classes = 7, LabelSmoothing = 0.1f)] public static partial class Guard9x7Smooth { }
[LossKernel(Batch = 9, Classes = 8)] public static partial class Guard9x8 { }
[LossKernel(Batch = 9, Classes = 8, LabelSmoothing = 0.1f)] public static partial class Guard9x8Smooth { }
[LossKernel(Batch = 9, Classes = 9)] public static partial class Guard9x9 { }
[LossKernel(Batch = 9, Classes = 9, LabelSmoothing = 0.1f)] public static partial class Guard9x9Smooth { }
[LossKernel(Batch = 9, Classes = 10)] public static partial class Guard9x10 { }
[LossKernel(Batch = 9, Classes = 10, LabelSmoothing = 0.1f)] public static partial class Guard9x10Smooth { }
[LossKernel(Batch = 9, Classes = 11)] public static partial class Guard9x11 { }
[LossKernel(Batch = 9, Classes = 11, LabelSmoothing = 0.1f)] public static partial class Guard9x11Smooth { }
[LossKernel(Batch = 9, Classes = 12)] public static partial class Guard9x12 { }
[LossKernel(Batch = 9, Classes = 12, LabelSmoothing = 0.1f)] public static partial class Guard9x12Smooth { }
[LossKernel(Batch = 9, Classes = 13)] public static partial class Guard9x13 { }
[LossKernel(Batch = 9, Classes = 13, LabelSmoothing = 0.1f)] public static partial class Guard9x13Smooth { }
[LossKernel(Batch = 9, Classes = 14)] public static partial class Guard9x14 { }
[LossKernel(Batch = 9, Classes = 14, LabelSmoothing = 0.1f)] public static partial class Guard9x14Smooth { }
[LossKernel(Batch = 9, Classes = 15)] public static partial class Guard9x15 { }
[LossKernel(Batch = 9, Classes = 15, LabelSmoothing = 0.1f)] public static partial class Guard9x15Smooth { }
[LossKernel(Batch = 9, Classes = 16)] public static partial class Guard9x16 { }
[LossKernel(Batch = 9, Classes = 16, LabelSmoothing = 0.1f)] public static partial class Guard9x16Smooth { }
[LossKernel(Batch = 16, Classes = 17)] public static partial class Guard16x17 { }
[LossKernel(Batch = 16, Classes = 17, LabelSmoothing = 0.1f, Reduction = LossReduction.Sum)] public static partial class Guard16x17Smooth { }
[LossKernel(Batch = 3, Classes = 129)] public static partial class Guard3x129 { }
[LossKernel(Batch = 3, Classes = 129, LabelSmoothing = 0.1f, Reduction = LossReduction.Sum)] public static partial class Guard3x129Smooth { }
[LossKernel(Batch = 40, Classes = 300)] public static partial class Guard40x300 { }
[LossKernel(Batch = 40, Classes = 300, LabelSmoothing = 0.1f, Reduction = LossReduction.Sum)] public static partial class Guard40x300Smooth { }
[LossKernel(Batch = 12, Classes = 2)] public static partial class Guard12x2 { }
[LossKernel(Batch = 12, Classes = 2, LabelSmoothing = 0.1f, Reduction = LossReduction.Sum)] public static partial class Guard12x2Smooth { }
[LossKernel(Batch = 135, Classes = 2)] public static partial class Guard135x2 { }
[LossKernel(Batch = 135, Classes = 2, LabelSmoothing = 0.1f, Reduction = LossReduction.Sum)] public static partial class Guard135x2Smooth { }
[LossKernel(Batch = 17, Classes = 16)] public static partial class Guard17x16 { }
[LossKernel(Batch = 17, Classes = 16, LabelSmoothing = 0.1f, Reduction = LossReduction.Sum)] public static partial class Guard17x16Smooth { }
[LossKernel(Batch = 33, Classes = 8)] public static partial class Guard33x8 { }
[LossKernel(Batch = 33, Classes = 8, LabelSmoothing = 0.1f, Reduction = LossReduction.Sum)] public static partial class Guard33x8Smooth { }
[LossKernel(Batch = 17, Classes = 1)] public static partial class Guard17x1 { }
[LossKernel(Batch = 17, Classes = 1, LabelSmoothing = 0.1f, Reduction = LossReduction.Sum)] public static partial class Guard17x1Smooth { }
[LossKernel(Batch = 135, Classes = 1)] public static partial class Guard135x1 { }
[LossKernel(Batch = 135, Classes = 1, LabelSmoothing = 0.1f, Reduction = LossReduction.Sum)] public static partial class Guard135x1Smooth { }

// Above KernelThreading.MinParallelLength: the plain loss and gradient take the blocked branch of the generic
// (C# 11+) and of the non-generic (C# 10) helpers, which must give the same bits (KernelThreadingTests).
[LossKernel(Batch = 256, Classes = 1000)] public partial class Blocked256x1000 { }
[LossKernel(Batch = 8200, Classes = 16)] public partial class Blocked8200x16 { }
