using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace FixedShapeLoss.Samples.Classifier;

/// <summary>One epoch's progress line: the mean training loss over the epoch's mini-batches and the
/// training-set accuracy after the epoch.</summary>
/// <param name="Epoch">1-based.</param>
/// <param name="Loss">Mean of the epoch's batch losses (each taken before its SGD step).</param>
/// <param name="Accuracy">Fraction of the training set classified correctly after the epoch.</param>
public readonly record struct EpochResult(int Epoch, float Loss, float Accuracy);

/// <summary>The sample's run: fixed seed, learning rate and epoch count; one line per epoch.</summary>
public static class SoftmaxClassifierSample
{
    /// <summary>The seed of the run (the program's first line states it).</summary>
    public const ulong Seed = 42;

    /// <summary>The SGD step size.</summary>
    public const float LearningRate = 0.01f;

    /// <summary>Epochs in the run.</summary>
    public const int Epochs = 15;

    /// <summary>The picture's file name (the program writes it into the working directory).</summary>
    public const string PictureFileName = "softmax-classifier.png";

    /// <summary>Trains from <see cref="Seed"/> for <see cref="Epochs"/> epochs and prints the header and one
    /// progress line per epoch, formatted culture-invariantly; when <paramref name="picturePath"/> is given, writes
    /// the picture (loss per epoch, learned decision regions over the points) there and prints its path.</summary>
    /// <param name="output">Where the lines go.</param>
    /// <param name="picturePath">Where the PNG goes; null for none.</param>
    /// <returns>Every epoch's loss and accuracy.</returns>
    public static IReadOnlyList<EpochResult> Run(TextWriter output, string? picturePath = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var trainer = new SoftmaxClassifierTrainer(Seed, LearningRate);
        output.WriteLine(Invariant(
            $"SoftmaxClassifier: seed {Seed}, {SoftmaxClassifierTrainer.Count} points in {SoftmaxClassifierTrainer.Classes} Gaussian clusters at (±{SoftmaxClassifierTrainer.ClusterOffset}, ±{SoftmaxClassifierTrainer.ClusterOffset}), std {SoftmaxClassifierTrainer.ClusterStd}"));
        output.WriteLine(Invariant(
            $"linear softmax classifier, W {SoftmaxClassifierTrainer.Features}x{SoftmaxClassifierTrainer.Classes} + b, SGD lr {LearningRate}, {SoftmaxClassifierTrainer.BatchesPerEpoch} mini-batches of {ClassifierLoss.Batch} per epoch (ClassifierLoss: Batch = {ClassifierLoss.Batch}, Classes = {ClassifierLoss.Classes})"));
        output.WriteLine(Invariant($"before   accuracy {100f * trainer.TrainingAccuracy(),6:F2}%"));

        var results = new List<EpochResult>(Epochs);
        for (int epoch = 1; epoch <= Epochs; epoch++)
        {
            float loss = trainer.TrainEpoch();
            float accuracy = trainer.TrainingAccuracy();
            results.Add(new EpochResult(epoch, loss, accuracy));
            output.WriteLine(Invariant($"epoch {epoch,2}  loss {loss:F4}  accuracy {100f * accuracy,6:F2}%"));
        }

        if (picturePath is not null)
        {
            SavePicture(trainer, results, picturePath);
            output.WriteLine($"picture: {picturePath}");
        }

        return results;
    }

    private static void SavePicture(SoftmaxClassifierTrainer trainer, List<EpochResult> results, string path)
    {
        const int F = SoftmaxClassifierTrainer.Features, C = SoftmaxClassifierTrainer.Classes;
        float[] w = trainer.Weights.ToArray(), b = trainer.Bias.ToArray();
        var points = new double[SoftmaxClassifierTrainer.Count * F];
        for (int k = 0; k < points.Length; k++)
        {
            points[k] = trainer.Inputs[k];
        }

        // The predicted class: the largest logit b_c + x W[0, c] + y W[1, c] (the first on a tie).
        int Predict(double x, double y)
        {
            int best = 0;
            double bestLogit = double.NegativeInfinity;
            for (int c = 0; c < C; c++)
            {
                double logit = b[c] + x * w[c] + y * w[C + c];
                if (logit > bestLogit)
                {
                    (best, bestLogit) = (c, logit);
                }
            }

            return best;
        }

        Pictures.TrainingPicture.Save(
            path,
            "learned classes (softmax over 4)",
            results.ConvertAll(r => (double)r.Loss),
            Predict,
            points,
            trainer.Labels.ToArray(),
            new[] { "class 0 (+, +)", "class 1 (-, +)", "class 2 (-, -)", "class 3 (+, -)" });
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
