using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using FixedShapeLoss.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace FixedShapeLoss.Tests.Generator;

/// <summary>
/// A second run of the driver on an equivalent compilation must reuse every named step and every source
/// output (<see cref="IncrementalStepRunReason.Cached"/> or <see cref="IncrementalStepRunReason.Unchanged"/>),
/// and no pipeline model may hold a symbol, syntax node, tree, compilation, semantic model or location.
/// </summary>
public class IncrementalityTests
{
    private static readonly string[] s_stepNames = { TrackingNames.Parsed, TrackingNames.Specs, TrackingNames.Diagnostics };

    private const string Kernels = """
        using FixedShapeLoss;

        namespace Consumer;

        [LossKernel(Batch = 4, Classes = 7)]
        public static partial class Loss4x7 { }

        [LossKernel(Batch = 32, Classes = 10, Reduction = LossReduction.Sum, LabelSmoothing = 0.1f)]
        internal static partial class Loss32x10 { }

        [LossKernel(Batch = 0, Classes = 7)]
        public static partial class Invalid { }
        """;

    private const string Unrelated = """
        namespace Consumer;

        public static class Helper
        {
            public static int One() => 1;
        }
        """;

    [Fact]
    public void SecondRun_NothingChanged_EverythingIsCached()
    {
        var compilation = GeneratorHarness.Compile(Kernels, Unrelated);

        var (first, second) = RunTwice(compilation, compilation);

        AssertStepsPresent(first);
        AssertReused(second, onlyCached: true);
        AssertSameOutput(first, second);
    }

    [Fact]
    public void SecondRun_ClonedCompilation_EverythingIsReused()
    {
        var compilation = GeneratorHarness.Compile(Kernels, Unrelated);

        var (first, second) = RunTwice(compilation, compilation.Clone());

        AssertReused(second);
        AssertSameOutput(first, second);
    }

    [Fact]
    public void SecondRun_UnrelatedSyntaxTreeAdded_EverythingIsReused()
    {
        var compilation = GeneratorHarness.Compile(Kernels, Unrelated);
        var added = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Consumer;\n\npublic sealed class Extra { public int Value { get; set; } }\n",
            new CSharpParseOptions(LanguageVersion.Latest),
            path: "Extra.cs"));

        var (first, second) = RunTwice(compilation, added);

        AssertReused(second);
        AssertSameOutput(first, second);
    }

    [Fact]
    public void SecondRun_CommentAndWhitespaceEditInUnrelatedFile_EverythingIsReused()
    {
        var compilation = GeneratorHarness.Compile(Kernels, Unrelated);
        var edited = Edit(compilation, "Source1.cs", text => text
            .Replace("public static int One() => 1;", "public static int One()   =>   1; // one\n\n")
            .Insert(0, "// A comment at the top of an unrelated file.\n"));

        var (first, second) = RunTwice(compilation, edited);

        AssertReused(second);
        AssertSameOutput(first, second);
    }

    [Fact]
    public void SecondRun_CommentAfterTheKernelsInTheirOwnFile_EverythingIsReused()
    {
        var compilation = GeneratorHarness.Compile(Kernels, Unrelated);
        var edited = Edit(compilation, "Source0.cs", text => text + "\n// Trailing comment; nothing above moves.\n");

        var (first, second) = RunTwice(compilation, edited);

        AssertReused(second);
        AssertSameOutput(first, second);
    }

    [Fact]
    public void SecondRun_CommentAboveValidKernels_SpecsAndSourcesAreReused()
    {
        // Only valid classes: their specs hold no location, so moving them down a line changes nothing.
        string valid = Kernels.Substring(0, Kernels.IndexOf("[LossKernel(Batch = 0", StringComparison.Ordinal));
        var compilation = GeneratorHarness.Compile(valid, Unrelated);
        var edited = Edit(compilation, "Source0.cs", text => "// A new first line.\n" + text);

        var (first, second) = RunTwice(compilation, edited);

        AssertReused(second);
        AssertSameOutput(first, second);
    }

    [Fact]
    public void SecondRun_ClassesChanged_SpecIsModifiedAndOnlyItsSourceChanges()
    {
        var compilation = GeneratorHarness.Compile(Kernels, Unrelated);
        var edited = Edit(compilation, "Source0.cs", text => text.Replace("Batch = 4, Classes = 7", "Batch = 4, Classes = 8"));

        var (first, second) = RunTwice(compilation, edited);

        var specs = Outputs(second, TrackingNames.Specs);
        Assert.Equal(2, specs.Length);
        Assert.Single(specs, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Single(specs, o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
        Assert.Single(Outputs(second, TrackingNames.Parsed), o => o.Reason == IncrementalStepRunReason.Modified);

        // Its diagnostics (none) are re-derived from the modified parse but compare equal.
        Assert.All(Outputs(second, TrackingNames.Diagnostics), o => AssertReason(o.Reason, onlyCached: false, TrackingNames.Diagnostics));

        string before = Source(first, "Consumer.Loss4x7.LossKernel.g.cs");
        string after = Source(second, "Consumer.Loss4x7.LossKernel.g.cs");
        Assert.NotEqual(before, after);
        Assert.Contains("Classes = 7", before, StringComparison.Ordinal);
        Assert.Contains("Classes = 8", after, StringComparison.Ordinal);
        Assert.Equal(Source(first, "Consumer.Loss32x10.LossKernel.g.cs"), Source(second, "Consumer.Loss32x10.LossKernel.g.cs"));

        // The unchanged class's source output is reused, the changed one's is not.
        var sourceOutputs = second.Results[0].TrackedOutputSteps
            .SelectMany(s => s.Value)
            .SelectMany(step => step.Outputs)
            .Select(o => (Names: HintNames(o.Value), o.Reason))
            .Where(o => o.Names.Length > 0)
            .ToArray();
        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(sourceOutputs, o => o.Names.Contains("Consumer.Loss4x7.LossKernel.g.cs")).Reason);
        Assert.Contains(Assert.Single(sourceOutputs, o => o.Names.Contains("Consumer.Loss32x10.LossKernel.g.cs")).Reason,
            new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
    }

    [Fact]
    public void PipelineOutputs_HoldNoSymbolSyntaxCompilationOrLocation()
    {
        // Invalid classes too, so that diagnostics (with their locations) flow through the pipeline.
        string more = """
            using FixedShapeLoss;

            namespace Consumer.Nested;

            public partial class Outer
            {
                [LossKernel(Batch = 2, Classes = 3, IgnoreIndex = 0)]
                private static partial class Inner { }
            }

            [LossKernel(Batch = 2, Classes = 3, LabelSmoothing = 2f)]
            public static class NotPartial { public static int Batch; }
            """;
        var compilation = GeneratorHarness.Compile(Kernels, more);

        var (first, second) = RunTwice(compilation, compilation.Clone());

        var visitedTypes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var result in new[] { first, second })
        {
            foreach (string name in s_stepNames)
            {
                foreach (var step in result.Results[0].TrackedSteps[name])
                {
                    foreach (var (value, _) in step.Outputs)
                    {
                        var banned = ObjectGraph.FindBanned(value, visitedTypes);
                        Assert.True(banned.Count == 0, $"Step {name} holds {string.Join(", ", banned)}");
                    }
                }
            }
        }

        // The walk did reach the models, so the check is not vacuous.
        Assert.Contains("KernelSpec", visitedTypes);
        Assert.Contains("ContainingTypeSpec", visitedTypes);
        Assert.Contains("DiagnosticInfo", visitedTypes);
        Assert.Contains("LocationInfo", visitedTypes);
    }

    [Fact]
    public void ObjectGraphCheck_FindsBannedObjectsInsideTuplesRecordsAndArrays()
    {
        var tree = CSharpSyntaxTree.ParseText("class C { }", path: "C.cs");
        var compilation = CSharpCompilation.Create("X", new[] { tree });
        var symbol = compilation.GetTypeByMetadataName("C")!;

        Assert.NotEmpty(ObjectGraph.FindBanned((1, tree)));
        Assert.NotEmpty(ObjectGraph.FindBanned(new Holder(new object[] { "a", new Holder(tree.GetRoot()) })));
        Assert.NotEmpty(ObjectGraph.FindBanned(ImmutableArray.Create<object>(symbol)));
        Assert.NotEmpty(ObjectGraph.FindBanned(new Holder(compilation)));
        Assert.NotEmpty(ObjectGraph.FindBanned(new Holder(compilation.GetSemanticModel(tree))));
        Assert.NotEmpty(ObjectGraph.FindBanned(((object)"x", new[] { symbol.Locations[0] })));
        Assert.NotEmpty(ObjectGraph.FindBanned(new Holder(tree.GetRoot().GetFirstToken())));
        Assert.Empty(ObjectGraph.FindBanned((1, "text", new Holder(new TextSpan(1, 2)), ImmutableArray.Create(1.5f))));
    }

    private sealed record Holder(object Value);

    // ---- helpers ----

    private static (GeneratorDriverRunResult First, GeneratorDriverRunResult Second) RunTwice(Compilation first, Compilation second)
    {
        var driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(first);
        var firstResult = driver.GetRunResult();
        var secondResult = driver.RunGenerators(second).GetRunResult();
        Assert.Null(firstResult.Results[0].Exception);
        Assert.Null(secondResult.Results[0].Exception);
        return (firstResult, secondResult);
    }

    private static Compilation Edit(Compilation compilation, string path, Func<string, string> edit)
    {
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        string text = tree.GetText().ToString();
        var newText = SourceText.From(edit(text));
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(newText));
    }

    private static void AssertStepsPresent(GeneratorDriverRunResult result)
    {
        foreach (string name in s_stepNames)
        {
            Assert.True(result.Results[0].TrackedSteps.ContainsKey(name), $"Step {name} did not run");
            Assert.NotEmpty(Outputs(result, name));
        }
    }

    private static void AssertReused(GeneratorDriverRunResult second, bool onlyCached = false)
    {
        foreach (string name in s_stepNames)
        {
            var outputs = Outputs(second, name);
            Assert.NotEmpty(outputs);
            Assert.All(outputs, o => AssertReason(o.Reason, onlyCached, name));
        }

        var sourceOutputs = second.Results[0].TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(step => step.Outputs).ToArray();
        Assert.NotEmpty(sourceOutputs);
        Assert.All(sourceOutputs, o => AssertReason(o.Reason, onlyCached, "source output"));
    }

    private static void AssertReason(IncrementalStepRunReason reason, bool onlyCached, string step)
    {
        bool ok = onlyCached
            ? reason == IncrementalStepRunReason.Cached
            : reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged;
        Assert.True(ok, $"{step}: {reason}");
    }

    private static void AssertSameOutput(GeneratorDriverRunResult first, GeneratorDriverRunResult second)
    {
        var a = first.Results[0].GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())).OrderBy(s => s.HintName, StringComparer.Ordinal);
        var b = second.Results[0].GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())).OrderBy(s => s.HintName, StringComparer.Ordinal);
        Assert.Equal(a, b);
        Assert.Equal(first.Diagnostics.Select(d => d.ToString()), second.Diagnostics.Select(d => d.ToString()));
    }

    private static ImmutableArray<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorDriverRunResult result, string name) =>
        result.Results[0].TrackedSteps.TryGetValue(name, out var steps)
            ? steps.SelectMany(s => s.Outputs).ToImmutableArray()
            : ImmutableArray<(object, IncrementalStepRunReason)>.Empty;

    private static string Source(GeneratorDriverRunResult result, string hintName) =>
        result.Results[0].GeneratedSources.Single(s => s.HintName == hintName).SourceText.ToString();

    /// <summary>The hint names in a source-output step value: a tuple of the generated sources (Roslyn's
    /// internal <c>GeneratedSourceText</c>, read by reflection) and the diagnostics.</summary>
    private static string[] HintNames(object value)
    {
        var sources = value.GetType().GetField("Item1")?.GetValue(value) as IEnumerable;
        return sources is null
            ? Array.Empty<string>()
            : sources.Cast<object>().Select(s => (string)s.GetType().GetProperty("HintName")!.GetValue(s)!).ToArray();
    }
}

/// <summary>
/// Walks an object graph through fields (public and private, of the type and its bases), the elements of
/// collections, and the properties of the generator's own types, and reports every object that would pin a
/// compilation in a cached pipeline step.
/// </summary>
internal static class ObjectGraph
{
    private static readonly Type[] s_banned =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Compilation), typeof(SemanticModel), typeof(Location),
        typeof(SyntaxToken), typeof(SyntaxTrivia), typeof(SyntaxReference), typeof(AttributeData),
    };

    private static readonly Assembly s_generatorAssembly = typeof(LossKernelGenerator).Assembly;

    public static List<string> FindBanned(object? root, ISet<string>? visitedTypes = null)
    {
        var found = new List<string>();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Visit(root, "value", 0);
        return found;

        void Visit(object? node, string path, int depth)
        {
            if (node is null)
            {
                return;
            }

            Type type = node.GetType();
            if (s_banned.Any(b => b.IsAssignableFrom(type)))
            {
                found.Add($"{path}: {type.FullName}");
                return;
            }

            if (type.IsPrimitive || type.IsEnum || node is string || node is decimal || node is Type || node is MemberInfo || node is Delegate || node is Pointer)
            {
                return;
            }

            if (!type.IsValueType && !visited.Add(node))
            {
                return;
            }

            Assert.True(depth < 64, $"Object graph deeper than 64 at {path}");
            visitedTypes?.Add(type.Name);

            if (node is IEnumerable items)
            {
                int i = 0;
                foreach (object? item in items)
                {
                    Visit(item, $"{path}[{i++}]", depth + 1);
                }
            }

            for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
            {
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (!field.FieldType.IsPointer)
                    {
                        Visit(field.GetValue(node), $"{path}.{field.Name}", depth + 1);
                    }
                }
            }

            if (type.Assembly == s_generatorAssembly)
            {
                foreach (var property in type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
                {
                    if (property.GetIndexParameters().Length == 0 && property.GetMethod is not null)
                    {
                        Visit(property.GetValue(node), $"{path}.{property.Name}", depth + 1);
                    }
                }
            }
        }
    }
}
