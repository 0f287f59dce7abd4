using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace FixedShapeLoss.Samples.MultiLabel;

/// <summary>One epoch's progress line.</summary>
/// <param name="Epoch">1-based.</param>
/// <param name="Loss">Mean of the epoch's batch losses (each taken before its SGD step).</param>
/// <param name="LabelAccuracy">Fraction of single labels right on the training set after the epoch.</param>
/// <param name="ExactMatch">Fraction of points with all three labels right after the epoch.</param>
public readonly record struct MultiLabelEpoch(int Epoch, float Loss, float LabelAccuracy, float ExactMatch);

/// <summary>The sample's run: fixed seed, learning rate and epoch count; one line per epoch, then the picture.</summary>
public static class MultiLabelClassifierSample
{
    /// <summary>The seed of the run.</summary>
    public const ulong Seed = 7;

    /// <summary>The SGD step size.</summary>
    public const float LearningRate = 0.1f;

    /// <summary>Epochs in the run.</summary>
    public const int Epochs = 15;

    /// <summary>The picture's file name (the program writes it into the working directory).</summary>
    public const string PictureFileName = "multilabel-classifier.png";

    private static readonly string[] s_labelNames = { "right", "up", "above diagonal" };

    /// <summary>Trains from <see cref="Seed"/> for <see cref="Epochs"/> epochs, prints the header and one line per epoch
    /// (culture-invariant), and, when <paramref name="picturePath"/> is given, writes the picture there and prints its path.</summary>
    /// <param name="output">Where the lines go.</param>
    /// <param name="picturePath">Where the PNG goes; null for none.</param>
    /// <returns>Every epoch's numbers.</returns>
    public static IReadOnlyList<MultiLabelEpoch> Run(TextWriter output, string? picturePath = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var trainer = new MultiLabelTrainer(Seed, LearningRate);
        output.WriteLine(Invariant(
            $"MultiLabelClassifier: seed {Seed}, {MultiLabelTrainer.Count} points {MultiLabelTrainer.Spread} * randn(2), {MultiLabelTrainer.Labels} labels per point: x > 0.5, y > -0.5, y > x, each flipped for {100 * MultiLabelTrainer.FlipRate}% of the points"));
        output.WriteLine(Invariant(
            $"linear multi-label classifier, W {MultiLabelTrainer.Features}x{MultiLabelTrainer.Labels} + b, one sigmoid per label, SGD lr {LearningRate}, {MultiLabelTrainer.BatchesPerEpoch} mini-batches of {MultiLabelLoss.Batch} per epoch (MultiLabelLoss: Batch = {MultiLabelLoss.Batch}, Classes = {MultiLabelLoss.Classes})"));
        var (labels0, exact0) = trainer.Accuracy();
        output.WriteLine(Invariant($"before               labels right {100f * labels0,6:F2}%  all three right {100f * exact0,6:F2}%"));

        var results = new List<MultiLabelEpoch>(Epochs);
        for (int epoch = 1; epoch <= Epochs; epoch++)
        {
            float loss = trainer.TrainEpoch();
            var (labels, exact) = trainer.Accuracy();
            results.Add(new MultiLabelEpoch(epoch, loss, labels, exact));
            output.WriteLine(Invariant($"epoch {epoch,2}  loss {loss:F4}  labels right {100f * labels,6:F2}%  all three right {100f * exact,6:F2}%"));
        }

        if (picturePath is not null)
        {
            var losses = new double[results.Count];
            for (int e = 0; e < losses.Length; e++)
            {
                losses[e] = results[e].Loss;
            }

            var points = new double[MultiLabelTrainer.Count * 2];
            var sets = new int[MultiLabelTrainer.Count];
            for (int n = 0; n < MultiLabelTrainer.Count; n++)
            {
                points[2 * n] = trainer.Inputs[2 * n];
                points[2 * n + 1] = trainer.Inputs[2 * n + 1];
                for (int c = 0; c < MultiLabelTrainer.Labels; c++)
                {
                    sets[n] |= trainer.Targets[n * MultiLabelTrainer.Labels + c] == 1f ? 1 << c : 0;
                }
            }

            var names = new string[1 << MultiLabelTrainer.Labels];
            for (int set = 0; set < names.Length; set++)
            {
                var parts = new List<string>();
                for (int c = 0; c < MultiLabelTrainer.Labels; c++)
                {
                    if ((set & (1 << c)) != 0)
                    {
                        parts.Add(s_labelNames[c]);
                    }
                }

                names[set] = parts.Count == 0 ? "none" : string.Join(" + ", parts);
            }

            Pictures.TrainingPicture.Save(
                picturePath,
                "learned label sets (3 sigmoid outputs)",
                losses,
                (x, y) => trainer.Predict((float)x, (float)y),
                points,
                sets,
                names);
            output.WriteLine($"picture: {picturePath}");
        }

        return results;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
