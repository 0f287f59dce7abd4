using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace FixedShapeLoss.Benchmarks;

/// <summary>
/// <see cref="KernelMath"/> against <see cref="TensorPrimitives"/> (subtract, exp into a buffer, sum) and a scalar
/// <see cref="MathF.Exp"/> loop: Σ exp(x − max) without storing (<c>SumExp</c>), and storing the exponentials
/// (<c>ExpShifted</c>), over logits-like data. Run with
/// <c>dotnet run -c Release --project tests/FixedShapeLoss.Benchmarks -- --filter '*KernelMath*'</c>.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(30)]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
public class KernelMathBenchmarks
{
    private float[] _x = Array.Empty<float>();
    private float[] _buffer = Array.Empty<float>();
    private float _shift;

    /// <summary>Number of floats.</summary>
    [Params(1000, 256_000)]
    public int N { get; set; }

    /// <summary>Logits-like data: uniform in [-20, 6), seeded.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(12345);
        _x = new float[N];
        for (int i = 0; i < N; i++)
        {
            _x[i] = (float)(random.NextDouble() * 26.0 - 20.0);
        }

        _buffer = new float[N];
        _shift = KernelMath.Max(_x);
    }

    /// <summary>KernelMath.SumExp: fused, nothing stored.</summary>
    [Benchmark(Baseline = true, Description = "KernelMath.SumExp")]
    [BenchmarkCategory("SumExp")]
    public float SumExpKernelMath() => KernelMath.SumExp(_x, _shift);

    /// <summary>TensorPrimitives: Subtract and Exp into a buffer, then Sum.</summary>
    [Benchmark(Description = "TensorPrimitives Subtract+Exp+Sum")]
    [BenchmarkCategory("SumExp")]
    public float SumExpTensorPrimitives()
    {
        TensorPrimitives.Subtract(_x, _shift, _buffer);
        TensorPrimitives.Exp(_buffer, _buffer);
        return TensorPrimitives.Sum(_buffer);
    }

    /// <summary>Scalar loop over MathF.Exp, nothing stored.</summary>
    [Benchmark(Description = "scalar MathF.Exp loop")]
    [BenchmarkCategory("SumExp")]
    public float SumExpScalar()
    {
        float[] x = _x;
        float shift = _shift, s = 0f;
        for (int i = 0; i < x.Length; i++)
        {
            s += MathF.Exp(x[i] - shift);
        }

        return s;
    }

    /// <summary>KernelMath.ExpShifted: exponentials stored, sum returned.</summary>
    [Benchmark(Baseline = true, Description = "KernelMath.ExpShifted")]
    [BenchmarkCategory("ExpShifted")]
    public float ExpShiftedKernelMath() => KernelMath.ExpShifted(_x, _shift, _buffer);

    /// <summary>TensorPrimitives: Subtract and Exp into the buffer, then Sum of it.</summary>
    [Benchmark(Description = "TensorPrimitives Subtract+Exp+Sum")]
    [BenchmarkCategory("ExpShifted")]
    public float ExpShiftedTensorPrimitives()
    {
        TensorPrimitives.Subtract(_x, _shift, _buffer);
        TensorPrimitives.Exp(_buffer, _buffer);
        return TensorPrimitives.Sum(_buffer);
    }

    /// <summary>Scalar loop over MathF.Exp, stored and summed.</summary>
    [Benchmark(Description = "scalar MathF.Exp loop")]
    [BenchmarkCategory("ExpShifted")]
    public float ExpShiftedScalar()
    {
        float[] x = _x, d = _buffer;
        float shift = _shift, s = 0f;
        for (int i = 0; i < x.Length; i++)
        {
            float e = MathF.Exp(x[i] - shift);
            d[i] = e;
            s += e;
        }

        return s;
    }

    /// <summary>KernelMath.Exp in place (the buffer is overwritten each call; data stays finite and in range).</summary>
    [Benchmark(Baseline = true, Description = "KernelMath.Exp(span)")]
    [BenchmarkCategory("Exp")]
    public void ExpKernelMath()
    {
        _x.AsSpan().CopyTo(_buffer);
        KernelMath.Exp(_buffer);
    }

    /// <summary>TensorPrimitives.Exp in place.</summary>
    [Benchmark(Description = "TensorPrimitives.Exp")]
    [BenchmarkCategory("Exp")]
    public void ExpTensorPrimitives()
    {
        _x.AsSpan().CopyTo(_buffer);
        TensorPrimitives.Exp(_buffer, _buffer);
    }

    /// <summary>KernelMath.Max (NaN-propagating).</summary>
    [Benchmark(Baseline = true, Description = "KernelMath.Max")]
    [BenchmarkCategory("Max")]
    public float MaxKernelMath() => KernelMath.Max(_x);

    /// <summary>TensorPrimitives.Max (NaN-propagating).</summary>
    [Benchmark(Description = "TensorPrimitives.Max")]
    [BenchmarkCategory("Max")]
    public float MaxTensorPrimitives() => TensorPrimitives.Max(_x);
}
