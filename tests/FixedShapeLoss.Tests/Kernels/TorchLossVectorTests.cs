using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace FixedShapeLoss.Tests.Kernels;

/// <summary>Every case of torch-loss.json (PyTorch on CPU) against the kernels generated for its shape.</summary>
public class TorchLossVectorTests
{
    public static IEnumerable<object[]> Seeds()
    {
        using var doc = TestData.Load("torch-loss.json");
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("seed").GetInt32() }).ToList();
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void MatchesPyTorch(int seed)
    {
        using var doc = TestData.Load("torch-loss.json");
        var c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("seed").GetInt32() == seed);
        int batch = c.GetProperty("batch").GetInt32(), classes = c.GetProperty("classes").GetInt32();
        float smoothing = c.TryGetProperty("label_smoothing", out var s) ? s.GetSingle() : 0f;
        switch ((batch, classes, smoothing))
        {
            case (4, 7, 0f): Check<Loss4x7, Loss4x7Sum>(c); break;
            case (1, 2, 0f): Check<Loss1x2, Loss1x2Sum>(c); break;
            case (3, 5, 0f): Check<Loss3x5, Loss3x5Sum>(c); break;
            case (8, 10, 0f): Check<Loss8x10, Loss8x10Sum>(c); break;
            case (6, 4, 0f): Check<Loss6x4, Loss6x4Sum>(c); break;
            case (5, 3, 0.1f): Check<Loss5x3Smooth, Loss5x3SmoothSum>(c); break;
            default: Assert.Fail($"No kernel class declared for {batch}x{classes}, label smoothing {smoothing}: add one to TestKernels.cs."); break;
        }
    }

    private static void Check<TMean, TSum>(JsonElement c)
        where TMean : ILossKernel
        where TSum : ILossKernel
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
        TMean.Normalize(normalized);
        Close(TestData.FloatBits(c.GetProperty("normalized")), normalized, "normalized");

        TMean.Softmax(logits, output);
        Close(TestData.FloatBits(c.GetProperty("softmax")), output, "softmax");
        TMean.LogSoftmax(logits, output);
        Close(TestData.FloatBits(c.GetProperty("log_softmax")), output, "log_softmax");

        TMean.OneHot(labels, output);
        Assert.Equal(TestData.FloatBits(c.GetProperty("one_hot")), output);
        var back = new int[batch];
        TMean.Labels(output, back);
        Assert.Equal(labels, back);

        float ce = TestData.FloatBits(c.GetProperty("ce_probabilities"))[0];
        Close(ce, TMean.CrossEntropy(normalized, labels), "ce_probabilities (labels)");
        Close(ce, TMean.CrossEntropy(normalized, output), "ce_probabilities (one-hot)");

        float mean = TestData.FloatBits(c.GetProperty("cross_entropy_mean"))[0];
        float sum = TestData.FloatBits(c.GetProperty("cross_entropy_sum"))[0];
        float[] none = TestData.FloatBits(c.GetProperty("cross_entropy_none"));
        float[] gradMean = TestData.FloatBits(c.GetProperty("grad_mean"));
        var perSample = new float[batch];
        var gradient = new float[n];
        if (weight is null)
        {
            Close(mean, TMean.CrossEntropyLoss(logits, targets), "mean");
            Close(sum, TSum.CrossEntropyLoss(logits, targets), "sum");
            TMean.CrossEntropyLossPerSample(logits, targets, perSample);
            Close(none, perSample, "none");
            Close(mean, TMean.CrossEntropyLossBackward(logits, targets, gradient), "backward loss");
            Close(gradMean, gradient, "grad_mean");
        }
        else
        {
            Close(mean, TMean.CrossEntropyLoss(logits, targets, weight), "weighted mean");
            Close(sum, TSum.CrossEntropyLoss(logits, targets, weight), "weighted sum");
            TMean.CrossEntropyLossPerSample(logits, targets, weight, perSample);
            Close(none, perSample, "weighted none");
            Close(mean, TMean.CrossEntropyLossBackward(logits, targets, weight, gradient), "weighted backward loss");
            Close(gradMean, gradient, "weighted grad_mean");
        }

        if (c.TryGetProperty("soft_targets", out var soft))
        {
            float[] probabilities = TestData.FloatBits(soft);
            Close(TestData.FloatBits(c.GetProperty("soft_cross_entropy_mean"))[0], TMean.CrossEntropyLoss(logits, probabilities), "soft mean");
            Close(TestData.FloatBits(c.GetProperty("soft_cross_entropy_sum"))[0], TSum.CrossEntropyLoss(logits, probabilities), "soft sum");
            Close(TestData.FloatBits(c.GetProperty("soft_cross_entropy_mean"))[0], TMean.CrossEntropyLossBackward(logits, probabilities, gradient), "soft backward loss");
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
