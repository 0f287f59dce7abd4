using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace FixedShapeLoss.Tests.Generator;

/// <summary>
/// The generator's rule, proven on generated declarations: if it reports no error, the generated code compiles
/// without warnings and has the declared options; otherwise one diagnostic per problem, at its place in the input,
/// or none where the compiler already reports the attribute (<see cref="FuzzOracle"/>). A few hundred variants
/// run in every test run; <c>FSL_FUZZ_COUNT</c> and <c>FSL_FUZZ_SEED</c> set the count and the seed of a long run
/// (<c>FSL_FUZZ_COUNT=10000 dotnet test --filter FuzzTests</c>). A failure names its seed and index, which
/// reproduce it alone (<c>FSL_FUZZ_SEED=s FSL_FUZZ_START=i FSL_FUZZ_COUNT=1</c>).
/// </summary>
public class FuzzTests
{
    private const int DefaultCount = 200;
    private const int DefaultSeed = 20261130;

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : fallback;

    /// <summary>Whether the emitter writes double kernels yet (the element type is parsed before every member is
    /// emitted for it); until it does, double kernels get no user member whose clash depends on the element type.</summary>
    private static readonly Lazy<bool> s_doubleKernels = new(() =>
    {
        var (result, _) = GeneratorHarness.Run("[FixedShapeLoss.LossKernel(Batch = 1, Classes = 2, ElementType = typeof(double))]\nstatic partial class Probe { }\n");
        return result.GeneratedTrees.Any(t => t.ToString().Contains("global::System.ReadOnlySpan<double> logits", StringComparison.Ordinal));
    });

    [Fact]
    public void GeneratedDeclarations_CompileCleanlyOrGetPreciseDiagnostics()
    {
        int seed = Setting("FSL_FUZZ_SEED", DefaultSeed);
        int start = Setting("FSL_FUZZ_START", 0);
        int count = Setting("FSL_FUZZ_COUNT", DefaultCount);
        var empty = FuzzOracle.Empty(GeneratorHarness.References);

        var failures = new List<string>();
        for (int i = start; i < start + count; i++)
        {
            var variant = DeclarationFuzzer.Create(seed, i, s_doubleKernels.Value);
            string? failure = FuzzOracle.Check(variant, empty);
            if (failure is not null)
            {
                failures.Add($"seed {seed}, {variant}\n---- {failure}");
            }
        }

        Assert.True(failures.Count == 0,
            $"{failures.Count} of {count} variants broke the rule (seed {seed}); the first:\n\n" + string.Join("\n\n", failures.Take(3)));
    }

    [Fact]
    public void DefaultRun_CoversEveryDiagnosticAndOption()
    {
        // The default run exercises every diagnostic the generator can report from source (FSL010 cannot be
        // reached), every language version, both nullable contexts and valid kernels of every kind.
        var variants = Enumerable.Range(0, DefaultCount).Select(i => DeclarationFuzzer.Create(DefaultSeed, i, s_doubleKernels.Value)).ToList();

        var ids = variants.SelectMany(v => v.ExpectedFsl).Distinct().OrderBy(id => id, StringComparer.Ordinal);
        Assert.Equal(Enumerable.Range(1, 14).Where(i => i != 10).Select(i => $"FSL{i:000}"), ids);
        Assert.Equal(8, variants.Select(v => v.Version).Distinct().Count());
        Assert.Contains(variants, v => v.Version == LanguageVersion.CSharp7_3 && v.Kernels.Count > 0);
        Assert.Contains(variants, v => v.Nullable && v.Kernels.Count > 0);
        Assert.Contains(variants, v => !v.Nullable && v.Kernels.Count > 0);
        Assert.Contains(variants, v => v.Kernels.Count > 1);
        Assert.Contains(variants, v => v.Kernels.Any(k => k.LabelSmoothing > 0f));
        Assert.Contains(variants, v => v.Kernels.Any(k => k.Batch > 16));
        Assert.Contains(variants, v => v.Kernels.Any(k => k.Classes == 1) && v.ExpectedFsl.Count == 0 && !v.CompilerError); // a single output
        Assert.Contains(variants, v => v.Kernels.Count > 0 && v.Sources.Count > 1);
        Assert.Contains(variants, v => v.CompilerError && v.ExpectedFsl.Count == 0);
        Assert.Contains(variants, v => v.TokenMutated);
        Assert.True(variants.Count(v => v.Kernels.Count > 0) >= DefaultCount / 4, "too few valid variants");
        Assert.Contains(variants, v => v.Kernels.Count > 0 && v.Sources[0].Contains("ElementType = typeof(double)", StringComparison.Ordinal));
        Assert.Contains(variants, v => v.Kernels.Count > 0 && v.Sources[0].Contains("ElementType = typeof(float)", StringComparison.Ordinal));
        Assert.Contains(variants, v => v.CheckOverflow && v.Kernels.Count > 0);
        if (s_doubleKernels.Value)
        {
            Assert.Contains(variants, v => v.Kernels.Any(k => k.Double));
        }
    }
}
