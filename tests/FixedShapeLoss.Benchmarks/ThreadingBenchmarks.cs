using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace FixedShapeLoss.Benchmarks;

[LossKernel(Batch = 8, Classes = 32000)] public static partial class Bench8x32000 { }

/// <summary>
/// The plain cross-entropy (mean) of the two large shapes of issue 12, forward and forward + gradient, on one thread
/// (<see cref="KernelThreading.MaxDegreeOfParallelism"/> = 1, the baseline) and on all cores (= the processor count):
/// the Ratio column is the all-cores time over the one-thread time (target: at most 1 / 1.8 = 0.56 on 2 cores).
/// Both run the same fixed blocks, so they return the same bits.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[WarmupCount(25)]
[IterationCount(15)]
public class ThreadingBenchmarks
{
    private float[] _logits = [];
    private int[] _targets = [];
    private float[] _gradient = [];

    [Params("256 x 1000", "8 x 32000")]
    public string Shape { get; set; } = "256 x 1000";

    private bool Wide => Shape == "8 x 32000";

    [GlobalSetup]
    public void Setup()
    {
        int batch = Wide ? Bench8x32000.Batch : Bench256x1000.Batch;
        int classes = Wide ? Bench8x32000.Classes : Bench256x1000.Classes;
        var generator = new TorchGenerator(0);
        _logits = new float[batch * classes];
        generator.Randn(_logits);
        var targets = new long[batch];
        generator.RandInt(0, classes, targets);
        _targets = Array.ConvertAll(targets, t => (int)t);
        _gradient = new float[batch * classes];
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Forward")]
    public float ForwardOneThread()
    {
        KernelThreading.MaxDegreeOfParallelism = 1;
        return Forward();
    }

    [Benchmark, BenchmarkCategory("Forward")]
    public float ForwardAllCores()
    {
        KernelThreading.MaxDegreeOfParallelism = Environment.ProcessorCount;
        return Forward();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Forward+gradient")]
    public float BackwardOneThread()
    {
        KernelThreading.MaxDegreeOfParallelism = 1;
        return Backward();
    }

    [Benchmark, BenchmarkCategory("Forward+gradient")]
    public float BackwardAllCores()
    {
        KernelThreading.MaxDegreeOfParallelism = Environment.ProcessorCount;
        return Backward();
    }

    private float Forward() => Wide
        ? Bench8x32000.CrossEntropyLoss(_logits, _targets)
        : Bench256x1000.CrossEntropyLoss(_logits, _targets);

    private float Backward() => Wide
        ? Bench8x32000.CrossEntropyLossBackward(_logits, _targets, _gradient)
        : Bench256x1000.CrossEntropyLossBackward(_logits, _targets, _gradient);
}
