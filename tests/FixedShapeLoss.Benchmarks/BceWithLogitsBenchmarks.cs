using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace FixedShapeLoss.Benchmarks;

/// <summary>
/// <c>torch.nn.BCEWithLogitsLoss</c> (mean, multi-label: one logit per class), forward and backward (loss + d loss /
/// d logits), three ways: a plain scalar loop (MathF.Exp/Log, the stable form
/// <c>(1 - y) x + max(-x, 0) + log(1 + exp(-|x|))</c>), a TensorPrimitives composition over the whole matrix (one
/// call per step, two scratch buffers) and the generated kernel. Single thread; 0 B is the target.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[WarmupCount(25)]
[IterationCount(15)]
public abstract class BceWithLogitsBenchmarks
{
    protected readonly float[] Logits;
    protected readonly float[] Targets;
    protected readonly float[] Gradient;
    private readonly float[] _a;
    private readonly float[] _b;

    protected BceWithLogitsBenchmarks(int batch, int classes)
    {
        var generator = new TorchGenerator(0);
        Logits = new float[batch * classes];
        generator.Randn(Logits);
        Targets = new float[batch * classes];
        generator.Rand(Targets);
        for (int k = 0; k < Targets.Length; k++)
        {
            Targets[k] = Targets[k] < 0.3f ? 1f : 0f; // multi-label 0/1 targets
        }

        Gradient = new float[batch * classes];
        _a = new float[batch * classes];
        _b = new float[batch * classes];
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Forward")]
    public float NaiveForward()
    {
        float total = 0f;
        for (int k = 0; k < Logits.Length; k++)
        {
            float x = Logits[k];
            total += (1f - Targets[k]) * x + MathF.Max(-x, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));
        }

        return total / Logits.Length;
    }

    [Benchmark, BenchmarkCategory("Forward")]
    public float TensorPrimitivesForward() => TensorPrimitivesLoss();

    [Benchmark(Baseline = true), BenchmarkCategory("Backward")]
    public float NaiveBackward()
    {
        float total = 0f;
        float scale = 1f / Logits.Length;
        for (int k = 0; k < Logits.Length; k++)
        {
            float x = Logits[k], y = Targets[k];
            float e = MathF.Exp(-MathF.Abs(x));
            total += (1f - y) * x + MathF.Max(-x, 0f) + MathF.Log(1f + e);
            float sigmoid = x >= 0f ? 1f / (1f + e) : e / (1f + e);
            Gradient[k] = (sigmoid - y) * scale;
        }

        return total / Logits.Length;
    }

    [Benchmark, BenchmarkCategory("Backward")]
    public float TensorPrimitivesBackward()
    {
        float loss = TensorPrimitivesLoss();
        TensorPrimitives.Sigmoid(Logits, Gradient);
        TensorPrimitives.Subtract(Gradient, Targets, Gradient);
        TensorPrimitives.Multiply(Gradient, 1f / Logits.Length, Gradient);
        return loss;
    }

    // (1 - y) x + max(-x, 0) + log(1 + exp(-|x|)), summed: eight whole-matrix calls.
    private float TensorPrimitivesLoss()
    {
        TensorPrimitives.Abs(Logits, _a);
        TensorPrimitives.Negate(_a, _a);
        TensorPrimitives.Exp(_a, _a);
        TensorPrimitives.LogP1(_a, _a);
        TensorPrimitives.Negate(Logits, _b);
        TensorPrimitives.Max(_b, 0f, _b);
        TensorPrimitives.Add(_a, _b, _a);
        TensorPrimitives.Subtract(1f, Targets, _b);
        TensorPrimitives.MultiplyAdd(_b, Logits, _a, _a);
        return TensorPrimitives.Sum(_a) / Logits.Length;
    }
}

public class BceWithLogits32x10 : BceWithLogitsBenchmarks
{
    public BceWithLogits32x10()
        : base(Bench32x10.Batch, Bench32x10.Classes)
    {
    }

    [Benchmark, BenchmarkCategory("Forward")]
    public float GeneratedForward() => Bench32x10.BinaryCrossEntropyWithLogitsLoss(Logits, Targets);

    [Benchmark, BenchmarkCategory("Backward")]
    public float GeneratedBackward() => Bench32x10.BinaryCrossEntropyWithLogitsLossBackward(Logits, Targets, Gradient);
}

public class BceWithLogits256x1000 : BceWithLogitsBenchmarks
{
    public BceWithLogits256x1000()
        : base(Bench256x1000.Batch, Bench256x1000.Classes)
    {
    }

    [Benchmark, BenchmarkCategory("Forward")]
    public float GeneratedForward() => Bench256x1000.BinaryCrossEntropyWithLogitsLoss(Logits, Targets);

    [Benchmark, BenchmarkCategory("Backward")]
    public float GeneratedBackward() => Bench256x1000.BinaryCrossEntropyWithLogitsLossBackward(Logits, Targets, Gradient);
}
