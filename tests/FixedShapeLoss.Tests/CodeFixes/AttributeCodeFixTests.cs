using System.Threading.Tasks;
using FixedShapeLoss.CodeFixes;
using Xunit;

namespace FixedShapeLoss.Tests.CodeFixes;

/// <summary>The fixes for the generator's attribute diagnostics, run on the generator's own diagnostics
/// (<see cref="GeneratorFix"/>): the text after the fix, and the diagnostic gone.</summary>
public class AttributeCodeFixTests
{
    private const string Head = "using FixedShapeLoss;\n\nnamespace Consumer;\n\n";

    private static async Task Verify(string id, string source, string fixedSource, int actions = 1) =>
        Assert.Equal(Head + fixedSource, await GeneratorFix.ApplyAsync(new AttributeCodeFixProvider(), Head + source, id, actions));

    [Fact]
    public Task FSL003_AddsPartial() => Verify("FSL003",
        "[LossKernel(Batch = 4, Classes = 7)]\npublic static class Loss4x7 { }\n",
        "[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Loss4x7 { }\n");

    [Fact]
    public Task FSL003_AddsPartial_WithoutOtherModifiers() => Verify("FSL003",
        "[LossKernel(Batch = 4, Classes = 7)]\nclass Loss4x7 { }\n",
        "[LossKernel(Batch = 4, Classes = 7)]\npartial class Loss4x7 { }\n");

    [Fact]
    public Task FSL004_AddsPartialToEachContainingType() => Verify("FSL004",
        "public static class Outer\n{\n    internal class Middle\n    {\n        [LossKernel(Batch = 4, Classes = 7)]\n        public static partial class Loss4x7 { }\n    }\n}\n",
        "public static partial class Outer\n{\n    internal partial class Middle\n    {\n        [LossKernel(Batch = 4, Classes = 7)]\n        public static partial class Loss4x7 { }\n    }\n}\n");

    [Fact]
    public Task FSL001_MissingBatch_AddsBatchFirst() => Verify("FSL001",
        "[LossKernel(Classes = 7)]\npublic static partial class Loss4x7 { }\n",
        "[LossKernel(Batch = 1, Classes = 7)]\npublic static partial class Loss4x7 { }\n");

    [Fact]
    public Task FSL002_MissingClasses_AddsClasses() => Verify("FSL002",
        "[LossKernel(Batch = 4)]\npublic static partial class Loss4x7 { }\n",
        "[LossKernel(Batch = 4, Classes = 2)]\npublic static partial class Loss4x7 { }\n");

    [Fact]
    public async Task FSL001_FSL002_NoArguments_BothAdded()
    {
        string afterBatch = await GeneratorFix.ApplyAsync(new AttributeCodeFixProvider(), Head + "[LossKernel]\npublic static partial class Shape { }\n", "FSL001");
        string after = await GeneratorFix.ApplyAsync(new AttributeCodeFixProvider(), afterBatch, "FSL002");

        Assert.Equal(Head + "[LossKernel(Batch = 1, Classes = 2)]\npublic static partial class Shape { }\n", after);
    }

    [Fact]
    public Task FSL001_BatchZero_HasNoFix() => Verify("FSL001",
        "[LossKernel(Batch = 0, Classes = 7)]\npublic static partial class Loss0x7 { }\n",
        "[LossKernel(Batch = 0, Classes = 7)]\npublic static partial class Loss0x7 { }\n", actions: 0);

    [Theory]
    [InlineData("1.5f", "1f")]
    [InlineData("-0.25f", "0f")]
    [InlineData("float.NaN", "0f")]
    [InlineData("2", "1f")]
    public Task FSL008_LabelSmoothing_IsClampedIntoZeroOne(string value, string clamped) => Verify("FSL008",
        $"[LossKernel(Batch = 4, Classes = 7, LabelSmoothing = {value})]\npublic static partial class Loss4x7 {{ }}\n",
        $"[LossKernel(Batch = 4, Classes = 7, LabelSmoothing = {clamped})]\npublic static partial class Loss4x7 {{ }}\n");
}
