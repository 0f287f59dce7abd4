using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace FixedShapeLoss;

// The blocks of the row loops in KernelMath.Blocked.cs: one struct per kind of loop, which a worker of KernelThreading
// reaches through its address and runs over rows [first, end) of the caller's spans.
public static partial class KernelMath
{
    /// <summary>Rows of an index-target loss; each row as the generated row body computes it.</summary>
    private unsafe struct IndexBlock<T, TMath> : IRowBlock
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMath : IRowMath<T>
    {
        public T* Logits;
        public int* Targets;
        public T* Weight;
        public T* Destination;
        public int Batch;
        public int Classes;
        public int IgnoreIndex;
        public int WeightLength;
        public IndexRowMode Mode;
        public bool Smoothing;
        public T OneMinusSmoothing;
        public T SmoothingPerClass;
        public T WeightSum;
        public T Scale;

        public readonly void Run(int first, int end, double* partials)
        {
            int classes = Classes;
            var logits = new ReadOnlySpan<T>(Logits, Batch * classes);
            var targets = new ReadOnlySpan<int>(Targets, Batch);
            var weight = new ReadOnlySpan<T>(Weight, WeightLength);
            var destination = new Span<T>(Destination, Mode == IndexRowMode.PerSample ? Batch : Mode == IndexRowMode.Backward ? Batch * classes : 0);
            bool weighted = WeightLength != 0;
            var nllTotal = default(CompensatedSum);
            var smoothTotal = default(CompensatedSum);
            for (int i = first, offset = first * classes; i < end; i++, offset += classes)
            {
                int target = targets[i];
                if (target == IgnoreIndex)
                {
                    if (Mode == IndexRowMode.Backward)
                    {
                        destination.Slice(offset, classes).Clear();
                    }
                    else if (Mode == IndexRowMode.PerSample)
                    {
                        destination[i] = T.Zero;
                    }

                    continue;
                }

                // Everything the loss reads from the row is read before the row of the gradient (maybe the logits) is written.
                ReadOnlySpan<T> row = logits.Slice(offset, classes);
                T targetLogit = logits[offset + target];
                T wt = weighted ? weight[target] : T.One;
                T shifted = T.Zero; // sum_c w_c (x_c - m)
                T logSum, max, factor = T.Zero;
                if (Mode == IndexRowMode.Backward)
                {
                    if (Smoothing)
                    {
                        T rowMax = TMath.Max(row);
                        shifted = weighted ? TMath.DotShifted(weight, row, rowMax) : TMath.SumShifted(row, rowMax);
                        factor = Scale * (weighted ? OneMinusSmoothing * wt + SmoothingPerClass * WeightSum : T.One); // scale * a
                    }
                    else
                    {
                        factor = weighted ? Scale * wt : Scale; // scale * w_t
                    }

                    logSum = TMath.Softmax(logits, offset, classes, factor, destination, out max); // g_j = factor * exp(x_j - m) / s
                }
                else
                {
                    logSum = TMath.LogSumExp(logits, offset, classes, out max);
                    if (Smoothing)
                    {
                        shifted = weighted ? TMath.DotShifted(weight, row, max) : TMath.SumShifted(row, max);
                    }
                }

                T nll = weighted ? wt * (logSum - (targetLogit - max)) : logSum - (targetLogit - max); // -w_t log p_t
                T smooth = Smoothing ? (weighted ? WeightSum : T.CreateTruncating(classes)) * logSum - shifted : T.Zero; // -sum_c w_c log p_c
                if (Mode == IndexRowMode.PerSample)
                {
                    destination[i] = Smoothing ? OneMinusSmoothing * nll + SmoothingPerClass * smooth : nll;
                    continue;
                }

                if (Mode == IndexRowMode.Backward)
                {
                    if (!Smoothing)
                    {
                        destination[offset + target] -= factor;
                    }
                    else
                    {
                        Span<T> g = destination.Slice(offset, classes);
                        destination[offset + target] -= Scale * OneMinusSmoothing * wt;
                        if (weighted)
                        {
                            TMath.MultiplyAdd(weight, -(Scale * SmoothingPerClass), g);
                        }
                        else
                        {
                            TMath.Subtract(g, Scale * SmoothingPerClass, g);
                        }
                    }
                }

                nllTotal.Add(double.CreateTruncating(nll));
                if (Smoothing)
                {
                    smoothTotal.Add(double.CreateTruncating(smooth));
                }
            }

            partials[0] = nllTotal.Value;
            partials[1] = smoothTotal.Value;
        }
    }

    /// <summary>Rows of the soft-target loss (and gradient when <see cref="Gradient"/> is set).</summary>
    private unsafe struct SoftBlock<T, TMath> : IRowBlock
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMath : IRowMath<T>
    {
        public T* Logits;
        public T* Targets;
        public T* Gradient;
        public int Batch;
        public int Classes;
        public bool Smoothing;
        public T LabelSmoothing;
        public T OneMinusSmoothing;
        public T SmoothingPerClass;
        public T Scale;

        public readonly void Run(int first, int end, double* partials)
        {
            int classes = Classes, length = Batch * classes;
            var logits = new ReadOnlySpan<T>(Logits, length);
            var targets = new ReadOnlySpan<T>(Targets, length);
            var gradient = new Span<T>(Gradient, Gradient == null ? 0 : length);
            var total = default(CompensatedSum);
            for (int offset = first * classes; offset < end * classes; offset += classes)
            {
                ReadOnlySpan<T> x = logits.Slice(offset, classes);
                ReadOnlySpan<T> t = targets.Slice(offset, classes);
                T targetSum = Smoothing ? OneMinusSmoothing * TMath.Sum(t) + LabelSmoothing : TMath.Sum(t); // sum_c t'_c
                T shifted, logSum;
                if (Gradient == null)
                {
                    logSum = TMath.LogSumExp(logits, offset, classes, out T max);
                    shifted = Shifted(t, x, max);
                    total.Add(double.CreateTruncating(logSum * targetSum - shifted));
                    continue;
                }

                // The row's sum_c t'_c (x_c - m) is read before the gradient row (maybe x itself) is written.
                shifted = Shifted(t, x, TMath.Max(x));
                logSum = TMath.Softmax(logits, offset, classes, Scale * targetSum, gradient, out _);
                total.Add(double.CreateTruncating(logSum * targetSum - shifted));
                Span<T> g = gradient.Slice(offset, classes);
                TMath.MultiplyAdd(t, Smoothing ? -(Scale * OneMinusSmoothing) : -Scale, g);
                if (Smoothing)
                {
                    TMath.Subtract(g, Scale * SmoothingPerClass, g);
                }
            }

            partials[0] = total.Value;
            partials[1] = 0d;
        }

        /// <summary><c>sum_c t'_c (x_c - m)</c>.</summary>
        private readonly T Shifted(ReadOnlySpan<T> t, ReadOnlySpan<T> x, T max) =>
            Smoothing ? TMath.SmoothedDotShifted(t, x, max, OneMinusSmoothing, SmoothingPerClass) : TMath.DotShifted(t, x, max);
    }

    /// <summary>Rows of a softmax or log-softmax.</summary>
    private unsafe struct SoftmaxBlock<T, TMath> : IRowBlock
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMath : IRowMath<T>
    {
        public T* Logits;
        public T* Destination;
        public int Batch;
        public int Classes;
        public bool Log;

        public readonly void Run(int first, int end, double* partials)
        {
            int classes = Classes, length = Batch * classes;
            if (typeof(T) == typeof(float) && !RowFitsVector(new ReadOnlySpan<float>(Logits, length), classes))
            {
                NormalizeLongRows(new ReadOnlySpan<float>(Logits, length), first, end, classes, new Span<float>(Destination, length), Log);
                partials[0] = partials[1] = 0d;
                return;
            }

            var logits = new ReadOnlySpan<T>(Logits, length);
            var destination = new Span<T>(Destination, length);
            for (int offset = first * classes; offset < end * classes; offset += classes)
            {
                if (Log)
                {
                    TMath.LogSoftmax(logits, offset, classes, destination);
                }
                else
                {
                    TMath.Softmax(logits, offset, classes, T.One, destination, out _);
                }
            }

            partials[0] = partials[1] = 0d;
        }
    }

    /// <summary>Rows of the plain cross-entropy: the block's rows as a matrix of their own, on the float layouts
    /// (<see cref="CrossEntropySumOn"/>, <see cref="CrossEntropyBackwardOn"/>) or the generic double core.</summary>
    private unsafe struct PlainBlock<T> : IRowBlock
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public T* Logits;
        public int* Targets;
        public T* Gradient;
        public int Classes;
        public int IgnoreIndex;
        public T Scale;
        public CrossEntropyPath Path;

        public readonly void Run(int first, int end, double* partials)
        {
            int classes = Classes, rows = end - first;
            var targets = new ReadOnlySpan<int>(Targets + first, rows);
            T* x = Logits + (nint)first * classes;
            T* g = Gradient == null ? null : Gradient + (nint)first * classes;
            int length = rows * classes;
            double sum;
            if (typeof(T) == typeof(float))
            {
                var logits = new ReadOnlySpan<float>(x, length);
                sum = g == null
                    ? CrossEntropySumOn(Path, logits, targets, classes, IgnoreIndex)
                    : CrossEntropyBackwardOn(Path, logits, targets, classes, IgnoreIndex, float.CreateTruncating(Scale), new Span<float>(g, length));
            }
            else
            {
                var logits = new ReadOnlySpan<T>(x, length);
                sum = g == null
                    ? RowCore.CrossEntropySum(logits, targets, classes, IgnoreIndex)
                    : RowCore.CrossEntropyBackward(logits, targets, classes, IgnoreIndex, Scale, new Span<T>(g, length));
            }

            partials[0] = sum;
            partials[1] = 0d;
        }
    }

    /// <summary>Whether the plain cross-entropy of a <paramref name="batch"/> x <paramref name="classes"/> matrix (spans
    /// already matching it) runs in blocks.</summary>
    private static bool PlainBlocked(int batch, int classes) => KernelThreading.IsBlocked(batch, classes);

    /// <summary>The plain float loss of a blocked shape; each block on the layout that takes any batch.</summary>
    private static float PlainBlockedSum(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex) =>
        (float)PlainRows(SelectCrossEntropyPath(targets.Length, classes, backward: false, shapeKnown: false), logits, targets, classes, ignoreIndex, 0f, default);

    /// <summary>The plain float loss and gradient of a blocked shape.</summary>
    private static float PlainBlockedBackward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex, float scale, Span<float> gradient) =>
        (float)PlainRows(SelectCrossEntropyPath(targets.Length, classes, backward: true, shapeKnown: false), logits, targets, classes, ignoreIndex, scale, gradient);

    /// <summary>The plain double loss (and gradient when <paramref name="gradient"/> is not empty), blocked or not by the shape.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double PlainDouble(ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, int classes, int ignoreIndex, double scale, Span<double> gradient, bool backward)
    {
        if (!PlainBlocked(targets.Length, classes) || logits.Length != targets.Length * classes || (backward && gradient.Length != logits.Length))
        {
            return backward
                ? RowCore.CrossEntropyBackward(logits, targets, classes, ignoreIndex, scale, gradient)
                : RowCore.CrossEntropySum(logits, targets, classes, ignoreIndex);
        }

        return PlainRows(CrossEntropyPath.Rows, logits, targets, classes, ignoreIndex, scale, gradient);
    }
}
