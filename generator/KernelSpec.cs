using FixedShapeLoss.Generator.Helpers;

namespace FixedShapeLoss.Generator;

/// <summary>A type that contains the annotated class: its declaration keyword (class, struct, record,
/// record struct, interface) and name, outermost first in <see cref="KernelSpec.ContainingTypes"/>.</summary>
internal sealed record ContainingTypeSpec(string Keyword, string Name);

/// <summary>The element type <c>T</c> of every matrix a kernel takes (labels and targets stay <c>int</c>).</summary>
internal enum KernelElementType
{
    /// <summary><c>float</c> (the default): PyTorch's float32.</summary>
    Float,

    /// <summary><c>double</c>: PyTorch's float64.</summary>
    Double,
}

/// <summary>How the reducing losses combine the per-sample losses (the attribute's <c>LossReduction</c>).</summary>
internal enum KernelReduction
{
    /// <summary>PyTorch's <c>reduction='mean'</c>.</summary>
    Mean = 0,

    /// <summary>PyTorch's <c>reduction='sum'</c>.</summary>
    Sum = 1,
}

/// <summary>How the generated code calls the shared whole-matrix helpers of the plain cross-entropy.</summary>
internal enum HelperCalls
{
    /// <summary>C# 11 and later: generic helpers over the nested shape struct (static abstract interface members),
    /// so the JIT compiles them for this shape with Batch and Classes as constants.</summary>
    Generic,

    /// <summary>Before C# 11: the non-generic helpers, with the shape as arguments.</summary>
    NonGeneric,
}

/// <summary>Everything the emitter needs for one <c>[LossKernel]</c> class: plain values only
/// (no symbol, syntax node, location or compilation), so equal inputs compare equal and stay cached.</summary>
/// <param name="LabelSmoothing">The attribute's float; a double kernel uses its shortest round-trip decimal ("0.2" for
/// <c>0.2f</c>), which is what PyTorch's float64 gets, not the widened float.</param>
/// <param name="NullableDirective">Whether the file starts with <c>#nullable enable</c>: false before C# 8, where
/// the directive is CS8370.</param>
/// <param name="GeneratedCodeAttribute">Whether the generated part carries <c>[GeneratedCode]</c>: false when the
/// user's class already has it (it allows one, CS0579).</param>
/// <param name="InlineArrays">Whether the consumer can declare inline arrays: C# 12 or later and a core library that
/// declares <c>InlineArrayAttribute</c> (.NET 8). The emitter adds the buffer
/// types and their overloads only then, and only for shapes whose matrix fits the runtime's 1 MiB limit.</param>
internal sealed record KernelSpec(
    string? Namespace,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    string ClassName,
    string Modifiers,
    int Batch,
    int Classes,
    KernelReduction Reduction,
    float LabelSmoothing,
    int IgnoreIndex,
    KernelElementType ElementType,
    HelperCalls HelperCalls,
    bool NullableDirective = true,
    bool GeneratedCodeAttribute = true,
    bool InlineArrays = false)
{
    public int Length => Batch * Classes;
}
