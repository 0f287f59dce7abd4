using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace FixedShapeLoss.Tests.Generator;

/// <summary>The emitted source for a handful of shapes and declarations, compared with committed snapshots.</summary>
public class SnapshotTests
{
    private static string Generate(string source, LanguageVersion version = LanguageVersion.Latest)
    {
        var (result, output) = GeneratorHarness.Run(version, source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
        return GeneratorHarness.GeneratedSource(result);
    }

    [Theory]
    [InlineData(4, 7)]
    [InlineData(1, 2)]
    [InlineData(32, 10)]
    [InlineData(256, 1000)]
    [InlineData(3, 1)]
    public void Shapes(int batch, int classes)
    {
        string source = $$"""
            using FixedShapeLoss;
            namespace Demo;
            [LossKernel(Batch = {{batch}}, Classes = {{classes}})]
            public static partial class Loss{{batch}}x{{classes}} { }
            """;
        Snapshot.Verify(Generate(source), $"Loss{batch}x{classes}");
    }

    [Fact]
    public void GlobalNamespace() => Snapshot.Verify(Generate("""
        [FixedShapeLoss.LossKernel(Batch = 2, Classes = 3)]
        static partial class GlobalLoss { }
        """), "GlobalNamespace");

    [Fact]
    public void NestedInPartialClass() => Snapshot.Verify(Generate("""
        using FixedShapeLoss;
        namespace Demo.Models
        {
            public partial class Outer
            {
                internal partial struct Middle
                {
                    [LossKernel(Batch = 3, Classes = 5)]
                    private static partial class Inner { }
                }
            }
        }
        """), "NestedInPartialClass");

    [Fact]
    public void InternalClass() => Snapshot.Verify(Generate("""
        using FixedShapeLoss;
        namespace Demo;
        [LossKernel(Batch = 4, Classes = 7)]
        internal static partial class InternalLoss { }
        """), "InternalClass");

    [Fact]
    public void AllOptions() => Snapshot.Verify(Generate("""
        using FixedShapeLoss;
        namespace Demo;
        [LossKernel(Batch = 5, Classes = 3, Reduction = LossReduction.Sum, LabelSmoothing = 0.1f, IgnoreIndex = 2)]
        public partial class SmoothedLoss { }
        """), "AllOptions");

    [Fact]
    public void Double4x7() => Snapshot.Verify(Generate("""
        using FixedShapeLoss;
        namespace Demo;
        [LossKernel(Batch = 4, Classes = 7, ElementType = typeof(double))]
        public static partial class Loss4x7Double { }
        """), "Loss4x7Double");

    [Fact]
    public void DoubleAllOptions() => Snapshot.Verify(Generate("""
        using FixedShapeLoss;
        namespace Demo;
        [LossKernel(Batch = 40, Classes = 300, ElementType = typeof(double), Reduction = LossReduction.Sum, LabelSmoothing = 0.2f, IgnoreIndex = -1)]
        public partial class SmoothedDoubleLoss { }
        """), "DoubleAllOptions");

    [Fact]
    public void OneClassOptions() => Snapshot.Verify(Generate("""
        using FixedShapeLoss;
        namespace Demo;
        [LossKernel(Batch = 2, Classes = 1, Reduction = LossReduction.Sum, LabelSmoothing = 0.1f)]
        public partial class SingleOutputLoss { }
        """), "OneClassOptions");

    /// <summary>Below C# 12 (no inline arrays) the span overloads only, each with its body after the checks: the
    /// file of the generator before the buffers existed, byte for byte.</summary>
    [Fact]
    public void CSharp11WithoutBuffers() => Snapshot.Verify(Generate("""
        using FixedShapeLoss;
        namespace Demo;
        [LossKernel(Batch = 4, Classes = 7)]
        public static partial class Loss4x7 { }
        """, LanguageVersion.CSharp11), "Loss4x7CSharp11");
}
