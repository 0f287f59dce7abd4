using System;
using System.Collections.Immutable;
using System.Linq;
using FixedShapeLoss.Generator.Analyzers;
using FixedShapeLoss.Tests.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace FixedShapeLoss.Tests.Analyzers;

/// <summary>Runs <see cref="ShapeAnalyzer"/> on source text, after the generator has added the kernels.</summary>
internal static class AnalyzerHarness
{
    public const string Usings = "using System;\nusing FixedShapeLoss;\n\nnamespace Consumer;\n\n";

    /// <summary>The generator on <paramref name="source"/>, then the analyzer on the result. The program must
    /// otherwise compile: only FSL1xx diagnostics, sorted by position.</summary>
    public static ImmutableArray<Diagnostic> Analyze(string source, LanguageVersion version = LanguageVersion.Latest)
    {
        var (_, output) = GeneratorHarness.Run(version, source);
        return Analyze(output);
    }

    /// <summary>The analyzer on a compilation as it is (no generator run): for hand-written stand-ins of
    /// generated members, in trees named like the generator's.</summary>
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation)
    {
        var errors = GeneratorHarness.CompileErrors(compilation);
        Assert.True(errors.IsEmpty, "The program does not compile: " + string.Join(Environment.NewLine, errors));
        var diagnostics = compilation
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ShapeAnalyzer()))
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        Assert.All(diagnostics, d => Assert.StartsWith("FSL1", d.Id, StringComparison.Ordinal));
        return diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
    }

    /// <summary>Exactly the expected diagnostics, in source order: each ID, exact message and exact span (the text
    /// <c>At</c>, found right after <c>Before</c> when given).</summary>
    public static void Expect(string source, ImmutableArray<Diagnostic> diagnostics, params (string Id, string Message, string At, string? Before)[] expected)
    {
        Assert.Equal(expected.Length, diagnostics.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            DiagnosticAssert.Is(diagnostics[i], expected[i].Id, expected[i].Message);
            DiagnosticAssert.At(diagnostics[i], source, expected[i].At, expected[i].Before);
        }
    }

    /// <summary>A program with a kernel class declaration and a method body.</summary>
    public static string Program(string body, string kernels = "[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Loss4x7 { }\n", string members = "") =>
        Usings + kernels + "\npublic static class Caller\n{\n" + members + "    public static void Run()\n    {\n" + body + "\n    }\n}\n";
}
