using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace FixedShapeLoss.Tests.Kernels;

/// <summary>
/// The runtime helpers the generated code calls, on their own: the whole-matrix cross-entropy
/// (<see cref="KernelMath.CrossEntropySum{TShape}"/>, <see cref="KernelMath.CrossEntropyBackward{TShape}"/> and the
/// non-generic forms a project below C# 11 gets) for every shape up to 20 x 16 and a few with more groups, against a
/// plain double-precision reference written here; and every helper that writes, in place (destination = input)
/// against out of place, bit for bit. CI reruns these with AVX-512, AVX2 and all intrinsics off, so each layout of
/// <see cref="KernelMath.SelectCrossEntropyPath"/> is checked on the shapes it takes.
/// </summary>
public class WholeMatrixHelperTests
{
    private const int IgnoreIndex = -100;

    public static IEnumerable<object[]> Shapes()
    {
        for (int batch = 1; batch <= 20; batch++)
        {
            for (int classes = 1; classes <= 17; classes++)
            {
                yield return new object[] { batch, classes };
            }
        }

        foreach (var (batch, classes) in new[] { (135, 2), (1287, 2), (33, 3), (40, 16), (64, 7), (9, 40) })
        {
            yield return new object[] { batch, classes };
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void NonGenericMatchesReferenceAndRunsInPlace(int batch, int classes) =>
        Check(batch, classes,
            (x, t) => KernelMath.CrossEntropySum(x, t, classes, IgnoreIndex),
            (x, t, scale, g) => KernelMath.CrossEntropyBackward(x, t, classes, IgnoreIndex, scale, g));

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GenericMatchesReferenceAndRunsInPlace(int batch, int classes)
    {
        var shape = typeof(Shape<,>).MakeGenericType(Number.Type(batch), Number.Type(classes));
        var sum = typeof(WholeMatrixHelperTests).GetMethod(nameof(GenericSum), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(shape).CreateDelegate<Func<float[], int[], float>>();
        var backward = typeof(WholeMatrixHelperTests).GetMethod(nameof(GenericBackward), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(shape).CreateDelegate<Func<float[], int[], float, float[], float>>();
        Check(batch, classes, sum, backward);
    }

    private static float GenericSum<TShape>(float[] x, int[] t)
        where TShape : struct, IKernelShape => KernelMath.CrossEntropySum<TShape>(x, t, IgnoreIndex);

    private static float GenericBackward<TShape>(float[] x, int[] t, float scale, float[] g)
        where TShape : struct, IKernelShape => KernelMath.CrossEntropyBackward<TShape>(x, t, IgnoreIndex, scale, g);

    /// <summary>Random logits (two scales), targets with ignored rows: the sum and the gradient against the reference
    /// (gradient elements to 2e-6 absolute, scale 1; the loss to 2e-6 per row, relative to the mean row loss when larger), and the backward in place
    /// (gradient = logits) with the same bits as out of place.</summary>
    private static void Check(int batch, int classes, Func<float[], int[], float> sum, Func<float[], int[], float, float[], float> backward)
    {
        var random = new Random(batch * 100 + classes);
        foreach (double spread in new[] { 3.0, 30.0 })
        {
            float[] x = Enumerable.Range(0, batch * classes).Select(_ => (float)((random.NextDouble() * 2 - 1) * spread)).ToArray();
            int[] t = Enumerable.Range(0, batch).Select(i => i % 5 == 3 ? IgnoreIndex : random.Next(classes)).ToArray();
            var (expectedLoss, expectedGradient) = Reference(x, t, classes);

            double tolerance = 2e-6 * batch * Math.Max(1, Math.Abs(expectedLoss) / batch);
            float loss = sum(x, t);
            Assert.True(Math.Abs(loss - expectedLoss) <= tolerance, $"{batch}x{classes}: sum {loss:R}, reference {expectedLoss:R}");

            float[] gradient = new float[x.Length];
            float backwardLoss = backward(x, t, 1f, gradient);
            Assert.True(Math.Abs(backwardLoss - expectedLoss) <= tolerance, $"{batch}x{classes}: backward {backwardLoss:R}, reference {expectedLoss:R}");
            for (int k = 0; k < gradient.Length; k++)
            {
                Assert.True(Math.Abs(gradient[k] - expectedGradient[k]) <= 2e-6,
                    $"{batch}x{classes} gradient row {k / classes} column {k % classes}: {gradient[k]:R}, reference {expectedGradient[k]:R}");
            }

            float[] scaled = new float[x.Length];
            float scaledLoss = backward(x, t, 0.25f, scaled);
            float[] inPlace = (float[])x.Clone();
            float inPlaceLoss = backward(inPlace, t, 0.25f, inPlace);
            Assert.Equal(BitConverter.SingleToInt32Bits(scaledLoss), BitConverter.SingleToInt32Bits(inPlaceLoss));
            Assert.Equal(scaled.Select(BitConverter.SingleToInt32Bits), inPlace.Select(BitConverter.SingleToInt32Bits));
        }
    }

    /// <summary>Textbook cross-entropy in double: loss_i = log sum_j exp(x_ij) - x_it (max-shifted), summed over the
    /// rows not ignored; gradient softmax - one-hot on those rows, 0 on ignored ones.</summary>
    private static (double Loss, double[] Gradient) Reference(float[] x, int[] t, int classes)
    {
        double total = 0;
        var gradient = new double[x.Length];
        for (int i = 0; i < t.Length; i++)
        {
            if (t[i] == IgnoreIndex)
            {
                continue;
            }

            double max = double.NegativeInfinity;
            for (int j = 0; j < classes; j++)
            {
                max = Math.Max(max, x[i * classes + j]);
            }

            double s = 0;
            for (int j = 0; j < classes; j++)
            {
                s += Math.Exp(x[i * classes + j] - max);
            }

            total += Math.Log(s) - (x[i * classes + t[i]] - max);
            for (int j = 0; j < classes; j++)
            {
                gradient[i * classes + j] = Math.Exp(x[i * classes + j] - max) / s - (j == t[i] ? 1 : 0);
            }
        }

        return (total, gradient);
    }

    /// <summary>The row helpers the generated code calls for each row (softmax, log-softmax) and the span helpers that
    /// write, each with destination = input against destination elsewhere, bit for bit, on every row of matrices of
    /// 1 to 20 rows of 1 to 40 classes (rows at the start, the middle and the end of the span).</summary>
    [Fact]
    public void RowAndSpanHelpersRunInPlace()
    {
        var random = new Random(7);
        for (int batch = 1; batch <= 20; batch++)
        {
            for (int classes = 1; classes <= 40; classes++)
            {
                float[] x = Enumerable.Range(0, batch * classes).Select(_ => (float)(random.NextDouble() * 10 - 5)).ToArray();
                for (int i = 0; i < batch; i++)
                {
                    int offset = i * classes;
                    InPlace(x, (src, dst) => KernelMath.RowSoftmax(src, offset, classes, 0.5f, dst, out _), $"RowSoftmax {batch}x{classes} row {i}");
                    InPlace(x, (src, dst) => KernelMath.RowLogSoftmax(src, offset, classes, dst), $"RowLogSoftmax {batch}x{classes} row {i}");
                }

                InPlace(x, (src, dst) => KernelMath.ExpShifted(src, 1.5f, dst), $"ExpShifted {x.Length}");
                InPlace(x, (src, dst) => KernelMath.Subtract(src, 1.5f, dst), $"Subtract {x.Length}");
                InPlace(x, (src, dst) => KernelMath.Multiply(src, 1.5f, dst), $"Multiply {x.Length}");
                InPlace(x, (src, dst) => KernelMath.MultiplyAdd(src, 1.5f, dst), $"MultiplyAdd {x.Length}");
                InPlace(x, (src, dst) => KernelMath.Divide(src, 1.5f, dst), $"Divide {x.Length}");
            }
        }
    }

    private delegate void Write(ReadOnlySpan<float> source, Span<float> destination);

    /// <summary><paramref name="write"/> from a copy of <paramref name="x"/> into a second copy, and from a copy into
    /// itself: the same bits (both destinations start as the input, which MultiplyAdd reads).</summary>
    private static void InPlace(float[] x, Write write, string what)
    {
        float[] source = (float[])x.Clone(), outOfPlace = (float[])x.Clone(), inPlace = (float[])x.Clone();
        write(source, outOfPlace);
        write(inPlace, inPlace);
        Assert.True(outOfPlace.AsSpan().SequenceEqual(inPlace), what);
    }

    private interface INumber
    {
        static abstract int Value { get; }
    }

    private readonly struct Shape<TBatch, TClasses> : IKernelShape
        where TBatch : INumber
        where TClasses : INumber
    {
        public static int Batch => TBatch.Value;
        public static int Classes => TClasses.Value;
    }

    /// <summary>Numbers as types, for the shapes of <see cref="Shape{TBatch, TClasses}"/>.</summary>
    private static class Number
    {
        public static Type Type(int n) => typeof(N<>).MakeGenericType(Digits(n));

        // N<D> with D a chain of binary digits: Zero/One<Rest>; Value reads the chain.
        private static Type Digits(int n) => n == 0 ? typeof(End) : (n & 1) == 0 ? typeof(Zero<>).MakeGenericType(Digits(n >> 1)) : typeof(One<>).MakeGenericType(Digits(n >> 1));
    }

    private interface IDigits
    {
        static abstract int Value { get; }
    }

    private readonly struct End : IDigits
    {
        public static int Value => 0;
    }

    private readonly struct Zero<TRest> : IDigits
        where TRest : IDigits
    {
        public static int Value => 2 * TRest.Value;
    }

    private readonly struct One<TRest> : IDigits
        where TRest : IDigits
    {
        public static int Value => 2 * TRest.Value + 1;
    }

    private readonly struct N<TDigits> : INumber
        where TDigits : IDigits
    {
        public static int Value => TDigits.Value;
    }
}
