using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using FixedShapeLoss.Generator;
using Microsoft.CodeAnalysis;
using Xunit;

namespace FixedShapeLoss.Tests.Generator;

/// <summary>
/// One test per generator diagnostic (FSL001–FSL012; FSL013 and FSL014 are in HardeningTests): its ID, severity, exact message and the exact text its
/// location covers, plus which files are generated for valid and invalid classes.
/// </summary>
public class DiagnosticTests
{
    private const string Usings = "using System;\nusing FixedShapeLoss;\n\nnamespace Consumer;\n\n";

    // ---- FSL001: Batch ----

    [Fact]
    public void FSL001_BatchZero_IsReportedAtTheBatchArgument()
    {
        string source = Usings + "[LossKernel(Batch = 0, Classes = 7)]\npublic static partial class Loss0x7 { }\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.InvalidBatchId,
            "Batch must be at least 1, but it is 0; set Batch to the number of rows, for example [LossKernel(Batch = 4, Classes = 7)]");
        DiagnosticAssert.At(d, source, "Batch = 0");
    }

    [Fact]
    public void FSL001_AttributeWithoutArguments_IsReportedAtTheAttribute()
    {
        string source = Usings + "[LossKernel]\npublic static partial class NoShape { }\n";

        var diagnostics = DiagnosticAssert.Generator(source);

        Assert.Equal(new[] { "FSL001", "FSL002" }, diagnostics.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal));
        var batch = diagnostics.Single(d => d.Id == "FSL001");
        DiagnosticAssert.Is(batch, DiagnosticDescriptors.InvalidBatchId,
            "Batch must be at least 1, but it is 0; set Batch to the number of rows, for example [LossKernel(Batch = 4, Classes = 7)]");
        DiagnosticAssert.At(batch, source, "LossKernel", before: "[");
        DiagnosticAssert.At(diagnostics.Single(d => d.Id == "FSL002"), source, "LossKernel", before: "[");
    }

    [Fact]
    public void FSL001_MissingBatch_IsReportedAtTheWholeAttribute()
    {
        string source = Usings + "[LossKernel(Classes = 7)]\npublic static partial class NoBatch { }\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.InvalidBatchId,
            "Batch must be at least 1, but it is 0; set Batch to the number of rows, for example [LossKernel(Batch = 4, Classes = 7)]");
        DiagnosticAssert.At(d, source, "LossKernel(Classes = 7)");
    }

    // ---- FSL002: Classes ----

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-1", "-1")]
    [InlineData("int.MinValue", "-2147483648")]
    public void FSL002_ClassesBelowOne_IsReportedAtTheClassesArgument(string classes, string shown)
    {
        string source = Usings + $"[LossKernel(Batch = 4, Classes = {classes})]\npublic static partial class Loss4xNone {{ }}\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.InvalidClassesId,
            $"Classes must be at least 1, but it is {shown}; set Classes to the number of classes (1 for a single binary output), for example [LossKernel(Batch = 4, Classes = 7)]");
        DiagnosticAssert.At(d, source, $"Classes = {classes}");
    }

    [Theory]
    [InlineData("")]
    [InlineData(", Reduction = LossReduction.Sum, LabelSmoothing = 0.1f, IgnoreIndex = 0")]
    [InlineData(", ElementType = typeof(double)")]
    public void ClassesOne_IsASingleOutputKernel_WithNoDiagnostic(string options)
    {
        string source = Usings + $"[LossKernel(Batch = 4, Classes = 1{options})]\npublic static partial class Loss4x1 {{ }}\n";

        var (result, _) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        string generated = Assert.Single(result.Results[0].GeneratedSources).SourceText.ToString();
        Assert.Contains("public const int Classes = 1;", generated, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("int.MaxValue", "2147483647")]
    [InlineData("2147483592", "2147483592")]
    public void FSL006_OneClassOfMoreRowsThanASpanHolds_IsTooLarge(string batch, string length)
    {
        string source = Usings + $"[LossKernel(Batch = {batch}, Classes = 1)]\npublic static partial class Tall {{ }}\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.ShapeTooLargeId,
            $"Batch × Classes is {length}, more than the largest span length the kernels can take (2147483591); use a smaller Batch or Classes");
        DiagnosticAssert.At(d, source, $"LossKernel(Batch = {batch}, Classes = 1)");
    }

    [Fact]
    public void OneClassOfAsManyRowsAsASpanHolds_CompilesCleanly()
    {
        string source = Usings + "[LossKernel(Batch = 2147483591, Classes = 1)]\npublic static partial class Tallest { }\n";

        var (result, output) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
        Assert.Contains("public const int Length = 2147483591;", Assert.Single(result.Results[0].GeneratedSources).SourceText.ToString(), StringComparison.Ordinal);
    }

    // ---- FSL003: class not partial ----

    [Fact]
    public void FSL003_ClassNotPartial_IsReportedAtTheClassIdentifier()
    {
        string source = Usings + "[LossKernel(Batch = 4, Classes = 7)]\npublic static class NotPartial { }\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.ClassNotPartialId,
            "The class 'NotPartial' must be declared partial so that the generated kernels can be added to it; add the 'partial' modifier");
        DiagnosticAssert.At(d, source, "NotPartial");
    }

    // ---- FSL004: containing type not partial ----

    [Fact]
    public void FSL004_ContainingTypeNotPartial_IsReportedAtTheContainingTypeIdentifier()
    {
        string source = Usings
            + "public static class Outer\n{\n    [LossKernel(Batch = 4, Classes = 7)]\n    public static partial class Inner { }\n}\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.ContainingTypeNotPartialId,
            "The type 'Outer', which contains the [LossKernel] class 'Inner', must be declared partial; add the 'partial' modifier to 'Outer'");
        DiagnosticAssert.At(d, source, "Outer");
    }

    [Fact]
    public void FSL004_EveryNonPartialContainingType_IsReported()
    {
        string source = Usings
            + "public struct Top\n{\n    public partial class Middle\n    {\n        public static class Bottom\n        {\n"
            + "            [LossKernel(Batch = 4, Classes = 7)]\n            public static partial class Deep { }\n        }\n    }\n}\n";

        var diagnostics = DiagnosticAssert.Generator(source);

        Assert.Equal(2, diagnostics.Length);
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticDescriptors.ContainingTypeNotPartialId, d.Id));
        DiagnosticAssert.At(diagnostics.Single(d => d.GetMessage(CultureInfo.InvariantCulture).Contains("'Top'", StringComparison.Ordinal)), source, "Top");
        DiagnosticAssert.At(diagnostics.Single(d => d.GetMessage(CultureInfo.InvariantCulture).Contains("'Bottom'", StringComparison.Ordinal)), source, "Bottom");
    }

    // ---- FSL005: generic ----

    [Fact]
    public void FSL005_GenericClass_IsReportedAtItsTypeParameterList()
    {
        string source = Usings + "[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class GenericLoss<TScalar> { }\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.GenericTypeId,
            "'GenericLoss' is generic; loss kernels need a non-generic class inside non-generic types, so remove the type parameters or move the class out of 'GenericLoss'");
        DiagnosticAssert.At(d, source, "<TScalar>");
    }

    [Fact]
    public void FSL005_GenericContainingType_IsReportedAtItsTypeParameterList()
    {
        string source = Usings
            + "public partial class Box<TItem, TOther>\n{\n    [LossKernel(Batch = 4, Classes = 7)]\n    public static partial class Inner { }\n}\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.GenericTypeId,
            "'Box' is generic; loss kernels need a non-generic class inside non-generic types, so remove the type parameters or move the class out of 'Box'");
        DiagnosticAssert.At(d, source, "<TItem, TOther>");
    }

    // ---- FSL006: shape too large ----

    [Fact]
    public void FSL006_ShapeTooLarge_IsReportedAtTheAttribute()
    {
        string source = Usings + "[LossKernel(Batch = 65536, Classes = 65536)]\npublic static partial class Huge { }\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.ShapeTooLargeId,
            "Batch × Classes is 4294967296, more than the largest span length the kernels can take (2147483591); use a smaller Batch or Classes");
        DiagnosticAssert.At(d, source, "LossKernel(Batch = 65536, Classes = 65536)");
    }

    [Theory]
    [InlineData(1, 2147483591, false)]
    [InlineData(1, 2147483592, true)]
    [InlineData(2, 1073741795, false)]
    [InlineData(2, 1073741796, true)]
    public void FSL006_LimitIsArrayMaxLength(int batch, int classes, bool tooLarge)
    {
        string source = Usings + $"[LossKernel(Batch = {batch}, Classes = {classes})]\npublic static partial class Edge {{ }}\n";

        var (result, _) = GeneratorHarness.Run(source);

        Assert.Null(result.Results[0].Exception);
        if (tooLarge)
        {
            Assert.Equal(DiagnosticDescriptors.ShapeTooLargeId, Assert.Single(result.Diagnostics).Id);
            Assert.Empty(result.GeneratedTrees);
        }
        else
        {
            Assert.Empty(result.Diagnostics);
            Assert.Equal("Consumer.Edge.LossKernel.g.cs", Assert.Single(result.Results[0].GeneratedSources).HintName);
        }
    }

    // ---- FSL007: member clash ----

    [Fact]
    public void FSL007_UserFieldBatch_IsReportedAtTheField()
    {
        string source = Usings + "[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Clash\n{\n    public static int Batch;\n}\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.MemberClashId,
            "'Clash' already declares 'Batch', which the generator emits for [LossKernel] classes; rename or remove 'Batch'");
        DiagnosticAssert.At(d, source, "Batch", before: "static int ");
    }

    [Fact]
    public void FSL007_UserNestedTypeNamedLikeTheGeneratedShapeStruct_IsReportedAtTheType()
    {
        string source = Usings + "[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Clash\n{\n    private struct LossKernelShape { }\n}\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.MemberClashId,
            "'Clash' already declares 'LossKernelShape', which the generator emits for [LossKernel] classes; rename or remove 'LossKernelShape'");
        DiagnosticAssert.At(d, source, "LossKernelShape", before: "struct ");
    }

    [Fact]
    public void FSL007_UserMethodWithTheGeneratedSignature_IsReportedAtTheMethodIdentifier()
    {
        string source = Usings
            + "[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Clash\n{\n"
            + "    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities) { }\n}\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.MemberClashId,
            "'Clash' already declares 'Softmax', which the generator emits for [LossKernel] classes; rename or remove 'Softmax'");
        DiagnosticAssert.At(d, source, "Softmax");
    }

    [Fact]
    public void FSL007_UserMethodWithAnotherSignature_IsAnOverloadNotAClash()
    {
        string source = Usings
            + "[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Overload\n{\n"
            + "    public static int Softmax(int row) => row;\n}\n";

        var (result, _) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Equal("Consumer.Overload.LossKernel.g.cs", Assert.Single(result.Results[0].GeneratedSources).HintName);
    }

    [Fact]
    public void FSL007_ClashInAnotherPartOfTheClass_IsReportedInThatFile()
    {
        string attributed = Usings + "[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Split { }\n";
        string other = Usings + "public static partial class Split\n{\n    public static int Length => 3;\n}\n";

        var (result, _) = GeneratorHarness.Run(attributed, other);

        var d = Assert.Single(result.Diagnostics);
        DiagnosticAssert.Is(d, DiagnosticDescriptors.MemberClashId,
            "'Split' already declares 'Length', which the generator emits for [LossKernel] classes; rename or remove 'Length'");
        DiagnosticAssert.At(d, other, "Length", path: "Source1.cs");
        Assert.Empty(result.GeneratedTrees);
    }

    // ---- FSL008: label smoothing ----

    [Fact]
    public void FSL008_LabelSmoothingAboveOne_IsReportedAtTheArgument()
    {
        string source = Usings + "[LossKernel(Batch = 4, Classes = 7, LabelSmoothing = 1.5f)]\npublic static partial class Smooth { }\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.InvalidLabelSmoothingId,
            "LabelSmoothing must be a number from 0 to 1, but it is 1.5; use 0 to turn smoothing off or a value such as 0.1");
        DiagnosticAssert.At(d, source, "LabelSmoothing = 1.5f");
    }

    [Theory]
    [InlineData("-0.1f", "-0.1")]
    [InlineData("1.0000001f", "1.0000001")]
    public void FSL008_OutOfRangeValues_AreRenderedRoundTrip(string literal, string rendered)
    {
        string source = Usings + $"[LossKernel(Batch = 4, Classes = 7, LabelSmoothing = {literal})]\npublic static partial class Smooth {{ }}\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.InvalidLabelSmoothingId,
            $"LabelSmoothing must be a number from 0 to 1, but it is {rendered}; use 0 to turn smoothing off or a value such as 0.1");
        DiagnosticAssert.At(d, source, $"LabelSmoothing = {literal}");
    }

    [Theory]
    [InlineData("0f")]
    [InlineData("1f")]
    [InlineData("0.1f")]
    public void FSL008_BoundsAreAccepted(string literal)
    {
        string source = Usings + $"[LossKernel(Batch = 4, Classes = 7, LabelSmoothing = {literal})]\npublic static partial class Smooth {{ }}\n";

        var (result, _) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Single(result.GeneratedTrees);
    }

    // ---- FSL009: reduction ----

    [Fact]
    public void FSL009_UndefinedReduction_IsReportedAtTheArgument()
    {
        string source = Usings + "[LossKernel(Batch = 4, Classes = 7, Reduction = (LossReduction)7)]\npublic static partial class Reduce { }\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.InvalidReductionId,
            "Reduction must be LossReduction.Mean or LossReduction.Sum, but it is 7; for per-sample losses call CrossEntropyLossPerSample");
        DiagnosticAssert.At(d, source, "Reduction = (LossReduction)7");
    }

    [Theory]
    [InlineData("LossReduction.Mean")]
    [InlineData("LossReduction.Sum")]
    public void FSL009_MeanAndSumAreAccepted(string reduction)
    {
        string source = Usings + $"[LossKernel(Batch = 4, Classes = 7, Reduction = {reduction})]\npublic static partial class Reduce {{ }}\n";

        var (result, _) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Single(result.GeneratedTrees);
    }

    // ---- FSL010: the generator could not generate ----
    // FSL010 guards Emitter exceptions and two classes of one full name. Neither can be reached from source:
    // file names are unique by construction (HardeningTests), and the fuzz test asserts FSL010 never appears.

    // ---- FSL011: not a plain class ----

    [Fact]
    public void FSL011_FileLocalClass_AtTheFileKeyword()
    {
        string first = Usings + "[LossKernel(Batch = 4, Classes = 7)]\nfile static partial class Local { }\n";
        string second = Usings + "[LossKernel(Batch = 2, Classes = 3)]\nfile static partial class Local { }\n";

        var (result, output) = GeneratorHarness.Run(first, second);

        Assert.Null(result.Results[0].Exception);
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Id == "CS8785");
        Assert.Equal(2, result.Diagnostics.Length);
        foreach (var (d, source, path) in new[] { (result.Diagnostics[0], first, "Source0.cs"), (result.Diagnostics[1], second, "Source1.cs") })
        {
            DiagnosticAssert.Is(d, DiagnosticDescriptors.UnsupportedClassKindId,
                "'Local' is file-local; the generated kernels need a plain partial class, so declare it as 'static partial class Local'");
            DiagnosticAssert.At(d, source, "file", path: path);
        }

        Assert.Empty(result.GeneratedTrees);
    }

    // ---- FSL012: ElementType ----

    [Theory]
    [InlineData("typeof(int)", "int")]
    [InlineData("typeof(decimal)", "decimal")]
    [InlineData("typeof(System.Half)", "System.Half")]
    [InlineData("typeof(string)", "string")]
    [InlineData("null", "null")] // was silently nothing: no kernels, no diagnostic
    public void FSL012_ElementTypeOtherThanFloatOrDouble_IsReportedAtTheArgument(string type, string shown)
    {
        string source = Usings + $"[LossKernel(Batch = 4, Classes = 7, ElementType = {type})]\npublic static partial class WrongType {{ }}\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.InvalidElementTypeId,
            $"ElementType must be typeof(float) or typeof(double), but it is '{shown}'; the kernels compute in float32 or float64 as PyTorch does");
        DiagnosticAssert.At(d, source, $"ElementType = {type}");
    }

    [Theory]
    [InlineData("typeof(float)")]
    [InlineData("typeof(double)")]
    [InlineData("typeof(System.Single)")]
    [InlineData("typeof(System.Double)")]
    public void ElementTypeFloatOrDouble_HasNoDiagnostic(string type)
    {
        string source = Usings + $"[LossKernel(Batch = 4, Classes = 7, ElementType = {type})]\npublic static partial class RightType {{ }}\n";

        var (result, output) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Single(result.GeneratedTrees);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    // ---- Generated files ----

    [Fact]
    public void InvalidClass_GeneratesNoSource()
    {
        string source = Usings + "[LossKernel(Batch = 0, Classes = 7)]\npublic static partial class Invalid { }\n";

        var (result, _) = GeneratorHarness.Run(source);

        Assert.NotEmpty(result.Diagnostics);
        Assert.Empty(result.Results[0].GeneratedSources);
    }

    [Fact]
    public void ValidClass_GeneratesExactlyOneFileNamedAfterNamespaceAndClass()
    {
        string source = Usings + "[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Loss4x7 { }\n";

        var (result, _) = GeneratorHarness.Run(source);

        Assert.Null(result.Results[0].Exception);
        Assert.Empty(result.Diagnostics);
        var file = Assert.Single(result.Results[0].GeneratedSources);
        Assert.Equal("Consumer.Loss4x7.LossKernel.g.cs", file.HintName);
    }

    [Theory]
    [InlineData("[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Loss4x7 { }\n", "Loss4x7.LossKernel.g.cs")]
    [InlineData("namespace A.B { [LossKernel(Batch = 4, Classes = 7)] public static partial class Loss4x7 { } }\n", "A.B.Loss4x7.LossKernel.g.cs")]
    [InlineData("namespace A { namespace B { [LossKernel(Batch = 4, Classes = 7)] static partial class Loss4x7 { } } }\n", "A.B.Loss4x7.LossKernel.g.cs")]
    [InlineData("namespace A { public partial class Outer { [LossKernel(Batch = 4, Classes = 7)] internal static partial class Loss4x7 { } } }\n", "A.Outer.Loss4x7.LossKernel.g.cs")]
    public void GeneratedFileName_FollowsTheFullName(string body, string hintName)
    {
        string source = "using FixedShapeLoss;\n\n" + body;

        var (result, _) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Equal(hintName, Assert.Single(result.Results[0].GeneratedSources).HintName);
    }

    [Fact]
    public void TwoValidClasses_GenerateTwoFiles()
    {
        string source = Usings
            + "[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Loss4x7 { }\n\n"
            + "[LossKernel(Batch = 32, Classes = 10, Reduction = LossReduction.Sum)]\ninternal static partial class Loss32x10 { }\n";

        var (result, _) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Equal(
            new[] { "Consumer.Loss32x10.LossKernel.g.cs", "Consumer.Loss4x7.LossKernel.g.cs" },
            result.Results[0].GeneratedSources.Select(s => s.HintName).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void ValidAndInvalidClasses_OnlyTheValidOneIsGenerated()
    {
        string source = Usings
            + "[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Good { }\n\n"
            + "[LossKernel(Batch = 4, Classes = 0)]\npublic static partial class Bad { }\n";

        var (result, _) = GeneratorHarness.Run(source);

        Assert.Equal(DiagnosticDescriptors.InvalidClassesId, Assert.Single(result.Diagnostics).Id);
        Assert.Equal("Consumer.Good.LossKernel.g.cs", Assert.Single(result.Results[0].GeneratedSources).HintName);
    }

    [Fact]
    public void SeveralErrorsOnOneClass_AreAllReported()
    {
        string source = Usings
            + "public class Holder<THolder>\n{\n"
            + "    [LossKernel(Batch = 0, Classes = 0, LabelSmoothing = 2f, Reduction = (LossReduction)9)]\n"
            + "    public static class Everything<TItem>\n    {\n        public const int Classes = 3;\n    }\n}\n";

        var diagnostics = DiagnosticAssert.Generator(source);

        var byId = diagnostics.Where(d => d.Id != "FSL005").ToDictionary(d => d.Id, StringComparer.Ordinal);
        Assert.Equal(
            new[] { "FSL001", "FSL002", "FSL003", "FSL004", "FSL005", "FSL005", "FSL007", "FSL008", "FSL009" },
            diagnostics.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal));
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        DiagnosticAssert.At(byId["FSL001"], source, "Batch = 0");
        DiagnosticAssert.At(byId["FSL002"], source, "Classes = 0");
        DiagnosticAssert.At(byId["FSL003"], source, "Everything");
        DiagnosticAssert.At(byId["FSL004"], source, "Holder", before: "class ");
        DiagnosticAssert.At(byId["FSL007"], source, "Classes", before: "const int ");
        DiagnosticAssert.At(byId["FSL008"], source, "LabelSmoothing = 2f");
        DiagnosticAssert.At(byId["FSL009"], source, "Reduction = (LossReduction)9");
        var generic = diagnostics.Where(d => d.Id == "FSL005").Select(d => Text(source, d)).OrderBy(t => t, StringComparer.Ordinal);
        Assert.Equal(new[] { "<THolder>", "<TItem>" }, generic);
    }

    [Fact]
    public void EveryDescriptor_IsAnEnabledErrorInOurCategory_AndListedInTheReleaseTracking()
    {
        var descriptors = typeof(DiagnosticDescriptors).GetFields()
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(Enumerable.Range(1, 14).Select(i => $"FSL{i:000}"), descriptors.Select(d => d.Id));
        Assert.All(descriptors, d =>
        {
            Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity);
            Assert.True(d.IsEnabledByDefault);
            Assert.Equal("FixedShapeLoss", d.Category);
            Assert.False(string.IsNullOrWhiteSpace(d.Description.ToString(CultureInfo.InvariantCulture)));
            Assert.EndsWith("#" + d.Id.ToLowerInvariant(), d.HelpLinkUri, StringComparison.Ordinal);
        });

        // Each help link's anchor is a row of the README's Diagnostics table.
        string readme = System.IO.File.ReadAllText(System.IO.Path.Combine(TestData.RepositoryRoot, "README.md"));
        Assert.All(descriptors, d => Assert.Contains($"<a id=\"{d.Id.ToLowerInvariant()}\"></a>{d.Id} |", readme));

        // Every ID is tracked in AnalyzerReleases.Unshipped.md (RS2008 enforces it at build time too).
        string tracking = System.IO.File.ReadAllText(System.IO.Path.Combine(TestData.RepositoryRoot, "generator", "AnalyzerReleases.Unshipped.md"));
        Assert.All(descriptors, d => Assert.Contains($"{d.Id} | FixedShapeLoss | Error |", tracking));
    }

    private static string Text(string source, Diagnostic d) => source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length);
}

/// <summary>Assertions on generator diagnostics shared by the generator tests.</summary>
internal static class DiagnosticAssert
{
    /// <summary>Runs the generator on one source; checks it neither threw nor generated anything (every
    /// source given here is invalid) and returns its diagnostics.</summary>
    public static ImmutableArray<Diagnostic> Generator(string source)
    {
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Null(result.Results[0].Exception);
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Id == "CS8785");
        Assert.Empty(result.Results[0].GeneratedSources);
        Assert.All(result.Diagnostics, d => Assert.StartsWith("FSL", d.Id, StringComparison.Ordinal));
        return result.Diagnostics;
    }

    public static Diagnostic Single(string source) => Assert.Single(Generator(source));

    /// <summary>ID, severity Error, and the message exactly as rendered in the invariant culture.</summary>
    public static void Is(Diagnostic diagnostic, string id, string message)
    {
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>The location covers exactly <paramref name="expected"/> in <paramref name="source"/>: where
    /// it occurs once, or right after <paramref name="before"/> (which then occurs once with it); and the
    /// file path and line/column agree.</summary>
    public static void At(Diagnostic diagnostic, string source, string expected, string? before = null, string path = "Source0.cs")
    {
        string anchor = (before ?? string.Empty) + expected;
        int index = source.IndexOf(anchor, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{anchor}' is not in the source");
        Assert.True(index == source.LastIndexOf(anchor, StringComparison.Ordinal), $"'{anchor}' occurs more than once; give 'before'");
        int start = index + (before?.Length ?? 0);

        var location = diagnostic.Location;
        Assert.NotEqual(Location.None, location);
        var span = location.SourceSpan;
        Assert.Equal(expected, source.Substring(span.Start, span.Length));
        Assert.Equal(start, span.Start);

        var lineSpan = location.GetLineSpan();
        Assert.Equal(path, lineSpan.Path);
        int line = source.Take(start).Count(c => c == '\n');
        int column = start - (start == 0 ? 0 : source.LastIndexOf('\n', start - 1) + 1);

        Assert.Equal(line, lineSpan.StartLinePosition.Line);
        Assert.Equal(column, lineSpan.StartLinePosition.Character);
    }
}
