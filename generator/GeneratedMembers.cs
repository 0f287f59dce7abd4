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

/// <summary>
/// Every member the generator declares in a <c>[LossKernel]</c> class, public or private, and which user
/// members (declared in the class or inherited by it) clash with them, compared as C# compares members:
/// the same name is a clash unless both are methods, and two methods clash when they have the same generic
/// arity and the same parameter types and ref kinds (<c>in</c>, <c>ref</c> and <c>out</c> all differ from
/// by-value but not from one another, CS0663). A new generated member needs its entry here.
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

    /// <summary>The table, by name.</summary>
    public static readonly IReadOnlyDictionary<string, GeneratedMember> All = new[]
    {
        // Public constants.
        Reserved("Batch"),
        Reserved("Classes"),
        Reserved("Length"),
        Reserved("Reduction"),
        Reserved("LabelSmoothing"),
        Reserved("IgnoreIndex"),

        // Private helpers and nested types, reserved whether or not this kernel's options emit them (the
        // label-smoothing constants exist only with LabelSmoothing > 0, the shape struct only for the plain kernel
        // from C# 11, the inline-array buffers only from C# 12 on .NET 8 and up to 1 MiB), so that a user member never
        // starts to clash because an option, the language version or the target framework changed.
        Reserved("OneMinusSmoothing"),
        Reserved("SmoothingPerClass"),
        Reserved(Emitter.ShapeTypeName),
        Reserved(Emitter.MatrixTypeName),
        Reserved(Emitter.TargetsTypeName),
        Reserved(Emitter.SampleLossesTypeName),

        // Cross-entropy and its building blocks: the span overloads, the buffer overloads (C# 12, .NET 8), and the
        // private cores both call after their length checks (emitted with the buffer overloads).
        Method("Normalize", new[] { s_spanT }, new[] { s_refMatrix }),
        Method("Softmax", new[] { s_roT, s_spanT }, new[] { s_inMatrix, s_refMatrix }),
        Method("LogSoftmax", new[] { s_roT, s_spanT }, new[] { s_inMatrix, s_refMatrix }),
        Method("OneHot", new[] { s_roInt, s_spanT }, new[] { s_inTargets, s_refMatrix }),
        Method("Labels", new[] { s_roT, s_spanInt }, new[] { s_inMatrix, s_refTargets }),
        Method("CrossEntropy", new[] { s_roT, s_roInt }, new[] { s_roT, s_roT }, new[] { s_inMatrix, s_inTargets }, new[] { s_inMatrix, s_inMatrix }),
        Method("CrossEntropyLoss", new[] { s_roT, s_roInt }, new[] { s_roT, s_roInt, s_roT }, new[] { s_roT, s_roT }, new[] { s_inMatrix, s_inTargets }, new[] { s_inMatrix, s_inMatrix }),
        Method("CrossEntropyLossPerSample", new[] { s_roT, s_roInt, s_spanT }, new[] { s_roT, s_roInt, s_roT, s_spanT }, new[] { s_inMatrix, s_inTargets, s_refSampleLosses }),
        Method("CrossEntropyLossBackward", new[] { s_roT, s_roInt, s_spanT }, new[] { s_roT, s_roInt, s_roT, s_spanT }, new[] { s_roT, s_roT, s_spanT },
            new[] { s_inMatrix, s_inTargets, s_refMatrix }, new[] { s_inMatrix, s_inMatrix, s_refMatrix }),
        Method("NormalizeCore", new[] { s_spanT }),
        Method("SoftmaxCore", new[] { s_roT, s_spanT }),
        Method("LogSoftmaxCore", new[] { s_roT, s_spanT }),
        Method("OneHotCore", new[] { s_roInt, s_spanT }),
        Method("LabelsCore", new[] { s_roT, s_spanInt }),
        Method("CrossEntropyCore", new[] { s_roT, s_roInt }, new[] { s_roT, s_roT }),
        Method("CrossEntropyLossCore", new[] { s_roT, s_roInt }, new[] { s_roT, s_roT }),
        Method("CrossEntropyLossPerSampleCore", new[] { s_roT, s_roInt, s_spanT }),
        Method("CrossEntropyLossBackwardCore", new[] { s_roT, s_roInt, s_spanT }, new[] { s_roT, s_roT, s_spanT }),

        // The loss family beside cross-entropy (design.md); its buffer overloads call the same LossFamily helpers.
        Method("NllLoss", new[] { s_roT, s_roInt }, new[] { s_roT, s_roInt, s_roT }, new[] { s_inMatrix, s_inTargets }),
        Method("NllLossPerSample", new[] { s_roT, s_roInt, s_spanT }, new[] { s_inMatrix, s_inTargets, s_refSampleLosses }),
        Method("NllLossBackward", new[] { s_roT, s_roInt, s_spanT }, new[] { s_roT, s_roInt, s_roT, s_spanT }, new[] { s_inMatrix, s_inTargets, s_refMatrix }),
        Method("BinaryCrossEntropyWithLogitsLoss", new[] { s_roT, s_roT }, new[] { s_roT, s_roT, s_roT }, new[] { s_inMatrix, s_inMatrix }),
        Method("BinaryCrossEntropyWithLogitsLossPerElement", new[] { s_roT, s_roT, s_spanT }, new[] { s_inMatrix, s_inMatrix, s_refMatrix }),
        Method("BinaryCrossEntropyWithLogitsLossBackward", new[] { s_roT, s_roT, s_spanT }, new[] { s_roT, s_roT, s_roT, s_spanT }, new[] { s_inMatrix, s_inMatrix, s_refMatrix }),
        Method("BinaryCrossEntropyLoss", new[] { s_roT, s_roT }, new[] { s_inMatrix, s_inMatrix }),
        Method("BinaryCrossEntropyLossPerElement", new[] { s_roT, s_roT, s_spanT }, new[] { s_inMatrix, s_inMatrix, s_refMatrix }),
        Method("BinaryCrossEntropyLossBackward", new[] { s_roT, s_roT, s_spanT }, new[] { s_inMatrix, s_inMatrix, s_refMatrix }),
    }.ToDictionary(m => m.Name, m => m, System.StringComparer.Ordinal);

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

    private static GeneratedMember Reserved(string name) => new(name, Reserved: true, new IReadOnlyList<GeneratedParameter>[0]);

    private static GeneratedMember Method(string name, params GeneratedParameter[][] overloads) =>
        new(name, Reserved: false, overloads.Select(o => (IReadOnlyList<GeneratedParameter>)o).ToArray());
}
