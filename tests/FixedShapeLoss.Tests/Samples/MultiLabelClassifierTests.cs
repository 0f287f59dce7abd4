using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using FixedShapeLoss.Samples.MultiLabel;
using Xunit;

namespace FixedShapeLoss.Tests.Samples;

/// <summary>
/// The MultiLabelClassifier sample, run in-process: it learns (the loss falls, over 90% of single labels right),
/// it allocates nothing per training step, its weight gradient (the generated BCEWithLogitsLoss backward pushed
/// through logits = X·W + b) agrees with a double central difference, its output is deterministic and is what the
/// README shows.
/// </summary>
public sealed class MultiLabelClassifierTests
{
    private const int F = MultiLabelTrainer.Features;
    private const int L = MultiLabelTrainer.Labels;
    private const int B = MultiLabelTrainer.BatchSize;

    private static MultiLabelTrainer NewTrainer() => new(MultiLabelClassifierSample.Seed, MultiLabelClassifierSample.LearningRate);

    [Fact]
    public void Step_AllocatesNothing()
    {
        var trainer = NewTrainer();
        trainer.Shuffle();
        for (int k = 0; k < MultiLabelTrainer.BatchesPerEpoch; k++)
        {
            trainer.Step(k); // warm-up
        }

        float sink = 0f;
        int s = 0;
        SteadyState.AssertNoAllocation(() => sink += trainer.Step(s++ % MultiLabelTrainer.BatchesPerEpoch), rounds: 1000);
        SteadyState.AssertNoAllocation(() => sink += trainer.TrainEpoch() + trainer.Accuracy().LabelAccuracy, rounds: 5, warmUpRounds: 1);
        Assert.True(float.IsFinite(sink));
    }

    [Fact]
    public void Run_Learns()
    {
        IReadOnlyList<MultiLabelEpoch> results = MultiLabelClassifierSample.Run(TextWriter.Null);
        Assert.Equal(MultiLabelClassifierSample.Epochs, results.Count);
        var (labels0, _) = NewTrainer().Accuracy();
        Assert.True(labels0 < 0.8f, $"before training {labels0:P2}");
        Assert.True(results[^1].LabelAccuracy > 0.9f, $"final {results[^1].LabelAccuracy:P2}");
        Assert.True(results[^1].Loss < 0.7f * results[0].Loss, $"first {results[0].Loss}, last {results[^1].Loss}");
        for (int e = 1; e < results.Count; e++)
        {
            Assert.True(results[e].Loss <= results[e - 1].Loss * 1.02f, $"epoch {e + 1} loss {results[e].Loss} after {results[e - 1].Loss}");
        }
    }

    [Fact]
    public void Data_AreTheSeededPointsAndTheirFlippedLabels()
    {
        var trainer = NewTrainer();
        var generator = new TorchGenerator(MultiLabelClassifierSample.Seed);
        var noise = new float[MultiLabelTrainer.Count * F];
        var flips = new float[MultiLabelTrainer.Count * L];
        generator.Randn(noise);
        generator.Rand(flips);
        int flipped = 0;
        for (int n = 0; n < MultiLabelTrainer.Count; n++)
        {
            float x = MultiLabelTrainer.Spread * noise[n * F], y = MultiLabelTrainer.Spread * noise[n * F + 1];
            Assert.Equal(x, trainer.Inputs[n * F]);
            Assert.Equal(y, trainer.Inputs[n * F + 1]);
            for (int c = 0; c < L; c++)
            {
                bool flip = flips[n * L + c] < MultiLabelTrainer.FlipRate;
                flipped += flip ? 1 : 0;
                Assert.Equal(MultiLabelTrainer.TrueLabel(c, x, y) != flip ? 1f : 0f, trainer.Targets[n * L + c]);
            }
        }

        Assert.InRange(flipped, 100, 210); // about 5% of 3072
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 19)]
    [InlineData(4, 7)]
    public void Gradient_MatchesDoubleCentralDifference(int epochsFirst, int batchIndex)
    {
        var trainer = NewTrainer();
        for (int e = 0; e < epochsFirst; e++)
        {
            trainer.TrainEpoch();
        }

        trainer.Shuffle();
        var dw = new float[F * L];
        var db = new float[L];
        float loss = trainer.Gradient(batchIndex, dw, db);

        var x = new double[B * F];
        var t = new double[B * L];
        for (int i = 0; i < B; i++)
        {
            int n = trainer.Order[batchIndex * B + i];
            x[i * F] = trainer.Inputs[n * F];
            x[i * F + 1] = trainer.Inputs[n * F + 1];
            for (int c = 0; c < L; c++)
            {
                t[i * L + c] = trainer.Targets[n * L + c];
            }
        }

        double[] w = trainer.Weights.ToArray().Select(v => (double)v).ToArray();
        double[] b = trainer.Bias.ToArray().Select(v => (double)v).ToArray();
        Assert.Equal(BatchLoss(x, t, w, b), loss, 1e-5);
        for (int j = 0; j < w.Length; j++)
        {
            Close(SampleGradients.CentralDifference(w, j, 1e-5, () => BatchLoss(x, t, w, b)), dw[j], $"dW[{j}]");
        }

        for (int c = 0; c < L; c++)
        {
            Close(SampleGradients.CentralDifference(b, c, 1e-5, () => BatchLoss(x, t, w, b)), db[c], $"db[{c}]");
        }

        Assert.True(dw.Max(Math.Abs) > 1e-3f);
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

        string[] lines = first.TrimEnd('\n').Split('\n');
        Assert.Contains($"seed {MultiLabelClassifierSample.Seed}", lines[0]);
        var epochs = lines.Where(l => l.StartsWith("epoch ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(MultiLabelClassifierSample.Epochs, epochs.Length);
        Assert.All(epochs, l => Assert.Matches(new Regex(@"^epoch +\d+  loss \d\.\d{4}  labels right +\d+\.\d{2}%  all three right +\d+\.\d{2}%$"), l));
    }

    [Fact]
    public void Readme_SectionShowsTheActualOutput() =>
        TrainingPictureTests.AssertReadmeShows("## Training sample: MultiLabelClassifier", RunToString(), MultiLabelClassifierSample.PictureFileName);

    [Fact]
    public void InvalidArguments_Throw()
    {
        var trainer = NewTrainer();
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Step(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Step(MultiLabelTrainer.BatchesPerEpoch));
        Assert.Throws<ArgumentException>(() => trainer.Gradient(0, new float[F * L + 1], new float[L]));
        Assert.Throws<ArgumentException>(() => trainer.Gradient(0, new float[F * L], new float[L - 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiLabelTrainer(1, -1f));
    }

    private static string RunToString()
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        MultiLabelClassifierSample.Run(writer);
        return writer.ToString();
    }

    /// <summary>Mean over the batch's 32 × 3 elements of <c>(1 - t) z + log(1 + exp(-z))</c>, z = x·W + b, in double.</summary>
    private static double BatchLoss(double[] x, double[] t, double[] w, double[] b)
    {
        double total = 0;
        for (int i = 0; i < B; i++)
        {
            for (int c = 0; c < L; c++)
            {
                double z = b[c] + x[i * F] * w[c] + x[i * F + 1] * w[L + c];
                total += (1 - t[i * L + c]) * z + Math.Max(-z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
            }
        }

        return total / (B * L);
    }

    private static void Close(double expected, float actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 2e-5 + 1e-4 * Math.Abs(expected), $"{what}: finite difference {expected:R}, trainer {actual:R}");
}
