using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace FixedShapeLoss.Tests.Float64;

/// <summary>The float64 cross-entropy cases of torch-family.json (PyTorch on CPU, dtype float64) against the double
/// kernels, to 1e-12 relative: softmax, log-softmax, the loss in every reduction and its gradients.</summary>
public class Float64VectorTests
{
    public static IEnumerable<object[]> Seeds()
    {
        using var doc = TestData.Load("torch-family.json");
        return doc.RootElement.GetProperty("cases").EnumerateArray()
            .Where(c => c.GetProperty("dtype").GetString() == "float64")
            .Select(c => new object[] { c.GetProperty("seed").GetInt32() }).ToList();
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void MatchesPyTorchFloat64(int seed)
    {
        using var doc = TestData.Load("torch-family.json");
        var c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("seed").GetInt32() == seed);
        int batch = c.GetProperty("batch").GetInt32(), classes = c.GetProperty("classes").GetInt32();
        bool weighted = c.TryGetProperty("weight", out _);
        double smoothing = c.TryGetProperty("label_smoothing", out var s) ? s.GetDouble() : 0;
        switch ((batch, classes, weighted, smoothing))
        {
            case (4, 7, false, 0): Check<D4x7, D4x7Sum>(c); break;
            case (3, 5, true, 0): Check<D3x5, D3x5Sum>(c); break;
            case (5, 3, false, 0.1): Check<D5x3Smooth, D5x3SmoothSum>(c); break;
            default: Assert.Fail($"No double kernel declared for {batch}x{classes} (weighted {weighted}, smoothing {smoothing})."); break;
        }
    }

    private static void Check<TMean, TSum>(JsonElement c)
        where TMean : ILossKernel64
        where TSum : ILossKernel64
    {
        int n = c.GetProperty("batch").GetInt32() * c.GetProperty("classes").GetInt32();
        double[] logits = TestData.DoubleBits(c.GetProperty("logits"));
        int[] targets = TestData.Longs(c.GetProperty("targets")).Select(v => (int)v).ToArray();
        double[]? weight = c.TryGetProperty("weight", out var w) ? TestData.DoubleBits(w) : null;
        var output = new double[n];

        TMean.Softmax(logits, output);
        Close(TestData.DoubleBits(c.GetProperty("softmax")), output, "softmax");
        TMean.LogSoftmax(logits, output);
        Close(TestData.DoubleBits(c.GetProperty("log_softmax")), output, "log_softmax");

        double mean = weight is null ? TMean.CrossEntropyLoss(logits, targets) : TMean.CrossEntropyLoss(logits, targets, weight);
        double sum = weight is null ? TSum.CrossEntropyLoss(logits, targets) : TSum.CrossEntropyLoss(logits, targets, weight);
        Close(TestData.DoubleBits(c.GetProperty("ce_mean")), new[] { mean }, "ce_mean");
        Close(TestData.DoubleBits(c.GetProperty("ce_sum")), new[] { sum }, "ce_sum");

        var losses = new double[targets.Length];
        if (weight is null) TMean.CrossEntropyLossPerSample(logits, targets, losses); else TMean.CrossEntropyLossPerSample(logits, targets, weight, losses);
        Close(TestData.DoubleBits(c.GetProperty("ce_none")), losses, "ce_none");

        foreach (var (name, kernelMean) in new[] { ("ce_grad_mean", true), ("ce_grad_sum", false) })
        {
            var gradient = new double[n];
            double loss = (kernelMean, weight) switch
            {
                (true, null) => TMean.CrossEntropyLossBackward(logits, targets, gradient),
                (true, _) => TMean.CrossEntropyLossBackward(logits, targets, weight, gradient),
                (false, null) => TSum.CrossEntropyLossBackward(logits, targets, gradient),
                _ => TSum.CrossEntropyLossBackward(logits, targets, weight, gradient),
            };
            Close(new[] { kernelMean ? TestData.DoubleBits(c.GetProperty("ce_mean"))[0] : TestData.DoubleBits(c.GetProperty("ce_sum"))[0] }, new[] { loss }, name + " loss");
            Close(TestData.DoubleBits(c.GetProperty(name)), gradient, name);
        }
    }

    private static void Close(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(actual[k] - expected[k]) <= 1e-12 * Math.Abs(expected[k]) + 1e-300,
                $"{what}[{k}]: expected {expected[k]:R}, got {actual[k]:R}");
        }
    }

    /// <summary>A double kernel uses the smoothing the user wrote (0.1, the float's shortest decimal), not the widened
    /// float 0.10000000149011612, as PyTorch's float64 does.</summary>
    [Fact]
    public void LabelSmoothing_IsTheDecimalWritten()
    {
        Assert.Equal(0.1, D5x3Smooth.LabelSmoothing);
        Assert.Equal(0.05, D40x300.LabelSmoothing);
        Assert.Equal(0.25, D20x33Smooth.LabelSmoothing);
    }
}
