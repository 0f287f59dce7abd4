using System.Threading.Tasks;
using FixedShapeLoss.CodeFixes;
using FixedShapeLoss.Generator.Analyzers;
using Xunit;

namespace FixedShapeLoss.Tests.CodeFixes;

/// <summary>FSL101's fix: a buffer created with a constant size in the calling method is resized to the kernel's constant.</summary>
public class ResizeBufferCodeFixTests
{
    private const string Head = "using System;\nusing FixedShapeLoss;\n\nnamespace Consumer;\n\n[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Loss4x7 { }\n\n";

    private static Task Verify(string body, string fixedBody) =>
        new FixTest<ShapeAnalyzer, ResizeBufferCodeFixProvider>(
            Head + "public static class Caller\n{\n    public static void Run()\n    {\n" + body + "\n    }\n}\n",
            Head + "public static class Caller\n{\n    public static void Run()\n    {\n" + fixedBody + "\n    }\n}\n").RunAsync();

    [Fact]
    public Task ArrayLocal_IsResizedToLength() => Verify(
        "        float[] logits = new float[27];\n        Loss4x7.CrossEntropyLoss({|FSL101:logits|}, new[] { 0, 1, 2, 3 });",
        "        float[] logits = new float[Loss4x7.Length];\n        Loss4x7.CrossEntropyLoss(logits, new[] { 0, 1, 2, 3 });");

    [Fact]
    public Task InlineArrayAndStackalloc_AreResizedToBatchAndLength() => Verify(
        "        Span<float> logits = stackalloc float[Loss4x7.Length];\n"
            + "        Loss4x7.CrossEntropyLossPerSample(logits, new[] { 0, 1, 2, 3 }, {|FSL101:stackalloc float[28]|});\n"
            + "        Loss4x7.OneHot({|FSL101:new int[3]|}, logits);",
        "        Span<float> logits = stackalloc float[Loss4x7.Length];\n"
            + "        Loss4x7.CrossEntropyLossPerSample(logits, new[] { 0, 1, 2, 3 }, stackalloc float[Loss4x7.Batch]);\n"
            + "        Loss4x7.OneHot(new int[Loss4x7.Batch], logits);");

    [Fact]
    public Task Weight_IsResizedToClasses() => Verify(
        "        Loss4x7.CrossEntropyLoss(new float[28], new[] { 0, 1, 2, 3 }, {|FSL101:new float[Loss4x7.Classes - 1]|});",
        "        Loss4x7.CrossEntropyLoss(new float[28], new[] { 0, 1, 2, 3 }, new float[Loss4x7.Classes]);");

    [Fact]
    public Task Initializer_HasNoFix() => Verify(
        "        Loss4x7.CrossEntropyLoss(new float[28], {|FSL101:new[] { 0, 1, 2 }|});",
        "        Loss4x7.CrossEntropyLoss(new float[28], {|FSL101:new[] { 0, 1, 2 }|});");

    [Fact]
    public Task FieldCreatedOutsideTheMethod_HasNoFix()
    {
        string source = Head + "public static class Caller\n{\n    private static readonly float[] Shared = new float[27];\n\n"
            + "    public static void Run() => Loss4x7.CrossEntropyLoss({|FSL101:Shared|}, new[] { 0, 1, 2, 3 });\n}\n";
        return new FixTest<ShapeAnalyzer, ResizeBufferCodeFixProvider>(source, source).RunAsync();
    }
}
