using System.Linq;
using FixedShapeLoss.Generator;
using FixedShapeLoss.Generator.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace FixedShapeLoss.Tests.Generator;

/// <summary>
/// The emitter alone, fed hand-built <see cref="KernelSpec"/> records (the way NetEscapades.EnumGenerators tests its
/// source writer): each option of the spec is set directly, without going through an attribute and the parser, and
/// the text is compared with a committed snapshot (<c>Snapshots/Emitter.*.verified.cs</c>). Each output is also
/// compiled beside a matching declaration, so a snapshot cannot be accepted for code that does not build.
/// </summary>
public class EmitterSnapshotTests
{
    private static KernelSpec Spec(
        int batch,
        int classes,
        string className,
        string? ns = "Demo",
        string modifiers = "public static",
        KernelReduction reduction = KernelReduction.Mean,
        float labelSmoothing = 0f,
        int ignoreIndex = -100,
        KernelElementType elementType = KernelElementType.Float,
        HelperCalls helperCalls = HelperCalls.Generic,
        bool nullableDirective = true,
        bool generatedCodeAttribute = true,
        bool inlineArrays = false,
        params ContainingTypeSpec[] containing) =>
        new(ns, new EquatableArray<ContainingTypeSpec>(containing), className, modifiers + " partial class", batch, classes, reduction,
            labelSmoothing, ignoreIndex, elementType, helperCalls, nullableDirective, generatedCodeAttribute, inlineArrays);

    /// <summary>The user's half of the partial class the spec describes, so the emitted half can be compiled.</summary>
    private static string Declaration(KernelSpec spec)
    {
        string body = $"{spec.Modifiers} {spec.ClassName} {{ }}";
        foreach (var outer in spec.ContainingTypes.Reverse())
        {
            body = $"partial {outer.Keyword} {outer.Name} {{ {body} }}";
        }

        return spec.Namespace is null ? body : $"namespace {spec.Namespace} {{ {body} }}";
    }

    private static void Verify(KernelSpec spec, string name, LanguageVersion version = LanguageVersion.Latest)
    {
        string source = Emitter.Emit(spec);
        var compilation = GeneratorHarness.Compile(version, Declaration(spec), source);
        if (version < LanguageVersion.CSharp8)
        {
            compilation = compilation.WithOptions(compilation.Options.WithNullableContextOptions(NullableContextOptions.Disable));
        }

        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Snapshot.Verify(source, "Emitter." + name);
    }

    // Float Mean 4x7 and the global namespace are the driver snapshots' (Loss4x7, GlobalNamespace): see the last test.

    [Fact]
    public void FloatSum() => Verify(Spec(3, 5, "FloatSum", reduction: KernelReduction.Sum), nameof(FloatSum));

    [Fact]
    public void DoubleSum() => Verify(Spec(3, 5, "DoubleSum", reduction: KernelReduction.Sum, elementType: KernelElementType.Double), nameof(DoubleSum));

    /// <summary>Label smoothing and an IgnoreIndex inside the class range: the smoothing term and the ignore test
    /// of every loss and backward.</summary>
    [Fact]
    public void FloatSmoothingIgnoreIndex() =>
        Verify(Spec(5, 3, "FloatSmoothing", labelSmoothing: 0.1f, ignoreIndex: 2), nameof(FloatSmoothingIgnoreIndex));

    /// <summary>A double kernel writes the float's shortest round-trip decimal (0.1, not 0.100000001490116).</summary>
    [Fact]
    public void DoubleSmoothingIgnoreIndex() =>
        Verify(Spec(5, 3, "DoubleSmoothing", reduction: KernelReduction.Sum, labelSmoothing: 0.1f, ignoreIndex: 0, elementType: KernelElementType.Double),
            nameof(DoubleSmoothingIgnoreIndex));

    /// <summary>Rows walked by a loop (Batch above the unroll limit) and the whole-matrix helpers.</summary>
    [Fact]
    public void FloatLoopedRows() => Verify(Spec(64, 40, "FloatLooped"), nameof(FloatLoopedRows));

    /// <summary>Before C# 11: the non-generic helpers with the shape as arguments, no <c>#nullable</c> before C# 8,
    /// and no <c>[GeneratedCode]</c> when the user's class has one.</summary>
    [Fact]
    public void NonGenericHelpers() =>
        Verify(Spec(64, 40, "NonGeneric", modifiers: "internal static", helperCalls: HelperCalls.NonGeneric), nameof(NonGenericHelpers), LanguageVersion.CSharp10);

    [Fact]
    public void NoNullableNoGeneratedCode() =>
        Verify(Spec(2, 3, "Plain", modifiers: "static", helperCalls: HelperCalls.NonGeneric, nullableDirective: false, generatedCodeAttribute: false),
            nameof(NoNullableNoGeneratedCode), LanguageVersion.CSharp7_3);

    /// <summary>Every kind of containing type, outermost first, without a namespace.</summary>
    [Fact]
    public void NestedWithoutNamespace() => Verify(
        Spec(3, 4, "Inner", ns: null, modifiers: "private static", containing: new[]
        {
            new ContainingTypeSpec("class", "Outer"),
            new ContainingTypeSpec("struct", "Middle"),
            new ContainingTypeSpec("record", "Record"),
            new ContainingTypeSpec("record struct", "RecordStruct"),
        }),
        nameof(NestedWithoutNamespace));

    [Fact]
    public void NestedInInterfaceInNamespace() => Verify(
        Spec(3, 4, "Inner", ns: "Demo.Models", modifiers: "public static", reduction: KernelReduction.Sum, elementType: KernelElementType.Double,
            containing: new[] { new ContainingTypeSpec("interface", "IHolder") }),
        nameof(NestedInInterfaceInNamespace));

    /// <summary>The spec the parser builds for a plain declaration, written by hand, gives the driver's text: the
    /// emitter snapshots and the driver snapshots describe one emitter. (The test project compiles at C# 12 or later
    /// against .NET 10, so the driver's spec has the inline-array buffers; the snapshots above are without them, as a
    /// project below C# 12 gets them.)</summary>
    [Fact]
    public void HandBuiltSpecGivesTheDriversText()
    {
        var (result, _) = GeneratorHarness.Run("""
            using FixedShapeLoss;
            namespace Demo;
            [LossKernel(Batch = 4, Classes = 7)]
            public static partial class Loss4x7 { }
            """);
        Assert.Equal(GeneratorHarness.GeneratedSource(result), Emitter.Emit(Spec(4, 7, "Loss4x7", inlineArrays: true)));
    }
}
