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
}

/// <summary>One parameter of a generated method: its type and how it is passed (every generated parameter
/// is by value today; <c>in</c>, <c>ref</c> and <c>out</c> would be <see cref="RefKind"/>s here).</summary>
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
    private const GeneratedParameterType RoT = GeneratedParameterType.ReadOnlySpanOfT;
    private const GeneratedParameterType SpanT = GeneratedParameterType.SpanOfT;
    private const GeneratedParameterType RoInt = GeneratedParameterType.ReadOnlySpanOfInt;
    private const GeneratedParameterType SpanInt = GeneratedParameterType.SpanOfInt;

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

        // Private helpers, reserved whether or not this kernel's options emit them (the label-smoothing constants
        // exist only with LabelSmoothing > 0, the shape struct only for the plain kernel from C# 11), so that a
        // user member never starts to clash because an option changed.
        Reserved("OneMinusSmoothing"),
        Reserved("SmoothingPerClass"),
        Reserved(Emitter.ShapeTypeName),

        // Cross-entropy and its building blocks.
        Method("Normalize", new[] { SpanT }),
        Method("Softmax", new[] { RoT, SpanT }),
        Method("LogSoftmax", new[] { RoT, SpanT }),
        Method("OneHot", new[] { RoInt, SpanT }),
        Method("Labels", new[] { RoT, SpanInt }),
        Method("CrossEntropy", new[] { RoT, RoInt }, new[] { RoT, RoT }),
        Method("CrossEntropyLoss", new[] { RoT, RoInt }, new[] { RoT, RoInt, RoT }, new[] { RoT, RoT }),
        Method("CrossEntropyLossPerSample", new[] { RoT, RoInt, SpanT }, new[] { RoT, RoInt, RoT, SpanT }),
        Method("CrossEntropyLossBackward", new[] { RoT, RoInt, SpanT }, new[] { RoT, RoInt, RoT, SpanT }, new[] { RoT, RoT, SpanT }),

        // The loss family beside cross-entropy (design.md).
        Method("NllLoss", new[] { RoT, RoInt }, new[] { RoT, RoInt, RoT }),
        Method("NllLossPerSample", new[] { RoT, RoInt, SpanT }),
        Method("NllLossBackward", new[] { RoT, RoInt, SpanT }, new[] { RoT, RoInt, RoT, SpanT }),
        Method("BinaryCrossEntropyWithLogitsLoss", new[] { RoT, RoT }, new[] { RoT, RoT, RoT }),
        Method("BinaryCrossEntropyWithLogitsLossPerElement", new[] { RoT, RoT, SpanT }),
        Method("BinaryCrossEntropyWithLogitsLossBackward", new[] { RoT, RoT, SpanT }, new[] { RoT, RoT, RoT, SpanT }),
        Method("BinaryCrossEntropyLoss", new[] { RoT, RoT }),
        Method("BinaryCrossEntropyLossPerElement", new[] { RoT, RoT, SpanT }),
        Method("BinaryCrossEntropyLossBackward", new[] { RoT, RoT, SpanT }),
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

    /// <summary>The parameter type as <see cref="SymbolDisplayFormat.FullyQualifiedFormat"/> writes it.</summary>
    public static string Display(GeneratedParameterType type, KernelElementType elementType)
    {
        string t = elementType == KernelElementType.Double ? "double" : "float";
        return type switch
        {
            GeneratedParameterType.ReadOnlySpanOfT => $"global::System.ReadOnlySpan<{t}>",
            GeneratedParameterType.SpanOfT => $"global::System.Span<{t}>",
            GeneratedParameterType.ReadOnlySpanOfInt => "global::System.ReadOnlySpan<int>",
            _ => "global::System.Span<int>",
        };
    }

    private static bool SameParameters(IReadOnlyList<IParameterSymbol> parameters, IReadOnlyList<GeneratedParameter> overload, KernelElementType elementType)
    {
        if (parameters.Count != overload.Count)
        {
            return false;
        }

        for (int i = 0; i < parameters.Count; i++)
        {
            if ((parameters[i].RefKind == RefKind.None) != (overload[i].RefKind == RefKind.None)
                || parameters[i].Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) != Display(overload[i].Type, elementType))
            {
                return false;
            }
        }

        return true;
    }

    private static GeneratedMember Reserved(string name) => new(name, Reserved: true, new IReadOnlyList<GeneratedParameter>[0]);

    private static GeneratedMember Method(string name, params GeneratedParameterType[][] overloads) =>
        new(name, Reserved: false, overloads.Select(o => (IReadOnlyList<GeneratedParameter>)o.Select(t => new GeneratedParameter(t)).ToArray()).ToArray());
}
