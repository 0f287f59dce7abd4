using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace FixedShapeLoss.Generator.Analyzers;

/// <summary>A buffer whose length is known at compile time and, when its contents provably never change, its
/// constant elements.</summary>
internal sealed class KnownBuffer
{
    public static readonly KnownBuffer Unknown = new(-1, null, default);

    public KnownBuffer(int length, SyntaxNode? size, ImmutableArray<(SyntaxNode Syntax, int? Value)> elements)
    {
        Length = length;
        Size = size;
        Elements = elements;
    }

    public int Length { get; }

    /// <summary>The constant size expression of an array creation or stackalloc without initializer
    /// (<c>27</c> in <c>new float[27]</c>), which a code fix may replace; null otherwise.</summary>
    public SyntaxNode? Size { get; }

    /// <summary>The element expressions and their <see cref="int"/> constant values (null when not an int constant);
    /// default when the contents are not provably constant.</summary>
    public ImmutableArray<(SyntaxNode Syntax, int? Value)> Elements { get; }

    public KnownBuffer WithoutElements() => Elements.IsDefault ? this : new KnownBuffer(Length, Size, default);
}

/// <summary>Finds the compile-time length of a span argument: an array creation of constant size, an array
/// initializer, a collection expression without spreads, a stackalloc of constant size or with an initializer, or
/// a local (in the same member) or readonly field (in the same file) initialised that way and never reassigned.
/// Anything else is unknown and left to the run-time check. One instance per compilation; the result for each
/// local and field is computed once.</summary>
internal sealed class BufferResolver
{
    private const int MaxDepth = 8;

    private readonly ConcurrentDictionary<ISymbol, KnownBuffer> _symbols = new(SymbolEqualityComparer.Default);

    public KnownBuffer? Resolve(IOperation? operation, int depth = 0)
    {
        while (operation is IConversionOperation conversion)
        {
            operation = conversion.Operand;
        }

        if (operation is null || depth > MaxDepth)
        {
            return null;
        }

        switch (operation)
        {
            case IArrayCreationOperation { DimensionSizes.Length: 1 } array:
                if (array.Initializer is { } initializer)
                {
                    var elements = ImmutableArray.CreateBuilder<(SyntaxNode, int?)>(initializer.ElementValues.Length);
                    foreach (var element in initializer.ElementValues)
                    {
                        elements.Add((element.Syntax, element.ConstantValue is { HasValue: true, Value: int v } ? v : null));
                    }

                    return new KnownBuffer(elements.Count, null, elements.MoveToImmutable());
                }

                var size = array.DimensionSizes[0];
                return size.ConstantValue is { HasValue: true, Value: int n } ? new KnownBuffer(n, size.Syntax, default) : null;
            case IArrayCreationOperation:
                return null;
            case ILocalReferenceOperation local when operation.SemanticModel is { } model:
                return Known(_symbols.GetOrAdd(local.Local, _ => ResolveLocal(local.Local, model, depth) ?? KnownBuffer.Unknown));
            case IFieldReferenceOperation field when operation.SemanticModel is { } model:
                return Known(_symbols.GetOrAdd(field.Field, _ => ResolveField(field.Field, model, depth) ?? KnownBuffer.Unknown));
        }

        return operation.SemanticModel is { } semanticModel ? FromSyntax(operation.Syntax, semanticModel) : null;
    }

    private static KnownBuffer? Known(KnownBuffer buffer) => ReferenceEquals(buffer, KnownBuffer.Unknown) ? null : buffer;

    /// <summary>stackalloc and collection expressions, which Roslyn 4.8 gives no operation of their own.</summary>
    private static KnownBuffer? FromSyntax(SyntaxNode syntax, SemanticModel model)
    {
        while (syntax is ParenthesizedExpressionSyntax parenthesized)
        {
            syntax = parenthesized.Expression;
        }

        switch (syntax)
        {
            case StackAllocArrayCreationExpressionSyntax { Initializer: { } initializer }:
                return FromElements(initializer.Expressions, model);
            case StackAllocArrayCreationExpressionSyntax { Type: ArrayTypeSyntax { RankSpecifiers.Count: 1 } type } when type.RankSpecifiers[0].Sizes.Count == 1:
                var size = type.RankSpecifiers[0].Sizes[0];
                return model.GetConstantValue(size) is { HasValue: true, Value: int n } ? new KnownBuffer(n, size, default) : null;
            case ImplicitStackAllocArrayCreationExpressionSyntax implicitStackAlloc:
                return FromElements(implicitStackAlloc.Initializer.Expressions, model);
            case CollectionExpressionSyntax collection:
                var expressions = new ExpressionSyntax[collection.Elements.Count];
                for (int i = 0; i < expressions.Length; i++)
                {
                    if (collection.Elements[i] is not ExpressionElementSyntax element)
                    {
                        return null; // a spread: its length is not the analyzer's to know
                    }

                    expressions[i] = element.Expression;
                }

                return FromElements(expressions, model);
            default:
                return null;
        }
    }

    private static KnownBuffer FromElements(System.Collections.Generic.IReadOnlyList<ExpressionSyntax> expressions, SemanticModel model)
    {
        var elements = ImmutableArray.CreateBuilder<(SyntaxNode, int?)>(expressions.Count);
        foreach (var expression in expressions)
        {
            elements.Add((expression, model.GetConstantValue(expression) is { HasValue: true, Value: int v } ? v : null));
        }

        return new KnownBuffer(elements.Count, null, elements.MoveToImmutable());
    }

    /// <summary>A local initialised with a known buffer and never assigned, passed by ref or out, or taken by ref
    /// in its member (for top-level statements, in the file). Its elements stay known only when every use reads
    /// them: an element read, <c>.Length</c>, or an argument to a <c>ReadOnlySpan</c> parameter.</summary>
    private KnownBuffer? ResolveLocal(ILocalSymbol local, SemanticModel model, int depth)
    {
        if (local.IsRef || local.DeclaringSyntaxReferences.Length != 1
            || local.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Initializer: { } initializer } declarator
            || declarator.SyntaxTree != model.SyntaxTree
            || Resolve((model.GetOperation(initializer) as ISymbolInitializerOperation)?.Value, depth + 1) is not { } buffer)
        {
            return null;
        }

        SyntaxNode? scope = declarator.FirstAncestorOrSelf<MemberDeclarationSyntax>();
        if (scope is GlobalStatementSyntax)
        {
            scope = scope.Parent;
        }

        bool elementsKnown = !buffer.Elements.IsDefault;
        foreach (var identifier in Uses(scope, local.Name))
        {
            if (identifier.Parent is MemberAccessExpressionSyntax access && access.Name == identifier)
            {
                continue; // x.name: a member of something else
            }

            if (IsWritten(identifier))
            {
                return null;
            }

            elementsKnown = elementsKnown && ReadsOnly(identifier, model);
        }

        return elementsKnown ? buffer : buffer.WithoutElements();
    }

    /// <summary>A readonly field of a class (or a static one of a struct) with an initializer in the same file as the
    /// call, never assigned in its type (constructors and init accessors are the only places that may). Its
    /// elements are never taken as known: any code may write them.</summary>
    private KnownBuffer? ResolveField(IFieldSymbol field, SemanticModel model, int depth)
    {
        if (!field.IsReadOnly || (!field.IsStatic && field.ContainingType.IsValueType) || field.DeclaringSyntaxReferences.Length != 1
            || field.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Initializer: { } initializer } declarator
            || declarator.SyntaxTree != model.SyntaxTree
            || Resolve((model.GetOperation(initializer) as ISymbolInitializerOperation)?.Value, depth + 1) is not { } buffer)
        {
            return null;
        }

        foreach (var reference in field.ContainingType.DeclaringSyntaxReferences)
        {
            foreach (var identifier in Uses(reference.GetSyntax(), field.Name))
            {
                SyntaxNode target = identifier.Parent is MemberAccessExpressionSyntax access && access.Name == identifier ? access : identifier;
                if (IsWritten(target))
                {
                    return null;
                }
            }
        }

        return buffer.WithoutElements();
    }

    private static System.Collections.Generic.IEnumerable<IdentifierNameSyntax> Uses(SyntaxNode? scope, string name)
    {
        if (scope is null)
        {
            yield break;
        }

        foreach (var token in scope.DescendantTokens())
        {
            if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == name && token.Parent is IdentifierNameSyntax identifier)
            {
                yield return identifier;
            }
        }
    }

    /// <summary>Whether <paramref name="node"/> is assigned (also inside a deconstruction), passed by ref or out,
    /// taken by ref or by address, or incremented.</summary>
    private static bool IsWritten(SyntaxNode node)
    {
        while (node.Parent is ParenthesizedExpressionSyntax or TupleExpressionSyntax
               || (node.Parent is ArgumentSyntax && node.Parent.Parent is TupleExpressionSyntax))
        {
            node = node.Parent;
        }

        return node.Parent switch
        {
            AssignmentExpressionSyntax assignment => assignment.Left == node,
            ArgumentSyntax argument => argument.RefKindKeyword.IsKind(SyntaxKind.RefKeyword) || argument.RefKindKeyword.IsKind(SyntaxKind.OutKeyword),
            RefExpressionSyntax => true,
            PrefixUnaryExpressionSyntax prefix => prefix.IsKind(SyntaxKind.PreIncrementExpression) || prefix.IsKind(SyntaxKind.PreDecrementExpression) || prefix.IsKind(SyntaxKind.AddressOfExpression),
            PostfixUnaryExpressionSyntax => true,
            _ => false,
        };
    }

    /// <summary>Whether this use of a buffer can only read its elements.</summary>
    private static bool ReadsOnly(IdentifierNameSyntax identifier, SemanticModel model) => identifier.Parent switch
    {
        ElementAccessExpressionSyntax element when element.Expression == identifier => !IsWritten(element),
        MemberAccessExpressionSyntax access when access.Expression == identifier => access.Name.Identifier.ValueText == "Length",
        ArgumentSyntax argument when argument.RefKindKeyword.IsKind(SyntaxKind.None) =>
            model.GetOperation(argument) is IArgumentOperation { Parameter.Type: INamedTypeSymbol { Name: "ReadOnlySpan", ContainingNamespace.Name: "System" } },
        _ => false,
    };
}
