using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using FixedShapeLoss.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FixedShapeLoss.Tests.Generator;

/// <summary>Runs <see cref="LossKernelGenerator"/> through a real <see cref="CSharpGeneratorDriver"/> on source text.</summary>
internal static class GeneratorHarness
{
    /// <summary>The references of every test compilation: the platform's System assemblies and the runtime library.</summary>
    public static ImmutableArray<MetadataReference> References => s_lazyReferences.Value;

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_lazyReferences = new(() =>
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
        return platform.Append(MetadataReference.CreateFromFile(typeof(LossKernelAttribute).Assembly.Location)).ToImmutableArray();
    });

    public static CSharpCompilation Compile(params string[] sources) => Compile(LanguageVersion.Latest, sources);

    public static CSharpCompilation Compile(LanguageVersion version, params string[] sources) =>
        CSharpCompilation.Create(
            "Consumer",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(version), path: $"Source{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver(bool trackSteps = false, LanguageVersion version = LanguageVersion.Latest) =>
        CSharpGeneratorDriver.Create(
            new[] { new LossKernelGenerator().AsSourceGenerator() },
            parseOptions: new CSharpParseOptions(version),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator once; returns its result and the compilation that includes the generated files.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(params string[] sources) => Run(LanguageVersion.Latest, sources);

    /// <summary><see cref="Run(string[])"/> for a project of the given C# version (the sources and the generated files).</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(LanguageVersion version, params string[] sources)
    {
        var compilation = Compile(version, sources);
        var driver = Driver(version: version).RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver.GetRunResult(), output);
    }

    /// <summary>Generated source of the single generated file.</summary>
    public static string GeneratedSource(GeneratorDriverRunResult result) =>
        result.Results.Single().GeneratedSources.Single().SourceText.ToString();

    /// <summary>Errors and warnings of the compilation that includes the generated code.</summary>
    public static ImmutableArray<Diagnostic> CompileErrors(Compilation output) =>
        output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();
}
