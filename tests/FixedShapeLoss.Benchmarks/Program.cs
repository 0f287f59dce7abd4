using BenchmarkDotNet.Running;

namespace FixedShapeLoss.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project tests/FixedShapeLoss.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
