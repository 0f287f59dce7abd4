using System;
using System.Collections.Immutable;
using System.Linq;
using FixedShapeLoss.Generator;
using Microsoft.CodeAnalysis;
using Xunit;

namespace FixedShapeLoss.Tests.Generator;

/// <summary>
/// The generator never throws, whatever the input: a generator exception would surface as CS8785 and in
/// <see cref="GeneratorRunResult.Exception"/>. Broken input gets the generator's diagnostics where they help,
/// or none where the compiler already reports the problem; these tests pin which.
/// </summary>
public class RobustnessTests
{
    private const string Usings = "using System;\nusing FixedShapeLoss;\n\nnamespace Consumer;\n\n";

    [Fact]
    public void StringForBatch_LeavesTheErrorToTheCompiler()
    {
        string source = Usings + "[LossKernel(Batch = \"four\", Classes = 7)]\npublic static partial class Loss { }\n";

        var run = RunSafely(source);

        // The value is unknown, so no "Batch must be at least 1, but it is 0"; the compiler's CS0029 stands.
        Assert.Empty(run.Result.Diagnostics);
        Assert.Empty(run.Result.GeneratedTrees);
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS0029");
    }

    [Theory]
    [InlineData("Batch = Missing.Value, Classes = 7", "CS0103")]
    [InlineData("Batch = 4, Classes = 7, Reduction = LossReduction.None", "CS0117")]
    [InlineData("Batch = 4, Classes = 7, LabelSmoothing = \"0.1\"", "CS0029")]
    [InlineData("Batch = 4, Classes = 7, IgnoreIndex = null", "CS0037")]
    public void UnboundArgument_LeavesTheErrorToTheCompilerAndGeneratesNothing(string arguments, string compilerError)
    {
        string source = Usings + $"[LossKernel({arguments})]\npublic static partial class Loss {{ }}\n";

        var run = RunSafely(source);

        Assert.Empty(run.Result.Diagnostics);
        Assert.Empty(run.Result.GeneratedTrees);
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == compilerError);
    }

    [Fact]
    public void MaxValueShape_IsTooLarge()
    {
        string source = Usings + "[LossKernel(Batch = int.MaxValue, Classes = int.MaxValue)]\npublic static partial class Loss { }\n";

        var run = RunSafely(source);

        var d = Assert.Single(run.Result.Diagnostics);
        DiagnosticAssert.Is(d, DiagnosticDescriptors.ShapeTooLargeId,
            "Batch × Classes is 4611686014132420609, more than the largest span length the kernels can take (2147483591); use a smaller Batch or Classes");
        DiagnosticAssert.At(d, source, "LossKernel(Batch = int.MaxValue, Classes = int.MaxValue)");
        Assert.Empty(run.Result.GeneratedTrees);
    }

    [Fact]
    public void NegativeShape_ReportsBothArguments()
    {
        string source = Usings + "[LossKernel(Batch = -5, Classes = -5)]\npublic static partial class Loss { }\n";

        var run = RunSafely(source);

        Assert.Equal(2, run.Result.Diagnostics.Length);
        var batch = run.Result.Diagnostics.Single(d => d.Id == DiagnosticDescriptors.InvalidBatchId);
        DiagnosticAssert.Is(batch, DiagnosticDescriptors.InvalidBatchId,
            "Batch must be at least 1, but it is -5; set Batch to the number of rows, for example [LossKernel(Batch = 4, Classes = 7)]");
        DiagnosticAssert.At(batch, source, "Batch = -5");
        var classes = run.Result.Diagnostics.Single(d => d.Id == DiagnosticDescriptors.InvalidClassesId);
        DiagnosticAssert.Is(classes, DiagnosticDescriptors.InvalidClassesId,
            "Classes must be at least 1, but it is -5; set Classes to the number of classes (1 for a single binary output), for example [LossKernel(Batch = 4, Classes = 7)]");
        DiagnosticAssert.At(classes, source, "Classes = -5");
        Assert.Empty(run.Result.GeneratedTrees);
    }

    [Fact]
    public void DuplicateNamedArgument_IsTheCompilersError()
    {
        string source = Usings + "[LossKernel(Classes = 7, Batch = 4, Batch = 5)]\npublic static partial class Loss { }\n";

        var run = RunSafely(source);

        Assert.Empty(run.Result.Diagnostics);
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS0643");
    }

    [Theory]
    [InlineData("float.NaN", "NaN")]
    [InlineData("float.PositiveInfinity", "Infinity")]
    [InlineData("float.NegativeInfinity", "-Infinity")]
    public void NonFiniteLabelSmoothing_IsReported(string literal, string rendered)
    {
        string source = Usings + $"[LossKernel(LabelSmoothing = {literal}, Batch = 2, Classes = 2)]\npublic static partial class Loss {{ }}\n";

        var run = RunSafely(source);

        var d = Assert.Single(run.Result.Diagnostics);
        DiagnosticAssert.Is(d, DiagnosticDescriptors.InvalidLabelSmoothingId,
            $"LabelSmoothing must be a number from 0 to 1, but it is {rendered}; use 0 to turn smoothing off or a value such as 0.1");
        DiagnosticAssert.At(d, source, $"LabelSmoothing = {literal}");
        Assert.Empty(run.Result.GeneratedTrees);
    }

    [Theory]
    [InlineData("public partial record Loss { }")]
    [InlineData("public partial record class Loss { }")]
    [InlineData("public sealed partial record Loss(int Value);")]
    public void RecordClass_IsReported(string declaration)
    {
        // A record class takes the attribute (it is a class) but gets FSL011 at its name, and no kernels.
        string source = Usings + "[LossKernel(Batch = 2, Classes = 2)]\n" + declaration + "\n";

        var run = RunSafely(source);

        var d = Assert.Single(run.Result.Diagnostics);
        DiagnosticAssert.Is(d, DiagnosticDescriptors.UnsupportedClassKindId,
            "'Loss' is a record; the generated kernels need a plain partial class, so declare it as 'static partial class Loss'");
        DiagnosticAssert.At(d, source, "Loss", before: declaration.Contains("record class", StringComparison.Ordinal) ? "class " : "record ");
        Assert.Empty(run.Result.GeneratedTrees);
    }

    [Fact]
    public void RecordStruct_IsTheCompilersError()
    {
        string source = Usings + "[LossKernel(Batch = 2, Classes = 2)]\npublic partial record struct S { }\n";

        var run = RunSafely(source);

        Assert.Empty(run.Result.Diagnostics);
        Assert.Empty(run.Result.GeneratedTrees);
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS0592");
    }

    [Fact]
    public void StructOrInterface_IsTheCompilersError()
    {
        string source = Usings
            + "[LossKernel(Batch = 2, Classes = 2)]\npublic partial struct S { }\n"
            + "[LossKernel(Batch = 2, Classes = 2)]\npublic partial interface I { }\n";

        var run = RunSafely(source);

        Assert.Empty(run.Result.Diagnostics);
        Assert.Empty(run.Result.GeneratedTrees);
        Assert.Equal(2, run.Output.GetDiagnostics().Count(d => d.Id == "CS0592"));
    }

    [Fact]
    public void FileScopedNamespace_Generates()
    {
        string source = "using FixedShapeLoss;\n\nnamespace Consumer.Kernels;\n\n[LossKernel(Batch = 2, Classes = 2)]\npublic static partial class Loss { }\n";

        var run = RunSafely(source);

        Assert.Empty(run.Result.Diagnostics);
        Assert.Equal("Consumer.Kernels.Loss.LossKernel.g.cs", Assert.Single(run.Result.Results[0].GeneratedSources).HintName);
    }

    [Fact]
    public void SyntaxErrorInTheClassBody_StillGeneratesAndReportsNothing()
    {
        string source = Usings + "[LossKernel(Batch = 2, Classes = 2)]\npublic static partial class Loss\n{\n    public static void M( { }\n    int = ;\n}\n";

        var run = RunSafely(source);

        Assert.Empty(run.Result.Diagnostics);
        Assert.Equal("Consumer.Loss.LossKernel.g.cs", Assert.Single(run.Result.Results[0].GeneratedSources).HintName);
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS1026");
    }

    [Fact]
    public void ClassWithoutAName_IsLeftToTheCompiler()
    {
        // Used to generate "Consumer..LossKernel.g.cs" declaring a class without a name: more errors, in generated code.
        string source = Usings + "[LossKernel(Batch = 2, Classes = 2)]\npublic static partial class\n{\n}\n";

        var run = RunSafely(source);

        Assert.Empty(run.Result.Diagnostics);
        Assert.Empty(run.Result.GeneratedTrees);
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS1001");
    }

    [Theory]
    [InlineData("[LossKernel(Batch = 2, Classes = 2)]\n", null)]
    [InlineData("[LossKernel(Batch = 2, Classes = 2\npublic static partial class Loss { }\n", null)] // the compiler reports the attribute
    [InlineData("[LossKernel(Batch = 2, Classes = 2)]\npublic static partial class Loss\n", "Consumer.Loss.LossKernel.g.cs")]
    [InlineData("[LossKernel(Batch = 2, Classes = 2)]\npublic static partial class Loss : { }\n", "Consumer.Loss.LossKernel.g.cs")]
    [InlineData("public partial class\n{\n    [LossKernel(Batch = 2, Classes = 2)]\n    public static partial class Loss { }\n}\n", "Consumer.Loss.LossKernel.g.cs")]
    public void IncompleteDeclarations_DoNotThrow(string body, string? hintName)
    {
        var run = RunSafely(Usings + body);

        // The compiler reports the syntax error; the generator adds none of its own and generates where it can
        // (not from an attribute the compiler reports: its values are not known to be what the user meant).
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("CS", StringComparison.Ordinal));
        Assert.Empty(run.Result.Diagnostics);
        Assert.Equal(hintName is null ? Array.Empty<string>() : new[] { hintName }, run.Result.Results[0].GeneratedSources.Select(s => s.HintName));
    }

    [Fact]
    public void EscapedKeywordNames_AreEscapedInTheGeneratedCodeAndDroppedFromTheFileName()
    {
        // '@' in a hint name made AddSource throw (CS8785), and '@class' was emitted as 'class class'.
        string source = "using FixedShapeLoss;\n\nnamespace @event.@checked;\n\npublic static partial class @static\n{\n"
            + "    [LossKernel(Batch = 2, Classes = 2)]\n    public static partial class @class { }\n}\n";

        var run = RunSafely(source);

        Assert.Empty(run.Result.Diagnostics);
        var file = Assert.Single(run.Result.Results[0].GeneratedSources);
        Assert.Equal("event.checked.static.class.LossKernel.g.cs", file.HintName);
        Assert.Empty(file.SyntaxTree.GetDiagnostics());
        string text = file.SourceText.ToString();
        Assert.Contains("namespace @event.@checked", text, StringComparison.Ordinal);
        Assert.Contains("partial class @static", text, StringComparison.Ordinal);
        Assert.Contains("partial class @class", text, StringComparison.Ordinal);
    }

    [Fact]
    public void NeedlesslyEscapedAndUnicodeNames_Generate()
    {
        string source = "using FixedShapeLoss;\n\nnamespace Données;\n\n[LossKernel(Batch = 2, Classes = 2)]\npublic static partial class @Perte_Λ { }\n";

        var run = RunSafely(source);

        Assert.Empty(run.Result.Diagnostics);
        var file = Assert.Single(run.Result.Results[0].GeneratedSources);
        Assert.Equal("Données.Perte_Λ.LossKernel.g.cs", file.HintName);
        Assert.Empty(file.SyntaxTree.GetDiagnostics());
    }

    [Fact]
    public void MisspelledAttribute_IsIgnored()
    {
        string source = Usings + "[LossKernl(Batch = 2, Classes = 2)]\npublic static partial class Loss { }\n";

        var run = RunSafely(source);

        Assert.Empty(run.Result.Diagnostics);
        Assert.Empty(run.Result.GeneratedTrees);
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS0246");
    }

    [Fact]
    public void AttributeOfTheSameNameInAnotherNamespace_IsIgnored()
    {
        string source = "namespace Other { public sealed class LossKernelAttribute : System.Attribute { public int Batch { get; set; } public int Classes { get; set; } } }\n"
            + "namespace Consumer { [Other.LossKernel(Batch = 2, Classes = 2)] public static partial class Loss { } }\n";

        var run = RunSafely(source);

        Assert.Empty(run.Result.Diagnostics);
        Assert.Empty(run.Result.GeneratedTrees);
    }

    [Theory]
    [InlineData("using FixedShapeLoss;\nnamespace Consumer;\n[type: LossKernel(Batch = 2, Classes = 2)]\npublic static partial class Loss { }\n")]
    [InlineData("namespace Consumer;\n[global::FixedShapeLoss.LossKernelAttribute(Batch = 2, Classes = 2)]\npublic static partial class Loss { }\n")]
    [InlineData("using Shape = FixedShapeLoss.LossKernelAttribute;\nnamespace Consumer;\n[Shape(Batch = 2, Classes = 2)]\npublic static partial class Loss { }\n")]
    [InlineData("using FixedShapeLoss;\nnamespace Consumer;\n[Obsolete, LossKernel(Batch = 2, Classes = 2), System.Serializable]\npublic static partial class Loss { }\n")]
    public void AttributeSpelledOtherwise_Generates(string source)
    {
        var run = RunSafely("using System;\n" + source);

        Assert.Empty(run.Result.Diagnostics);
        Assert.Equal("Consumer.Loss.LossKernel.g.cs", Assert.Single(run.Result.Results[0].GeneratedSources).HintName);
    }

    [Theory]
    [InlineData("4, 7", "CS1729")]
    [InlineData("61, Classes = 11", "CS1729")]
    [InlineData("Batch = 4, Classes = 7, Batch = 0", "CS0643")]
    [InlineData("Batch = 4, Classes = 7, LabelSmoothing = 0.1", "CS0664")]
    [InlineData("Batch = 4, Classes = 7, IgnoreIndex = int.MaxValue + 1", "CS0220")]
    [InlineData("Batch = 4 Classes = 7", "CS1003")]
    public void AttributeTheCompilerReports_GetsNothingOfOurs(string arguments, string compilerError)
    {
        // Used to add FSL001/FSL002 "it is 0" on arguments holding valid values (positional arguments), "it is 0"
        // at the first 'Batch = 4' (duplicates), or to generate with LabelSmoothing 0 (a double literal).
        string source = Usings + $"[LossKernel({arguments})]\npublic static partial class Loss {{ }}\n";

        var run = RunSafely(source);

        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == compilerError);
        Assert.Empty(run.Result.Diagnostics);
        Assert.Empty(run.Result.GeneratedTrees);
    }

    [Fact]
    public void TwoAttributesOnOneClass_GenerateOnceFromTheFirst()
    {
        string source = Usings + "[LossKernel(Batch = 2, Classes = 3)]\n[LossKernel(Batch = 5, Classes = 6)]\npublic static partial class Loss { }\n";

        var run = RunSafely(source);

        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS0579");
        Assert.Empty(run.Result.Diagnostics);
        var file = Assert.Single(run.Result.Results[0].GeneratedSources);
        Assert.Equal("Consumer.Loss.LossKernel.g.cs", file.HintName);
        Assert.Contains("Batch = 2, Classes = 3", file.SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PartialClassAcrossTwoFiles_AttributeOnOnePart_GeneratesOnce()
    {
        string attributed = Usings + "[LossKernel(Batch = 2, Classes = 3)]\npublic static partial class Loss { }\n";
        string other = Usings + "public static partial class Loss\n{\n    public static int Helper() => 1;\n}\n";

        var run = RunSafely(attributed, other);

        Assert.Empty(run.Result.Diagnostics);
        Assert.Equal("Consumer.Loss.LossKernel.g.cs", Assert.Single(run.Result.Results[0].GeneratedSources).HintName);
    }

    [Fact]
    public void PartialClassAcrossTwoFiles_AttributeOnBothParts_GeneratesOnceFromTheFirst()
    {
        // Used to add the same hint name twice: CS8785, and no kernels at all.
        string first = Usings + "[LossKernel(Batch = 2, Classes = 3)]\npublic static partial class Loss { }\n";
        string second = Usings + "[LossKernel(Batch = 0, Classes = 3)]\npublic static partial class Loss { }\n";

        var run = RunSafely(first, second);

        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS0579");
        Assert.Empty(run.Result.Diagnostics);
        var file = Assert.Single(run.Result.Results[0].GeneratedSources);
        Assert.Contains("Batch = 2, Classes = 3", file.SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PartialClassAcrossTwoFiles_NotPartialPart_IsReportedOnlyWhereTheAttributeIs()
    {
        string attributed = Usings + "[LossKernel(Batch = 2, Classes = 3)]\npublic static class Loss { }\n";
        string other = Usings + "public static partial class Loss { }\n";

        var run = RunSafely(attributed, other);

        var d = Assert.Single(run.Result.Diagnostics);
        Assert.Equal(DiagnosticDescriptors.ClassNotPartialId, d.Id);
        DiagnosticAssert.At(d, attributed, "Loss", before: "class ");
    }

    [Fact]
    public void ClassNamesDifferingOnlyInCase_GetTwoDistinctFiles()
    {
        // Hint names are compared ignoring case; without care the second AddSource threw (CS8785).
        string source = Usings
            + "[LossKernel(Batch = 2, Classes = 3)]\npublic static partial class Loss2x3 { }\n"
            + "[LossKernel(Batch = 2, Classes = 4)]\npublic static partial class LOSS2X3 { }\n";

        var run = RunSafely(source);

        Assert.Empty(run.Result.Diagnostics);
        var names = run.Result.Results[0].GeneratedSources.Select(s => s.HintName).ToArray();
        Assert.Equal(2, names.Length);
        Assert.Equal(2, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(names, n => Assert.EndsWith(".g.cs", n, StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("Consumer.Loss2x3.LossKernel.", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("Consumer.LOSS2X3.LossKernel.", StringComparison.Ordinal));

        // The names are a function of the class alone: the same on every run.
        var again = RunSafely(source).Result.Results[0].GeneratedSources.Select(s => s.HintName);
        Assert.Equal(names.OrderBy(n => n, StringComparer.Ordinal), again.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void ManyClassesAndFiles_AllGenerateWithoutDiagnostics()
    {
        var sources = Enumerable.Range(1, 20)
            .Select(i => Usings + $"[LossKernel(Batch = {i}, Classes = {i + 1})]\npublic static partial class Loss{i}x{i + 1} {{ }}\n")
            .ToArray();

        var run = RunSafely(sources);

        Assert.Empty(run.Result.Diagnostics);
        Assert.Equal(20, run.Result.Results[0].GeneratedSources.Length);
    }

    private static (GeneratorDriverRunResult Result, Compilation Output) RunSafely(params string[] sources)
    {
        var (result, output) = GeneratorHarness.Run(sources);
        Assert.Null(result.Results[0].Exception);
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "CS8785");
        ImmutableArray<Diagnostic> compilerDiagnostics = output.GetDiagnostics();
        Assert.DoesNotContain(compilerDiagnostics, d => d.Id == "CS8785");
        return (result, output);
    }
}
