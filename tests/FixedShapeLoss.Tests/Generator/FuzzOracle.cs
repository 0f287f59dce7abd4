using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using FixedShapeLoss.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FixedShapeLoss.Tests.Generator;

/// <summary>
/// Runs one <see cref="DeclarationFuzzer.Variant"/> through <see cref="CSharpGeneratorDriver"/> and checks the rule a
/// user relies on: the generator never throws (no exception, no CS8785) and never reports FSL010; every FSL
/// diagnostic is an error at a place inside the input, reported once; the generated files add no error and no
/// warning to the compilation; and the FSL IDs are exactly the ones the variant's defects call for, or none where
/// the compiler already reports the attribute. A valid variant gets one file per kernel, with its options.
/// </summary>
internal static class FuzzOracle
{
    /// <summary>Null when the variant passes, else what went wrong. <paramref name="empty"/> is a compilation of
    /// no source with the references; each variant's compilation derives from it, which reuses its bound references
    /// (creating a compilation from the references each time costs more than the rest of the check).</summary>
    public static string? Check(DeclarationFuzzer.Variant v, CSharpCompilation empty)
    {
        var parse = new CSharpParseOptions(v.Version);
        var trees = v.Sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parse, path: $"Source{i}.cs")).ToArray();
        var compilation = empty
            .WithOptions(empty.Options
                .WithNullableContextOptions(v.Nullable ? NullableContextOptions.Enable : NullableContextOptions.Disable)
                .WithOverflowChecks(v.CheckOverflow))
            .AddSyntaxTrees(trees);

        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new LossKernelGenerator().AsSourceGenerator() }, parseOptions: parse);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var driverDiagnostics);
        var run = driver.GetRunResult();

        var problems = new List<string>();
        if (run.Results[0].Exception is { } exception)
        {
            problems.Add("the generator threw: " + exception);
        }

        var inputDiagnostics = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        var outputDiagnostics = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        if (driverDiagnostics.Concat(outputDiagnostics).Any(d => d.Id == "CS8785"))
        {
            problems.Add("CS8785");
        }

        var fsl = run.Diagnostics.Where(d => d.Id.StartsWith("FSL", StringComparison.Ordinal)).ToList();
        foreach (var d in fsl)
        {
            if (d.Id == DiagnosticDescriptors.InternalErrorId)
            {
                problems.Add("FSL010: " + d.GetMessage(CultureInfo.InvariantCulture));
            }

            if (d.Severity != DiagnosticSeverity.Error)
            {
                problems.Add($"{d.Id} is not an error");
            }

            // The generator keeps plain values (path and span), so its locations are external-file locations.
            var lineSpan = d.Location.GetLineSpan();
            var tree = trees.FirstOrDefault(t => t.FilePath == lineSpan.Path);
            if (tree is null || d.Location.SourceSpan.End > tree.Length || tree.GetLineSpan(d.Location.SourceSpan).StartLinePosition != lineSpan.StartLinePosition)
            {
                problems.Add($"{d.Id} is not at a place in the input: {d.Location}");
            }
        }

        foreach (var group in fsl.GroupBy(d => (d.Id, d.Location.GetLineSpan().Path, d.Location.SourceSpan)).Where(g => g.Count() > 1))
        {
            problems.Add($"{group.Key.Id} reported {group.Count()} times at {group.First().Location}");
        }

        // The generated files add no error and no warning (anywhere: CS0102 may land in the user's file).
        var before = new HashSet<string>(inputDiagnostics.Select(Key), StringComparer.Ordinal);
        foreach (var d in outputDiagnostics.Where(d => !before.Contains(Key(d))))
        {
            problems.Add($"the generated code adds {d.Severity} {d.Id} at {d.Location.SourceTree?.FilePath}{d.Location.GetLineSpan().StartLinePosition}: {d.GetMessage(CultureInfo.InvariantCulture)}");
        }

        if (!v.TokenMutated && !v.Lenient)
        {
            var actual = fsl.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal).ToList();
            if (!actual.SequenceEqual(v.ExpectedFsl))
            {
                problems.Add($"FSL IDs [{string.Join(", ", actual)}], expected [{string.Join(", ", v.ExpectedFsl)}]: "
                    + string.Join(" | ", fsl.Select(d => $"{d.Id} at {d.Location.GetLineSpan().StartLinePosition}: {d.GetMessage(CultureInfo.InvariantCulture)}")));
            }

            bool inputErrors = inputDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
            if (v.CompilerError != inputErrors && !(v.CompilerError && v.ExpectedFsl.Count > 0))
            {
                problems.Add(v.CompilerError
                    ? "expected a compiler error in the input, got none"
                    : "the input does not compile (a fuzzer defect?): " + string.Join(" | ", inputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(3).Select(d => $"{d.Id} {d.GetMessage(CultureInfo.InvariantCulture)}")));
            }

            var generated = run.Results[0].GeneratedSources;
            if (v.Kernels.Count > 0)
            {
                if (generated.Length != v.Kernels.Count)
                {
                    problems.Add($"{generated.Length} files generated for {v.Kernels.Count} kernels");
                }

                foreach (var kernel in v.Kernels)
                {
                    problems.AddRange(CheckKernel(kernel, generated));
                }
            }
            else if (v.ExpectedFsl.Count > 0 && !v.CompilerError && generated.Length > 0 && !v.Notes.Any(n => n.StartsWith("sibling", StringComparison.Ordinal)))
            {
                problems.Add($"{generated.Length} files generated for a kernel with an FSL error");
            }
        }

        return problems.Count == 0 ? null : string.Join("\n", problems);
    }

    /// <summary>The kernel's file: named after its full name, declaring its class with the declared options
    /// (read from the generated constants, which are the public contract, not from the header comment).</summary>
    private static IEnumerable<string> CheckKernel(DeclarationFuzzer.Kernel kernel, ImmutableArray<GeneratedSourceResult> generated)
    {
        string name = kernel.Name.TrimStart('@');
        string shown = SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None ? name : kernel.Name;
        string stem = string.Join(".", new[] { kernel.Namespace?.Replace("@", string.Empty) }.Concat(kernel.Containers).Append(name).Where(n => n is not null));
        var declaration = new Regex($@"partial class {Regex.Escape(shown)}\r?\n");
        var file = generated.FirstOrDefault(g => g.HintName.StartsWith(stem + ".LossKernel.", StringComparison.OrdinalIgnoreCase)
            && declaration.IsMatch(g.SourceText.ToString()));
        if (file.SourceText is null)
        {
            yield return $"no file named after {stem} declares 'partial class {shown}'";
            yield break;
        }

        string text = file.SourceText.ToString();
        string smoothing = kernel.LabelSmoothing == 0f ? "0" : kernel.LabelSmoothing.ToString("R", CultureInfo.InvariantCulture);
        var expected = new[]
        {
            $"public const int Batch = {kernel.Batch.ToString(CultureInfo.InvariantCulture)};",
            $"public const int Classes = {kernel.Classes.ToString(CultureInfo.InvariantCulture)};",
            $"public const int IgnoreIndex = {kernel.IgnoreIndex.ToString(CultureInfo.InvariantCulture)};",
            $"Reduction = global::FixedShapeLoss.LossReduction.{kernel.Reduction};",
            $"global::System.ReadOnlySpan<{(kernel.Double ? "double" : "float")}> logits",
        };
        foreach (string line in expected.Where(line => !text.Contains(line, StringComparison.Ordinal)))
        {
            yield return $"{file.HintName} lacks '{line}'";
        }

        if (!Regex.IsMatch(text, $@"public const (float|double) LabelSmoothing = {Regex.Escape(smoothing)}[fFdD]?;"))
        {
            yield return $"{file.HintName} lacks LabelSmoothing = {smoothing}";
        }
    }

    /// <summary>A compilation of no source, with the references every variant needs.</summary>
    public static CSharpCompilation Empty(IEnumerable<MetadataReference> references) =>
        CSharpCompilation.Create("Fuzz", Array.Empty<SyntaxTree>(), references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, warningLevel: 9999)); // every warning, as the strictest project

    private static string Key(Diagnostic d) => $"{d.Id}|{d.Location.SourceTree?.FilePath}|{d.Location.SourceSpan}|{d.GetMessage(CultureInfo.InvariantCulture)}";
}
