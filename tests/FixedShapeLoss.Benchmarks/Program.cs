using System;
using BenchmarkDotNet.Running;

namespace FixedShapeLoss.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project tests/FixedShapeLoss.Benchmarks -- --filter '*'</c>;
/// <c>-- --report</c> prints the machine and the loss ratios to paste (see <see cref="Report"/>).</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (Array.IndexOf(args, "--report") >= 0)
        {
            return Report.Run();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
