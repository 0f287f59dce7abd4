using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using FixedShapeLoss.Generator.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FixedShapeLoss.Generator;

/// <summary>Reduces one <c>[LossKernel]</c> class to a <see cref="KernelSpec"/> plus the diagnostics it
/// deserves. The spec is null when anything is wrong, so no broken code is emitted.</summary>
internal static class Parser
{
    public const string AttributeMetadataName = "FixedShapeLoss.LossKernelAttribute";

    public static (KernelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics) Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();

        // A record class is a class to the compiler, so the attribute applies, but the kernels need a plain class.
        if (context.TargetNode is RecordDeclarationSyntax record && !record.Identifier.IsMissing)
        {
            return Only(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassKind, record.Identifier.GetLocation(), record.Identifier.ValueText, "a record",
                $"declare it as 'static partial class {Escape(record.Identifier.ValueText)}'"));
        }

        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not ClassDeclarationSyntax declaration)
        {
            return (null, EquatableArray<DiagnosticInfo>.Empty);
        }

        // A file-local class, or a class nested in one: the generated part, in another file, could not name it
        // (for a containing type, it would declare a second type of that name, and the kernels would land there).
        foreach (var part in declaration.AncestorsAndSelf().OfType<TypeDeclarationSyntax>())
        {
            var file = part.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.FileKeyword));
            if (file.IsKind(SyntaxKind.FileKeyword))
            {
                string name = declaration.Identifier.ValueText, outer = part.Identifier.ValueText;
                return part == declaration
                    ? Only(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassKind, file.GetLocation(), name, "file-local", $"declare it as 'static partial class {Escape(name)}'"))
                    : Only(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassKind, file.GetLocation(), name, $"nested in the file-local type '{outer}'", $"remove 'file' from '{outer}'"));
            }
        }

        // A declaration the parser could not complete (no name, a namespace without a name)
        // is the compiler's to report (CS1001); generating into it would only add errors in a file the
        // user cannot edit.
        if (declaration.AncestorsAndSelf().Any(HeaderIsBroken))
        {
            return (null, EquatableArray<DiagnosticInfo>.Empty);
        }

        var attribute = context.Attributes.FirstOrDefault();

        // A class whose parts both carry [LossKernel] (the compiler reports CS0579) is handled once, through the
        // part with the symbol's first [LossKernel]; otherwise both parts would add the same generated file.
        if (attribute?.ApplicationSyntaxReference is { } application
            && type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute.AttributeClass))?.ApplicationSyntaxReference is { } first
            && (first.SyntaxTree != application.SyntaxTree || first.Span != application.Span))
        {
            return (null, EquatableArray<DiagnosticInfo>.Empty);
        }

        var attributeSyntax = attribute?.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        Location attributeLocation = attributeSyntax?.GetLocation() ?? declaration.Identifier.GetLocation();

        // An attribute the compiler reports (a syntax error, a positional argument, a duplicate named argument, a
        // value that does not convert or overflows): its values are unknown or not what the user meant, and the
        // compiler's error already says what to change. Anything of ours would be a second, misleading message.
        if (attributeSyntax is null
            || attributeSyntax.ContainsDiagnostics
            || context.SemanticModel.GetDiagnostics(attributeSyntax.Span, cancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            return (null, EquatableArray<DiagnosticInfo>.Empty);
        }

        // Attribute arguments. A missing argument keeps its default. An argument the compiler could not bind
        // (it reports the error, e.g. CS0029) gets no diagnostic of ours, as its value is unknown, and no spec.
        int batch = 0, classes = 0, reduction = 0, ignoreIndex = -100;
        float labelSmoothing = 0f;
        var elementType = KernelElementType.Float;
        string? invalidElementType = null;
        var erroneous = new HashSet<string>();
        if (attribute is not null)
        {
            foreach (var pair in attribute.NamedArguments)
            {
                var value = pair.Value;
                if (value.Kind == TypedConstantKind.Error)
                {
                    erroneous.Add(pair.Key);
                    continue;
                }

                switch (pair.Key)
                {
                    case "Batch" when value.Value is int b: batch = b; break;
                    case "Classes" when value.Value is int c: classes = c; break;
                    case "Reduction" when value.Value is int r: reduction = r; break;
                    case "IgnoreIndex" when value.Value is int i: ignoreIndex = i; break;
                    case "LabelSmoothing" when value.Value is float s: labelSmoothing = s; break;
                    case "ElementType":
                        switch ((value.Value as ITypeSymbol)?.SpecialType)
                        {
                            case SpecialType.System_Single: elementType = KernelElementType.Float; break;
                            case SpecialType.System_Double: elementType = KernelElementType.Double; break;
                            default: invalidElementType = (value.Value as ITypeSymbol)?.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat) ?? "null"; break;
                        }

                        break;
                }
            }
        }

        Location ArgumentLocation(string name)
        {
            var argument = attributeSyntax?.ArgumentList?.Arguments
                .FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
            return argument?.GetLocation() ?? attributeLocation;
        }

        string className = type.Name;
        if (batch < 1 && !erroneous.Contains("Batch"))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidBatch, ArgumentLocation("Batch"), batch.ToString(CultureInfo.InvariantCulture)));
        }

        if (classes < 1 && !erroneous.Contains("Classes"))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidClasses, ArgumentLocation("Classes"), classes.ToString(CultureInfo.InvariantCulture)));
        }

        if (batch >= 1 && classes >= 1 && (long)batch * classes > DiagnosticDescriptors.MaxLength)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.ShapeTooLarge,
                attributeLocation,
                ((long)batch * classes).ToString(CultureInfo.InvariantCulture),
                DiagnosticDescriptors.MaxLength.ToString(CultureInfo.InvariantCulture)));
        }

        if (invalidElementType is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidElementType, ArgumentLocation("ElementType"), invalidElementType));
        }

        if (reduction is not ((int)KernelReduction.Mean or (int)KernelReduction.Sum))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidReduction, ArgumentLocation("Reduction"), reduction.ToString(CultureInfo.InvariantCulture)));
        }

        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLabelSmoothing, ArgumentLocation("LabelSmoothing"), labelSmoothing.ToString("R", CultureInfo.InvariantCulture)));
        }

        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, declaration.Identifier.GetLocation(), className));
        }

        if (declaration.TypeParameterList is { } typeParameters)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericType, typeParameters.GetLocation(), className));
        }

        // Containing types, innermost first while walking, stored outermost first.
        var containing = new List<ContainingTypeSpec>();
        for (var parent = declaration.Parent as TypeDeclarationSyntax; parent is not null; parent = parent.Parent as TypeDeclarationSyntax)
        {
            if (!parent.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeNotPartial, parent.Identifier.GetLocation(), parent.Identifier.ValueText, className));
            }

            if (parent.TypeParameterList is { } parentTypeParameters)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericType, parentTypeParameters.GetLocation(), parent.Identifier.ValueText));
            }

            containing.Insert(0, new ContainingTypeSpec(Keyword(parent), Escape(parent.Identifier.ValueText)));
        }

        // A class named like a generated member: a member cannot have its class's name (CS0542).
        if (GeneratedMembers.All.ContainsKey(type.Name))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNameClash, declaration.Identifier.GetLocation(), className));
        }

        // Members the user declared that the generator would declare too (CS0102, CS0111).
        foreach (var member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!member.IsImplicitlyDeclared && GeneratedMembers.Clashes(member, elementType))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberClash, member.Locations.FirstOrDefault(), className, member.Name));
            }
        }

        // Inherited members a generated member would hide (CS0108, a warning that breaks TreatWarningsAsErrors
        // builds): one diagnostic naming them all, at the base class in the class's base list.
        // An override and the member it overrides are one name, named after the most derived class.
        var hidden = new List<string>();
        var hiddenNames = new HashSet<string>();
        for (var baseType = type.BaseType; baseType is not null && baseType.SpecialType != SpecialType.System_Object; baseType = baseType.BaseType)
        {
            foreach (var member in baseType.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!member.IsImplicitlyDeclared && !hiddenNames.Contains(member.Name)
                    && context.SemanticModel.Compilation.IsSymbolAccessibleWithin(member, type)
                    && GeneratedMembers.Clashes(member, elementType))
                {
                    hiddenNames.Add(member.Name);
                    hidden.Add($"'{member.Name}' (from '{baseType.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)}')");
                }
            }
        }

        if (hidden.Count > 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.InheritedMemberHidden,
                BaseTypeLocation(type, context.SemanticModel.Compilation, cancellationToken) ?? declaration.Identifier.GetLocation(),
                className,
                string.Join(", ", hidden),
                type.BaseType!.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)));
        }

        var result = new EquatableArray<DiagnosticInfo>(diagnostics);
        if (diagnostics.Count > 0 || erroneous.Count > 0)
        {
            return (null, result);
        }

        string? ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        var spec = new KernelSpec(
            ns,
            new EquatableArray<ContainingTypeSpec>(containing),
            Escape(className),
            Modifiers(declaration),
            batch,
            classes,
            (KernelReduction)reduction,
            labelSmoothing,
            ignoreIndex,
            elementType,
            // The nested shape struct implements static abstract interface members (C# 11); LanguageVersion is the
            // effective version (Default, Latest and Preview already mapped).
            context.TargetNode.SyntaxTree.Options is not CSharpParseOptions parse || parse.LanguageVersion >= LanguageVersion.CSharp11
                ? HelperCalls.Generic
                : HelperCalls.NonGeneric,
            NullableDirective: context.TargetNode.SyntaxTree.Options is not CSharpParseOptions p || p.LanguageVersion >= LanguageVersion.CSharp8,
            GeneratedCodeAttribute: !type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.CodeDom.Compiler.GeneratedCodeAttribute"),
            InlineArrays: (context.TargetNode.SyntaxTree.Options is not CSharpParseOptions q || q.LanguageVersion >= LanguageVersion.CSharp12)
                && SupportsInlineArrays(context.SemanticModel.Compilation));
        return (spec, result);
    }

    /// <summary>Whether the part of a declaration the generated file repeats has a syntax error: a type's modifiers,
    /// keyword, name or type parameters (a missing name), or a namespace's name (<c>namespace .B</c>).
    /// Errors in bodies and attribute lists do not count.</summary>
    private static bool HeaderIsBroken(SyntaxNode node) => node switch
    {
        TypeDeclarationSyntax t => t.Identifier.IsMissing || t.Identifier.ContainsDiagnostics || t.Keyword.ContainsDiagnostics
            || t.Modifiers.Any(m => m.ContainsDiagnostics) || (t.TypeParameterList?.ContainsDiagnostics ?? false),
        BaseNamespaceDeclarationSyntax n => n.Name.ContainsDiagnostics || n.Name.IsMissing,
        _ => false,
    };

    private static (KernelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics) Only(DiagnosticInfo diagnostic) =>
        (null, new EquatableArray<DiagnosticInfo>(new[] { diagnostic }));

    /// <summary>Where the class names its base class: the entry of a part's base list that binds to it.</summary>
    private static Location? BaseTypeLocation(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is ClassDeclarationSyntax { BaseList.Types: { Count: > 0 } types } part
                && SymbolEqualityComparer.Default.Equals(compilation.GetSemanticModel(part.SyntaxTree).GetTypeInfo(types[0].Type, cancellationToken).Type, type.BaseType))
            {
                return types[0].GetLocation();
            }
        }

        return null;
    }

    /// <summary>Whether the core library (the assembly of <c>object</c>) declares <c>InlineArrayAttribute</c>, as .NET 8
    /// and later do: the compiler accepts an inline array only then (CS9171 otherwise), since a polyfilled attribute
    /// elsewhere does not make the runtime lay one out.</summary>
    private static bool SupportsInlineArrays(Compilation compilation) =>
        compilation.GetSpecialType(SpecialType.System_Object).ContainingAssembly?.GetTypeByMetadataName("System.Runtime.CompilerServices.InlineArrayAttribute") is not null;

    /// <summary>A name as C# source: <c>@class</c> for a type named <c>class</c>, as the emitter writes the
    /// names verbatim (the namespace comes escaped from <c>ToDisplayString</c>).</summary>
    private static string Escape(string name) => SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None ? name : "@" + name;

    private static string Keyword(TypeDeclarationSyntax type) => type switch
    {
        RecordDeclarationSyntax r when r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
        RecordDeclarationSyntax => "record",
        StructDeclarationSyntax => "struct",
        InterfaceDeclarationSyntax => "interface",
        _ => "class",
    };

    /// <summary>The class's own accessibility and <c>static</c> modifiers, repeated on the generated part.</summary>
    private static string Modifiers(ClassDeclarationSyntax declaration)
    {
        // "public public" and "public internal" are the compiler's (CS1004, CS0107) at the user's declaration, not
        // again in ours: each modifier once, and no accessibility at all where the user's is invalid (a part may omit it).
        var access = declaration.Modifiers
            .Where(m => m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.PrivateKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword))
            .Select(m => m.ValueText)
            .Distinct()
            .ToList();
        bool valid = access.Count <= 1 || (access.Count == 2 && access.Contains("protected") && (access.Contains("internal") || access.Contains("private")));
        var kept = (valid ? access : new List<string>()).Concat(declaration.Modifiers.Any(SyntaxKind.StaticKeyword) ? new[] { "static" } : new string[0]);
        return string.Join(" ", kept.Concat(new[] { "partial", "class" }));
    }
}
