using System;
using System.Linq;
using FixedShapeLoss.Generator.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
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
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: not (int)SyntaxKind.StructKeyword },
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

        // Every hint name, so that each output can see whether another class would take the same file name
        // (AddSource throws, outside our reach, on a duplicate, compared ignoring case): Loss4x7 and LOSS4X7 in
        // one namespace, or two file-local classes of one name. Equal when the set of classes is, so a changed
        // shape re-emits only its own class.
        var hintNames = specs
            .Select(static (spec, _) => HintName(spec))
            .Collect()
            .Select(static (names, _) => new EquatableArray<string>(names));

        context.RegisterSourceOutput(specs.Combine(hintNames), static (spc, pair) =>
        {
            var (spec, names) = pair;
            string hintName = HintName(spec);
            int sameIgnoringCase = names.Count(n => string.Equals(n, hintName, StringComparison.OrdinalIgnoreCase));
            int same = names.Count(n => string.Equals(n, hintName, StringComparison.Ordinal));
            if (same > 1)
            {
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, spec.ClassName,
                    $"another [LossKernel] class would be generated into the same file '{hintName}'"));
                return;
            }

            if (sameIgnoringCase > 1)
            {
                hintName = hintName.Substring(0, hintName.Length - ".g.cs".Length) + "." + StableHash(hintName) + ".g.cs";
            }

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

            spc.AddSource(hintName, source);
        });
    }

    /// <summary>The spec's hint name without the '@' of escaped keywords (<c>namespace @event</c>), which
    /// AddSource rejects with an exception.</summary>
    private static string HintName(KernelSpec spec) => spec.HintName.Replace("@", string.Empty);

    /// <summary>FNV-1a of the UTF-16 code units, as 8 hex digits: the same on every run and machine
    /// (unlike <see cref="string.GetHashCode()"/>), and different for names that differ only in case.</summary>
    private static string StableHash(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash = unchecked((hash ^ c) * 16777619);
        }

        return hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    }
}
