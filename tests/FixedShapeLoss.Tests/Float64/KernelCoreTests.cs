using System;
using System.Linq;
using System.Runtime.Intrinsics;
using Xunit;

namespace FixedShapeLoss.Tests.Float64;

/// <summary>The generic float/double core (runtime/Kernels/Generic): the double exp at every width against
/// Math.Exp, and the span helpers at every length from 0 to 70 and a few long ones (every vector width, every
/// partial tail) against plain double loops, with sentinels around the destination and in place.</summary>
public class KernelCoreTests
{
    private static readonly int[] s_lengths = Enumerable.Range(0, 71).Concat(new[] { 127, 128, 129, 1000, 4099 }).ToArray();

    /// <summary>Relative error of the double exp below 4e-16 (under 2 ulp) on 4 * 10^5 random x in [-708, 709] and
    /// at the edges, the same bits at 512, 256, 128 bits and in the one-lane scalar form; exp(-inf) = 0, exp(+inf)
    /// = +inf, NaN stays NaN, and results below the smallest subnormal round to 0.</summary>
    [Fact]
    public void DoubleExp_IsAccurateAndTheSameAtEveryWidth()
    {
        var random = new Random(7);
        var xs = Enumerable.Range(0, 400_000).Select(_ => random.NextDouble() * 1417 - 708)
            .Concat(new[] { 0.0, -0.0, 1e-300, -1e-300, 709.78, -708.39, 1.0, -1.0, 0.5 * Math.Log(2) })
            .ToArray();
        double worst = 0;
        for (int k = 0; k < xs.Length; k += 8)
        {
            var chunk = new double[8];
            Array.Copy(xs, k, chunk, 0, Math.Min(8, xs.Length - k));
            var wide = Widths(chunk);
            for (int j = 0; j < 8 && k + j < xs.Length; j++)
            {
                double exact = Math.Exp(chunk[j]);
                worst = Math.Max(worst, Math.Abs(wide[0][j] - exact) / exact);
                for (int w = 1; w < wide.Length; w++)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(wide[0][j]), BitConverter.DoubleToInt64Bits(wide[w][j]));
                }
            }
        }

        Assert.True(worst < 4e-16, $"worst relative error {worst:E3}");

        var special = Widths(new[] { double.NegativeInfinity, double.PositiveInfinity, double.NaN, -746, -745.2, 710, -1000, 1000 });
        foreach (var r in special)
        {
            Assert.Equal(new[] { 0.0, double.PositiveInfinity }, r.Take(2));
            Assert.True(double.IsNaN(r[2]));
            Assert.Equal(new[] { 0.0, 0.0, double.PositiveInfinity, 0.0, double.PositiveInfinity }, r.Skip(3));
        }

        // Subnormal results: within one subnormal step of Math.Exp.
        foreach (double x in new[] { -709.0, -720.0, -740.0, -744.0, -745.0 })
        {
            double got = Widths(Enumerable.Repeat(x, 8).ToArray())[0][0];
            Assert.True(Math.Abs(got - Math.Exp(x)) <= double.Epsilon, $"exp({x}) = {got:R}, expected {Math.Exp(x):R}");
        }
    }

    private static double[][] Widths(double[] eight) => Widths<ExpOp>(eight);

    /// <summary>The softmax's exp (<see cref="SimdExp.NonPositiveInlined{TV, T}"/>, for x - max <= 0: one power of two
    /// instead of two, no upper clamp) gives the same bits as the full exp at every width, on 4 * 10^5 random x in
    /// [-760, 0] (a quarter of them in the subnormal range below -708), the edges of that range, -0, -inf and NaN.</summary>
    [Fact]
    public void NonPositiveExp_SameBitsAsTheFullExp()
    {
        var random = new Random(13);
        var xs = Enumerable.Range(0, 400_000).Select(k => k % 4 == 0 ? -708 - (random.NextDouble() * 52) : -random.NextDouble() * 708)
            .Concat(new[] { 0.0, -0.0, -1e-300, -double.Epsilon, -708.39, -708.4, -744.44, -745.13, -745.14, -746, -746.5, -1e6, double.MinValue, double.NegativeInfinity, double.NaN, -Math.Log(2) / 2 })
            .ToArray();
        for (int k = 0; k < xs.Length; k += 8)
        {
            var chunk = Enumerable.Range(0, 8).Select(j => k + j < xs.Length ? xs[k + j] : 0.0).ToArray();
            var full = Widths<ExpOp>(chunk);
            var shifted = Widths<NonPositiveExpOp>(chunk);
            for (int w = 0; w < full.Length; w++)
            {
                for (int j = 0; j < 8; j++)
                {
                    Assert.True(
                        BitConverter.DoubleToInt64Bits(full[w][j]) == BitConverter.DoubleToInt64Bits(shifted[w][j]),
                        $"width {w}, exp({chunk[j]:R}): {shifted[w][j]:R}, full exp {full[w][j]:R}");
                }
            }
        }
    }

    /// <summary>The double log at every width (<see cref="SimdLog"/>, for the sums of exps of the lanes = rows layout:
    /// positive normal numbers): relative error below 4e-16 against Math.Log on 4 * 10^5 random x in [1, 17], 10^5
    /// over the whole normal range, 2 * 10^5 within 0.02 of 1 (where log x goes to 0) and both sides of every edge
    /// between the table's intervals in three binades; log 1 = +0 exactly, NaN stays NaN, the same bits at every width.</summary>
    [Fact]
    public void DoubleLog_IsAccurateAndTheSameAtEveryWidth()
    {
        var random = new Random(11);
        var xs = Enumerable.Range(0, 400_000).Select(_ => 1 + (random.NextDouble() * 16))
            .Concat(Enumerable.Range(0, 100_000).Select(_ => Math.Pow(2, (random.NextDouble() * 2040) - 1020)))
            .Concat(Enumerable.Range(0, 200_000).Select(_ => 1 + ((random.NextDouble() - 0.5) * 0.04)))
            .Concat(Enumerable.Range(0, 129).SelectMany(i => new[] { -1021L, 0L, 1000L }.SelectMany(e => new[] { 0L, -1L }.Select(d =>
                BitConverter.Int64BitsToDouble(SimdLogTable.Offset + ((long)i << 45) + d + (e << 52))))))
            .Concat(new[] { 1.0, 2.0, 16.0, Math.Sqrt(0.5), Math.Sqrt(2), BitConverter.Int64BitsToDouble(0x3FE6A09E667F3BCD), 1 + 1e-15, 1 - 1e-16, double.Epsilon * (1L << 52), double.MaxValue })
            .ToArray();
        double worst = 0;
        for (int k = 0; k < xs.Length; k += 8)
        {
            var chunk = Enumerable.Range(0, 8).Select(j => k + j < xs.Length ? xs[k + j] : 1.0).ToArray();
            var wide = Widths<LogOp>(chunk);
            for (int j = 0; j < 8; j++)
            {
                double exact = Math.Log(chunk[j]);
                if (exact != 0)
                {
                    worst = Math.Max(worst, Math.Abs(wide[0][j] - exact) / Math.Abs(exact));
                }
                else
                {
                    Assert.Equal(0L, BitConverter.DoubleToInt64Bits(wide[0][j]));
                }

                for (int w = 1; w < wide.Length; w++)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(wide[0][j]), BitConverter.DoubleToInt64Bits(wide[w][j]));
                }
            }
        }

        Assert.True(worst < 4e-16, $"worst relative error {worst:E3}");
        Assert.All(Widths<LogOp>(Enumerable.Repeat(double.NaN, 8).ToArray()), r => Assert.All(r, v => Assert.True(double.IsNaN(v))));
    }

    /// <summary>Every row of <see cref="SimdLogTable"/> as its doc says: c inside its interval (and 1 for interval 79),
    /// 1 / c within 2^-62 of the reciprocal (c * (1 / c) - 1, exact by FMA, that small), log c high a multiple of
    /// 2^-42 with log c low below 2^-43, and the two within 2 ulp of Math.Log(c); each row's interval found again
    /// from c's bits.</summary>
    [Fact]
    public void DoubleLogTable_RowsAreAsDocumented()
    {
        ReadOnlySpan<double> rows = SimdLogTable.Rows;
        Assert.Equal(128 * 4, rows.Length);
        for (int i = 0; i < 128; i++)
        {
            double c = rows[4 * i], inverse = rows[(4 * i) + 1], high = rows[(4 * i) + 2], low = rows[(4 * i) + 3];
            long offset = BitConverter.DoubleToInt64Bits(c) - SimdLogTable.Offset;
            Assert.Equal(0L, offset >> 52);                 // c in [Offset, 2 Offset) as bits: k = 0
            Assert.Equal(i, (int)(offset >> 45));           // in interval i
            Assert.True(Math.Abs(Math.FusedMultiplyAdd(c, inverse, -1)) <= Math.ScaleB(1, -62), $"row {i}: 1 / c");
            Assert.Equal(Math.Round(Math.ScaleB(high, 42)), Math.ScaleB(high, 42));
            Assert.True(Math.Abs(low) <= Math.ScaleB(1, -43), $"row {i}: low {low:R}");
            double log = Math.Log(c);
            Assert.True(Math.Abs(high + low - log) <= 2 * (Math.BitIncrement(Math.Abs(log)) - Math.Abs(log)), $"row {i}: log c");
        }

        Assert.Equal(new[] { 1.0, 1.0, 0.0, 0.0 }, rows.Slice(4 * 79, 4).ToArray());
    }

    private static double[][] Widths<TOp>(double[] eight)
        where TOp : IVectorOp => new[]
    {
        Elements(TOp.Apply(new Simd512<double>(Vector512.Create(eight))).V),
        Concat(
            TOp.Apply(new Simd256<double>(Vector256.Create((ReadOnlySpan<double>)eight.AsSpan(0, 4)))).V,
            TOp.Apply(new Simd256<double>(Vector256.Create((ReadOnlySpan<double>)eight.AsSpan(4, 4)))).V),
        eight.Chunk(2).SelectMany(p => Elements(TOp.Apply(new Simd128<double>(Vector128.Create(p))).V)).ToArray(),
        eight.Select(v => TOp.Apply(new SimdScalar<double>(v)).V).ToArray(),
    };

    /// <summary>A function of the generic core applied at any width.</summary>
    private interface IVectorOp
    {
        static abstract TV Apply<TV>(TV x)
            where TV : struct, ISimdVector<TV, double>;
    }

    private readonly struct ExpOp : IVectorOp
    {
        public static TV Apply<TV>(TV x)
            where TV : struct, ISimdVector<TV, double> => SimdExp.Double<TV, double>(x);
    }

    private readonly struct NonPositiveExpOp : IVectorOp
    {
        public static TV Apply<TV>(TV x)
            where TV : struct, ISimdVector<TV, double> => SimdExp.NonPositiveInlined<TV, double>(x);
    }

    private readonly struct LogOp : IVectorOp
    {
        public static TV Apply<TV>(TV x)
            where TV : struct, ISimdVector<TV, double> => SimdLog.Double<TV, double>(x);
    }

    private static double[] Concat(Vector256<double> a, Vector256<double> b) =>
        Elements(a).Concat(Elements(b)).ToArray();

    private static double[] Elements(Vector512<double> v) => Enumerable.Range(0, 8).Select(k => v.GetElement(k)).ToArray();

    private static double[] Elements(Vector256<double> v) => Enumerable.Range(0, 4).Select(k => v.GetElement(k)).ToArray();

    private static double[] Elements(Vector128<double> v) => Enumerable.Range(0, 2).Select(k => v.GetElement(k)).ToArray();

    /// <summary>The public double helpers called directly with a matrix one element short of targets x classes: an
    /// exception, not a read past the span (the lanes = rows layout reads without bounds checks, so it must not be
    /// taken then).</summary>
    [Fact]
    public void PlainDoubleHelpers_ShortMatrix_Throw()
    {
        var targets = new int[8];
        Assert.ThrowsAny<ArgumentException>(() => KernelMath.CrossEntropySum(new double[8 * 7 - 1], targets, 7, -100));
        Assert.ThrowsAny<ArgumentException>(() => KernelMath.CrossEntropyBackward(new double[8 * 7 - 1], targets, 7, -100, 1.0, new double[8 * 7 - 1]));
    }

    [Fact]
    public void SpanHelpers_EveryLength_MatchPlainLoops()
    {
        var random = new Random(3);
        foreach (int n in s_lengths)
        {
            double[] x = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 20 - 10).ToArray();
            double[] y = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2).ToArray();
            double shift = x.Length > 0 ? x.Max() : 0;

            Close(x.Sum(), KernelMath.Sum(x), n, "Sum");
            Close(x.Zip(y, (a, b) => a * b).Sum(), KernelMath.Dot(x, y), n, "Dot");
            Close(x.Sum(v => v - shift), KernelMath.SumShifted(x, shift), n, "SumShifted");
            Close(x.Zip(y, (a, b) => b * (a - shift)).Sum(), KernelMath.DotShifted(y, x, shift), n, "DotShifted");
            Close(x.Zip(y, (a, b) => (0.75 * b + 0.125) * (a - shift)).Sum(), KernelMath.SmoothedDotShifted(y, x, shift, 0.75, 0.125), n, "SmoothedDotShifted");
            Assert.Equal(n == 0 ? double.NegativeInfinity : x.Max(), KernelMath.Max(x));

            Mapped(x, d => KernelMath.Divide(x, 3.0, d), x.Select(v => v / 3.0).ToArray(), "Divide");
            Mapped(x, d => KernelMath.Subtract(x, 1.5, d), x.Select(v => v - 1.5).ToArray(), "Subtract");
            Mapped(y, d => KernelMath.MultiplyAdd(x, 0.5, d), y.Zip(x, (d, v) => d + 0.5 * v).ToArray(), "MultiplyAdd");
            if (n > 0)
            {
                double s = x.Sum(v => Math.Exp(v - shift));
                Mapped(x, d => KernelMath.RowSoftmax(x, 0, n, 2.0, d, out _), x.Select(v => 2 * Math.Exp(v - shift) / s).ToArray(), "RowSoftmax");
                Mapped(x, d => KernelMath.RowLogSoftmax(x, 0, n, d), x.Select(v => v - shift - Math.Log(s)).ToArray(), "RowLogSoftmax");
                Close(Math.Log(s), KernelMath.RowLogSumExp(x, 0, n, out double max), n, "RowLogSumExp");
                Assert.Equal(shift, max);
            }
        }
    }

    /// <summary><c>KernelMath.Max</c> on doubles is NaN when any element is NaN, as the float one and PyTorch's max
    /// are, at every length and position (before stop 14 the double one skipped NaN: {0, NaN} gave 0, {0, 1, NaN, 3, 4}
    /// gave 4, while the float one gave NaN); infinities are ordinary values.</summary>
    [Fact]
    public void Max_NaNAnywhere_IsNaN_AsForFloat()
    {
        foreach (int n in s_lengths.Where(n => n > 0))
        {
            // Every position up to 70 elements; the edges and the middle of the longer ones.
            var positions = n <= 70 ? Enumerable.Range(0, n) : new[] { 0, 1, 2, n / 3, n / 2, n - 17, n - 3, n - 2, n - 1 };
            foreach (int at in positions)
            {
                double[] x = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
                float[] f = x.Select(v => (float)v).ToArray();
                x[at] = double.NaN;
                f[at] = float.NaN;
                Assert.True(double.IsNaN(KernelMath.Max(x)), $"n = {n}, NaN at {at}: {KernelMath.Max(x)}");
                Assert.True(float.IsNaN(KernelMath.Max(f)), $"float, n = {n}, NaN at {at}");
                x[at] = double.PositiveInfinity;
                Assert.Equal(double.PositiveInfinity, KernelMath.Max(x));
            }
        }
    }

    /// <summary>Runs <paramref name="call"/> into a destination inside sentinels, then in place on a copy of its
    /// input, and checks both against <paramref name="expected"/>.</summary>
    private static void Mapped(double[] input, Action<Span<double>> call, double[] expected, string what)
    {
        const int Pad = 9;
        var buffer = Enumerable.Repeat(-777.0, input.Length + 2 * Pad).ToArray();
        input.CopyTo(buffer, Pad);
        call(buffer.AsSpan(Pad, input.Length));
        for (int k = 0; k < input.Length; k++)
        {
            Close(expected[k], buffer[Pad + k], input.Length, what);
        }

        Assert.All(buffer.Take(Pad).Concat(buffer.Skip(Pad + input.Length)), v => Assert.Equal(-777.0, v));
    }

    private static void Close(double expected, double actual, int n, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-13 * Math.Max(1, Math.Abs(expected)), $"{what}, length {n}: expected {expected:R}, got {actual:R}");
}
