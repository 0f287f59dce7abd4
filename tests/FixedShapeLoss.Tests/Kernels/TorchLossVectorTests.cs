using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace FixedShapeLoss.Tests.Kernels;

/// <summary>Every case of torch-loss.json (PyTorch on CPU) against the kernels generated for its shape, compiled here
/// (C# 11+: the generic helpers) and at C# 10 (FixedShapeLoss.TestKernels.CSharp10: the non-generic helpers).</summary>
public class TorchLossVectorTests
{
    public static IEnumerable<object[]> Seeds()
    {
        using var doc = TestData.Load("torch-loss.json");
        return doc.RootElement.GetProperty("cases").EnumerateArray().SelectMany(c => new[] { false, true }.Select(csharp10 => new object[] { c.GetProperty("seed").GetInt32(), csharp10 })).ToList();
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void MatchesPyTorch(int seed, bool csharp10)
    {
        using var doc = TestData.Load("torch-loss.json");
        var c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("seed").GetInt32() == seed);
        int batch = c.GetProperty("batch").GetInt32(), classes = c.GetProperty("classes").GetInt32();
        float smoothing = c.TryGetProperty("label_smoothing", out var s) ? s.GetSingle() : 0f;
        switch ((batch, classes, smoothing))
        {
            case (4, 7, 0f): Check(KernelAdapter.Get("Loss4x7", csharp10), KernelAdapter.Get("Loss4x7Sum", csharp10), c); break;
            case (1, 2, 0f): Check(KernelAdapter.Get("Loss1x2", csharp10), KernelAdapter.Get("Loss1x2Sum", csharp10), c); break;
            case (3, 5, 0f): Check(KernelAdapter.Get("Loss3x5", csharp10), KernelAdapter.Get("Loss3x5Sum", csharp10), c); break;
            case (8, 10, 0f): Check(KernelAdapter.Get("Loss8x10", csharp10), KernelAdapter.Get("Loss8x10Sum", csharp10), c); break;
            case (6, 4, 0f): Check(KernelAdapter.Get("Loss6x4", csharp10), KernelAdapter.Get("Loss6x4Sum", csharp10), c); break;
            case (5, 3, 0.1f): Check(KernelAdapter.Get("Loss5x3Smooth", csharp10), KernelAdapter.Get("Loss5x3SmoothSum", csharp10), c); break;
            default: Assert.Fail($"No kernel class declared for {batch}x{classes}, label smoothing {smoothing}: add one to TestKernels.cs."); break;
        }
    }

    private static void Check(KernelAdapter meanKernel, KernelAdapter sumKernel, JsonElement c)
    {
        int batch = c.GetProperty("batch").GetInt32(), classes = c.GetProperty("classes").GetInt32();
        int n = batch * classes;
        float[] logits = TestData.FloatBits(c.GetProperty("logits"));
        int[] targets = TestData.Longs(c.GetProperty("targets")).Select(v => (int)v).ToArray();
        // one_hot and ce_probabilities of the vectors use class 0 where the target is ignored (-100).
        int[] labels = targets.Select(t => t < 0 ? 0 : t).ToArray();
        float[]? weight = c.TryGetProperty("weight", out var w) ? TestData.FloatBits(w) : null;
        var output = new float[n];

        // Row normalization of the uniform draws.
        float[] normalized = TestData.FloatBits(c.GetProperty("uniform"));
        meanKernel.Normalize(normalized);
        Close(TestData.FloatBits(c.GetProperty("normalized")), normalized, "normalized");

        meanKernel.Softmax(logits, output);
        Close(TestData.FloatBits(c.GetProperty("softmax")), output, "softmax");
        meanKernel.LogSoftmax(logits, output);
        Close(TestData.FloatBits(c.GetProperty("log_softmax")), output, "log_softmax");

        meanKernel.OneHot(labels, output);
        Assert.Equal(TestData.FloatBits(c.GetProperty("one_hot")), output);
        var back = new int[batch];
        meanKernel.Labels(output, back);
        Assert.Equal(labels, back);

        float ce = TestData.FloatBits(c.GetProperty("ce_probabilities"))[0];
        Close(ce, meanKernel.CrossEntropy(normalized, labels), "ce_probabilities (labels)");
        Close(ce, meanKernel.CrossEntropy(normalized, output), "ce_probabilities (one-hot)");

        float mean = TestData.FloatBits(c.GetProperty("cross_entropy_mean"))[0];
        float sum = TestData.FloatBits(c.GetProperty("cross_entropy_sum"))[0];
        float[] none = TestData.FloatBits(c.GetProperty("cross_entropy_none"));
        float[] gradMean = TestData.FloatBits(c.GetProperty("grad_mean"));
        var perSample = new float[batch];
        var gradient = new float[n];
        if (weight is null)
        {
            Close(mean, meanKernel.CrossEntropyLoss(logits, targets), "mean");
            Close(sum, sumKernel.CrossEntropyLoss(logits, targets), "sum");
            meanKernel.CrossEntropyLossPerSample(logits, targets, perSample);
            Close(none, perSample, "none");
            Close(mean, meanKernel.CrossEntropyLossBackward(logits, targets, gradient), "backward loss");
            Close(gradMean, gradient, "grad_mean");
        }
        else
        {
            Close(mean, meanKernel.CrossEntropyLoss(logits, targets, weight), "weighted mean");
            Close(sum, sumKernel.CrossEntropyLoss(logits, targets, weight), "weighted sum");
            meanKernel.CrossEntropyLossPerSample(logits, targets, weight, perSample);
            Close(none, perSample, "weighted none");
            Close(mean, meanKernel.CrossEntropyLossBackward(logits, targets, weight, gradient), "weighted backward loss");
            Close(gradMean, gradient, "weighted grad_mean");
        }

        if (c.TryGetProperty("soft_targets", out var soft))
        {
            float[] probabilities = TestData.FloatBits(soft);
            Close(TestData.FloatBits(c.GetProperty("soft_cross_entropy_mean"))[0], meanKernel.CrossEntropyLoss(logits, probabilities), "soft mean");
            Close(TestData.FloatBits(c.GetProperty("soft_cross_entropy_sum"))[0], sumKernel.CrossEntropyLoss(logits, probabilities), "soft sum");
            Close(TestData.FloatBits(c.GetProperty("soft_cross_entropy_mean"))[0], meanKernel.CrossEntropyLossBackward(logits, probabilities, gradient), "soft backward loss");
        }
    }

    // PyTorch reduces with vector partial sums; a careful float kernel agrees to about 1e-6 relative.
    internal static void Close(float expected, float actual, string what)
    {
        double tolerance = 2e-6 + 1e-5 * Math.Abs(expected);
        Assert.True(
            Math.Abs(expected - actual) <= tolerance || (float.IsNaN(expected) && float.IsNaN(actual)),
            $"{what}: expected {expected:R}, got {actual:R}");
    }

    internal static void Close(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Close(expected[i], actual[i], $"{what}[{i}]");
        }
    }
}
