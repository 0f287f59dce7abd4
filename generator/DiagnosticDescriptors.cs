using Microsoft.CodeAnalysis;

namespace FixedShapeLoss.Generator;

/// <summary>Every diagnostic the generator reports. IDs are listed in AnalyzerReleases.*.md and, with how to
/// fix each, in the README's Diagnostics table (no public help page exists yet, so no help link).</summary>
public static class DiagnosticDescriptors
{
    private const string Category = "FixedShapeLoss";

    public const string InvalidBatchId = "FSL001";
    public const string InvalidClassesId = "FSL002";
    public const string ClassNotPartialId = "FSL003";
    public const string ContainingTypeNotPartialId = "FSL004";
    public const string GenericTypeId = "FSL005";
    public const string ShapeTooLargeId = "FSL006";
    public const string MemberClashId = "FSL007";
    public const string InvalidLabelSmoothingId = "FSL008";
    public const string InvalidReductionId = "FSL009";
    public const string InternalErrorId = "FSL010";
    public const string UnsupportedClassKindId = "FSL011";
    public const string InvalidElementTypeId = "FSL012";
    public const string ClassNameClashId = "FSL013";
    public const string InheritedMemberHiddenId = "FSL014";

    /// <summary>The largest Batch × Classes the generator accepts: the largest length of a .NET array
    /// (<c>Array.MaxLength</c>), so every matrix of the shape fits in one span.</summary>
    public const long MaxLength = 0x7FFFFFC7;

    /// <summary>Where each ID is explained: its row in the README's Diagnostics table (anchor <c>#fsl001</c> ...), on the
    /// same base as the call-site analyzer's FSL1xx (no public repository exists yet, so the base is a placeholder).</summary>
    private static string HelpLink(string id) => Analyzers.ShapeDiagnostics.HelpLinkBase + id.ToLowerInvariant();

    public static readonly DiagnosticDescriptor InvalidBatch = new(
        InvalidBatchId,
        "Batch must be at least 1",
        "Batch must be at least 1, but it is {0}; set Batch to the number of rows, for example [LossKernel(Batch = 4, Classes = 7)]",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Batch is the number of rows of every matrix the kernels take; it must be set on the attribute and be at least 1.",
        helpLinkUri: HelpLink(InvalidBatchId));

    public static readonly DiagnosticDescriptor InvalidClasses = new(
        InvalidClassesId,
        "Classes must be at least 1",
        "Classes must be at least 1, but it is {0}; set Classes to the number of classes (1 for a single binary output), for example [LossKernel(Batch = 4, Classes = 7)]",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Classes is the number of columns (classes) of every matrix the kernels take; it must be set on the attribute and be at least 1 (1: a single binary output per row).",
        helpLinkUri: HelpLink(InvalidClassesId));

    public static readonly DiagnosticDescriptor ClassNotPartial = new(
        ClassNotPartialId,
        "A [LossKernel] class must be partial",
        "The class '{0}' must be declared partial so that the generated kernels can be added to it; add the 'partial' modifier",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The generator adds the kernels to the annotated class in a second file, which C# allows only for a partial class.",
        helpLinkUri: HelpLink(ClassNotPartialId));

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = new(
        ContainingTypeNotPartialId,
        "A type containing a [LossKernel] class must be partial",
        "The type '{0}', which contains the [LossKernel] class '{1}', must be declared partial; add the 'partial' modifier to '{0}'",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The generated part of a nested class repeats its containing types, so each of them must be partial too.",
        helpLinkUri: HelpLink(ContainingTypeNotPartialId));

    public static readonly DiagnosticDescriptor GenericType = new(
        GenericTypeId,
        "A [LossKernel] class cannot be generic",
        "'{0}' is generic; loss kernels need a non-generic class inside non-generic types, so remove the type parameters or move the class out of '{0}'",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The kernels are generated for one fixed shape and type; a generic class, or one nested in a generic type, cannot carry them.",
        helpLinkUri: HelpLink(GenericTypeId));

    public static readonly DiagnosticDescriptor ShapeTooLarge = new(
        ShapeTooLargeId,
        "The shape is too large",
        "Batch × Classes is {0}, more than the largest span length the kernels can take ({1}); use a smaller Batch or Classes",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Every matrix of the shape must fit in one span, so Batch × Classes can be at most Array.MaxLength (2,147,483,591).",
        helpLinkUri: HelpLink(ShapeTooLargeId));

    public static readonly DiagnosticDescriptor MemberClash = new(
        MemberClashId,
        "A member clashes with a generated kernel",
        "'{0}' already declares '{1}', which the generator emits for [LossKernel] classes; rename or remove '{1}'",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The generator declares constants, methods, a nested struct and private helpers in the class; a user member with the same name (constants, the struct, helpers) or the same signature (methods, compared as C# does) would not compile.",
        helpLinkUri: HelpLink(MemberClashId));

    public static readonly DiagnosticDescriptor InvalidLabelSmoothing = new(
        InvalidLabelSmoothingId,
        "LabelSmoothing must be in [0, 1]",
        "LabelSmoothing must be a number from 0 to 1, but it is {0}; use 0 to turn smoothing off or a value such as 0.1",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "LabelSmoothing is torch's label_smoothing: a fraction from 0 (off) to 1.",
        helpLinkUri: HelpLink(InvalidLabelSmoothingId));

    public static readonly DiagnosticDescriptor InvalidReduction = new(
        InvalidReductionId,
        "Reduction must be Mean or Sum",
        "Reduction must be LossReduction.Mean or LossReduction.Sum, but it is {0}; for per-sample losses call CrossEntropyLossPerSample",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The reducing kernels take their reduction from the attribute: LossReduction.Mean or LossReduction.Sum; torch's reduction='none' is the PerSample member.",
        helpLinkUri: HelpLink(InvalidReductionId));

    public static readonly DiagnosticDescriptor InternalError = new(
        InternalErrorId,
        "The generator failed",
        "The FixedShapeLoss generator could not generate '{0}': {1}; please report this",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The generator could not write this class's kernels. It is not expected to happen (a fuzz test checks it cannot be reached from source); please report the declaration.",
        helpLinkUri: HelpLink(InternalErrorId));

    public static readonly DiagnosticDescriptor UnsupportedClassKind = new(
        UnsupportedClassKindId,
        "A [LossKernel] type must be a plain class",
        "'{0}' is {1}; the generated kernels need a plain partial class, so {2}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The generated part is another declaration of the class in another file: a record would get a class part, and a file-local type cannot be named from another file.",
        helpLinkUri: HelpLink(UnsupportedClassKindId));

    public static readonly DiagnosticDescriptor InvalidElementType = new(
        InvalidElementTypeId,
        "ElementType must be float or double",
        "ElementType must be typeof(float) or typeof(double), but it is '{0}'; the kernels compute in float32 or float64 as PyTorch does",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "ElementType is the element type of every matrix the kernels take: typeof(float) (PyTorch's float32, the default) or typeof(double) (float64).",
        helpLinkUri: HelpLink(InvalidElementTypeId));

    public static readonly DiagnosticDescriptor ClassNameClash = new(
        ClassNameClashId,
        "A [LossKernel] class cannot have the name of a generated member",
        "The class '{0}' has the name of a member the generator emits into it, and a member cannot have the name of its class (CS0542); rename the class, for example to '{0}Kernel'",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "A member cannot have the name of its enclosing class (CS0542), and the generator declares members such as Length and Softmax.",
        helpLinkUri: HelpLink(ClassNameClashId));

    public static readonly DiagnosticDescriptor InheritedMemberHidden = new(
        InheritedMemberHiddenId,
        "Generated members would hide inherited members",
        "'{0}' inherits {1}, which generated members of the same names would hide (CS0108); rename them in their class, or declare the kernels in a class that does not derive from '{2}', such as a static partial class",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "A generated member would hide an accessible member of a base class (CS0108, a warning that breaks builds with warnings as errors).",
        helpLinkUri: HelpLink(InheritedMemberHiddenId));
}
