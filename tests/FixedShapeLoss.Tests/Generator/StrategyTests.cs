using System;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace FixedShapeLoss.Tests.Generator;

/// <summary>The emitter's choice between unrolled rows and the row loop, and the size of what it writes.</summary>
public class StrategyTests
{
    private static string Generate(int batch, int classes)
    {
        var (result, output) = GeneratorHarness.Run($$"""
            [FixedShapeLoss.LossKernel(Batch = {{batch}}, Classes = {{classes}})]
            public static partial class K { }
            """);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
        return GeneratorHarness.GeneratedSource(result);
    }

    [Fact]
    public void HugeShapeGivesACompactFileThatCompiles()
    {
        string huge = Generate(4096, 50000);
        string blocked = Generate(256, 1025); // blocked as huge, and just over the 1 MiB of the inline-array buffers (so none, as huge)
        string small = Generate(32, 10);      // row loops with buffers, below the blocked size
        string loop = Generate(100, 1000);
        Assert.Contains("Strategy: row loop", huge);
        Assert.Contains("public const int Length = 204800000;", huge);
        // The loop strategy writes the same code whatever the shape: only the constants differ (below and above
        // the size whose row loops run in the runtime's blocks).
        Assert.Equal(small.Split('\n').Length, loop.Split('\n').Length);
        Assert.Equal(blocked.Split('\n').Length, huge.Split('\n').Length);
        Assert.True(huge.Length < 64_000, $"{huge.Length} characters"); // about 26k for cross-entropy, 18k for the loss family
    }

    /// <summary>From KernelThreading.MinParallelLength elements (and 2 rows) on, the row loops are the runtime's
    /// blocked helpers; one row fewer keeps the loops in the generated code. The generator's copy of the threshold
    /// must be the runtime's: this test is what ties them.</summary>
    [Theory]
    [InlineData(1024, true)]
    [InlineData(1024, false)]
    [InlineData(2, true)]
    [InlineData(131072, true)] // one row: nothing to split
    public void BlockThreshold(int classes, bool atThreshold)
    {
        int batch = KernelThreading.MinParallelLength / classes - (atThreshold ? 0 : 1);
        string source = Generate(batch, classes);
        bool blocked = atThreshold && batch >= 2;
        Assert.Equal(blocked, source.Contains("KernelMath.SoftmaxRows(logits, Classes, destination)"));
        Assert.Equal(blocked, source.Contains("KernelMath.CrossEntropyLossRows(logits, targets, weight, Classes, IgnoreIndex"));
        Assert.Equal(blocked, source.Contains("KernelMath.SoftCrossEntropyBackwardRows("));
        Assert.Equal(!blocked, source.Contains("RowLogSoftmax(logits, i * Classes, Classes, destination)"));
        Assert.Equal(blocked, source.Contains("// Blocks: Length >= " + KernelThreading.MinParallelLength));
    }

    [Theory]
    [InlineData(16, 256, true)]   // Batch and Length at the bounds
    [InlineData(17, 2, false)]    // Batch over the bound
    [InlineData(2, 2049, false)]  // Length over the bound
    [InlineData(1, 2, true)]
    public void UnrollThreshold(int batch, int classes, bool unrolled)
    {
        string source = Generate(batch, classes);
        Assert.Equal(unrolled, source.Contains("Strategy: rows unrolled"));
        Assert.Equal(!unrolled, source.Contains("for (int i = 0; i < Batch; i++)"));
        if (unrolled)
        {
            // One block per row, with the constant offset of the last row folded in.
            Assert.Contains($"// row {batch - 1}: elements [{(batch - 1) * classes}, {batch * classes})", source);
        }
    }

    [Theory]
    [InlineData(LanguageVersion.CSharp8, false)]
    [InlineData(LanguageVersion.CSharp10, false)]
    [InlineData(LanguageVersion.CSharp11, true)]
    [InlineData(LanguageVersion.Latest, true)]
    public void ShapeStructOnlyWhereTheLanguageHasStaticAbstractMembers(LanguageVersion version, bool shapeStruct)
    {
        // A project that pins an old LangVersion must still compile: before C# 11 the plain kernels call the
        // non-generic helpers and no struct implements IKernelShape.
        var (result, output) = GeneratorHarness.Run(version, """
            [FixedShapeLoss.LossKernel(Batch = 4, Classes = 7)]
            public static partial class K { }
            """);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
        string source = GeneratorHarness.GeneratedSource(result);
        Assert.Equal(shapeStruct, source.Contains("private readonly struct LossKernelShape : global::FixedShapeLoss.IKernelShape"));
        Assert.Equal(shapeStruct, source.Contains("KernelMath.CrossEntropySum<LossKernelShape>(logits, targets, IgnoreIndex)"));
        Assert.Equal(!shapeStruct, source.Contains("KernelMath.CrossEntropySum(logits, targets, Classes, IgnoreIndex)"));
        Assert.Equal(!shapeStruct, source.Contains("KernelMath.CrossEntropyBackward(logits, targets, Classes, IgnoreIndex, scale, gradient)"));
    }

    [Fact]
    public void OutputIsDeterministic()
    {
        Assert.Equal(Generate(4, 7), Generate(4, 7));
        Assert.DoesNotContain("\r", Generate(4, 7));
    }
}
