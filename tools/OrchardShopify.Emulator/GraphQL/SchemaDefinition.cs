namespace OrchardShopify.Emulator.GraphQL;

/// <summary>The shape of a field's type: a named type, possibly wrapped in a list.</summary>
public sealed record TypeShape(string NamedType, bool IsList, bool NonNull)
{
    public static TypeShape Parse(string text)
    {
        var nonNull = text.EndsWith('!');
        var inner = nonNull ? text[..^1] : text;
        if (inner.StartsWith('['))
        {
            var item = inner[1..^1].TrimEnd('!');
            return new TypeShape(item, true, nonNull);
        }

        return new TypeShape(inner, false, nonNull);
    }

    public override string ToString() => (IsList ? $"[{NamedType}]" : NamedType) + (NonNull ? "!" : string.Empty);
}

public sealed record ArgumentDefinition(string Name, string Type)
{
    public bool IsRequired => Type.EndsWith('!');
}

public sealed record FieldDefinition(
    string Name,
    TypeShape Type,
    IReadOnlyDictionary<string, ArgumentDefinition> Arguments,
    Func<FieldContext, object?> Resolve);

public sealed class ObjectTypeDefinition
{
    private readonly Dictionary<string, FieldDefinition> _fields = new(StringComparer.Ordinal);

    internal ObjectTypeDefinition(string name, IEnumerable<string> interfaces)
    {
        Name = name;
        Interfaces = new HashSet<string>(interfaces, StringComparer.Ordinal);
    }

    public string Name { get; }

    public IReadOnlySet<string> Interfaces { get; }

    public IReadOnlyDictionary<string, FieldDefinition> Fields => _fields;

    public ObjectTypeDefinition Field<TSource>(string name, string type, Func<TSource, object?> resolve) =>
        Field<TSource>(name, type, (source, _) => resolve(source));

    public ObjectTypeDefinition Field<TSource>(string name, string type, Func<TSource, FieldContext, object?> resolve, params ArgumentDefinition[] arguments)
    {
        _fields[name] = new FieldDefinition(
            name,
            TypeShape.Parse(type),
            arguments.ToDictionary(a => a.Name, StringComparer.Ordinal),
            context => resolve((TSource)context.Source, context));
        return this;
    }
}

public sealed record AbstractTypeDefinition(string Name, IReadOnlySet<string> PossibleTypes, Func<object, string> ResolveType);

/// <summary>A code-first schema: object types with resolvers, plus unions/interfaces resolved by CLR type.</summary>
public sealed class SchemaDefinition
{
    private static readonly HashSet<string> CostFreeSuffixes = ["Edge", "PageInfo"];
    private readonly Dictionary<string, ObjectTypeDefinition> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AbstractTypeDefinition> _abstracts = new(StringComparer.Ordinal);

    public SchemaDefinition(string queryType, string mutationType)
    {
        QueryType = queryType;
        MutationType = mutationType;
    }

    public string QueryType { get; }

    public string MutationType { get; }

    public ObjectTypeDefinition ObjectType(string name, params string[] interfaces)
    {
        if (!_objects.TryGetValue(name, out var type))
        {
            type = new ObjectTypeDefinition(name, interfaces);
            _objects[name] = type;
        }

        return type;
    }

    public void Abstract(string name, Func<object, string> resolveType, params string[] possibleTypes) =>
        _abstracts[name] = new AbstractTypeDefinition(name, new HashSet<string>(possibleTypes, StringComparer.Ordinal), resolveType);

    public ObjectTypeDefinition? FindObject(string name) => _objects.GetValueOrDefault(name);

    public AbstractTypeDefinition? FindAbstract(string name) => _abstracts.GetValueOrDefault(name);

    public bool IsCompositeType(string name) => _objects.ContainsKey(name) || _abstracts.ContainsKey(name);

    public bool IsKnownType(string name) => IsCompositeType(name);

    public static bool IsConnectionType(string name) => name.EndsWith("Connection", StringComparison.Ordinal);

    public static bool IsCostFree(string name) => CostFreeSuffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal));

    /// <summary>Whether a fragment with this type condition applies to an object of the given runtime type.</summary>
    public bool FragmentApplies(string typeCondition, string runtimeType) =>
        typeCondition == runtimeType
        || (_objects.TryGetValue(runtimeType, out var type) && type.Interfaces.Contains(typeCondition))
        || (_abstracts.TryGetValue(typeCondition, out var abstractType) && abstractType.PossibleTypes.Contains(runtimeType));

    /// <summary>Whether a fragment with this type condition could ever apply inside a selection on the parent type.</summary>
    public bool FragmentCanApply(string typeCondition, string parentType)
    {
        if (FragmentApplies(typeCondition, parentType) || FragmentApplies(parentType, typeCondition))
        {
            return true;
        }

        return _abstracts.TryGetValue(parentType, out var parent)
            && parent.PossibleTypes.Any(possible => FragmentApplies(typeCondition, possible));
    }
}
