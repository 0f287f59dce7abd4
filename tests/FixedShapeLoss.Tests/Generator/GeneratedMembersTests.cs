using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FixedShapeLoss.Generator;
using FixedShapeLoss.Generator.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace FixedShapeLoss.Tests.Generator;

/// <summary>
/// The table of generated members (<see cref="GeneratedMembers.Sections"/>) against what the emitter writes: each
/// section's writer, run alone on kernels of every option that changes the output, declares exactly members of its own
/// entries, each method with the parameters of one of the entry's overloads; every entry is declared by some kernel;
/// the README's member table and FSL007 row name every member. A member added to the emitter without its entry (so
/// unseen by the FSL007 clash check), or an entry left behind by a removed member, fails here.
/// </summary>
public class GeneratedMembersTests
{
    /// <summary>Kernels whose options between them turn on every optional member: buffers (inline arrays), label smoothing
    /// (its private constants, no shape struct), the shape struct (plain, C# 11 helpers), double, the looped and blocked
    /// row strategies, one class.</summary>
    private static readonly KernelSpec[] s_specs =
    {
        Spec(4, 7, inlineArrays: true),
        Spec(5, 3, labelSmoothing: 0.1f, inlineArrays: true),
        Spec(4, 7, elementType: KernelElementType.Double, inlineArrays: true),
        Spec(64, 40, helperCalls: HelperCalls.NonGeneric),
        Spec(256, 1000),
        Spec(3, 1, reduction: KernelReduction.Sum, elementType: KernelElementType.Double),
    };

    public static IEnumerable<object[]> SpecIndices() => Enumerable.Range(0, s_specs.Length).Select(i => new object[] { i });

    private static KernelSpec Spec(
        int batch,
        int classes,
        KernelReduction reduction = KernelReduction.Mean,
        float labelSmoothing = 0f,
        KernelElementType elementType = KernelElementType.Float,
        HelperCalls helperCalls = HelperCalls.Generic,
        bool inlineArrays = false) =>
        new("Demo", new EquatableArray<ContainingTypeSpec>(Array.Empty<ContainingTypeSpec>()), "K", "public static partial class", batch, classes, reduction,
            labelSmoothing, -100, elementType, helperCalls, true, true, inlineArrays);

    [Theory]
    [MemberData(nameof(SpecIndices))]
    public void EverySection_DeclaresOnlyItsOwnMembers_WithTheTablesSignatures(int index)
    {
        var spec = s_specs[index];
        foreach (var section in GeneratedMembers.Sections)
        {
            var writer = new SourceWriter();
            section.Write(new Emitter.KernelWriter(writer, spec));
            var own = section.Members.ToDictionary(m => m.Name);
            foreach (var (name, member) in Declared(writer.ToString()))
            {
                Assert.True(own.TryGetValue(name, out var entry), $"section of {string.Join(", ", own.Keys)} declares {name}, which is not among its entries");
                if (member is MethodDeclarationSyntax method)
                {
                    Assert.False(entry.Reserved, $"{name} is a method, its entry a reserved name");
                    string actual = Signature(method.ParameterList.Parameters.Select(p => (RefKindOf(p), p.Type!.ToString())));
                    var expected = entry.Overloads.Select(o => Signature(o.Select(p => (p.RefKind, GeneratedMembers.Display(p.Type, spec.ElementType))))).ToArray();
                    Assert.True(expected.Contains(actual), $"{name}({actual}) is not among the table's overloads: {string.Join(" | ", expected)}");
                }
                else
                {
                    Assert.True(entry.Reserved, $"{name} is not a method, but its entry is");
                }
            }
        }
    }

    /// <summary>Every entry of the table is declared by at least one of the kernels above, every method overload too.</summary>
    [Fact]
    public void EveryEntry_IsDeclaredBySomeKernel()
    {
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in s_specs)
        {
            foreach (var (name, member) in Declared(Emitter.Emit(spec)))
            {
                declared.Add(member is MethodDeclarationSyntax method
                    ? name + "(" + Signature(method.ParameterList.Parameters.Select(p => (RefKindOf(p), Simple(p.Type!.ToString())))) + ")"
                    : name);
            }
        }

        foreach (var member in GeneratedMembers.All.Values)
        {
            if (member.Reserved)
            {
                Assert.Contains(member.Name, declared);
                continue;
            }

            foreach (var overload in member.Overloads)
            {
                string signature = member.Name + "(" + Signature(overload.Select(p => (p.RefKind, Simple(GeneratedMembers.Display(p.Type, KernelElementType.Float))))) + ")";
                Assert.Contains(signature, declared);
            }
        }
    }

    /// <summary>The README names every member: the public ones in its member table (a family's members may be written
    /// <c>...PerElement(</c> after the first), the reserved ones in the FSL007 row.</summary>
    [Fact]
    public void Readme_NamesEveryMember()
    {
        string[] readme = File.ReadAllLines(Path.Combine(TestData.RepositoryRoot, "README.md"));
        int start = Array.FindIndex(readme, l => l.StartsWith("| member | what it computes", StringComparison.Ordinal));
        Assert.True(start >= 0, "README: no member table");
        string table = string.Join("\n", readme.Skip(start).TakeWhile(l => l.StartsWith("|", StringComparison.Ordinal)));
        string fsl007 = readme.Single(l => l.Contains("id=\"fsl007\"", StringComparison.Ordinal));
        foreach (var member in GeneratedMembers.All.Values)
        {
            if (member.Reserved)
            {
                Assert.True(fsl007.Contains($"`{member.Name}`", StringComparison.Ordinal), $"README's FSL007 row does not name {member.Name}");
            }
            else if (!member.Name.EndsWith("Core", StringComparison.Ordinal))
            {
                bool named = table.Contains($"`{member.Name}(", StringComparison.Ordinal)
                    || Enumerable.Range(1, member.Name.Length - 1).Any(k => table.Contains($"`...{member.Name.Substring(k)}(", StringComparison.Ordinal)
                        && table.Contains($"`{member.Name.Substring(0, k)}(", StringComparison.Ordinal));
                Assert.True(named, $"README's member table does not name {member.Name}");
            }
        }
    }

    /// <summary>The members declared directly in the class of <paramref name="source"/> (a section alone is wrapped in
    /// one), by name.</summary>
    private static IEnumerable<(string Name, MemberDeclarationSyntax Member)> Declared(string source)
    {
        var root = CSharpSyntaxTree.ParseText(source.Contains("partial class K", StringComparison.Ordinal) ? source : $"static partial class K {{\n{source}\n}}").GetRoot();
        var kernel = root.DescendantNodes().OfType<ClassDeclarationSyntax>().First(c => c.Identifier.Text == "K");
        foreach (var member in kernel.Members)
        {
            switch (member)
            {
                case MethodDeclarationSyntax m: yield return (m.Identifier.Text, m); break;
                case PropertyDeclarationSyntax p: yield return (p.Identifier.Text, p); break;
                case BaseTypeDeclarationSyntax t: yield return (t.Identifier.Text, t); break;
                case BaseFieldDeclarationSyntax f:
                    foreach (var v in f.Declaration.Variables)
                    {
                        yield return (v.Identifier.Text, f);
                    }

                    break;
                default: throw new InvalidOperationException($"unexpected member kind {member.Kind()}");
            }
        }
    }

    private static RefKind RefKindOf(ParameterSyntax p) =>
        p.Modifiers.Any(SyntaxKind.InKeyword) ? RefKind.In
        : p.Modifiers.Any(SyntaxKind.RefKeyword) ? RefKind.Ref
        : p.Modifiers.Any(SyntaxKind.OutKeyword) ? RefKind.Out
        : RefKind.None;

    private static string Signature(IEnumerable<(RefKind RefKind, string Type)> parameters) =>
        string.Join(", ", parameters.Select(p => (p.RefKind == RefKind.None ? "" : p.RefKind.ToString().ToLowerInvariant() + " ") + p.Type));

    /// <summary>The element type out of a span type, so the float and double kernels' overloads compare alike.</summary>
    private static string Simple(string type) => type.Replace("<double>", "<T>", StringComparison.Ordinal).Replace("<float>", "<T>", StringComparison.Ordinal);
}
