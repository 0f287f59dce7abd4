using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Text.Json;
using Xunit;

namespace FixedShapeLoss.Tests.Family;

/// <summary>
/// Every nll_*, bcewl_* and bce_* value of torch-family.json (PyTorch on CPU, float32 and float64): the Mean kernel,
/// the Sum kernel, the per-element / per-sample members and both gradients, with class weights, ignore_index and
/// pos_weight where the case has them. Tolerances as for cross-entropy: float32 2e-6 absolute + 1e-5 relative,
/// float64 1e-12 relative.
/// </summary>
public sealed class FamilyTorchVectorTests
{
    private static readonly JsonElement[] s_allCases = LoadCases();

    public static IEnumerable<object[]> CaseIndices() => Enumerable.Range(0, s_allCases.Length).Select(i => new object[] { i });

    private static JsonElement[] LoadCases()
    {
        using JsonDocument doc = TestData.Load("torch-family.json");
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    }

    [Fact]
    public void EveryCaseHasAKernel()
    {
        Assert.Equal(8, s_allCases.Length);
        Assert.All(s_allCases, c => Assert.NotNull(Runner(c)));
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void Case_MatchesPyTorch(int index)
    {
        JsonElement c = s_allCases[index];
        Action<JsonElement> run = Runner(c) ?? throw new InvalidOperationException($"no kernel for case {index}");
        run(c);
    }

    private static Action<JsonElement>? Runner(JsonElement c) =>
        (c.GetProperty("batch").GetInt32(), c.GetProperty("classes").GetInt32(), c.GetProperty("dtype").GetString()) switch
        {
            (4, 7, "float64") => Check<double, FamilyD4x7, FamilyD4x7Sum>,
            (3, 5, "float64") => Check<double, FamilyD3x5, FamilyD3x5Sum>,
            (5, 3, "float64") => Check<double, FamilyD5x3, FamilyD5x3Sum>,
            (4, 7, "float32") => Check<float, FamilyF4x7, FamilyF4x7Sum>,
            (6, 4, "float32") => Check<float, FamilyF6x4, FamilyF6x4Sum>,
            (4, 5, "float32") => Check<float, FamilyF4x5, FamilyF4x5Sum>,
            (2, 3, "float32") => Check<float, FamilyF2x3, FamilyF2x3Sum>,
            (8, 1, "float32") => Check<float, FamilyF8x1, FamilyF8x1Sum>,
            _ => null,
        };

    private static void Check<T, KMean, KSum>(JsonElement c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where KMean : IFamilyKernel<T>
        where KSum : IFamilyKernel<T>
    {
        int classes = c.GetProperty("classes").GetInt32();
        T[] logProbabilities = Values<T>(c, "log_probabilities");
        int[] targets = TestData.Longs(c.GetProperty("targets")).Select(v => (int)v).ToArray();
        T[]? weight = c.TryGetProperty("weight", out _) ? Values<T>(c, "weight") : null;
        T[] logits = Values<T>(c, "logits");
        T[] binaryTargets = Values<T>(c, "binary_targets");
        T[]? posWeight = c.TryGetProperty("pos_weight", out _) ? Values<T>(c, "pos_weight") : null;
        T[] probabilities = Values<T>(c, "probabilities");
        var gradient = new T[logits.Length];
        var perElement = new T[logits.Length];
        var perSample = new T[targets.Length];

        // nn.NLLLoss (weighted where the case has weights; ignore_index is the kernels' default -100)
        if (weight is null)
        {
            Near(c, "nll_mean", KMean.NllLoss(logProbabilities, targets));
            Near(c, "nll_sum", KSum.NllLoss(logProbabilities, targets));
            KMean.NllLossPerSample(logProbabilities, targets, perSample);
            Near(c, "nll_mean", KMean.NllLossBackward(logProbabilities, targets, gradient));
            Near(c, "nll_grad_mean", gradient);
            Near(c, "nll_sum", KSum.NllLossBackward(logProbabilities, targets, gradient));
            Near(c, "nll_grad_sum", gradient);
        }
        else
        {
            Near(c, "nll_mean", KMean.NllLoss(logProbabilities, targets, weight));
            Near(c, "nll_sum", KSum.NllLoss(logProbabilities, targets, weight));
            // The generated per-sample member has no weight overload (design.md); the runtime's has.
            LossFamily.NllLossPerSample<T>(logProbabilities, targets, weight, classes, -100, perSample);
            Near(c, "nll_mean", KMean.NllLossBackward(logProbabilities, targets, weight, gradient));
            Near(c, "nll_grad_mean", gradient);
            Near(c, "nll_sum", KSum.NllLossBackward(logProbabilities, targets, weight, gradient));
            Near(c, "nll_grad_sum", gradient);
        }

        Near(c, "nll_none", perSample);

        // nn.BCEWithLogitsLoss
        if (posWeight is null)
        {
            Near(c, "bcewl_mean", KMean.BinaryCrossEntropyWithLogitsLoss(logits, binaryTargets));
            Near(c, "bcewl_sum", KSum.BinaryCrossEntropyWithLogitsLoss(logits, binaryTargets));
            KMean.BinaryCrossEntropyWithLogitsLossPerElement(logits, binaryTargets, perElement);
            Near(c, "bcewl_mean", KMean.BinaryCrossEntropyWithLogitsLossBackward(logits, binaryTargets, gradient));
            Near(c, "bcewl_grad_mean", gradient);
            Near(c, "bcewl_sum", KSum.BinaryCrossEntropyWithLogitsLossBackward(logits, binaryTargets, gradient));
            Near(c, "bcewl_grad_sum", gradient);
        }
        else
        {
            Near(c, "bcewl_mean", KMean.BinaryCrossEntropyWithLogitsLoss(logits, binaryTargets, posWeight));
            Near(c, "bcewl_sum", KSum.BinaryCrossEntropyWithLogitsLoss(logits, binaryTargets, posWeight));
            LossFamily.BinaryCrossEntropyWithLogitsLossPerElement<T>(logits, binaryTargets, posWeight, classes, perElement);
            Near(c, "bcewl_mean", KMean.BinaryCrossEntropyWithLogitsLossBackward(logits, binaryTargets, posWeight, gradient));
            Near(c, "bcewl_grad_mean", gradient);
            Near(c, "bcewl_sum", KSum.BinaryCrossEntropyWithLogitsLossBackward(logits, binaryTargets, posWeight, gradient));
            Near(c, "bcewl_grad_sum", gradient);
        }

        Near(c, "bcewl_none", perElement);

        // nn.BCELoss
        Near(c, "bce_mean", KMean.BinaryCrossEntropyLoss(probabilities, binaryTargets));
        Near(c, "bce_sum", KSum.BinaryCrossEntropyLoss(probabilities, binaryTargets));
        KMean.BinaryCrossEntropyLossPerElement(probabilities, binaryTargets, perElement);
        Near(c, "bce_none", perElement);
        Near(c, "bce_mean", KMean.BinaryCrossEntropyLossBackward(probabilities, binaryTargets, gradient));
        Near(c, "bce_grad_mean", gradient);
        Near(c, "bce_sum", KSum.BinaryCrossEntropyLossBackward(probabilities, binaryTargets, gradient));
        Near(c, "bce_grad_sum", gradient);
    }

    private static T[] Values<T>(JsonElement c, string key)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        JsonElement tensor = c.GetProperty(key);
        return typeof(T) == typeof(float)
            ? TestData.FloatBits(tensor).Select(v => T.CreateTruncating(v)).ToArray()
            : TestData.DoubleBits(tensor).Select(v => T.CreateTruncating(v)).ToArray();
    }

    private static double[] Expected(JsonElement c, string key)
    {
        JsonElement tensor = c.GetProperty(key);
        return tensor.GetProperty("dtype").GetString() == "float32"
            ? TestData.FloatBits(tensor).Select(v => (double)v).ToArray()
            : TestData.DoubleBits(tensor);
    }

    private static void Near<T>(JsonElement c, string key, T actual)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        Near(c, key, new[] { actual });

    private static void Near<T>(JsonElement c, string key, T[] actual)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double[] expected = Expected(c, key);
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            double a = double.CreateTruncating(actual[k]);
            double tolerance = typeof(T) == typeof(float) ? 2e-6 + 1e-5 * Math.Abs(expected[k]) : 1e-12 * Math.Abs(expected[k]);
            Assert.True(
                Math.Abs(a - expected[k]) <= tolerance || (double.IsNaN(a) && double.IsNaN(expected[k])),
                $"seed {c.GetProperty("seed").GetInt32()} {key}[{k}]: PyTorch {expected[k]:R}, kernel {a:R}");
        }
    }
}
