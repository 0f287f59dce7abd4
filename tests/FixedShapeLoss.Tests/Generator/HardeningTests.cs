using System;
using System.Globalization;
using System.Linq;
using FixedShapeLoss.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace FixedShapeLoss.Tests.Generator;

/// <summary>
/// The defects the declaration fuzzer found (issue 11), each with its minimal declaration: valid code whose
/// generated part did not compile, or a diagnostic in the wrong place. The rule: no error of ours means the
/// generated code compiles without warnings; otherwise one diagnostic, at the offending place.
/// </summary>
public class HardeningTests
{
    private const string Usings = "using System;\nusing FixedShapeLoss;\n\nnamespace Consumer;\n\n";

    // ---- Generated code that did not compile ----

    [Fact]
    public void CSharp73WithNullableOff_Compiles()
    {
        // '#nullable enable' was CS8370 before C# 8.
        string source = "using FixedShapeLoss;\nnamespace Consumer\n{\n    [LossKernel(Batch = 4, Classes = 7, LabelSmoothing = 0.1f)]\n    public static partial class Loss { }\n}\n";

        var (result, output) = Run(source, LanguageVersion.CSharp7_3, NullableContextOptions.Disable);

        Assert.Empty(result.Diagnostics);
        Assert.DoesNotContain("#nullable", GeneratorHarness.GeneratedSource(result), StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
    }

    [Theory]
    [InlineData(LanguageVersion.CSharp8)]
    [InlineData(LanguageVersion.Latest)]
    public void FromCSharp8_TheFileEnablesNullable(LanguageVersion version)
    {
        string source = "using FixedShapeLoss;\nnamespace Consumer\n{\n    [LossKernel(Batch = 4, Classes = 7)]\n    public static partial class Loss { }\n}\n";

        var (result, output) = Run(source, version, NullableContextOptions.Disable);

        Assert.Contains("#nullable enable", GeneratorHarness.GeneratedSource(result), StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
    }

    [Theory]
    [InlineData("Length")]
    [InlineData("Softmax")]
    [InlineData("Batch")]
    [InlineData("CrossEntropyLoss")]
    [InlineData("LossKernelShape")]
    [InlineData("NllLoss")]
    public void FSL013_ClassNamedLikeAGeneratedMember_IsReportedAtTheClassName(string name)
    {
        // Was CS0542 in the generated code.
        string source = Usings + $"[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class {name} {{ }}\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.ClassNameClashId,
            $"The class '{name}' has the name of a member the generator emits into it, and a member cannot have the name of its class (CS0542); rename the class, for example to '{name}Kernel'");
        DiagnosticAssert.At(d, source, name, before: "class ");
    }

    [Theory]
    [InlineData("private static float SmoothingPerClass;", "SmoothingPerClass")]
    [InlineData("public static int OneMinusSmoothing() => 1;", "OneMinusSmoothing")]
    [InlineData("public static void Batch() { }", "Batch")]
    [InlineData("private int Length() => 0;", "Length")]
    [InlineData("private static int IgnoreIndex(int x) => x;", "IgnoreIndex")]
    [InlineData("private void LossKernelShape() { }", "LossKernelShape")]
    public void FSL007_PrivateHelpersAndConstants_ClashWithAMemberOfAnyKindAndSignature(string member, string name)
    {
        // Was CS0102 / CS0229 in the generated code (the helpers only exist with LabelSmoothing > 0).
        string source = Usings + $"[LossKernel(Batch = 4, Classes = 7, LabelSmoothing = 0.1f)]\npublic partial class Kernel\n{{\n    {member}\n}}\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.MemberClashId,
            $"'Kernel' already declares '{name}', which the generator emits for [LossKernel] classes; rename or remove '{name}'");
        DiagnosticAssert.At(d, source, name, before: " ");
    }

    [Fact]
    public void FSL011_KernelNestedInAFileLocalClass_IsReportedAtTheContainersFileKeyword()
    {
        // The generated 'partial class O' was another, non-file type: the user's class got no members, no diagnostic.
        string source = Usings + "file partial class Outer\n{\n    [LossKernel(Batch = 4, Classes = 7)]\n    public static partial class Loss { }\n}\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.UnsupportedClassKindId,
            "'Loss' is nested in the file-local type 'Outer'; the generated kernels need a plain partial class, so remove 'file' from 'Outer'");
        DiagnosticAssert.At(d, source, "file");
    }

    [Fact]
    public void FSL011_TwoFileLocalContainersOfOneName_EachReportedInItsFile_NoInternalError()
    {
        // Two 'file partial class O' holding a 'K' each: both generated into one file name, FSL010 twice, no location.
        string first = Usings + "file partial class O\n{\n    [LossKernel(Batch = 4, Classes = 7)]\n    public static partial class K { }\n}\n";
        string second = Usings + "file partial class O\n{\n    [LossKernel(Batch = 2, Classes = 3)]\n    public static partial class K { }\n}\n";

        var (result, output) = GeneratorHarness.Run(first, second);

        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Id == "CS8785");
        Assert.Equal(new[] { "FSL011", "FSL011" }, result.Diagnostics.Select(d => d.Id));
        DiagnosticAssert.At(result.Diagnostics.Single(d => d.Location.GetLineSpan().Path == "Source0.cs"), first, "file");
        DiagnosticAssert.At(result.Diagnostics.Single(d => d.Location.GetLineSpan().Path == "Source1.cs"), second, "file", path: "Source1.cs");
        Assert.Empty(result.GeneratedTrees);
    }

    [Fact]
    public void UsersOwnGeneratedCodeAttribute_IsNotRepeated()
    {
        // Was CS0579: [GeneratedCode] allows one.
        string source = Usings + "[LossKernel(Batch = 4, Classes = 7)]\n[System.CodeDom.Compiler.GeneratedCode(\"mine\", \"1.0\")]\npublic static partial class Loss { }\n";

        var (result, output) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.DoesNotContain("GeneratedCode(", GeneratorHarness.GeneratedSource(result), StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
    }

    [Fact]
    public void FSL014_BaseClassMembersTheGeneratedOnesWouldHide_AreReportedOnceAtTheBaseClass()
    {
        // Was CS0108 (a warning, fatal with TreatWarningsAsErrors) for each hidden member.
        string source = Usings
            + "public class Base\n{\n    public int Batch;\n    protected static void Softmax(ReadOnlySpan<float> a, Span<float> b) { }\n    private static int Length;\n    public static int Use() => Length;\n}\n\n"
            + "[LossKernel(Batch = 4, Classes = 7)]\npublic partial class Loss : Base, IDisposable\n{\n    public void Dispose() { }\n}\n";

        var d = DiagnosticAssert.Single(source);

        // Length is private to Base (nothing to hide); Softmax(float) would be hidden by the float kernel's Softmax.
        DiagnosticAssert.Is(d, DiagnosticDescriptors.InheritedMemberHiddenId,
            "'Loss' inherits 'Batch' (from 'Consumer.Base'), 'Softmax' (from 'Consumer.Base'), which generated members of the same names would hide (CS0108); "
            + "rename them in their class, or declare the kernels in a class that does not derive from 'Consumer.Base', such as a static partial class");
        DiagnosticAssert.At(d, source, "Base", before: "Loss : ");
    }

    [Fact]
    public void FSL014_BaseClassInAnotherPartAndFromMetadata_IsReportedWhereTheBaseIsNamed()
    {
        string attributed = Usings + "[LossKernel(Batch = 4, Classes = 7)]\npublic partial class Loss { }\n";
        string other = Usings + "public partial class Loss : System.IO.MemoryStream { }\n";

        var (result, _) = GeneratorHarness.Run(attributed, other);

        var d = Assert.Single(result.Diagnostics);
        DiagnosticAssert.Is(d, DiagnosticDescriptors.InheritedMemberHiddenId,
            "'Loss' inherits 'Length' (from 'System.IO.MemoryStream'), which generated members of the same names would hide (CS0108); "
            + "rename them in their class, or declare the kernels in a class that does not derive from 'System.IO.MemoryStream', such as a static partial class");
        DiagnosticAssert.At(d, other, "System.IO.MemoryStream", path: "Source1.cs");
    }

    [Fact]
    public void BaseClassWithoutClashingMembers_Compiles()
    {
        string source = Usings
            + "public abstract class Base\n{\n    public static void Softmax<T>(ReadOnlySpan<float> a, Span<float> b) { }\n    public void Normalize(ref Span<float> v) { }\n    private static int Batch = 1;\n    public static int Use() => Batch;\n}\n\n"
            + "[LossKernel(Batch = 4, Classes = 7)]\npublic sealed partial class Loss : Base { }\n";

        var (result, output) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Single(result.GeneratedTrees);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
    }

    [Fact]
    public void NamespaceAndClassOfOneDottedName_GetTwoFiles_NoInternalError()
    {
        // 'namespace A.B' and 'class B' in namespace A both gave 'A.B.K.LossKernel.g.cs': FSL010 twice, no location.
        string first = "using FixedShapeLoss;\nnamespace A { public partial class B { [LossKernel(Batch = 2, Classes = 2)] public static partial class K { } } }\n";
        string second = "using FixedShapeLoss;\nnamespace A.B { [LossKernel(Batch = 2, Classes = 3)] public static partial class K { } }\n";

        var (result, output) = GeneratorHarness.Run(first, second);

        Assert.Contains(output.GetDiagnostics(), d => d.Id == "CS0101"); // the compiler's: namespace A has two B
        Assert.Empty(result.Diagnostics);
        Assert.Equal(
            new[] { "A.B.K.LossKernel.2.g.cs", "A.B.K.LossKernel.g.cs" },
            result.Results[0].GeneratedSources.Select(s => s.HintName).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("public static partial class _ { }")]
    [InlineData("public static partial class Loss { public static int _ = 0; }")]
    public void TypeOrFieldNamedUnderscore_IsNotTakenForADiscard(string declaration)
    {
        // 'out _' bound to the class '_' (CS0118), or to the user's field '_' (CS1503 here; a float field was overwritten).
        string source = Usings + "[LossKernel(Batch = 2, Classes = 3)]\n" + declaration + "\n";

        var (result, output) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
    }

    [Fact]
    public void LowerCaseClassName_WarnsOnlyAtTheUsersDeclaration()
    {
        // CS8981 (warning level 7, on in every project targeting .NET 7 or later) was repeated in the generated file.
        string source = Usings + "[LossKernel(Batch = 2, Classes = 3)]\npublic static partial class loss { }\n";

        var (result, output) = Run(source, LanguageVersion.Latest, NullableContextOptions.Enable, warningLevel: 9999);

        Assert.Empty(result.Diagnostics);
        var warnings = GeneratorHarness.CompileErrors(output);
        var d = Assert.Single(warnings);
        Assert.Equal("CS8981", d.Id);
        DiagnosticAssert.At(d, source, "loss", before: "class ");
    }

    [Theory]
    [InlineData("public public static partial class Loss { }", "CS1004")]
    [InlineData("public internal static partial class Loss { }", "CS0107")]
    [InlineData("static static partial class Loss { }", "CS1004")]
    public void InvalidModifiers_AreTheCompilersErrorOnlyAtTheUsersDeclaration(string declaration, string compilerError)
    {
        // Found by the 10,000-variant fuzz run: the generated part repeated the modifiers, and the error.
        string source = Usings + "[LossKernel(Batch = 2, Classes = 3)]\n" + declaration + "\n";

        var (result, output) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        var errors = GeneratorHarness.CompileErrors(output);
        Assert.NotEmpty(errors);
        Assert.All(errors, d => Assert.Equal("Source0.cs", d.Location.GetLineSpan().Path));
        Assert.Contains(errors, d => d.Id == compilerError);
    }

    [Theory]
    [InlineData("namespace .B\n{\n    [LossKernel(Batch = 2, Classes = 3)]\n    static partial class Loss { }\n}\n")]
    [InlineData("namespace A.\n{\n    [LossKernel(Batch = 2, Classes = 3)]\n    static partial class Loss { }\n}\n")]
    public void NamespaceWithoutAName_IsTheCompilersError(string body)
    {
        // Found by the 10,000-variant fuzz run: the generated file repeated 'namespace .B' (CS1001 in it).
        var (result, output) = GeneratorHarness.Run("using FixedShapeLoss;\n" + body);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.GeneratedTrees);
        Assert.Contains(output.GetDiagnostics(), d => d.Id == "CS1001" && d.Location.GetLineSpan().Path == "Source0.cs");
    }

    // ---- Diagnostics that pointed at the wrong thing ----

    [Theory]
    [InlineData("public static void Normalize(ref Span<float> values) { }")]
    [InlineData("public static void Softmax(in ReadOnlySpan<float> logits, Span<float> destination) { }")]
    [InlineData("public static void Softmax<T>(ReadOnlySpan<float> logits, Span<float> destination) { }")]
    [InlineData("public static void LogSoftmax(ReadOnlySpan<float> logits, out Span<float> destination) { destination = default; }")]
    public void FSL007_OverloadsThatCoexistWithTheGeneratedOnes_AreNotClashes(string member)
    {
        string source = Usings + $"[LossKernel(Batch = 4, Classes = 7)]\npublic static partial class Loss\n{{\n    {member}\n}}\n";

        var (result, output) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Single(result.GeneratedTrees);
        Assert.Empty(GeneratorHarness.CompileErrors(output));
    }

    [Theory]
    [InlineData("typeof(double)", "double", true)]
    [InlineData("typeof(double)", "float", false)]
    [InlineData("typeof(float)", "float", true)]
    [InlineData("typeof(float)", "double", false)]
    public void FSL007_ComparesWithTheKernelsElementType(string elementType, string memberType, bool clash)
    {
        string source = Usings + $"[LossKernel(Batch = 4, Classes = 7, ElementType = {elementType})]\npublic static partial class Loss\n{{\n"
            + $"    public static {memberType} NllLoss(ReadOnlySpan<{memberType}> x, ReadOnlySpan<int> t) => 0;\n}}\n";

        var (result, _) = GeneratorHarness.Run(source);

        Assert.Equal(clash ? new[] { "FSL007" } : Array.Empty<string>(), result.Diagnostics.Select(d => d.Id));
    }

    [Fact]
    public void FSL005_GenericContainingTypeWithTwoKernels_IsReportedOnce()
    {
        string source = Usings
            + "public partial class Holder<T>\n{\n"
            + "    [LossKernel(Batch = 4, Classes = 7)]\n    public static partial class First { }\n\n"
            + "    [LossKernel(Batch = 2, Classes = 3)]\n    public static partial class Second { }\n}\n";

        var d = DiagnosticAssert.Single(source);

        DiagnosticAssert.Is(d, DiagnosticDescriptors.GenericTypeId,
            "'Holder' is generic; loss kernels need a non-generic class inside non-generic types, so remove the type parameters or move the class out of 'Holder'");
        DiagnosticAssert.At(d, source, "<T>");
    }

    [Fact]
    public void FSL004_NonPartialContainingTypeWithTwoKernels_IsReportedOnce()
    {
        string source = Usings
            + "public class Holder\n{\n"
            + "    [LossKernel(Batch = 4, Classes = 7)]\n    public static partial class First { }\n\n"
            + "    [LossKernel(Batch = 2, Classes = 3)]\n    public static partial class Second { }\n}\n";

        var d = DiagnosticAssert.Single(source);

        Assert.Equal(DiagnosticDescriptors.ContainingTypeNotPartialId, d.Id);
        DiagnosticAssert.At(d, source, "Holder");
    }

    private static (GeneratorDriverRunResult Result, Compilation Output) Run(string source, LanguageVersion version, NullableContextOptions nullable, int warningLevel = 4)
    {
        var parse = new CSharpParseOptions(version);
        var compilation = CSharpCompilation.Create(
            "Consumer",
            new[] { CSharpSyntaxTree.ParseText(source, parse, path: "Source0.cs") },
            GeneratorHarness.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: nullable, warningLevel: warningLevel));
        var driver = CSharpGeneratorDriver.Create(new[] { new LossKernelGenerator().AsSourceGenerator() }, parseOptions: parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var result = driver.GetRunResult();
        Assert.Null(result.Results[0].Exception);
        Assert.Equal(string.Empty, string.Join(", ", output.GetDiagnostics().Where(d => d.Id == "CS8785").Select(d => d.GetMessage(CultureInfo.InvariantCulture))));
        return (result, output);
    }
}
