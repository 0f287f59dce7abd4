using System;
using BenchmarkDotNet.Running;

namespace FixedShapeLoss.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project tests/FixedShapeLoss.Benchmarks -- --filter '*'</c>;
/// <c>-- --report</c> prints the machine and the loss ratios to paste (see <see cref="Report"/>); <c>-- --alternating</c>
/// times the 4 x 7 kernels and the naive loops alternately in one process (see <see cref="Alternating"/>).</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (Array.IndexOf(args, "--report") >= 0)
        {
            return Report.Run();
        }

        if (Array.IndexOf(args, "--alternating") >= 0)
        {
            return Alternating.Run();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
