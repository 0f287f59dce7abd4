using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using FixedShapeLoss.Generator.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Simplification;

namespace FixedShapeLoss.CodeFixes;

/// <summary>
/// FSL101 where the buffer is created with a constant size in the same member as the call (<c>new float[27]</c>,
/// <c>stackalloc float[27]</c>): replaces the size with the kernel's constant, <c>Loss4x7.Length</c>,
/// <c>Loss4x7.Batch</c> or <c>Loss4x7.Classes</c>. The analyzer passes the size expression as the diagnostic's
/// additional location; without one (an initializer, a field, a buffer from elsewhere) there is no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ResizeBufferCodeFixProvider)), Shared]
public sealed class ResizeBufferCodeFixProvider : DiagnosticCodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(ShapeDiagnostics.LengthMismatchId);

    protected override Task RegisterAsync(CodeFixContext context, SyntaxNode root, Diagnostic diagnostic)
    {
        if (diagnostic.AdditionalLocations.Count != 1
            || diagnostic.AdditionalLocations[0].SourceTree != root.SyntaxTree
            || !diagnostic.Properties.TryGetValue(ShapeDiagnostics.ExpectedMemberProperty, out var member) || member is null
            || !diagnostic.Properties.TryGetValue(ShapeDiagnostics.KernelTypeProperty, out var kernel) || kernel is null)
        {
            return Task.CompletedTask;
        }

        var size = root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan, getInnermostNodeForTie: true);
        var replacement = SyntaxFactory.ParseExpression(kernel + "." + member)
            .WithTriviaFrom(size)
            .WithAdditionalAnnotations(Simplifier.Annotation);
        string shortName = kernel.Substring(kernel.LastIndexOf('.') + 1);
        context.RegisterCodeFix(
            CodeAction.Create(
                $"Size the buffer with {shortName}.{member}",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(size, replacement))),
                equivalenceKey: ShapeDiagnostics.LengthMismatchId + member),
            diagnostic);

        return Task.CompletedTask;
    }
}
