using System;
using System.Linq;
using System.Numerics;
using CsCheck;
using FixedShapeLoss.Tests.Float64;
using Xunit;

namespace FixedShapeLoss.Tests.Kernels;

/// <summary>
/// <c>Classes = 1</c> (a single output per row) gives what PyTorch gives, bit for bit. With one logit x in a row, PyTorch's
/// log_softmax is <c>x - max - log(sum_j exp(x_j - max))</c> with <c>max = x</c>: +0 for a finite x, NaN for ±inf and
/// NaN; softmax is 1 or NaN. So every cross-entropy is 0, or NaN where PyTorch's reduction gives NaN (a NaN row; a Mean
/// over no weight). Every gradient goes back through log_softmax as <c>g - exp(log p) g = g - g</c>: +0 for a finite x and
/// a finite upstream g, NaN otherwise (rows whose target is IgnoreIndex get 0: the project's one deliberate difference).
/// The expected values are computed below in double from those formulas. The softmaxes and gradients must match bit for
/// bit; the losses must be 0 of either sign or NaN (PyTorch's own sign depends on the reduction, as for more classes,
/// where this project gives +0 for a row with p_t = 1 and PyTorch's per-sample loss is -0). Inputs are generated:
/// finite logits of every magnitude (subnormal to MaxValue), signed zeros, infinities and NaN; targets 0 or
/// IgnoreIndex; weights that may be 0 (a Mean over weight 0 is 0 / 0); soft targets in [0, 1]. Every one-class kernel of
/// both float kernel sets (KernelShapes.cs) and the one-class double kernels (DoubleKernels.cs), every backward also in
/// place (gradient = logits).
/// </summary>
public class OneClassTests
{
    public static TheoryData<bool> KernelSets => new() { false, true };

    [Theory, MemberData(nameof(KernelSets))]
    public void FloatKernelsGivePyTorchsValuesExactly(bool csharp10)
    {
        var kernels = KernelAdapter.All("", csharp10).Where(k => k.Classes == 1).ToList();
        Assert.True(kernels.Count >= 25, $"expected every one-class shape of KernelShapes.cs, found {kernels.Count}");
        foreach (var k in kernels)
        {
            Check(new OneClassKernel<float>(
                k.ToString(), k.Batch, k.Reduction == LossReduction.Sum, k.LabelSmoothing, k.IgnoreIndex,
                (x, d) => k.Softmax(x, d), (x, d) => k.LogSoftmax(x, d),
                (x, t) => k.CrossEntropyLoss(x, t), (x, t, w) => k.CrossEntropyLoss(x, t, w), (x, s) => k.CrossEntropyLoss(x, s),
                (x, t, l) => k.CrossEntropyLossPerSample(x, t, l), (x, t, w, l) => k.CrossEntropyLossPerSample(x, t, w, l),
                (x, t, g) => k.CrossEntropyLossBackward(x, t, g), (x, t, w, g) => k.CrossEntropyLossBackward(x, t, w, g),
                (x, s, g) => k.CrossEntropyLossBackward(x, s, g)));
        }
    }

    [Fact] public void Double1x1() => Check(Double<D1x1>(D1x1.Batch, D1x1.Reduction, D1x1.LabelSmoothing, D1x1.IgnoreIndex));
    [Fact] public void Double3x1Sum() => Check(Double<D3x1Sum>(D3x1Sum.Batch, D3x1Sum.Reduction, D3x1Sum.LabelSmoothing, D3x1Sum.IgnoreIndex));
    [Fact] public void Double8x1Ignore() => Check(Double<D8x1Ignore>(D8x1Ignore.Batch, D8x1Ignore.Reduction, D8x1Ignore.LabelSmoothing, D8x1Ignore.IgnoreIndex));
    [Fact] public void Double13x1Smooth() => Check(Double<D13x1Smooth>(D13x1Smooth.Batch, D13x1Smooth.Reduction, D13x1Smooth.LabelSmoothing, D13x1Smooth.IgnoreIndex));
    [Fact] public void Double40x1SumFullSmooth() =>
        Check(Double<D40x1SumFullSmooth>(D40x1SumFullSmooth.Batch, D40x1SumFullSmooth.Reduction, D40x1SumFullSmooth.LabelSmoothing, D40x1SumFullSmooth.IgnoreIndex));
    [Fact] public void Double3x1Ignore0() => Check(Double<D3x1Ignore0>(D3x1Ignore0.Batch, D3x1Ignore0.Reduction, D3x1Ignore0.LabelSmoothing, D3x1Ignore0.IgnoreIndex));

    private static OneClassKernel<double> Double<K>(int batch, LossReduction reduction, double smoothing, int ignoreIndex)
        where K : ILossKernel64 =>
        new(typeof(K).Name, batch, reduction == LossReduction.Sum, smoothing, ignoreIndex,
            K.Softmax, K.LogSoftmax, K.CrossEntropyLoss, K.CrossEntropyLoss, K.CrossEntropyLoss,
            K.CrossEntropyLossPerSample, K.CrossEntropyLossPerSample,
            K.CrossEntropyLossBackward, K.CrossEntropyLossBackward, K.CrossEntropyLossBackward);

    private static void Check<T>(OneClassKernel<T> k)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>, IMinMaxValue<T>
    {
        var finite = Gen.Frequency(
            Weighted(8, Gen.Double[-8, 8].Select(u => T.CreateTruncating(u))),
            Weighted(2, Gen.Double[-1, 1].Select(u => T.CreateTruncating(u) * T.MaxValue)),
            Weighted(1, Gen.Double[-64, 64].Select(u => T.CreateTruncating(Math.Round(u)) * T.Epsilon)),
            Weighted(1, Gen.OneOfConst(T.Zero, T.NegativeZero, T.MaxValue, T.MinValue)));
        var special = Gen.Frequency(Weighted(12, finite), Weighted(1, Gen.OneOfConst(T.PositiveInfinity, T.NegativeInfinity, T.NaN)));
        var gen =
            from withSpecial in Gen.Bool
            from logits in (withSpecial ? special : finite).Array[k.Batch]
            from kept in Gen.Bool.Array[k.Batch]
            from weight in Gen.Frequency(Weighted(3, Gen.Double[0.1, 4]), Weighted(1, Gen.Const(0.0))).Select(u => T.CreateTruncating(u))
            from soft in Gen.Double[0, 1].Select(u => T.CreateTruncating(u)).Array[k.Batch]
            select (logits, kept.Select(c => c ? 0 : k.IgnoreIndex).ToArray(), new[] { weight }, soft);
        gen.Sample(sample =>
        {
            var (x, t, w, soft) = sample;
            var r = new Reference<T>(k, x, t, w, soft);
            var output = new T[k.Batch];
            k.Softmax(x, output);
            Bits(r.Softmax, output, "softmax");
            k.LogSoftmax(x, output);
            Bits(r.LogSoftmax, output, "log-softmax");

            Zero(r.Loss(null), k.Loss(x, t), "loss");
            Zero(r.Loss(w), k.LossWeighted(x, t, w), "weighted loss");
            Zero(r.SoftLoss(), k.LossSoft(x, soft), "soft loss");
            k.PerSample(x, t, output);
            ZeroEach(r.PerSample(null), output, "per-sample");
            k.PerSampleWeighted(x, t, w, output);
            ZeroEach(r.PerSample(w), output, "weighted per-sample");

            Backward(x, (l, g) => k.Backward(l, t, g), r.Loss(null), r.Gradient(null), "backward");
            Backward(x, (l, g) => k.BackwardWeighted(l, t, w, g), r.Loss(w), r.Gradient(w), "weighted backward");
            Backward(x, (l, g) => k.BackwardSoft(l, soft, g), r.SoftLoss(), r.SoftGradient(), "soft backward");

            void Backward(T[] logits, Func<Span<T>, Span<T>, T> call, double loss, double[] gradient, string what)
            {
                var g = new T[logits.Length];
                Zero(loss, call((T[])logits.Clone(), g), what + " loss");
                Bits(gradient, g, what + " gradient");
                var both = (T[])logits.Clone();
                Zero(loss, call(both, both), what + " loss in place");
                Bits(gradient, both, what + " gradient in place");
            }
        }, iter: 150, seed: "0X5cEGWAz2t8", print: s => $"{k.Name}: logits [{string.Join(", ", s.logits)}], targets [{string.Join(", ", s.Item2)}], weight {s.Item3[0]}");

        void Bits(double[] expected, T[] actual, string what)
        {
            for (int i = 0; i < expected.Length; i++)
            {
                T e = T.CreateTruncating(expected[i]);
                bool same = T.IsNaN(e) ? T.IsNaN(actual[i]) : e.Equals(actual[i]) && T.IsNegative(e) == T.IsNegative(actual[i]);
                Assert.True(same, $"{k.Name} {what}[{i}]: expected {e:R}, got {actual[i]:R}");
            }
        }

        void Zero(double expected, T actual, string what)
        {
            Assert.True(expected is 0 or double.NaN, "the reference gives 0 or NaN only");
            Assert.True(double.IsNaN(expected) ? T.IsNaN(actual) : actual == T.Zero, $"{k.Name} {what}: expected {expected:R}, got {actual:R}");
        }

        void ZeroEach(double[] expected, T[] actual, string what)
        {
            for (int i = 0; i < expected.Length; i++)
            {
                Zero(expected[i], actual[i], $"{what}[{i}]");
            }
        }
    }

    private static (int Frequency, IGen<TValue> Generator) Weighted<TValue>(int frequency, IGen<TValue> generator) => (frequency, generator);

    /// <summary>PyTorch's cross-entropy on rows of one class, in double, from the formulas of the class summary:
    /// log p = (x - m) - log exp(x - m) with m = x; the index-target loss (1 - e)(-w log p) + e (-w log p) per row kept,
    /// reduced over the kept rows' weights for Mean; the soft-target loss -t' log p with t' = (1 - e) t + e, over Batch
    /// for Mean; each gradient the upstream g at log p, then g - exp(log p) g.</summary>
    private sealed class Reference<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly OneClassKernel<T> _k;
        private readonly double[] _logp, _soft;
        private readonly int[] _targets;
        private readonly double _weight, _e;

        public Reference(OneClassKernel<T> k, T[] logits, int[] targets, T[] weight, T[] soft)
        {
            _k = k;
            _targets = targets;
            _weight = double.CreateTruncating(weight[0]);
            _soft = soft.Select(v => double.CreateTruncating(v)).ToArray();
            _e = k.Smoothing;
            _logp = logits.Select(v =>
            {
                double x = double.CreateTruncating(v), m = x;
                return (x - m) - Math.Log(Math.Exp(x - m));
            }).ToArray();
        }

        public double[] Softmax => _logp.Select(Math.Exp).ToArray();

        public double[] LogSoftmax => _logp;

        private bool Kept(int i) => _targets[i] != _k.IgnoreIndex;

        private double RowLoss(int i, double w) => (1 - _e) * (-w * _logp[i]) + _e * (-w * _logp[i]);

        public double[] PerSample(T[]? weight) =>
            Enumerable.Range(0, _k.Batch).Select(i => Kept(i) ? RowLoss(i, weight is null ? 1 : _weight) : 0).ToArray();

        private double Scale(T[]? weight)
        {
            double w = weight is null ? 1 : _weight;
            return _k.Sum ? 1 : 1 / Enumerable.Range(0, _k.Batch).Where(Kept).Sum(_ => w);
        }

        public double Loss(T[]? weight)
        {
            double w = weight is null ? 1 : _weight, total = 0;
            double denominator = Enumerable.Range(0, _k.Batch).Where(Kept).Sum(_ => w);
            for (int i = 0; i < _k.Batch; i++)
            {
                total += Kept(i) ? RowLoss(i, w) : 0;
            }

            return _k.Sum ? total : total / denominator;
        }

        public double[] Gradient(T[]? weight)
        {
            double w = weight is null ? 1 : _weight, scale = Scale(weight);
            return Enumerable.Range(0, _k.Batch).Select(i =>
            {
                if (!Kept(i))
                {
                    return 0.0;
                }

                double g = (1 - _e) * (-w * scale) + _e * (-w * scale); // d loss / d log p
                return g - Math.Exp(_logp[i]) * g;
            }).ToArray();
        }

        private double Smoothed(int i) => (1 - _e) * _soft[i] + _e;

        public double SoftLoss()
        {
            double total = 0;
            for (int i = 0; i < _k.Batch; i++)
            {
                total += -(Smoothed(i) * _logp[i]);
            }

            return _k.Sum ? total : total / _k.Batch;
        }

        public double[] SoftGradient()
        {
            double scale = _k.Sum ? 1 : 1.0 / _k.Batch;
            return Enumerable.Range(0, _k.Batch).Select(i =>
            {
                double g = -Smoothed(i) * scale;
                return g - Math.Exp(_logp[i]) * g;
            }).ToArray();
        }
    }
}

/// <summary>The cross-entropy members of a one-class kernel of either element type, as delegates.</summary>
internal sealed record OneClassKernel<T>(
    string Name, int Batch, bool Sum, double Smoothing, int IgnoreIndex,
    OneClassKernel<T>.Map Softmax, OneClassKernel<T>.Map LogSoftmax,
    OneClassKernel<T>.IndexLoss Loss, OneClassKernel<T>.IndexLossWeighted LossWeighted, OneClassKernel<T>.SoftLoss LossSoft,
    OneClassKernel<T>.IndexPerSample PerSample, OneClassKernel<T>.IndexPerSampleWeighted PerSampleWeighted,
    OneClassKernel<T>.IndexBackward Backward, OneClassKernel<T>.IndexBackwardWeighted BackwardWeighted, OneClassKernel<T>.SoftBackward BackwardSoft)
{
    public delegate void Map(ReadOnlySpan<T> logits, Span<T> destination);
    public delegate T IndexLoss(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets);
    public delegate T IndexLossWeighted(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, ReadOnlySpan<T> weight);
    public delegate T SoftLoss(ReadOnlySpan<T> logits, ReadOnlySpan<T> targetProbabilities);
    public delegate void IndexPerSample(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses);
    public delegate void IndexPerSampleWeighted(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, ReadOnlySpan<T> weight, Span<T> losses);
    public delegate T IndexBackward(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> gradient);
    public delegate T IndexBackwardWeighted(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, ReadOnlySpan<T> weight, Span<T> gradient);
    public delegate T SoftBackward(ReadOnlySpan<T> logits, ReadOnlySpan<T> targetProbabilities, Span<T> gradient);
}
