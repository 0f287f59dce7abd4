using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace FixedShapeLoss.Tests;

/// <summary>
/// TorchGenerator against the PyTorch vectors in <c>Data/torch-rng.json</c>, the reference table of
/// pytorch-semantics.md §7, a plain scalar MT19937 written here independently, and the invariants the
/// algorithms imply (stream continuation, the cached normal, the fill path's blocks and tail).
/// </summary>
public sealed class TorchGeneratorTests
{
    // ------------------------------------------------------------------ independent scalar reference

    /// <summary>Textbook MT19937 (init_genrand, generate-twist-temper per draw), deliberately plain.</summary>
    private sealed class ScalarMt
    {
        private readonly uint[] _mt = new uint[624];
        private int _index;

        public ScalarMt(uint seed)
        {
            _mt[0] = seed;
            for (int i = 1; i < 624; i++)
            {
                _mt[i] = unchecked(1812433253u * (_mt[i - 1] ^ (_mt[i - 1] >> 30)) + (uint)i);
            }
            _index = 624;
        }

        public uint Next()
        {
            if (_index >= 624)
            {
                for (int i = 0; i < 624; i++)
                {
                    uint y = (_mt[i] & 0x80000000u) | (_mt[(i + 1) % 624] & 0x7FFFFFFFu);
                    uint v = _mt[(i + 397) % 624] ^ (y >> 1);
                    if ((y & 1) != 0)
                    {
                        v ^= 0x9908B0DFu;
                    }
                    _mt[i] = v;
                }
                _index = 0;
            }
            uint r = _mt[_index++];
            r ^= r >> 11;
            r ^= (r << 7) & 0x9D2C5680u;
            r ^= (r << 15) & 0xEFC60000u;
            r ^= r >> 18;
            return r;
        }

        public ulong Next64()
        {
            ulong high = Next();
            return (high << 32) | Next();
        }

        public float NextFloat() => (Next() & 0xFFFFFF) * (1f / 16777216f);

        public double NextDouble() => (Next64() & ((1UL << 53) - 1)) * (1.0 / 9007199254740992.0);

        public void Skip(int draws)
        {
            for (int i = 0; i < draws; i++)
            {
                Next();
            }
        }
    }

    private static uint Bits(float x) => BitConverter.SingleToUInt32Bits(x);

    private static ulong Bits(double x) => BitConverter.DoubleToUInt64Bits(x);

    private static void AssertSameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            if (Bits(expected[i]) != Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R} (0x{Bits(actual[i]):x8}), expected {expected[i]:R} (0x{Bits(expected[i]):x8})");
            }
        }
    }

    private static void AssertSameBits(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            if (Bits(expected[i]) != Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R} (0x{Bits(actual[i]):x16}), expected {expected[i]:R} (0x{Bits(expected[i]):x16})");
            }
        }
    }

    private static float[] RandnFloat(TorchGenerator g, int n)
    {
        var a = new float[n];
        g.Randn(a);
        return a;
    }

    private static double[] RandnDouble(TorchGenerator g, int n)
    {
        var a = new double[n];
        g.Randn(a);
        return a;
    }

    private static float[] RandFloat(TorchGenerator g, int n)
    {
        var a = new float[n];
        g.Rand(a);
        return a;
    }

    // ------------------------------------------------------------------ torch-rng.json, every call

    public static IEnumerable<object[]> JsonCases()
    {
        using JsonDocument doc = TestData.Load("torch-rng.json");
        int count = doc.RootElement.GetProperty("cases").GetArrayLength();
        return Enumerable.Range(0, count).Select(i => new object[] { i });
    }

    [Theory]
    [MemberData(nameof(JsonCases))]
    public void MatchesPyTorchVectorsBitForBit(int caseIndex)
    {
        using JsonDocument doc = TestData.Load("torch-rng.json");
        JsonElement testCase = doc.RootElement.GetProperty("cases")[caseIndex];
        ulong seed = unchecked((ulong)testCase.GetProperty("seed").GetInt64());
        var g = new TorchGenerator(seed);
        int stepIndex = 0;
        foreach (JsonElement step in testCase.GetProperty("steps").EnumerateArray())
        {
            string op = step.GetProperty("op").GetString()!;
            int n = step.GetProperty("size").EnumerateArray().Aggregate(1, (p, d) => p * d.GetInt32());
            JsonElement result = step.GetProperty("result");
            string dtype = result.GetProperty("dtype").GetString()!;
            string what = $"case {caseIndex} (seed {seed}) step {stepIndex}: {op}({n}, {dtype})";
            switch (op, dtype)
            {
                case ("rand", "float32"):
                    AssertSameBits(TestData.FloatBits(result), RandFloat(g, n), what);
                    break;
                case ("rand", "float64"):
                    var rd = new double[n];
                    g.Rand(rd);
                    AssertSameBits(TestData.DoubleBits(result), rd, what);
                    break;
                case ("randn", "float32"):
                    AssertSameBits(TestData.FloatBits(result), RandnFloat(g, n), what);
                    break;
                case ("randn", "float64"):
                    AssertSameBits(TestData.DoubleBits(result), RandnDouble(g, n), what);
                    break;
                case ("randint", "int64"):
                    var ri = new long[n];
                    g.RandInt(step.GetProperty("low").GetInt64(), step.GetProperty("high").GetInt64(), ri);
                    Assert.Equal(TestData.Longs(result), ri);
                    break;
                default:
                    Assert.Fail($"{what}: unknown op");
                    break;
            }
            stepIndex++;
        }
    }

    [Fact]
    public void JsonCoversEveryKindOfCall()
    {
        using JsonDocument doc = TestData.Load("torch-rng.json");
        var kinds = doc.RootElement.GetProperty("cases").EnumerateArray()
            .SelectMany(c => c.GetProperty("steps").EnumerateArray())
            .Select(s => s.GetProperty("op").GetString() + "/" + s.GetProperty("result").GetProperty("dtype").GetString())
            .ToHashSet();
        Assert.Subset(kinds, new HashSet<string> { "rand/float32", "rand/float64", "randn/float32", "randn/float64", "randint/int64" });
    }

    // ------------------------------------------------------------------ pytorch-semantics.md §7 (libtorch 2.10)

    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 5e-5, $"element {i}: {actual[i]} vs printed {expected[i]}");
        }
    }

    [Fact]
    public void ReferenceTable_Seed0_Randn4x4()
    {
        AssertClose(
            [-1.1258, -1.1524, -0.2506, -0.4339, 0.8487, 0.6920, -0.3160, -2.1152, 0.3223, -1.2633, 0.3500, 0.3081, 0.1198, 1.2377, 1.1168, -0.2473],
            RandnFloat(new TorchGenerator(0), 16));
    }

    [Fact]
    public void ReferenceTable_Seed0_Rand3ThenRandn3()
    {
        var g = new TorchGenerator(0);
        AssertClose([0.4963, 0.7682, 0.0885], RandFloat(g, 3));
        AssertClose([0.3643, 0.1344, 0.1642], RandnFloat(g, 3));
        float[] rand3 = RandFloat(new TorchGenerator(0), 3);
        Assert.Equal([0.4962566f, 0.7682218f, 0.08847743f], rand3);
    }

    [Fact]
    public void ReferenceTable_Seed42()
    {
        AssertClose([0.3367, 0.1288, 0.2345, 0.2303, -1.1229], RandnFloat(new TorchGenerator(42), 5));
        AssertClose([0.8823, 0.9150, 0.3829, 0.9593, 0.3904], RandFloat(new TorchGenerator(42), 5));
        var ints = new long[5];
        new TorchGenerator(42).RandInt(0, 100, ints);
        Assert.Equal([42L, 67, 76, 14, 26], ints);
    }

    // ------------------------------------------------------------------ engine against the scalar reference

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(42UL)]
    [InlineData(5489UL)]
    [InlineData(0xFFFFFFFFUL)]
    public void RawDrawsMatchScalarReference(ulong seed)
    {
        var g = new TorchGenerator(seed);
        var reference = new ScalarMt((uint)seed);
        for (int i = 0; i < 5 * 624 + 17; i++)
        {
            uint expected = reference.Next();
            uint actual = g.NextUInt32();
            if (expected != actual)
            {
                Assert.Fail($"draw {i}: 0x{actual:x8}, expected 0x{expected:x8}");
            }
        }
    }

    [Fact]
    public void StdMt19937KnownValue()
    {
        // The C++ standard requires the 10000th output of a default-seeded std::mt19937 (seed 5489) to be 4123659995.
        var g = new TorchGenerator(5489);
        uint last = 0;
        for (int i = 0; i < 10000; i++)
        {
            last = g.NextUInt32();
        }
        Assert.Equal(4123659995u, last);
    }

    [Fact]
    public void NextUInt64TakesHighWordFirst()
    {
        var g = new TorchGenerator(7);
        var reference = new ScalarMt(7);
        for (int i = 0; i < 1000; i++)
        {
            ulong high = reference.Next();
            ulong low = reference.Next();
            Assert.Equal((high << 32) | low, g.NextUInt64());
        }
    }

    [Fact]
    public void RandFloatMatchesScalarReferenceOverMixedCallSizes()
    {
        var g = new TorchGenerator(2023);
        var reference = new ScalarMt(2023);
        var buffer = new float[2000];
        for (int n = 1; n <= 2000; n++)
        {
            Span<float> span = buffer.AsSpan(0, n);
            g.Rand(span);
            for (int i = 0; i < n; i++)
            {
                float expected = reference.NextFloat();
                if (Bits(expected) != Bits(span[i]))
                {
                    Assert.Fail($"call n={n}, element {i}: {span[i]:R}, expected {expected:R}");
                }
            }
        }
    }

    [Fact]
    public void RandFloatMillionValuesMatchScalarReference()
    {
        var values = new float[1_000_000];
        var g = new TorchGenerator(12345);
        g.NextUInt32();   // start mid-block so the bulk path crosses block boundaries unaligned
        g.Rand(values);
        var reference = new ScalarMt(12345);
        reference.Next();
        for (int i = 0; i < values.Length; i++)
        {
            float expected = reference.NextFloat();
            if (Bits(expected) != Bits(values[i]))
            {
                Assert.Fail($"element {i}: {values[i]:R}, expected {expected:R}");
            }
        }
        Assert.Equal(reference.Next(), g.NextUInt32());
    }

    [Fact]
    public void RandDoubleMatchesScalarReference()
    {
        var g = new TorchGenerator(99);
        var reference = new ScalarMt(99);
        var buffer = new double[700];
        foreach (int n in new[] { 1, 2, 311, 312, 313, 700, 3 })
        {
            Span<double> span = buffer.AsSpan(0, n);
            g.Rand(span);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(Bits(reference.NextDouble()), Bits(span[i]));
            }
        }
    }

    [Fact]
    public void TwistVariantsAgree()
    {
        var random = new Random(1);
        for (int trial = 0; trial < 200; trial++)
        {
            var a = new uint[MersenneTwister.StateSize];
            for (int i = 0; i < a.Length; i++)
            {
                a[i] = (uint)random.NextInt64(0, 1L << 32);
            }
            var b = (uint[])a.Clone();
            var c = (uint[])a.Clone();
            for (int round = 0; round < 3; round++)
            {
                MersenneTwister.TwistScalar(a);
                MersenneTwister.TwistVector256(b);
                MersenneTwister.TwistVector512(c);
                Assert.Equal(a, b);
                Assert.Equal(a, c);
            }
        }
    }

    // ------------------------------------------------------------------ seeding

    [Fact]
    public void OnlyLow32BitsOfSeedMatter()
    {
        var a = new TorchGenerator((1UL << 32) + 1);
        var b = new TorchGenerator(1);
        for (int i = 0; i < 2000; i++)
        {
            Assert.Equal(b.NextUInt32(), a.NextUInt32());
        }
    }

    [Fact]
    public void NegativeSeedIsTwosComplement()
    {
        var a = new TorchGenerator(unchecked((ulong)-1));
        var b = new TorchGenerator(0xFFFFFFFFUL);
        Assert.Equal(RandFloat(b, 50), RandFloat(a, 50));
        Assert.Equal(unchecked((ulong)-1), a.InitialSeed);
    }

    [Fact]
    public void ManualSeedRestartsTheStream()
    {
        var g = new TorchGenerator(3);
        float[] first = RandFloat(g, 1000);
        g.ManualSeed(77);
        g.ManualSeed(3);
        Assert.Equal(first, RandFloat(g, 1000));
    }

    // ------------------------------------------------------------------ draw accounting and stream continuation

    [Fact]
    public void ConsecutiveRandCallsContinueOneStream()
    {
        var g = new TorchGenerator(11);
        float[] parts = RandFloat(g, 5).Concat(RandFloat(g, 700)).Concat(RandFloat(g, 1)).Concat(RandFloat(g, 1300)).ToArray();
        Assert.Equal(RandFloat(new TorchGenerator(11), 2006), parts);
    }

    /// <summary>Each call consumes exactly the draws PyTorch's kernel consumes; the next raw draw proves it.</summary>
    [Theory]
    [InlineData("rand32", 7, 7)]
    [InlineData("rand64", 7, 14)]
    [InlineData("randn32", 5, 12)]      // 3 pairs of two random64 draws (the 6th value stays cached)
    [InlineData("randn32", 15, 32)]     // 8 pairs
    [InlineData("randn32", 16, 16)]     // fill path: one float draw per element
    [InlineData("randn32", 20, 36)]     // ... plus 16 redrawn for the tail
    [InlineData("randn32", 1000, 1016)]
    [InlineData("randn64", 3, 8)]
    [InlineData("randn64", 32, 64)]
    [InlineData("randn64", 33, 98)]
    [InlineData("randintSmall", 9, 9)]
    [InlineData("randintLarge", 9, 18)]
    [InlineData("rand32", 0, 0)]
    [InlineData("rand64", 0, 0)]
    [InlineData("randn32", 0, 0)]
    [InlineData("randn64", 0, 0)]
    [InlineData("randintSmall", 0, 0)]
    [InlineData("randintLarge", 0, 0)]
    public void EachCallConsumesExactlyItsDraws(string op, int n, int draws)
    {
        var g = new TorchGenerator(2024);
        switch (op)
        {
            case "rand32": g.Rand(new float[n]); break;
            case "rand64": g.Rand(new double[n]); break;
            case "randn32": g.Randn(new float[n]); break;
            case "randn64": g.Randn(new double[n]); break;
            case "randintSmall": g.RandInt(-3, 1L << 31, new long[n]); break;
            case "randintLarge": g.RandInt(-3, (1L << 32) - 3, new long[n]); break;
        }
        var reference = new ScalarMt(2024);
        reference.Skip(draws);
        for (int i = 0; i < 700; i++)
        {
            Assert.Equal(reference.Next(), g.NextUInt32());
        }
    }

    [Fact]
    public void EmptyDestinationsConsumeNothingAndKeepTheCache()
    {
        var g = new TorchGenerator(0);
        float first = RandnFloat(g, 1)[0];
        g.Rand(Span<float>.Empty);
        g.Rand(Span<double>.Empty);
        g.Randn(Span<float>.Empty);
        g.Randn(Span<double>.Empty);
        g.RandInt(0, 10, Span<long>.Empty);
        float[] expected = RandnFloat(new TorchGenerator(0), 2);
        Assert.Equal(Bits(expected[0]), Bits(first));
        Assert.Equal(Bits(expected[1]), Bits(RandnFloat(g, 1)[0]));
    }

    // ------------------------------------------------------------------ the cached normal sample

    [Fact]
    public void CachedNormalCrossesCalls_Float()
    {
        var g = new TorchGenerator(0);
        float[] split = RandnFloat(g, 5).Concat(RandnFloat(g, 3)).ToArray();
        AssertSameBits(RandnFloat(new TorchGenerator(0), 8), split, "randn(5)+randn(3) vs randn(8)");
    }

    [Fact]
    public void CachedNormalCrossesCalls_Double()
    {
        var g = new TorchGenerator(5);
        double[] split = RandnDouble(g, 1).Concat(RandnDouble(g, 6)).Concat(RandnDouble(g, 8)).ToArray();
        AssertSameBits(RandnDouble(new TorchGenerator(5), 15), split, "randn(1)+randn(6)+randn(8) vs randn(15)");
    }

    [Fact]
    public void FloatAndDoubleSmallPathsShareTheDoubleCache()
    {
        // Both dtypes run at::normal_distribution<double>, i.e. next_double_normal_sample.
        var g = new TorchGenerator(9);
        float first = RandnFloat(g, 1)[0];
        double second = RandnDouble(g, 1)[0];
        double[] fresh = RandnDouble(new TorchGenerator(9), 2);
        Assert.Equal(Bits((float)fresh[0]), Bits(first));
        Assert.Equal(Bits(fresh[1]), Bits(second));
    }

    [Fact]
    public void OtherCallsNeitherReadNorClearTheCache()
    {
        double cachedHalf = RandnDouble(new TorchGenerator(4), 2)[1];
        var g = new TorchGenerator(4);
        RandnDouble(g, 1);
        g.Rand(new float[3]);
        g.Rand(new double[2]);
        g.RandInt(0, 5, new long[4]);
        g.Randn(new float[20]);     // fill paths
        g.Randn(new double[17]);
        Assert.Equal(Bits(cachedHalf), Bits(RandnDouble(g, 1)[0]));
    }

    [Fact]
    public void ManualSeedClearsTheCache()
    {
        var g = new TorchGenerator(0);
        RandnFloat(g, 3);            // leaves a cached sample
        g.ManualSeed(0);
        AssertSameBits(RandnFloat(new TorchGenerator(0), 4), RandnFloat(g, 4), "after reseed");
        var h = new TorchGenerator(1);
        RandnDouble(h, 1);
        h.ManualSeed(1);
        AssertSameBits(RandnDouble(new TorchGenerator(1), 3), RandnDouble(h, 3), "after reseed (double)");
    }

    // ------------------------------------------------------------------ the fill path (n >= 16)

    /// <summary>randn(16) of the uniforms that start after <paramref name="skip"/> draws.</summary>
    private static float[] Block16After(ulong seed, int skip)
    {
        var g = new TorchGenerator(seed);
        g.Rand(new float[skip]);
        return RandnFloat(g, 16);
    }

    private static double[] Block16DoubleAfter(ulong seed, int skip)
    {
        var g = new TorchGenerator(seed);
        g.Rand(new double[skip]);
        return RandnDouble(g, 16);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(20)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(100)]
    public void FillPathIsBlocksOf16PlusARedrawnTail_Float(int n)
    {
        const ulong seed = 31337;
        float[] values = RandnFloat(new TorchGenerator(seed), n);
        int full = n - n % 16;
        // Whole blocks: block b is FILL16 of uniforms b .. b+15, i.e. randn(16) after b draws.
        for (int b = 0; b + 16 <= full; b += 16)
        {
            int keep = Math.Min(16, n % 16 == 0 ? 16 : n - 16 - b);   // the tail overwrites from n - 16 on
            if (keep > 0)
            {
                AssertSameBits(Block16After(seed, b).AsSpan(0, keep), values.AsSpan(b, keep), $"n={n} block {b}");
            }
        }
        if (n % 16 != 0)
        {
            // The tail: 16 new uniforms (draws n .. n+15) transformed into values[n-16 .. n).
            AssertSameBits(Block16After(seed, n), values.AsSpan(n - 16), $"n={n} tail");
            // And the prefix that survives equals the prefix of the multiple-of-16 call.
            AssertSameBits(RandnFloat(new TorchGenerator(seed), full).AsSpan(0, n - 16), values.AsSpan(0, n - 16), $"n={n} prefix");
        }
        else if (n > 16)
        {
            AssertSameBits(RandnFloat(new TorchGenerator(seed), 16), values.AsSpan(0, 16), $"n={n} first block");
        }
    }

    [Theory]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(100)]
    public void FillPathIsBlocksOf16PlusARedrawnTail_Double(int n)
    {
        const ulong seed = 4242;
        double[] values = RandnDouble(new TorchGenerator(seed), n);
        int full = n - n % 16;
        for (int b = 0; b + 16 <= full; b += 16)
        {
            int keep = Math.Min(16, n % 16 == 0 ? 16 : n - 16 - b);
            if (keep > 0)
            {
                AssertSameBits(Block16DoubleAfter(seed, b).AsSpan(0, keep), values.AsSpan(b, keep), $"n={n} block {b}");
            }
        }
        if (n % 16 != 0)
        {
            AssertSameBits(Block16DoubleAfter(seed, n), values.AsSpan(n - 16), $"n={n} tail");
        }
    }

    [Fact]
    public void FillPathFirstFourOfTwentyEqualFirstFourOfSixteen()
    {
        AssertSameBits(RandnFloat(new TorchGenerator(7), 16).AsSpan(0, 4), RandnFloat(new TorchGenerator(7), 20).AsSpan(0, 4), "n=20 vs n=16");
    }

    /// <summary>
    /// The float fill path against a plain double-precision Box–Muller of the same uniforms (from the scalar
    /// reference engine, with the same block and tail layout): Cephes in float is within a few ulps.
    /// </summary>
    [Theory]
    [InlineData(16)]
    [InlineData(37)]
    [InlineData(1000)]
    [InlineData(4099)]
    public void FillPathIsCloseToDoubleBoxMullerOfTheSameUniforms(int n)
    {
        float[] values = RandnFloat(new TorchGenerator(8), n);
        var reference = new ScalarMt(8);
        var u = new double[n];
        for (int i = 0; i < n; i++)
        {
            u[i] = reference.NextFloat();
        }
        var expected = new double[n];
        void Block(int start)
        {
            for (int k = 0; k < 8; k++)
            {
                double r = Math.Sqrt(-2 * Math.Log(1 - u[start + k]));
                double t = 2 * Math.PI * u[start + k + 8];
                expected[start + k] = r * Math.Cos(t);
                expected[start + k + 8] = r * Math.Sin(t);
            }
        }
        for (int b = 0; b + 16 <= n; b += 16)
        {
            Block(b);
        }
        if (n % 16 != 0)
        {
            for (int i = n - 16; i < n; i++)
            {
                u[i] = reference.NextFloat();
            }
            Block(n - 16);
        }
        for (int i = 0; i < n; i++)
        {
            Assert.True(Math.Abs(expected[i] - values[i]) <= 2e-6 * (1 + Math.Abs(expected[i])), $"element {i}: {values[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void VectorAndScalarFill16AgreeOnEveryFloatUniform()
    {
        if (!BoxMuller.VectorFill16)
        {
            return;   // nothing to compare: the scalar block is the one in use
        }
        // Every float32 uniform k * 2^-24 appears once as a radius lane and once as an angle lane.
        var a = new float[16];
        var b = new float[16];
        const int count = 1 << 24;
        for (int start = 0; start < count; start += 8)
        {
            for (int k = 0; k < 8; k++)
            {
                a[k] = (start + k) * (1f / 16777216f);
                a[k + 8] = (count - 1 - start - k) * (1f / 16777216f);
            }
            a.CopyTo(b, 0);
            BoxMuller.Fill16Vector(ref a[0]);
            BoxMuller.Fill16Scalar(ref b[0]);
            for (int k = 0; k < 16; k++)
            {
                if (Bits(a[k]) != Bits(b[k]))
                {
                    Assert.Fail($"start {start} lane {k}: vector {a[k]:R}, scalar {b[k]:R}");
                }
            }
        }
    }

    // ------------------------------------------------------------------ the small path in double

    [Fact]
    public void SmallPathIsDoubleBoxMullerOfTwoUniforms()
    {
        var g = new TorchGenerator(123);
        var reference = new ScalarMt(123);
        double[] values = RandnDouble(g, 14);
        for (int i = 0; i < 14; i += 2)
        {
            double u1 = reference.NextDouble();
            double u2 = reference.NextDouble();
            double r = Math.Sqrt(-2 * Math.Log(1 - u2));
            Assert.Equal(r * Math.Cos(2 * Math.PI * u1), values[i], 1e-15);
            Assert.Equal(r * Math.Sin(2 * Math.PI * u1), values[i + 1], 1e-15);
        }
    }

    [Fact]
    public void ManagedLog1PIsLogOfTheExactDifferenceForUniforms()
    {
        var reference = new ScalarMt(1);
        for (int i = 0; i < 100_000; i++)
        {
            double u = reference.NextDouble();
            Assert.Equal(Bits(Math.Log(1 - u)), Bits(BoxMuller.ManagedLog1P(-u)));
        }
        Assert.Equal(1e-300, BoxMuller.ManagedLog1P(1e-300));
        Assert.Equal(Math.Log(1.5), BoxMuller.ManagedLog1P(0.5), 15);
    }

    [Fact]
    public void Log1PResolvesTheCLibraryOnLinux()
    {
        if (OperatingSystem.IsLinux())
        {
            Assert.True(BoxMuller.NativeLog1P.Available);
            Assert.Equal(Math.Log(1.5), BoxMuller.Log1P(0.5), 15);
        }
    }

    // ------------------------------------------------------------------ randint

    [Theory]
    [InlineData(5L, 5L)]
    [InlineData(7L, -3L)]
    [InlineData(long.MaxValue, long.MinValue)]
    public void RandIntRejectsEmptyRange(long low, long high)
    {
        var g = new TorchGenerator(0);
        ArgumentException e = Assert.Throws<ArgumentException>(() => g.RandInt(low, high, new long[3]));
        Assert.Equal("high", e.ParamName);
        Assert.Contains($"low ({low})", e.Message);
        Assert.Contains($"high ({high})", e.Message);
        Assert.Throws<ArgumentException>(() => g.RandInt(low, high, Span<long>.Empty));
        Assert.Equal(new ScalarMt(0).Next(), g.NextUInt32());   // nothing consumed
    }

    [Theory]
    [InlineData(0L, 100L)]
    [InlineData(-5L, 5L)]
    [InlineData(0L, 1L << 32)]                     // range 2^32: 64-bit draws
    [InlineData(10L, (1L << 32) + 9)]              // range 2^32 - 1: 32-bit draws
    [InlineData(long.MinValue, long.MaxValue)]     // range 2^64 - 1
    [InlineData(-1L << 40, 1L << 40)]
    public void RandIntMatchesReferenceArithmetic(long low, long high)
    {
        var g = new TorchGenerator(2);
        var reference = new ScalarMt(2);
        var values = new long[500];
        g.RandInt(low, high, values);
        ulong range = unchecked((ulong)high - (ulong)low);
        foreach (long v in values)
        {
            ulong draw = range >= 1UL << 32 ? reference.Next64() : reference.Next();
            Assert.Equal(unchecked((long)(draw % range + (ulong)low)), v);
            Assert.InRange(v, low, high - 1);
        }
    }

    // ------------------------------------------------------------------ allocation

    [Fact]
    public void CallsDoNotAllocate()
    {
        var g = new TorchGenerator(1);
        var f = new float[1000];
        var d = new double[1000];
        var l = new long[100];
        void Round()
        {
            g.Rand(f);
            g.Rand(d.AsSpan(0, 333));
            g.Randn(f.AsSpan(0, 5));
            g.Randn(f.AsSpan(0, 37));
            g.Randn(f);
            g.Randn(d.AsSpan(0, 7));
            g.Randn(d.AsSpan(0, 50));
            g.RandInt(-4, 9, l);
            g.RandInt(0, 1L << 40, l);
            g.NextUInt32();
            g.NextUInt64();
            g.ManualSeed(3);
        }
        SteadyState.AssertNoAllocation(Round, rounds: 200, warmUpRounds: 10);
    }
}
