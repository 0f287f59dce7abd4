using Microsoft.CodeAnalysis;

namespace FixedShapeLoss.Generator.Analyzers;

/// <summary>The call-site diagnostics (FSL1xx) of <see cref="ShapeAnalyzer"/>: a buffer whose length is known at
/// compile time and is not the one the kernel takes, and a constant class index outside the kernel's classes.
/// Listed in AnalyzerReleases.Unshipped.md and in the README section "Shape errors at compile time".</summary>
public static class ShapeDiagnostics
{
    private const string Category = "FixedShapeLoss";

    /// <summary>Help links point at the README's anchors (<c>#fsl101</c>, ...). The repository address is the
    /// project's intended public home; no public repository exists yet.</summary>
    public const string HelpLinkBase = "https://github.com/fixedshapeloss/FixedShapeLoss#";

    public const string LengthMismatchId = "FSL101";
    public const string TargetOutOfRangeId = "FSL102";
    public const string LabelOutOfRangeId = "FSL103";

    /// <summary>Property of an FSL101 diagnostic: the kernel constant the buffer must have as length
    /// (<c>Length</c>, <c>Batch</c> or <c>Classes</c>).</summary>
    public const string ExpectedMemberProperty = "ExpectedMember";

    /// <summary>Property of an FSL101 diagnostic: the kernel class, fully qualified with <c>global::</c>.</summary>
    public const string KernelTypeProperty = "KernelType";

    public static readonly DiagnosticDescriptor LengthMismatch = new(
        LengthMismatchId,
        "A buffer has the wrong length for the kernel",
        "'{0}' has {1} elements; {2} takes {3} ({4}); size it with {2}.{5}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "The length of this span argument is known when the code compiles (an array or stackalloc of constant size, an "
            + "initializer or collection expression, or a local or readonly field initialised that way and never reassigned) and it is "
            + "not the length the generated kernel takes: Length (Batch × Classes) for a matrix, Batch for the class indices and "
            + "per-sample losses, Classes for weights. The call would throw ArgumentException at run time.",
        helpLinkUri: HelpLinkBase + "fsl101");

    public static readonly DiagnosticDescriptor TargetOutOfRange = new(
        TargetOutOfRangeId,
        "A constant target is outside the kernel's classes",
        "'{0}[{1}]' is {2}; {3} takes a class index from 0 to {4} (Classes {5}) or IgnoreIndex ({6}) to skip the row",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "A target of this call is a constant, outside [0, Classes), and not the kernel's IgnoreIndex. The call would throw "
            + "ArgumentOutOfRangeException at run time, as PyTorch raises 'Target is out of bounds'.",
        helpLinkUri: HelpLinkBase + "fsl102");

    public static readonly DiagnosticDescriptor LabelOutOfRange = new(
        LabelOutOfRangeId,
        "A constant label is outside the kernel's classes",
        "'{0}[{1}]' is {2}; {3} takes a class index from 0 to {4} (Classes {5})",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "A label of this call is a constant outside [0, Classes) (labels have no IgnoreIndex). The call would throw "
            + "ArgumentOutOfRangeException at run time.",
        helpLinkUri: HelpLinkBase + "fsl103");
}
