using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FixedShapeLoss.Generator;

/// <summary>
/// Emits fixed-shape loss kernels into every <c>partial class</c> marked <c>[LossKernel(Batch = B, Classes = C)]</c>.
/// Pipeline: attribute → <see cref="Parser"/> (spec + diagnostics, plain values) → <see cref="Emitter"/> (pure text).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class LossKernelGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.AttributeMetadataName,
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, ct) => Parser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.Parsed);

        var specs = parsed
            .Where(static r => r.Spec is not null)
            .Select(static (r, _) => r.Spec!)
            .WithTrackingName(TrackingNames.Specs);

        var diagnostics = parsed
            .Select(static (r, _) => r.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        context.RegisterSourceOutput(diagnostics, static (spc, items) =>
        {
            foreach (var item in items)
            {
                spc.ReportDiagnostic(item.ToDiagnostic());
            }
        });

        context.RegisterSourceOutput(specs, static (spc, spec) =>
        {
            string source;
            try
            {
                source = Emitter.Emit(spec);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Never crash the user's build (CS8785): say what happened instead.
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, spec.ClassName, e.Message));
                return;
            }

            spc.AddSource(spec.HintName, source);
        });
    }
}
