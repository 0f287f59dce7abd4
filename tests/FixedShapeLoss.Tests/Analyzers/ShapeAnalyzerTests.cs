using System;
using System.Linq;
using System.Text;
using FixedShapeLoss.Generator.Analyzers;
using FixedShapeLoss.Tests.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;
using static FixedShapeLoss.Tests.Analyzers.AnalyzerHarness;

namespace FixedShapeLoss.Tests.Analyzers;

/// <summary>
/// The call-site analyzer on generated kernels: every rule with a positive case (ID, exact message, exact span)
/// and negative cases for everything that is not provably constant.
/// </summary>
public class ShapeAnalyzerTests
{
    private const string Logits27 = "'logits' has 27 elements; Loss4x7 takes 28 (Batch 4 x Classes 7); size it with Loss4x7.Length";
    private const string Targets = "        int[] targets = { 6, 2, 4, 3 };\n";

    private static string Target(int index, int value) =>
        $"'targets[{index}]' is {value}; Loss4x7 takes a class index from 0 to 6 (Classes 7) or IgnoreIndex (-100) to skip the row";

    // ---- FSL101: the length of each kind of buffer ----

    [Fact]
    public void FSL101_ArrayOfConstantSize_IsReportedAtTheArgument()
    {
        string source = Program(Targets + "        Loss4x7.CrossEntropyLoss(new float[27], targets);");

        var d = Assert.Single(Analyze(source));

        DiagnosticAssert.Is(d, ShapeDiagnostics.LengthMismatchId, Logits27);
        DiagnosticAssert.At(d, source, "new float[27]");
        Assert.Equal("Length", d.Properties[ShapeDiagnostics.ExpectedMemberProperty]);
        Assert.Equal("global::Consumer.Loss4x7", d.Properties[ShapeDiagnostics.KernelTypeProperty]);
        Assert.Equal(source.IndexOf("27]", StringComparison.Ordinal), Assert.Single(d.AdditionalLocations).SourceSpan.Start); // for the code fix
    }

    [Fact]
    public void FSL101_ConstantExpressionSize_AndTheSizeOfAnotherKernel_AreReported()
    {
        string kernels = "[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Loss4x7 { }\n"
            + "[LossKernel(Batch = 8, Classes = 7)]\npublic static partial class Loss8x7 { }\n";
        string source = Program(Targets
            + "        Loss4x7.CrossEntropyLoss(new float[Loss4x7.Length - 1], targets);\n"
            + "        Loss4x7.CrossEntropyLoss(new float[Loss8x7.Length], targets);", kernels);

        var diagnostics = Analyze(source);

        Expect(source, diagnostics,
            ("FSL101", Logits27, "new float[Loss4x7.Length - 1]", null),
            ("FSL101", "'logits' has 56 elements; Loss4x7 takes 28 (Batch 4 x Classes 7); size it with Loss4x7.Length", "new float[Loss8x7.Length]", null));
    }

    [Fact]
    public void FSL101_InitializersAndCollectionExpressions_CountTheirElements()
    {
        string source = Program(
            "        float[] logits = new float[Loss4x7.Length];\n"
            + "        Loss4x7.CrossEntropyLoss(logits, new[] { 0, 1, 2, 3, 4 });\n"
            + "        Loss4x7.CrossEntropyLoss(logits, new int[] { 0, 1, 2 }, new float[Loss4x7.Classes]);\n"
            + "        Loss4x7.CrossEntropyLoss(logits, new int[] { 0, 1, 2, 3 }, [1f, 2f, 3f, 4f, 5f, 6f]);");

        var diagnostics = Analyze(source);

        Expect(source, diagnostics,
            ("FSL101", "'targets' has 5 elements; Loss4x7 takes 4 (Batch 4, one per row); size it with Loss4x7.Batch", "new[] { 0, 1, 2, 3, 4 }", null),
            ("FSL101", "'targets' has 3 elements; Loss4x7 takes 4 (Batch 4, one per row); size it with Loss4x7.Batch", "new int[] { 0, 1, 2 }", null),
            ("FSL101", "'weight' has 6 elements; Loss4x7 takes 7 (Classes 7, one per class); size it with Loss4x7.Classes", "[1f, 2f, 3f, 4f, 5f, 6f]", null));
        Assert.Empty(diagnostics[0].AdditionalLocations); // an initializer is not resized by the code fix
    }

    [Fact]
    public void FSL101_Stackalloc_OfConstantSizeOrWithInitializer()
    {
        string source = Program(
            "        float[] logits = new float[Loss4x7.Length];\n"
            + "        Loss4x7.CrossEntropyLossBackward(logits, stackalloc int[] { 1, 2, 3, 4 }, stackalloc float[27]);\n"
            + "        Span<float> losses = stackalloc float[Loss4x7.Length];\n"
            + "        Loss4x7.CrossEntropyLossPerSample(logits, stackalloc[] { 1, 2, 3 }, losses);");

        var diagnostics = Analyze(source);

        Expect(source, diagnostics,
            ("FSL101", "'gradient' has 27 elements; Loss4x7 takes 28 (Batch 4 x Classes 7); size it with Loss4x7.Length", "stackalloc float[27]", null),
            ("FSL101", "'targets' has 3 elements; Loss4x7 takes 4 (Batch 4, one per row); size it with Loss4x7.Batch", "stackalloc[] { 1, 2, 3 }", null),
            ("FSL101", "'losses' has 28 elements; Loss4x7 takes 4 (Batch 4, one per row); size it with Loss4x7.Batch", "losses", "stackalloc[] { 1, 2, 3 }, "));
        Assert.Equal(source.IndexOf("27]", StringComparison.Ordinal), diagnostics[0].AdditionalLocations.Single().SourceSpan.Start);
    }

    [Fact]
    public void FSL101_LocalNeverReassigned_IsReportedAtTheArgumentAndPointsToItsCreation()
    {
        string source = Program(Targets
            + "        float[] logits = new float[27];\n"
            + "        float first = logits[0];\n"
            + "        Loss4x7.CrossEntropyLoss(logits, targets);");

        var d = Assert.Single(Analyze(source));

        DiagnosticAssert.Is(d, "FSL101", Logits27);
        DiagnosticAssert.At(d, source, "logits", before: "CrossEntropyLoss(");
        Assert.Equal(source.IndexOf("27]", StringComparison.Ordinal), d.AdditionalLocations.Single().SourceSpan.Start);
    }

    [Fact]
    public void FSL101_ChainOfLocals_AndNamedArguments()
    {
        string source = Program(Targets
            + "        float[] buffer = new float[27];\n"
            + "        ReadOnlySpan<float> view = buffer;\n"
            + "        Loss4x7.CrossEntropyLoss(targets: targets, logits: view);");

        var d = Assert.Single(Analyze(source));

        DiagnosticAssert.Is(d, "FSL101", Logits27);
        DiagnosticAssert.At(d, source, "logits: view");
    }

    [Fact]
    public void FSL101_ReadonlyFieldInitialisedWithAConstantSize()
    {
        string source = Program(Targets + "        Loss4x7.CrossEntropyLoss(Shared, targets);",
            members: "    private static readonly float[] Shared = new float[27];\n\n");

        var d = Assert.Single(Analyze(source));

        DiagnosticAssert.Is(d, "FSL101", Logits27);
        DiagnosticAssert.At(d, source, "Shared", before: "CrossEntropyLoss(");
        Assert.Empty(d.AdditionalLocations); // created outside the method: no code fix
    }

    [Fact]
    public void FSL101_EveryMatrixParameterOfTheCrossEntropyMembers()
    {
        string source = Program(
            "        Span<float> m = new float[5];\n"
            + "        Span<int> rows = new int[5];\n"
            + "        Loss4x7.Normalize(m);\n"
            + "        Loss4x7.Softmax(m, m);\n"
            + "        Loss4x7.LogSoftmax(m, m);\n"
            + "        Loss4x7.OneHot(rows, m);\n"
            + "        Loss4x7.Labels(m, rows);\n"
            + "        Loss4x7.CrossEntropy(m, rows);\n"
            + "        Loss4x7.CrossEntropy(m, m);\n"
            + "        Loss4x7.CrossEntropyLoss(m, m);\n"
            + "        Loss4x7.CrossEntropyLossBackward(m, m, m);");

        var names = Analyze(source).Select(d => d.GetMessage().Split('\'')[1]).ToArray();

        Assert.Equal(new[]
        {
            "values", "logits", "destination", "logits", "destination", "labels", "destination", "oneHot", "destination",
            "probabilities", "labels", "probabilities", "oneHot", "logits", "targetProbabilities", "logits", "targetProbabilities", "gradient",
        }, names);
    }

    [Fact]
    public void FSL101_DoubleKernel_TakesDoubleMatrices()
    {
        // A stand-in of the generated double members (see FamilyStandIn): float spans of a double kernel are not matrices.
        const string standIn = """
            namespace Consumer;
            using System;
            public static partial class Loss4x7d
            {
                public static void Softmax(ReadOnlySpan<double> logits, Span<double> destination) { }
                public static void Softmax(ReadOnlySpan<float> logits, Span<float> destination) { }
            }
            """;
        string source = Program("        Loss4x7d.Softmax(new double[28], new double[27]);\n        Loss4x7d.Softmax(new float[27], new float[27]);",
            "[LossKernel(Batch = 4, Classes = 7, ElementType = typeof(double))]\npublic static partial class Loss4x7d { }\n");
        var compilation = GeneratorHarness.Compile(source).AddSyntaxTrees(
            CSharpSyntaxTree.ParseText(standIn, new CSharpParseOptions(LanguageVersion.Latest), path: "Consumer.Loss4x7d.LossKernel.g.cs"));

        var d = Assert.Single(Analyze(compilation));

        DiagnosticAssert.Is(d, "FSL101", "'destination' has 27 elements; Loss4x7d takes 28 (Batch 4 x Classes 7); size it with Loss4x7d.Length");
        DiagnosticAssert.At(d, source, "new double[27]");
    }

    // ---- FSL101: nothing that is not provably constant ----

    [Theory]
    [InlineData("        float[] logits = new float[27];\n        logits = new float[28];\n")]
    [InlineData("        float[] logits = new float[27];\n        Resize(ref logits);\n")]
    [InlineData("        float[] logits = new float[27];\n        Action grow = () => logits = new float[28];\n        grow();\n")]
    [InlineData("        float[] logits = new float[27];\n        (logits, int _) = (new float[28], 0);\n")]
    [InlineData("        Span<float> logits = stackalloc float[29];\n        logits = logits.Slice(1);\n")]
    [InlineData("        Span<float> logits = stackalloc float[29];\n        ref Span<float> alias = ref logits;\n        alias = alias.Slice(1);\n")]
    [InlineData("        int n = 27;\n        float[] logits = new float[n];\n")]
    [InlineData("        float[] logits = Make(27);\n")]
    [InlineData("        float[] logits = [.. new float[28]];\n")]
    [InlineData("        float[] logits = Mutable;\n")]
    [InlineData("        float[] logits = AssignedInConstructor;\n")]
    public void FSL101_NotProvablyConstant_IsLeftToTheRunTimeCheck(string declaration)
    {
        string members = "    private static float[] Mutable = new float[27];\n"
            + "    private static readonly float[] AssignedInConstructor = new float[27];\n"
            + "    static Caller() { AssignedInConstructor = new float[28]; }\n"
            + "    private static void Resize(ref float[] a) => a = new float[28];\n"
            + "    private static float[] Make(int n) => new float[n + 1];\n\n";
        string source = Program(Targets + declaration + "        Loss4x7.CrossEntropyLoss(logits, targets);", members: members);

        Assert.Empty(Analyze(source));
    }

    [Fact]
    public void FSL101_CorrectLengths_GiveNoDiagnostic()
    {
        string source = Program(
            "        float[] logits = new float[Loss4x7.Length];\n"
            + "        Span<float> gradient = stackalloc float[28];\n"
            + "        Span<float> losses = stackalloc float[Loss4x7.Batch];\n"
            + "        int[] targets = { 6, 2, -100, 3 };\n"
            + "        float[] weight = [1, 1, 1, 1, 1, 1, 1];\n"
            + "        Loss4x7.CrossEntropyLoss(logits, targets, weight);\n"
            + "        Loss4x7.CrossEntropyLossBackward(logits, targets, weight, gradient);\n"
            + "        Loss4x7.CrossEntropyLossPerSample(logits, new[] { 0, 1, 2, 6 }, losses);\n"
            + "        Loss4x7.OneHot([0, 1, 2, 3], gradient);");

        Assert.Empty(Analyze(source));
    }

    [Fact]
    public void FSL101_MethodsThatAreNotGeneratedKernels_AreNotAnalysed()
    {
        string kernels = "[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Loss4x7\n{\n"
            + "    public static float CrossEntropyLoss(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int scale) => scale;\n}\n"
            + "public static class Other\n{\n    public static float CrossEntropyLoss(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets) => 0f;\n}\n";
        string source = Program(
            "        Loss4x7.CrossEntropyLoss(new float[27], new int[5], 1);\n"
            + "        Other.CrossEntropyLoss(new float[27], new[] { 9, 9 });", kernels);

        Assert.Empty(Analyze(source));
    }

    // ---- FSL102 / FSL103: constant class indices ----

    [Fact]
    public void FSL102_ConstantTargetOutOfRange_IsReportedAtTheElement()
    {
        string source = Program("        Loss4x7.CrossEntropyLoss(new float[Loss4x7.Length], new[] { 7, 0, 1, -1 });");

        var diagnostics = Analyze(source);

        Expect(source, diagnostics,
            (ShapeDiagnostics.TargetOutOfRangeId, Target(0, 7), "7", "new[] { "),
            (ShapeDiagnostics.TargetOutOfRangeId, Target(3, -1), "-1", null));
    }

    [Fact]
    public void FSL102_TargetsInALocalThatIsOnlyRead_AndAnIgnoreIndexOfTheKernel()
    {
        string kernels = "[LossKernel(Batch = 4, Classes = 7, IgnoreIndex = -1)]\npublic static partial class Loss4x7 { }\n";
        string source = Program(
            "        ReadOnlySpan<int> targets = [-1, 6, -100, 2];\n"
            + "        int first = targets[0] + targets.Length;\n"
            + "        Loss4x7.CrossEntropyLoss(new float[Loss4x7.Length], targets);", kernels);

        var d = Assert.Single(Analyze(source));

        DiagnosticAssert.Is(d, "FSL102", "'targets[2]' is -100; Loss4x7 takes a class index from 0 to 6 (Classes 7) or IgnoreIndex (-1) to skip the row");
        DiagnosticAssert.At(d, source, "-100");
    }

    [Fact]
    public void FSL102_TargetsInAnArrayLocal_PassedToKernelsOnly()
    {
        string source = Program("        int[] targets = { 7, 0, 1, 2 };\n        float[] logits = new float[Loss4x7.Length];\n"
            + "        Loss4x7.CrossEntropyLoss(logits, targets);");

        var d = Assert.Single(Analyze(source));

        DiagnosticAssert.Is(d, "FSL102", Target(0, 7));
        DiagnosticAssert.At(d, source, "7", before: "{ ");
    }

    [Theory]
    [InlineData("        targets[0] = 1;\n")]
    [InlineData("        Fill(targets);\n")]
    [InlineData("        Span<int> alias = targets;\n        alias[0] = 1;\n")]
    [InlineData("        ref int first = ref targets[0];\n        first = 1;\n")]
    [InlineData("        foreach (ref int t in targets.AsSpan()) t = 1;\n")]
    public void FSL102_TargetsThatMayBeWrittenBeforeTheCall_AreNotReported(string write)
    {
        string source = Program("        int[] targets = { 7, 0, 1, 2 };\n" + write + "        Loss4x7.CrossEntropyLoss(new float[Loss4x7.Length], targets);",
            members: "    private static void Fill(int[] a) => a[0] = 1;\n\n");

        Assert.Empty(Analyze(source));
    }

    [Fact]
    public void FSL103_ConstantLabelOutOfRange_HasNoIgnoreIndex()
    {
        string source = Program("        Loss4x7.OneHot(new[] { 0, 1, -100, 7 }, new float[Loss4x7.Length]);");

        var diagnostics = Analyze(source);

        Expect(source, diagnostics,
            (ShapeDiagnostics.LabelOutOfRangeId, "'labels[2]' is -100; Loss4x7 takes a class index from 0 to 6 (Classes 7)", "-100", null),
            (ShapeDiagnostics.LabelOutOfRangeId, "'labels[3]' is 7; Loss4x7 takes a class index from 0 to 6 (Classes 7)", "7", "-100, "));
    }

    // ---- the loss family, by parameter name and type ----

    /// <summary>The loss family's members as design.md declares them, written by hand into a tree named like the
    /// generator's output (the generator is not run), so the rules are checked whatever the generator emits today.</summary>
    private const string FamilyStandIn = """
        namespace Consumer;
        using System;
        public static partial class Family2x3
        {
            public static float NllLoss(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> targets) => 0f;
            public static float NllLoss(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<float> weight) => 0f;
            public static void NllLossPerSample(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> targets, Span<float> losses) { }
            public static float NllLossBackward(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> targets, ReadOnlySpan<float> weight, Span<float> gradient) => 0f;
            public static float BinaryCrossEntropyWithLogitsLoss(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, ReadOnlySpan<float> posWeight) => 0f;
            public static void BinaryCrossEntropyWithLogitsLossPerElement(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> losses) { }
            public static float BinaryCrossEntropyWithLogitsLossBackward(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> gradient) => 0f;
            public static float BinaryCrossEntropyLoss(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targets) => 0f;
            public static void BinaryCrossEntropyLossPerElement(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targets, Span<float> losses) { }
            public static float BinaryCrossEntropyLossBackward(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targets, Span<float> gradient) => 0f;
        }
        """;

    [Fact]
    public void OneClassKernel_TakesClassIndexZero_AndMatricesOfBatchElements()
    {
        string kernels = "[LossKernel(Batch = 3, Classes = 1)]\npublic static partial class Binary3 { }\n";
        string source = Program("        Binary3.CrossEntropyLoss(new float[3], new[] { 0, 1, -100 });\n"
            + "        Binary3.CrossEntropyLossBackward(new float[Binary3.Length], new[] { 0, 0, 0 }, new float[2]);", kernels);

        Expect(source, Analyze(source),
            (ShapeDiagnostics.TargetOutOfRangeId, "'targets[1]' is 1; Binary3 takes a class index from 0 to 0 (Classes 1) or IgnoreIndex (-100) to skip the row", "1", "0, "),
            (ShapeDiagnostics.LengthMismatchId, "'gradient' has 2 elements; Binary3 takes 3 (Batch 3 x Classes 1); size it with Binary3.Length", "new float[2]", null));
    }

    [Fact]
    public void LossFamily_MatrixIndexAndClassParameters()
    {
        string source = Usings + "[LossKernel(Batch = 2, Classes = 3)]\npublic static partial class Family2x3 { }\n\npublic static class Caller\n{\n    public static void Run()\n    {\n"
            + "        float[] m = new float[6], wrong = new float[5];\n"
            + "        Family2x3.NllLoss(wrong, new[] { 0, 3 });\n"
            + "        Family2x3.NllLoss(m, new[] { 0, 1, 2 }, new float[2]);\n"
            + "        Family2x3.NllLossPerSample(m, new[] { 0, -100 }, new float[6]);\n"
            + "        Family2x3.NllLossBackward(m, new[] { 0, 1 }, new float[3], wrong);\n"
            + "        Family2x3.BinaryCrossEntropyWithLogitsLoss(m, wrong, new float[6]);\n"
            + "        Family2x3.BinaryCrossEntropyWithLogitsLossPerElement(m, m, new float[2]);\n"
            + "        Family2x3.BinaryCrossEntropyWithLogitsLossBackward(m, m, m);\n"
            + "        Family2x3.BinaryCrossEntropyLoss(wrong, m);\n"
            + "        Family2x3.BinaryCrossEntropyLossPerElement(m, m, m);\n"
            + "        Family2x3.BinaryCrossEntropyLossBackward(m, m, wrong);\n"
            + "    }\n}\n";
        var compilation = GeneratorHarness.Compile(source).AddSyntaxTrees(
            CSharpSyntaxTree.ParseText(FamilyStandIn, new CSharpParseOptions(LanguageVersion.Latest), path: "Consumer.Family2x3.LossKernel.g.cs"));

        var messages = Analyze(compilation).Select(d => d.Id + " " + d.GetMessage()).ToArray();

        Assert.Equal(new[]
        {
            "FSL101 'logProbabilities' has 5 elements; Family2x3 takes 6 (Batch 2 x Classes 3); size it with Family2x3.Length",
            "FSL102 'targets[1]' is 3; Family2x3 takes a class index from 0 to 2 (Classes 3) or IgnoreIndex (-100) to skip the row",
            "FSL101 'targets' has 3 elements; Family2x3 takes 2 (Batch 2, one per row); size it with Family2x3.Batch",
            "FSL101 'weight' has 2 elements; Family2x3 takes 3 (Classes 3, one per class); size it with Family2x3.Classes",
            "FSL101 'losses' has 6 elements; Family2x3 takes 2 (Batch 2, one per row); size it with Family2x3.Batch",
            "FSL101 'gradient' has 5 elements; Family2x3 takes 6 (Batch 2 x Classes 3); size it with Family2x3.Length",
            "FSL101 'targets' has 5 elements; Family2x3 takes 6 (Batch 2 x Classes 3); size it with Family2x3.Length",
            "FSL101 'posWeight' has 6 elements; Family2x3 takes 3 (Classes 3, one per class); size it with Family2x3.Classes",
            "FSL101 'losses' has 2 elements; Family2x3 takes 6 (Batch 2 x Classes 3); size it with Family2x3.Length",
            "FSL101 'probabilities' has 5 elements; Family2x3 takes 6 (Batch 2 x Classes 3); size it with Family2x3.Length",
            "FSL101 'gradient' has 5 elements; Family2x3 takes 6 (Batch 2 x Classes 3); size it with Family2x3.Length",
        }, messages);
    }

    // ---- scale, descriptors ----

    /// <summary>1,000 kernel calls in one file, every other one with a wrong constant length: the analyzer finishes and
    /// reports exactly the 500. (Its cost is measured outside the tests; see the README.)</summary>
    [Fact]
    public void AThousandCalls_AreAllAnalysed()
    {
        var body = new StringBuilder(Targets + "        float[] logits = new float[Loss4x7.Length];\n        float[] wrong = new float[27];\n");
        for (int i = 0; i < 1000; i++)
        {
            body.Append(i % 2 == 0 ? "        Loss4x7.CrossEntropyLoss(wrong, targets);\n" : "        Loss4x7.CrossEntropyLoss(logits, targets);\n");
        }

        var diagnostics = Analyze(Program(body.ToString()));

        Assert.Equal(500, diagnostics.Length);
        Assert.All(diagnostics, d => Assert.Equal(Logits27, d.GetMessage()));
    }

    [Fact]
    public void Descriptors_HaveDescriptionHelpLinkAndErrorSeverity()
    {
        var descriptors = new ShapeAnalyzer().SupportedDiagnostics;

        Assert.Equal(new[] { "FSL101", "FSL102", "FSL103" }, descriptors.Select(d => d.Id));
        Assert.All(descriptors, d =>
        {
            Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity);
            Assert.True(d.IsEnabledByDefault);
            Assert.False(string.IsNullOrWhiteSpace(d.Description.ToString()));
            Assert.Equal("https://github.com/fixedshapeloss/FixedShapeLoss#" + d.Id.ToLowerInvariant(), d.HelpLinkUri);
        });
    }

    [Fact]
    public async System.Threading.Tasks.Task NoLossKernelReference_NoAnalysis()
    {
        var compilation = CSharpCompilation.Create("Plain", new[] { CSharpSyntaxTree.ParseText("class C { void M() { System.Array.Empty<int>(); } }") },
            new[] { MetadataReference.CreateFromFile(typeof(object).Assembly.Location) });

        var diagnostics = await compilation.WithAnalyzers(System.Collections.Immutable.ImmutableArray.Create<DiagnosticAnalyzer>(new ShapeAnalyzer()))
            .GetAnalyzerDiagnosticsAsync();

        Assert.Empty(diagnostics);
    }
}
