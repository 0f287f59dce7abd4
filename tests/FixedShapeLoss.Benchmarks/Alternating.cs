using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace FixedShapeLoss.Benchmarks;

/// <summary>
/// <c>--alternating</c>: the generated 4 x 7 kernels (double and float, forward and backward) against the benchmarks'
/// own naive loops, timed alternately in one process: 100,000 calls of the naive method, then 100,000 of the kernel,
/// repeated (80 pairs per line, after 10 warm-up pairs), and the median of the pairs' ratios printed with its quartiles.
/// A supplement to the BenchmarkDotNet runs, for a small kernel on a shared host: BenchmarkDotNet measures the naive loop
/// and the kernel minutes apart, and on the hosts we have measured on a call's time drifts by more than 30% between
/// phases of a second or so (4 x 7 double forward: 52-57 ns in one phase, 77-87 ns in the next, the same code and
/// data), which moves a ratio from two separate runs by as much; timed in alternation, both sides of a ratio share a
/// phase. Both sides are called through a delegate, as BenchmarkDotNet calls them (about 1 ns a call, which lowers the
/// ratio slightly); timing the naive side alone instead of alternated gave the same naive times.
/// </summary>
internal static class Alternating
{
    private const int Calls = 100_000;
    private const int Pairs = 80;
    private const int WarmupPairs = 10;

    private static double s_sink; // the results, kept so the calls are not removed

    public static int Run()
    {
        var d = new Double4x7Benchmarks();
        d.SingleThread();
        var f = new Loss4x7Benchmarks();
        f.SingleThread();
        Console.WriteLine("| 4 x 7 | naive (median) | generated (median) | ratio: median (quartiles) |");
        Console.WriteLine("|---|---:|---:|---:|");
        Line("double forward", d.NaiveForward, d.GeneratedForward);
        Line("double backward", d.NaiveBackward, d.GeneratedBackward);
        Line("float forward", () => f.NaiveForward(), () => f.GeneratedForward());
        Line("float backward", () => f.NaiveBackward(), () => f.GeneratedBackward());
        return 0;
    }

    private static void Line(string name, Func<double> naive, Func<double> generated)
    {
        var naiveTimes = new double[Pairs];
        var generatedTimes = new double[Pairs];
        var ratios = new double[Pairs];
        for (int k = -WarmupPairs; k < Pairs; k++)
        {
            double n = Time(naive);
            double g = Time(generated);
            if (k >= 0)
            {
                naiveTimes[k] = n;
                generatedTimes[k] = g;
                ratios[k] = n / g;
            }
        }

        Array.Sort(naiveTimes);
        Array.Sort(generatedTimes);
        Array.Sort(ratios);
        Console.WriteLine($"| {name} | {naiveTimes[Pairs / 2]:F1} ns | {generatedTimes[Pairs / 2]:F1} ns | {ratios[Pairs / 2]:F2}x ({ratios[Pairs / 4]:F2}-{ratios[3 * Pairs / 4]:F2}) |");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Time(Func<double> body)
    {
        double sink = 0;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < Calls; i++)
        {
            sink += body();
        }

        double nanoseconds = Stopwatch.GetElapsedTime(start).TotalNanoseconds / Calls;
        s_sink += sink;
        return nanoseconds;
    }
}
