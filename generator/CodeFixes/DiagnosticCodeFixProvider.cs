using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace FixedShapeLoss.CodeFixes;

/// <summary>The shared frame of the providers: the document's root once, then each diagnostic in turn; fix-all
/// batches the single fixes.</summary>
public abstract class DiagnosticCodeFixProvider : CodeFixProvider
{
    public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            await RegisterAsync(context, root, diagnostic).ConfigureAwait(false);
        }
    }

    /// <summary>Registers the fix (if any) for one diagnostic.</summary>
    protected abstract Task RegisterAsync(CodeFixContext context, SyntaxNode root, Diagnostic diagnostic);
}
