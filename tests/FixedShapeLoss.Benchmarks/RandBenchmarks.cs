using System;
using BenchmarkDotNet.Attributes;

namespace FixedShapeLoss.Benchmarks;

/// <summary>
/// <c>torch.rand(1_000_000)</c>: <see cref="TorchGenerator.Rand(Span{float})"/> (vectorised twist, temper and
/// conversion) against a plain scalar MT19937 producing the same floats.
/// Run: <c>dotnet run -c Release --project tests/FixedShapeLoss.Benchmarks -- --filter '*RandBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class RandBenchmarks
{
    private const int Count = 1_000_000;
    private const uint Seed = 42;

    private readonly float[] _destination = new float[Count];
    private TorchGenerator _generator = null!;
    private ScalarMt19937 _scalar = null!;

    /// <summary>Fresh generators; checks once that both produce the same bits.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _generator = new TorchGenerator(Seed);
        _scalar = new ScalarMt19937(Seed);
        var a = new float[Count];
        var b = new float[Count];
        new TorchGenerator(Seed).Rand(a);
        new ScalarMt19937(Seed).Fill(b);
        for (int i = 0; i < Count; i++)
        {
            if (BitConverter.SingleToUInt32Bits(a[i]) != BitConverter.SingleToUInt32Bits(b[i]))
            {
                throw new InvalidOperationException($"outputs differ at {i}: {a[i]:R} vs {b[i]:R}");
            }
        }
    }

    /// <summary>Plain scalar MT19937: generate-twist-temper per draw, then <c>(r &amp; 0xFFFFFF) * 2^-24</c>.</summary>
    [Benchmark(Baseline = true)]
    public void ScalarMt19937Rand() => _scalar.Fill(_destination);

    /// <summary>TorchGenerator.Rand(Span&lt;float&gt;).</summary>
    [Benchmark]
    public void TorchGeneratorRand() => _generator.Rand(_destination);

    /// <summary>The straightforward MT19937 a careful person writes first.</summary>
    public sealed class ScalarMt19937
    {
        private static readonly uint[] s_mag01 = [0u, 0x9908B0DFu];
        private readonly uint[] _mt = new uint[624];
        private int _index;

        /// <summary>init_genrand seeding.</summary>
        public ScalarMt19937(uint seed)
        {
            _mt[0] = seed;
            for (int i = 1; i < 624; i++)
            {
                _mt[i] = unchecked(1812433253u * (_mt[i - 1] ^ (_mt[i - 1] >> 30)) + (uint)i);
            }
            _index = 624;
        }

        /// <summary>One tempered 32-bit draw.</summary>
        public uint Next()
        {
            if (_index >= 624)
            {
                // mt19937ar.c's genrand_int32: three loops, no modulo, a two-entry table for the odd case.
                int k = 0;
                uint y;
                for (; k < 624 - 397; k++)
                {
                    y = (_mt[k] & 0x80000000u) | (_mt[k + 1] & 0x7FFFFFFFu);
                    _mt[k] = _mt[k + 397] ^ (y >> 1) ^ s_mag01[y & 1];
                }
                for (; k < 623; k++)
                {
                    y = (_mt[k] & 0x80000000u) | (_mt[k + 1] & 0x7FFFFFFFu);
                    _mt[k] = _mt[k + (397 - 624)] ^ (y >> 1) ^ s_mag01[y & 1];
                }
                y = (_mt[623] & 0x80000000u) | (_mt[0] & 0x7FFFFFFFu);
                _mt[623] = _mt[396] ^ (y >> 1) ^ s_mag01[y & 1];
                _index = 0;
            }
            uint r = _mt[_index++];
            r ^= r >> 11;
            r ^= (r << 7) & 0x9D2C5680u;
            r ^= (r << 15) & 0xEFC60000u;
            r ^= r >> 18;
            return r;
        }

        /// <summary>One float per element, as torch.rand.</summary>
        public void Fill(float[] destination)
        {
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = (Next() & 0xFFFFFF) * (1f / 16777216f);
            }
        }
    }
}
