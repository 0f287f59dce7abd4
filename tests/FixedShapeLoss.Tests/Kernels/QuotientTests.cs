using System;
using System.Collections.Generic;
using Xunit;

namespace FixedShapeLoss.Tests.Kernels;

/// <summary><see cref="KernelMath.Quotient(double, double)"/>, which the generated Mean of the plain loss returns: the
/// bits of <c>total / denominator</c> for every total (random bit patterns: normal, subnormal, zero, infinite, NaN)
/// over every power of two from 2^-1074 to 2^1023 (subnormal ones included, whose reciprocal would overflow), their
/// neighbours, negative and non-finite denominators and random ones; the same for float.</summary>
public class QuotientTests
{
    [Fact]
    public void Double_IsTheDivisionBitForBit()
    {
        var random = new Random(5);
        var denominators = new List<double> { 0, -0d, double.PositiveInfinity, double.NegativeInfinity, double.NaN, double.Epsilon, double.MaxValue, 3, 7, 28, 1e-310 };
        for (int e = -1074; e <= 1023; e++)
        {
            double power = Math.ScaleB(1, e);
            denominators.AddRange(new[] { power, -power, Math.BitIncrement(power), Math.BitDecrement(power) });
        }

        for (int k = 0; k < 2000; k++)
        {
            denominators.Add(BitConverter.Int64BitsToDouble(random.NextInt64()));
        }

        var totals = new List<double> { 0, -0d, 1, -1, double.Epsilon, double.MaxValue, double.PositiveInfinity, double.NaN, 1e-300, 4.5 };
        for (int k = 0; k < 300; k++)
        {
            totals.Add(BitConverter.Int64BitsToDouble(random.NextInt64()));
        }

        foreach (double total in totals)
        {
            foreach (double denominator in denominators)
            {
                double expected = total / denominator, actual = KernelMath.Quotient(total, denominator);
                Assert.True(
                    BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual) || (double.IsNaN(expected) && double.IsNaN(actual)),
                    $"{total:R} / {denominator:R}: {expected:R}, got {actual:R}");
            }
        }
    }

    [Fact]
    public void Float_IsTheDivisionBitForBit()
    {
        var random = new Random(6);
        var denominators = new List<float> { 0, -0f, float.PositiveInfinity, float.NaN, float.Epsilon, float.MaxValue, 3, 7, 28, 1e-40f };
        for (int e = -149; e <= 127; e++)
        {
            float power = MathF.ScaleB(1, e);
            denominators.AddRange(new[] { power, -power, MathF.BitIncrement(power), MathF.BitDecrement(power) });
        }

        for (int k = 0; k < 2000; k++)
        {
            denominators.Add(BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31)));
        }

        var totals = new List<float> { 0, -0f, 1, -1, float.Epsilon, float.MaxValue, float.PositiveInfinity, float.NaN, 1e-38f, 4.5f };
        for (int k = 0; k < 300; k++)
        {
            totals.Add(BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31)));
        }

        foreach (float total in totals)
        {
            foreach (float denominator in denominators)
            {
                float expected = total / denominator, actual = KernelMath.Quotient(total, denominator);
                Assert.True(
                    BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual) || (float.IsNaN(expected) && float.IsNaN(actual)),
                    $"{total:R} / {denominator:R}: {expected:R}, got {actual:R}");
            }
        }
    }
}
