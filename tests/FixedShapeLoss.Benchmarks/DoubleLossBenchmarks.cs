using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace FixedShapeLoss.Benchmarks;

[LossKernel(Batch = 4, Classes = 7, ElementType = typeof(double))] public static partial class Bench4x7Double { }
[LossKernel(Batch = 256, Classes = 1000, ElementType = typeof(double))] public static partial class Bench256x1000Double { }

/// <summary>
/// The float64 <c>torch.nn.CrossEntropyLoss</c> (mean) from logits, three ways as in <see cref="LossBenchmarks"/>:
/// plain scalar double loops (Math.Exp/Log, max-subtracted), a TensorPrimitives composition per row (double), and
/// the generated double kernel. Targets: 3x the naive loop at 4x7, 1.2x TensorPrimitives at 256x1000.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[WarmupCount(25)]
[IterationCount(15)]
public abstract class DoubleLossBenchmarks
{
    private readonly int _batch;
    private readonly int _classes;
    protected readonly double[] Logits;
    protected readonly int[] Targets;
    protected readonly double[] Gradient;
    private readonly double[] _row;

    protected DoubleLossBenchmarks(int batch, int classes)
    {
        _batch = batch;
        _classes = classes;
        var generator = new TorchGenerator(0);
        Logits = new double[batch * classes];
        generator.Randn(Logits);
        var targets = new long[batch];
        generator.RandInt(0, classes, targets);
        Targets = Array.ConvertAll(targets, t => (int)t);
        Gradient = new double[batch * classes];
        _row = new double[classes];
    }

    /// <summary>One thread, as the naive loops (256 x 1000 would otherwise run on all cores).</summary>
    [GlobalSetup]
    public void SingleThread() => KernelThreading.MaxDegreeOfParallelism = 1;

    [Benchmark(Baseline = true), BenchmarkCategory("Forward")]
    public double NaiveForward()
    {
        double total = 0;
        for (int i = 0; i < _batch; i++)
        {
            int offset = i * _classes;
            double max = double.NegativeInfinity;
            for (int j = 0; j < _classes; j++)
            {
                max = Math.Max(max, Logits[offset + j]);
            }

            double sum = 0;
            for (int j = 0; j < _classes; j++)
            {
                sum += Math.Exp(Logits[offset + j] - max);
            }

            total += Math.Log(sum) - (Logits[offset + Targets[i]] - max);
        }

        return total / _batch;
    }

    [Benchmark, BenchmarkCategory("Forward")]
    public double TensorPrimitivesForward()
    {
        double total = 0;
        for (int i = 0; i < _batch; i++)
        {
            ReadOnlySpan<double> x = Logits.AsSpan(i * _classes, _classes);
            double max = TensorPrimitives.Max(x);
            TensorPrimitives.Subtract(x, max, _row);
            TensorPrimitives.Exp(_row, _row);
            total += Math.Log(TensorPrimitives.Sum<double>(_row)) - (x[Targets[i]] - max);
        }

        return total / _batch;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Backward")]
    public double NaiveBackward()
    {
        double total = 0;
        double scale = 1.0 / _batch;
        for (int i = 0; i < _batch; i++)
        {
            int offset = i * _classes;
            double max = double.NegativeInfinity;
            for (int j = 0; j < _classes; j++)
            {
                max = Math.Max(max, Logits[offset + j]);
            }

            double sum = 0;
            for (int j = 0; j < _classes; j++)
            {
                double e = Math.Exp(Logits[offset + j] - max);
                Gradient[offset + j] = e;
                sum += e;
            }

            total += Math.Log(sum) - (Logits[offset + Targets[i]] - max);
            double factor = scale / sum;
            for (int j = 0; j < _classes; j++)
            {
                Gradient[offset + j] *= factor;
            }

            Gradient[offset + Targets[i]] -= scale;
        }

        return total * scale;
    }

    // The generated kernel of each shape: [Benchmark] sits on the overrides (BenchmarkDotNet skips abstract methods).
    public abstract double GeneratedForward();

    public abstract double GeneratedBackward();
}

public class Double4x7Benchmarks : DoubleLossBenchmarks
{
    public Double4x7Benchmarks() : base(Bench4x7Double.Batch, Bench4x7Double.Classes) { }
    [Benchmark, BenchmarkCategory("Forward")]
    public override double GeneratedForward() => Bench4x7Double.CrossEntropyLoss(Logits, Targets);
    [Benchmark, BenchmarkCategory("Backward")]
    public override double GeneratedBackward() => Bench4x7Double.CrossEntropyLossBackward(Logits, Targets, Gradient);
}

public class Double256x1000Benchmarks : DoubleLossBenchmarks
{
    public Double256x1000Benchmarks() : base(Bench256x1000Double.Batch, Bench256x1000Double.Classes) { }
    [Benchmark, BenchmarkCategory("Forward")]
    public override double GeneratedForward() => Bench256x1000Double.CrossEntropyLoss(Logits, Targets);
    [Benchmark, BenchmarkCategory("Backward")]
    public override double GeneratedBackward() => Bench256x1000Double.CrossEntropyLossBackward(Logits, Targets, Gradient);
}
