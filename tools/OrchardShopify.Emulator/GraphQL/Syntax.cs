namespace OrchardShopify.Emulator.GraphQL;

public readonly record struct SourceLocation(int Line, int Column);

public sealed record GraphQLDocument(IReadOnlyList<OperationDefinition> Operations, IReadOnlyDictionary<string, FragmentDefinition> Fragments);

public enum OperationType
{
    Query,
    Mutation,
    Subscription,
}

public sealed record OperationDefinition(
    OperationType Type,
    string? Name,
    IReadOnlyList<VariableDefinition> Variables,
    IReadOnlyList<Directive> Directives,
    IReadOnlyList<Selection> SelectionSet,
    SourceLocation Location);

public sealed record VariableDefinition(string Name, TypeReference Type, ValueNode? DefaultValue, SourceLocation Location);

public sealed record TypeReference(string? NamedType, TypeReference? ItemType, bool NonNull)
{
    public override string ToString() =>
        (NamedType ?? $"[{ItemType}]") + (NonNull ? "!" : string.Empty);
}

public sealed record Directive(string Name, IReadOnlyList<Argument> Arguments, SourceLocation Location);

public sealed record Argument(string Name, ValueNode Value, SourceLocation Location);

public abstract record Selection(IReadOnlyList<Directive> Directives, SourceLocation Location);

public sealed record FieldSelection(
    string? Alias,
    string Name,
    IReadOnlyList<Argument> Arguments,
    IReadOnlyList<Directive> Directives,
    IReadOnlyList<Selection>? SelectionSet,
    SourceLocation Location) : Selection(Directives, Location)
{
    public string ResponseKey => Alias ?? Name;
}

public sealed record FragmentSpread(string Name, IReadOnlyList<Directive> Directives, SourceLocation Location)
    : Selection(Directives, Location);

public sealed record InlineFragment(string? TypeCondition, IReadOnlyList<Directive> Directives, IReadOnlyList<Selection> SelectionSet, SourceLocation Location)
    : Selection(Directives, Location);

public sealed record FragmentDefinition(string Name, string TypeCondition, IReadOnlyList<Directive> Directives, IReadOnlyList<Selection> SelectionSet, SourceLocation Location);

public abstract record ValueNode(SourceLocation Location);

public sealed record VariableValue(string Name, SourceLocation Location) : ValueNode(Location);

public sealed record IntValue(string Text, SourceLocation Location) : ValueNode(Location);

public sealed record FloatValue(string Text, SourceLocation Location) : ValueNode(Location);

public sealed record StringValue(string Value, SourceLocation Location) : ValueNode(Location);

public sealed record BooleanValue(bool Value, SourceLocation Location) : ValueNode(Location);

public sealed record NullValue(SourceLocation Location) : ValueNode(Location);

public sealed record EnumValue(string Name, SourceLocation Location) : ValueNode(Location);

public sealed record ListValue(IReadOnlyList<ValueNode> Items, SourceLocation Location) : ValueNode(Location);

public sealed record ObjectValue(IReadOnlyList<ObjectField> Fields, SourceLocation Location) : ValueNode(Location);

public sealed record ObjectField(string Name, ValueNode Value, SourceLocation Location);

/// <summary>An enum literal after evaluation, kept distinct from a string so input rules can tell them apart.</summary>
public sealed record EnumLiteral(string Name)
{
    public override string ToString() => Name;
}
