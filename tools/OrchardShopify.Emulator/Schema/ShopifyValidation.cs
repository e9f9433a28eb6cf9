using System.Text.RegularExpressions;
using GraphQL;
using GraphQL.Types;
using GraphQL.Validation;
using GraphQL.Validation.Errors;
using GraphQL.Validation.Rules;
using GraphQLParser.AST;

namespace OrchardShopify.Emulator.Schema;

/// <summary>
/// GraphQL.NET's validation rules, with the ones whose errors clients read worded and coded as Shopify's Admin API words
/// them: undefinedField, argumentNotAccepted, missingRequiredArguments, selectionMismatch, variableNotUsed and
/// INVALID_VARIABLE ("Variable $id of type ID! was provided invalid value").
/// </summary>
public static partial class ShopifyValidation
{
    public static readonly IReadOnlyList<IValidationRule> Rules =
    [
        .. DocumentValidator.CoreRules.Where(rule => rule is not (FieldsOnCorrectType or KnownArgumentNames or ProvidedNonNullArguments or ScalarLeafs)),
        new ShopifyFieldRules(),
    ];

    /// <summary>Rewords the errors GraphQL.NET reports in its own words (variables, unused variables) as Shopify does.</summary>
    public static ExecutionError Reword(ExecutionError error, GraphQLDocument document)
    {
        ArgumentNullException.ThrowIfNull(error);
        switch (error)
        {
            case InvalidVariableError when VariableMessage().Match(error.Message) is { Success: true } match:
                var name = match.Groups["name"].Value;
                var definition = document.Definitions.OfType<GraphQLOperationDefinition>()
                    .SelectMany(o => o.Variables?.Items ?? [])
                    .FirstOrDefault(v => v.Variable.Name.StringValue == name);
                var type = definition is null ? "?" : Print(definition.Type);
                var within = match.Groups["path"].Value.TrimStart('.');
                var message = $"Variable ${name} of type {type} was provided invalid value" + (within.Length > 0 ? $" for {within}" : string.Empty);
                var explanation = match.Groups["explanation"].Value;
                var missing = explanation.StartsWith("No value provided", StringComparison.Ordinal);
                var reworded = new ShopifyError(
                    message + (explanation.Length > 0 && !missing ? $" ({explanation.TrimEnd('.')})" : string.Empty),
                    "INVALID_VARIABLE",
                    new Dictionary<string, object?> { ["problems"] = new[] { new Dictionary<string, object?> { ["path"] = within.Length > 0 ? within.Split('.') : [], ["explanation"] = explanation } } });
                CopyLocations(error, reworded);
                return reworded;
            case NoUnusedVariablesError:
                error.Code = "variableNotUsed";
                return error;
            default:
                return error;
        }
    }

    private static void CopyLocations(ExecutionError from, ExecutionError to)
    {
        foreach (var location in from.Locations ?? [])
        {
            to.AddLocation(location);
        }
    }

    internal static string Print(GraphQLType type) => type switch
    {
        GraphQLNonNullType nonNull => Print(nonNull.Type) + "!",
        GraphQLListType list => "[" + Print(list.Type) + "]",
        GraphQLNamedType named => named.Name.StringValue,
        _ => type.ToString() ?? string.Empty,
    };

    [GeneratedRegex(@"^Variable '\$(?<name>[_A-Za-z][_0-9A-Za-z]*)(?<path>[^']*)' is invalid\.\s*(?<explanation>.*)$", RegexOptions.Singleline)]
    private static partial Regex VariableMessage();

    /// <summary>Fields that exist, arguments they accept, required arguments given, and selections where (and only where) objects are returned.</summary>
    private sealed class ShopifyFieldRules : IValidationRule
    {
        private static readonly INodeVisitor Visitor = new MatchingNodeVisitor<GraphQLField>(enter: Enter);

        public ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context) => new(Visitor);

        public ValueTask<IVariableVisitor?> GetVariableVisitorAsync(ValidationContext context) => default;

        public ValueTask<INodeVisitor?> GetPostNodeVisitorAsync(ValidationContext context) => default;

        private static void Enter(GraphQLField field, ValidationContext context)
        {
            var parent = context.TypeInfo.GetParentType()?.GetNamedType();
            if (parent is null)
            {
                return;
            }

            var name = field.Name.StringValue;
            var definition = context.TypeInfo.GetFieldDef();
            if (definition is null)
            {
                var message = parent is IComplexGraphType
                    ? $"Field '{name}' doesn't exist on type '{parent.Name}'"
                    : $"Selections can't be made directly on unions or interfaces (see selections on {parent.Name}): field '{name}'";
                context.ReportError(new ShopifyValidationError(context, field, message, "undefinedField", ResponsePath(context, field), new Dictionary<string, object?> { ["typeName"] = parent.Name, ["fieldName"] = name }));
                return;
            }

            foreach (var argument in field.Arguments?.Items ?? [])
            {
                if (definition.Arguments?.Find(argument.Name.StringValue) is null)
                {
                    context.ReportError(new ShopifyValidationError(context, argument, $"Field '{name}' doesn't accept argument '{argument.Name.StringValue}'", "argumentNotAccepted", ResponsePath(context, field), new Dictionary<string, object?> { ["name"] = name, ["typeName"] = "Field", ["argumentName"] = argument.Name.StringValue }));
                }
            }

            var missing = (definition.Arguments ?? [])
                .Where(a => a.DefaultValue is null && a.ResolvedType is NonNullGraphType && field.Arguments?.ValueFor(a.Name) is null)
                .Select(a => a.Name)
                .ToList();
            if (missing.Count > 0)
            {
                var list = string.Join(", ", missing);
                context.ReportError(new ShopifyValidationError(context, field, $"Field '{name}' is missing required arguments: {list}", "missingRequiredArguments", ResponsePath(context, field), new Dictionary<string, object?> { ["className"] = "Field", ["name"] = name, ["arguments"] = list }));
            }

            var returns = definition.ResolvedType!;
            var leaf = returns.GetNamedType() is ScalarGraphType or EnumerationGraphType;
            if (leaf && field.SelectionSet is not null)
            {
                var selected = string.Join(", ", field.SelectionSet.Selections.OfType<GraphQLField>().Select(s => s.Name.StringValue));
                context.ReportError(new ShopifyValidationError(context, field, $"Selections can't be made on scalars (field '{name}' returns {returns} but has selections [{selected}])", "selectionMismatch", ResponsePath(context, field)));
            }
            else if (!leaf && field.SelectionSet is null)
            {
                context.ReportError(new ShopifyValidationError(context, field, $"Field must have selections (field '{name}' returns {returns} but has no selections. Did you mean '{name} {{ ... }}'?)", "selectionMismatch", ResponsePath(context, field)));
            }
        }

        /// <summary>The nodes above the one visited; TypeInfo answers past the top of its stack with an exception.</summary>
        private static List<ASTNode> Ancestors(TypeInfo typeInfo)
        {
            var ancestors = new List<ASTNode>();
            try
            {
                for (var index = 0; typeInfo.GetAncestor(index) is { } ancestor; index++)
                {
                    ancestors.Add(ancestor);
                }
            }
            catch (InvalidOperationException)
            {
                // The top of the stack: the document.
            }

            return ancestors;
        }

        /// <summary>The response keys from the operation (or fragment) down to the field.</summary>
        private static List<object> ResponsePath(ValidationContext context, GraphQLField field)
        {
            var path = new List<object>();
            foreach (var ancestor in Ancestors(context.TypeInfo))
            {
                if (ancestor is GraphQLField outer && !ReferenceEquals(outer, field))
                {
                    path.Add((outer.Alias?.Name ?? outer.Name).StringValue);
                }
            }

            path.Reverse();
            path.Add((field.Alias?.Name ?? field.Name).StringValue);
            return path;
        }
    }
}
