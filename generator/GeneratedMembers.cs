using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace FixedShapeLoss.Generator;

/// <summary>The type of one parameter of a generated method; matrices take the kernel's element type
/// <c>T</c> (<see cref="KernelSpec.ElementType"/>), labels and targets stay <c>int</c>.</summary>
internal enum GeneratedParameterType
{
    /// <summary><c>ReadOnlySpan&lt;T&gt;</c>.</summary>
    ReadOnlySpanOfT,

    /// <summary><c>Span&lt;T&gt;</c>.</summary>
    SpanOfT,

    /// <summary><c>ReadOnlySpan&lt;int&gt;</c>.</summary>
    ReadOnlySpanOfInt,

    /// <summary><c>Span&lt;int&gt;</c>.</summary>
    SpanOfInt,

    /// <summary>The nested inline-array buffer of one matrix (<see cref="Emitter.MatrixTypeName"/>).</summary>
    Matrix,

    /// <summary>The nested inline-array buffer of one class index per row (<see cref="Emitter.TargetsTypeName"/>).</summary>
    Targets,

    /// <summary>The nested inline-array buffer of one loss per row (<see cref="Emitter.SampleLossesTypeName"/>).</summary>
    SampleLosses,
}

/// <summary>One parameter of a generated method: its type and how it is passed (spans by value, the inline-array
/// buffers by <c>in</c> or <c>ref</c>).</summary>
internal readonly record struct GeneratedParameter(GeneratedParameterType Type, RefKind RefKind = RefKind.None);

/// <summary>One member the generator declares in a <c>[LossKernel]</c> class.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Reserved">A constant, a nested type or a private helper: C# lets no other member of the class
/// have this name, whatever its kind or signature (CS0102), so the name is reserved outright.</param>
/// <param name="Overloads">For a method: the parameter list of each overload (none has type parameters).</param>
internal sealed record GeneratedMember(string Name, bool Reserved, IReadOnlyList<IReadOnlyList<GeneratedParameter>> Overloads);

/// <summary>One section of the generated class: the writer that emits it and the members it declares.</summary>
/// <param name="Write">Writes the section (nothing when the kernel's options leave it out).</param>
/// <param name="Members">What it declares.</param>
internal sealed record GeneratedSection(Action<Emitter.KernelWriter> Write, IReadOnlyList<GeneratedMember> Members);

/// <summary>
/// Every member the generator declares in a <c>[LossKernel]</c> class, public or private, and which user
/// members (declared in the class or inherited by it) clash with them, compared as C# compares members:
/// the same name is a clash unless both are methods, and two methods clash when they have the same generic
/// arity and the same parameter types and ref kinds (<c>in</c>, <c>ref</c> and <c>out</c> all differ from
/// by-value but not from one another, CS0663).
/// </summary>
internal static class GeneratedMembers
{
    private static readonly GeneratedParameter s_roT = new(GeneratedParameterType.ReadOnlySpanOfT);
    private static readonly GeneratedParameter s_spanT = new(GeneratedParameterType.SpanOfT);
    private static readonly GeneratedParameter s_roInt = new(GeneratedParameterType.ReadOnlySpanOfInt);
    private static readonly GeneratedParameter s_spanInt = new(GeneratedParameterType.SpanOfInt);
    private static readonly GeneratedParameter s_inMatrix = new(GeneratedParameterType.Matrix, RefKind.In);
    private static readonly GeneratedParameter s_refMatrix = new(GeneratedParameterType.Matrix, RefKind.Ref);
    private static readonly GeneratedParameter s_inTargets = new(GeneratedParameterType.Targets, RefKind.In);
    private static readonly GeneratedParameter s_refTargets = new(GeneratedParameterType.Targets, RefKind.Ref);
    private static readonly GeneratedParameter s_refSampleLosses = new(GeneratedParameterType.SampleLosses, RefKind.Ref);

    /// <summary>
    /// The table: the generated class, section by section in the order <see cref="Emitter.Emit"/> writes them, each
    /// with the writer that emits it and the members it declares (name and every overload's parameters). The FSL007
    /// clash check reads the members (<see cref="All"/>); GeneratedMembersTests parses the emitted code of every option
    /// and checks that each declared member is in its section with that signature, and that the README's member table
    /// and FSL007 row name them. A new member is a new entry here, or it fails those tests.
    /// </summary>
    public static readonly IReadOnlyList<GeneratedSection> Sections = new[]
    {
        // Public constants, and the two private smoothing constants (reserved whether or not this kernel's options
        // emit them, like every private helper and nested type below: the label-smoothing constants exist only with
        // LabelSmoothing > 0, the shape struct only for the plain kernel from C# 11, the inline-array buffers only
        // from C# 12 on .NET 8 and up to 1 MiB; so a user member never starts to clash because an option, the
        // language version or the target framework changed).
        Section(k => k.Constants(),
            Reserved("Batch"), Reserved("Classes"), Reserved("Length"), Reserved("Reduction"), Reserved("LabelSmoothing"), Reserved("IgnoreIndex"),
            Reserved("OneMinusSmoothing"), Reserved("SmoothingPerClass")),
        Section(k => k.BufferTypes(), Reserved(Emitter.MatrixTypeName), Reserved(Emitter.TargetsTypeName), Reserved(Emitter.SampleLossesTypeName)),

        // Cross-entropy and its building blocks: each section writes the span overloads, the buffer overloads (C# 12,
        // .NET 8), and the private core both call after their length checks (emitted with the buffer overloads).
        Section(k => k.Normalize(), Method("Normalize", new[] { s_spanT }, new[] { s_refMatrix }), Method("NormalizeCore", new[] { s_spanT })),
        Section(k => k.Softmax(), Method("Softmax", new[] { s_roT, s_spanT }, new[] { s_inMatrix, s_refMatrix }), Method("SoftmaxCore", new[] { s_roT, s_spanT })),
        Section(k => k.LogSoftmax(), Method("LogSoftmax", new[] { s_roT, s_spanT }, new[] { s_inMatrix, s_refMatrix }), Method("LogSoftmaxCore", new[] { s_roT, s_spanT })),
        Section(k => k.OneHot(), Method("OneHot", new[] { s_roInt, s_spanT }, new[] { s_inTargets, s_refMatrix }), Method("OneHotCore", new[] { s_roInt, s_spanT })),
        Section(k => k.Labels(), Method("Labels", new[] { s_roT, s_spanInt }, new[] { s_inMatrix, s_refTargets }), Method("LabelsCore", new[] { s_roT, s_spanInt })),
        Section(
            k =>
            {
                k.CrossEntropyFromLabels();
                k.CrossEntropyFromOneHot();
            },
            Method("CrossEntropy", new[] { s_roT, s_roInt }, new[] { s_roT, s_roT }, new[] { s_inMatrix, s_inTargets }, new[] { s_inMatrix, s_inMatrix }),
            Method("CrossEntropyCore", new[] { s_roT, s_roInt }, new[] { s_roT, s_roT })),
        Section(
            k =>
            {
                k.CrossEntropyLoss(weighted: false);
                k.CrossEntropyLoss(weighted: true);
                k.CrossEntropyLossSoft();
            },
            Method("CrossEntropyLoss", new[] { s_roT, s_roInt }, new[] { s_roT, s_roInt, s_roT }, new[] { s_roT, s_roT }, new[] { s_inMatrix, s_inTargets }, new[] { s_inMatrix, s_inMatrix }),
            Method("CrossEntropyLossCore", new[] { s_roT, s_roInt }, new[] { s_roT, s_roT })),
        Section(
            k =>
            {
                k.PerSample(weighted: false);
                k.PerSample(weighted: true);
            },
            Method("CrossEntropyLossPerSample", new[] { s_roT, s_roInt, s_spanT }, new[] { s_roT, s_roInt, s_roT, s_spanT }, new[] { s_inMatrix, s_inTargets, s_refSampleLosses }),
            Method("CrossEntropyLossPerSampleCore", new[] { s_roT, s_roInt, s_spanT })),
        Section(
            k =>
            {
                k.Backward(weighted: false);
                k.Backward(weighted: true);
                k.BackwardSoft();
            },
            Method("CrossEntropyLossBackward", new[] { s_roT, s_roInt, s_spanT }, new[] { s_roT, s_roInt, s_roT, s_spanT }, new[] { s_roT, s_roT, s_spanT },
                new[] { s_inMatrix, s_inTargets, s_refMatrix }, new[] { s_inMatrix, s_inMatrix, s_refMatrix }),
            Method("CrossEntropyLossBackwardCore", new[] { s_roT, s_roInt, s_spanT }, new[] { s_roT, s_roT, s_spanT })),

        // The loss family beside cross-entropy (design.md); its buffer overloads call the same LossFamily helpers.
        Section(
            k =>
            {
                k.NllLoss(weighted: false);
                k.NllLoss(weighted: true);
            },
            Method("NllLoss", new[] { s_roT, s_roInt }, new[] { s_roT, s_roInt, s_roT }, new[] { s_inMatrix, s_inTargets })),
        Section(k => k.NllLossPerSample(), Method("NllLossPerSample", new[] { s_roT, s_roInt, s_spanT }, new[] { s_inMatrix, s_inTargets, s_refSampleLosses })),
        Section(
            k =>
            {
                k.NllLossBackward(weighted: false);
                k.NllLossBackward(weighted: true);
            },
            Method("NllLossBackward", new[] { s_roT, s_roInt, s_spanT }, new[] { s_roT, s_roInt, s_roT, s_spanT }, new[] { s_inMatrix, s_inTargets, s_refMatrix })),
        Section(
            k =>
            {
                k.WithLogits(posWeight: false);
                k.WithLogits(posWeight: true);
            },
            Method("BinaryCrossEntropyWithLogitsLoss", new[] { s_roT, s_roT }, new[] { s_roT, s_roT, s_roT }, new[] { s_inMatrix, s_inMatrix })),
        Section(k => k.WithLogitsPerElement(), Method("BinaryCrossEntropyWithLogitsLossPerElement", new[] { s_roT, s_roT, s_spanT }, new[] { s_inMatrix, s_inMatrix, s_refMatrix })),
        Section(
            k =>
            {
                k.WithLogitsBackward(posWeight: false);
                k.WithLogitsBackward(posWeight: true);
            },
            Method("BinaryCrossEntropyWithLogitsLossBackward", new[] { s_roT, s_roT, s_spanT }, new[] { s_roT, s_roT, s_roT, s_spanT }, new[] { s_inMatrix, s_inMatrix, s_refMatrix })),
        Section(k => k.Bce(), Method("BinaryCrossEntropyLoss", new[] { s_roT, s_roT }, new[] { s_inMatrix, s_inMatrix })),
        Section(k => k.BcePerElement(), Method("BinaryCrossEntropyLossPerElement", new[] { s_roT, s_roT, s_spanT }, new[] { s_inMatrix, s_inMatrix, s_refMatrix })),
        Section(k => k.BceBackward(), Method("BinaryCrossEntropyLossBackward", new[] { s_roT, s_roT, s_spanT }, new[] { s_inMatrix, s_inMatrix, s_refMatrix })),

        // The shape struct the plain kernels pass to the generic helpers.
        Section(k => k.ShapeType(), Reserved(Emitter.ShapeTypeName)),
    };

    /// <summary>The members of <see cref="Sections"/>, by name.</summary>
    public static readonly IReadOnlyDictionary<string, GeneratedMember> All =
        Sections.SelectMany(section => section.Members).ToDictionary(m => m.Name, m => m, System.StringComparer.Ordinal);

    /// <summary>Whether <paramref name="member"/>, declared in or inherited by the kernel class, cannot live beside
    /// the generated member of its name for a kernel of <paramref name="elementType"/>: declared, it is CS0102 or
    /// CS0111; inherited, the generated member hides it (CS0108).</summary>
    public static bool Clashes(ISymbol member, KernelElementType elementType)
    {
        if (!All.TryGetValue(member.Name, out var generated))
        {
            return false;
        }

        if (generated.Reserved || member is not IMethodSymbol method)
        {
            return true;
        }

        return method.Arity == 0 && generated.Overloads.Any(overload => SameParameters(method.Parameters, overload, elementType));
    }

    /// <summary>The parameter type as <see cref="SymbolDisplayFormat.FullyQualifiedFormat"/> writes it; for a buffer,
    /// its simple name.</summary>
    public static string Display(GeneratedParameterType type, KernelElementType elementType)
    {
        string t = elementType == KernelElementType.Double ? "double" : "float";
        return type switch
        {
            GeneratedParameterType.ReadOnlySpanOfT => $"global::System.ReadOnlySpan<{t}>",
            GeneratedParameterType.SpanOfT => $"global::System.Span<{t}>",
            GeneratedParameterType.ReadOnlySpanOfInt => "global::System.ReadOnlySpan<int>",
            GeneratedParameterType.SpanOfInt => "global::System.Span<int>",
            GeneratedParameterType.Matrix => Emitter.MatrixTypeName,
            GeneratedParameterType.Targets => Emitter.TargetsTypeName,
            _ => Emitter.SampleLossesTypeName,
        };
    }

    /// <summary>Whether a user parameter of <paramref name="type"/> is the generated one. A buffer is compared by simple
    /// name, whatever it binds to in the user's compilation (the generated type is not in it yet, and once it is, that
    /// simple name inside the class means the generated type): a user method <c>Softmax(in Matrix a, ref Matrix b)</c>
    /// would become a second <c>Softmax(in Matrix, ref Matrix)</c> (CS0111).</summary>
    private static bool SameType(ITypeSymbol type, GeneratedParameterType expected, KernelElementType elementType) =>
        expected is GeneratedParameterType.Matrix or GeneratedParameterType.Targets or GeneratedParameterType.SampleLosses
            ? type.Name == Display(expected, elementType) && type is INamedTypeSymbol { Arity: 0 }
            : type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == Display(expected, elementType);

    private static bool SameParameters(IReadOnlyList<IParameterSymbol> parameters, IReadOnlyList<GeneratedParameter> overload, KernelElementType elementType)
    {
        if (parameters.Count != overload.Count)
        {
            return false;
        }

        for (int i = 0; i < parameters.Count; i++)
        {
            if ((parameters[i].RefKind == RefKind.None) != (overload[i].RefKind == RefKind.None)
                || !SameType(parameters[i].Type, overload[i].Type, elementType))
            {
                return false;
            }
        }

        return true;
    }

    private static GeneratedSection Section(Action<Emitter.KernelWriter> write, params GeneratedMember[] members) => new(write, members);

    private static GeneratedMember Reserved(string name) => new(name, Reserved: true, new IReadOnlyList<GeneratedParameter>[0]);

    private static GeneratedMember Method(string name, params GeneratedParameter[][] overloads) =>
        new(name, Reserved: false, overloads.Select(o => (IReadOnlyList<GeneratedParameter>)o).ToArray());
}
