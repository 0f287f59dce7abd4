using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CsCheck;
using Xunit;

namespace FixedShapeLoss.Tests.Kernels.Buffers;

/// <summary>Both overloads of every generated member that has a buffer overload, for one kernel class: the span one
/// and the one over its nested <c>Matrix</c>, <c>Targets</c> and <c>SampleLosses</c> (implemented implicitly by the
/// generated members), so one generic test body drives float and double kernels of several shapes.</summary>
public interface IBufferKernel<TMatrix, TTargets, TLosses, T>
    where TMatrix : struct
    where TTargets : struct
    where TLosses : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract void Normalize(Span<T> values);
    static abstract void Normalize(ref TMatrix values);
    static abstract void Softmax(ReadOnlySpan<T> logits, Span<T> destination);
    static abstract void Softmax(in TMatrix logits, ref TMatrix destination);
    static abstract void LogSoftmax(ReadOnlySpan<T> logits, Span<T> destination);
    static abstract void LogSoftmax(in TMatrix logits, ref TMatrix destination);
    static abstract void OneHot(ReadOnlySpan<int> labels, Span<T> destination);
    static abstract void OneHot(in TTargets labels, ref TMatrix destination);
    static abstract void Labels(ReadOnlySpan<T> oneHot, Span<int> destination);
    static abstract void Labels(in TMatrix oneHot, ref TTargets destination);
    static abstract T CrossEntropy(ReadOnlySpan<T> probabilities, ReadOnlySpan<int> labels);
    static abstract T CrossEntropy(in TMatrix probabilities, in TTargets labels);
    static abstract T CrossEntropy(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> oneHot);
    static abstract T CrossEntropy(in TMatrix probabilities, in TMatrix oneHot);
    static abstract T CrossEntropyLoss(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets);
    static abstract T CrossEntropyLoss(in TMatrix logits, in TTargets targets);
    static abstract T CrossEntropyLoss(ReadOnlySpan<T> logits, ReadOnlySpan<T> targetProbabilities);
    static abstract T CrossEntropyLoss(in TMatrix logits, in TMatrix targetProbabilities);
    static abstract void CrossEntropyLossPerSample(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> losses);
    static abstract void CrossEntropyLossPerSample(in TMatrix logits, in TTargets targets, ref TLosses losses);
    static abstract T CrossEntropyLossBackward(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, Span<T> gradient);
    static abstract T CrossEntropyLossBackward(in TMatrix logits, in TTargets targets, ref TMatrix gradient);
    static abstract T CrossEntropyLossBackward(ReadOnlySpan<T> logits, ReadOnlySpan<T> targetProbabilities, Span<T> gradient);
    static abstract T CrossEntropyLossBackward(in TMatrix logits, in TMatrix targetProbabilities, ref TMatrix gradient);
    static abstract T NllLoss(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets);
    static abstract T NllLoss(in TMatrix logProbabilities, in TTargets targets);
    static abstract void NllLossPerSample(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, Span<T> losses);
    static abstract void NllLossPerSample(in TMatrix logProbabilities, in TTargets targets, ref TLosses losses);
    static abstract T NllLossBackward(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, Span<T> gradient);
    static abstract T NllLossBackward(in TMatrix logProbabilities, in TTargets targets, ref TMatrix gradient);
    static abstract T BinaryCrossEntropyWithLogitsLoss(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets);
    static abstract T BinaryCrossEntropyWithLogitsLoss(in TMatrix logits, in TMatrix targets);
    static abstract void BinaryCrossEntropyWithLogitsLossPerElement(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> losses);
    static abstract void BinaryCrossEntropyWithLogitsLossPerElement(in TMatrix logits, in TMatrix targets, ref TMatrix losses);
    static abstract T BinaryCrossEntropyWithLogitsLossBackward(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, Span<T> gradient);
    static abstract T BinaryCrossEntropyWithLogitsLossBackward(in TMatrix logits, in TMatrix targets, ref TMatrix gradient);
    static abstract T BinaryCrossEntropyLoss(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targets);
    static abstract T BinaryCrossEntropyLoss(in TMatrix probabilities, in TMatrix targets);
    static abstract void BinaryCrossEntropyLossPerElement(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targets, Span<T> losses);
    static abstract void BinaryCrossEntropyLossPerElement(in TMatrix probabilities, in TMatrix targets, ref TMatrix losses);
    static abstract T BinaryCrossEntropyLossBackward(ReadOnlySpan<T> probabilities, ReadOnlySpan<T> targets, Span<T> gradient);
    static abstract T BinaryCrossEntropyLossBackward(in TMatrix probabilities, in TMatrix targets, ref TMatrix gradient);
}

// Both strategies (unrolled rows up to 16, the row loop past), the plain whole-matrix path and the row-by-row one
// (smoothing), Mean and Sum, IgnoreIndex inside [0, Classes), float and double.
[LossKernel(Batch = 4, Classes = 7)] public partial class B4x7 : IBufferKernel<B4x7.Matrix, B4x7.Targets, B4x7.SampleLosses, float> { }
[LossKernel(Batch = 5, Classes = 3, LabelSmoothing = 0.1f, Reduction = LossReduction.Sum)] public partial class B5x3SmoothSum : IBufferKernel<B5x3SmoothSum.Matrix, B5x3SmoothSum.Targets, B5x3SmoothSum.SampleLosses, float> { }
[LossKernel(Batch = 32, Classes = 10, IgnoreIndex = 2)] public partial class B32x10Ignore2 : IBufferKernel<B32x10Ignore2.Matrix, B32x10Ignore2.Targets, B32x10Ignore2.SampleLosses, float> { }
[LossKernel(Batch = 3, Classes = 129)] public partial class B3x129 : IBufferKernel<B3x129.Matrix, B3x129.Targets, B3x129.SampleLosses, float> { }
[LossKernel(Batch = 4, Classes = 7, ElementType = typeof(double))] public partial class BD4x7 : IBufferKernel<BD4x7.Matrix, BD4x7.Targets, BD4x7.SampleLosses, double> { }
[LossKernel(Batch = 20, Classes = 33, ElementType = typeof(double), LabelSmoothing = 0.25f, Reduction = LossReduction.Sum)] public partial class BD20x33Smooth : IBufferKernel<BD20x33Smooth.Matrix, BD20x33Smooth.Targets, BD20x33Smooth.SampleLosses, double> { }

/// <summary>The buffer overloads against the span overloads: the same bits on random inputs (out of place and in
/// place), no length checks needed but the target range still checked, and a whole training step on stack buffers
/// that allocates nothing.</summary>
public class BufferOverloadTests
{
    [Fact] public void B4x7_SameBitsAsSpans() => SameBitsAsSpans<B4x7, B4x7.Matrix, B4x7.Targets, B4x7.SampleLosses, float>(4, 7, B4x7.IgnoreIndex);
    [Fact] public void B5x3SmoothSum_SameBitsAsSpans() => SameBitsAsSpans<B5x3SmoothSum, B5x3SmoothSum.Matrix, B5x3SmoothSum.Targets, B5x3SmoothSum.SampleLosses, float>(5, 3, B5x3SmoothSum.IgnoreIndex);
    [Fact] public void B32x10Ignore2_SameBitsAsSpans() => SameBitsAsSpans<B32x10Ignore2, B32x10Ignore2.Matrix, B32x10Ignore2.Targets, B32x10Ignore2.SampleLosses, float>(32, 10, B32x10Ignore2.IgnoreIndex);
    [Fact] public void B3x129_SameBitsAsSpans() => SameBitsAsSpans<B3x129, B3x129.Matrix, B3x129.Targets, B3x129.SampleLosses, float>(3, 129, B3x129.IgnoreIndex);
    [Fact] public void BD4x7_SameBitsAsSpans() => SameBitsAsSpans<BD4x7, BD4x7.Matrix, BD4x7.Targets, BD4x7.SampleLosses, double>(4, 7, BD4x7.IgnoreIndex);
    [Fact] public void BD20x33Smooth_SameBitsAsSpans() => SameBitsAsSpans<BD20x33Smooth, BD20x33Smooth.Matrix, BD20x33Smooth.Targets, BD20x33Smooth.SampleLosses, double>(20, 33, BD20x33Smooth.IgnoreIndex);

    /// <summary>A buffer's elements as a span, in generic code (where the inline-array conversion is out of reach).</summary>
    private static Span<TElement> Elements<TBuffer, TElement>(ref TBuffer buffer)
        where TBuffer : struct
        where TElement : unmanaged =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<TBuffer, TElement>(ref buffer), Unsafe.SizeOf<TBuffer>() / Unsafe.SizeOf<TElement>());

    private static void SameBits<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what)
        where T : unmanaged =>
        Assert.True(MemoryMarshal.AsBytes(expected).SequenceEqual(MemoryMarshal.AsBytes(actual)), what + ": the buffer overload's bits differ from the span overload's");

    private static void SameBits<T>(T expected, T actual, string what)
        where T : unmanaged =>
        SameBits<T>(new ReadOnlySpan<T>(in expected), new ReadOnlySpan<T>(in actual), what);

    private static void SameBitsAsSpans<K, TMatrix, TTargets, TLosses, T>(int batch, int classes, int ignoreIndex)
        where K : IBufferKernel<TMatrix, TTargets, TLosses, T>
        where TMatrix : struct
        where TTargets : struct
        where TLosses : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = batch * classes;
        // The types hold exactly the shape: the proof the overloads rely on.
        Assert.Equal(n * Unsafe.SizeOf<T>(), Unsafe.SizeOf<TMatrix>());
        Assert.Equal(batch * sizeof(int), Unsafe.SizeOf<TTargets>());
        Assert.Equal(batch * Unsafe.SizeOf<T>(), Unsafe.SizeOf<TLosses>());

        var gen =
            from logits in Gen.Double[-8, 8].Array[n]
            from unit in Gen.Double[0.01, 0.99].Array[n]
            from soft in Gen.Double[0, 1].Array[n]
            from labels in Gen.Int[0, classes - 1].Array[batch]
            from ignored in Gen.Bool.Array[batch]
            select (logits, unit, soft, labels, ignored);

        gen.Sample(sample =>
        {
            T[] x = Array.ConvertAll(sample.logits, T.CreateTruncating);
            T[] p = Array.ConvertAll(sample.unit, T.CreateTruncating);
            T[] y = Array.ConvertAll(sample.soft, T.CreateTruncating);
            int[] labels = sample.labels;
            int[] targets = new int[batch];
            for (int i = 0; i < batch; i++)
            {
                targets[i] = sample.ignored[i] ? ignoreIndex : labels[i];
            }

            TMatrix bx = default, bp = default, by = default, bOut = default;
            TTargets bLabels = default, bTargets = default, bIndices = default;
            TLosses bLosses = default;
            x.CopyTo(Elements<TMatrix, T>(ref bx));
            p.CopyTo(Elements<TMatrix, T>(ref bp));
            y.CopyTo(Elements<TMatrix, T>(ref by));
            labels.CopyTo(Elements<TTargets, int>(ref bLabels));
            targets.CopyTo(Elements<TTargets, int>(ref bTargets));
            T[] expected = new T[n];
            T[] perRow = new T[batch];

            // Out of place, one member after the other; every output and every returned value compared bit for bit.
            K.Softmax(x, expected);
            K.Softmax(in bx, ref bOut);
            SameBits<T>(expected, Elements<TMatrix, T>(ref bOut), "Softmax");
            K.LogSoftmax(x, expected);
            K.LogSoftmax(in bx, ref bOut);
            SameBits<T>(expected, Elements<TMatrix, T>(ref bOut), "LogSoftmax");

            T[] normalized = (T[])p.Clone();
            TMatrix bNormalized = bp;
            K.Normalize(normalized);
            K.Normalize(ref bNormalized);
            SameBits<T>(normalized, Elements<TMatrix, T>(ref bNormalized), "Normalize");

            K.OneHot(labels, expected);
            K.OneHot(in bLabels, ref bOut);
            SameBits<T>(expected, Elements<TMatrix, T>(ref bOut), "OneHot");
            int[] indices = new int[batch];
            K.Labels(expected, indices);
            K.Labels(in bOut, ref bIndices);
            SameBits<int>(indices, Elements<TTargets, int>(ref bIndices), "Labels");
            SameBits<int>(labels, indices, "Labels(OneHot(labels))");

            SameBits(K.CrossEntropy(normalized, labels), K.CrossEntropy(in bNormalized, in bLabels), "CrossEntropy(labels)");
            SameBits(K.CrossEntropy(normalized, y), K.CrossEntropy(in bNormalized, in by), "CrossEntropy(oneHot)");
            SameBits(K.CrossEntropyLoss(x, targets), K.CrossEntropyLoss(in bx, in bTargets), "CrossEntropyLoss");
            SameBits(K.CrossEntropyLoss(x, y), K.CrossEntropyLoss(in bx, in by), "CrossEntropyLoss(soft)");
            K.CrossEntropyLossPerSample(x, targets, perRow);
            K.CrossEntropyLossPerSample(in bx, in bTargets, ref bLosses);
            SameBits<T>(perRow, Elements<TLosses, T>(ref bLosses), "CrossEntropyLossPerSample");
            SameBits(K.CrossEntropyLossBackward(x, targets, expected), K.CrossEntropyLossBackward(in bx, in bTargets, ref bOut), "CrossEntropyLossBackward loss");
            SameBits<T>(expected, Elements<TMatrix, T>(ref bOut), "CrossEntropyLossBackward gradient");
            SameBits(K.CrossEntropyLossBackward(x, y, expected), K.CrossEntropyLossBackward(in bx, in by, ref bOut), "CrossEntropyLossBackward(soft) loss");
            SameBits<T>(expected, Elements<TMatrix, T>(ref bOut), "CrossEntropyLossBackward(soft) gradient");

            SameBits(K.NllLoss(x, targets), K.NllLoss(in bx, in bTargets), "NllLoss");
            K.NllLossPerSample(x, targets, perRow);
            K.NllLossPerSample(in bx, in bTargets, ref bLosses);
            SameBits<T>(perRow, Elements<TLosses, T>(ref bLosses), "NllLossPerSample");
            SameBits(K.NllLossBackward(x, targets, expected), K.NllLossBackward(in bx, in bTargets, ref bOut), "NllLossBackward loss");
            SameBits<T>(expected, Elements<TMatrix, T>(ref bOut), "NllLossBackward gradient");

            SameBits(K.BinaryCrossEntropyWithLogitsLoss(x, y), K.BinaryCrossEntropyWithLogitsLoss(in bx, in by), "BCEWithLogits");
            K.BinaryCrossEntropyWithLogitsLossPerElement(x, y, expected);
            K.BinaryCrossEntropyWithLogitsLossPerElement(in bx, in by, ref bOut);
            SameBits<T>(expected, Elements<TMatrix, T>(ref bOut), "BCEWithLogits per element");
            SameBits(K.BinaryCrossEntropyWithLogitsLossBackward(x, y, expected), K.BinaryCrossEntropyWithLogitsLossBackward(in bx, in by, ref bOut), "BCEWithLogits backward loss");
            SameBits<T>(expected, Elements<TMatrix, T>(ref bOut), "BCEWithLogits backward gradient");

            SameBits(K.BinaryCrossEntropyLoss(p, y), K.BinaryCrossEntropyLoss(in bp, in by), "BCE");
            K.BinaryCrossEntropyLossPerElement(p, y, expected);
            K.BinaryCrossEntropyLossPerElement(in bp, in by, ref bOut);
            SameBits<T>(expected, Elements<TMatrix, T>(ref bOut), "BCE per element");
            SameBits(K.BinaryCrossEntropyLossBackward(p, y, expected), K.BinaryCrossEntropyLossBackward(in bp, in by, ref bOut), "BCE backward loss");
            SameBits<T>(expected, Elements<TMatrix, T>(ref bOut), "BCE backward gradient");

            // In place: one variable passed as the in input and the ref output gives the out-of-place bits.
            T lossOut = K.CrossEntropyLossBackward(x, targets, expected);
            TMatrix inPlace = bx;
            SameBits(lossOut, K.CrossEntropyLossBackward(in inPlace, in bTargets, ref inPlace), "CrossEntropyLossBackward in place loss");
            SameBits<T>(expected, Elements<TMatrix, T>(ref inPlace), "CrossEntropyLossBackward in place gradient");
            lossOut = K.CrossEntropyLossBackward(x, y, expected);
            inPlace = bx;
            SameBits(lossOut, K.CrossEntropyLossBackward(in inPlace, in by, ref inPlace), "CrossEntropyLossBackward(soft) in place loss");
            SameBits<T>(expected, Elements<TMatrix, T>(ref inPlace), "CrossEntropyLossBackward(soft) in place gradient");
            K.Softmax(x, expected);
            inPlace = bx;
            K.Softmax(in inPlace, ref inPlace);
            SameBits<T>(expected, Elements<TMatrix, T>(ref inPlace), "Softmax in place");
            K.LogSoftmax(x, expected);
            inPlace = bx;
            K.LogSoftmax(in inPlace, ref inPlace);
            SameBits<T>(expected, Elements<TMatrix, T>(ref inPlace), "LogSoftmax in place");
            lossOut = K.NllLossBackward(x, targets, expected);
            inPlace = bx;
            SameBits(lossOut, K.NllLossBackward(in inPlace, in bTargets, ref inPlace), "NllLossBackward in place loss");
            SameBits<T>(expected, Elements<TMatrix, T>(ref inPlace), "NllLossBackward in place gradient");
            lossOut = K.BinaryCrossEntropyWithLogitsLossBackward(x, y, expected);
            inPlace = bx;
            SameBits(lossOut, K.BinaryCrossEntropyWithLogitsLossBackward(in inPlace, in by, ref inPlace), "BCEWithLogits backward in place loss");
            SameBits<T>(expected, Elements<TMatrix, T>(ref inPlace), "BCEWithLogits backward in place gradient");
        }, iter: 200);
    }

    [Fact]
    public void TargetRange_IsStillCheckedByTheBufferOverloads_NothingWritten()
    {
        // The types prove the lengths, not the values: class 7 of 7 classes is out of range in every member.
        B4x7.Matrix logits = default, gradient = default;
        B4x7.Targets targets = default;
        B4x7.SampleLosses losses = default;
        Span<float> g = gradient;
        g.Fill(42f);
        ((Span<float>)losses).Fill(42f);
        targets[0] = 1;
        targets[1] = B4x7.IgnoreIndex;
        targets[2] = 7;
        targets[3] = 0;

        AssertRow2(() => B4x7.CrossEntropyLoss(in logits, in targets), "targets");
        AssertRow2(() => B4x7.CrossEntropyLossBackward(in logits, in targets, ref gradient), "targets");
        AssertRow2(() => B4x7.CrossEntropyLossPerSample(in logits, in targets, ref losses), "targets");
        AssertRow2(() => B4x7.NllLoss(in logits, in targets), "targets");
        AssertRow2(() => B4x7.NllLossBackward(in logits, in targets, ref gradient), "targets");
        AssertRow2(() => B4x7.NllLossPerSample(in logits, in targets, ref losses), "targets");
        targets[1] = 3; // labels know no IgnoreIndex
        AssertRow2(() => B4x7.CrossEntropy(in logits, in targets), "labels");
        AssertRow2(() => B4x7.OneHot(in targets, ref gradient), "labels");
        Assert.All(gradient.AsReadOnlySpan().ToArray(), v => Assert.Equal(42f, v));
        Assert.All(losses.AsReadOnlySpan().ToArray(), v => Assert.Equal(42f, v));

        // A negative class that is not IgnoreIndex too; and IgnoreIndex itself is fine.
        targets[2] = -1;
        AssertRow2(() => B4x7.CrossEntropyLoss(in logits, in targets), "targets");
        targets[2] = B4x7.IgnoreIndex;
        Assert.True(float.IsFinite(B4x7.CrossEntropyLossBackward(in logits, in targets, ref gradient)));

        // Labels: a row that is not one-hot is still refused.
        B4x7.Matrix oneHot = default;
        B4x7.Targets destination = default;
        oneHot[0] = 1f;
        var e = Assert.Throws<ArgumentException>(() => B4x7.Labels(in oneHot, ref destination));
        Assert.Equal("oneHot", e.ParamName);
    }

    private static void AssertRow2(Func<float> call, string parameter) => AssertRow2(() => { call(); }, parameter);

    private static void AssertRow2(Action call, string parameter)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(call);
        Assert.Equal(parameter, e.ParamName);
        Assert.Contains("2", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The features of one mini-batch: 4 rows of 2.</summary>
    [InlineArray(8)]
    private struct Features
    {
        private float _element0;
    }

    /// <summary>The weights of a linear model from 2 features to 7 classes, and the 7 biases.</summary>
    [InlineArray(21)]
    private struct Parameters
    {
        private float _element0;
    }

    /// <summary>One SGD step of a linear softmax classifier on stack buffers: logits = x W + b, the loss and its gradient
    /// in place in the logits, then W -= lr x^T g, b -= lr sum_i g_i. No span is length-checked on the way.</summary>
    private static float TrainingStep(in Features x, in B4x7.Targets targets, ref Parameters parameters, float learningRate)
    {
        B4x7.Matrix logits = default;
        for (int i = 0; i < B4x7.Batch; i++)
        {
            for (int c = 0; c < B4x7.Classes; c++)
            {
                logits[i * B4x7.Classes + c] = x[2 * i] * parameters[c] + x[2 * i + 1] * parameters[B4x7.Classes + c] + parameters[2 * B4x7.Classes + c];
            }
        }

        float loss = B4x7.CrossEntropyLossBackward(in logits, in targets, ref logits);
        for (int i = 0; i < B4x7.Batch; i++)
        {
            for (int c = 0; c < B4x7.Classes; c++)
            {
                float g = logits[i * B4x7.Classes + c];
                parameters[c] -= learningRate * x[2 * i] * g;
                parameters[B4x7.Classes + c] -= learningRate * x[2 * i + 1] * g;
                parameters[2 * B4x7.Classes + c] -= learningRate * g;
            }
        }

        return loss;
    }

    [Fact]
    public void AWholeTrainingStepOnStackBuffers_AllocatesNothing_AndLearns()
    {
        Features x = default;
        B4x7.Targets targets = default;
        Parameters parameters = default;
        for (int i = 0; i < B4x7.Batch; i++)
        {
            x[2 * i] = i - 1.5f;
            x[2 * i + 1] = (i % 2) - 0.5f;
            targets[i] = (3 * i) % B4x7.Classes;
        }

        float first = TrainingStep(in x, in targets, ref parameters, 0.5f);
        Assert.Equal(MathF.Log(B4x7.Classes), first, 5); // all-zero parameters: uniform, ln 7
        for (int s = 0; s < 100; s++)
        {
            TrainingStep(in x, in targets, ref parameters, 0.5f); // warm-up: tiering, static initialisation
        }

        float last = 0f;
        SteadyState.AssertNoAllocation(() => last = TrainingStep(in x, in targets, ref parameters, 0.5f), rounds: 1000);
        Assert.True(last < first / 4, $"the loss went from {first} to {last}");
    }
}
