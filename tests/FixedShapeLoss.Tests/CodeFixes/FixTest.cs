using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeActions;
using Xunit;
using FixedShapeLoss.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace FixedShapeLoss.Tests.CodeFixes;

/// <summary>A code-fix test (Microsoft.CodeAnalysis.CSharp.CodeFix.Testing) with the generator running on the
/// project, compiled against this process's framework assemblies and the runtime library (no reference packs are
/// downloaded).</summary>
internal sealed class FixTest<TAnalyzer, TFix> : CSharpCodeFixTest<TAnalyzer, TFix, DefaultVerifier>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TFix : CodeFixProvider, new()
{
    private static readonly MetadataReference[] s_references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
        .Split(Path.PathSeparator)
        .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
        .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
        .Append(MetadataReference.CreateFromFile(typeof(LossKernelAttribute).Assembly.Location))
        .ToArray();

    public FixTest(string source, string fixedSource)
    {
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        // The generated files are the snapshot tests' business; here they only make the kernels exist.
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        TestState.Sources.Add(source);
        TestState.AdditionalReferences.AddRange(s_references);
        FixedState.Sources.Add(fixedSource);
    }

    protected override IEnumerable<Type> GetSourceGenerators() => new[] { typeof(LossKernelGenerator) };
}

/// <summary>
/// Fixes for the generator's own diagnostics, applied on an <see cref="AdhocWorkspace"/>. CodeFix.Testing 1.1.4 sees
/// generator diagnostics when it verifies the initial state but not when it applies fixes (its fix loop takes
/// analyzer and compilation diagnostics only), so these tests run the generator, hand each diagnostic of the
/// expected ID to the provider, apply its one action, and check the text and that the diagnostic is gone.
/// </summary>
internal static class GeneratorFix
{
    /// <summary>The generator's diagnostics of <paramref name="source"/> with ID <paramref name="id"/>, each fixed in turn
    /// (re-running the generator after each); returns the final text. <paramref name="expectedActions"/> is how many
    /// fixes the provider offers for the first diagnostic.</summary>
    public static async Task<string> ApplyAsync(CodeFixProvider provider, string source, string id, int expectedActions = 1)
    {
        using var workspace = new AdhocWorkspace();
        var document = workspace.AddProject("Consumer", LanguageNames.CSharp)
            .WithParseOptions(new CSharpParseOptions(LanguageVersion.Latest))
            .AddMetadataReferences(s_references)
            .AddDocument("Source0.cs", source);
        for (int round = 0; ; round++)
        {
            var diagnostic = (await Diagnostics(document)).FirstOrDefault(d => d.Id == id);
            if (diagnostic is null)
            {
                Assert.True(round > 0, $"The generator reported no {id}.");
                return (await document.GetTextAsync()).ToString();
            }

            var actions = new List<CodeAction>();
            await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), CancellationToken.None));
            Assert.Equal(round == 0 ? expectedActions : 1, actions.Count);
            if (actions.Count == 0)
            {
                return (await document.GetTextAsync()).ToString();
            }

            var operation = (await actions[0].GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>().Single();
            document = operation.ChangedSolution.GetDocument(document.Id)!;
            Assert.True(round < 4, "The fix does not converge.");
        }
    }

    private static async Task<ImmutableArray<Diagnostic>> Diagnostics(Document document)
    {
        var compilation = (await document.Project.GetCompilationAsync())!;
        return CSharpGeneratorDriver.Create(new LossKernelGenerator()).RunGenerators(compilation).GetRunResult().Diagnostics;
    }

    private static readonly MetadataReference[] s_references = FixedShapeLoss.Tests.Generator.GeneratorHarness.Compile().References.ToArray();
}
