// These tests pass wrong lengths and targets on purpose, to check the run-time checks: the call-site analyzer
// (FSL101-FSL103) would turn them into compile errors.
#pragma warning disable FSL101, FSL102, FSL103

using System;
using Xunit;

namespace FixedShapeLoss.Tests.Kernels;

/// <summary>Bad input gets a clear exception naming the argument and the expected length or range, and
/// nothing is written to a destination before the checks pass.</summary>
public class InputCheckTests
{
    private static readonly float[] s_logits = new float[Loss4x7.Length];
    private static readonly int[] s_targets = { 6, 2, 4, 3 };

    [Fact]
    public void WrongLengthNamesParameterExpectedAndActual()
    {
        var e = Assert.Throws<ArgumentException>(() => Loss4x7.CrossEntropyLoss(new float[27], s_targets));
        Assert.Equal("logits", e.ParamName);
        Assert.Contains("28", e.Message);
        Assert.Contains("27", e.Message);
        Assert.Contains("4 × 7", e.Message);

        e = Assert.Throws<ArgumentException>(() => Loss4x7.CrossEntropyLoss(s_logits, new int[5]));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("length 4", e.Message);
        Assert.Contains("5", e.Message);

        e = Assert.Throws<ArgumentException>(() => Loss4x7.CrossEntropyLoss(s_logits, s_targets, new float[6]));
        Assert.Equal("weight", e.ParamName);
        Assert.Contains("length 7", e.Message);
        Assert.Contains("Classes", e.Message);

        e = Assert.Throws<ArgumentException>(() => Loss4x7.CrossEntropyLoss(s_logits, new float[29]));
        Assert.Equal("targetProbabilities", e.ParamName);

        e = Assert.Throws<ArgumentException>(() => Loss4x7.Softmax(s_logits, new float[10]));
        Assert.Equal("destination", e.ParamName);

        e = Assert.Throws<ArgumentException>(() => Loss4x7.Normalize(new float[3]));
        Assert.Equal("values", e.ParamName);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(-1)]
    [InlineData(-101)]
    public void TargetOutOfRangeNamesRowAndValue(int bad)
    {
        var targets = new[] { 0, 1, bad, 3 };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Loss4x7.CrossEntropyLoss(s_logits, targets));
        Assert.Equal("targets", e.ParamName);
        Assert.Equal(bad, e.ActualValue);
        Assert.Contains($"Target {bad} is out of bounds", e.Message);
        Assert.Contains("targets[2]", e.Message);
        Assert.Contains("[0, 7)", e.Message);
    }

    [Fact]
    public void IgnoreIndexIsNotRangeChecked() => Assert.True(float.IsNaN(Loss4x7.CrossEntropyLoss(s_logits, new[] { -100, -100, -100, -100 })));

    [Fact]
    public void AllIgnoredSumIsZeroAndGradientIsZero()
    {
        var gradient = new float[Loss4x7Sum.Length];
        Array.Fill(gradient, 5f);
        Assert.Equal(0f, Loss4x7Sum.CrossEntropyLossBackward(s_logits, new[] { -100, -100, -100, -100 }, gradient));
        Assert.All(gradient, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void NothingIsWrittenBeforeTheChecksPass()
    {
        var gradient = new float[Loss4x7.Length];
        Array.Fill(gradient, 42f);
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss4x7.CrossEntropyLossBackward(s_logits, new[] { 0, 1, 2, 9 }, gradient));
        Assert.All(gradient, g => Assert.Equal(42f, g));

        var losses = new float[Loss4x7.Batch];
        Array.Fill(losses, 42f);
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss4x7.CrossEntropyLossPerSample(s_logits, new[] { 0, 1, 2, 9 }, losses));
        Assert.All(losses, l => Assert.Equal(42f, l));

        var oneHot = new float[Loss4x7.Length];
        Array.Fill(oneHot, 42f);
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss4x7.OneHot(new[] { 0, 1, 2, 7 }, oneHot));
        Assert.All(oneHot, v => Assert.Equal(42f, v));

        var labels = new int[Loss4x7.Batch];
        Array.Fill(labels, 42);
        var notOneHot = new float[Loss4x7.Length];
        notOneHot[0] = 1f;
        notOneHot[7] = 1f;
        notOneHot[14] = 1f;
        notOneHot[21] = 0.5f; // last row: no 1
        var e = Assert.Throws<ArgumentException>(() => Loss4x7.Labels(notOneHot, labels));
        Assert.Equal("oneHot", e.ParamName);
        Assert.Contains("Row 3", e.Message);
        Assert.All(labels, v => Assert.Equal(42, v));
    }

    [Fact]
    public void LabelsRejectsTwoOnesInARow()
    {
        var oneHot = new float[Loss4x7.Length];
        Loss4x7.OneHot(s_targets, oneHot);
        oneHot[7 + 5] = 1f; // row 1 now has two ones
        var e = Assert.Throws<ArgumentException>(() => Loss4x7.Labels(oneHot, new int[4]));
        Assert.Contains("Row 1", e.Message);
    }

    [Fact]
    public void LogOfZeroProbabilityIsInfinityNotAClamp()
    {
        var probabilities = new float[Loss4x7.Length];
        for (int i = 0; i < 4; i++)
        {
            probabilities[i * 7] = 1f; // all mass on class 0
        }

        Assert.Equal(float.PositiveInfinity, Loss4x7.CrossEntropy(probabilities, new[] { 0, 0, 0, 1 }));
    }

    [Fact]
    public void NaNInNaNOut()
    {
        var logits = new float[Loss4x7.Length];
        logits[9] = float.NaN; // row 1
        var perSample = new float[4];
        Loss4x7.CrossEntropyLossPerSample(logits, s_targets, perSample);
        Assert.False(float.IsNaN(perSample[0]));
        Assert.True(float.IsNaN(perSample[1]));
        Assert.True(float.IsNaN(Loss4x7.CrossEntropyLoss(logits, s_targets)));
        var softmax = new float[Loss4x7.Length];
        Loss4x7.Softmax(logits, softmax);
        for (int j = 7; j < 14; j++)
        {
            Assert.True(float.IsNaN(softmax[j]));
        }
    }

    [Fact]
    public void LargeLogitsDoNotOverflow()
    {
        var logits = new float[Loss4x7.Length];
        for (int k = 0; k < logits.Length; k++)
        {
            logits[k] = 1000f + k % 7; // exp(1000) overflows without the max subtraction
        }

        // Each row is 1000 + [0..6]; the loss of target t is log(sum_j e^j) - t.
        double lse = Math.Log(Enumerable_Sum(7));
        float loss = Loss4x7.CrossEntropyLoss(logits, s_targets);
        double expected = (4 * lse - (6 + 2 + 4 + 3)) / 4;
        Assert.True(Math.Abs(loss - expected) < 1e-4, $"{loss} vs {expected}");
    }

    private static double Enumerable_Sum(int n)
    {
        double s = 0;
        for (int j = 0; j < n; j++)
        {
            s += Math.Exp(j);
        }

        return s;
    }
}
