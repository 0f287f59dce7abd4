using System;

namespace FixedShapeLoss.Tests.Samples;

/// <summary>Finite differences for the training samples' gradient tests.</summary>
internal static class SampleGradients
{
    /// <summary>(loss(p + h) - loss(p - h)) / 2h at <c>parameters[index]</c>, which is restored afterwards.</summary>
    public static double CentralDifference(double[] parameters, int index, double h, Func<double> loss)
    {
        double saved = parameters[index];
        parameters[index] = saved + h;
        double plus = loss();
        parameters[index] = saved - h;
        double minus = loss();
        parameters[index] = saved;
        return (plus - minus) / (2 * h);
    }
}
