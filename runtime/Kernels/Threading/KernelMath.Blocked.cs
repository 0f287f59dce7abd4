using System;
using System.ComponentModel;
using System.Numerics;

namespace FixedShapeLoss;

// The row loops of the cross-entropy family for shapes of at least KernelThreading.MinParallelLength elements: the
// generated code of such a shape calls these instead of writing the loop itself, and they run the rows in the fixed
// blocks of KernelThreading, on as many cores as it allows. Each row computes exactly what the generated row body
// computes (same helpers, same operation order); the per-row losses are added per block with a compensated sum and
// the blocks' sums in block order, so the result does not depend on the number of workers.
public static partial class KernelMath
{
    /// <summary>What a blocked index-target row loop does with each row's loss.</summary>
    private enum IndexRowMode
    {
        /// <summary>Adds the NLL and smoothing terms (the reduced loss).</summary>
        Sum,

        /// <summary>Writes each row's loss (<c>reduction='none'</c>).</summary>
        PerSample,

        /// <summary>Adds the terms and writes the gradient rows.</summary>
        Backward,
    }

    /// <summary>The sums of the index-target cross-entropy of a row-major matrix: returns <c>sum_i -w[t_i] log p[i, t_i]</c>
    /// and, with <paramref name="smoothing"/>, gives <c>sum_i -sum_c w_c log p[i, c]</c> in <paramref name="smoothTotal"/>
    /// (0 without), over the rows whose target is not <paramref name="ignoreIndex"/>, in the fixed blocks of
    /// <see cref="KernelThreading"/> (the generated row loop of a large shape).</summary>
    /// <param name="logits">The <c>targets.Length × classes</c> matrix, row-major.</param>
    /// <param name="targets">One class index per row, in [0, classes) or <paramref name="ignoreIndex"/> (already checked).</param>
    /// <param name="weight">Empty, or one weight per class.</param>
    /// <param name="classes">Columns of the matrix.</param>
    /// <param name="ignoreIndex">The target value whose row contributes nothing.</param>
    /// <param name="smoothing">Whether label smoothing is on (the smoothing term is computed).</param>
    /// <param name="oneMinusSmoothing"><c>1 - e</c> (used by the per-sample and gradient forms).</param>
    /// <param name="smoothingPerClass"><c>e / C</c> (used by the per-sample and gradient forms).</param>
    /// <param name="weightSum"><c>sum_c w_c</c> when weighted and smoothed, else unused.</param>
    /// <param name="smoothTotal">Receives the smoothing term's sum.</param>
    /// <returns>The NLL term's sum.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static double CrossEntropyLossRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> weight, int classes, int ignoreIndex, bool smoothing, float oneMinusSmoothing, float smoothingPerClass, float weightSum, out double smoothTotal) =>
        IndexRows<float, FloatRowMath>(logits, targets, weight, classes, ignoreIndex, smoothing, oneMinusSmoothing, smoothingPerClass, weightSum, 0f, default, IndexRowMode.Sum, out smoothTotal);

    /// <inheritdoc cref="CrossEntropyLossRows(ReadOnlySpan{float}, ReadOnlySpan{int}, ReadOnlySpan{float}, int, int, bool, float, float, float, out double)"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static double CrossEntropyLossRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> weight, int classes, int ignoreIndex, bool smoothing, double oneMinusSmoothing, double smoothingPerClass, double weightSum, out double smoothTotal) =>
        IndexRows<double, DoubleRowMath>(logits, targets, weight, classes, ignoreIndex, smoothing, oneMinusSmoothing, smoothingPerClass, weightSum, 0d, default, IndexRowMode.Sum, out smoothTotal);

    /// <summary>Per-sample index-target cross-entropy (<c>reduction='none'</c>) of a row-major matrix, in the fixed
    /// blocks of <see cref="KernelThreading"/>: <c>losses[i] = (1 - e) nll_i + (e / C) smooth_i</c> (just <c>nll_i</c>
    /// without smoothing), 0 where the target is <paramref name="ignoreIndex"/>.</summary>
    /// <param name="logits">The <c>targets.Length × classes</c> matrix, row-major.</param>
    /// <param name="targets">One class index per row (already checked).</param>
    /// <param name="weight">Empty, or one weight per class.</param>
    /// <param name="classes">Columns of the matrix.</param>
    /// <param name="ignoreIndex">The target value whose row gets 0.</param>
    /// <param name="smoothing">Whether label smoothing is on.</param>
    /// <param name="oneMinusSmoothing"><c>1 - e</c>.</param>
    /// <param name="smoothingPerClass"><c>e / C</c>.</param>
    /// <param name="weightSum"><c>sum_c w_c</c> when weighted and smoothed, else unused.</param>
    /// <param name="losses">Receives one loss per row.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void CrossEntropyLossPerSampleRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> weight, int classes, int ignoreIndex, bool smoothing, float oneMinusSmoothing, float smoothingPerClass, float weightSum, Span<float> losses) =>
        IndexRows<float, FloatRowMath>(logits, targets, weight, classes, ignoreIndex, smoothing, oneMinusSmoothing, smoothingPerClass, weightSum, 0f, losses, IndexRowMode.PerSample, out _);

    /// <inheritdoc cref="CrossEntropyLossPerSampleRows(ReadOnlySpan{float}, ReadOnlySpan{int}, ReadOnlySpan{float}, int, int, bool, float, float, float, Span{float})"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void CrossEntropyLossPerSampleRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> weight, int classes, int ignoreIndex, bool smoothing, double oneMinusSmoothing, double smoothingPerClass, double weightSum, Span<double> losses) =>
        IndexRows<double, DoubleRowMath>(logits, targets, weight, classes, ignoreIndex, smoothing, oneMinusSmoothing, smoothingPerClass, weightSum, 0d, losses, IndexRowMode.PerSample, out _);

    /// <summary>As <see cref="CrossEntropyLossRows(ReadOnlySpan{float}, ReadOnlySpan{int}, ReadOnlySpan{float}, int, int, bool, float, float, float, out double)"/>,
    /// and writes the gradient <c>scale (p_j a - (1 - e) w_t [j == t] - (e / C) w_j)</c> of each row (0 on ignored rows).
    /// <paramref name="gradient"/> may be <paramref name="logits"/>: a row is read before it is written.</summary>
    /// <param name="logits">The <c>targets.Length × classes</c> matrix, row-major.</param>
    /// <param name="targets">One class index per row (already checked).</param>
    /// <param name="weight">Empty, or one weight per class.</param>
    /// <param name="classes">Columns of the matrix.</param>
    /// <param name="ignoreIndex">The target value whose row gets no loss and a zero gradient.</param>
    /// <param name="smoothing">Whether label smoothing is on.</param>
    /// <param name="oneMinusSmoothing"><c>1 - e</c>.</param>
    /// <param name="smoothingPerClass"><c>e / C</c>.</param>
    /// <param name="weightSum"><c>sum_c w_c</c> when weighted and smoothed, else unused.</param>
    /// <param name="scale">The gradient's factor (1 / denominator for Mean).</param>
    /// <param name="gradient">Receives the gradient; as long as <paramref name="logits"/>.</param>
    /// <param name="smoothTotal">Receives the smoothing term's sum.</param>
    /// <returns>The NLL term's sum.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static double CrossEntropyLossBackwardRows(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> weight, int classes, int ignoreIndex, bool smoothing, float oneMinusSmoothing, float smoothingPerClass, float weightSum, float scale, Span<float> gradient, out double smoothTotal) =>
        IndexRows<float, FloatRowMath>(logits, targets, weight, classes, ignoreIndex, smoothing, oneMinusSmoothing, smoothingPerClass, weightSum, scale, gradient, IndexRowMode.Backward, out smoothTotal);

    /// <inheritdoc cref="CrossEntropyLossBackwardRows(ReadOnlySpan{float}, ReadOnlySpan{int}, ReadOnlySpan{float}, int, int, bool, float, float, float, float, Span{float}, out double)"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static double CrossEntropyLossBackwardRows(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, ReadOnlySpan<double> weight, int classes, int ignoreIndex, bool smoothing, double oneMinusSmoothing, double smoothingPerClass, double weightSum, double scale, Span<double> gradient, out double smoothTotal) =>
        IndexRows<double, DoubleRowMath>(logits, targets, weight, classes, ignoreIndex, smoothing, oneMinusSmoothing, smoothingPerClass, weightSum, scale, gradient, IndexRowMode.Backward, out smoothTotal);

    /// <summary>The soft-target cross-entropy sum <c>sum_i (log s_i sum_c t'_c - sum_c t'_c (x_c - m_i))</c>,
    /// <c>t' = (1 - e) t + e / C</c>, in the fixed blocks of <see cref="KernelThreading"/>.</summary>
    /// <param name="logits">The row-major matrix.</param>
    /// <param name="targetProbabilities">The target probabilities, as long as <paramref name="logits"/>.</param>
    /// <param name="classes">Columns of the matrix.</param>
    /// <param name="smoothing">Whether label smoothing is on.</param>
    /// <param name="labelSmoothing"><c>e</c>.</param>
    /// <param name="oneMinusSmoothing"><c>1 - e</c>.</param>
    /// <param name="smoothingPerClass"><c>e / C</c>.</param>
    /// <returns>The sum of the per-row losses.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static double SoftCrossEntropyRows(ReadOnlySpan<float> logits, ReadOnlySpan<float> targetProbabilities, int classes, bool smoothing, float labelSmoothing, float oneMinusSmoothing, float smoothingPerClass) =>
        SoftRows<float, FloatRowMath>(logits, targetProbabilities, classes, smoothing, labelSmoothing, oneMinusSmoothing, smoothingPerClass, 0f, default);

    /// <inheritdoc cref="SoftCrossEntropyRows(ReadOnlySpan{float}, ReadOnlySpan{float}, int, bool, float, float, float)"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static double SoftCrossEntropyRows(ReadOnlySpan<double> logits, ReadOnlySpan<double> targetProbabilities, int classes, bool smoothing, double labelSmoothing, double oneMinusSmoothing, double smoothingPerClass) =>
        SoftRows<double, DoubleRowMath>(logits, targetProbabilities, classes, smoothing, labelSmoothing, oneMinusSmoothing, smoothingPerClass, 0d, default);

    /// <summary>As <see cref="SoftCrossEntropyRows(ReadOnlySpan{float}, ReadOnlySpan{float}, int, bool, float, float, float)"/>,
    /// and writes the gradient <c>scale (p_j sum_c t'_c - t'_j)</c>; <paramref name="gradient"/> may be <paramref name="logits"/>.</summary>
    /// <param name="logits">The row-major matrix.</param>
    /// <param name="targetProbabilities">The target probabilities, as long as <paramref name="logits"/>.</param>
    /// <param name="classes">Columns of the matrix.</param>
    /// <param name="smoothing">Whether label smoothing is on.</param>
    /// <param name="labelSmoothing"><c>e</c>.</param>
    /// <param name="oneMinusSmoothing"><c>1 - e</c>.</param>
    /// <param name="smoothingPerClass"><c>e / C</c>.</param>
    /// <param name="scale">The gradient's factor (1 / Batch for Mean).</param>
    /// <param name="gradient">Receives the gradient; as long as <paramref name="logits"/>.</param>
    /// <returns>The sum of the per-row losses.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static double SoftCrossEntropyBackwardRows(ReadOnlySpan<float> logits, ReadOnlySpan<float> targetProbabilities, int classes, bool smoothing, float labelSmoothing, float oneMinusSmoothing, float smoothingPerClass, float scale, Span<float> gradient) =>
        SoftRows<float, FloatRowMath>(logits, targetProbabilities, classes, smoothing, labelSmoothing, oneMinusSmoothing, smoothingPerClass, scale, gradient);

    /// <inheritdoc cref="SoftCrossEntropyBackwardRows(ReadOnlySpan{float}, ReadOnlySpan{float}, int, bool, float, float, float, float, Span{float})"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static double SoftCrossEntropyBackwardRows(ReadOnlySpan<double> logits, ReadOnlySpan<double> targetProbabilities, int classes, bool smoothing, double labelSmoothing, double oneMinusSmoothing, double smoothingPerClass, double scale, Span<double> gradient) =>
        SoftRows<double, DoubleRowMath>(logits, targetProbabilities, classes, smoothing, labelSmoothing, oneMinusSmoothing, smoothingPerClass, scale, gradient);

    /// <summary>Softmax of every row into <paramref name="destination"/> (which may be <paramref name="logits"/>), in the
    /// fixed blocks of <see cref="KernelThreading"/>.</summary>
    /// <param name="logits">The row-major matrix.</param>
    /// <param name="classes">Columns of the matrix.</param>
    /// <param name="destination">Receives the probabilities; as long as <paramref name="logits"/>.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void SoftmaxRows(ReadOnlySpan<float> logits, int classes, Span<float> destination) =>
        NormalizeRows<float, FloatRowMath>(logits, classes, destination, log: false);

    /// <inheritdoc cref="SoftmaxRows(ReadOnlySpan{float}, int, Span{float})"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void SoftmaxRows(ReadOnlySpan<double> logits, int classes, Span<double> destination) =>
        NormalizeRows<double, DoubleRowMath>(logits, classes, destination, log: false);

    /// <summary>Log-softmax of every row into <paramref name="destination"/> (which may be <paramref name="logits"/>), in
    /// the fixed blocks of <see cref="KernelThreading"/>.</summary>
    /// <param name="logits">The row-major matrix.</param>
    /// <param name="classes">Columns of the matrix.</param>
    /// <param name="destination">Receives the log-probabilities; as long as <paramref name="logits"/>.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void LogSoftmaxRows(ReadOnlySpan<float> logits, int classes, Span<float> destination) =>
        NormalizeRows<float, FloatRowMath>(logits, classes, destination, log: true);

    /// <inheritdoc cref="LogSoftmaxRows(ReadOnlySpan{float}, int, Span{float})"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void LogSoftmaxRows(ReadOnlySpan<double> logits, int classes, Span<double> destination) =>
        NormalizeRows<double, DoubleRowMath>(logits, classes, destination, log: true);

    private static unsafe double IndexRows<T, TMath>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, ReadOnlySpan<T> weight, int classes, int ignoreIndex, bool smoothing, T oneMinusSmoothing, T smoothingPerClass, T weightSum, T scale, Span<T> destination, IndexRowMode mode, out double smoothTotal)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMath : IRowMath<T>
    {
        int batch = targets.Length;
        CheckMatrix(logits.Length, batch, classes, nameof(logits));
        if (!weight.IsEmpty && weight.Length != classes)
        {
            ThrowLengthMismatch(nameof(weight));
        }

        int destinationLength = mode switch
        {
            IndexRowMode.PerSample => batch,
            IndexRowMode.Backward => logits.Length,
            _ => 0,
        };
        if (destination.Length != destinationLength)
        {
            ThrowLengthMismatch(nameof(destination));
        }

        fixed (T* x = logits)
        fixed (int* t = targets)
        fixed (T* w = weight)
        fixed (T* d = destination)
        {
            var body = new IndexBlock<T, TMath>
            {
                Logits = x, Targets = t, Weight = w, Destination = d, Batch = batch, Classes = classes, IgnoreIndex = ignoreIndex,
                WeightLength = weight.Length, Mode = mode, Smoothing = smoothing, OneMinusSmoothing = oneMinusSmoothing,
                SmoothingPerClass = smoothingPerClass, WeightSum = weightSum, Scale = scale,
            };
            return KernelThreading.Run(ref body, batch, classes, out smoothTotal);
        }
    }

    private static unsafe double SoftRows<T, TMath>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targetProbabilities, int classes, bool smoothing, T labelSmoothing, T oneMinusSmoothing, T smoothingPerClass, T scale, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMath : IRowMath<T>
    {
        int batch = classes > 0 ? logits.Length / classes : 0;
        CheckMatrix(logits.Length, batch, classes, nameof(logits));
        CheckSameLength(logits.Length, targetProbabilities.Length, nameof(targetProbabilities));
        if (!gradient.IsEmpty)
        {
            CheckSameLength(logits.Length, gradient.Length, nameof(gradient));
        }

        fixed (T* x = logits)
        fixed (T* t = targetProbabilities)
        fixed (T* d = gradient)
        {
            var body = new SoftBlock<T, TMath>
            {
                Logits = x, Targets = t, Gradient = d, Batch = batch, Classes = classes, Smoothing = smoothing, LabelSmoothing = labelSmoothing,
                OneMinusSmoothing = oneMinusSmoothing, SmoothingPerClass = smoothingPerClass, Scale = scale,
            };
            return KernelThreading.Run(ref body, batch, classes, out _);
        }
    }

    private static unsafe void NormalizeRows<T, TMath>(ReadOnlySpan<T> logits, int classes, Span<T> destination, bool log)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMath : IRowMath<T>
    {
        int batch = classes > 0 ? logits.Length / classes : 0;
        CheckMatrix(logits.Length, batch, classes, nameof(logits));
        CheckSameLength(logits.Length, destination.Length, nameof(destination));
        fixed (T* x = logits)
        fixed (T* d = destination)
        {
            var body = new SoftmaxBlock<T, TMath> { Logits = x, Destination = d, Batch = batch, Classes = classes, Log = log };
            KernelThreading.Run(ref body, batch, classes, out _);
        }
    }

    /// <summary>The plain cross-entropy (and gradient, when <paramref name="gradient"/> is not empty) of a blocked shape:
    /// each block runs the layout <paramref name="path"/> (one that takes any batch) on its own rows.</summary>
    private static unsafe double PlainRows<T>(CrossEntropyPath path, ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex, T scale, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        fixed (T* x = logits)
        fixed (int* t = targets)
        fixed (T* d = gradient)
        {
            var body = new PlainBlock<T> { Logits = x, Targets = t, Gradient = d, Classes = classes, IgnoreIndex = ignoreIndex, Scale = scale, Path = path };
            return KernelThreading.Run(ref body, targets.Length, classes, out _);
        }
    }

    private static void CheckMatrix(int length, int batch, int classes, string paramName)
    {
        if (classes < 1 || (long)batch * classes != length)
        {
            ThrowLengthMismatch(paramName);
        }
    }
}
