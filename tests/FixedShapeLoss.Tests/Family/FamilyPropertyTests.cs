using System;
using System.Linq;
using System.Numerics;
using CsCheck;
using Xunit;

namespace FixedShapeLoss.Tests.Family;

/// <summary>
/// The generated NllLoss, BinaryCrossEntropyWithLogitsLoss and BinaryCrossEntropyLoss members on random inputs against
/// <see cref="FamilyReference"/>, for float and double kernels of several shapes (one class, a single binary output, too):
/// logits up to |x| = 1e4, 0/1 and soft targets, probabilities of exactly 0 and 1, class weights, pos_weight and
/// ignored rows. Every gradient is also checked against a central difference of the double reference loss, and every
/// backward in place (gradient = input) against the same call out of place, bit for bit.
/// </summary>
/// <remarks>Tolerances: float 1e-5 relative + 2e-6 absolute, plus 3e-7 times the size of the terms that cancel (a
/// float kernel rounds its inputs' products as PyTorch's float32 does); double 1e-12 relative plus 1e-15 times the
/// terms.</remarks>
public sealed class FamilyPropertyTests
{
    private sealed record Shape(int Batch, int Classes, bool Sum, int IgnoreIndex)
    {
        public int Length => Batch * Classes;
    }

    [Fact] public void F4x7() => Check<float, FamilyF4x7>(new(4, 7, false, -100));
    [Fact] public void F4x7Sum() => Check<float, FamilyF4x7Sum>(new(4, 7, true, -100));
    [Fact] public void F1x2() => Check<float, FamilyF1x2>(new(1, 2, false, -100));
    [Fact] public void F2x3() => Check<float, FamilyF2x3>(new(2, 3, false, -100));
    [Fact] public void F32x10() => Check<float, FamilyF32x10>(new(32, 10, false, -100));
    [Fact] public void F3x129SumIgnore7() => Check<float, FamilyF3x129SumIgnore7>(new(3, 129, true, 7));
    [Fact] public void F300x40Ignore() => Check<float, FamilyF300x40>(new(300, 40, false, -1), iterations: 8);
    [Fact] public void F8x1() => Check<float, FamilyF8x1>(new(8, 1, false, -100));
    [Fact] public void D4x7() => Check<double, FamilyD4x7>(new(4, 7, false, -100));
    [Fact] public void D5x3Sum() => Check<double, FamilyD5x3Sum>(new(5, 3, true, -100));
    [Fact] public void D32x10Sum() => Check<double, FamilyD32x10Sum>(new(32, 10, true, -100));
    [Fact] public void D16x17Ignore0() => Check<double, FamilyD16x17Ignore0>(new(16, 17, false, 0));
    [Fact] public void D7x5Ignore() => Check<double, FamilyD7x5Ignore>(new(7, 5, false, -1));
    [Fact] public void D8x1Sum() => Check<double, FamilyD8x1Sum>(new(8, 1, true, -100));
    [Fact] public void D3x1AllIgnored() => Check<double, FamilyD3x1Ignore0>(new(3, 1, false, 0));

    private static readonly Gen<double> s_logit = Gen.OneOf(Gen.Double[-8, 8], Gen.Double[-120, 120], Gen.Double[-1e4, 1e4], Gen.Const(0.0));
    private static readonly Gen<double> s_unit = Gen.OneOf(Gen.Double[0, 1], Gen.Const(0.0), Gen.Const(1.0), Gen.Double[0, 1e-7], Gen.Double[0.999999, 1]);

    private static void Check<T, K>(Shape s, int iterations = 40)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where K : IFamilyKernel<T>
    {
        int n = s.Length;
        var gen =
            from logits in s_logit.Array[n]
            from y in s_unit.Array[n]
            from probabilities in s_unit.Array[n]
            from logProbabilities in Gen.Double[-30, 0].Array[n]
            from targets in Gen.Int[0, s.Classes].Array[s.Batch] // Classes stands for "ignored"
            from weight in Gen.Double[0.1, 2].Array[s.Classes]
            from posWeight in Gen.Double[0.1, 4].Array[s.Classes]
            select (logits, y, probabilities, logProbabilities, targets.Select(t => t == s.Classes ? s.IgnoreIndex : t).ToArray(), weight, posWeight);
        gen.Sample(
            sample =>
            {
                var (logitsD, yD, probabilitiesD, logProbabilitiesD, targets, weightD, posWeightD) = sample;
                T[] logits = Cast<T>(logitsD), y = Cast<T>(yD), probabilities = Cast<T>(probabilitiesD), logProbabilities = Cast<T>(logProbabilitiesD);
                T[] weight = Cast<T>(weightD), posWeight = Cast<T>(posWeightD);
                double[] xs = Widen(logits), ys = Widen(y), ps = Widen(probabilities), lps = Widen(logProbabilities), ws = Widen(weight), pws = Widen(posWeight);
                CheckNll<T, K>(s, logProbabilities, targets, null, lps, ws);
                CheckNll<T, K>(s, logProbabilities, targets, weight, lps, ws);
                CheckWithLogits<T, K>(s, logits, y, null, xs, ys, pws);
                CheckWithLogits<T, K>(s, logits, y, posWeight, xs, ys, pws);
                CheckBce<T, K>(s, probabilities, y, ps, ys);
            },
            iter: iterations);
    }

    private static void CheckNll<T, K>(Shape s, T[] x, int[] targets, T[]? weight, double[] xs, double[] ws)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where K : IFamilyKernel<T>
    {
        var (loss, perSample, gradient) = FamilyReference.Nll(xs, targets, weight is null ? null : ws, s.Classes, s.IgnoreIndex, !s.Sum);
        double terms = perSample.Sum(Math.Abs) / (s.Sum ? 1 : Math.Max(1, targets.Count(t => t != s.IgnoreIndex)));
        T[] g = new T[s.Length];
        if (weight is null)
        {
            Close<T>(loss, K.NllLoss(x, targets), terms, "NllLoss");
            var losses = new T[s.Batch];
            K.NllLossPerSample(x, targets, losses);
            for (int i = 0; i < s.Batch; i++)
            {
                Close<T>(perSample[i], losses[i], Math.Abs(perSample[i]), $"NllLossPerSample[{i}]");
            }

            Close<T>(loss, K.NllLossBackward(x, targets, g), terms, "NllLossBackward loss");
            InPlace(x, g, (input, output) => K.NllLossBackward(input, targets, output), "NllLossBackward");
        }
        else
        {
            Close<T>(loss, K.NllLoss(x, targets, weight), terms, "weighted NllLoss");
            Close<T>(loss, K.NllLossBackward(x, targets, weight, g), terms, "weighted NllLossBackward loss");
            InPlace(x, g, (input, output) => K.NllLossBackward(input, targets, weight, output), "weighted NllLossBackward");
        }

        for (int k = 0; k < s.Length; k++)
        {
            Close<T>(gradient[k], g[k], Math.Abs(gradient[k]), $"NllLoss gradient[{k}]");
        }

        FiniteDifferences(g, xs, v => FamilyReference.Nll(v, targets, weight is null ? null : ws, s.Classes, s.IgnoreIndex, !s.Sum).Loss, "NllLoss");
    }

    private static void CheckWithLogits<T, K>(Shape s, T[] x, T[] y, T[]? posWeight, double[] xs, double[] ys, double[] pws)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where K : IFamilyKernel<T>
    {
        double[]? p = posWeight is null ? null : pws;
        var (loss, perElement, gradient) = FamilyReference.WithLogits(xs, ys, p, s.Classes, !s.Sum);
        double scale = s.Sum ? 1 : 1.0 / s.Length;
        double[] terms = new double[s.Length];
        for (int k = 0; k < s.Length; k++)
        {
            double pk = p is null ? 1 : p[k % s.Classes];
            terms[k] = Math.Abs(xs[k]) + (1 + pk) * (Math.Abs(xs[k]) + 1); // |(1 - y) x| + |(1 + (p - 1) y) softplus(-x)|
        }

        T[] g = new T[s.Length];
        if (posWeight is null)
        {
            Close<T>(loss, K.BinaryCrossEntropyWithLogitsLoss(x, y), terms.Sum() * scale, "BCEWithLogits");
            var losses = new T[s.Length];
            K.BinaryCrossEntropyWithLogitsLossPerElement(x, y, losses);
            for (int k = 0; k < s.Length; k++)
            {
                Close<T>(perElement[k], losses[k], terms[k], $"BCEWithLogits per element [{k}] (x {xs[k]:R}, y {ys[k]:R})");
            }

            Close<T>(loss, K.BinaryCrossEntropyWithLogitsLossBackward(x, y, g), terms.Sum() * scale, "BCEWithLogits backward loss");
            InPlace(x, g, (input, output) => K.BinaryCrossEntropyWithLogitsLossBackward(input, y, output), "BCEWithLogits backward");
        }
        else
        {
            Close<T>(loss, K.BinaryCrossEntropyWithLogitsLoss(x, y, posWeight), terms.Sum() * scale, "BCEWithLogits pos_weight");
            Close<T>(loss, K.BinaryCrossEntropyWithLogitsLossBackward(x, y, posWeight, g), terms.Sum() * scale, "BCEWithLogits pos_weight backward loss");
            InPlace(x, g, (input, output) => K.BinaryCrossEntropyWithLogitsLossBackward(input, y, posWeight, output), "BCEWithLogits pos_weight backward");
        }

        for (int k = 0; k < s.Length; k++)
        {
            double pk = p is null ? 1 : p[k % s.Classes];
            Close<T>(gradient[k], g[k], scale * (1 + 2 * pk), $"BCEWithLogits gradient[{k}] (x {xs[k]:R}, y {ys[k]:R})");
        }

        FiniteDifferences(g, xs, v => FamilyReference.WithLogits(v, ys, p, s.Classes, !s.Sum).Loss, "BCEWithLogits");
    }

    private static void CheckBce<T, K>(Shape s, T[] x, T[] y, double[] xs, double[] ys)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where K : IFamilyKernel<T>
    {
        var (loss, perElement, gradient) = FamilyReference.Bce(xs, ys, !s.Sum);
        double scale = s.Sum ? 1 : 1.0 / s.Length;
        Close<T>(loss, K.BinaryCrossEntropyLoss(x, y), perElement.Sum(Math.Abs) * scale, "BCELoss");
        var losses = new T[s.Length];
        K.BinaryCrossEntropyLossPerElement(x, y, losses);
        T[] g = new T[s.Length];
        Close<T>(loss, K.BinaryCrossEntropyLossBackward(x, y, g), perElement.Sum(Math.Abs) * scale, "BCELoss backward loss");
        InPlace(x, g, (input, output) => K.BinaryCrossEntropyLossBackward(input, y, output), "BCELoss backward");
        for (int k = 0; k < s.Length; k++)
        {
            // The log terms are multiplied by y and 1 - y: their size is what a float kernel rounds.
            double terms = Math.Abs(Math.Max(Math.Log(xs[k]), -100)) + Math.Abs(Math.Max(Math.Log(1 - xs[k]), -100));
            Close<T>(perElement[k], losses[k], terms, $"BCELoss per element [{k}] (x {xs[k]:R}, y {ys[k]:R})");
            double denominator = Math.Max((1 - xs[k]) * xs[k], FamilyReference.BceEpsilon);
            Close<T>(gradient[k], g[k], scale * (xs[k] + ys[k]) / denominator, $"BCELoss gradient[{k}] (x {xs[k]:R}, y {ys[k]:R})");
        }

        // The gradient is the loss's derivative where neither log is clamped and x (1 - x) is above EPSILON.
        var interior = Enumerable.Range(0, s.Length).Where(k => xs[k] > 0.01 && xs[k] < 0.99).ToArray();
        FiniteDifferences(g, xs, v => FamilyReference.Bce(v, ys, !s.Sum).Loss, "BCELoss", interior);
    }

    /// <summary>The backward run in place (gradient = a copy of the input) gives the same loss and gradient bits.</summary>
    private static void InPlace<T>(T[] input, T[] outOfPlace, Func<T[], T[], T> backward, string what)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T expectedLoss = backward(input, outOfPlace);
        T[] buffer = (T[])input.Clone();
        T loss = backward(buffer, buffer);
        Assert.True(Bits(expectedLoss) == Bits(loss), $"{what}: in-place loss {loss} differs from {expectedLoss}");
        for (int k = 0; k < input.Length; k++)
        {
            Assert.True(Bits(outOfPlace[k]) == Bits(buffer[k]), $"{what}: in-place gradient[{k}] {buffer[k]} differs from {outOfPlace[k]}");
        }
    }

    /// <summary>Central differences of the double reference loss at up to 12 elements against the kernel's gradient.</summary>
    private static void FiniteDifferences<T>(T[] gradient, double[] x, Func<double[], double> loss, string what, int[]? indices = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        indices ??= Enumerable.Range(0, x.Length).ToArray();
        double[] v = (double[])x.Clone();
        foreach (int k in indices.Where((_, j) => j % Math.Max(1, indices.Length / 12) == 0))
        {
            double h = 1e-5 * Math.Max(1, Math.Abs(x[k]));
            if (x[k] - h < 0 && what == "BCELoss")
            {
                continue;
            }

            v[k] = x[k] + h;
            double plus = loss(v);
            v[k] = x[k] - h;
            double minus = loss(v);
            v[k] = x[k];
            double fd = (plus - minus) / (2 * h);
            double g = double.CreateTruncating(gradient[k]);
            if (double.IsNaN(plus) && double.IsNaN(minus))
            {
                // Mean with every row ignored: the loss is NaN (0 / 0, as PyTorch) and no element has a gradient.
                Assert.True(g == 0, $"{what} gradient[{k}] with a NaN loss: {g:R}, expected 0");
                continue;
            }

            // truncation (h^2 f''' / 6) is far below 1e-4 relative here; rounding of the double losses is 1e-16 |loss| / h
            double tolerance = 1e-4 * Math.Abs(fd) + 1e-6 + 1e-15 * (Math.Abs(plus) + Math.Abs(minus)) / h;
            Assert.True(Math.Abs(fd - g) <= tolerance, $"{what} gradient[{k}]: central difference {fd:R}, kernel {g:R} (x {x[k]:R})");
        }
    }

    private static void Close<T>(double expected, T actual, double terms, string what)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double a = double.CreateTruncating(actual);
        if (double.IsNaN(expected) || double.IsInfinity(expected))
        {
            Assert.True(a.Equals(expected), $"{what}: reference {expected:R}, kernel {a:R}");
            return;
        }

        bool single = typeof(T) == typeof(float);
        double tolerance = single ? 1e-5 * Math.Abs(expected) + 2e-6 + 3e-7 * terms : 1e-12 * Math.Abs(expected) + 1e-15 * terms;
        Assert.True(Math.Abs(a - expected) <= tolerance, $"{what}: reference {expected:R}, kernel {a:R}, tolerance {tolerance:R}");
    }

    private static T[] Cast<T>(double[] values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => values.Select(T.CreateTruncating).ToArray();

    private static double[] Widen<T>(T[] values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => values.Select(double.CreateTruncating).ToArray();

    private static ulong Bits<T>(T value)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? BitConverter.SingleToUInt32Bits(float.CreateTruncating(value)) : BitConverter.DoubleToUInt64Bits(double.CreateTruncating(value));
}
