using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace FixedShapeLoss.Generator.Analyzers;

/// <summary>
/// Call-site analysis of the generated kernels: a span argument whose length is known at compile time and is not
/// the length the kernel takes (FSL101), and a constant target (FSL102) or label (FSL103) outside
/// <c>[0, Classes)</c>. One operation action per invocation: a name lookup and a dictionary hit decide whether the
/// call is a kernel call at all; what is not provably constant is left to the kernels' run-time checks.
/// </summary>
[DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
public sealed class ShapeAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        ShapeDiagnostics.LengthMismatch, ShapeDiagnostics.TargetOutOfRange, ShapeDiagnostics.LabelOutOfRange);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (start.Compilation.GetTypeByMetadataName(Parser.AttributeMetadataName) is not { } attribute)
            {
                return; // no FixedShapeLoss reference, no kernels
            }

            var calls = new CallSites(attribute);
            start.RegisterOperationAction(calls.Analyze, OperationKind.Invocation);
        });
    }

    /// <summary>The per-compilation state: shapes by kernel class, and known buffers by local and field.</summary>
    private sealed class CallSites
    {
        private readonly INamedTypeSymbol _attribute;
        private readonly ConcurrentDictionary<INamedTypeSymbol, KernelShape?> _shapes = new(SymbolEqualityComparer.Default);
        private readonly BufferResolver _buffers = new();

        public CallSites(INamedTypeSymbol attribute) => _attribute = attribute;

        public void Analyze(OperationAnalysisContext context)
        {
            var invocation = (IInvocationOperation)context.Operation;
            var method = invocation.TargetMethod;
            if (!method.IsStatic || !KernelParameters.IsKernelName(method.Name) || !IsGenerated(method))
            {
                return;
            }

            // TryGetValue first: no closure is allocated for the kernel classes already seen.
            if (!_shapes.TryGetValue(method.ContainingType, out var shape))
            {
                shape = _shapes.GetOrAdd(method.ContainingType, KernelShape.Read(method.ContainingType, _attribute));
            }

            if (shape is null)
            {
                return;
            }

            foreach (var argument in invocation.Arguments)
            {
                if (argument.IsImplicit || argument.Parameter is not { } parameter
                    || KernelParameters.Rule(method, parameter, shape) is not { } rule
                    || _buffers.Resolve(argument.Value) is not { } buffer)
                {
                    continue;
                }

                long expected = shape.Expected(rule.Expected);
                if (buffer.Length != expected)
                {
                    ReportLength(context, invocation, argument, parameter, shape, rule.Expected, buffer);
                }

                if (rule.Values is { } descriptor && !buffer.Elements.IsDefault)
                {
                    ReportValues(context, descriptor, parameter.Name, shape, buffer);
                }
            }
        }

        /// <summary>A method the generator wrote (or one from a referenced assembly), not a user's overload.</summary>
        private static bool IsGenerated(IMethodSymbol method)
        {
            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                string path = reference.SyntaxTree.FilePath;
                if (!(path.EndsWith(".g.cs", StringComparison.Ordinal) && path.IndexOf(".LossKernel.", StringComparison.Ordinal) >= 0))
                {
                    return false;
                }
            }

            return true;
        }

        private static void ReportLength(OperationAnalysisContext context, IInvocationOperation invocation, IArgumentOperation argument,
            IParameterSymbol parameter, KernelShape shape, ExpectedLength expected, KnownBuffer buffer)
        {
            string member = expected.ToString();
            var properties = ImmutableDictionary.CreateRange(new[]
            {
                new System.Collections.Generic.KeyValuePair<string, string?>(ShapeDiagnostics.ExpectedMemberProperty, member),
                new System.Collections.Generic.KeyValuePair<string, string?>(ShapeDiagnostics.KernelTypeProperty, shape.FullName),
            });

            // The code fix resizes a creation of constant size written in the same member as the call.
            var additional = buffer.Size is { } size && SameMember(size, invocation.Syntax)
                ? new[] { size.GetLocation() }
                : Array.Empty<Location>();

            context.ReportDiagnostic(Diagnostic.Create(
                ShapeDiagnostics.LengthMismatch,
                argument.Syntax.GetLocation(),
                additional,
                properties,
                parameter.Name,
                buffer.Length.ToString(CultureInfo.InvariantCulture),
                shape.Name,
                shape.Expected(expected).ToString(CultureInfo.InvariantCulture),
                shape.Meaning(expected),
                member));
        }

        private static void ReportValues(OperationAnalysisContext context, DiagnosticDescriptor descriptor, string parameter, KernelShape shape, KnownBuffer buffer)
        {
            bool isTargets = descriptor == ShapeDiagnostics.TargetOutOfRange;
            for (int i = 0; i < buffer.Elements.Length; i++)
            {
                var (syntax, value) = buffer.Elements[i];
                if (value is not int v || (v >= 0 && v < shape.Classes) || (isTargets && v == shape.IgnoreIndex))
                {
                    continue;
                }

                context.ReportDiagnostic(Diagnostic.Create(
                    descriptor,
                    syntax.GetLocation(),
                    parameter,
                    i.ToString(CultureInfo.InvariantCulture),
                    v.ToString(CultureInfo.InvariantCulture),
                    shape.Name,
                    (shape.Classes - 1).ToString(CultureInfo.InvariantCulture),
                    shape.Classes.ToString(CultureInfo.InvariantCulture),
                    shape.IgnoreIndex.ToString(CultureInfo.InvariantCulture)));
            }
        }

        private static bool SameMember(SyntaxNode a, SyntaxNode b) =>
            a.SyntaxTree == b.SyntaxTree && a.FirstAncestorOrSelf<MemberDeclarationSyntax>() == b.FirstAncestorOrSelf<MemberDeclarationSyntax>();
    }
}
