using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace FixedShapeLoss.Generator.Analyzers;

/// <summary>Which kernel constant a span parameter's length must equal.</summary>
internal enum ExpectedLength
{
    Length,
    Batch,
    Classes,
}

/// <summary>What the analyzer checks on one span parameter of a generated kernel.</summary>
internal readonly struct ParameterRule
{
    public ParameterRule(ExpectedLength expected, DiagnosticDescriptor? values)
    {
        Expected = expected;
        Values = values;
    }

    public ExpectedLength Expected { get; }

    /// <summary>For class-index inputs, the descriptor of an out-of-range constant (targets or labels); else null.</summary>
    public DiagnosticDescriptor? Values { get; }
}

/// <summary>The shape of one <c>[LossKernel]</c> class, read from its attribute.</summary>
internal sealed class KernelShape
{
    public KernelShape(INamedTypeSymbol type, int batch, int classes, int ignoreIndex, SpecialType element)
    {
        Name = type.Name;
        FullName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        Batch = batch;
        Classes = classes;
        IgnoreIndex = ignoreIndex;
        Element = element;
    }

    public string Name { get; }

    public string FullName { get; }

    public int Batch { get; }

    public int Classes { get; }

    public int IgnoreIndex { get; }

    /// <summary><see cref="SpecialType.System_Single"/> or <see cref="SpecialType.System_Double"/>.</summary>
    public SpecialType Element { get; }

    public long Length => (long)Batch * Classes;

    public long Expected(ExpectedLength which) => which switch
    {
        ExpectedLength.Batch => Batch,
        ExpectedLength.Classes => Classes,
        _ => Length,
    };

    /// <summary>Where the expected length comes from, for the message: "Batch 4 x Classes 7".</summary>
    public string Meaning(ExpectedLength which) => which switch
    {
        ExpectedLength.Batch => $"Batch {Batch}, one per row",
        ExpectedLength.Classes => $"Classes {Classes}, one per class",
        _ => $"Batch {Batch} x Classes {Classes}",
    };

    /// <summary>The shape of <paramref name="type"/> if it carries <paramref name="attribute"/> with a valid shape.</summary>
    public static KernelShape? Read(INamedTypeSymbol type, INamedTypeSymbol attribute)
    {
        foreach (var data in type.GetAttributes())
        {
            if (!SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute))
            {
                continue;
            }

            int batch = 0, classes = 0, ignoreIndex = -100;
            var element = SpecialType.System_Single;
            foreach (var pair in data.NamedArguments)
            {
                switch (pair.Key)
                {
                    case "Batch" when pair.Value.Value is int b: batch = b; break;
                    case "Classes" when pair.Value.Value is int c: classes = c; break;
                    case "IgnoreIndex" when pair.Value.Value is int i: ignoreIndex = i; break;
                    case "ElementType" when pair.Value.Value is ITypeSymbol t: element = t.SpecialType; break;
                }
            }

            // An invalid attribute is the generator's to report (FSL001/FSL002/FSL012); no kernels exist then.
            bool valid = batch >= 1 && classes >= 1 && (long)batch * classes <= DiagnosticDescriptors.MaxLength
                && element is SpecialType.System_Single or SpecialType.System_Double;
            return valid ? new KernelShape(type, batch, classes, ignoreIndex, element) : null;
        }

        return null;
    }
}

/// <summary>The span parameters of the generated kernels (design.md's public contract), by method and parameter name
/// and type. A method or parameter not listed here is never analysed.</summary>
internal static class KernelParameters
{
    /// <summary>Every generated method that takes spans.</summary>
    private static readonly HashSet<string> s_methods = new(StringComparer.Ordinal)
    {
        "Normalize", "Softmax", "LogSoftmax", "OneHot", "Labels", "CrossEntropy",
        "CrossEntropyLoss", "CrossEntropyLossPerSample", "CrossEntropyLossBackward",
        "NllLoss", "NllLossPerSample", "NllLossBackward",
        "BinaryCrossEntropyWithLogitsLoss", "BinaryCrossEntropyWithLogitsLossPerElement", "BinaryCrossEntropyWithLogitsLossBackward",
        "BinaryCrossEntropyLoss", "BinaryCrossEntropyLossPerElement", "BinaryCrossEntropyLossBackward",
    };

    /// <summary>Spans of the element type that hold a whole B x C matrix (BCE's <c>targets</c> among them).</summary>
    private static readonly HashSet<string> s_matrices = new(StringComparer.Ordinal)
    {
        "values", "logits", "probabilities", "oneHot", "destination", "targetProbabilities", "gradient", "logProbabilities", "targets", "losses",
    };

    public static bool IsKernelName(string name) => s_methods.Contains(name);

    /// <summary>The rule for <paramref name="parameter"/> of the kernel <paramref name="method"/>, or null when its
    /// length is not the analyzer's business.</summary>
    public static ParameterRule? Rule(IMethodSymbol method, IParameterSymbol parameter, KernelShape shape)
    {
        if (parameter.Type is not INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } span
            || span.ContainingNamespace is not { Name: "System", ContainingNamespace.IsGlobalNamespace: true }
            || span.Name is not ("Span" or "ReadOnlySpan"))
        {
            return null;
        }

        var element = span.TypeArguments[0].SpecialType;
        string name = parameter.Name;
        if (element == SpecialType.System_Int32)
        {
            return name switch
            {
                "targets" => new ParameterRule(ExpectedLength.Batch, ShapeDiagnostics.TargetOutOfRange),
                "labels" => new ParameterRule(ExpectedLength.Batch, ShapeDiagnostics.LabelOutOfRange),
                "destination" => new ParameterRule(ExpectedLength.Batch, null),
                _ => null,
            };
        }

        if (element != shape.Element)
        {
            return null;
        }

        if (name is "weight" or "posWeight")
        {
            return new ParameterRule(ExpectedLength.Classes, null);
        }

        if (name == "losses" && method.Name.EndsWith("PerSample", StringComparison.Ordinal))
        {
            return new ParameterRule(ExpectedLength.Batch, null);
        }

        return s_matrices.Contains(name) ? new ParameterRule(ExpectedLength.Length, null) : null;
    }
}
