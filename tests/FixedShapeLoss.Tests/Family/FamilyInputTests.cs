using System;
using System.Linq;
using Xunit;

// Wrong lengths and out-of-range targets are constants on purpose here: the run-time checks are what is tested, and
// the call-site analyzer (FSL101-FSL103) would stop them at compile time.
#pragma warning disable FSL101, FSL102, FSL103

namespace FixedShapeLoss.Tests.Family;

/// <summary>
/// Bad input to the loss family: a wrong length names the parameter and the expected and actual lengths, an
/// out-of-range NLL target names the row, a probability (or BCE target) outside [0, 1] names the element; in every
/// case nothing is written to the destination. Also the runtime API's own checks, and zero allocation per call.
/// </summary>
public sealed class FamilyInputTests
{
    private const float Sentinel = 12345f;

    private static float[] Filled(int n, float value = Sentinel) => Enumerable.Repeat(value, n).ToArray();

    private static void AssertUntouched(float[] destination) => Assert.All(destination, v => Assert.Equal(Sentinel, v));

    private static void AssertLength(Action call, string paramName, int expected, int actual, float[]? destination = null)
    {
        var e = Assert.Throws<ArgumentException>(call);
        Assert.Equal(paramName, e.ParamName);
        Assert.Contains($"length {expected}", e.Message);
        Assert.Contains(actual.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        if (destination is not null)
        {
            AssertUntouched(destination);
        }
    }

    [Fact]
    public void WrongLengths_NameTheParameter_AndWriteNothing()
    {
        const int n = FamilyF4x7.Length, b = FamilyF4x7.Batch, c = FamilyF4x7.Classes;
        var x = new float[n];
        var y = new float[n];
        var t = new int[b];
        var w = Filled(c, 1f);
        var g = Filled(n);
        var perSample = Filled(b);

        AssertLength(() => FamilyF4x7.NllLoss(new float[n - 1], t), "logProbabilities", n, n - 1);
        AssertLength(() => FamilyF4x7.NllLoss(x, new int[b + 1]), "targets", b, b + 1);
        AssertLength(() => FamilyF4x7.NllLoss(x, t, new float[c - 1]), "weight", c, c - 1);
        AssertLength(() => FamilyF4x7.NllLossPerSample(x, t, Filled(b + 1)), "losses", b, b + 1);
        AssertLength(() => FamilyF4x7.NllLossPerSample(new float[n + 1], t, perSample), "logProbabilities", n, n + 1, perSample);
        AssertLength(() => FamilyF4x7.NllLossBackward(x, t, Filled(n - 1)), "gradient", n, n - 1);
        AssertLength(() => FamilyF4x7.NllLossBackward(x, new int[b - 1], g), "targets", b, b - 1, g);
        AssertLength(() => FamilyF4x7.NllLossBackward(x, t, new float[c + 1], g), "weight", c, c + 1, g);

        AssertLength(() => FamilyF4x7.BinaryCrossEntropyWithLogitsLoss(new float[n - 1], y), "logits", n, n - 1);
        AssertLength(() => FamilyF4x7.BinaryCrossEntropyWithLogitsLoss(x, new float[n + 1]), "targets", n, n + 1);
        AssertLength(() => FamilyF4x7.BinaryCrossEntropyWithLogitsLoss(x, y, new float[c - 1]), "posWeight", c, c - 1);
        AssertLength(() => FamilyF4x7.BinaryCrossEntropyWithLogitsLossPerElement(x, y, Filled(n - 1)), "losses", n, n - 1);
        AssertLength(() => FamilyF4x7.BinaryCrossEntropyWithLogitsLossPerElement(x, new float[n - 1], g), "targets", n, n - 1, g);
        AssertLength(() => FamilyF4x7.BinaryCrossEntropyWithLogitsLossBackward(x, y, Filled(n + 1)), "gradient", n, n + 1);
        AssertLength(() => FamilyF4x7.BinaryCrossEntropyWithLogitsLossBackward(new float[n - 1], y, g), "logits", n, n - 1, g);
        AssertLength(() => FamilyF4x7.BinaryCrossEntropyWithLogitsLossBackward(x, y, new float[c + 1], g), "posWeight", c, c + 1, g);

        AssertLength(() => FamilyF4x7.BinaryCrossEntropyLoss(new float[n - 1], y), "probabilities", n, n - 1);
        AssertLength(() => FamilyF4x7.BinaryCrossEntropyLoss(x, new float[n - 1]), "targets", n, n - 1);
        AssertLength(() => FamilyF4x7.BinaryCrossEntropyLossPerElement(x, y, Filled(n - 1)), "losses", n, n - 1);
        AssertLength(() => FamilyF4x7.BinaryCrossEntropyLossBackward(x, new float[n + 1], g), "targets", n, n + 1, g);
        AssertLength(() => FamilyF4x7.BinaryCrossEntropyLossBackward(x, y, Filled(n + 1)), "gradient", n, n + 1);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(-1)]
    [InlineData(-101)]
    public void NllTargetOutOfRange_NamesTheRow_AndWritesNothing(int bad)
    {
        var x = new float[FamilyF4x7.Length];
        var targets = new[] { 0, 1, bad, 3 };
        var g = Filled(FamilyF4x7.Length);
        var losses = Filled(FamilyF4x7.Batch);
        foreach (Action call in new Action[]
        {
            () => FamilyF4x7.NllLoss(x, targets),
            () => FamilyF4x7.NllLoss(x, targets, Filled(7, 1f)),
            () => FamilyF4x7.NllLossPerSample(x, targets, losses),
            () => FamilyF4x7.NllLossBackward(x, targets, g),
            () => FamilyF4x7.NllLossBackward(x, targets, Filled(7, 1f), g),
        })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(call);
            Assert.Equal("targets", e.ParamName);
            Assert.Equal(bad, e.ActualValue);
            Assert.Contains("targets[2]", e.Message);
            Assert.Contains("[0, 7)", e.Message);
        }

        AssertUntouched(g);
        AssertUntouched(losses);
    }

    [Fact]
    public void NllIgnoreIndex_IsNotRangeChecked_AllIgnoredMeanIsNaN_SumIsZero()
    {
        var x = Enumerable.Range(0, FamilyF4x7.Length).Select(i => -0.5f * i).ToArray();
        int[] ignored = { -100, -100, -100, -100 };
        var g = Filled(FamilyF4x7.Length);
        Assert.True(float.IsNaN(FamilyF4x7.NllLoss(x, ignored)));
        Assert.True(float.IsNaN(FamilyF4x7.NllLossBackward(x, ignored, g)));
        Assert.All(g, v => Assert.Equal(0f, v));
        Assert.Equal(0f, FamilyF4x7Sum.NllLoss(x, ignored));
    }

    /// <summary>Every position of a 3 × 129 matrix class of spans (whole vectors and the partial last one at every
    /// width), and both float and double: a bad probability or target throws naming that element.</summary>
    [Theory]
    [InlineData(0, 1.5)]
    [InlineData(5, -0.25)]
    [InlineData(16, double.NaN)]
    [InlineData(383, double.PositiveInfinity)]
    [InlineData(386, -1e-30)]
    [InlineData(200, 1.0000001)]
    public void BceProbabilityOutsideUnitInterval_NamesTheElement_AndWritesNothing(int index, double bad)
    {
        const int n = FamilyF3x129SumIgnore7.Length;
        var x = Enumerable.Range(0, n).Select(i => (i % 11) / 10f).ToArray();
        var y = Enumerable.Range(0, n).Select(i => (i % 3) / 2f).ToArray();
        var g = Filled(n);
        var losses = Filled(n);

        var badX = (float[])x.Clone();
        badX[index] = (float)bad;
        Check(() => FamilyF3x129SumIgnore7.BinaryCrossEntropyLoss(badX, y), "probabilities");
        Check(() => FamilyF3x129SumIgnore7.BinaryCrossEntropyLossPerElement(badX, y, losses), "probabilities");
        Check(() => FamilyF3x129SumIgnore7.BinaryCrossEntropyLossBackward(badX, y, g), "probabilities");
        Check(() => FamilyF3x129SumIgnore7.BinaryCrossEntropyLossBackward(badX, y, badX), "probabilities");

        var badY = (float[])y.Clone();
        badY[index] = (float)bad;
        Check(() => FamilyF3x129SumIgnore7.BinaryCrossEntropyLossBackward(x, badY, g), "targets");

        double[] xd = x.Select(v => (double)v).ToArray(), yd = y.Select(v => (double)v).ToArray();
        xd[index] = bad;
        var gd = Enumerable.Repeat(7.0, n).ToArray();
        Check(() => LossFamily.BinaryCrossEntropyLossBackward<double>(xd, yd, LossReduction.Mean, gd), "probabilities");
        Assert.All(gd, v => Assert.Equal(7.0, v));

        AssertUntouched(g);
        AssertUntouched(losses);
        Assert.Equal(BitConverter.SingleToInt32Bits((float)bad), BitConverter.SingleToInt32Bits(badX[index]));
        Assert.Equal(x.Where((_, i) => i != index), badX.Where((_, i) => i != index));

        void Check(Action call, string paramName)
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(call);
            Assert.Equal(paramName, e.ParamName);
            Assert.Contains($"{paramName}[{index}]", e.Message);
            Assert.Contains("outside [0, 1]", e.Message);
        }
    }

    [Fact]
    public void BceAtExactlyZeroAndOne_IsFinite_AsPyTorchClampsTheLog()
    {
        float[] x = { 0f, 0f, 1f, 1f };
        float[] y = { 0f, 1f, 0f, 1f };
        var losses = new float[4];
        LossFamily.BinaryCrossEntropyLossPerElement<float>(x, y, losses);
        Assert.Equal(new[] { 0f, 100f, 100f, 0f }, losses);
    }

    [Fact]
    public void RuntimeApi_ChecksShapeOptionsAndLengths()
    {
        var x = new float[12];
        var y = new float[12];
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => LossFamily.BinaryCrossEntropyWithLogitsLoss<float>(x, y, default, 0, LossReduction.Mean)).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => LossFamily.BinaryCrossEntropyWithLogitsLoss<float>(x, y, default, 5, LossReduction.Mean)).ParamName);
        Assert.Equal("reduction", Assert.Throws<ArgumentOutOfRangeException>(() => LossFamily.BinaryCrossEntropyWithLogitsLoss<float>(x, y, default, 3, (LossReduction)2)).ParamName);
        Assert.Equal("posWeight", Assert.Throws<ArgumentException>(() => LossFamily.BinaryCrossEntropyWithLogitsLoss<float>(x, y, new float[4], 3, LossReduction.Mean)).ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => LossFamily.NllLoss<float>(x, new int[4], new float[2], 3, -100, LossReduction.Sum)).ParamName);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => LossFamily.NllLoss<float>(x, new int[3], default, 3, -100, LossReduction.Sum)).ParamName);
        Assert.Equal("logProbabilities", Assert.Throws<ArgumentException>(() => LossFamily.NllLoss<double>(new double[7], new int[3], default, 3, -100, LossReduction.Sum)).ParamName);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => LossFamily.BinaryCrossEntropyLossBackward<float>(x, y, LossReduction.Sum, new float[11])).ParamName);

        // Classes = 1: one binary output per row, targets 0 (or ignored).
        Assert.Equal("targets", Assert.Throws<ArgumentOutOfRangeException>(() => LossFamily.NllLoss<float>(x, new int[12] { 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, default, 1, -100, LossReduction.Mean)).ParamName);
        Assert.Equal(-x.Sum(), LossFamily.NllLoss<float>(x, new int[12], default, 1, -100, LossReduction.Sum));
    }

    [Fact]
    public void EveryMember_AllocatesNothing()
    {
        AllocatesNothing<float, FamilyF32x10>(32, 10);
        AllocatesNothing<float, FamilyF3x129SumIgnore7>(3, 129);
        AllocatesNothing<double, FamilyD16x17Ignore0>(16, 17);
        AllocatesNothing<float, FamilyF4x5>(4, 5);
        AllocatesNothing<double, FamilyD8x1>(8, 1);
    }

    private static void AllocatesNothing<T, K>(int batch, int classes)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
        where K : IFamilyKernel<T>
    {
        int n = batch * classes;
        var x = Enumerable.Range(0, n).Select(i => T.CreateTruncating((i % 13) / 13.0)).ToArray();
        var y = Enumerable.Range(0, n).Select(i => T.CreateTruncating((i % 5) / 4.0)).ToArray();
        var t = Enumerable.Range(0, batch).Select(i => i % classes).ToArray();
        var w = Enumerable.Repeat(T.CreateTruncating(0.5), classes).ToArray();
        var g = new T[n];
        var perSample = new T[batch];
        T sink = T.Zero;

        void All()
        {
            sink += K.NllLoss(x, t) + K.NllLoss(x, t, w) + K.NllLossBackward(x, t, g) + K.NllLossBackward(x, t, w, g);
            K.NllLossPerSample(x, t, perSample);
            sink += K.BinaryCrossEntropyWithLogitsLoss(x, y) + K.BinaryCrossEntropyWithLogitsLoss(x, y, w);
            sink += K.BinaryCrossEntropyWithLogitsLossBackward(x, y, g) + K.BinaryCrossEntropyWithLogitsLossBackward(x, y, w, g);
            K.BinaryCrossEntropyWithLogitsLossPerElement(x, y, g);
            sink += K.BinaryCrossEntropyLoss(x, y) + K.BinaryCrossEntropyLossBackward(x, y, g);
            K.BinaryCrossEntropyLossPerElement(x, y, g);
        }

        SteadyState.AssertNoAllocation(All, rounds: 100, warmUpRounds: 1);
        Assert.False(T.IsNaN(sink));
    }
}
