using FixedShapeLoss.Generator.Helpers;

namespace FixedShapeLoss.Generator;

/// <summary>A type that contains the annotated class: its declaration keyword (class, struct, record,
/// record struct, interface) and name, outermost first in <see cref="KernelSpec.ContainingTypes"/>.</summary>
internal sealed record ContainingTypeSpec(string Keyword, string Name);

/// <summary>Everything the emitter needs for one <c>[LossKernel]</c> class: plain values only
/// (no symbol, syntax node, location or compilation), so equal inputs compare equal and stay cached.
/// <see cref="ShapeType"/>: whether the class's language version has static abstract interface members
/// (C# 11), which the nested shape struct of the generic helpers needs; older versions call the
/// non-generic helpers instead.</summary>
internal sealed record KernelSpec(
    string? Namespace,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    string ClassName,
    string Modifiers,
    int Batch,
    int Classes,
    int Reduction,
    float LabelSmoothing,
    int IgnoreIndex,
    bool ShapeType)
{
    public const int ReductionMean = 0;
    public const int ReductionSum = 1;

    public int Length => Batch * Classes;

    /// <summary>The file name of the generated source: the class's full name plus <c>.LossKernel.g.cs</c>.</summary>
    public string HintName
    {
        get
        {
            var name = Namespace is null ? string.Empty : Namespace + ".";
            foreach (var t in ContainingTypes)
            {
                name += t.Name + ".";
            }

            return name + ClassName + ".LossKernel.g.cs";
        }
    }
}
