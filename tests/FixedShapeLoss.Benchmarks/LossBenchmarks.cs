using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace FixedShapeLoss.Benchmarks;

[LossKernel(Batch = 4, Classes = 7)] public static partial class Bench4x7 { }
[LossKernel(Batch = 32, Classes = 10)] public static partial class Bench32x10 { }
[LossKernel(Batch = 256, Classes = 1000)] public static partial class Bench256x1000 { }

/// <summary>
/// Forward loss and backward (loss + gradient) of <c>torch.nn.CrossEntropyLoss</c> (mean), three ways:
/// plain scalar C# loops (MathF.Exp/Log, max-subtracted: what a careful person writes by hand), a
/// TensorPrimitives composition per row, and the generated kernel. Single thread; 0 B is the target.
/// TensorPrimitives reaches its vectorised tier only after many calls, hence the long warm-up.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[WarmupCount(25)]
[IterationCount(15)]
public abstract class LossBenchmarks
{
    private readonly int _batch;
    private readonly int _classes;
    protected readonly float[] Logits;
    protected readonly int[] Targets;
    protected readonly float[] Gradient;
    private readonly float[] _row;

    protected LossBenchmarks(int batch, int classes)
    {
        _batch = batch;
        _classes = classes;
        var generator = new TorchGenerator(0);
        Logits = new float[batch * classes];
        generator.Randn(Logits);
        var targets = new long[batch];
        generator.RandInt(0, classes, targets);
        Targets = Array.ConvertAll(targets, t => (int)t);
        Gradient = new float[batch * classes];
        _row = new float[classes];
    }

    /// <summary>One thread, as the naive loops: the large shapes would otherwise run on all cores (ThreadingBenchmarks
    /// compares the two).</summary>
    [GlobalSetup]
    public void SingleThread() => KernelThreading.MaxDegreeOfParallelism = 1;

    [Benchmark(Baseline = true), BenchmarkCategory("Forward")]
    public float NaiveForward()
    {
        float total = 0f;
        for (int i = 0; i < _batch; i++)
        {
            int offset = i * _classes;
            float max = float.NegativeInfinity;
            for (int j = 0; j < _classes; j++)
            {
                max = MathF.Max(max, Logits[offset + j]);
            }

            float sum = 0f;
            for (int j = 0; j < _classes; j++)
            {
                sum += MathF.Exp(Logits[offset + j] - max);
            }

            total += MathF.Log(sum) - (Logits[offset + Targets[i]] - max);
        }

        return total / _batch;
    }

    [Benchmark, BenchmarkCategory("Forward")]
    public float TensorPrimitivesForward()
    {
        float total = 0f;
        for (int i = 0; i < _batch; i++)
        {
            ReadOnlySpan<float> x = Logits.AsSpan(i * _classes, _classes);
            float max = TensorPrimitives.Max(x);
            TensorPrimitives.Subtract(x, max, _row);
            TensorPrimitives.Exp(_row, _row);
            total += MathF.Log(TensorPrimitives.Sum(_row)) - (x[Targets[i]] - max);
        }

        return total / _batch;
    }

    // The generated kernel of each shape: [Benchmark] sits on the overrides (BenchmarkDotNet skips abstract methods).
    public abstract float GeneratedForward();

    [Benchmark(Baseline = true), BenchmarkCategory("Backward")]
    public float NaiveBackward()
    {
        float total = 0f;
        float scale = 1f / _batch;
        for (int i = 0; i < _batch; i++)
        {
            int offset = i * _classes;
            float max = float.NegativeInfinity;
            for (int j = 0; j < _classes; j++)
            {
                max = MathF.Max(max, Logits[offset + j]);
            }

            float sum = 0f;
            for (int j = 0; j < _classes; j++)
            {
                float e = MathF.Exp(Logits[offset + j] - max);
                Gradient[offset + j] = e;
                sum += e;
            }

            total += MathF.Log(sum) - (Logits[offset + Targets[i]] - max);
            float factor = scale / sum;
            for (int j = 0; j < _classes; j++)
            {
                Gradient[offset + j] *= factor;
            }

            Gradient[offset + Targets[i]] -= scale;
        }

        return total * scale;
    }

    [Benchmark, BenchmarkCategory("Backward")]
    public float TensorPrimitivesBackward()
    {
        float total = 0f;
        float scale = 1f / _batch;
        for (int i = 0; i < _batch; i++)
        {
            ReadOnlySpan<float> x = Logits.AsSpan(i * _classes, _classes);
            Span<float> g = Gradient.AsSpan(i * _classes, _classes);
            float max = TensorPrimitives.Max(x);
            TensorPrimitives.Subtract(x, max, g);
            TensorPrimitives.Exp(g, g);
            float sum = TensorPrimitives.Sum(g);
            total += MathF.Log(sum) - (x[Targets[i]] - max);
            TensorPrimitives.Multiply(g, scale / sum, g);
            g[Targets[i]] -= scale;
        }

        return total * scale;
    }

    public abstract float GeneratedBackward();
}

public class Loss4x7Benchmarks : LossBenchmarks
{
    public Loss4x7Benchmarks() : base(Bench4x7.Batch, Bench4x7.Classes) { }
    [Benchmark, BenchmarkCategory("Forward")]
    public override float GeneratedForward() => Bench4x7.CrossEntropyLoss(Logits, Targets);
    [Benchmark, BenchmarkCategory("Backward")]
    public override float GeneratedBackward() => Bench4x7.CrossEntropyLossBackward(Logits, Targets, Gradient);
}

public class Loss32x10Benchmarks : LossBenchmarks
{
    public Loss32x10Benchmarks() : base(Bench32x10.Batch, Bench32x10.Classes) { }
    [Benchmark, BenchmarkCategory("Forward")]
    public override float GeneratedForward() => Bench32x10.CrossEntropyLoss(Logits, Targets);
    [Benchmark, BenchmarkCategory("Backward")]
    public override float GeneratedBackward() => Bench32x10.CrossEntropyLossBackward(Logits, Targets, Gradient);
}

public class Loss256x1000Benchmarks : LossBenchmarks
{
    public Loss256x1000Benchmarks() : base(Bench256x1000.Batch, Bench256x1000.Classes) { }
    [Benchmark, BenchmarkCategory("Forward")]
    public override float GeneratedForward() => Bench256x1000.CrossEntropyLoss(Logits, Targets);
    [Benchmark, BenchmarkCategory("Backward")]
    public override float GeneratedBackward() => Bench256x1000.CrossEntropyLossBackward(Logits, Targets, Gradient);
}
