using System;
using System.Numerics;

namespace FixedShapeLoss;

// torch.nn.NLLLoss (aten/src/ATen/native/LossNLL.cpp) on log-probabilities x, one target t_i per row:
//   l_i = -w[t_i] x[i, t_i]            (w = 1 without weights; 0 where t_i == ignoreIndex)
//   Mean: sum_i l_i / sum_i w[t_i] over the rows not ignored (NaN when all are ignored); Sum: sum_i l_i
//   d loss / d x[i, j] = -w[t_i] / denominator at j = t_i (denominator 1 for Sum), 0 elsewhere and on ignored rows
public static partial class LossFamily
{
    /// <summary><c>torch.nn.NLLLoss</c> from log-probabilities and class indices.</summary>
    /// <typeparam name="T"><c>float</c> or <c>double</c>.</typeparam>
    /// <param name="logProbabilities">The <c>batch × classes</c> log-probabilities, row-major.</param>
    /// <param name="targets">One class index per row, in [0, classes) or <paramref name="ignoreIndex"/>.</param>
    /// <param name="weight">Empty, or one weight per class.</param>
    /// <param name="classes">Columns per row (at least 1).</param>
    /// <param name="ignoreIndex">The target value that contributes neither loss nor gradient.</param>
    /// <param name="reduction">Mean (divided by the summed weights of the rows not ignored) or Sum.</param>
    /// <returns>The reduced loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A target is out of range; the message names the row.</exception>
    public static T NllLoss<T>(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<T> weight, int classes, int ignoreIndex, LossReduction reduction)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckNll(logProbabilities, targets, weight, classes, ignoreIndex);
        CheckReduction(reduction);
        double total = NllSum(logProbabilities, targets, weight, classes, ignoreIndex, out double denominator);
        return T.CreateTruncating(reduction == LossReduction.Mean ? total / denominator : total);
    }

    /// <summary><c>torch.nn.NLLLoss(reduction='none')</c>: one loss per row, 0 where the target is ignored.</summary>
    /// <typeparam name="T"><c>float</c> or <c>double</c>.</typeparam>
    /// <param name="logProbabilities">The <c>batch × classes</c> log-probabilities, row-major.</param>
    /// <param name="targets">One class index per row.</param>
    /// <param name="weight">Empty, or one weight per class.</param>
    /// <param name="classes">Columns per row (at least 1).</param>
    /// <param name="ignoreIndex">The target value that contributes nothing.</param>
    /// <param name="losses">Receives one loss per row.</param>
    /// <exception cref="ArgumentOutOfRangeException">A target is out of range; the message names the row.</exception>
    public static void NllLossPerSample<T>(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<T> weight, int classes, int ignoreIndex, Span<T> losses)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckNll(logProbabilities, targets, weight, classes, ignoreIndex);
        CheckLength(losses.Length, targets.Length, nameof(losses));
        for (int i = 0; i < targets.Length; i++)
        {
            int t = targets[i];
            losses[i] = t == ignoreIndex ? T.Zero : -(weight.IsEmpty ? T.One : weight[t]) * logProbabilities[i * classes + t];
        }
    }

    /// <summary><c>torch.nn.NLLLoss</c> and its gradient with respect to the log-probabilities.</summary>
    /// <typeparam name="T"><c>float</c> or <c>double</c>.</typeparam>
    /// <param name="logProbabilities">The <c>batch × classes</c> log-probabilities, row-major.</param>
    /// <param name="targets">One class index per row.</param>
    /// <param name="weight">Empty, or one weight per class.</param>
    /// <param name="classes">Columns per row (at least 1).</param>
    /// <param name="ignoreIndex">The target value that contributes neither loss nor gradient.</param>
    /// <param name="reduction">Mean or Sum.</param>
    /// <param name="gradient">Receives d loss / d log-probabilities; may be <paramref name="logProbabilities"/>.</param>
    /// <returns>The reduced loss of the log-probabilities as they were on entry.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A target is out of range; the message names the row.</exception>
    public static T NllLossBackward<T>(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<T> weight, int classes, int ignoreIndex, LossReduction reduction, Span<T> gradient)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckNll(logProbabilities, targets, weight, classes, ignoreIndex);
        CheckReduction(reduction);
        CheckLength(gradient.Length, logProbabilities.Length, nameof(gradient));

        // The loss first: it reads only x[i, t_i], which the gradient below overwrites when it runs in place.
        double total = NllSum(logProbabilities, targets, weight, classes, ignoreIndex, out double denominator);
        T loss = T.CreateTruncating(reduction == LossReduction.Mean ? total / denominator : total);

        // As PyTorch: g = -(grad_output / total_weight) for Mean (-grad_output for Sum), times w[t_i].
        T g = reduction == LossReduction.Mean ? -(T.One / T.CreateTruncating(denominator)) : -T.One;
        gradient.Clear();
        for (int i = 0; i < targets.Length; i++)
        {
            int t = targets[i];
            if (t != ignoreIndex)
            {
                gradient[i * classes + t] = weight.IsEmpty ? g : weight[t] * g;
            }
        }

        return loss;
    }

    private static void CheckNll<T>(ReadOnlySpan<T> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<T> weight, int classes, int ignoreIndex)
    {
        int batch = Rows(logProbabilities.Length, classes, nameof(logProbabilities));
        CheckLength(targets.Length, batch, nameof(targets));
        CheckOptional(weight.Length, classes, nameof(weight));
        KernelGuard.Targets(targets, classes, ignoreIndex, nameof(targets));
    }

    /// <summary>The sum of the per-row losses and of the weights of the rows not ignored, both in double
    /// (compensated), so float inputs lose no digits as the batch grows. Targets are checked.</summary>
    private static double NllSum<T>(ReadOnlySpan<T> x, ReadOnlySpan<int> targets, ReadOnlySpan<T> weight, int classes, int ignoreIndex, out double denominator)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var total = default(CompensatedSum);
        var weights = default(CompensatedSum);
        for (int i = 0; i < targets.Length; i++)
        {
            int t = targets[i];
            if (t == ignoreIndex)
            {
                continue;
            }

            double w = weight.IsEmpty ? 1.0 : double.CreateTruncating(weight[t]);
            total.Add(-w * double.CreateTruncating(x[i * classes + t]));
            weights.Add(w);
        }

        denominator = weights.Value;
        return total.Value;
    }
}
