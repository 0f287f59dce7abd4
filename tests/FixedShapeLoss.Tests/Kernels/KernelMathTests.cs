using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace FixedShapeLoss.Tests;

/// <summary>
/// <see cref="KernelMath"/>: exp accuracy against the correctly rounded <c>(float)Math.Exp((double)x)</c>, special
/// values, agreement of the scalar/128/256/512-bit exp, and every span method against a plain double-precision
/// loop for lengths 0..70, 1000 and 4099 (which exercises every vector width, the overlapping/masked tails and
/// the scalar path), including in-place use and writes past the end.
/// </summary>
public sealed class KernelMathTests
{
    private const float SmallestNormal = 1.17549435e-38f;

    private static readonly int[] s_lengths = Enumerable.Range(0, 71).Concat(new[] { 127, 128, 129, 1000, 4099 }).ToArray();

    private readonly ITestOutputHelper _output;

    public KernelMathTests(ITestOutputHelper output) => _output = output;

    // ------------------------------------------------------------------ exp accuracy

    /// <summary>Distance in representable floats between two non-negative floats (or +inf).</summary>
    private static long UlpDistance(float a, float b) =>
        Math.Abs((long)BitConverter.SingleToInt32Bits(a) - BitConverter.SingleToInt32Bits(b));

    private static float CorrectlyRounded(float x) => (float)Math.Exp(x);

    [Fact]
    public void Exp_IsWithinOneUlpOfCorrectlyRounded()
    {
        var inputs = new List<float>(3_500_000);
        var random = new Random(20240917);
        for (int i = 0; i < 1_200_000; i++)
        {
            inputs.Add((float)(random.NextDouble() * (88.7 + 87.3) - 87.3)); // the whole normal-result range
        }

        for (int i = 0; i < 300_000; i++)
        {
            inputs.Add((float)(random.NextDouble() * 2.0 - 1.0)); // around the reduction's n = 0 .. +-1
        }

        // Every 997th float of [-104, 89] (both signs, all magnitudes down to the subnormal inputs).
        for (uint bits = 0; bits <= (uint)BitConverter.SingleToInt32Bits(89f); bits += 997)
        {
            inputs.Add(BitConverter.UInt32BitsToSingle(bits));
        }

        for (uint bits = 0x80000000u; bits <= (uint)BitConverter.SingleToInt32Bits(-104f); bits += 997)
        {
            inputs.Add(BitConverter.UInt32BitsToSingle(bits));
        }

        float[] x = inputs.ToArray();
        float[] y = (float[])x.Clone();
        KernelMath.Exp(y);

        long maxNormal = 0, maxSubnormal = 0, normalCount = 0, notCorrectlyRounded = 0, subnormalCount = 0;
        float worst = 0f;
        for (int i = 0; i < x.Length; i++)
        {
            float expected = CorrectlyRounded(x[i]);
            Assert.Equal(BitConverter.SingleToInt32Bits(y[i]), BitConverter.SingleToInt32Bits(KernelMath.Exp(x[i])));
            long ulps = UlpDistance(y[i], expected);
            if (expected >= SmallestNormal && !float.IsInfinity(expected))
            {
                normalCount++;
                if (ulps != 0)
                {
                    notCorrectlyRounded++;
                }

                if (ulps > maxNormal)
                {
                    maxNormal = ulps;
                    worst = x[i];
                }
            }
            else if (expected < SmallestNormal)
            {
                subnormalCount++;
                maxSubnormal = Math.Max(maxSubnormal, ulps);
            }
            else
            {
                Assert.True(ulps <= 1, $"exp({x[i]:R}) = {y[i]:R}, expected {expected:R} (overflow boundary)");
            }
        }

        _output.WriteLine(
            $"exp: {normalCount} normal results, max {maxNormal} ulp (at x = {worst:R}), {notCorrectlyRounded} " +
            $"({100.0 * notCorrectlyRounded / normalCount:F3}%) not correctly rounded; {subnormalCount} subnormal results, " +
            $"max {maxSubnormal} ulp. FMA: {Fma.IsSupported}, AVX-512F: {Avx512F.IsSupported}.");
        Assert.True(normalCount > 1_000_000);
        Assert.True(maxNormal <= 1, $"max error {maxNormal} ulp at x = {worst:R}");
        Assert.True(maxSubnormal <= 1, $"max subnormal error {maxSubnormal} ulp");
    }

    [Theory]
    [InlineData(0f, 1f)]
    [InlineData(1f, 2.71828183f)]
    [InlineData(-1f, 0.367879441f)]
    [InlineData(float.PositiveInfinity, float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity, 0f)]
    [InlineData(float.MaxValue, float.PositiveInfinity)]
    [InlineData(float.MinValue, 0f)]
    [InlineData(88.8f, float.PositiveInfinity)]
    [InlineData(88.72284f, float.PositiveInfinity)] // first float above ln(float.MaxValue) = 88.7228391
    [InlineData(88.72283f, 3.40279e38f)]          // last float below it: finite
    [InlineData(89f, float.PositiveInfinity)]
    [InlineData(1000f, float.PositiveInfinity)]
    [InlineData(-103.98f, 0f)]
    [InlineData(-104f, 0f)]
    [InlineData(-200f, 0f)]
    [InlineData(-103.9720f, 1.4012985e-45f)] // exp is just above half the smallest subnormal: rounds up to it
    [InlineData(1e-30f, 1f)]
    [InlineData(-1e-30f, 1f)]
    [InlineData(1.4e-45f, 1f)]
    public void Exp_SpecialAndBoundaryValues(float x, float expected)
    {
        float actual = KernelMath.Exp(x);
        if (float.IsInfinity(expected) || expected == 0f || expected == 1f || expected == 1.4012985e-45f)
        {
            Assert.Equal(expected, actual);
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(actual)); // +0, not -0
        }
        else
        {
            Assert.True(UlpDistance(actual, CorrectlyRounded(x)) <= 1, $"exp({x:R}) = {actual:R}");
            Assert.Equal(expected, actual, expected * 1e-5f);
        }

        Assert.Equal(BitConverter.SingleToInt32Bits(actual), BitConverter.SingleToInt32Bits(KernelMath.Exp(Vector128.Create(x)).GetElement(1)));
        Assert.Equal(BitConverter.SingleToInt32Bits(actual), BitConverter.SingleToInt32Bits(KernelMath.Exp(Vector256.Create(x)).GetElement(6)));
        Assert.Equal(BitConverter.SingleToInt32Bits(actual), BitConverter.SingleToInt32Bits(KernelMath.Exp(Vector512.Create(x)).GetElement(13)));
    }

    [Fact]
    public void Exp_NegativeZeroGivesOne() => Assert.Equal(1f, KernelMath.Exp(-0f));

    [Fact]
    public void Exp_NaNGivesNaN()
    {
        float[] nans = { float.NaN, -float.NaN, BitConverter.Int32BitsToSingle(0x7F800001), BitConverter.Int32BitsToSingle(0x7FC12345), BitConverter.Int32BitsToSingle(unchecked((int)0xFFFFFFFF)) };
        foreach (float nan in nans)
        {
            Assert.True(float.IsNaN(KernelMath.Exp(nan)));
            Assert.True(float.IsNaN(KernelMath.Exp(Vector128.Create(nan)).GetElement(0)));
            Assert.True(float.IsNaN(KernelMath.Exp(Vector256.Create(nan)).GetElement(0)));
            Assert.True(float.IsNaN(KernelMath.Exp(Vector512.Create(nan)).GetElement(0)));
            float[] span = { 0f, nan, 1f, 2f, 3f, 4f, 5f, 6f, 7f };
            KernelMath.Exp(span);
            Assert.True(float.IsNaN(span[1]));
            Assert.Equal(1f, span[0]);
        }
    }

    [Fact]
    public void Exp_SubnormalResultsAreWithinOneUlpOfCorrectlyRounded()
    {
        // Policy: results below float.MinNormal are p * 2^n rounded once, i.e. within 1 ulp (of the subnormal
        // spacing 2^-149) of the correctly rounded subnormal, down to exact 0 below about -103.972.
        long maxUlps = 0;
        for (float x = -87.5f; x >= -104.5f; x = MathF.BitDecrement(x))
        {
            float expected = CorrectlyRounded(x);
            float actual = KernelMath.Exp(x);
            maxUlps = Math.Max(maxUlps, UlpDistance(actual, expected));
            Assert.True(UlpDistance(actual, expected) <= 1, $"exp({x:R}) = {actual:R}, expected {expected:R}");
        }

        _output.WriteLine($"subnormal exp max error: {maxUlps} ulp");
    }

    [Fact]
    public void Exp_MonotoneAroundIntegerMultiplesOfLn2()
    {
        // The reduction switches n at (k + 1/2) ln 2; the result must not step backwards there.
        for (int k = -150; k <= 128; k++)
        {
            float c = (float)((k + 0.5) * Math.Log(2));
            float prev = KernelMath.Exp(c);
            float x = c;
            for (int i = 0; i < 64; i++)
            {
                x = MathF.BitIncrement(x);
                float e = KernelMath.Exp(x);
                Assert.True(e >= prev, $"exp not monotone at {x:R}");
                prev = e;
            }
        }
    }

    [Fact]
    public void Exp_AllWidthsAgreeBitForBit()
    {
        var random = new Random(77);
        float[] x = new float[1 << 16];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (i % 4) switch
            {
                0 => (float)(random.NextDouble() * 200.0 - 110.0),
                1 => (float)(random.NextDouble() * 2.0 - 1.0),
                2 => BitConverter.Int32BitsToSingle(random.Next()) * (random.Next(2) == 0 ? 1f : -1f), // any bits, NaN/inf included
                _ => (float)(random.NextDouble() * 20.0 - 10.0),
            };
        }

        for (int i = 0; i + 16 <= x.Length; i += 16)
        {
            Vector512<float> v512 = KernelMath.Exp(Vector512.Create(x.AsSpan(i, 16)));
            Vector256<float> lo256 = KernelMath.Exp(Vector256.Create(x.AsSpan(i, 8)));
            Vector256<float> hi256 = KernelMath.Exp(Vector256.Create(x.AsSpan(i + 8, 8)));
            for (int j = 0; j < 16; j++)
            {
                float s = KernelMath.Exp(x[i + j]);
                float v128 = KernelMath.Exp(Vector128.Create(x.AsSpan(i + (j & ~3), 4))).GetElement(j & 3);
                float v256 = j < 8 ? lo256.GetElement(j) : hi256.GetElement(j - 8);
                AssertSameBits(s, v128, x[i + j]);
                AssertSameBits(s, v256, x[i + j]);
                AssertSameBits(s, v512.GetElement(j), x[i + j]);
            }
        }

        float[] inPlace = (float[])x.Clone();
        KernelMath.Exp(inPlace);
        for (int i = 0; i < x.Length; i++)
        {
            AssertSameBits(KernelMath.Exp(x[i]), inPlace[i], x[i]);
        }
    }

    /// <summary>The softmax's exp (<c>KernelMath.ExpBelowMax</c>: lanes x - max &lt;= 0, no upper clamp, one power of
    /// two without AVX-512) gives the bits of <see cref="KernelMath.Exp(float)"/> at every width: every float in
    /// [-104, -87] (where results turn subnormal and then round to 0), every 211th float of [-104, 0] by bit pattern,
    /// and -0, -inf, far negative values and NaN. Run with AVX-512 on and off (CI) for both of its forms.</summary>
    [Fact]
    public void ExpBelowMax_SameBitsAsExp()
    {
        var xs = new List<float>();
        for (int bits = BitConverter.SingleToInt32Bits(-87f); bits <= BitConverter.SingleToInt32Bits(-104f); bits++)
        {
            xs.Add(BitConverter.Int32BitsToSingle(bits));
        }

        for (long bits = unchecked((int)0x80000000); bits <= BitConverter.SingleToInt32Bits(-104.5f); bits += 211)
        {
            xs.Add(BitConverter.Int32BitsToSingle((int)bits));
        }

        xs.AddRange(new[]
        {
            0f, -0f, -float.Epsilon, -SmallestNormal, -0.34657359f, -0.5f, -1f, -87.33655f, -88.72284f, -103.97208f,
            -103.9721f, -104f, -104.00001f, -1e6f, float.MinValue, float.NegativeInfinity, float.NaN,
            BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001)),
        });
        while (xs.Count % 16 != 0)
        {
            xs.Add(-1f);
        }

        float[] x = xs.ToArray();
        for (int i = 0; i < x.Length; i += 16)
        {
            Vector512<float> v512 = KernelMath.ExpBelowMax(Vector512.Create(x.AsSpan(i, 16)));
            Vector256<float> lo256 = KernelMath.ExpBelowMax(Vector256.Create(x.AsSpan(i, 8)));
            Vector256<float> hi256 = KernelMath.ExpBelowMax(Vector256.Create(x.AsSpan(i + 8, 8)));
            for (int j = 0; j < 16; j++)
            {
                float s = KernelMath.Exp(x[i + j]);
                float v128 = KernelMath.ExpBelowMax(Vector128.Create(x.AsSpan(i + (j & ~3), 4))).GetElement(j & 3);
                AssertSameBits(s, v128, x[i + j]);
                AssertSameBits(s, j < 8 ? lo256.GetElement(j) : hi256.GetElement(j - 8), x[i + j]);
                AssertSameBits(s, v512.GetElement(j), x[i + j]);
            }
        }
    }

    /// <summary>The loss's sum-only exp (<c>KernelMath.ExpBelowMaxInSum</c>: with AVX-512 the table form without the clamp
    /// at -104, one operation fewer) gives <c>ExpBelowMax</c>'s bits from -104 to 0 (every float of [-104, -87], every
    /// 211th of [-104, 0]), and below -104 (every 997th float down to -inf, and -inf) only +0, -0 or a non-finite value:
    /// so a finite sum of its lanes has the clamped exp's bits (x + -0 = x), and the callers take the clamped pass again
    /// for a sum that is not finite. Without AVX-512 it is <c>ExpBelowMax</c> itself.</summary>
    [Fact]
    public void ExpBelowMaxInSum_ClampedBitsAbove_ZeroOrNonFiniteBelow()
    {
        var above = new List<float>();
        for (int bits = BitConverter.SingleToInt32Bits(-87f); bits <= BitConverter.SingleToInt32Bits(-104f); bits++)
        {
            above.Add(BitConverter.Int32BitsToSingle(bits));
        }

        for (long bits = unchecked((int)0x80000000); bits <= BitConverter.SingleToInt32Bits(-104f); bits += 211)
        {
            above.Add(BitConverter.Int32BitsToSingle((int)bits));
        }

        above.AddRange(new[] { 0f, -0f, -104f, float.NaN });
        var below = new List<float> { float.NegativeInfinity, float.MinValue, -104.00001f };
        for (uint bits = 0xC2D00001u; bits < 0xFF800000u; bits += 997)
        {
            below.Add(BitConverter.UInt32BitsToSingle(bits));
        }

        var v = new float[16];
        foreach (var (values, isAbove) in new[] { (above, true), (below, false) })
        {
            for (int i = 0; i < values.Count; i += 16)
            {
                for (int j = 0; j < 16; j++)
                {
                    v[j] = values[Math.Min(i + j, values.Count - 1)];
                }

                Vector512<float> inSum = KernelMath.ExpBelowMaxInSum(Vector512.Create(v));
                Vector512<float> clamped = KernelMath.ExpBelowMax(Vector512.Create(v));
                for (int j = 0; j < 16; j++)
                {
                    float y = inSum.GetElement(j);
                    if (isAbove)
                    {
                        AssertSameBits(clamped.GetElement(j), y, v[j]);
                    }
                    else
                    {
                        Assert.True(y == 0f || !float.IsFinite(y), $"exp({v[j]:R}) in a sum: {y:R}, expected +-0 or not finite");
                    }
                }
            }
        }
    }

    /// <summary>The row helpers' long-row path takes the softmax's exp (<c>ExpBelowMax</c>); it must give the bits of the
    /// public span helpers built on the full exp: <see cref="KernelMath.RowLogSumExp(ReadOnlySpan{float}, int, int, out float)"/>
    /// = log(<see cref="KernelMath.SumExp"/>(row, <see cref="KernelMath.Max"/>(row))) and
    /// <see cref="KernelMath.RowSoftmax(ReadOnlySpan{float}, int, int, float, Span{float}, out float)"/> = <see cref="KernelMath.ExpShifted"/>
    /// then <see cref="KernelMath.Multiply"/>, for rows longer than one 512-bit vector (shorter rows take one register
    /// and add in another order), with values whose exps are subnormal or 0 (-90, -200, -inf) among them.</summary>
    [Fact]
    public void LongRows_SameBitsAsTheFullExpSpanHelpers()
    {
        var random = new Random(5);
        foreach (int n in s_lengths.Where(n => n > 16))
        {
            for (int trial = 0; trial < 4; trial++)
            {
                float[] row = RandomData(random, n, 20.0, -5.0);
                for (int k = 0; k < n / 7; k++)
                {
                    row[random.Next(n)] = (k % 3) switch { 0 => float.NegativeInfinity, 1 => -200f, _ => row[random.Next(n)] - 90f };
                }

                float logSum = KernelMath.RowLogSumExp(row, 0, n, out float max);
                Assert.Equal(BitConverter.SingleToInt32Bits(KernelMath.Max(row)), BitConverter.SingleToInt32Bits(max));
                float expected = MathF.Log(KernelMath.SumExp(row, max));
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(logSum), $"n = {n}: RowLogSumExp {logSum:R}, log SumExp {expected:R}");

                var softmax = new float[n];
                float softLogSum = KernelMath.RowSoftmax(row, 0, n, 0.25f, softmax, out _);
                var reference = new float[n];
                float s = KernelMath.ExpShifted(row, max, reference);
                KernelMath.Multiply(reference, 0.25f / s, reference);
                Assert.Equal(BitConverter.SingleToInt32Bits(MathF.Log(s)), BitConverter.SingleToInt32Bits(softLogSum));
                for (int j = 0; j < n; j++)
                {
                    Assert.True(BitConverter.SingleToInt32Bits(reference[j]) == BitConverter.SingleToInt32Bits(softmax[j]), $"n = {n}, [{j}] = {row[j]:R}: {softmax[j]:R}, expected {reference[j]:R}");
                }
            }
        }
    }

    /// <summary>The whole-matrix cross-entropy on rows the row helpers take with the span loops (more than 16 classes,
    /// or more than 8 without AVX-512, on the row path) reads each row's maximum in the previous row's exp pass; the loss
    /// and gradient must keep the bits of the row helpers called row by row (<see cref="KernelMath.RowLogSumExp(ReadOnlySpan{float}, int, int, out float)"/>,
    /// <see cref="KernelMath.RowSoftmax(ReadOnlySpan{float}, int, int, float, Span{float}, out float)"/>, the row losses
    /// added in double), out of place and in place. Generated: 1 to 12 rows of 9 to 300 classes, ignored rows anywhere
    /// (first, last, consecutive), values with NaN, +-inf, -200, 1e30 and -1e30 among them. Compared where the row path
    /// is the one taken (more than 16 classes, or no AVX2).</summary>
    [Fact]
    public void LongRows_WholeMatrix_SameBitsAsTheRowHelpers()
    {
        // Half the samples keep every sum and loss finite (no NaN, +inf or +1e30 to be a row's maximum, no special value at a
        // target), so that the one float compared still carries every row's bits.
        var gen =
            from batch in Gen.Int[1, 12]
            from classes in Gen.Int[9, 300].Where(c => c > 16 || !Avx2.IsSupported)
            from finite in Gen.Bool
            from logits in (finite ? FiniteLossValues() : LongRowValues()).Array[batch * classes]
            from targets in Gen.Int[-1, classes - 1].Array[batch] // -1: ignored
            select (batch, classes, finite, logits, targets);
        gen.Sample(sample =>
        {
            var (batch, classes, finite, logits, targets) = sample;
            for (int i = 0; finite && i < batch; i++)
            {
                if (targets[i] >= 0 && !(Math.Abs(logits[i * classes + targets[i]]) <= 30f))
                {
                    logits[i * classes + targets[i]] = 1f;
                }
            }

            const float scale = 0.375f;
            double expectedSum = 0;
            var expectedGradient = new float[logits.Length];
            for (int i = 0; i < batch; i++)
            {
                if (targets[i] == -1)
                {
                    continue;
                }

                float xt = logits[i * classes + targets[i]];
                float logSum = KernelMath.RowLogSumExp(logits, i * classes, classes, out float max);
                expectedSum += logSum - (xt - max);
                KernelMath.RowSoftmax(logits, i * classes, classes, scale, expectedGradient, out _);
                expectedGradient[i * classes + targets[i]] -= scale;
            }

            float expected = (float)expectedSum;
            AssertSameLoss(expected, KernelMath.CrossEntropySum(logits, targets, classes, -1), "forward");
            var gradient = new float[logits.Length];
            AssertSameLoss(expected, KernelMath.CrossEntropyBackward(logits, targets, classes, -1, scale, gradient), "backward");
            var inPlace = (float[])logits.Clone();
            AssertSameLoss(expected, KernelMath.CrossEntropyBackward(inPlace, targets, classes, -1, scale, inPlace), "backward in place");
            for (int k = 0; k < logits.Length; k++)
            {
                AssertSameLoss(expectedGradient[k], gradient[k], $"gradient[{k}]");
                AssertSameLoss(expectedGradient[k], inPlace[k], $"gradient in place [{k}]");
            }
        });

        static void AssertSameLoss(float expected, float actual, string what) =>
            Assert.True(
                float.IsNaN(expected) ? float.IsNaN(actual) : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                $"{what}: {actual:R}, row by row {expected:R}");
    }

    /// <summary>The whole-matrix softmax and log-softmax (<see cref="KernelMath.SoftmaxRows(ReadOnlySpan{float}, int, Span{float})"/>,
    /// <see cref="KernelMath.LogSoftmaxRows(ReadOnlySpan{float}, int, Span{float})"/>, what the generated members call)
    /// keep the bits of the row helpers called row by row, out of place and in place, on rows of any length: the long
    /// ones read each row's maximum in the previous row's exp pass. Generated as in
    /// <see cref="LongRows_WholeMatrix_SameBitsAsTheRowHelpers"/> (1 to 300 classes).</summary>
    [Fact]
    public void LongRows_SoftmaxRows_SameBitsAsTheRowHelpers()
    {
        var value = LongRowValues();
        var gen =
            from batch in Gen.Int[1, 12]
            from classes in Gen.Int[1, 300]
            from logits in value.Array[batch * classes]
            select (batch, classes, logits);
        gen.Sample(sample =>
        {
            var (batch, classes, logits) = sample;
            var softmax = new float[logits.Length];
            var logSoftmax = new float[logits.Length];
            for (int i = 0; i < batch; i++)
            {
                KernelMath.RowSoftmax(logits, i * classes, classes, 1f, softmax, out _);
                KernelMath.RowLogSoftmax(logits, i * classes, classes, logSoftmax);
            }

            var actual = new float[logits.Length];
            KernelMath.SoftmaxRows(logits, classes, actual);
            AssertSameElements(softmax, actual, "softmax");
            actual = (float[])logits.Clone();
            KernelMath.SoftmaxRows(actual, classes, actual);
            AssertSameElements(softmax, actual, "softmax in place");
            actual = new float[logits.Length];
            KernelMath.LogSoftmaxRows(logits, classes, actual);
            AssertSameElements(logSoftmax, actual, "log-softmax");
            actual = (float[])logits.Clone();
            KernelMath.LogSoftmaxRows(actual, classes, actual);
            AssertSameElements(logSoftmax, actual, "log-softmax in place");
        });

        static void AssertSameElements(float[] expected, float[] actual, string what)
        {
            for (int k = 0; k < expected.Length; k++)
            {
                Assert.True(
                    float.IsNaN(expected[k]) ? float.IsNaN(actual[k]) : BitConverter.SingleToInt32Bits(expected[k]) == BitConverter.SingleToInt32Bits(actual[k]),
                    $"{what} [{k}]: {actual[k]:R}, row by row {expected[k]:R}");
            }
        }
    }

    /// <summary>Logits for the long-row tests: mostly in [-30, 30], one in 7 NaN, +-inf, +-1e30, -3e38, or a value whose
    /// exp is 0 but which the loss's sum-only exp (no clamp at -104, <c>KernelMath.ExpBelowMaxInSum</c>) takes in another
    /// way: just below -104 from the row's maximum, -200, or from -3e7 on, where its reduced argument is no longer small
    /// and its result can be -0.</summary>
    /// <summary>Logits that keep a row's maximum finite and moderate: mostly in [-30, 30], one in 7 -inf, -1e30, -3e38, or a
    /// value whose exp is 0 but which the sum-only exp takes in another way (see <see cref="LongRowValues"/>).</summary>
    private static Gen<float> FiniteLossValues() =>
        Gen.Frequency(
            (12, Gen.Float[-30f, 30f]),
            (2, Gen.OneOfConst(float.NegativeInfinity, -1e30f, -3e38f, -110f, -140f, -200f, -3e7f, -1e8f, -7.5e9f)));

    private static Gen<float> LongRowValues() =>
        Gen.Frequency(
            (12, Gen.Float[-30f, 30f]),
            (2, Gen.OneOfConst(float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e30f, -1e30f, -3e38f,
                -110f, -140f, -200f, -3e7f, -1e8f, -7.5e9f)));

    private static void AssertSameBits(float expected, float actual, float input)
    {
        if (float.IsNaN(expected))
        {
            Assert.True(float.IsNaN(actual), $"exp({input:R}): expected NaN, got {actual:R}");
            return;
        }

        Assert.True(
            BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
            $"exp({input:R}): scalar {expected:R} but vector {actual:R}");
    }

    // ------------------------------------------------------------------ span methods

    private static float[] RandomData(Random random, int n, double scale, double offset = 0.0)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (float)((random.NextDouble() * 2.0 - 1.0) * scale + offset);
        }

        return x;
    }

    // Sum bound: float accumulation in many partial sums; relative to sum |x_i| (honest for mixed signs).
    private static double SumTolerance(int n, double sumAbs) => 1e-6 * Math.Sqrt(n + 1) * sumAbs + 1e-30;

    [Fact]
    public void Max_MatchesReference()
    {
        var random = new Random(1);
        foreach (int n in s_lengths.Where(n => n > 0))
        {
            for (int trial = 0; trial < 4; trial++)
            {
                float[] x = RandomData(random, n, 50.0);
                int at = random.Next(n);
                if (trial == 1)
                {
                    x[at] = 1000f; // a single peak anywhere, including the tail
                }
                else if (trial == 2)
                {
                    for (int i = 0; i < n; i++)
                    {
                        x[i] = -x[i] - 100f; // all negative
                    }
                }

                Assert.Equal(x.Max(), KernelMath.Max(x));
                Assert.Equal(x.Skip(1).DefaultIfEmpty(float.NegativeInfinity).Max(), KernelMath.Max(x.AsSpan(1)));
            }
        }

        Assert.Equal(float.NegativeInfinity, KernelMath.Max(ReadOnlySpan<float>.Empty));
    }

    [Fact]
    public void Max_NaNAndInfinities()
    {
        var random = new Random(2);
        foreach (int n in s_lengths.Where(n => n > 0))
        {
            for (int at = 0; at < n; at += Math.Max(1, n / 9))
            {
                float[] x = RandomData(random, n, 10.0);
                x[at] = float.NaN;
                Assert.True(float.IsNaN(KernelMath.Max(x)), $"n = {n}, NaN at {at}");
                x[at] = float.PositiveInfinity;
                Assert.Equal(float.PositiveInfinity, KernelMath.Max(x));
                x[(at + 1) % n] = float.NaN;
                Assert.True(float.IsNaN(KernelMath.Max(x)), $"n = {n}: NaN beside +inf");
            }

            float[] allNegInf = Enumerable.Repeat(float.NegativeInfinity, n).ToArray();
            Assert.Equal(float.NegativeInfinity, KernelMath.Max(allNegInf));
            allNegInf[n - 1] = -3f;
            Assert.Equal(-3f, KernelMath.Max(allNegInf));
        }
    }

    [Fact]
    public void Sum_MatchesDoubleReference()
    {
        var random = new Random(3);
        foreach (int n in s_lengths)
        {
            for (int trial = 0; trial < 3; trial++)
            {
                float[] x = RandomData(random, n, trial == 0 ? 1.0 : 1e3, trial == 2 ? 5e2 : 0.0);
                double reference = 0, sumAbs = 0;
                foreach (float v in x)
                {
                    reference += v;
                    sumAbs += Math.Abs(v);
                }

                float actual = KernelMath.Sum(x);
                Assert.True(Math.Abs(actual - reference) <= SumTolerance(n, sumAbs), $"n = {n}: {actual:R} vs {reference:R}");
            }
        }

        Assert.Equal(0f, KernelMath.Sum(ReadOnlySpan<float>.Empty));
        Assert.Equal(6f, KernelMath.Sum(new float[] { 1f, 2f, 3f }));
        Assert.True(float.IsNaN(KernelMath.Sum(Enumerable.Repeat(1f, 37).Append(float.NaN).ToArray())));
    }

    [Fact]
    public void Dot_MatchesDoubleReference()
    {
        var random = new Random(4);
        foreach (int n in s_lengths)
        {
            float[] a = RandomData(random, n, 3.0), b = RandomData(random, n, 7.0, 1.0);
            double reference = 0, sumAbs = 0;
            for (int i = 0; i < n; i++)
            {
                reference += (double)a[i] * b[i];
                sumAbs += Math.Abs((double)a[i] * b[i]);
            }

            float actual = KernelMath.Dot(a, b);
            Assert.True(Math.Abs(actual - reference) <= SumTolerance(n, sumAbs), $"n = {n}: {actual:R} vs {reference:R}");
            Assert.Equal(actual, KernelMath.Dot(b, a));
        }

        // A one-hot dot picks one element exactly, whatever the vector width or position.
        foreach (int n in s_lengths.Where(n => n > 0))
        {
            float[] a = RandomData(random, n, 3.0), oneHot = new float[n];
            int t = random.Next(n);
            oneHot[t] = 1f;
            Assert.Equal(a[t], KernelMath.Dot(a, oneHot));
        }
    }

    [Fact]
    public void SumExpAndExpShifted_MatchDoubleReference()
    {
        var random = new Random(5);
        foreach (int n in s_lengths)
        {
            for (int trial = 0; trial < 3; trial++)
            {
                float[] x = RandomData(random, n, trial == 0 ? 3.0 : 40.0, trial == 2 ? -60.0 : 0.0);
                float shift = n == 0 ? 0f : trial == 2 ? 0f : x.Max();
                double reference = 0;
                foreach (float v in x)
                {
                    reference += Math.Exp(v - shift); // the argument is rounded to float first, as specified
                }

                float sumExp = KernelMath.SumExp(x, shift);
                Assert.True(Math.Abs(sumExp - reference) <= SumTolerance(n, reference), $"n = {n}: {sumExp:R} vs {reference:R}");

                float[] destination = Guarded(n, out int offset, out float[] buffer);
                float returned = KernelMath.ExpShifted(x, shift, destination.AsSpan(offset, n));
                CheckGuards(buffer, offset, n);
                Assert.Equal(BitConverter.SingleToInt32Bits(sumExp), BitConverter.SingleToInt32Bits(returned)); // same bits
                double stored = 0;
                for (int i = 0; i < n; i++)
                {
                    Assert.Equal(BitConverter.SingleToInt32Bits(KernelMath.Exp(x[i] - shift)), BitConverter.SingleToInt32Bits(buffer[offset + i]));
                    stored += buffer[offset + i];
                }

                Assert.True(Math.Abs(returned - stored) <= SumTolerance(n, stored));

                // In place: destination is x itself.
                float[] inPlace = (float[])x.Clone();
                float inPlaceSum = KernelMath.ExpShifted(inPlace, shift, inPlace);
                Assert.Equal(BitConverter.SingleToInt32Bits(sumExp), BitConverter.SingleToInt32Bits(inPlaceSum));
                Assert.Equal(buffer.AsSpan(offset, n).ToArray(), inPlace);
            }
        }
    }

    /// <summary>The vector log of the lanes = rows cross-entropy, on the row sums it sees ([1, 16]): every 7th float
    /// and every float within 4096 of the points where the reduction changes n (4/3 times a power of 2), against
    /// Math.Log in double. The measured bound of its documentation: 1.66 ulp, 1.75e-7 absolute.</summary>
    [Fact]
    public void Log256_IsWithinItsDocumentedErrorOnRowSums()
    {
        if (!Fma.IsSupported || !Avx2.IsSupported)
        {
            return; // the lanes = rows paths (the only callers) need AVX2 and FMA
        }

        var bits = new List<int>();
        for (int b = BitConverter.SingleToInt32Bits(1f); b <= BitConverter.SingleToInt32Bits(16f); b += 7)
        {
            bits.Add(b);
        }

        foreach (float edge in new[] { 4f / 3, 8f / 3, 16f / 3, 32f / 3 })
        {
            int e = BitConverter.SingleToInt32Bits(edge);
            for (int b = e - 4096; b <= e + 4096; b++)
            {
                bits.Add(b);
            }
        }

        double maxUlp = 0, maxAbs = 0;
        for (int k = 0; k + 8 <= bits.Count; k += 8)
        {
            var u = Vector256.Create(bits[k], bits[k + 1], bits[k + 2], bits[k + 3], bits[k + 4], bits[k + 5], bits[k + 6], bits[k + 7]).AsSingle();
            var log = KernelMath.Log256(u);
            for (int lane = 0; lane < 8; lane++)
            {
                float x = u.GetElement(lane);
                double exact = Math.Log(x);
                double error = Math.Abs(log.GetElement(lane) - exact);
                float magnitude = (float)Math.Abs(exact);
                maxAbs = Math.Max(maxAbs, error);
                if (magnitude > 0f)
                {
                    maxUlp = Math.Max(maxUlp, error / ((double)MathF.BitIncrement(magnitude) - magnitude));
                }
                else
                {
                    Assert.Equal(0f, log.GetElement(lane)); // log 1 is exactly 0
                }
            }
        }

        _output.WriteLine($"max {maxUlp:F3} ulp, max abs {maxAbs:E3} over {bits.Count} row sums");
        Assert.True(maxUlp <= 1.7, $"{maxUlp} ulp");
        Assert.True(maxAbs <= 1.75e-7, $"{maxAbs} absolute");
        Assert.True(float.IsNaN(KernelMath.Log256(Vector256.Create(float.NaN)).GetElement(0)));
    }

    [Fact]
    public void SumExp_SpecialValues()
    {
        foreach (int n in new[] { 1, 3, 5, 9, 17, 40 })
        {
            float[] x = Enumerable.Range(0, n).Select(i => -(float)i).ToArray();
            x[n / 2] = float.NaN;
            Assert.True(float.IsNaN(KernelMath.SumExp(x, 0f)));
            x[n / 2] = float.NegativeInfinity; // contributes exactly 0
            double reference = x.Sum(v => Math.Exp(v));
            Assert.Equal(reference, KernelMath.SumExp(x, 0f), reference * 1e-6);
            x[n - 1] = float.PositiveInfinity;
            Assert.Equal(float.PositiveInfinity, KernelMath.SumExp(x, 0f));
            Assert.Equal(0f, KernelMath.SumExp(Enumerable.Repeat(-200f, n).ToArray(), 0f));
        }

        Assert.Equal(0f, KernelMath.SumExp(ReadOnlySpan<float>.Empty, 3f));
        Assert.Equal(0f, KernelMath.ExpShifted(ReadOnlySpan<float>.Empty, 3f, Span<float>.Empty));
    }

    [Fact]
    public void ExpSpan_MatchesScalarExpInPlace()
    {
        var random = new Random(6);
        foreach (int n in s_lengths)
        {
            float[] x = RandomData(random, n, 30.0);
            float[] buffer = Guarded(n, out int offset, out float[] whole);
            x.CopyTo(buffer, offset);
            KernelMath.Exp(buffer.AsSpan(offset, n));
            CheckGuards(whole, offset, n);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(KernelMath.Exp(x[i])), BitConverter.SingleToInt32Bits(buffer[offset + i]));
                Assert.True(UlpDistance(buffer[offset + i], CorrectlyRounded(x[i])) <= 1);
            }
        }
    }

    [Fact]
    public void Subtract_Multiply_MultiplyAdd_MatchReference()
    {
        var random = new Random(7);
        foreach (int n in s_lengths)
        {
            float[] x = RandomData(random, n, 100.0);
            float value = (float)(random.NextDouble() * 10.0 - 5.0);

            // Subtract: exact float subtraction, out of place and in place.
            float[] d = Guarded(n, out int offset, out float[] whole);
            KernelMath.Subtract(x, value, d.AsSpan(offset, n));
            CheckGuards(whole, offset, n);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(x[i] - value, d[offset + i]);
            }

            float[] inPlace = (float[])x.Clone();
            KernelMath.Subtract(inPlace, value, inPlace);
            Assert.Equal(d.AsSpan(offset, n).ToArray(), inPlace);

            // Multiply: exact float product, out of place and aliased.
            d = Guarded(n, out offset, out whole);
            KernelMath.Multiply(x, value, d.AsSpan(offset, n));
            CheckGuards(whole, offset, n);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(x[i] * value, d[offset + i]);
            }

            inPlace = (float[])x.Clone();
            KernelMath.Multiply(inPlace, value, inPlace);
            Assert.Equal(d.AsSpan(offset, n).ToArray(), inPlace);

            // MultiplyAdd: one rounding with FMA (else two), against the double reference.
            float[] acc = RandomData(random, n, 50.0);
            d = Guarded(n, out offset, out whole);
            acc.CopyTo(d, offset);
            KernelMath.MultiplyAdd(x, value, d.AsSpan(offset, n));
            CheckGuards(whole, offset, n);
            for (int i = 0; i < n; i++)
            {
                float expected = Fma.IsSupported ? MathF.FusedMultiplyAdd(x[i], value, acc[i]) : x[i] * value + acc[i];
                Assert.Equal(expected, d[offset + i]);
                double reference = (double)x[i] * value + acc[i];
                double tolerance = 1.2e-7 * (Math.Abs((double)x[i] * value) + Math.Abs(acc[i]));
                Assert.True(Math.Abs(d[offset + i] - reference) <= tolerance);
            }

            inPlace = (float[])x.Clone();
            KernelMath.MultiplyAdd(inPlace, value, inPlace); // x += x * value
            for (int i = 0; i < n; i++)
            {
                float expected = Fma.IsSupported ? MathF.FusedMultiplyAdd(x[i], value, x[i]) : x[i] * value + x[i];
                Assert.Equal(expected, inPlace[i]);
            }
        }
    }

    [Fact]
    public void LengthMismatch_Throws()
    {
        float[] x = new float[10];
        Assert.Throws<ArgumentException>(() => KernelMath.Dot(x, new float[9]));
        Assert.Throws<ArgumentException>(() => KernelMath.ExpShifted(x, 0f, new float[9]));
        Assert.Throws<ArgumentException>(() => KernelMath.Subtract(x, 0f, new float[9]));
        Assert.Throws<ArgumentException>(() => KernelMath.Multiply(x, 0f, new float[9]));
        Assert.Throws<ArgumentException>(() => KernelMath.MultiplyAdd(x, 0f, new float[9]));
    }

    [Fact]
    public void SpanMethods_DoNotAllocate()
    {
        var random = new Random(8);
        float[] small = RandomData(random, 7, 5.0), large = RandomData(random, 1000, 5.0);
        float[] d1 = new float[7], d2 = new float[1000];
        float sink = 0f;

        float RunAll()
        {
            float s = 0f;
            foreach ((float[] x, float[] d) in new[] { (small, d1), (large, d2) })
            {
                s += KernelMath.Max(x) + KernelMath.Sum(x) + KernelMath.Dot(x, x) + KernelMath.SumExp(x, 1f);
                s += KernelMath.ExpShifted(x, 1f, d);
                KernelMath.Exp(d);
                KernelMath.Subtract(x, 1f, d);
                KernelMath.Multiply(x, 0.5f, d);
                KernelMath.MultiplyAdd(x, 0.5f, d);
                s += KernelMath.Exp(x[0]) + KernelMath.Exp(Vector128.Create(x[1])).GetElement(0)
                    + KernelMath.Exp(Vector256.Create(x[2])).GetElement(0) + KernelMath.Exp(Vector512.Create(x[3])).GetElement(0);
            }

            return s;
        }

        for (int i = 0; i < 200; i++)
        {
            sink += RunAll(); // warm up (tiering)
        }

        // The tuple array in RunAll allocates; measure the calls alone.
        SteadyState.AssertNoAllocation(() =>
        {
            sink += KernelMath.Max(large) + KernelMath.Sum(large) + KernelMath.Dot(large, large) + KernelMath.SumExp(large, 1f);
            sink += KernelMath.ExpShifted(small, 1f, d1) + KernelMath.ExpShifted(large, 1f, d2);
            KernelMath.Exp(d2);
            KernelMath.Subtract(large, 1f, d2);
            KernelMath.Multiply(small, 0.5f, d1);
            KernelMath.MultiplyAdd(large, 0.5f, d2);
            sink += KernelMath.Exp(small[0]) + KernelMath.Exp(Vector512.Create(small[1])).GetElement(0);
        }, rounds: 2000);
        _output.WriteLine($"checksum {sink}");
    }

    // A destination inside a larger array, at an odd offset, with sentinels around it to catch stray writes.
    private static float[] Guarded(int n, out int offset, out float[] whole)
    {
        offset = 3;
        whole = new float[n + 2 * offset + 16];
        whole.AsSpan().Fill(-12345.5f);
        return whole;
    }

    private static void CheckGuards(float[] whole, int offset, int n)
    {
        for (int i = 0; i < whole.Length; i++)
        {
            if (i < offset || i >= offset + n)
            {
                Assert.Equal(-12345.5f, whole[i]);
            }
        }
    }
}
