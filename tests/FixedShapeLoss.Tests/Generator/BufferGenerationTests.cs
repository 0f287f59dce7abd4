using System;
using System.Linq;
using FixedShapeLoss.Generator;
using FixedShapeLoss.Tests.Analyzers;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace FixedShapeLoss.Tests.Generator;

/// <summary>The inline-array buffers (<c>K.Matrix</c>, <c>K.Targets</c>, <c>K.SampleLosses</c>) and the kernel overloads
/// that take them: emitted from C# 12 on a core library with <c>InlineArrayAttribute</c> and up to 1 MiB per matrix,
/// never otherwise; a consumer calling every one of them compiles with no warning; their names are reserved.</summary>
public class BufferGenerationTests
{
    /// <summary>A consumer that calls every buffer overload of kernel <paramref name="k"/> (element type <paramref name="t"/>),
    /// with and without <c>in</c> at the call, in place where allowed, and converts each buffer to spans.</summary>
    public static string Consumer(string k, string t) => $$"""

        public static class Use
        {
            public static {{t}} Step()
            {
                {{k}}.Matrix logits = default, gradient = default, probabilities = default;
                {{k}}.Targets targets = default;
                {{k}}.SampleLosses losses = default;
                {{k}}.Softmax(in logits, ref probabilities);
                {{k}}.LogSoftmax(logits, ref gradient);
                {{k}}.Softmax(in probabilities, ref probabilities);
                {{k}}.Normalize(ref probabilities);
                {{k}}.OneHot(in targets, ref probabilities);
                {{k}}.Labels(in probabilities, ref targets);
                {{t}} sum = {{k}}.CrossEntropy(in probabilities, in targets) + {{k}}.CrossEntropy(probabilities, gradient);
                sum += {{k}}.CrossEntropyLoss(in logits, in targets) + {{k}}.CrossEntropyLoss(logits, probabilities);
                {{k}}.CrossEntropyLossPerSample(in logits, in targets, ref losses);
                sum += {{k}}.CrossEntropyLossBackward(in logits, in targets, ref gradient);
                sum += {{k}}.CrossEntropyLossBackward(in gradient, in targets, ref gradient);
                sum += {{k}}.CrossEntropyLossBackward(logits, probabilities, ref logits);
                sum += {{k}}.NllLoss(in logits, in targets);
                {{k}}.NllLossPerSample(logits, targets, ref losses);
                sum += {{k}}.NllLossBackward(in logits, in targets, ref gradient);
                sum += {{k}}.BinaryCrossEntropyWithLogitsLoss(in logits, in probabilities);
                {{k}}.BinaryCrossEntropyWithLogitsLossPerElement(in logits, in probabilities, ref gradient);
                sum += {{k}}.BinaryCrossEntropyWithLogitsLossBackward(in logits, in probabilities, ref logits);
                sum += {{k}}.BinaryCrossEntropyLoss(in probabilities, in probabilities);
                {{k}}.BinaryCrossEntropyLossPerElement(in probabilities, in probabilities, ref gradient);
                sum += {{k}}.BinaryCrossEntropyLossBackward(in probabilities, in probabilities, ref probabilities);
                // A buffer still converts to the span overloads' parameters, beside arrays.
                sum += {{k}}.CrossEntropyLoss(logits, new int[{{k}}.Batch]);
                global::System.Span<{{t}}> span = logits;
                global::System.ReadOnlySpan<int> indices = targets;
                return sum + span[0] + indices[0] + losses[0] + logits.AsSpan()[1] + gradient.AsReadOnlySpan()[1] + targets.AsSpan().Length;
            }
        }
        """;

    private static string Kernel(int batch, int classes, string element = "float", string name = "K") =>
        $"using FixedShapeLoss;\n[LossKernel(Batch = {batch}, Classes = {classes}, ElementType = typeof({element}))]\npublic static partial class {name} {{ }}\n";

    [Theory]
    [InlineData(LanguageVersion.CSharp8, false)]
    [InlineData(LanguageVersion.CSharp10, false)]
    [InlineData(LanguageVersion.CSharp11, false)]
    [InlineData(LanguageVersion.CSharp12, true)]
    [InlineData(LanguageVersion.Latest, true)]
    [InlineData(LanguageVersion.Preview, true)]
    public void BuffersOnlyFromCSharp12_AndEveryOverloadCompilesWithoutWarning(LanguageVersion version, bool buffers)
    {
        foreach (string element in new[] { "float", "double" })
        {
            // Below C# 12 a consumer has only the span overloads; from C# 12 it calls every buffer overload.
            string kernel = Kernel(4, 7, element);
            var (result, output) = buffers
                ? GeneratorHarness.Run(version, kernel + Consumer("K", element))
                : GeneratorHarness.Run(version, kernel);

            Assert.Empty(result.Diagnostics);
            Assert.Empty(GeneratorHarness.CompileErrors(output));
            string source = GeneratorHarness.GeneratedSource(result);
            Assert.Equal(buffers, source.Contains("[global::System.Runtime.CompilerServices.InlineArray(Length)]", StringComparison.Ordinal));
            Assert.Equal(buffers, source.Contains("public static float CrossEntropyLoss(in Matrix logits, in Targets targets)".Replace("float", element), StringComparison.Ordinal));
            Assert.Equal(buffers, source.Contains("CrossEntropyLossCore(", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(256, 1024, "float", true)]    // 1 MiB exactly
    [InlineData(256, 1025, "float", false)]   // 1 MiB + 4 bytes: the runtime would not load the Matrix type
    [InlineData(128, 1024, "double", true)]
    [InlineData(128, 1025, "double", false)]
    [InlineData(4096, 50000, "float", false)]
    public void BuffersOnlyUpToOneMebibytePerMatrix(int batch, int classes, string element, bool buffers)
    {
        var (result, output) = GeneratorHarness.Run(Kernel(batch, classes, element));

        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
        string source = GeneratorHarness.GeneratedSource(result);
        Assert.Equal(buffers, source.Contains("public struct Matrix", StringComparison.Ordinal));
        Assert.Equal(buffers, source.Contains("in Matrix logits", StringComparison.Ordinal));
        Assert.Equal(buffers, (long)batch * classes * (element == "double" ? 8 : 4) <= 1 << 20);
    }

    [Fact]
    public void WeightedOverloadsStaySpanOnly()
    {
        // A per-class weight has no buffer type: those overloads keep their checks and their body, no core.
        string source = GeneratorHarness.GeneratedSource(GeneratorHarness.Run(Kernel(4, 7)).Result);
        Assert.Contains("public static float CrossEntropyLoss(global::System.ReadOnlySpan<float> logits, global::System.ReadOnlySpan<int> targets, global::System.ReadOnlySpan<float> weight)", source, StringComparison.Ordinal);
        Assert.DoesNotContain("weight)\n        {\n            // No length check", source, StringComparison.Ordinal);
        Assert.DoesNotContain("Core(global::System.ReadOnlySpan<float> logits, global::System.ReadOnlySpan<int> targets, global::System.ReadOnlySpan<float> weight", source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("public struct Matrix { }", "Matrix")]
    [InlineData("private static int Targets;", "Targets")]
    [InlineData("public static void SampleLosses() { }", "SampleLosses")]
    [InlineData("private static void SoftmaxCore(ReadOnlySpan<float> x, Span<float> y) { }", "SoftmaxCore")]
    [InlineData("public static float CrossEntropyLossCore(ReadOnlySpan<float> x, ReadOnlySpan<int> t) => 0f;", "CrossEntropyLossCore")]
    public void FSL007_MembersNamedLikeTheBuffersOrCores(string member, string name)
    {
        // Reserved at every language version, so that moving to C# 12 never starts a clash.
        foreach (var version in new[] { LanguageVersion.CSharp10, LanguageVersion.Latest })
        {
            string source = "using System;\nusing FixedShapeLoss;\n\nnamespace Consumer;\n\n"
                + $"[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Kernel\n{{\n    {member}\n}}\n";

            var (result, _) = GeneratorHarness.Run(version, source);

            var d = Assert.Single(result.Diagnostics);
            DiagnosticAssert.Is(d, DiagnosticDescriptors.MemberClashId,
                $"'Kernel' already declares '{name}', which the generator emits for [LossKernel] classes; rename or remove '{name}'");
            DiagnosticAssert.At(d, source, name, before: " ");
        }
    }

    [Fact]
    public void FSL007_AUserOverloadOfTheBufferSignature_ByTheSimpleNameItWouldBindTo()
    {
        // 'Matrix' here is the user's own type, but inside the class it would bind to the generated one: CS0111.
        string source = "using System;\nusing FixedShapeLoss;\n\nnamespace Consumer;\n\npublic struct Matrix { }\n\n"
            + "[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Kernel\n{\n    public static void Softmax(in Matrix a, ref Matrix b) { }\n}\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.MemberClashId,
            "'Kernel' already declares 'Softmax', which the generator emits for [LossKernel] classes; rename or remove 'Softmax'");
        DiagnosticAssert.At(d, source, "Softmax", before: "void ");
    }

    [Fact]
    public void AUserOverloadTakingTheBuffersByValue_Coexists()
    {
        // By value differs from in/ref: no clash, and the program compiles (the generated code calls the cores).
        string source = "using System;\nusing FixedShapeLoss;\n\nnamespace Consumer;\n\n"
            + "[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Kernel\n{\n    public static void Softmax(Matrix a, Matrix b) { }\n}\n";

        var (result, output) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
    }

    [Theory]
    [InlineData("Matrix")]
    [InlineData("Targets")]
    [InlineData("SampleLosses")]
    public void FSL013_ClassNamedLikeABuffer(string name)
    {
        string source = "using FixedShapeLoss;\n\nnamespace Consumer;\n\n" + $"[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class {name} {{ }}\n";

        var d = DiagnosticAssert.Single(source);

        Assert.Equal(DiagnosticDescriptors.ClassNameClashId, d.Id);
        DiagnosticAssert.At(d, source, name, before: "class ");
    }

    [Fact]
    public void FSL014_ABaseClassMemberTheBufferWouldHide()
    {
        string source = "using FixedShapeLoss;\n\nnamespace Consumer;\n\npublic class KernelBase { public static int Targets; }\n\n"
            + "[LossKernel(Batch = 4, Classes = 7)]\npublic partial class Kernel : KernelBase { }\n";

        var d = DiagnosticAssert.Single(source);

        Assert.Equal(DiagnosticDescriptors.InheritedMemberHiddenId, d.Id);
        Assert.Contains("'Targets'", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void TheAnalyzerReportsNothingOnTheBufferOverloads_AndStillReportsASpanCallBesideThem()
    {
        // FSL101-FSL103 look at span arguments only: a buffer's length is its type's, never wrong.
        string clean = Kernel(4, 7, name: "Loss4x7") + Consumer("Loss4x7", "float");
        Assert.Empty(AnalyzerHarness.Analyze(clean));
        Assert.Empty(AnalyzerHarness.Analyze(Kernel(4, 7, "double", name: "Loss4x7") + Consumer("Loss4x7", "double")));

        string wrong = clean.Replace("sum += Loss4x7.CrossEntropyLoss(logits, new int[Loss4x7.Batch]);", "sum += Loss4x7.CrossEntropyLoss(logits, new int[Loss4x7.Batch + 1]);", StringComparison.Ordinal);
        Assert.NotEqual(clean, wrong);
        var d = Assert.Single(AnalyzerHarness.Analyze(wrong));
        Assert.Equal("FSL101", d.Id);
    }
}
