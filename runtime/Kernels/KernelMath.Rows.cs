using System;
using System.Diagnostics;

namespace FixedShapeLoss;

// Row helpers for the smoothing and soft-target terms and for row normalization.
public static partial class KernelMath
{
    /// <summary><c>Σ_j (x_j − shift)</c>, summing the shifted terms (no cancellation between a large
    /// <c>Σ x</c> and <c>n · shift</c>).</summary>
    /// <param name="x">The values.</param>
    /// <param name="shift">Subtracted from every value before summing.</param>
    /// <returns>The sum of the shifted values.</returns>
    public static float SumShifted(ReadOnlySpan<float> x, float shift)
    {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int j = 0;
        for (; j + 4 <= x.Length; j += 4)
        {
            s0 += x[j] - shift;
            s1 += x[j + 1] - shift;
            s2 += x[j + 2] - shift;
            s3 += x[j + 3] - shift;
        }

        for (; j < x.Length; j++)
        {
            s0 += x[j] - shift;
        }

        return (s0 + s1) + (s2 + s3);
    }

    /// <summary><c>Σ_j w_j · (x_j − shift)</c>.</summary>
    /// <param name="w">The weights; same length as <paramref name="x"/>.</param>
    /// <param name="x">The values.</param>
    /// <param name="shift">Subtracted from every value before weighting.</param>
    /// <returns>The weighted sum of the shifted values.</returns>
    public static float DotShifted(ReadOnlySpan<float> w, ReadOnlySpan<float> x, float shift)
    {
        Debug.Assert(w.Length == x.Length);
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int j = 0;
        for (; j + 4 <= x.Length; j += 4)
        {
            s0 += w[j] * (x[j] - shift);
            s1 += w[j + 1] * (x[j + 1] - shift);
            s2 += w[j + 2] * (x[j + 2] - shift);
            s3 += w[j + 3] * (x[j + 3] - shift);
        }

        for (; j < x.Length; j++)
        {
            s0 += w[j] * (x[j] - shift);
        }

        return (s0 + s1) + (s2 + s3);
    }

    /// <summary><c>destination_j = x_j / divisor</c> (a true division, as <c>preds / preds.sum(1)</c>);
    /// <paramref name="destination"/> may be <paramref name="x"/>.</summary>
    /// <param name="x">The values.</param>
    /// <param name="divisor">The divisor.</param>
    /// <param name="destination">Receives the quotients; same length as <paramref name="x"/>.</param>
    public static void Divide(ReadOnlySpan<float> x, float divisor, Span<float> destination)
    {
        Debug.Assert(destination.Length == x.Length);
        for (int j = 0; j < x.Length; j++)
        {
            destination[j] = x[j] / divisor;
        }
    }
}
