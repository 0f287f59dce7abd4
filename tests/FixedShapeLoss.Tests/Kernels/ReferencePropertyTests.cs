using System;
using System.Linq;
using CsCheck;
using Xunit;

namespace FixedShapeLoss.Tests.Kernels;

/// <summary>
/// The generated kernels on random inputs against a plain double-precision reference written here from the
/// textbook formulas (PyTorch's definitions in pytorch-semantics.md §5), for shapes that take both
/// strategies (unrolled rows and the row loop), with and without smoothing, weights and ignored targets.
/// The gradients are also checked against central finite differences of the reference loss.
/// </summary>
public class ReferencePropertyTests
{
    private sealed record Options(int Batch, int Classes, bool Sum, double Smoothing, int IgnoreIndex);

    /// <summary>Each test runs on the kernel compiled here (C# 11+: the generic helpers) and on the same shape compiled
    /// at C# 10 (FixedShapeLoss.TestKernels.CSharp10: the non-generic helpers).</summary>
    public static TheoryData<bool> KernelSets => new() { false, true };

    [Theory, MemberData(nameof(KernelSets))] public void Shape2x3(bool csharp10) => Check(KernelAdapter.Get("Ref2x3", csharp10), new(2, 3, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape16x17(bool csharp10) => Check(KernelAdapter.Get("Ref16x17", csharp10), new(16, 17, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape32x10(bool csharp10) => Check(KernelAdapter.Get("Ref32x10", csharp10), new(32, 10, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape3x129Sum(bool csharp10) => Check(KernelAdapter.Get("Ref3x129Sum", csharp10), new(3, 129, true, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape20x33Smoothing(bool csharp10) => Check(KernelAdapter.Get("Ref20x33Smooth", csharp10), new(20, 33, false, 0.25, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape7x5FullSmoothingIgnore4(bool csharp10) => Check(KernelAdapter.Get("Ref7x5FullSmooth", csharp10), new(7, 5, false, 1.0, 4));
    [Theory, MemberData(nameof(KernelSets))] public void Shape40x300(bool csharp10) => Check(KernelAdapter.Get("Ref40x300", csharp10), new(40, 300, true, 0.05, -1));
    [Theory, MemberData(nameof(KernelSets))] public void Shape4x7(bool csharp10) => Check(KernelAdapter.Get("Loss4x7", csharp10), new(4, 7, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape6x4Sum(bool csharp10) => Check(KernelAdapter.Get("Loss6x4Sum", csharp10), new(6, 4, true, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape2x8(bool csharp10) => Check(KernelAdapter.Get("Ref2x8", csharp10), new(2, 8, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape8x4SumIgnore1(bool csharp10) => Check(KernelAdapter.Get("Ref8x4SumIgnore1", csharp10), new(8, 4, true, 0, 1));
    [Theory, MemberData(nameof(KernelSets))] public void Shape3x5(bool csharp10) => Check(KernelAdapter.Get("Loss3x5", csharp10), new(3, 5, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape1x2Sum(bool csharp10) => Check(KernelAdapter.Get("Loss1x2Sum", csharp10), new(1, 2, true, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape2x4SumIgnore0(bool csharp10) => Check(KernelAdapter.Get("Ref2x4SumIgnore0", csharp10), new(2, 4, true, 0, 0));
    [Theory, MemberData(nameof(KernelSets))] public void Shape3x13(bool csharp10) => Check(KernelAdapter.Get("Ref3x13", csharp10), new(3, 13, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape4x16Sum(bool csharp10) => Check(KernelAdapter.Get("Ref4x16Sum", csharp10), new(4, 16, true, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape7x9Ignore2(bool csharp10) => Check(KernelAdapter.Get("Ref7x9Ignore2", csharp10), new(7, 9, false, 0, 2));
    [Theory, MemberData(nameof(KernelSets))] public void Shape1x1(bool csharp10) => Check(KernelAdapter.Get("Ref1x1", csharp10), new(1, 1, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape4x1Sum(bool csharp10) => Check(KernelAdapter.Get("Ref4x1Sum", csharp10), new(4, 1, true, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape5x1Ignore(bool csharp10) => Check(KernelAdapter.Get("Ref5x1Ignore", csharp10), new(5, 1, false, 0, -1));
    [Theory, MemberData(nameof(KernelSets))] public void Shape13x1Smoothing(bool csharp10) => Check(KernelAdapter.Get("Ref13x1Smooth", csharp10), new(13, 1, false, 0.25, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape16x1(bool csharp10) => Check(KernelAdapter.Get("Ref16x1", csharp10), new(16, 1, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape40x1SumFullSmoothing(bool csharp10) => Check(KernelAdapter.Get("Ref40x1SumFullSmooth", csharp10), new(40, 1, true, 1.0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void Shape3x1Ignore0(bool csharp10) => Check(KernelAdapter.Get("Ref3x1Ignore0", csharp10), new(3, 1, false, 0, 0));

    /// <summary>Infinities, NaN and logits far apart through the plain loss and its gradient (the whole-matrix path)
    /// against the reference: a -inf logit adds exactly 0 to its row; a -inf target logit makes the loss +inf
    /// while the gradient stays finite (p_t = 0); a NaN makes the loss and its own row's gradient NaN only.</summary>
    [Theory, MemberData(nameof(KernelSets))] public void SpecialValues4x7(bool csharp10) => SpecialValues(KernelAdapter.Get("Loss4x7", csharp10), new(4, 7, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void SpecialValues6x4Sum(bool csharp10) => SpecialValues(KernelAdapter.Get("Loss6x4Sum", csharp10), new(6, 4, true, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void SpecialValues8x4SumIgnore1(bool csharp10) => SpecialValues(KernelAdapter.Get("Ref8x4SumIgnore1", csharp10), new(8, 4, true, 0, 1));
    [Theory, MemberData(nameof(KernelSets))] public void SpecialValues3x5(bool csharp10) => SpecialValues(KernelAdapter.Get("Loss3x5", csharp10), new(3, 5, false, 0, -100));

    /// <summary>The plain loss and gradient on spans cut out of larger buffers: NaN right before and after the
    /// logits (a path that let a neighbouring element into a row would turn the result NaN) and sentinels around
    /// the gradient (a store that ran past its rows would overwrite them); then in place (gradient = logits), where
    /// a store that reached rows not yet read would change their loss.</summary>
    [Theory, MemberData(nameof(KernelSets))] public void SpansInsideLargerBuffers4x7(bool csharp10) => InsideLargerBuffers(KernelAdapter.Get("Loss4x7", csharp10), new(4, 7, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void SpansInsideLargerBuffers3x5(bool csharp10) => InsideLargerBuffers(KernelAdapter.Get("Loss3x5", csharp10), new(3, 5, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void SpansInsideLargerBuffers2x4(bool csharp10) => InsideLargerBuffers(KernelAdapter.Get("Ref2x4SumIgnore0", csharp10), new(2, 4, true, 0, 0));
    [Theory, MemberData(nameof(KernelSets))] public void SpansInsideLargerBuffers1x2(bool csharp10) => InsideLargerBuffers(KernelAdapter.Get("Loss1x2", csharp10), new(1, 2, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void SpansInsideLargerBuffers2x8(bool csharp10) => InsideLargerBuffers(KernelAdapter.Get("Ref2x8", csharp10), new(2, 8, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void SpansInsideLargerBuffers8x4(bool csharp10) => InsideLargerBuffers(KernelAdapter.Get("Ref8x4SumIgnore1", csharp10), new(8, 4, true, 0, 1));
    [Theory, MemberData(nameof(KernelSets))] public void SpansInsideLargerBuffers6x4(bool csharp10) => InsideLargerBuffers(KernelAdapter.Get("Loss6x4", csharp10), new(6, 4, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void SpansInsideLargerBuffers8x10(bool csharp10) => InsideLargerBuffers(KernelAdapter.Get("Loss8x10", csharp10), new(8, 10, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void SpansInsideLargerBuffers16x17(bool csharp10) => InsideLargerBuffers(KernelAdapter.Get("Ref16x17", csharp10), new(16, 17, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void SpansInsideLargerBuffers3x13(bool csharp10) => InsideLargerBuffers(KernelAdapter.Get("Ref3x13", csharp10), new(3, 13, false, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void SpansInsideLargerBuffers4x16(bool csharp10) => InsideLargerBuffers(KernelAdapter.Get("Ref4x16Sum", csharp10), new(4, 16, true, 0, -100));
    [Theory, MemberData(nameof(KernelSets))] public void SpansInsideLargerBuffers7x9(bool csharp10) => InsideLargerBuffers(KernelAdapter.Get("Ref7x9Ignore2", csharp10), new(7, 9, false, 0, 2));
    [Theory, MemberData(nameof(KernelSets))] public void SpansInsideLargerBuffers32x10(bool csharp10) => InsideLargerBuffers(KernelAdapter.Get("Ref32x10", csharp10), new(32, 10, false, 0, -100));

    private static void InsideLargerBuffers(KernelAdapter kernel, Options o)
    {
        const int Pad = 40;
        const float Sentinel = 12345f;
        int n = o.Batch * o.Classes;
        var random = new Random(n);
        var logits = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
        var targets = Enumerable.Range(0, o.Batch).Select(i => (i * 5 + 1) % o.Classes).ToArray();
        var logitBuffer = Enumerable.Repeat(float.NaN, n + 2 * Pad).ToArray();
        logits.CopyTo(logitBuffer, Pad);
        var gradientBuffer = Enumerable.Repeat(Sentinel, n + 2 * Pad).ToArray();
        var inside = logitBuffer.AsSpan(Pad, n);

        Close(Loss(o, logits, targets, null), kernel.CrossEntropyLoss(inside, targets), "loss");
        Close(Loss(o, logits, targets, null), kernel.CrossEntropyLossBackward(inside, targets, gradientBuffer.AsSpan(Pad, n)), "backward loss");
        CheckGradient(o, logits, targets, gradientBuffer.AsSpan(Pad, n).ToArray());
        for (int k = 0; k < Pad; k++)
        {
            Assert.Equal(Sentinel, gradientBuffer[k]);
            Assert.Equal(Sentinel, gradientBuffer[Pad + n + k]);
        }

        // In place: the gradient overwrites the logits it is computed from.
        logits.CopyTo(gradientBuffer, Pad);
        var both = gradientBuffer.AsSpan(Pad, n);
        Close(Loss(o, logits, targets, null), kernel.CrossEntropyLossBackward(both, targets, both), "in-place backward loss");
        CheckGradient(o, logits, targets, both.ToArray());
        Assert.Equal(Sentinel, gradientBuffer[Pad - 1]);
        Assert.Equal(Sentinel, gradientBuffer[Pad + n]);
    }

    private static void SpecialValues(KernelAdapter kernel, Options o)
    {
        int n = o.Batch * o.Classes;
        var random = new Random(11);
        var logits = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 16 - 8)).ToArray();
        var targets = Enumerable.Range(0, o.Batch).Select(i => (i * 3 + 2) % o.Classes).ToArray();
        targets[^1] = o.IgnoreIndex;
        int Other(int row) => (targets[row] + 1) % o.Classes == o.IgnoreIndex ? (targets[row] + 2) % o.Classes : (targets[row] + 1) % o.Classes;
        logits[0] = 80f;
        logits[1] = -80f; // exp(-160) underflows to 0
        logits[o.Classes + Other(1)] = float.NegativeInfinity;

        var gradient = new float[n];
        Close(Loss(o, logits, targets, null), kernel.CrossEntropyLossBackward(logits, targets, gradient), "loss with -inf");
        Close(Loss(o, logits, targets, null), kernel.CrossEntropyLoss(logits, targets), "forward loss with -inf");
        CheckGradient(o, logits, targets, gradient);
        Assert.Equal(0f, gradient[o.Classes + Other(1)]);

        var atTarget = (float[])logits.Clone();
        atTarget[targets[0]] = float.NegativeInfinity; // row 0 (its target is never ignored here)
        Assert.Equal(float.PositiveInfinity, kernel.CrossEntropyLoss(atTarget, targets));
        Assert.Equal(float.PositiveInfinity, kernel.CrossEntropyLossBackward(atTarget, targets, gradient));
        CheckGradient(o, atTarget, targets, gradient);

        var nan = (float[])logits.Clone();
        nan[o.Classes - 1] = float.NaN; // row 0 (the last row is ignored: a NaN there would change nothing)
        Assert.True(float.IsNaN(kernel.CrossEntropyLoss(nan, targets)));
        Assert.True(float.IsNaN(kernel.CrossEntropyLossBackward(nan, targets, gradient)));
        for (int k = 0; k < n; k++)
        {
            Assert.True(float.IsNaN(gradient[k]) == (k < o.Classes), $"gradient[{k}] = {gradient[k]}");
        }
    }

    /// <summary>The plain gradient scale (p[i, j] - [j == t_i]) in double, with scale 1 / (rows not ignored) for Mean.</summary>
    private static void CheckGradient(Options o, float[] logits, int[] targets, float[] gradient)
    {
        var x = logits.Select(v => (double)v).ToArray();
        double scale = o.Sum ? 1.0 : 1.0 / targets.Count(t => t != o.IgnoreIndex);
        var expected = new double[x.Length];
        for (int i = 0; i < o.Batch; i++)
        {
            if (targets[i] == o.IgnoreIndex)
            {
                continue;
            }

            double[] logp = RowLogSoftmax(o, x, i);
            for (int j = 0; j < o.Classes; j++)
            {
                expected[i * o.Classes + j] = scale * (Math.Exp(logp[j]) - (j == targets[i] ? 1 : 0));
            }
        }

        CloseGradient(expected, gradient, "gradient");
    }

    private static void Check(KernelAdapter kernel, Options o)
    {
        int n = o.Batch * o.Classes;
        var gen =
            from logits in Gen.Float[-8f, 8f].Array[n]
            from targets in Gen.Int[0, o.Classes].Array[o.Batch] // inclusive bounds: Classes means "ignored" below
            from weight in Gen.Float[0.1f, 2f].Array[o.Classes]
            from soft in Gen.Float[0f, 1f].Array[n]
            select (logits, targets.Select(t => t == o.Classes ? o.IgnoreIndex : t).ToArray(), weight, Normalized(soft, o));
        gen.Sample(sample =>
        {
            var (logits, targets, weight, soft) = sample;
            var gradient = new float[n];
            var perSample = new float[o.Batch];

            Close(Loss(o, logits, targets, null), kernel.CrossEntropyLoss(logits, targets), "loss");
            Close(Loss(o, logits, targets, weight), kernel.CrossEntropyLoss(logits, targets, weight), "weighted loss");
            Close(SoftLoss(o, logits, soft), kernel.CrossEntropyLoss(logits, soft), "soft loss");

            kernel.CrossEntropyLossPerSample(logits, targets, perSample);
            for (int i = 0; i < o.Batch; i++)
            {
                Close(RowLoss(o, logits, targets[i], i, null), perSample[i], $"per-sample[{i}]");
            }

            kernel.CrossEntropyLossPerSample(logits, targets, weight, perSample);
            for (int i = 0; i < o.Batch; i++)
            {
                Close(RowLoss(o, logits, targets[i], i, weight), perSample[i], $"weighted per-sample[{i}]");
            }

            Close(Loss(o, logits, targets, null), kernel.CrossEntropyLossBackward(logits, targets, gradient), "backward loss");
            CloseGradient(FiniteDifference(logits, x => Loss(o, x, targets, null)), gradient, "gradient");
            kernel.CrossEntropyLossBackward(logits, targets, weight, gradient);
            CloseGradient(FiniteDifference(logits, x => Loss(o, x, targets, weight)), gradient, "weighted gradient");
            kernel.CrossEntropyLossBackward(logits, soft, gradient);
            CloseGradient(FiniteDifference(logits, x => SoftLoss(o, x, soft)), gradient, "soft gradient");

            var output = new float[n];
            var x = logits.Select(v => (double)v).ToArray();
            var logp = Enumerable.Range(0, o.Batch).SelectMany(i => RowLogSoftmax(o, x, i)).ToArray();
            kernel.Softmax(logits, output);
            for (int k = 0; k < n; k++)
            {
                Close(Math.Exp(logp[k]), output[k], $"softmax[{k}]");
            }

            kernel.LogSoftmax(logits, output);
            for (int k = 0; k < n; k++)
            {
                Close(logp[k], output[k], $"log-softmax[{k}]");
            }
        }, iter: n > 5000 ? 4 : 25);
    }

    // ---- the reference, in double, straight from the definitions ----------------------------------

    /// <summary>log p[row, c] = (x_c - m) - log sum_j exp(x_j - m) for every class c of one row, in double.</summary>
    private static double[] RowLogSoftmax(Options o, double[] x, int row)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < o.Classes; j++)
        {
            max = Math.Max(max, x[row * o.Classes + j]);
        }

        double sum = 0;
        for (int j = 0; j < o.Classes; j++)
        {
            sum += Math.Exp(x[row * o.Classes + j] - max);
        }

        var result = new double[o.Classes];
        for (int c = 0; c < o.Classes; c++)
        {
            result[c] = x[row * o.Classes + c] - max - Math.Log(sum);
        }

        return result;
    }

    /// <summary>(1 - e) * (-w_t log p_t) + (e / C) * sum_c (-w_c log p_c); 0 when ignored.</summary>
    private static double RowLoss(Options o, double[] x, int target, int row, float[]? weight)
    {
        if (target == o.IgnoreIndex)
        {
            return 0;
        }

        double[] logp = RowLogSoftmax(o, x, row);
        double W(int c) => weight is null ? 1.0 : weight[c];
        double nll = -W(target) * logp[target];
        double smooth = 0;
        for (int c = 0; c < o.Classes; c++)
        {
            smooth -= W(c) * logp[c];
        }

        // Without smoothing the second term is absent, not 0 * (a sum that is +inf when some p_c = 0).
        return o.Smoothing == 0 ? nll : (1 - o.Smoothing) * nll + o.Smoothing / o.Classes * smooth;
    }

    private static double RowLoss(Options o, float[] x, int target, int row, float[]? weight) =>
        RowLoss(o, x.Select(v => (double)v).ToArray(), target, row, weight);

    private static double Loss(Options o, float[] x, int[] targets, float[]? weight) =>
        Loss(o, x.Select(v => (double)v).ToArray(), targets, weight);

    private static double Loss(Options o, double[] x, int[] targets, float[]? weight)
    {
        double total = 0, denominator = 0;
        for (int i = 0; i < o.Batch; i++)
        {
            total += RowLoss(o, x, targets[i], i, weight);
            if (targets[i] != o.IgnoreIndex)
            {
                denominator += weight is null ? 1.0 : weight[targets[i]];
            }
        }

        return o.Sum ? total : total / denominator;
    }

    private static double SoftLoss(Options o, float[] x, float[] t) => SoftLoss(o, x.Select(v => (double)v).ToArray(), t);

    private static double SoftLoss(Options o, double[] x, float[] t)
    {
        double total = 0;
        for (int i = 0; i < o.Batch; i++)
        {
            double[] logp = RowLogSoftmax(o, x, i);
            for (int c = 0; c < o.Classes; c++)
            {
                double smoothed = t[i * o.Classes + c] * (1 - o.Smoothing) + o.Smoothing / o.Classes;
                total -= smoothed * logp[c];
            }
        }

        return o.Sum ? total : total / o.Batch;
    }

    private static float[] Normalized(float[] values, Options o)
    {
        var result = (float[])values.Clone();
        for (int i = 0; i < o.Batch; i++)
        {
            double sum = 0;
            for (int j = 0; j < o.Classes; j++)
            {
                sum += result[i * o.Classes + j] + 1e-3;
            }

            for (int j = 0; j < o.Classes; j++)
            {
                result[i * o.Classes + j] = (float)((result[i * o.Classes + j] + 1e-3) / sum);
            }
        }

        return result;
    }

    /// <summary>Central differences of a double function of the logits, step 1e-4 (error ~1e-8 for these smooth
    /// losses), at every coordinate of small shapes and at 64 spread-out coordinates of large ones (NaN elsewhere: not checked).</summary>
    private static double[] FiniteDifference(float[] logits, Func<double[], double> f)
    {
        var x = logits.Select(v => (double)v).ToArray();
        var grad = new double[x.Length];
        Array.Fill(grad, double.NaN);
        const double h = 1e-4;
        int step = Math.Max(1, x.Length / 64);
        for (int k = 0; k < x.Length; k += step)
        {
            double keep = x[k];
            x[k] = keep + h;
            double up = f(x);
            x[k] = keep - h;
            double down = f(x);
            x[k] = keep;
            grad[k] = (up - down) / (2 * h);
        }

        return grad;
    }

    private static void Close(double expected, float actual, string what)
    {
        double tolerance = 1e-5 + 2e-5 * Math.Abs(expected);
        Assert.True(Math.Abs(expected - actual) <= tolerance || (double.IsNaN(expected) && float.IsNaN(actual)), $"{what}: expected {expected:R}, got {actual:R}");
    }

    private static void CloseGradient(double[] expected, float[] actual, string what)
    {
        for (int k = 0; k < expected.Length; k++)
        {
            if (double.IsNaN(expected[k]))
            {
                continue;
            }

            Assert.True(Math.Abs(expected[k] - actual[k]) <= 2e-6 + 1e-4 * Math.Abs(expected[k]), $"{what}[{k}]: expected {expected[k]:R}, got {actual[k]:R}");
        }
    }
}
