using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrchardShopify.Emulator.GraphQL;

public sealed record PreparedOperation(
    GraphQLDocument Document,
    OperationDefinition Operation,
    IReadOnlyDictionary<string, object?> Variables,
    int RequestedCost);

/// <summary>A connection field deferred during a bulk export so its nodes become their own JSONL rows.</summary>
public sealed record DeferredConnection(string ParentId, FieldDefinition Field, object Connection, IReadOnlyList<FieldSelection> Selections);

/// <summary>Validates, costs and executes GraphQL operations against a <see cref="SchemaDefinition"/>.</summary>
public sealed class Executor
{
    private const int MutationFieldCost = 10;
    private readonly SchemaDefinition _schema;

    public Executor(SchemaDefinition schema)
    {
        _schema = schema;
    }

    public SchemaDefinition Schema => _schema;

    /// <summary>Selects the operation, coerces variables, validates every field and computes Shopify's requested cost.</summary>
    public (PreparedOperation? Operation, IReadOnlyList<GraphQLError> Errors) Prepare(GraphQLDocument document, string? operationName, JsonObject? variables)
    {
        OperationDefinition? operation;
        if (string.IsNullOrEmpty(operationName))
        {
            if (document.Operations.Count != 1)
            {
                return (null, [new GraphQLError(document.Operations.Count == 0
                    ? "No operations in query document"
                    : "An operation name is required when the document contains more than one operation")]);
            }

            operation = document.Operations[0];
        }
        else
        {
            operation = document.Operations.FirstOrDefault(o => o.Name == operationName);
            if (operation is null)
            {
                return (null, [new GraphQLError($"No operation named \"{operationName}\"")]);
            }
        }

        if (operation.Type == OperationType.Subscription)
        {
            return (null, [new GraphQLError("Subscriptions are not supported by the Admin API", [operation.Location])]);
        }

        var errors = new List<GraphQLError>();
        var coerced = CoerceVariables(operation, variables, errors);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var rootType = operation.Type == OperationType.Mutation ? _schema.MutationType : _schema.QueryType;
        var validator = new Validation(this, document, coerced, errors, operation.Type == OperationType.Mutation);
        var cost = validator.SelectionCost(rootType, operation.SelectionSet, [], 0);
        foreach (var definition in operation.Variables)
        {
            if (!validator.UsedVariables.Contains(definition.Name))
            {
                errors.Add(new GraphQLError($"Variable ${definition.Name} is declared by {operation.Name ?? "anonymous " + operation.Type.ToString().ToLowerInvariant()} but not used", [definition.Location], Extensions: Code("variableNotUsed")));
            }
        }

        return errors.Count > 0 ? (null, errors) : (new PreparedOperation(document, operation, coerced, cost), errors);
    }

    public JsonObject? Execute(PreparedOperation prepared, object root, ExecutionContext context)
    {
        var rootType = prepared.Operation.Type == OperationType.Mutation ? _schema.MutationType : _schema.QueryType;
        var run = new Run(this, prepared, context);
        return run.ExecuteObject(rootType, root, prepared.Operation.SelectionSet, [], isMutationRoot: prepared.Operation.Type == OperationType.Mutation);
    }

    /// <summary>Executes a node's selection for a bulk row; connection fields are returned for separate rows instead of inlined.</summary>
    public JsonObject ExecuteBulkRow(PreparedOperation prepared, string typeName, object source, IReadOnlyList<Selection> selections, ExecutionContext context, List<DeferredConnection> deferred)
    {
        var run = new Run(this, prepared, context) { Deferred = deferred };
        return run.ExecuteObject(typeName, source, selections, [], isMutationRoot: false) ?? [];
    }

    public string? NodeId(string typeName, object source, ExecutionContext context)
    {
        var field = _schema.FindObject(typeName)?.Fields.GetValueOrDefault("id");
        if (field is null)
        {
            return null;
        }

        var selection = new FieldSelection(null, "id", [], [], null, default);
        return field.Resolve(new FieldContext(source, selection, new Dictionary<string, object?>(), context)) as string;
    }

    internal static Dictionary<string, JsonNode?> Code(string code) => new() { ["code"] = code };

    private static Dictionary<string, object?> CoerceVariables(OperationDefinition operation, JsonObject? provided, List<GraphQLError> errors)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var definition in operation.Variables)
        {
            object? value;
            if (provided is not null && provided.TryGetPropertyValue(definition.Name, out var node))
            {
                value = FromJson(node);
            }
            else if (definition.DefaultValue is not null)
            {
                value = Evaluate(definition.DefaultValue, result);
            }
            else
            {
                value = null;
            }

            if (value is null && definition.Type.NonNull)
            {
                errors.Add(new GraphQLError(
                    $"Variable ${definition.Name} of type {definition.Type} was provided invalid value",
                    [definition.Location],
                    Extensions: new Dictionary<string, JsonNode?> { ["code"] = "INVALID_VARIABLE", ["value"] = null, ["problems"] = new JsonArray(new JsonObject { ["path"] = new JsonArray(), ["explanation"] = "Expected value to not be null" }) }));
                continue;
            }

            if (value is not null && !MatchesScalar(definition.Type, value))
            {
                errors.Add(new GraphQLError(
                    $"Variable ${definition.Name} of type {definition.Type} was provided invalid value",
                    [definition.Location],
                    Extensions: Code("INVALID_VARIABLE")));
                continue;
            }

            result[definition.Name] = value;
        }

        return result;
    }

    private static bool MatchesScalar(TypeReference type, object value)
    {
        if (type.ItemType is not null)
        {
            return value is IReadOnlyList<object?> list
                ? list.All(item => item is null ? !type.ItemType.NonNull : MatchesScalar(type.ItemType, item))
                : MatchesScalar(type.ItemType, value);
        }

        return type.NamedType switch
        {
            "Int" => value is long,
            "Float" or "Decimal" => value is long or double || (value is string s && decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out _)),
            "Boolean" => value is bool,
            "String" or "ID" or "URL" or "DateTime" or "Date" or "HTML" => value is string || (type.NamedType == "ID" && value is long),
            _ => true,
        };
    }

    internal static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.ToDictionary(p => p.Key, p => FromJson(p.Value), StringComparer.Ordinal) as IReadOnlyDictionary<string, object?>,
        JsonArray array => array.Select(FromJson).ToList() as IReadOnlyList<object?>,
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => value.TryGetValue<long>(out var l) ? (object)l : value.GetValue<double>(),
            _ => null,
        },
        _ => null,
    };

    internal static object? Evaluate(ValueNode node, IReadOnlyDictionary<string, object?> variables) => node switch
    {
        VariableValue v => variables.GetValueOrDefault(v.Name),
        IntValue i => long.TryParse(i.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
            ? l
            : throw new GraphQLException($"Integer {i.Text} is out of range", i.Location, "argumentLiteralsIncompatible"),
        FloatValue f => double.Parse(f.Text, NumberStyles.Float, CultureInfo.InvariantCulture),
        StringValue s => s.Value,
        BooleanValue b => b.Value,
        NullValue => null,
        EnumValue e => new EnumLiteral(e.Name),
        ListValue list => list.Items.Select(item => Evaluate(item, variables)).ToList() as IReadOnlyList<object?>,
        ObjectValue obj => obj.Fields.ToDictionary(f => f.Name, f => Evaluate(f.Value, variables), StringComparer.Ordinal) as IReadOnlyDictionary<string, object?>,
        _ => null,
    };

    private static bool IsIncluded(IReadOnlyList<Directive> directives, IReadOnlyDictionary<string, object?> variables)
    {
        foreach (var directive in directives)
        {
            var condition = directive.Arguments.FirstOrDefault(a => a.Name == "if") is { } argument && Evaluate(argument.Value, variables) is true;
            if ((directive.Name == "skip" && condition) || (directive.Name == "include" && !condition))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class Validation
    {
        private const int MaxDepth = 64;
        private readonly Executor _executor;
        private readonly GraphQLDocument _document;
        private readonly IReadOnlyDictionary<string, object?> _variables;
        private readonly List<GraphQLError> _errors;
        private readonly bool _isMutation;

        public Validation(Executor executor, GraphQLDocument document, IReadOnlyDictionary<string, object?> variables, List<GraphQLError> errors, bool isMutation)
        {
            _executor = executor;
            _document = document;
            _variables = variables;
            _errors = errors;
            _isMutation = isMutation;
        }

        public HashSet<string> UsedVariables { get; } = new(StringComparer.Ordinal);

        public int SelectionCost(string typeName, IReadOnlyList<Selection> selections, List<object> path, int depth)
        {
            if (depth > MaxDepth)
            {
                _errors.Add(new GraphQLError("Query has too many levels of nesting or a fragment cycle", Extensions: Code("MAX_DEPTH_EXCEEDED")));
                return 0;
            }

            var schema = _executor._schema;
            var cost = 0;
            foreach (var selection in selections)
            {
                TrackVariables(selection.Directives.SelectMany(d => d.Arguments));
                switch (selection)
                {
                    case FieldSelection field:
                        cost += FieldCost(typeName, field, path, depth);
                        break;
                    case InlineFragment inline:
                        var condition = inline.TypeCondition ?? typeName;
                        if (!schema.IsKnownType(condition))
                        {
                            _errors.Add(new GraphQLError($"No such type {condition}, so it can't be a fragment condition", [inline.Location], Extensions: Code("undefinedType")));
                        }
                        else if (!schema.FragmentCanApply(condition, typeName))
                        {
                            _errors.Add(new GraphQLError($"Fragment on {condition} can't be spread inside {typeName}", [inline.Location], Extensions: Code("cannotSpreadFragment")));
                        }
                        else
                        {
                            cost += SelectionCost(condition, inline.SelectionSet, path, depth + 1);
                        }

                        break;
                    case FragmentSpread spread:
                        if (!_document.Fragments.TryGetValue(spread.Name, out var fragment))
                        {
                            _errors.Add(new GraphQLError($"Fragment {spread.Name} was used, but not defined", [spread.Location], Extensions: Code("useAndDefineFragment")));
                        }
                        else if (!schema.IsKnownType(fragment.TypeCondition))
                        {
                            _errors.Add(new GraphQLError($"No such type {fragment.TypeCondition}, so it can't be a fragment condition", [fragment.Location], Extensions: Code("undefinedType")));
                        }
                        else if (!schema.FragmentCanApply(fragment.TypeCondition, typeName))
                        {
                            _errors.Add(new GraphQLError($"Fragment {spread.Name} on {fragment.TypeCondition} can't be spread inside {typeName}", [spread.Location], Extensions: Code("cannotSpreadFragment")));
                        }
                        else
                        {
                            cost += SelectionCost(fragment.TypeCondition, fragment.SelectionSet, path, depth + 1);
                        }

                        break;
                }
            }

            return cost;
        }

        private int FieldCost(string typeName, FieldSelection field, List<object> path, int depth)
        {
            var schema = _executor._schema;
            if (field.Name == "__typename")
            {
                return 0;
            }

            var fieldPath = new List<object>(path) { field.ResponseKey };
            var objectType = schema.FindObject(typeName);
            if (objectType is null || !objectType.Fields.TryGetValue(field.Name, out var definition))
            {
                var message = objectType is null
                    ? $"Selections can't be made directly on unions or interfaces (see selections on {typeName}): field '{field.Name}'"
                    : $"Field '{field.Name}' doesn't exist on type '{typeName}'";
                _errors.Add(new GraphQLError(message, [field.Location], fieldPath, new Dictionary<string, JsonNode?>
                {
                    ["code"] = "undefinedField",
                    ["typeName"] = typeName,
                    ["fieldName"] = field.Name,
                }));
                return 0;
            }

            TrackVariables(field.Arguments);
            foreach (var argument in field.Arguments)
            {
                if (!definition.Arguments.ContainsKey(argument.Name))
                {
                    _errors.Add(new GraphQLError($"Field '{field.Name}' doesn't accept argument '{argument.Name}'", [argument.Location], fieldPath, new Dictionary<string, JsonNode?>
                    {
                        ["code"] = "argumentNotAccepted",
                        ["name"] = field.Name,
                        ["typeName"] = "Field",
                        ["argumentName"] = argument.Name,
                    }));
                }
            }

            var missing = definition.Arguments.Values
                .Where(a => a.IsRequired && (field.Arguments.FirstOrDefault(x => x.Name == a.Name) is not { } given || given.Value is NullValue || (given.Value is VariableValue v && _variables.GetValueOrDefault(v.Name) is null)))
                .Select(a => a.Name)
                .ToList();
            if (missing.Count > 0)
            {
                _errors.Add(new GraphQLError($"Field '{field.Name}' is missing required arguments: {string.Join(", ", missing)}", [field.Location], fieldPath, new Dictionary<string, JsonNode?>
                {
                    ["code"] = "missingRequiredArguments",
                    ["className"] = "Field",
                    ["name"] = field.Name,
                    ["arguments"] = string.Join(", ", missing),
                }));
            }

            var returnType = definition.Type.NamedType;
            if (!schema.IsCompositeType(returnType))
            {
                if (field.SelectionSet is not null)
                {
                    _errors.Add(new GraphQLError($"Selections can't be made on scalars (field '{field.Name}' returns {definition.Type} but has selections [{string.Join(", ", field.SelectionSet.OfType<FieldSelection>().Select(s => s.Name))}])", [field.Location], fieldPath, Code("selectionMismatch")));
                }

                return 0;
            }

            if (field.SelectionSet is null)
            {
                _errors.Add(new GraphQLError($"Field must have selections (field '{field.Name}' returns {definition.Type} but has no selections. Did you mean '{field.Name} {{ ... }}'?)", [field.Location], fieldPath, Code("selectionMismatch")));
                return 0;
            }

            var childCost = SelectionCost(returnType, field.SelectionSet, fieldPath, depth + 1);
            if (_isMutation && depth == 0)
            {
                return MutationFieldCost;
            }

            if (SchemaDefinition.IsConnectionType(returnType))
            {
                var pageSize = PageSize(field);
                return 2 + (pageSize * childCost);
            }

            return SchemaDefinition.IsCostFree(returnType) ? childCost : 1 + childCost;
        }

        private int PageSize(FieldSelection field)
        {
            foreach (var name in new[] { "first", "last" })
            {
                if (field.Arguments.FirstOrDefault(a => a.Name == name) is { } argument && Evaluate(argument.Value, _variables) is long size)
                {
                    return (int)Math.Clamp(size, 0, 10_000);
                }
            }

            return 0;
        }

        private void TrackVariables(IEnumerable<Argument> arguments)
        {
            foreach (var argument in arguments)
            {
                TrackVariables(argument.Value);
            }
        }

        private void TrackVariables(ValueNode value)
        {
            switch (value)
            {
                case VariableValue variable:
                    UsedVariables.Add(variable.Name);
                    break;
                case ListValue list:
                    foreach (var item in list.Items)
                    {
                        TrackVariables(item);
                    }

                    break;
                case ObjectValue obj:
                    foreach (var field in obj.Fields)
                    {
                        TrackVariables(field.Value);
                    }

                    break;
            }
        }
    }

    private sealed class Run
    {
        private readonly Executor _executor;
        private readonly PreparedOperation _prepared;
        private readonly ExecutionContext _context;

        public Run(Executor executor, PreparedOperation prepared, ExecutionContext context)
        {
            _executor = executor;
            _prepared = prepared;
            _context = context;
        }

        public List<DeferredConnection>? Deferred { get; init; }

        public JsonObject? ExecuteObject(string staticType, object source, IReadOnlyList<Selection> selections, List<object> path, bool isMutationRoot)
        {
            var schema = _executor._schema;
            var runtimeType = schema.FindAbstract(staticType) is { } abstractType ? abstractType.ResolveType(source) : staticType;
            var objectType = schema.FindObject(runtimeType)
                ?? throw new InvalidOperationException($"Type {runtimeType} is not defined");
            var fields = new Dictionary<string, List<FieldSelection>>(StringComparer.Ordinal);
            CollectFields(runtimeType, selections, fields, 0);

            var result = new JsonObject();
            foreach (var (responseKey, group) in fields)
            {
                var field = group[0];
                if (field.Name == "__typename")
                {
                    result[responseKey] = runtimeType;
                    continue;
                }

                var definition = objectType.Fields[field.Name];
                var fieldPath = new List<object>(path) { responseKey };
                var subSelections = group.Where(f => f.SelectionSet is not null).SelectMany(f => f.SelectionSet!).ToList();
                try
                {
                    var arguments = field.Arguments.ToDictionary(a => a.Name, a => Evaluate(a.Value, _prepared.Variables), StringComparer.Ordinal);
                    var value = definition.Resolve(new FieldContext(source, field, arguments, _context));
                    if (Deferred is not null && value is not null && SchemaDefinition.IsConnectionType(definition.Type.NamedType))
                    {
                        var parentId = _executor.NodeId(runtimeType, source, _context)
                            ?? throw new GraphQLException($"The parent of nested connection '{field.Name}' must be a node with an id", field.Location);
                        Deferred.Add(new DeferredConnection(parentId, definition, value, subSelections.OfType<FieldSelection>().ToList()));
                        continue;
                    }

                    if (isMutationRoot)
                    {
                        _context.ActualCost += MutationFieldCost;
                    }

                    result[responseKey] = Complete(definition.Type, value, subSelections, fieldPath, countCost: !isMutationRoot && _context.ActualCost >= 0);
                }
                catch (GraphQLException exception)
                {
                    var error = exception.Error;
                    _context.Errors.Add(error with
                    {
                        Locations = error.Locations ?? [field.Location],
                        Path = error.Path ?? fieldPath,
                    });
                    result[responseKey] = null;
                }
            }

            return result;
        }

        private JsonNode? Complete(TypeShape type, object? value, List<Selection> selections, List<object> path, bool countCost)
        {
            if (value is null)
            {
                return null;
            }

            var schema = _executor._schema;
            if (type.IsList)
            {
                var array = new JsonArray();
                var index = 0;
                foreach (var item in (System.Collections.IEnumerable)value)
                {
                    array.Add(Complete(type with { IsList = false }, item, selections, [.. path, index++], countCost));
                }

                return array;
            }

            if (!schema.IsCompositeType(type.NamedType))
            {
                return SerializeScalar(value);
            }

            if (countCost)
            {
                _context.ActualCost += SchemaDefinition.IsConnectionType(type.NamedType) ? 2 : SchemaDefinition.IsCostFree(type.NamedType) ? 0 : 1;
            }

            var saved = _context.ActualCost;
            var completed = ExecuteObject(type.NamedType, value, selections, path, isMutationRoot: false);
            if (!countCost)
            {
                _context.ActualCost = saved;
            }

            return completed;
        }

        private void CollectFields(string runtimeType, IReadOnlyList<Selection> selections, Dictionary<string, List<FieldSelection>> fields, int depth)
        {
            if (depth > 64)
            {
                return;
            }

            foreach (var selection in selections)
            {
                if (!IsIncluded(selection.Directives, _prepared.Variables))
                {
                    continue;
                }

                switch (selection)
                {
                    case FieldSelection field:
                        if (!fields.TryGetValue(field.ResponseKey, out var group))
                        {
                            group = [];
                            fields[field.ResponseKey] = group;
                        }

                        group.Add(field);
                        break;
                    case InlineFragment inline when inline.TypeCondition is null || _executor._schema.FragmentApplies(inline.TypeCondition, runtimeType):
                        CollectFields(runtimeType, inline.SelectionSet, fields, depth + 1);
                        break;
                    case FragmentSpread spread when _prepared.Document.Fragments.TryGetValue(spread.Name, out var fragment)
                        && _executor._schema.FragmentApplies(fragment.TypeCondition, runtimeType):
                        CollectFields(runtimeType, fragment.SelectionSet, fields, depth + 1);
                        break;
                }
            }
        }

        private static JsonNode? SerializeScalar(object value) => value switch
        {
            string s => JsonValue.Create(s),
            bool b => JsonValue.Create(b),
            int i => JsonValue.Create(i),
            long l => JsonValue.Create(l),
            double d => JsonValue.Create(d),
            decimal m => JsonValue.Create(m),
            DateTimeOffset t => JsonValue.Create(t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            EnumLiteral e => JsonValue.Create(e.Name),
            Enum e => JsonValue.Create(e.ToString()),
            JsonNode node => node.DeepClone(),
            _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
        };
    }
}
