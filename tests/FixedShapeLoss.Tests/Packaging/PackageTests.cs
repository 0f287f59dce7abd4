using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace FixedShapeLoss.Tests.Packaging;

/// <summary>
/// The package as a user gets it: <c>dotnet pack</c> of the runtime into a temporary feed, then a fresh console
/// project outside the repository (no Directory.Build.props, Directory.Packages.props or global.json of ours) that
/// restores FixedShapeLoss from that feed into a private packages folder, declares a kernel, builds for net8.0 and
/// net10.0 with nullable enabled and disabled (warnings as errors, implicit usings off, default language versions)
/// and runs on net10.0, printing a loss checked here against an independent double-precision reference.
/// Filter: <c>dotnet test --filter Category=Packaging</c> (or <c>Category!=Packaging</c> to skip it).
/// </summary>
[Trait("Category", "Packaging")]
public sealed class PackageTests : IClassFixture<PackageTests.PackedPackage>
{
    /// <summary>Logits of the consumer program, 4 x 7 row-major; the program's source is written from these.</summary>
    private static readonly float[] s_logits =
    {
        0.5f, -1.25f, 2f, 0.125f, -0.75f, 1.5f, -2.5f,
        1f, 0f, 3.25f, -0.5f, 0.75f, -1f, 0.25f,
        -0.3f, 0.8f, -1.7f, 2.2f, 0.05f, -0.9f, 1.1f,
        0f, 0f, 0f, 0f, 0f, 0f, 0f,
    };

    private static readonly int[] s_targets = { 6, 2, 4, 3 };

    private const int Batch = 4, Classes = 7;

    private readonly PackedPackage _package;
    private readonly ITestOutputHelper _output;

    public PackageTests(PackedPackage package, ITestOutputHelper output)
    {
        _package = package;
        _output = output;
    }

    [Fact]
    public void Package_carries_library_docs_generator_and_readme_and_no_roslyn_dependency()
    {
        _output.WriteLine(_package.Log);
        using ZipArchive zip = ZipFile.OpenRead(_package.NupkgPath);
        string[] entries = zip.Entries.Select(e => e.FullName).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        string listing = string.Join(Environment.NewLine, entries);
        _output.WriteLine(listing);

        foreach (string expected in new[]
                 {
                     "lib/net8.0/FixedShapeLoss.dll",
                     "lib/net8.0/FixedShapeLoss.xml",
                     "analyzers/dotnet/cs/FixedShapeLoss.Generator.dll",
                     "analyzers/dotnet/cs/FixedShapeLoss.CodeFixes.dll",
                     "README.md",
                 })
        {
            Assert.True(entries.Contains(expected), $"{expected} is missing from {Path.GetFileName(_package.NupkgPath)}:{Environment.NewLine}{listing}");
        }

        // Roslyn is the generator's build-time dependency only: no copy of it travels in the package.
        Assert.DoesNotContain(entries, e => e.Contains("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
        // The generator is an analyzer, never a library the consumer compiles against.
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generator", StringComparison.Ordinal));

        ZipArchiveEntry nuspecEntry = Assert.Single(zip.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        XDocument nuspec;
        using (Stream stream = nuspecEntry.Open())
        {
            nuspec = XDocument.Load(stream);
        }

        string nuspecText = nuspec.ToString();
        string[] dependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => (string?)e.Attribute("id") ?? "").ToArray();
        Assert.False(
            dependencies.Any(d => d.StartsWith("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase) || d.StartsWith("FixedShapeLoss", StringComparison.OrdinalIgnoreCase)),
            "The nuspec must not depend on Roslyn or on the generator project:" + Environment.NewLine + nuspecText);

        string Metadata(string name) =>
            nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim() ?? "";
        Assert.Equal("FixedShapeLoss", Metadata("id"));
        Assert.Equal(_package.Version, Metadata("version"));
        Assert.Equal("MIT", Metadata("license"));
        Assert.Equal("README.md", Metadata("readme"));
        Assert.False(string.IsNullOrWhiteSpace(Metadata("description")) || Metadata("description") == "Package Description", nuspecText);
        Assert.False(string.IsNullOrWhiteSpace(Metadata("tags")), nuspecText);
    }

    [Fact]
    public void Fresh_consumer_builds_for_net8_and_net10_with_nullable_on_and_off_and_runs()
    {
        _output.WriteLine(_package.Log);
        string root = ConsumerRoot("consumers");
        string packages = Path.Combine(_package.WorkDirectory, "packages");

        string[] variants = { "enable", "disable" };
        var solution = new StringBuilder("<Solution>\n");
        foreach (string nullable in variants)
        {
            string dir = Path.Combine(root, "nullable-" + nullable);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, ConsumerName(nullable) + ".csproj"), ConsumerProject(nullable, _package.Version));
            File.WriteAllText(Path.Combine(dir, "Program.cs"), ConsumerProgram());
            solution.Append($"  <Project Path=\"nullable-{nullable}/{ConsumerName(nullable)}.csproj\" />\n");
        }

        solution.Append("</Solution>\n");
        File.WriteAllText(Path.Combine(root, "Consumers.slnx"), solution.ToString());

        var env = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = packages };
        ProcessResult build = DotNet.Run(root, env, TimeSpan.FromMinutes(5),
            "build", "Consumers.slnx", "-c", "Release", "-tl:off", "-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false");
        _output.WriteLine(build.Describe());
        Assert.True(build.ExitCode == 0, "The consumer build failed:" + Environment.NewLine + build.Describe());

        string[] ourWarnings = build.Output.Split('\n')
            .Where(line => line.Contains("warning", StringComparison.OrdinalIgnoreCase))
            .Where(line => line.Contains("FixedShapeLoss", StringComparison.OrdinalIgnoreCase) || line.Contains("Loss4x7", StringComparison.Ordinal) || line.Contains("Consumer", StringComparison.Ordinal))
            .ToArray();
        Assert.True(ourWarnings.Length == 0, "The consumer saw warnings from FixedShapeLoss:" + Environment.NewLine + string.Join(Environment.NewLine, ourWarnings));

        double expected = ReferenceLoss();
        foreach (string nullable in variants)
        {
            string dir = Path.Combine(root, "nullable-" + nullable);
            string name = ConsumerName(nullable);

            // The kernel came from the packaged generator, and Roslyn did not flow into the consumer's graph.
            foreach (string tfm in new[] { "net8.0", "net10.0" })
            {
                string generated = Path.Combine(dir, "obj", "Release", tfm, "generated");
                Assert.True(
                    Directory.Exists(generated) && Directory.EnumerateFiles(generated, "*Loss4x7*", SearchOption.AllDirectories).Any(),
                    $"No generated Loss4x7 source under {generated} ({nullable}, {tfm}).");
                Assert.True(File.Exists(Path.Combine(dir, "bin", "Release", tfm, name + ".dll")), $"{tfm} output of {name} missing.");
            }

            string assets = File.ReadAllText(Path.Combine(dir, "obj", "project.assets.json"));
            Assert.DoesNotContain("Microsoft.CodeAnalysis", assets, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("fixedshapeloss/" + _package.Version.ToLowerInvariant(), assets, StringComparison.OrdinalIgnoreCase);

            // Only net10.0 runs: the machine has no .NET 8 runtime.
            ProcessResult run = DotNet.Run(dir, env, TimeSpan.FromMinutes(1), Path.Combine(dir, "bin", "Release", "net10.0", name + ".dll"));
            _output.WriteLine(run.Describe());
            Assert.True(run.ExitCode == 0, $"The consumer ({nullable}) failed:" + Environment.NewLine + run.Describe());

            string? line = run.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("loss=", StringComparison.Ordinal));
            Assert.True(line is not null, "No 'loss=' line:" + Environment.NewLine + run.Describe());
            double actual = double.Parse(line!.Substring("loss=".Length), NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.True(
                Math.Abs(actual - expected) <= 1e-5 * Math.Abs(expected),
                $"Loss {actual.ToString("R", CultureInfo.InvariantCulture)} differs from the reference {expected.ToString("R", CultureInfo.InvariantCulture)} ({nullable}).");
        }
    }

    /// <summary>A folder for consumer projects, walled off from anything above it, with a NuGet.config that adds the fresh
    /// feed to the machine's sources and a private packages folder (no FixedShapeLoss from the global cache is seen).</summary>
    private string ConsumerRoot(string name)
    {
        string root = Path.Combine(_package.WorkDirectory, name);
        string packages = Path.Combine(_package.WorkDirectory, "packages");
        Directory.CreateDirectory(root);

        // Walls against anything above the temporary folder (MSBuild stops at the first file it finds).
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(root, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(root, "Directory.Packages.props"), "<Project />\n");
        // The feed with the fresh package, on top of the sources the machine is configured with (the normal registry,
        // for the net8.0 targeting pack); a private packages folder, so no FixedShapeLoss from the global cache is seen.
        File.WriteAllText(Path.Combine(root, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{packages}" />
              </config>
              <packageSources>
                <add key="FixedShapeLoss.PackageTests" value="{_package.FeedDirectory}" />
              </packageSources>
            </configuration>
            """);
        return root;
    }

    /// <summary>The analyzer in the package: a wrong-length array, a wrong-length stackalloc and an out-of-range constant
    /// target each fail the consumer's build with their FSL1xx ID at the argument or element (MSBuild's 1-based line and
    /// column); the correct program builds with no warning (the test above).</summary>
    [Fact]
    public void Fresh_consumer_gets_shape_errors_at_compile_time()
    {
        _output.WriteLine(_package.Log);
        string root = ConsumerRoot("shape-errors");
        string dir = Path.Combine(root, "ShapeErrors");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "ShapeErrors.csproj"), ConsumerProject("enable", _package.Version).Replace("net8.0;net10.0", "net10.0", StringComparison.Ordinal));
        string program = """
            using System;
            using FixedShapeLoss;

            namespace Consumer
            {
                [LossKernel(Batch = 4, Classes = 7)]
                public static partial class Loss4x7 { }

                public static class Program
                {
                    public static int Main()
                    {
                        float[] logits = new float[27];
                        int[] targets = { 7, 0, 1, 2 };
                        Span<float> gradient = stackalloc float[Loss4x7.Length - 1];
                        float loss = Loss4x7.CrossEntropyLossBackward(logits, targets, gradient);
                        Console.WriteLine(loss);
                        return 0;
                    }
                }
            }
            """.ReplaceLineEndings("\n");
        File.WriteAllText(Path.Combine(dir, "Program.cs"), program);

        var env = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(_package.WorkDirectory, "packages") };
        ProcessResult build = DotNet.Run(dir, env, TimeSpan.FromMinutes(5),
            "build", "-c", "Release", "-tl:off", "-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false");
        _output.WriteLine(build.Describe());
        Assert.True(build.ExitCode != 0, "The build with shape errors succeeded:" + Environment.NewLine + build.Describe());

        string At(string anchor, string text)
        {
            int index = program.IndexOf(anchor, StringComparison.Ordinal) + anchor.IndexOf(text, StringComparison.Ordinal);
            int line = program.Take(index).Count(c => c == '\n') + 1;
            int column = index - program.LastIndexOf('\n', index - 1);
            return $"Program.cs({line},{column})";
        }

        string[] expected =
        {
            At("CrossEntropyLossBackward(logits", "logits") + ": error FSL101: 'logits' has 27 elements; Loss4x7 takes 28 (Batch 4 x Classes 7)",
            At("{ 7, 0", "7") + ": error FSL102: 'targets[0]' is 7; Loss4x7 takes a class index from 0 to 6 (Classes 7)",
            At("targets, gradient)", "gradient") + ": error FSL101: 'gradient' has 27 elements; Loss4x7 takes 28 (Batch 4 x Classes 7)",
        };
        string[] errors = build.Output.Split('\n').Where(l => l.Contains(": error ", StringComparison.Ordinal)).Select(l => l.Trim()).Distinct().ToArray();
        foreach (string error in expected)
        {
            Assert.True(errors.Any(l => l.Contains(error, StringComparison.Ordinal)), $"Missing '{error}' in:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        }

        // Nothing else: exactly these three, no compiler error from the generated code.
        Assert.Equal(3, errors.Select(l => l.Substring(0, l.IndexOf(" [", StringComparison.Ordinal) is var end and > 0 ? end : l.Length)).Distinct().Count());
    }

    /// <summary>torch.nn.CrossEntropyLoss(reduction='mean') in double: textbook log-softmax, NLL, mean.</summary>
    private static double ReferenceLoss()
    {
        double total = 0;
        for (int i = 0; i < Batch; i++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < Classes; j++) max = Math.Max(max, s_logits[i * Classes + j]);
            double sum = 0;
            for (int j = 0; j < Classes; j++) sum += Math.Exp(s_logits[i * Classes + j] - max);
            double logSumExp = max + Math.Log(sum);
            total += logSumExp - s_logits[i * Classes + s_targets[i]];
        }

        return total / Batch;
    }

    private static string ConsumerName(string nullable) => "ConsumerNullable" + char.ToUpperInvariant(nullable[0]) + nullable.Substring(1);

    private static string ConsumerProject(string nullable, string version) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFrameworks>net8.0;net10.0</TargetFrameworks>
            <Nullable>{nullable}</Nullable>
            <ImplicitUsings>disable</ImplicitUsings>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
            <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
            <!-- Only our code is under test: an SDK that calls net8.0 out of support must not fail the build. -->
            <CheckEolTargetFramework>false</CheckEolTargetFramework>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="FixedShapeLoss" Version="[{version}]" />
          </ItemGroup>
        </Project>
        """;

    private static string ConsumerProgram()
    {
        string F(float v) => v.ToString("R", CultureInfo.InvariantCulture) + "f";
        var rows = new StringBuilder();
        for (int i = 0; i < Batch; i++)
        {
            rows.Append("                ");
            rows.Append(string.Join(", ", Enumerable.Range(0, Classes).Select(j => F(s_logits[i * Classes + j]))));
            rows.Append(",\n");
        }

        return $$"""
            using System;
            using System.Globalization;
            using FixedShapeLoss;

            namespace Consumer
            {
                [LossKernel(Batch = 4, Classes = 7)]
                public static partial class Loss4x7 { }

                public static class Program
                {
                    public static int Main()
                    {
                        float[] logits =
                        {
            {{rows}}            };
                        int[] targets = { {{string.Join(", ", s_targets)}} };
                        float loss = Loss4x7.CrossEntropyLoss(logits, targets);
                        Console.WriteLine("loss=" + loss.ToString("R", CultureInfo.InvariantCulture));
                        return 0;
                    }
                }
            }
            """;
    }

    /// <summary>Packs the runtime once for every test of the class into a temporary feed, with a unique version.</summary>
    public sealed class PackedPackage : IDisposable
    {
        public PackedPackage()
        {
            RepositoryRoot = TestData.RepositoryRoot;
            WorkDirectory = Path.Combine(Path.GetTempPath(), "FixedShapeLoss.PackageTests", Guid.NewGuid().ToString("N"));
            FeedDirectory = Path.Combine(WorkDirectory, "feed");
            Directory.CreateDirectory(FeedDirectory);
            // Unique, so neither a cache nor a feed can answer with a stale FixedShapeLoss of the same version.
            Version = "0.0.0-packagetest.t" + Guid.NewGuid().ToString("N");

            // Release and its own artifacts folder: nothing is shared with the Debug build running these tests.
            ProcessResult pack = DotNet.Run(RepositoryRoot, new Dictionary<string, string?>(), TimeSpan.FromMinutes(5),
                "pack", Path.Combine(RepositoryRoot, "runtime", "FixedShapeLoss.csproj"),
                "-c", "Release", "-o", FeedDirectory, "--artifacts-path", Path.Combine(WorkDirectory, "artifacts"),
                "-p:Version=" + Version, "-tl:off", "-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false");
            Log = pack.Describe();
            if (pack.ExitCode != 0) throw new InvalidOperationException("dotnet pack failed:" + Environment.NewLine + Log);

            NupkgPath = Path.Combine(FeedDirectory, $"FixedShapeLoss.{Version}.nupkg");
            if (!File.Exists(NupkgPath))
            {
                throw new InvalidOperationException($"{NupkgPath} was not produced; the feed has: "
                    + string.Join(", ", Directory.GetFiles(FeedDirectory).Select(Path.GetFileName)) + Environment.NewLine + Log);
            }
        }

        public string RepositoryRoot { get; }

        public string WorkDirectory { get; }

        public string FeedDirectory { get; }

        public string Version { get; }

        public string NupkgPath { get; }

        public string Log { get; }

        public void Dispose()
        {
            try
            {
                Directory.Delete(WorkDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private sealed record ProcessResult(string Command, string WorkingDirectory, int ExitCode, string Output, TimeSpan Elapsed)
    {
        public string Describe() =>
            $"$ {Command}  (in {WorkingDirectory}; exit {ExitCode}; {Elapsed.TotalSeconds:F1} s){Environment.NewLine}{Output}";
    }

    private static class DotNet
    {
        /// <summary>Runs the dotnet host as a child process with a timeout; stdout and stderr together, in order of arrival.</summary>
        public static ProcessResult Run(string workingDirectory, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, params string[] arguments)
        {
            string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";
            var start = new ProcessStartInfo(host)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in arguments) start.ArgumentList.Add(argument);

            // The test host runs inside `dotnet test`, whose MSBuild variables would point a child build at the
            // parent's MSBuild and SDK resolver state: drop them so the child is an ordinary command-line build.
            foreach (string name in start.Environment.Keys.ToArray())
            {
                if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                {
                    start.Environment.Remove(name);
                }
            }

            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
            start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
            start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            foreach (KeyValuePair<string, string?> pair in environment) start.Environment[pair.Key] = pair.Value;

            var text = new StringBuilder();
            void Append(string? line)
            {
                if (line is null) return;
                lock (text) text.AppendLine(line);
            }

            string command = Path.GetFileName(host) + " " + string.Join(" ", arguments);
            var clock = Stopwatch.StartNew();
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit((int)timeout.TotalMilliseconds))
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }

                process.WaitForExit(10_000);
                lock (text) text.AppendLine($"(killed after {timeout.TotalSeconds:F0} s)");
                return new ProcessResult(command, workingDirectory, -1, Snapshot(text), clock.Elapsed);
            }

            // The process has exited; wait (bounded) for the end of its redirected output.
            try
            {
                using var drained = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                process.WaitForExitAsync(drained.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
            }

            return new ProcessResult(command, workingDirectory, process.ExitCode, Snapshot(text), clock.Elapsed);
        }

        private static string Snapshot(StringBuilder text)
        {
            lock (text) return text.ToString();
        }
    }
}
