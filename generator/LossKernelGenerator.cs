using System;
using System.Collections.Generic;
using System.Globalization;
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

        // Two kernels in one generic or non-partial containing type both find its problem: it is reported once,
        // at its place, by the first of them (the order of the classes in the compilation).
        context.RegisterSourceOutput(diagnostics.Collect(), static (spc, all) =>
        {
            var reported = new HashSet<(string, LocationInfo?)>();
            foreach (var items in all)
            {
                foreach (var item in items)
                {
                    if (reported.Add((item.Descriptor.Id, item.Location)))
                    {
                        spc.ReportDiagnostic(item.ToDiagnostic());
                    }
                }
            }
        });

        // Every class's identity, so that each output can pick a file name no other class takes: AddSource
        // throws, outside our reach, on a duplicate, compared ignoring case (Loss4x7 and LOSS4X7 in one
        // namespace; a namespace A.B and a class B in namespace A, which the compiler reports as CS0101).
        // Equal when the set of classes is, so a changed shape re-emits only its own class.
        var identities = specs
            .Select(static (spec, _) => Identity(spec))
            .Collect()
            .Select(static (names, _) => new EquatableArray<string>(names));

        context.RegisterSourceOutput(specs.Combine(identities), static (spc, pair) =>
        {
            var (spec, all) = pair;
            string identity = Identity(spec);
            if (all.Count(n => string.Equals(n, identity, StringComparison.Ordinal)) > 1)
            {
                // Unreachable: two classes of one identity are one type (file-local types are FSL011), whose
                // first [LossKernel] alone gets a spec. Were it reached, both outputs would take one file name.
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, spec.ClassName,
                    $"another [LossKernel] class has the full name '{identity}'"));
                return;
            }

            string hintName = HintName(identity, all);
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

    /// <summary>The class's full name, unique among the classes of a compilation: the namespace, '|', then the
    /// containing types and the class joined by '+' (neither can occur in a name), without the '@' of escaped
    /// keywords (<c>namespace @event</c>), which AddSource rejects with an exception.</summary>
    private static string Identity(KernelSpec spec) =>
        ((spec.Namespace ?? string.Empty) + "|" + string.Join("+", spec.ContainingTypes.Select(t => t.Name).Concat(new[] { spec.ClassName }))).Replace("@", string.Empty);

    /// <summary>The file name: the dotted full name plus <c>.LossKernel.g.cs</c>. Where several classes' dotted names
    /// are equal ignoring case, the first of them in ordinal order of identity keeps it and the others get
    /// <c>.LossKernel.2.g.cs</c>, <c>.3</c>, ...: unique by construction, since no class name is a number.</summary>
    private static string HintName(string identity, EquatableArray<string> all)
    {
        string stem = Stem(identity);
        var group = all.Where(n => string.Equals(Stem(n), stem, StringComparison.OrdinalIgnoreCase)).OrderBy(n => n, StringComparer.Ordinal).ToList();
        int index = group.IndexOf(identity);
        return index <= 0 ? stem + ".LossKernel.g.cs" : stem + ".LossKernel." + (index + 1).ToString(CultureInfo.InvariantCulture) + ".g.cs";
    }

    private static string Stem(string identity) => identity.TrimStart('|').Replace('|', '.').Replace('+', '.');
}
