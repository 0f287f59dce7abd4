using System;

namespace FixedShapeLoss.Tests.Float64;

/// <summary>Double-double arithmetic (about 106 significant bits: Dekker/Knuth error-free transformations), for a
/// reference that is more precise than the double kernels it checks. Only what the reference needs: +, -, *, /,
/// exp (range reduction by ln 2 and 2^-10, Taylor series, squaring) and log (one Newton step on exp).</summary>
public readonly struct DoubleDouble
{
    public readonly double Hi, Lo;

    public DoubleDouble(double hi, double lo = 0)
    {
        Hi = hi;
        Lo = lo;
    }

    private static readonly DoubleDouble s_ln2 = new(0.6931471805599453, 2.3190468138462996e-17);

    public static implicit operator DoubleDouble(double value) => new(value);

    public double ToDouble() => Hi + Lo;

    private static DoubleDouble TwoSum(double a, double b)
    {
        double s = a + b, bb = s - a;
        return new(s, (a - (s - bb)) + (b - bb));
    }

    private static DoubleDouble QuickTwoSum(double a, double b)
    {
        double s = a + b;
        return new(s, b - (s - a));
    }

    public static DoubleDouble operator +(DoubleDouble a, DoubleDouble b)
    {
        var s = TwoSum(a.Hi, b.Hi);
        var t = TwoSum(a.Lo, b.Lo);
        var v = QuickTwoSum(s.Hi, s.Lo + t.Hi);
        return QuickTwoSum(v.Hi, v.Lo + t.Lo);
    }

    public static DoubleDouble operator -(DoubleDouble a) => new(-a.Hi, -a.Lo);

    public static DoubleDouble operator -(DoubleDouble a, DoubleDouble b) => a + -b;

    public static DoubleDouble operator *(DoubleDouble a, DoubleDouble b)
    {
        double p = a.Hi * b.Hi;
        double e = Math.FusedMultiplyAdd(a.Hi, b.Hi, -p) + (a.Hi * b.Lo + a.Lo * b.Hi);
        return QuickTwoSum(p, e);
    }

    public static DoubleDouble operator /(DoubleDouble a, DoubleDouble b)
    {
        double q1 = a.Hi / b.Hi;
        var r = a - b * q1;
        double q2 = r.Hi / b.Hi;
        r -= b * q2;
        double q3 = r.Hi / b.Hi;
        return QuickTwoSum(q1, q2) + q3;
    }

    public static DoubleDouble Exp(DoubleDouble x)
    {
        if (double.IsNegativeInfinity(x.Hi) || x.Hi < -745)
        {
            return 0;
        }

        double k = Math.Round(x.Hi / s_ln2.Hi);
        var r = (x - s_ln2 * k) * (1.0 / 1024); // |r| < 0.00034: exact scaling by a power of two
        DoubleDouble term = 1, sum = 1;
        for (int n = 1; n <= 12; n++)
        {
            term = term * r / n;
            sum += term;
        }

        for (int i = 0; i < 10; i++)
        {
            sum *= sum;
        }

        return new(Math.ScaleB(sum.Hi, (int)k), Math.ScaleB(sum.Lo, (int)k));
    }

    public static DoubleDouble Log(DoubleDouble x)
    {
        DoubleDouble y = Math.Log(x.Hi);
        return y + x * Exp(-y) - 1; // one Newton step doubles the 53 correct bits of Math.Log
    }
}
