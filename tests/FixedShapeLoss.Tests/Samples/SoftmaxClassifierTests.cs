using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using FixedShapeLoss.Samples.Classifier;
using Xunit;

namespace FixedShapeLoss.Tests.Samples;

/// <summary>
/// The SoftmaxClassifier sample, run in-process: it learns (over 95% training accuracy, falling loss), it
/// allocates nothing per training step, its weight gradient (the kernel's d loss / d logits through the
/// chain rule) agrees with a double-precision central difference, and its output is deterministic and
/// culture-invariant.
/// </summary>
public sealed class SoftmaxClassifierTests
{
    private const int F = SoftmaxClassifierTrainer.Features;
    private const int C = SoftmaxClassifierTrainer.Classes;
    private const int B = SoftmaxClassifierTrainer.BatchSize;

    private static SoftmaxClassifierTrainer NewTrainer() =>
        new(SoftmaxClassifierSample.Seed, SoftmaxClassifierSample.LearningRate);

    // ------------------------------------------------------------------ allocation

    [Fact]
    public void Step_AllocatesNothing()
    {
        var trainer = NewTrainer();
        trainer.Shuffle();
        for (int k = 0; k < SoftmaxClassifierTrainer.BatchesPerEpoch; k++)
        {
            trainer.Step(k); // warm-up: JIT, static initialization
        }

        float sink = 0f;
        int s = 0;
        SteadyState.AssertNoAllocation(() => sink += trainer.Step(s++ % SoftmaxClassifierTrainer.BatchesPerEpoch), rounds: 1000);
        Assert.True(float.IsFinite(sink));
    }

    [Fact]
    public void TrainEpochShuffleAndAccuracy_AllocateNothing()
    {
        var trainer = NewTrainer();
        trainer.TrainEpoch();
        trainer.TrainingAccuracy();

        float sink = 0f;
        SteadyState.AssertNoAllocation(() => sink += trainer.TrainEpoch() + trainer.TrainingAccuracy(), rounds: 20);
        Assert.True(float.IsFinite(sink));
    }

    // ------------------------------------------------------------------ learning

    [Fact]
    public void Run_ReachesOver95PercentTrainingAccuracy()
    {
        IReadOnlyList<EpochResult> results = SoftmaxClassifierSample.Run(TextWriter.Null);

        Assert.Equal(SoftmaxClassifierSample.Epochs, results.Count);
        Assert.True(results[^1].Accuracy > 0.95f, $"final training accuracy {results[^1].Accuracy:P2}");
        // A real learning curve, not a data set that is solved before training starts.
        Assert.True(NewTrainer().TrainingAccuracy() < 0.5f);
        Assert.True(results[0].Accuracy < 0.95f, $"epoch 1 accuracy {results[0].Accuracy:P2}");
    }

    [Fact]
    public void Run_LossDecreasesFromFirstToLastEpoch()
    {
        IReadOnlyList<EpochResult> results = SoftmaxClassifierSample.Run(TextWriter.Null);

        Assert.All(results, r => Assert.True(float.IsFinite(r.Loss) && r.Loss > 0f));
        Assert.True(results[^1].Loss < 0.5f * results[0].Loss, $"first {results[0].Loss}, last {results[^1].Loss}");
    }

    [Fact]
    public void Run_PrintsSeedFirstThenOneLinePerEpoch()
    {
        var writer = new StringWriter { NewLine = "\n" };
        IReadOnlyList<EpochResult> results = SoftmaxClassifierSample.Run(writer);
        string[] lines = writer.ToString().TrimEnd('\n').Split('\n');

        Assert.Contains($"seed {SoftmaxClassifierSample.Seed}", lines[0]);
        string[] epochLines = lines.Where(l => l.StartsWith("epoch ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(SoftmaxClassifierSample.Epochs, epochLines.Length);
        for (int e = 0; e < epochLines.Length; e++)
        {
            Match m = Regex.Match(epochLines[e], @"^epoch +(\d+)  loss (\d+\.\d{4})  accuracy +(\d+\.\d{2})%$");
            Assert.True(m.Success, epochLines[e]);
            Assert.Equal(e + 1, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            Assert.Equal(results[e].Loss, float.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), 0.00005f);
            Assert.Equal(100f * results[e].Accuracy, float.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), 0.005f);
        }
        Assert.Equal(lines[^1], epochLines[^1]);
    }

    [Fact]
    public void Run_IsDeterministicAndCultureInvariant()
    {
        string first = RunToString();
        CultureInfo saved = CultureInfo.CurrentCulture;
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        comma.NumberFormat.PercentDecimalSeparator = ",";
        try
        {
            CultureInfo.CurrentCulture = comma;
            Assert.Equal(first, RunToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Readme_SectionShowsTheActualOutput() =>
        TrainingPictureTests.AssertReadmeShows("## Training sample: SoftmaxClassifier", RunToString(), SoftmaxClassifierSample.PictureFileName);

    private static string RunToString()
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        SoftmaxClassifierSample.Run(writer);
        return writer.ToString();
    }

    // ------------------------------------------------------------------ data and shuffle

    [Fact]
    public void DataSet_IsTheSeededClustersWithBalancedLabels()
    {
        var trainer = NewTrainer();
        var noise = new float[SoftmaxClassifierTrainer.Count * F];
        new TorchGenerator(SoftmaxClassifierSample.Seed).Randn(noise); // the first draw after the seed

        for (int n = 0; n < SoftmaxClassifierTrainer.Count; n++)
        {
            int label = trainer.Labels[n];
            Assert.Equal(n % C, label);
            Assert.Equal(SoftmaxClassifierTrainer.CenterX(label) + SoftmaxClassifierTrainer.ClusterStd * noise[n * F], trainer.Inputs[n * F]);
            Assert.Equal(SoftmaxClassifierTrainer.CenterY(label) + SoftmaxClassifierTrainer.ClusterStd * noise[n * F + 1], trainer.Inputs[n * F + 1]);
        }
        for (int c = 0; c < C; c++)
        {
            Assert.Equal(SoftmaxClassifierTrainer.PointsPerClass, trainer.Labels.ToArray().Count(l => l == c));
        }
    }

    [Fact]
    public void Shuffle_IsADeterministicPermutationThatChangesPerEpoch()
    {
        var a = NewTrainer();
        var b = NewTrainer();
        a.Shuffle();
        b.Shuffle();
        int[] first = a.Order.ToArray();

        Assert.Equal(first, b.Order.ToArray());
        Assert.Equal(Enumerable.Range(0, SoftmaxClassifierTrainer.Count), first.OrderBy(i => i));
        Assert.NotEqual(Enumerable.Range(0, SoftmaxClassifierTrainer.Count), first);
        a.Shuffle();
        Assert.NotEqual(first, a.Order.ToArray());
    }

    // ------------------------------------------------------------------ chain rule

    /// <summary>The trainer's dW and db (the generated kernel's d loss / d logits pushed through
    /// logits = X·W + b) against a central difference of the batch's mean cross-entropy computed in double
    /// precision from the same float data and parameters, at the initial parameters and after training.</summary>
    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 17)]
    [InlineData(3, 5)]
    [InlineData(3, 31)]
    public void Gradient_MatchesDoubleCentralDifference(int epochsFirst, int batchIndex)
    {
        var trainer = NewTrainer();
        for (int e = 0; e < epochsFirst; e++)
        {
            trainer.TrainEpoch();
        }
        trainer.Shuffle();

        var dw = new float[F * C];
        var db = new float[C];
        float loss = trainer.Gradient(batchIndex, dw, db);

        // The batch, in double.
        var x = new double[B * F];
        var t = new int[B];
        for (int i = 0; i < B; i++)
        {
            int n = trainer.Order[batchIndex * B + i];
            x[i * F] = trainer.Inputs[n * F];
            x[i * F + 1] = trainer.Inputs[n * F + 1];
            t[i] = trainer.Labels[n];
        }
        double[] w = trainer.Weights.ToArray().Select(v => (double)v).ToArray();
        double[] b = trainer.Bias.ToArray().Select(v => (double)v).ToArray();

        Assert.Equal(BatchLoss(x, t, w, b), loss, 1e-5);

        const double h = 1e-5;
        for (int j = 0; j < w.Length; j++)
        {
            double fd = SampleGradients.CentralDifference(w, j, h, () => BatchLoss(x, t, w, b));
            AssertClose(fd, dw[j], $"dW[{j / C}, {j % C}]");
        }
        for (int c = 0; c < C; c++)
        {
            double fd = SampleGradients.CentralDifference(b, c, h, () => BatchLoss(x, t, w, b));
            AssertClose(fd, db[c], $"db[{c}]");
        }
        // Not vacuous: the gradient is not zero.
        Assert.True(dw.Max(Math.Abs) > 1e-3f);
    }

    [Fact]
    public void Gradient_LeavesParametersAlone_StepMovesThemAgainstIt()
    {
        var trainer = NewTrainer();
        trainer.Shuffle();
        float[] w0 = trainer.Weights.ToArray();
        float[] b0 = trainer.Bias.ToArray();
        var dw = new float[F * C];
        var db = new float[C];
        float gradientLoss = trainer.Gradient(4, dw, db);
        Assert.Equal(w0, trainer.Weights.ToArray());
        Assert.Equal(b0, trainer.Bias.ToArray());

        float stepLoss = trainer.Step(4);
        Assert.Equal(gradientLoss, stepLoss);
        for (int j = 0; j < w0.Length; j++)
        {
            Assert.Equal(w0[j] - trainer.LearningRate * dw[j], trainer.Weights[j]);
        }
        for (int c = 0; c < C; c++)
        {
            Assert.Equal(b0[c] - trainer.LearningRate * db[c], trainer.Bias[c]);
        }
    }

    [Fact]
    public void InvalidArguments_Throw()
    {
        var trainer = NewTrainer();
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Step(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Step(SoftmaxClassifierTrainer.BatchesPerEpoch));
        Assert.Throws<ArgumentException>(() => trainer.Gradient(0, new float[F * C - 1], new float[C]));
        Assert.Throws<ArgumentException>(() => trainer.Gradient(0, new float[F * C], new float[C + 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SoftmaxClassifierTrainer(1, 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SoftmaxClassifierTrainer(1, float.NaN));
    }

    /// <summary>Mean over the batch of <c>log Σ_c exp(z_c) − z_t</c>, <c>z = x·W + b</c>, all in double.</summary>
    private static double BatchLoss(double[] x, int[] t, double[] w, double[] b)
    {
        double total = 0;
        Span<double> z = stackalloc double[C];
        for (int i = 0; i < B; i++)
        {
            for (int c = 0; c < C; c++)
            {
                z[c] = b[c] + x[i * F] * w[c] + x[i * F + 1] * w[C + c];
            }
            double max = double.NegativeInfinity;
            foreach (double v in z)
            {
                max = Math.Max(max, v);
            }
            double sum = 0;
            foreach (double v in z)
            {
                sum += Math.Exp(v - max);
            }
            total += max + Math.Log(sum) - z[t[i]];
        }
        return total / B;
    }

    private static void AssertClose(double expected, float actual, string what)
    {
        double tolerance = 2e-5 + 1e-4 * Math.Abs(expected);
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: finite difference {expected:R}, trainer {actual:R}");
    }
}
