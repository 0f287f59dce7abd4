using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FixedShapeLoss.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace FixedShapeLoss.CodeFixes;

/// <summary>
/// Mechanical fixes for the generator's attribute diagnostics: add <c>partial</c> to the kernel class (FSL003) or to
/// a containing type (FSL004), add a missing <c>Batch</c> (FSL001: 1, the smallest valid value) or <c>Classes</c>
/// (FSL002: 2, the fewest classes whose cross-entropy is not always 0) argument, to be edited, and clamp
/// <c>LabelSmoothing</c> into [0, 1] (FSL008).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AttributeCodeFixProvider)), Shared]
public sealed class AttributeCodeFixProvider : DiagnosticCodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.InvalidBatchId,
        DiagnosticDescriptors.InvalidClassesId,
        DiagnosticDescriptors.ClassNotPartialId,
        DiagnosticDescriptors.ContainingTypeNotPartialId,
        DiagnosticDescriptors.InvalidLabelSmoothingId);

    protected override async Task RegisterAsync(CodeFixContext context, SyntaxNode root, Diagnostic diagnostic)
    {
        var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        switch (diagnostic.Id)
        {
            case DiagnosticDescriptors.ClassNotPartialId or DiagnosticDescriptors.ContainingTypeNotPartialId
                when node.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } type && !type.Modifiers.Any(SyntaxKind.PartialKeyword):
                Register(context, diagnostic, $"Make '{type.Identifier.ValueText}' partial", "partial",
                    token => AddPartialAsync(context.Document, type, token));
                break;
            case DiagnosticDescriptors.InvalidBatchId when node.FirstAncestorOrSelf<AttributeSyntax>() is { } attribute && diagnostic.Location.SourceSpan == attribute.Span && !Has(attribute, "Batch"):
                Register(context, diagnostic, "Add 'Batch = 1'", "Batch",
                    token => AddArgumentAsync(context.Document, attribute, "Batch", 1, token));
                break;
            case DiagnosticDescriptors.InvalidClassesId when node.FirstAncestorOrSelf<AttributeSyntax>() is { } attribute && diagnostic.Location.SourceSpan == attribute.Span && !Has(attribute, "Classes"):
                Register(context, diagnostic, "Add 'Classes = 2'", "Classes",
                    token => AddArgumentAsync(context.Document, attribute, "Classes", 2, token));
                break;
            case DiagnosticDescriptors.InvalidLabelSmoothingId when node.FirstAncestorOrSelf<AttributeArgumentSyntax>() is { NameEquals: not null } argument:
                var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
                if (model?.GetConstantValue(argument.Expression, context.CancellationToken) is { HasValue: true, Value: { } constant and not string and not bool })
                {
                    // Above 1 clamps to 1; below 0 and NaN to 0 (smoothing off). The literal may be an int or a double.
                    double value = System.Convert.ToDouble(constant, System.Globalization.CultureInfo.InvariantCulture);
                    string clamped = value > 1 ? "1f" : "0f";
                    Register(context, diagnostic, $"Set LabelSmoothing to {clamped}", "LabelSmoothing",
                        token => ReplaceAsync(context.Document, argument.Expression, SyntaxFactory.ParseExpression(clamped).WithTriviaFrom(argument.Expression), token));
                }

                break;
        }
    }

    private static void Register(CodeFixContext context, Diagnostic diagnostic, string title, string key, System.Func<CancellationToken, Task<Document>> change) =>
        context.RegisterCodeFix(CodeAction.Create(title, change, equivalenceKey: diagnostic.Id + key), diagnostic);

    private static bool Has(AttributeSyntax attribute, string name) =>
        attribute.ArgumentList?.Arguments.Any(a => a.NameEquals?.Name.Identifier.ValueText == name) == true;

    private static async Task<Document> AddPartialAsync(Document document, TypeDeclarationSyntax type, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        editor.ReplaceNode(type, (node, generator) => generator.WithModifiers(node, generator.GetModifiers(node).WithPartial(true)));
        return editor.GetChangedDocument();
    }

    /// <summary>Appends <c>name = value</c> to the attribute's arguments (creating the list for <c>[LossKernel]</c>).</summary>
    private static Task<Document> AddArgumentAsync(Document document, AttributeSyntax attribute, string name, int value, CancellationToken cancellationToken)
    {
        var argument = SyntaxFactory.AttributeArgument(
            SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName(name)),
            null,
            SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(value)));
        var list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
        // Batch goes first, as in [LossKernel(Batch = 4, Classes = 7)].
        var arguments = name == "Batch" ? list.Arguments.Insert(0, argument) : list.Arguments.Add(argument);
        return ReplaceAsync(document, attribute, attribute.WithArgumentList(list.WithArguments(arguments)), cancellationToken);
    }

    private static async Task<Document> ReplaceAsync(Document document, SyntaxNode old, SyntaxNode replacement, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        return root is null ? document : document.WithSyntaxRoot(root.ReplaceNode(old, replacement));
    }
}
