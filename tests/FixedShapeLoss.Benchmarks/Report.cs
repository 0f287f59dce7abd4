using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Environments;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;

namespace FixedShapeLoss.Benchmarks;

/// <summary>
/// <c>--report</c>: the machine (CPU model, the ISA the JIT uses) and, for the plain cross-entropy (mean) forward and
/// backward at 4 x 7, 32 x 10 and 256 x 1000, the generated kernel against the naive loops and the TensorPrimitives
/// composition of <see cref="LossBenchmarks"/>, as one Markdown block to paste. Short BenchmarkDotNet job (one
/// launch, 100 ms iterations; the classes' warm-up and iteration counts stay), a few minutes in all.
/// </summary>
internal static class Report
{
    private static readonly (string Shape, Type Benchmarks)[] s_shapes =
    {
        ("4 x 7", typeof(Loss4x7Benchmarks)),
        ("32 x 10", typeof(Loss32x10Benchmarks)),
        ("256 x 1000", typeof(Loss256x1000Benchmarks)),
    };

    public static int Run()
    {
        IReadOnlyList<string> machine = Machine();
        Console.WriteLine("FixedShapeLoss benchmark report: running BenchmarkDotNet (a few minutes) ...");
        foreach (string line in machine)
        {
            Console.WriteLine(line);
        }

        IConfig config = ManualConfig.CreateEmpty()
            .AddJob(Job.Default.WithId("Report").WithLaunchCount(1).WithIterationTime(TimeInterval.FromMilliseconds(100)))
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(new ProgressLogger())
            .WithOption(ConfigOptions.DisableLogFile, true)
            .WithOption(ConfigOptions.JoinSummary, true);
        Summary summary = BenchmarkRunner.Run(s_shapes.Select(s => s.Benchmarks).ToArray(), config).Single();

        var table = new List<string>
        {
            "| shape | kernel | naive | TensorPrimitives | generated | vs naive | vs TensorPrimitives |",
            "|---|---|---:|---:|---:|---:|---:|",
        };
        bool complete = true;
        foreach ((string shape, Type type) in s_shapes)
        {
            foreach (string kernel in new[] { "Forward", "Backward" })
            {
                double? naive = Median(summary, type, "Naive" + kernel);
                double? primitives = Median(summary, type, "TensorPrimitives" + kernel);
                double? generated = Median(summary, type, "Generated" + kernel);
                complete &= naive is not null && primitives is not null && generated is not null;
                table.Add($"| {shape} | {kernel.ToLowerInvariant()} | {Time(naive)} | {Time(primitives)} | {Time(generated)} | {Ratio(naive, generated)} | {Ratio(primitives, generated)} |");
            }
        }

        Console.WriteLine();
        Console.WriteLine("```");
        foreach (string line in machine)
        {
            Console.WriteLine(line);
        }

        Console.WriteLine("Medians of one BenchmarkDotNet run (short job), single thread; ratios = other / generated.");
        Console.WriteLine("```");
        Console.WriteLine();
        foreach (string line in table)
        {
            Console.WriteLine(line);
        }

        return complete ? 0 : 1;
    }

    /// <summary>CPU model, cores, OS and runtime, and the ISA the JIT uses (its vector widths and instruction sets,
    /// with any DOTNET_ setting that changes them).</summary>
    private static IReadOnlyList<string> Machine()
    {
        var lines = new List<string>
        {
            $"CPU: {CpuModel()}, {Environment.ProcessorCount} logical cores",
            $"OS: {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture}",
            $"JIT ISA: Vector512.IsHardwareAccelerated={Vector512.IsHardwareAccelerated}, Vector256={Vector256.IsHardwareAccelerated}, Vector128={Vector128.IsHardwareAccelerated}; "
                + $"Avx512F.IsSupported={Avx512F.IsSupported}, Avx2={Avx2.IsSupported}, Fma={Fma.IsSupported}, AdvSimd={AdvSimd.IsSupported}",
        };
        string[] knobs = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("DOTNET_Enable", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_PreferredVectorBitWidth", StringComparison.OrdinalIgnoreCase))
            .OrderBy(k => k, StringComparer.Ordinal)
            .Select(k => k + "=" + Environment.GetEnvironmentVariable(k))
            .ToArray();
        lines.Add("JIT settings: " + (knobs.Length == 0 ? "defaults" : string.Join(" ", knobs)));
        if (File.Exists("/proc/loadavg"))
        {
            // Other work on the machine shows in every column: a load above the core count means noisy numbers.
            lines.Add("Load average at start: " + string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)));
        }

        return lines;
    }

    /// <summary>The CPU's model string: /proc/cpuinfo on Linux (model name with family/model on x86; implementer and
    /// part on ARM), else what BenchmarkDotNet detects.</summary>
    private static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var fields = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (string line in File.ReadLines("/proc/cpuinfo"))
                {
                    int colon = line.IndexOf(':');
                    if (colon > 0)
                    {
                        fields.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
                    }
                }

                if (fields.TryGetValue("model name", out string? name))
                {
                    return fields.TryGetValue("cpu family", out string? family) && fields.TryGetValue("model", out string? model)
                        ? $"{name} (family {family} model {model})"
                        : name;
                }

                if (fields.TryGetValue("CPU implementer", out string? implementer) && fields.TryGetValue("CPU part", out string? part))
                {
                    return $"ARM CPU implementer {implementer} part {part}";
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return HostEnvironmentInfo.GetCurrent().Cpu.Value.ProcessorName ?? RuntimeInformation.ProcessArchitecture + " (model unknown)";
    }

    private static double? Median(Summary summary, Type type, string method)
    {
        BenchmarkReport? report = summary.Reports.FirstOrDefault(r =>
            r.BenchmarkCase.Descriptor.Type == type && r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method);
        return report?.ResultStatistics?.Median;
    }

    private static string Time(double? nanoseconds) => nanoseconds switch
    {
        null => "failed",
        < 10_000 => nanoseconds.Value.ToString("N1", CultureInfo.InvariantCulture) + " ns",
        _ => (nanoseconds.Value / 1000).ToString("N1", CultureInfo.InvariantCulture) + " µs",
    };

    private static string Ratio(double? other, double? generated) =>
        other is null || generated is null ? "—" : (other.Value / generated.Value).ToString("F1", CultureInfo.InvariantCulture) + "×";

    /// <summary>BenchmarkDotNet's console output reduced to progress and errors (the report is printed at the end).</summary>
    private sealed class ProgressLogger : ILogger
    {
        public string Id => nameof(ProgressLogger);

        public int Priority => 0;

        public void Write(LogKind logKind, string text)
        {
        }

        public void WriteLine()
        {
        }

        public void WriteLine(LogKind logKind, string text)
        {
            if ((logKind == LogKind.Error && !text.Contains("No exporters defined", StringComparison.Ordinal))
                || text.StartsWith("// Benchmark: ", StringComparison.Ordinal))
            {
                Console.Error.WriteLine(text);
            }
        }

        public void Flush()
        {
        }
    }
}
