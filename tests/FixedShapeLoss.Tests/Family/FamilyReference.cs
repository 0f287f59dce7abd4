using System;

namespace FixedShapeLoss.Tests.Family;

/// <summary>The three losses written plainly in double from PyTorch's formulas (its documentation and
/// aten/src/ATen/native/Loss.cpp, LossNLL.cpp), independent of the kernels' code: no SIMD, no blocking, the
/// textbook expressions with log1p done by the classic correction log(u) - ((u - 1) - e) / u.</summary>
internal static class FamilyReference
{
    /// <summary>PyTorch's EPSILON of the BCE gradient: the float constant 1e-12f, also in float64.</summary>
    public const double BceEpsilon = 1e-12f;

    /// <summary>log(1 + e), accurate also when 1 + e rounds (Goldberg's correction).</summary>
    public static double Log1p(double e)
    {
        double u = 1 + e;
        return u == 1 ? e : Math.Log(u) - ((u - 1) - e) / u;
    }

    public static (double Loss, double[] PerSample, double[] Gradient) Nll(double[] x, int[] t, double[]? w, int classes, int ignoreIndex, bool mean)
    {
        int batch = t.Length;
        var perSample = new double[batch];
        var gradient = new double[x.Length];
        double total = 0, denominator = 0;
        for (int i = 0; i < batch; i++)
        {
            if (t[i] == ignoreIndex)
            {
                continue;
            }

            double wt = w is null ? 1 : w[t[i]];
            perSample[i] = -wt * x[i * classes + t[i]];
            total += perSample[i];
            denominator += wt;
        }

        for (int i = 0; i < batch; i++)
        {
            if (t[i] != ignoreIndex)
            {
                gradient[i * classes + t[i]] = -(w is null ? 1 : w[t[i]]) / (mean ? denominator : 1);
            }
        }

        return (mean ? total / denominator : total, perSample, gradient);
    }

    public static (double Loss, double[] PerElement, double[] Gradient) WithLogits(double[] x, double[] y, double[]? posWeight, int classes, bool mean)
    {
        int n = x.Length;
        var l = new double[n];
        var g = new double[n];
        double total = 0;
        for (int k = 0; k < n; k++)
        {
            double p = posWeight is null ? 1 : posWeight[k % classes];
            double softplusNeg = Math.Max(-x[k], 0) + Log1p(Math.Exp(-Math.Abs(x[k]))); // log(1 + exp(-x))
            l[k] = (1 - y[k]) * x[k] + (1 + (p - 1) * y[k]) * softplusNeg;
            double sigmoid = x[k] >= 0 ? 1 / (1 + Math.Exp(-x[k])) : Math.Exp(x[k]) / (1 + Math.Exp(x[k]));
            g[k] = (sigmoid * (1 + (p - 1) * y[k]) - p * y[k]) / (mean ? n : 1);
            total += l[k];
        }

        return (mean ? total / n : total, l, g);
    }

    public static (double Loss, double[] PerElement, double[] Gradient) Bce(double[] x, double[] y, bool mean)
    {
        int n = x.Length;
        var l = new double[n];
        var g = new double[n];
        double total = 0;
        for (int k = 0; k < n; k++)
        {
            double logX = Math.Max(Math.Log(x[k]), -100);
            double log1mX = Math.Max(x[k] == 1 ? double.NegativeInfinity : Log1p(-x[k]), -100);
            l[k] = -(y[k] * logX + (1 - y[k]) * log1mX);
            g[k] = (x[k] - y[k]) / Math.Max((1 - x[k]) * x[k], BceEpsilon) / (mean ? n : 1);
            total += l[k];
        }

        return (mean ? total / n : total, l, g);
    }
}
