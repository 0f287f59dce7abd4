using System;
using System.Linq;
using CsCheck;
using Xunit;

namespace FixedShapeLoss.Tests.Kernels;

// Kernels for the defects below: a large batch of each non-plain kind (weighted + smoothing, soft targets), and a
// square shape (Batch == Classes) for the length messages.
[LossKernel(Batch = 2774, Classes = 3, LabelSmoothing = 0.1f)] public partial class Big2774x3Smooth { }
[LossKernel(Batch = 5000, Classes = 400, Reduction = LossReduction.Sum)] public partial class Big5000x400Sum { }
[LossKernel(Batch = 3, Classes = 3)] public partial class Square3x3 { }

// The plain loss at the largest batches that still run as one block (Batch * Classes below
// KernelThreading.MinParallelLength): lanes = rows groups (2 classes), one vector a row (20) and the span loops (64).
[LossKernel(Batch = 65535, Classes = 2, Reduction = LossReduction.Sum)] public partial class Plain65535x2Sum { }
[LossKernel(Batch = 6500, Classes = 20, Reduction = LossReduction.Sum)] public partial class Plain6500x20Sum { }
[LossKernel(Batch = 2000, Classes = 64, Reduction = LossReduction.Sum)] public partial class Plain2000x64Sum { }

/// <summary>Regression tests for the defects of issue 10 §1 in the generated code: each failed before its fix.</summary>
public class CoreDefectTests
{
    /// <summary>Every backward overload in place (gradient = logits) returns the same loss and gradient bits as out of
    /// place, on random logits up to scale 80, for kernels of every kind (plain, weighted, smoothed, soft targets).
    /// Before: the weighted/soft overloads and smoothing read the row after its softmax overwrote it (1x2, weight
    /// [1, 1]: 2.0443203 instead of 1.3132616).</summary>
    [Theory]
    [InlineData("Loss4x7")]
    [InlineData("Loss1x2")]
    [InlineData("Loss5x3Smooth")]
    [InlineData("Ref20x33Smooth")]
    [InlineData("Ref7x5FullSmooth")]
    [InlineData("Ref40x300")]
    [InlineData("Ref3x129Sum")]
    public void InPlace_SameBitsAsOutOfPlace(string kernel)
    {
        InPlaceSameBits(KernelAdapter.Get(kernel, csharp10: false));
        InPlaceSameBits(KernelAdapter.Get(kernel, csharp10: true));
    }

    [Fact]
    public void InPlace_Weighted1x2_IsPyTorchsLoss()
    {
        float[] logits = { 1f, 2f };
        float[] weight = { 1f, 1f };
        float expected = (float)(Math.Log(Math.Exp(1) + Math.Exp(2)) - 1); // 1.3132616 (PyTorch)
        Assert.Equal(expected, Loss1x2.CrossEntropyLossBackward(logits, new[] { 0 }, weight, new float[2]), 6);
        Assert.Equal(expected, Loss1x2.CrossEntropyLossBackward(logits, new[] { 0 }, weight, logits), 6);
    }

    private static void InPlaceSameBits(KernelAdapter k)
    {
        int batch = k.Batch, classes = k.Classes, ignoreIndex = k.IgnoreIndex;
        int n = batch * classes;
        Gen.Select(Gen.Float[-1f, 1f].Array[n], Gen.Int[0, classes - 1].Array[batch], Gen.Float[0f, 2f].Array[classes], Gen.Float[0.1f, 80f])
            .Sample((x, t, w, scale) =>
            {
                float[] logits = x.Select(v => v * scale).ToArray();
                t[batch - 1] = batch > 1 ? ignoreIndex : t[batch - 1];
                float[] soft = Softmax(x, batch, classes);
                Same(logits, (l, g) => k.CrossEntropyLossBackward(l, t, g));
                Same(logits, (l, g) => k.CrossEntropyLossBackward(l, t, w, g));
                Same(logits, (l, g) => k.CrossEntropyLossBackward(l, soft, g));
            }, iter: 40, seed: "0N0XIzNsQ0O2");
    }

    private delegate float Backward(ReadOnlySpan<float> logits, Span<float> gradient);

    private static void Same(float[] logits, Backward backward)
    {
        var gradient = new float[logits.Length];
        float outOfPlace = backward(logits, gradient);
        float[] both = (float[])logits.Clone();
        float inPlace = backward(both, both);
        Assert.Equal(BitConverter.SingleToInt32Bits(outOfPlace), BitConverter.SingleToInt32Bits(inPlace));
        Assert.Equal(gradient.Select(BitConverter.SingleToInt32Bits), both.Select(BitConverter.SingleToInt32Bits));
    }

    private static float[] Softmax(float[] x, int batch, int classes)
    {
        var p = new float[x.Length];
        for (int i = 0; i < batch; i++)
        {
            double s = 0;
            for (int j = 0; j < classes; j++) s += Math.Exp(x[i * classes + j]);
            for (int j = 0; j < classes; j++) p[i * classes + j] = (float)(Math.Exp(x[i * classes + j]) / s);
        }

        return p;
    }

    /// <summary>PyTorch smooths the soft targets first: with e = 1 every t'_c = 1/C > 0, so a -inf logit gives +inf
    /// (before: (1 - e) * 0 * -inf = NaN).</summary>
    [Fact]
    public void SoftTargets_FullSmoothing_NegativeInfinityLogit_IsPositiveInfinity()
    {
        var logits = Enumerable.Range(0, 35).Select(i => (float)Math.Sin(i)).ToArray();
        var soft = new float[35];
        for (int i = 0; i < 7; i++) soft[i * 5 + (i % 5)] = 1f;
        logits[2] = float.NegativeInfinity; // row 0, where the target probability is 0
        Assert.Equal(float.PositiveInfinity, Ref7x5FullSmooth.CrossEntropyLoss(logits, soft));
        Assert.Equal(float.PositiveInfinity, Ref7x5FullSmooth.CrossEntropyLossBackward(logits, soft, new float[35]));
    }

    /// <summary>Weighted Mean with smoothing where every kept target has weight 0: PyTorch's NLL part is 0/0, so NaN
    /// (before: +inf, the smoothing part over a zero denominator).</summary>
    [Fact]
    public void WeightedMeanWithSmoothing_AllKeptWeightsZero_IsNaN()
    {
        var logits = Enumerable.Range(0, 15).Select(i => (float)Math.Cos(i)).ToArray();
        int[] targets = { 0, 0, 0, 0, 0 };
        float[] weight = { 0f, 1f, 1f };
        Assert.True(float.IsNaN(Loss5x3Smooth.CrossEntropyLoss(logits, targets, weight)));
        Assert.True(float.IsNaN(Loss5x3Smooth.CrossEntropyLossBackward(logits, targets, weight, new float[15])));
    }

    /// <summary>Large batches: the reduced losses stay within 2e-6 relative of a double reference (before, the float
    /// running sum was 1e-5 to 4e-5 off at these shapes).</summary>
    [Fact]
    public void LargeBatch_WeightedSmoothed_2774x3_KeepsItsDigits()
    {
        const int B = 2774, C = 3;
        var random = new Random(2774);
        var logits = Enumerable.Range(0, B * C).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();
        var targets = Enumerable.Range(0, B).Select(_ => random.Next(C)).ToArray();
        float[] weight = { 0.3f, 1.7f, 0.9f };
        double nll = 0, smooth = 0, denominator = 0;
        for (int i = 0; i < B; i++)
        {
            var row = logits.Skip(i * C).Take(C).Select(v => (double)v).ToArray();
            double m = row.Max(), logSum = Math.Log(row.Sum(v => Math.Exp(v - m)));
            nll += weight[targets[i]] * (logSum - (row[targets[i]] - m));
            smooth += Enumerable.Range(0, C).Sum(c => weight[c] * (logSum - (row[c] - m)));
            denominator += weight[targets[i]];
        }

        double expected = 0.9 * nll / denominator + 0.1 / C * smooth / denominator;
        Relative(expected, Big2774x3Smooth.CrossEntropyLoss(logits, targets, weight), 2e-6);
        Relative(expected, Big2774x3Smooth.CrossEntropyLossBackward(logits, targets, weight, new float[B * C]), 2e-6);
    }

    [Fact]
    public void LargeBatch_SoftTargetsSum_5000x400_KeepsItsDigits()
    {
        const int B = 5000, C = 400;
        var random = new Random(5000);
        var logits = new float[B * C];
        var soft = new float[B * C];
        for (int k = 0; k < logits.Length; k++)
        {
            logits[k] = (float)(random.NextDouble() * 4 - 2);
            soft[k] = (float)random.NextDouble();
        }

        double expected = 0;
        for (int i = 0; i < B; i++)
        {
            double m = double.NegativeInfinity, s = 0;
            for (int c = 0; c < C; c++) m = Math.Max(m, logits[i * C + c]);
            for (int c = 0; c < C; c++) s += Math.Exp(logits[i * C + c] - m);
            double logSum = Math.Log(s);
            for (int c = 0; c < C; c++) expected += soft[i * C + c] * (logSum - (logits[i * C + c] - m));
        }

        Relative(expected, Big5000x400Sum.CrossEntropyLoss(logits, soft), 1e-6);
    }

    /// <summary>The plain loss at large unblocked batches stays within 2e-7 relative of a double reference, forward and
    /// backward, generic and non-generic helpers. Before (stop 14), the row losses were added in float (a running sum
    /// on the row path, eight lane sums on the lanes = rows paths): 7e-7 (65535 x 2, AVX-512), 3.0e-6 (65535 x 2, no
    /// SIMD), 1.2e-6 (6500 x 20) and 1.9e-6 (2000 x 64) off.</summary>
    [Theory]
    [InlineData(65535, 2)]
    [InlineData(6500, 20)]
    [InlineData(2000, 64)]
    public void LargeBatch_Plain_KeepsItsDigits(int batch, int classes)
    {
        var random = new Random(batch);
        var logits = Enumerable.Range(0, batch * classes).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();
        var targets = Enumerable.Range(0, batch).Select(_ => random.Next(classes)).ToArray();
        double expected = 0;
        for (int i = 0; i < batch; i++)
        {
            double m = double.NegativeInfinity, s = 0;
            for (int c = 0; c < classes; c++) m = Math.Max(m, logits[i * classes + c]);
            for (int c = 0; c < classes; c++) s += Math.Exp(logits[i * classes + c] - m);
            expected += Math.Log(s) - (logits[i * classes + targets[i]] - m);
        }

        var gradient = new float[batch * classes];
        (float forward, float backward) = classes switch
        {
            2 => (Plain65535x2Sum.CrossEntropyLoss(logits, targets), Plain65535x2Sum.CrossEntropyLossBackward(logits, targets, gradient)),
            20 => (Plain6500x20Sum.CrossEntropyLoss(logits, targets), Plain6500x20Sum.CrossEntropyLossBackward(logits, targets, gradient)),
            _ => (Plain2000x64Sum.CrossEntropyLoss(logits, targets), Plain2000x64Sum.CrossEntropyLossBackward(logits, targets, gradient)),
        };
        Relative(expected, forward, 2e-7);
        Relative(expected, backward, 2e-7);
        Relative(expected, KernelMath.CrossEntropySum(logits, targets, classes, -100), 2e-7);
        Relative(expected, KernelMath.CrossEntropyBackward(logits, targets, classes, -100, 1f, gradient), 2e-7);
    }

    private static void Relative(double expected, float actual, double tolerance) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected), $"expected {expected:R}, got {actual:R} ({Math.Abs(actual - expected) / Math.Abs(expected):E2} relative)");

    /// <summary>The wrong-length messages say what the span holds, also when Batch is 1 or equals Classes. (The
    /// wrong lengths are constants on purpose: the call-site analyzer's FSL101 would stop them at compile time.)</summary>
    [Fact]
    public void WrongLengthMessages_SayWhatTheSpanHolds()
    {
#pragma warning disable FSL101 // the run-time check is what is tested here
        var e = Assert.Throws<ArgumentException>(() => Loss1x2.CrossEntropyLoss(new float[3], new[] { 0 }));
        Assert.Equal("logits", e.ParamName);
        Assert.StartsWith("'logits' must have length 2 (Batch × Classes = 1 × 2, the whole matrix), but its length is 3.", e.Message);

        e = Assert.Throws<ArgumentException>(() => Square3x3.CrossEntropyLoss(new float[9], new[] { 0, 1, 2 }, new float[2]));
        Assert.Equal("weight", e.ParamName);
        Assert.StartsWith("'weight' must have length 3 (Classes = 3, one per class), but its length is 2.", e.Message);

        e = Assert.Throws<ArgumentException>(() => Square3x3.CrossEntropyLoss(new float[9], new[] { 0, 1 }, new float[3]));
        Assert.Equal("targets", e.ParamName);
        Assert.StartsWith("'targets' must have length 3 (Batch = 3, one per row), but its length is 2.", e.Message);
#pragma warning restore FSL101
    }
}
