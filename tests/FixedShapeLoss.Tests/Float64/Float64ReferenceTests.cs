using System;
using System.Linq;
using CsCheck;
using Xunit;

namespace FixedShapeLoss.Tests.Float64;

/// <summary>The double kernels on random inputs against a reference in double-double arithmetic (about 106 bits),
/// written here from PyTorch's definitions (pytorch-semantics.md §5): every member, to 1e-12 relative (gradients
/// to 1e-12 of the row's largest element); every backward in place gives the same bits as out of place.</summary>
public class Float64ReferenceTests
{
    private sealed record Options(int Batch, int Classes, bool Sum, double Smoothing, int IgnoreIndex);

    [Fact] public void Shape2x3() => Check<D2x3>(new(2, 3, false, 0, -100));
    [Fact] public void Shape1x2Sum() => Check<D1x2Sum>(new(1, 2, true, 0, -100));
    [Fact] public void Shape4x7() => Check<D4x7>(new(4, 7, false, 0, -100));
    [Fact] public void Shape16x17() => Check<D16x17>(new(16, 17, false, 0, -100));
    [Fact] public void Shape32x10() => Check<D32x10>(new(32, 10, false, 0, -100));
    [Fact] public void Shape3x129Sum() => Check<D3x129Sum>(new(3, 129, true, 0, -100));
    [Fact] public void Shape20x33Smoothing() => Check<D20x33Smooth>(new(20, 33, false, 0.25, -100));
    [Fact] public void Shape7x5FullSmoothingIgnore4() => Check<D7x5FullSmooth>(new(7, 5, false, 1.0, 4));
    [Fact] public void Shape40x300() => Check<D40x300>(new(40, 300, true, 0.05, -1));
    [Fact] public void Shape8x4SumIgnore1() => Check<D8x4SumIgnore1>(new(8, 4, true, 0, 1));
    [Fact] public void Shape1x1() => Check<D1x1>(new(1, 1, false, 0, -100));
    [Fact] public void Shape3x1Sum() => Check<D3x1Sum>(new(3, 1, true, 0, -100));
    [Fact] public void Shape8x1Ignore() => Check<D8x1Ignore>(new(8, 1, false, 0, -1));
    [Fact] public void Shape13x1Smoothing() => Check<D13x1Smooth>(new(13, 1, false, 0.1, -100));
    [Fact] public void Shape40x1SumFullSmoothing() => Check<D40x1SumFullSmooth>(new(40, 1, true, 1.0, -100));
    [Fact] public void Shape3x1Ignore0() => Check<D3x1Ignore0>(new(3, 1, false, 0, 0));

    private static void Check<K>(Options o)
        where K : ILossKernel64
    {
        int n = o.Batch * o.Classes;
        Gen.Select(Gen.Double[-1, 1].Array[n], Gen.Int[0, o.Classes - 1].Array[o.Batch], Gen.Double[0.1, 2].Array[o.Classes], Gen.Double[0.05, 30], Gen.Double[0.01, 1].Array[n])
            .Sample((x, t, w, scale, u) =>
            {
                double[] logits = x.Select(v => v * scale).ToArray();
                if (o.Batch > 1) t[^1] = o.IgnoreIndex;
                double[] soft = Normalized(u, o);
                var lp = Enumerable.Range(0, o.Batch).Select(i => LogP(o, logits, i)).ToArray();

                Near(Softmax(o, lp), Run(logits, K.Softmax), 1e-12, "softmax");
                // log p near 0 (the row's maximum when the others are far below it) is -log s with s = 1 + tiny: the
                // rounding of s (as in PyTorch's algorithm) is absolute there, and s is a sum of Classes terms near 1,
                // each addition rounding by up to 2^-53 (the recursive sum's bound: (Classes - 1) 1.1e-16), so values
                // and losses near 0 are held to (Classes - 1) 1.2e-16 absolute (and at least 1e-15) instead of 1e-12
                // relative. A fixed 1e-15 failed 20 x 33 with no SIMD (one accumulator): 1.05e-15 off at -3.3e-4.
                double floor = Math.Max(1e-3, (o.Classes - 1) * 1.2e-4);
                Near(LogSoftmax(o, lp), Run(logits, K.LogSoftmax), 1e-12, "log-softmax", floor);
                Near(new[] { Loss(o, lp, t, null) }, new[] { K.CrossEntropyLoss(logits, t) }, 1e-12, "loss", floor);
                Near(new[] { Loss(o, lp, t, w) }, new[] { K.CrossEntropyLoss(logits, t, w) }, 1e-12, "weighted loss", floor);
                Near(new[] { SoftLoss(o, lp, soft) }, new[] { K.CrossEntropyLoss(logits, soft) }, 1e-12, "soft loss", floor);

                var losses = new double[o.Batch];
                K.CrossEntropyLossPerSample(logits, t, losses);
                Near(PerSample(o, lp, t, null), losses, 1e-12, "per-sample", floor);
                K.CrossEntropyLossPerSample(logits, t, w, losses);
                Near(PerSample(o, lp, t, w), losses, 1e-12, "weighted per-sample", floor);

                Backward(logits, (l, g) => K.CrossEntropyLossBackward(l, t, g), Loss(o, lp, t, null), Gradient(o, lp, t, null), "backward", floor);
                Backward(logits, (l, g) => K.CrossEntropyLossBackward(l, t, w, g), Loss(o, lp, t, w), Gradient(o, lp, t, w), "weighted backward", floor);
                Backward(logits, (l, g) => K.CrossEntropyLossBackward(l, soft, g), SoftLoss(o, lp, soft), SoftGradient(o, lp, soft), "soft backward", floor);
            }, iter: o.Batch * o.Classes > 1000 ? 6 : 20, seed: "0N0XIzNsQ0O2");
    }

    private delegate double BackwardCall(ReadOnlySpan<double> logits, Span<double> gradient);

    private delegate void RowCall(ReadOnlySpan<double> logits, Span<double> destination);

    private static double[] Run(double[] logits, RowCall call)
    {
        var destination = new double[logits.Length];
        call(logits, destination);
        return destination;
    }

    private static void Backward(double[] logits, BackwardCall call, double loss, double[] gradient, string what, double floor)
    {
        var outOfPlace = new double[logits.Length];
        double returned = call(logits, outOfPlace);
        Near(new[] { loss }, new[] { returned }, 1e-12, what + " loss", floor);
        // As for the losses: p_t - 1 with p_t = 1 - tiny cancels in PyTorch's algorithm too, so the tolerance is
        // relative to the largest element but no smaller than 1e-15 absolute.
        double largest = Math.Max(gradient.Max(Math.Abs), 1e-3);
        for (int k = 0; k < gradient.Length; k++)
        {
            Assert.True(Math.Abs(outOfPlace[k] - gradient[k]) <= 1e-12 * largest, $"{what} gradient[{k}]: expected {gradient[k]:R}, got {outOfPlace[k]:R}");
        }

        double[] both = (double[])logits.Clone();
        Assert.Equal(BitConverter.DoubleToInt64Bits(returned), BitConverter.DoubleToInt64Bits(call(both, both)));
        Assert.Equal(outOfPlace.Select(BitConverter.DoubleToInt64Bits), both.Select(BitConverter.DoubleToInt64Bits));
    }

    private static void Near(double[] expected, double[] actual, double relative, string what, double floor = 1e-3)
    {
        for (int k = 0; k < expected.Length; k++)
        {
            bool ok = expected[k] == actual[k] || (double.IsNaN(expected[k]) && double.IsNaN(actual[k]))
                || Math.Abs(actual[k] - expected[k]) <= relative * Math.Max(Math.Abs(expected[k]), floor);
            Assert.True(ok, $"{what}[{k}]: expected {expected[k]:R}, got {actual[k]:R}");
        }
    }

    private static double[] Normalized(double[] u, Options o)
    {
        var t = (double[])u.Clone();
        for (int i = 0; i < o.Batch; i++)
        {
            double s = t.Skip(i * o.Classes).Take(o.Classes).Sum();
            for (int c = 0; c < o.Classes; c++) t[i * o.Classes + c] /= s;
        }

        return t;
    }

    // ---- the reference: PyTorch's definitions in double-double ----

    /// <summary>log p[i, c] = (x - m) - log sum_k exp(x_k - m), per row.</summary>
    private static DoubleDouble[] LogP(Options o, double[] x, int i)
    {
        var row = x.Skip(i * o.Classes).Take(o.Classes).ToArray();
        double m = row.Max();
        DoubleDouble s = 0;
        foreach (double v in row) s += DoubleDouble.Exp(new DoubleDouble(v) - m);
        var logS = DoubleDouble.Log(s);
        return row.Select(v => new DoubleDouble(v) - m - logS).ToArray();
    }

    private static double[] Softmax(Options o, DoubleDouble[][] lp) =>
        lp.SelectMany(row => row.Select(l => DoubleDouble.Exp(l).ToDouble())).ToArray();

    private static double[] LogSoftmax(Options o, DoubleDouble[][] lp) =>
        lp.SelectMany(row => row.Select(l => l.ToDouble())).ToArray();

    private static DoubleDouble E(Options o) => o.Smoothing;

    private static (DoubleDouble Nll, DoubleDouble Smooth) RowTerms(Options o, DoubleDouble[][] lp, int[] t, double[]? w, int i)
    {
        var logp = lp[i];
        DoubleDouble wt = w is null ? 1 : w[t[i]];
        DoubleDouble smooth = 0;
        for (int c = 0; c < o.Classes; c++) smooth -= (w is null ? 1 : w[c]) * logp[c];
        return (-(wt * logp[t[i]]), smooth);
    }

    private static double[] PerSample(Options o, DoubleDouble[][] lp, int[] t, double[]? w) =>
        Enumerable.Range(0, o.Batch).Select(i =>
        {
            if (t[i] == o.IgnoreIndex) return 0.0;
            var (nll, smooth) = RowTerms(o, lp, t, w, i);
            return ((1 - E(o)) * nll + E(o) / o.Classes * smooth).ToDouble();
        }).ToArray();

    private static DoubleDouble Denominator(Options o, int[] t, double[]? w)
    {
        DoubleDouble d = 0;
        for (int i = 0; i < o.Batch; i++) if (t[i] != o.IgnoreIndex) d += w is null ? 1 : w[t[i]];
        return d;
    }

    private static double Loss(Options o, DoubleDouble[][] lp, int[] t, double[]? w)
    {
        DoubleDouble nll = 0, smooth = 0;
        for (int i = 0; i < o.Batch; i++)
        {
            if (t[i] == o.IgnoreIndex) continue;
            var terms = RowTerms(o, lp, t, w, i);
            nll += terms.Nll;
            smooth += terms.Smooth;
        }

        DoubleDouble total = (1 - E(o)) * nll + E(o) / o.Classes * smooth;
        return (o.Sum ? total : total / Denominator(o, t, w)).ToDouble();
    }

    private static double[] Gradient(Options o, DoubleDouble[][] lp, int[] t, double[]? w)
    {
        var g = new double[o.Batch * o.Classes];
        DoubleDouble scale = o.Sum ? 1 : 1 / Denominator(o, t, w);
        DoubleDouble weightSum = 0;
        for (int c = 0; c < o.Classes; c++) weightSum += w is null ? 1 : w[c];
        for (int i = 0; i < o.Batch; i++)
        {
            if (t[i] == o.IgnoreIndex) continue;
            var logp = lp[i];
            DoubleDouble wt = w is null ? 1 : w[t[i]];
            DoubleDouble a = (1 - E(o)) * wt + E(o) / o.Classes * weightSum;
            for (int c = 0; c < o.Classes; c++)
            {
                DoubleDouble v = DoubleDouble.Exp(logp[c]) * a - E(o) / o.Classes * (w is null ? 1 : w[c]);
                if (c == t[i]) v -= (1 - E(o)) * wt;
                g[i * o.Classes + c] = (scale * v).ToDouble();
            }
        }

        return g;
    }

    private static DoubleDouble SmoothedTarget(Options o, double[] t, int k) => (1 - E(o)) * t[k] + E(o) / o.Classes;

    private static double SoftLoss(Options o, DoubleDouble[][] lp, double[] t)
    {
        DoubleDouble total = 0;
        for (int i = 0; i < o.Batch; i++)
        {
            var logp = lp[i];
            for (int c = 0; c < o.Classes; c++) total -= SmoothedTarget(o, t, i * o.Classes + c) * logp[c];
        }

        return (o.Sum ? total : total / o.Batch).ToDouble();
    }

    private static double[] SoftGradient(Options o, DoubleDouble[][] lp, double[] t)
    {
        var g = new double[o.Batch * o.Classes];
        DoubleDouble scale = o.Sum ? 1 : new DoubleDouble(1) / o.Batch;
        for (int i = 0; i < o.Batch; i++)
        {
            var logp = lp[i];
            DoubleDouble targetSum = 0;
            for (int c = 0; c < o.Classes; c++) targetSum += SmoothedTarget(o, t, i * o.Classes + c);
            for (int c = 0; c < o.Classes; c++)
            {
                g[i * o.Classes + c] = (scale * (DoubleDouble.Exp(logp[c]) * targetSum - SmoothedTarget(o, t, i * o.Classes + c))).ToDouble();
            }
        }

        return g;
    }
}
